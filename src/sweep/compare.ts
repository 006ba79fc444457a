import { estimate, type Estimate } from '../measure/aggregate.js';
import { EOC_VERSION } from '../version.js';
import { enumeratePoints, type SweepConfig } from './grid.js';
import type { SweepRecord } from './record.js';
import { tQuantile975 } from './t-quantile.js';

export const COMPARE_SCHEMA = 'eoc.compare/1';

/** Paired quantities: orthogonal minus Gaussian on the same seed (same N(0,1) draws, inputs, errors). */
export const PAIRED = ['std_log', 'log10_cond', 'gradRatio', 'rms_log'] as const;
export type PairedStat = (typeof PAIRED)[number];

export interface CompareGain {
  gain: number;
  orthogonal: Record<PairedStat, Estimate>;
  gaussian: Record<PairedStat, Estimate>;
  /** orthogonal - gaussian, per seed, then mean +- stderr */
  difference: Record<PairedStat, Estimate>;
  /** smaller rms_log (closer to isometry), when the paired 95% interval of the difference excludes 0 */
  closer: 'orthogonal' | 'gaussian' | 'indistinguishable';
}

export interface ComparePoint {
  activation: string;
  biasStd: number;
  depth: number;
  seeds: number[];
  gains: CompareGain[];
}

export interface CompareDocument {
  schema: typeof COMPARE_SCHEMA;
  eocVersion: string;
  config: SweepConfig;
  seeds: number[];
  points: ComparePoint[];
}

function statOf(r: SweepRecord, gi: number, k: PairedStat): number {
  return k === 'gradRatio' ? r.curve[gi].gradRatio : r.curve[gi].stats[k];
}

/** Pair the orthogonal and Gaussian records of a sweep over inits [orthogonal, gaussian] by seed. */
export function compareDocument(config: SweepConfig, records: readonly SweepRecord[]): CompareDocument {
  const points: ComparePoint[] = [];
  const seen = new Set<string>();
  for (const p of enumeratePoints(config)) {
    const key = JSON.stringify([p.activation, p.biasStd, p.depth]);
    if (seen.has(key)) continue;
    seen.add(key);
    const same = (r: SweepRecord) => r.point.activation === p.activation && r.point.biasStd === p.biasStd && r.point.depth === p.depth;
    const orth = new Map(records.filter((r) => r.pass === 1 && same(r) && r.point.init === 'orthogonal').map((r) => [r.seed, r]));
    const gaus = new Map(records.filter((r) => r.pass === 1 && same(r) && r.point.init === 'gaussian').map((r) => [r.seed, r]));
    const seeds = config.seeds.filter((s) => orth.has(s) && gaus.has(s));
    const gains = config.gains.map((gain, gi) => {
      const pick = (m: Map<number, SweepRecord>, k: PairedStat) => seeds.map((s) => statOf(m.get(s)!, gi, k));
      const make = (f: (k: PairedStat) => number[]) => Object.fromEntries(PAIRED.map((k) => [k, estimate(f(k))])) as Record<PairedStat, Estimate>;
      const difference = make((k) => {
        const a = pick(orth, k), b = pick(gaus, k);
        return a.map((x, i) => x - b[i]);
      });
      const d = difference.rms_log;
      const half = tQuantile975(d.n - 1) * d.stderr;
      const closer: CompareGain['closer'] =
        d.n >= 2 && Math.abs(d.mean) > half ? (d.mean < 0 ? 'orthogonal' : 'gaussian') : d.n === 1 && d.mean !== 0 ? (d.mean < 0 ? 'orthogonal' : 'gaussian') : 'indistinguishable';
      return { gain, orthogonal: make((k) => pick(orth, k)), gaussian: make((k) => pick(gaus, k)), difference, closer };
    });
    points.push({ activation: p.activation, biasStd: p.biasStd, depth: p.depth, seeds, gains });
  }
  return { schema: COMPARE_SCHEMA, eocVersion: EOC_VERSION, config, seeds: config.seeds, points };
}
