import { createHash } from 'node:crypto';
import type { ActivationName, InitName } from '../spec/types.js';

/**
 * How the faithful gain is located on each seed's curve (see locate.ts). Part of the sweep's
 * identity: two runs with different settings do not merge.
 */
export interface LocateOptions {
  /** absolute tolerance in g of the m1 = 1 root (Brent) */
  rootTolerance: number;
  /** absolute tolerance in g of the rms_log minimum (Brent's minimizer) */
  minTolerance: number;
  /** bisections of each edge of the frac_within_2 plateau (edge error <= grid step / 2^k) */
  plateauBisections: number;
}

export const DEFAULT_LOCATE: LocateOptions = { rootTolerance: 1e-8, minTolerance: 1e-4, plateauBisections: 4 };

/**
 * A resolved sweep: every axis is an explicit list, so the config printed in a document (and
 * repeated on every JSONL line) reproduces the run. Gains are ascending and distinct; the other
 * axes keep the order given (duplicates removed).
 */
export interface SweepConfig {
  gains: number[];
  activations: ActivationName[];
  inits: InitName[];
  biasStds: number[];
  depths: number[];
  width: number;
  q0: number | 'fixed-point';
  seeds: number[];
  /** null: evaluate the grid only (eoc compare) */
  locate: LocateOptions | null;
}

/** One point of the grid minus the gain: the networks of one seed at this point share base draws. */
export interface SweepPoint {
  activation: ActivationName;
  init: InitName;
  biasStd: number;
  depth: number;
}

/** A unit of work: one point, one seed, every gain. `index` is its place in the canonical order. */
export interface SweepTask {
  index: number;
  point: SweepPoint;
  seed: number;
}

export function uniqueInOrder<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

/** Normalize the lists (gains ascending, duplicates out) without validating them. */
export function makeConfig(c: SweepConfig): SweepConfig {
  return {
    gains: uniqueInOrder(c.gains).sort((a, b) => a - b),
    activations: uniqueInOrder(c.activations),
    inits: uniqueInOrder(c.inits),
    biasStds: uniqueInOrder(c.biasStds),
    depths: uniqueInOrder(c.depths),
    width: c.width,
    q0: c.q0,
    seeds: uniqueInOrder(c.seeds),
    locate: c.locate === null ? null : { ...c.locate },
  };
}

/** Points in canonical order: activation, then init, then sigma_b, then depth (each as listed). */
export function enumeratePoints(c: SweepConfig): SweepPoint[] {
  const out: SweepPoint[] = [];
  for (const activation of c.activations)
    for (const init of c.inits)
      for (const biasStd of c.biasStds)
        for (const depth of c.depths) out.push({ activation, init, biasStd, depth });
  return out;
}

/** Every task in canonical order: point-major, seed-minor. The order results are written in. */
export function enumerateTasks(c: SweepConfig): SweepTask[] {
  const tasks: SweepTask[] = [];
  for (const point of enumeratePoints(c)) for (const seed of c.seeds) tasks.push({ index: tasks.length, point, seed });
  return tasks;
}

export interface Shard {
  index: number;
  count: number;
}

/**
 * The tasks of shard i of n: those whose canonical index is i mod n. The assignment depends only on
 * the task's place in the grid, never on which other shards run or in what order, so the n shards
 * are disjoint, cover the grid, and are balanced to within one task.
 */
export function shardTasks(tasks: readonly SweepTask[], shard?: Shard): SweepTask[] {
  if (!shard) return [...tasks];
  return tasks.filter((t) => t.index % shard.count === shard.index);
}

/** A short stable identity of a config (sha256 of its canonical JSON), for messages and file checks. */
export function configId(c: SweepConfig): string {
  return createHash('sha256').update(JSON.stringify(c)).digest('hex').slice(0, 16);
}

export function pointLabel(p: SweepPoint, width?: number): string {
  return `${p.activation} ${p.init}, depth ${p.depth}${width === undefined ? '' : `, width ${width}`}, sigma_b ${p.biasStd}`;
}
