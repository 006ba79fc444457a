import { readNumber, readNumbers, toJson } from '../io/json.js';
import { SpecError } from '../spec/errors.js';
import { STAT_NAMES, type SpectrumStats } from '../measure/stats.js';
import type { Location } from './locate.js';
import type { SweepConfig, SweepPoint } from './grid.js';

/**
 * Version 2 (incompatible with 1): every CurvePoint carries ln |dE/dW^l| per layer and, when the
 * sweep records spectra, ln s; every record says which pass wrote it; the config has `spectra` and
 * `refine`. Readers accept exactly this version.
 */
export const RECORD_SCHEMA = 'eoc.sweep-record/2';
/**
 * Version 3: the line of an --arch sweep (config.arch and point.arch hold the layer list) or of one
 * that measures two-input correlations (config.c0, curve[i].c); other sweeps keep version 2.
 */
export const RECORD_SCHEMA_LAYERS = 'eoc.sweep-record/3';

/** The measurements of one network at one gain. */
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
  /** ln |dE/dW^l|_F = ln |delta^l| + ln |x^(l-1)|, l = 1..L */
  logWeightGradNorm: number[];
  /** q^l = |h^l|^2/N, l = 1..L */
  q: number[];
  /** with config.c0: the two inputs' pre-activation correlation c^l per layer */
  c?: number[];
  /** ln s, descending, all N (-Infinity for structural zeros); only when config.spectra */
  logS?: number[];
}

/**
 * One JSONL line: one (point, seed) of a sweep, at every gain of the grid (pass 1, with this
 * seed's located gains when the sweep locates) or at the extra gains of the refinement (pass 2,
 * located null). Self-describing (it repeats the sweep config), so shards and resumed runs can be
 * checked for consistency line by line. Contains no timings: the same task always gives the same
 * bytes.
 */
export interface SweepRecord {
  schema: typeof RECORD_SCHEMA | typeof RECORD_SCHEMA_LAYERS;
  config: SweepConfig;
  index: number;
  pass: 1 | 2;
  point: SweepPoint;
  seed: number;
  curve: CurvePoint[];
  located: { m1: Location; minRms: Location; maxFrac: Location } | null;
}

export function recordLine(r: SweepRecord): string {
  return toJson(r, 0);
}

function readCurvePoint(c: Record<string, unknown>): CurvePoint {
  const raw = (c.stats ?? {}) as Record<string, unknown>;
  const stats = {} as SpectrumStats;
  for (const k of STAT_NAMES) stats[k] = readNumber(raw[k]);
  const out: CurvePoint = {
    gain: readNumber(c.gain),
    q0: readNumber(c.q0),
    rank: readNumber(c.rank),
    stats,
    gradRatio: readNumber(c.gradRatio),
    logInputGrad: readNumber(c.logInputGrad),
    logGradNorm: readNumbers(c.logGradNorm),
    logWeightGradNorm: readNumbers(c.logWeightGradNorm),
    q: readNumbers(c.q),
  };
  if (Array.isArray(c.logS)) out.logS = readNumbers(c.logS);
  if (Array.isArray(c.c)) out.c = readNumbers(c.c);
  return out;
}

function readLocation(l: Record<string, unknown>): Location {
  return { gain: l.gain === null ? null : readNumber(l.gain), value: l.value === null ? null : readNumber(l.value), evaluations: readNumber(l.evaluations), note: String(l.note ?? '') };
}

/**
 * Parse one line. null for a line that is not complete JSON (the truncated last line of a killed
 * run); a SpecError for complete JSON that is not an eoc.sweep-record/2 (another version or another
 * kind of file: never silently dropped). Non-finite numbers, written by toJson as "Infinity",
 * "-Infinity", "NaN" (or null by older writers), read back as numbers (readNumber), so every
 * statistic computed from a record is a number.
 */
export function parseRecordLine(line: string): SweepRecord | null {
  if (line.trim() === '') return null;
  let r: unknown;
  try {
    r = JSON.parse(line);
  } catch {
    return null;
  }
  const o = r as Record<string, unknown> | null;
  const schema = o && typeof o === 'object' ? o.schema : undefined;
  if (schema !== RECORD_SCHEMA && schema !== RECORD_SCHEMA_LAYERS) {
    if (typeof schema === 'string' && schema.startsWith('eoc.sweep-record/')) {
      throw new SpecError(`a ${schema} line: this eoc (${RECORD_SCHEMA}, ${RECORD_SCHEMA_LAYERS}) does not read that version; rerun the sweep with this eoc`);
    }
    throw new SpecError(`not an ${RECORD_SCHEMA} line (schema ${JSON.stringify(schema ?? null)})`);
  }
  if (typeof o!.index !== 'number' || !Array.isArray(o!.curve) || !o!.config || (o!.pass !== 1 && o!.pass !== 2)) return null;
  const loc = o!.located as Record<string, Record<string, unknown>> | null;
  return {
    schema: schema as SweepRecord['schema'],
    config: o!.config as SweepConfig,
    index: o!.index as number,
    pass: o!.pass as 1 | 2,
    point: o!.point as SweepPoint,
    seed: o!.seed as number,
    curve: (o!.curve as Record<string, unknown>[]).map(readCurvePoint),
    located: loc ? { m1: readLocation(loc.m1), minRms: readLocation(loc.minRms), maxFrac: readLocation(loc.maxFrac) } : null,
  };
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
