import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SpecError } from '../spec/errors.js';
import { toJson, writeFileAtomic } from '../io/json.js';
import { acquireLock } from '../io/lock.js';
import { enumerateTasks, shardTasks, type Shard, type SweepConfig, type SweepTask } from './grid.js';
import { refinedGains, refineTasks } from './refine.js';
import { runPool } from './pool.js';
import { parseRecordLine, type SweepRecord } from './record.js';
import { JsonlWriter, readJsonl, sortedLines, type JsonlContents } from './store.js';
import { sweepDocument, type SweepDocument } from './summary.js';
import type { Job } from './jobs.js';

export interface RunSweepOptions {
  /** worker threads (1: in this thread) */
  workers: number;
  shard?: Shard;
  /** write dir/sweep.jsonl (appended as tasks finish) and dir/sweep.json (at the end) */
  outDir?: string;
  /** continue the sweep in outDir: skip tasks whose lines are already there */
  resume?: boolean;
  onProgress?: (done: number, total: number) => void;
  log?: (message: string) => void;
}

export interface SweepRun {
  config: SweepConfig;
  /** every record known (this run's and resumed ones), canonical order */
  records: SweepRecord[];
  lines: string[];
  document: SweepDocument;
  /** tasks computed now, and skipped because a finished line existed */
  computed: number;
  skipped: number;
}

export function jsonlPath(outDir: string): string {
  return join(outDir, 'sweep.jsonl');
}

/** Write the canonical outputs of a sweep (or a merge): sorted JSONL and the summary document (each file atomically; hold the folder's lock). */
export function writeSweepOutputs(outDir: string, lines: string[], doc: SweepDocument): void {
  writeFileAtomic(jsonlPath(outDir), lines.map((l) => l + '\n').join(''));
  writeFileAtomic(join(outDir, 'sweep.json'), toJson(doc) + '\n');
}

/**
 * Run a sweep: every task of the (sharded) grid that is not already finished in outDir, on a pool
 * of workers; then, if the config refines, the pass-2 tasks (extra gains computed from the pass-1
 * records, so they need the whole grid: no shards). Lines are appended as tasks finish (completion
 * order); at the end the file is rewritten in canonical order and the summary computed from the
 * lines as read back, so the result is byte-identical for any worker count, any interruption and
 * resumption, and any sharding.
 */
export async function runSweep(config: SweepConfig, opts: RunSweepOptions): Promise<SweepRun> {
  if (config.refine && !config.locate) throw new SpecError('refining the grid needs the located gains (a sweep that locates)');
  if (config.refine && opts.shard) throw new SpecError('--shard: a refined sweep places its extra gains from every seed of the coarse grid; run refined sweeps unsharded');
  const tasks = shardTasks(enumerateTasks(config), opts.shard);
  // one writer per --out folder: a second sweep into it is refused at once; the lock of a killed
  // sweep (dead pid) is taken over, so --resume works after a kill
  const lock = opts.outDir ? acquireLock(opts.outDir) : null;
  try {
    return await sweepInto(config, tasks, opts);
  } finally {
    lock?.release();
  }
}

async function sweepInto(config: SweepConfig, tasks: SweepTask[], opts: RunSweepOptions): Promise<SweepRun> {
  const have: JsonlContents = { lines: new Map(), records: new Map(), dropped: 0 };
  let writer: JsonlWriter | null = null;
  if (opts.outDir) {
    const path = jsonlPath(opts.outDir);
    const exists = existsSync(path) && statSync(path).size > 0;
    if (exists && !opts.resume) {
      throw new SpecError(`${path} already exists: pass --resume to continue that sweep, or choose another --out`);
    }
    if (exists) {
      readJsonl(path, config, have);
      if (have.dropped) opts.log?.(`resume: dropped ${have.dropped} incomplete line(s) from ${path}`);
    }
    writer = new JsonlWriter(path);
    writer.reset(sortedLines(have.lines));
  }
  let done = 0;
  let total = 0;
  let computed = 0;
  let skipped = 0;
  const runPass = async (pass: SweepTask[], what: string) => {
    const pending = pass.filter((t) => !have.lines.has(t.index));
    if (pass.length > pending.length) opts.log?.(`resume: ${pass.length - pending.length} of ${pass.length} ${what} already finished`);
    skipped += pass.length - pending.length;
    computed += pending.length;
    total += pending.length;
    opts.onProgress?.(done, total);
    const jobs: Job[] = pending.map((task) => ({ kind: 'sweep', config, task }));
    await runPool<string>(jobs, opts.workers, (i, line) => {
      have.lines.set(pending[i].index, line);
      have.records.set(pending[i].index, parseRecordLine(line)!);
      writer?.append(line);
      opts.onProgress?.(++done, total);
    });
  };
  await runPass(tasks, 'tasks');
  if (config.refine) await runPass(refineTasks(config, refinedGains(config, [...have.records.values()])), 'refinement tasks');
  const lines = sortedLines(have.lines);
  const records = lines.map((l) => parseRecordLine(l)!);
  const document = sweepDocument(config, records);
  if (opts.outDir) writeSweepOutputs(opts.outDir, lines, document);
  return { config, records, lines, document, computed, skipped };
}

/**
 * Join sweep JSONL files (or directories holding sweep.jsonl): every line must come from the same
 * sweep config; duplicates must be identical and are kept once; the result is in canonical order.
 */
export function mergeSweeps(paths: readonly string[], log?: (m: string) => void): { config: SweepConfig; lines: string[]; document: SweepDocument } {
  if (paths.length === 0) throw new SpecError('merge: give at least one JSONL file');
  const all: JsonlContents = { lines: new Map(), records: new Map(), dropped: 0 };
  for (const p of paths) {
    const before = all.dropped;
    readJsonl(p, undefined, all);
    if (all.dropped > before) log?.(`merge: ${p}: skipped ${all.dropped - before} incomplete line(s)`);
  }
  const first = all.records.values().next().value;
  if (!first) throw new SpecError(`merge: no complete sweep records in ${paths.join(', ')}`);
  const lines = sortedLines(all.lines);
  const records = lines.map((l) => parseRecordLine(l)!);
  return { config: first.config, lines, document: sweepDocument(first.config, records) };
}
