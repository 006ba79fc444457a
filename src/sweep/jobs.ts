import { runSweepTask } from './task.js';
import { recordLine } from './record.js';
import { runCheckSeed, type CheckSeedInput } from './check-seed.js';
import { measureSeed } from '../measure/run-spectrum.js';
import type { SweepConfig, SweepTask } from './grid.js';
import type { NetworkSpec } from '../spec/types.js';
import type { MeasureOptions } from '../measure/network.js';
import { runLearnUnit, type LearnConfig, type LearnUnit } from '../learn/study.js';

/**
 * The work a pool can do, by name. Inputs and outputs are plain JSON-safe values (a sweep task
 * returns its finished JSONL line), so the same job runs in a worker thread or in-process with
 * identical results.
 */
export type Job =
  | { kind: 'sweep'; config: SweepConfig; task: SweepTask }
  | { kind: 'check'; input: CheckSeedInput }
  | { kind: 'spectrum'; spec: NetworkSpec; q0: number; seed: number; opts: MeasureOptions }
  | { kind: 'learn'; config: LearnConfig; unit: LearnUnit };

export function runJob(job: Job): unknown {
  switch (job.kind) {
    case 'sweep':
      return recordLine(runSweepTask(job.config, job.task));
    case 'check':
      return runCheckSeed(job.input);
    case 'spectrum':
      return measureSeed(job.spec, job.q0, job.seed, job.opts);
    case 'learn':
      return runLearnUnit(job.config, job.unit);
  }
}
