import type { Estimate } from '../measure/aggregate.js';
import { DEFAULT_THRESHOLDS, faithfulMargin, type CheckThresholds, type Verdict } from '../measure/definitions.js';
import type { LocatedGain, SweepDocument } from '../sweep/index.js';
import type { ActivationName, InitName } from '../spec/types.js';
import type { StudyDefinition } from './data.js';

/** Statistics aggregated over seeds at each gain (the tables and the isometry figure). */
export const SUMMARY_STATS = ['m1', 'ln_m1', 'mean_log', 'std_log', 'rms_log', 'frac_within_2', 'log10_cond', 'var_sq_norm'] as const;
export type SummaryStat = (typeof SUMMARY_STATS)[number];

export interface GainSummary {
  activation: ActivationName;
  init: InitName;
  gain: number;
  /** an extra gain of the refinement pass */
  refined: boolean;
  stats: Record<SummaryStat, Estimate>;
  /** the verdict (src/measure/definitions.ts) of the means over seeds */
  verdict: Verdict;
  /** per layer, means over seeds of q^l, ln |delta^l|, ln |dE/dW^l| */
  q: number[];
  /** the two inputs' correlation c^l (mean over seeds), when the sweep measured it */
  c?: number[];
  logGradNorm: number[];
  logWeightGradNorm: number[];
}

export const CRITERIA = ['m1 = 1', 'min rms_log', 'max frac_within_2'] as const;
export type Criterion = (typeof CRITERIA)[number];

/** A located gain over seeds (mean +- stderr) with the mean-field m1 = 1 gain beside it. */
export interface Located {
  activation: ActivationName;
  init: InitName;
  criterion: Criterion;
  status: 'found' | 'partial' | 'none';
  mean: number | null;
  stderr: number | null;
  n: number;
  perSeed: (number | null)[];
  note: string;
}

export interface MeanFieldGainRow {
  activation: ActivationName;
  gain: number | null;
  note: string;
}

export interface Analysis {
  summaries: GainSummary[];
  located: Located[];
  meanField: MeanFieldGainRow[];
}

export function groupKey(a: ActivationName, i: InitName): string {
  return `${a}/${i}`;
}

function located(activation: ActivationName, init: InitName, lg: LocatedGain): Located {
  const found = lg.estimate.n > 0;
  return {
    activation,
    init,
    criterion: lg.criterion,
    status: lg.status,
    mean: found ? lg.estimate.mean : null,
    stderr: found && Number.isFinite(lg.estimate.stderr) ? lg.estimate.stderr : null,
    n: lg.estimate.n,
    perSeed: lg.perSeed,
    note: lg.note,
  };
}

/**
 * The report's view of a sweep document: per (activation, init) the aggregates at every measured
 * gain (grid and refinement), the gains the sweep located on each seed's own curve (fresh
 * evaluations, not interpolation) and the mean-field m1 = 1 gain per activation.
 */
export function analyze(doc: SweepDocument, study: StudyDefinition): Analysis {
  const summaries: GainSummary[] = [];
  const locs: Located[] = [];
  const meanField: MeanFieldGainRow[] = [];
  for (const activation of study.activations)
    for (const init of study.inits) {
      const p = doc.points.find((x) => x.point.activation === activation && x.point.init === init);
      if (!p) continue;
      for (const g of p.gains) {
        const stats = {} as Record<SummaryStat, Estimate>;
        for (const k of SUMMARY_STATS) stats[k] = g.stats[k];
        summaries.push({ activation, init, gain: g.gain, refined: g.refined, stats, verdict: g.verdict, q: g.q, ...(g.c ? { c: g.c } : {}), logGradNorm: g.logGradNorm, logWeightGradNorm: g.logWeightGradNorm });
      }
      if (p.located) {
        locs.push(located(activation, init, p.located.m1), located(activation, init, p.located.minRms), located(activation, init, p.located.maxFrac));
        if (!meanField.some((m) => m.activation === activation)) meanField.push({ activation, gain: p.located.meanField.gain, note: p.located.meanField.note });
      }
    }
  return { summaries, located: locs, meanField };
}

/**
 * The gains the density and q^l figures show for one activation: below, at and above the faithful
 * gain (orthogonal m1 = 1, else the mean-field one, else the grid's middle), each snapped to the
 * nearest measured gain so every panel shows data.
 */
export function slotGains(a: Analysis, activation: ActivationName, measured: number[]): { slot: 'below' | 'at' | 'above'; gain: number }[] {
  const loc = a.located.find((l) => l.activation === activation && l.init === 'orthogonal' && l.criterion === 'm1 = 1');
  const mf = a.meanField.find((m) => m.activation === activation);
  const centre = loc?.mean ?? mf?.gain ?? measured[Math.floor(measured.length / 2)];
  const nearest = (x: number) => measured.reduce((b, g) => (Math.abs(g - x) < Math.abs(b - x) ? g : b), measured[0]);
  const at = nearest(centre);
  const below = nearest(Math.max(measured[0], centre - 0.15));
  const above = nearest(Math.min(measured[measured.length - 1], centre + 0.2));
  return [
    { slot: 'below', gain: below },
    { slot: 'at', gain: at },
    { slot: 'above', gain: above },
  ];
}

/**
 * The range of gains where the network is faithful by the one definition (src/measure/definitions.ts:
 * |ln m1| <= tolM1 and std ln s <= tolSpread, of the means over seeds): the first run of measured
 * gains that pass, its ends interpolated linearly where faithfulMargin crosses 0 between a passing
 * and a failing measured gain. null if no measured gain passes.
 */
export function faithfulRange(summaries: GainSummary[], activation: ActivationName, init: InitName, t: CheckThresholds = DEFAULT_THRESHOLDS): [number, number] | null {
  const rows = summaries.filter((s) => s.activation === activation && s.init === init);
  const f = rows.map((r) => faithfulMargin(r.stats.ln_m1.mean, r.stats.std_log.mean, t));
  const ok = f.map((v) => v >= 0);
  const first = ok.indexOf(true);
  if (first < 0) return null;
  let last = first;
  while (last + 1 < ok.length && ok[last + 1]) last++;
  const cross = (i: number, j: number) => (Number.isFinite(f[i]) && Number.isFinite(f[j]) ? rows[i].gain + (-f[i] / (f[j] - f[i])) * (rows[j].gain - rows[i].gain) : rows[ok[i] ? i : j].gain);
  const lo = first > 0 ? cross(first - 1, first) : rows[first].gain;
  const hi = last + 1 < rows.length ? cross(last, last + 1) : rows[last].gain;
  return [lo, hi];
}
