import { estimate, type Estimate } from '../measure/aggregate.js';
import { locateM1Root, locateMaxFrac, locateMinRms, type CurveProbe, type Location } from '../sweep/locate.js';
import { locatedGain } from '../sweep/summary.js';
import { meanFieldM1Gain } from '../sweep/mean-field.js';
import { DEFAULT_LOCATE } from '../sweep/grid.js';
import type { ActivationName, InitName } from '../spec/types.js';
import type { SampleRecord, StudyDefinition } from './data.js';

/** Statistics aggregated over seeds at each gain (the tables and the isometry figure). */
export const SUMMARY_STATS = ['m1', 'ln_m1', 'mean_log', 'std_log', 'rms_log', 'frac_within_2', 'log10_cond', 'var_sq_norm'] as const;
export type SummaryStat = (typeof SUMMARY_STATS)[number];

export interface GainSummary {
  activation: ActivationName;
  init: InitName;
  gain: number;
  stats: Record<SummaryStat, Estimate>;
  /** per layer, means over seeds of q^l, ln |delta^l|, ln |dE/dW^l| */
  q: number[];
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

/** samples of one (activation, init), by seed then ascending gain */
export function curves(samples: SampleRecord[], a: ActivationName, i: InitName): Map<number, SampleRecord[]> {
  const bySeed = new Map<number, SampleRecord[]>();
  for (const s of samples) {
    if (s.activation !== a || s.init !== i) continue;
    if (!bySeed.has(s.seed)) bySeed.set(s.seed, []);
    bySeed.get(s.seed)!.push(s);
  }
  for (const c of bySeed.values()) c.sort((x, y) => x.gain - y.gain);
  return bySeed;
}

function meanOf(rows: number[][]): number[] {
  return rows[0].map((_, l) => rows.reduce((acc, r) => acc + r[l], 0) / rows.length);
}

export function summarize(samples: SampleRecord[], study: StudyDefinition): GainSummary[] {
  const out: GainSummary[] = [];
  for (const activation of study.activations)
    for (const init of study.inits) {
      const group = samples.filter((s) => s.activation === activation && s.init === init);
      const gains = [...new Set(group.map((s) => s.gain))].sort((a, b) => a - b);
      for (const gain of gains) {
        const at = group.filter((s) => s.gain === gain);
        const stats = {} as Record<SummaryStat, Estimate>;
        for (const k of SUMMARY_STATS) stats[k] = estimate(at.map((s) => s.stats[k]));
        out.push({
          activation,
          init,
          gain,
          stats,
          q: meanOf(at.map((s) => s.q)),
          logGradNorm: meanOf(at.map((s) => s.logGradNorm)),
          logWeightGradNorm: meanOf(at.map((s) => s.logWeightGradNorm)),
        });
      }
    }
  return out;
}

/**
 * Probes that interpolate a measured curve instead of re-measuring it, so the sweep's locators
 * (the same criteria, notes and edge cases as `eoc sweep`) run on saved data. ln m1 and
 * frac_within_2 are interpolated linearly (exact at grid points; the report's grid is refined near
 * the root), rms_log by the parabola through the three grid points around its lowest one.
 */
function linearProbe(x: readonly number[], y: readonly number[]): CurveProbe {
  return (g) => {
    let i = 0;
    while (i + 2 < x.length && g > x[i + 1]) i++;
    const t = (g - x[i]) / (x[i + 1] - x[i]);
    return y[i] + t * (y[i + 1] - y[i]);
  };
}

function parabolaProbe(x: readonly number[], y: readonly number[]): CurveProbe {
  let b = 0;
  for (let i = 1; i < y.length; i++) if (y[i] < y[b]) b = i;
  const j = Math.min(Math.max(b, 1), x.length - 2);
  const [x0, x1, x2] = [x[j - 1], x[j], x[j + 1]];
  const [y0, y1, y2] = [y[j - 1], y[j], y[j + 1]];
  return (g) =>
    (y0 * (g - x1) * (g - x2)) / ((x0 - x1) * (x0 - x2)) +
    (y1 * (g - x0) * (g - x2)) / ((x1 - x0) * (x1 - x2)) +
    (y2 * (g - x0) * (g - x1)) / ((x2 - x0) * (x2 - x1));
}

/** One seed's located gains by each criterion, from its measured curve. */
export function locateSeed(curve: SampleRecord[]): Record<Criterion, Location> {
  const g = curve.map((s) => s.gain);
  const lnM1 = curve.map((s) => s.stats.ln_m1);
  const rms = curve.map((s) => s.stats.rms_log);
  const frac = curve.map((s) => s.stats.frac_within_2);
  if (g.length < 3) {
    const none: Location = { gain: null, value: null, evaluations: 0, note: 'fewer than 3 gains measured' };
    return { 'm1 = 1': none, 'min rms_log': none, 'max frac_within_2': none };
  }
  const o = DEFAULT_LOCATE;
  return {
    'm1 = 1': locateM1Root(g, lnM1, linearProbe(g, lnM1), o),
    'min rms_log': locateMinRms(g, rms, parabolaProbe(g, rms), o),
    'max frac_within_2': locateMaxFrac(g, frac, linearProbe(g, frac), { ...o, plateauBisections: 0 }),
  };
}

export function locateAll(samples: SampleRecord[], study: StudyDefinition): Located[] {
  const out: Located[] = [];
  for (const activation of study.activations)
    for (const init of study.inits) {
      const perSeed = [...curves(samples, activation, init).entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => locateSeed(c));
      if (perSeed.length === 0) continue;
      for (const criterion of CRITERIA) {
        const lg = locatedGain(criterion, perSeed.map((p) => p[criterion]));
        const found = lg.estimate.n > 0;
        out.push({
          activation,
          init,
          criterion,
          status: lg.status,
          mean: found ? lg.estimate.mean : null,
          stderr: found && Number.isFinite(lg.estimate.stderr) ? lg.estimate.stderr : null,
          n: lg.estimate.n,
          perSeed: lg.perSeed,
          note: lg.note,
        });
      }
    }
  return out;
}

export function meanFieldGains(study: StudyDefinition): MeanFieldGainRow[] {
  const fine: number[] = [];
  const lo = Math.min(...study.gains), hi = Math.max(...study.gains);
  for (let k = 0; k <= 200; k++) fine.push(lo + ((hi - lo) * k) / 200);
  return study.activations.map((activation) => {
    const r = meanFieldM1Gain({ activation, init: 'orthogonal', biasStd: study.biasStd, depth: study.depth }, study.q0, fine);
    return { activation, gain: r.gain, note: r.note };
  });
}

export function analyze(samples: SampleRecord[], study: StudyDefinition): Analysis {
  return { summaries: summarize(samples, study), located: locateAll(samples, study), meanField: meanFieldGains(study) };
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
 * The range of gains where, on average over seeds, at least FAITHFUL_FRACTION of the singular
 * values lie within a factor 2 of 1; ends interpolated linearly between measured gains. null if
 * no measured gain qualifies.
 */
export const FAITHFUL_FRACTION = 0.9;

export function faithfulRange(summaries: GainSummary[], activation: ActivationName, init: InitName): [number, number] | null {
  const rows = summaries.filter((s) => s.activation === activation && s.init === init);
  const f = rows.map((r) => r.stats.frac_within_2.mean);
  const ok = f.map((v) => v >= FAITHFUL_FRACTION);
  const first = ok.indexOf(true);
  if (first < 0) return null;
  let last = first;
  while (last + 1 < ok.length && ok[last + 1]) last++;
  const cross = (i: number, j: number) => rows[i].gain + ((FAITHFUL_FRACTION - f[i]) / (f[j] - f[i])) * (rows[j].gain - rows[i].gain);
  const lo = first > 0 ? cross(first - 1, first) : rows[first].gain;
  const hi = last + 1 < rows.length ? cross(last, last + 1) : rows[last].gain;
  return [lo, hi];
}
