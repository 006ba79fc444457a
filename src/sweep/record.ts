import { toJson } from '../io/json.js';
import type { SpectrumStats } from '../measure/stats.js';
import type { Location } from './locate.js';
import type { SweepConfig, SweepPoint } from './grid.js';

export const RECORD_SCHEMA = 'eoc.sweep-record/1';

/** The measurements of one network at one gain of the grid. */
export interface CurvePoint {
  gain: number;
  /** numeric input variance used (differs per gain only with q0 = fixed-point) */
  q0: number;
  rank: number;
  stats: SpectrumStats;
  /** ln(|delta^1| / |delta^L|): > 0 gradients grow towards the input, < 0 they vanish */
  gradRatio: number;
  /** ln |J^T e| */
  logInputGrad: number;
  /** ln |delta^l|, l = 1..L */
  logGradNorm: number[];
  /** q^l = |h^l|^2/N, l = 1..L */
  q: number[];
}

/**
 * One JSONL line: one (point, seed) of a sweep with every gain of the grid and, when the sweep
 * locates, this seed's located gains. Self-describing (it repeats the sweep config), so shards and
 * resumed runs can be checked for consistency line by line. Contains no timings: the same task
 * always gives the same bytes.
 */
export interface SweepRecord {
  schema: typeof RECORD_SCHEMA;
  config: SweepConfig;
  index: number;
  point: SweepPoint;
  seed: number;
  curve: CurvePoint[];
  located: { m1: Location; minRms: Location; maxFrac: Location } | null;
}

export function recordLine(r: SweepRecord): string {
  return toJson(r, 0);
}

/**
 * Parse one line; null for a line that is not a complete record (e.g. the truncated last line of
 * a killed run). JSON null (how non-finite numbers are written) reads back as NaN in statistics.
 */
export function parseRecordLine(line: string): SweepRecord | null {
  if (line.trim() === '') return null;
  let r: unknown;
  try {
    r = JSON.parse(line);
  } catch {
    return null;
  }
  const o = r as Partial<SweepRecord>;
  if (!o || o.schema !== RECORD_SCHEMA || typeof o.index !== 'number' || !Array.isArray(o.curve) || !o.config) return null;
  return o as SweepRecord;
}

/** null (a non-finite value written to JSON) as NaN. */
export function numOrNaN(v: number | null | undefined): number {
  return typeof v === 'number' ? v : NaN;
}

export function sameConfig(a: SweepConfig, b: SweepConfig): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The first field in which two configs differ, for error messages. */
export function configDifference(a: SweepConfig, b: SweepConfig): string {
  for (const k of Object.keys(a) as (keyof SweepConfig)[]) {
    if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) return `${k}: ${JSON.stringify(a[k])} vs ${JSON.stringify(b[k])}`;
  }
  return 'none';
}
