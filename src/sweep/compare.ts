import { estimate, type Estimate } from '../measure/aggregate.js';
import { EOC_VERSION } from '../version.js';
import { enumeratePoints, type SweepConfig } from './grid.js';
import type { SweepRecord } from './record.js';
import { tQuantile975 } from './t-quantile.js';
import { classify, DEFAULT_THRESHOLDS, faithfulRule, type CheckThresholds, type Verdict } from '../measure/definitions.js';

/**
 * Version 2: the gradient ratio is `lnGradNormRatio` = ln(|delta^1|/|delta^L|) (version 1 called
 * it gradRatio); ln_m1 is paired too; each gain has a verdict per scheme and the document states the
 * `faithful` rule.
 */
export const COMPARE_SCHEMA = 'eoc.compare/2';
/** Version 3: the document of an --arch comparison (config.arch); constant-width grids keep version 2. */
export const COMPARE_SCHEMA_LAYERS = 'eoc.compare/3';

/**
 * Paired quantities: orthogonal minus Gaussian on the same seed (same N(0,1) draws, inputs, errors).
 * rms_log decides "closer to isometry"; the others are shown beside it.
 */
export const PAIRED = ['rms_log', 'std_log', 'ln_m1', 'log10_cond', 'lnGradNormRatio'] as const;
export type PairedStat = (typeof PAIRED)[number];

export interface CompareGain {
  gain: number;
  orthogonal: Record<PairedStat, Estimate>;
  gaussian: Record<PairedStat, Estimate>;
  /** orthogonal - gaussian, per seed, then mean +- stderr */
  difference: Record<PairedStat, Estimate>;
  /** smaller rms_log (closer to isometry), when the paired 95% interval of the difference excludes 0 */
  closer: 'orthogonal' | 'gaussian' | 'indistinguishable';
  /** each scheme's verdict (src/measure/definitions.ts) from its mean ln m1 and mean std ln s */
  verdict: { orthogonal: Verdict; gaussian: Verdict };
}

export interface ComparePoint {
  activation: string;
  biasStd: number;
  depth: number;
  seeds: number[];
  gains: CompareGain[];
}

export interface CompareDocument {
  schema: typeof COMPARE_SCHEMA | typeof COMPARE_SCHEMA_LAYERS;
  eocVersion: string;
  config: SweepConfig;
  seeds: number[];
  /** the definition the verdicts use, in words */
  faithful: string;
  points: ComparePoint[];
}

function statOf(r: SweepRecord, gi: number, k: PairedStat): number {
  // the record's gradRatio is ln(|delta^1|/|delta^L|), the lnGradNormRatio convention
  return k === 'lnGradNormRatio' ? r.curve[gi].gradRatio : r.curve[gi].stats[k];
}

/** Pair the orthogonal and Gaussian records of a sweep over inits [orthogonal, gaussian] by seed. */
export function compareDocument(config: SweepConfig, records: readonly SweepRecord[], thresholds: CheckThresholds = DEFAULT_THRESHOLDS): CompareDocument {
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
      const orthogonal = make((k) => pick(orth, k)), gaussian = make((k) => pick(gaus, k));
      const verdict = {
        orthogonal: classify(orthogonal.ln_m1.mean, orthogonal.std_log.mean, thresholds),
        gaussian: classify(gaussian.ln_m1.mean, gaussian.std_log.mean, thresholds),
      };
      return { gain, orthogonal, gaussian, difference, closer, verdict };
    });
    points.push({ activation: p.activation, biasStd: p.biasStd, depth: p.depth, seeds, gains });
  }
  return { schema: config.arch ? COMPARE_SCHEMA_LAYERS : COMPARE_SCHEMA, eocVersion: EOC_VERSION, config, seeds: config.seeds, faithful: faithfulRule(thresholds), points };
}
