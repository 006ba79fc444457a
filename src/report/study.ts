import { SpecError } from '../spec/errors.js';
import type { SampleRecord, StudyDefinition } from './data.js';
import { curves, locateSeed } from './analysis.js';
import { runTasks } from './pool.js';
import { isHomogeneous, taskCost, type MeasureTask } from './measure.js';

/** The coarse grid lo:hi:step, rounded so 0.8 + 3*0.05 prints as 0.95. */
export function gainGrid(lo: number, hi: number, step: number): number[] {
  if (!(step > 0) || !(hi >= lo)) throw new SpecError(`gain grid ${lo}:${hi}:${step}: need lo <= hi and step > 0`);
  const n = Math.round((hi - lo) / step);
  if (n > 2000) throw new SpecError(`gain grid ${lo}:${hi}:${step} has more than 2000 points`);
  return Array.from({ length: n + 1 }, (_, k) => +(lo + k * step).toFixed(10));
}

/**
 * The default study (issue 5): does orthogonal tanh at depth 100 reach dynamical isometry, and
 * where; Gaussian weights and linear nets as the contrasts. 17 coarse gains + up to 8 refined ones
 * per (activation, init), 4 seeds: ~200 evaluations of a 100 x 128 network, ~1 minute on 2 cores.
 */
export function defaultStudy(): StudyDefinition {
  return {
    name: 'default',
    title: 'Dynamical isometry at depth 100: orthogonal vs Gaussian weights, tanh and linear nets',
    activations: ['tanh', 'linear'],
    inits: ['orthogonal', 'gaussian'],
    depth: 100,
    width: 128,
    gains: gainGrid(0.8, 1.6, 0.05),
    refineOffsets: [-0.03, -0.02, -0.01, 0, 0.01, 0.02, 0.03],
    biasStd: 0,
    q0: 1,
    seeds: [0, 1, 2, 3],
  };
}

export interface StudyRunOptions {
  workers: number;
  onProgress?: (done: number, total: number) => void;
}

export interface StudyRun {
  samples: SampleRecord[];
  timings: { measureMs: number; evaluations: number };
}

function baseTask(study: StudyDefinition, activation: MeasureTask['activation'], init: MeasureTask['init'], seed: number, gains: number[]): MeasureTask {
  return { activation, init, depth: study.depth, width: study.width, biasStd: study.biasStd, q0: study.q0, seed, gains };
}

/**
 * The gains to add around one (activation, init)'s coarse-grid located gains: each criterion's
 * mean over seeds plus the study's offsets, rounded to 0.005 (0.0025 for homogeneous nets, which
 * cost nothing per gain), inside the grid's range and not already measured.
 */
export function refinedGains(study: StudyDefinition, samples: SampleRecord[], activation: MeasureTask['activation'], init: MeasureTask['init']): number[] {
  if (study.refineOffsets.length === 0) return [];
  const bySeed = [...curves(samples, activation, init).values()];
  const have = new Set(bySeed[0]?.map((s) => s.gain) ?? []);
  const lo = Math.min(...study.gains), hi = Math.max(...study.gains);
  const quantum = isHomogeneous(activation, study.biasStd) ? 0.0025 : 0.005;
  const centres: number[] = [];
  for (const c of ['m1 = 1', 'min rms_log'] as const) {
    const found = bySeed.map((curve) => locateSeed(curve)[c].gain).filter((g): g is number => g !== null);
    if (found.length) centres.push(found.reduce((a, b) => a + b, 0) / found.length);
  }
  const out = new Set<number>();
  const scale = isHomogeneous(activation, study.biasStd) ? 0.25 : 1;
  for (const c of centres)
    for (const off of study.refineOffsets) {
      const g = +(Math.round((c + off * scale) / quantum) * quantum).toFixed(10);
      if (g > lo && g < hi && !have.has(g)) out.add(g);
    }
  return [...out].sort((a, b) => a - b);
}

/**
 * Measure a study: the coarse grid for every (activation, init, seed), then a refined grid around
 * each (activation, init)'s located gains. Base draws are sampled once per (init, seed) task and
 * scaled across gains (common random numbers), so curves in g are smooth and the located gains
 * well posed. Output order and bytes do not depend on the worker count.
 */
export async function runStudy(study: StudyDefinition, opts: StudyRunOptions): Promise<StudyRun> {
  const t0 = performance.now();
  const samples: SampleRecord[] = [];
  let done = 0;
  let total = 0;
  let evaluations = 0;
  const run = async (tasks: MeasureTask[]) => {
    total += tasks.reduce((a, t) => a + taskCost(t), 0);
    opts.onProgress?.(done, total);
    await runTasks(tasks, opts.workers, (t, r) => {
      samples.push(...r);
      done += taskCost(t);
      evaluations += taskCost(t);
      opts.onProgress?.(done, total);
    });
  };
  // the expensive (non-homogeneous) tasks first, so the two threads finish together
  const order = (ts: MeasureTask[]) => ts.sort((a, b) => taskCost(b) - taskCost(a));
  const coarse: MeasureTask[] = [];
  for (const init of study.inits)
    for (const seed of study.seeds)
      for (const activation of study.activations) coarse.push(baseTask(study, activation, init, seed, study.gains));
  await run(order(coarse));
  // one refined grid per activation, the union over weight schemes: every refined gain is then
  // measured for both schemes, so orthogonal and Gaussian can be compared at it
  const refine: MeasureTask[] = [];
  for (const activation of study.activations) {
    const extra = [...new Set(study.inits.flatMap((init) => refinedGains(study, samples, activation, init)))].sort((a, b) => a - b);
    if (extra.length) for (const init of study.inits) for (const seed of study.seeds) refine.push(baseTask(study, activation, init, seed, extra));
  }
  if (refine.length) await run(order(refine));
  return { samples, timings: { measureMs: performance.now() - t0, evaluations } };
}
