import { estimate, geometricEstimate, GEOMETRIC_STATS, type Estimate } from '../measure/aggregate.js';
import { classify, DEFAULT_THRESHOLDS, faithfulRule, type CheckThresholds, type Verdict } from '../measure/definitions.js';
import { EOC_VERSION } from '../version.js';
import { enumeratePoints, type SweepConfig, type SweepPoint } from './grid.js';
import { meanFieldM1Gain, type MeanFieldGain } from './mean-field.js';
import type { CurvePoint, SweepRecord } from './record.js';
import { tQuantile975 } from './t-quantile.js';
import type { Location } from './locate.js';
import { refinedGains, refineTasks } from './refine.js';

/**
 * Version 3: the gradient ratio is `lnGradNormRatio` = ln(|delta^1|/|delta^L|) (version 2 called it
 * gradRatio); s_min and s_max are geometric means over seeds with ln_s_min and ln_s_max beside them
 * (version 2 averaged them arithmetically); every gain has a `verdict` and the document states the
 * `faithful` rule it used.
 */
export const SWEEP_SCHEMA = 'eoc.sweep/3';
/** Version 4: the document of an --arch sweep (config.arch, points[i].point.arch) or of one with config.c0 (gains[i].c); other sweeps keep version 3. */
export const SWEEP_SCHEMA_LAYERS = 'eoc.sweep/4';

/** The statistics aggregated at each gain (mean +- stderr over seeds; s_max, s_min geometric). */
export const CURVE_STATS = ['m1', 'ln_m1', 'mean_log', 'std_log', 'rms_log', 'frac_within_2', 'log10_cond', 'var_sq_norm', 's_max', 's_min', 'ln_s_max', 'ln_s_min'] as const;
export type CurveStat = (typeof CURVE_STATS)[number] | 'lnGradNormRatio';

export interface GainAggregate {
  gain: number;
  /** an extra gain of the refinement pass (not on the config's grid) */
  refined: boolean;
  stats: Record<CurveStat, Estimate>;
  /** the verdict (src/measure/definitions.ts) of the mean ln m1 and mean std ln s over seeds */
  verdict: Verdict;
  /** per-layer means over seeds, l = 1..L */
  logGradNorm: number[];
  logWeightGradNorm: number[];
  q: number[];
  /** with config.c0: mean c^l over seeds */
  c?: number[];
}

/** A located gain over seeds: mean +- stderr and a 95% t interval, or why there is none. */
export interface LocatedGain {
  criterion: 'm1 = 1' | 'min rms_log' | 'max frac_within_2';
  /** 'found' on every seed, 'partial' on some, 'none' on none */
  status: 'found' | 'partial' | 'none';
  estimate: Estimate;
  ci95: [number, number] | null;
  perSeed: (number | null)[];
  note: string;
}

export interface PointSummary {
  point: SweepPoint;
  seeds: number[];
  missingSeeds: number[];
  gains: GainAggregate[];
  located: { m1: LocatedGain; minRms: LocatedGain; maxFrac: LocatedGain; meanField: MeanFieldGain } | null;
}

export interface SweepDocument {
  schema: typeof SWEEP_SCHEMA | typeof SWEEP_SCHEMA_LAYERS;
  eocVersion: string;
  config: SweepConfig;
  seeds: number[];
  complete: boolean;
  /** the definition the per-gain verdicts use, in words */
  faithful: string;
  points: PointSummary[];
  /** with config.alphas: the largest faithful multiple of the residual alphas per gain */
  alphaEdges?: AlphaEdge[];
}

function pointKey(p: SweepPoint): string {
  return JSON.stringify(p.alphaScale === undefined ? [p.activation, p.init, p.biasStd, p.depth] : [p.activation, p.init, p.biasStd, p.depth, p.alphaScale]);
}

/**
 * With config.alphas: per (init, sigma_b) and grid gain, the largest multiple t of the list's
 * residual alphas such that every t' <= t on the --alphas grid is faithful (the verdict of the means
 * over seeds); `next` is the grid's next multiple (not faithful there), null when faithful to the
 * end of the grid. t = null: not faithful even at the smallest multiple.
 */
export interface AlphaEdge {
  init: SweepPoint['init'];
  biasStd: number;
  gain: number;
  scale: number | null;
  next: number | null;
  /** each residual block's alpha at `scale` (null with it) */
  alpha: number[] | null;
}

function alphaEdges(config: SweepConfig, points: readonly PointSummary[]): AlphaEdge[] {
  const out: AlphaEdge[] = [];
  const groups = new Map<string, PointSummary[]>();
  for (const p of points) {
    const k = JSON.stringify([p.point.activation, p.point.init, p.point.biasStd, p.point.depth]);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(p);
  }
  for (const ps of groups.values()) {
    const sorted = ps.slice().sort((a, b) => a.point.alphaScale! - b.point.alphaScale!);
    for (const gain of config.gains) {
      let scale: number | null = null, next: number | null = null, at: PointSummary | null = null;
      for (const p of sorted) {
        const g = p.gains.find((x) => x.gain === gain);
        if (!g) break;
        if (g.verdict !== 'faithful') {
          next = p.point.alphaScale!;
          break;
        }
        scale = p.point.alphaScale!;
        at = p;
      }
      const alpha = at ? at.point.arch!.layers.flatMap((l) => (l.kind === 'residual' ? [l.alpha] : [])) : null;
      out.push({ init: sorted[0].point.init, biasStd: sorted[0].point.biasStd, gain, scale, next, alpha });
    }
  }
  return out;
}

export function locatedGain(criterion: LocatedGain['criterion'], locs: Location[]): LocatedGain {
  const perSeed = locs.map((l) => (typeof l.gain === 'number' ? l.gain : null));
  const found = perSeed.filter((g): g is number => g !== null);
  const e = estimate(found);
  const t = tQuantile975(e.n - 1);
  const ci95: [number, number] | null = e.n >= 2 ? [e.mean - t * e.stderr, e.mean + t * e.stderr] : null;
  const status = found.length === 0 ? 'none' : found.length === locs.length ? 'found' : 'partial';
  const notes = [...new Set(locs.filter((l) => l.gain === null || l.note).map((l) => l.note))];
  let note = notes.join('; ');
  if (status === 'partial') note = `${locs.length - found.length} of ${locs.length} seeds: ${note}`;
  return { criterion, status, estimate: e, ci95, perSeed, note };
}

/**
 * The eoc.sweep/3 document from the config and whatever records exist (any order, any subset).
 * Depends on nothing else, so a merged set of shards gives the same bytes as one full run. Each
 * point's gains are its grid plus, in a refined sweep, its extra gains (`refined: true`); the
 * located gains come from the pass-1 records (each seed's own curve, fresh evaluations).
 */
export function sweepDocument(config: SweepConfig, records: readonly SweepRecord[], thresholds: CheckThresholds = DEFAULT_THRESHOLDS): SweepDocument {
  const byPoint = new Map<string, SweepRecord[]>();
  for (const r of records) {
    const k = pointKey(r.point);
    if (!byPoint.has(k)) byPoint.set(k, []);
    byPoint.get(k)!.push(r);
  }
  const points: PointSummary[] = [];
  let complete = true;
  for (const point of enumeratePoints(config)) {
    const rs = (byPoint.get(pointKey(point)) ?? []).slice().sort((a, b) => a.index - b.index);
    const have = new Set(rs.filter((r) => r.pass === 1).map((r) => r.seed));
    const missingSeeds = config.seeds.filter((s) => !have.has(s));
    if (missingSeeds.length) complete = false;
    if (rs.length === 0) {
      points.push({ point, seeds: [], missingSeeds, gains: [], located: null });
      continue;
    }
    // each seed's curve: its pass-1 grid and its pass-2 extra gains, by gain
    const bySeed = new Map<number, Map<number, CurvePoint>>();
    for (const r of rs) {
      if (!bySeed.has(r.seed)) bySeed.set(r.seed, new Map());
      for (const c of r.curve) bySeed.get(r.seed)!.set(c.gain, c);
    }
    const grid = new Set(config.gains);
    const allGains = [...new Set(rs.flatMap((r) => r.curve.map((c) => c.gain)))].sort((a, b) => a - b);
    const gains: GainAggregate[] = allGains.map((gain) => {
      const cs = [...bySeed.values()].map((m) => m.get(gain)).filter((c): c is CurvePoint => c !== undefined);
      const stats = {} as Record<CurveStat, Estimate>;
      for (const k of CURVE_STATS) stats[k] = estimate(cs.map((c) => c.stats[k]));
      for (const [k, ln] of Object.entries(GEOMETRIC_STATS) as [keyof typeof GEOMETRIC_STATS, (typeof GEOMETRIC_STATS)[keyof typeof GEOMETRIC_STATS]][])
        stats[k] = geometricEstimate(cs.map((c) => c.stats[ln]));
      // the record's gradRatio is ln(|delta^1|/|delta^L|), the lnGradNormRatio convention
      stats.lnGradNormRatio = estimate(cs.map((c) => c.gradRatio));
      const L = cs[0].logGradNorm.length;
      const layerMean = (pick: (c: CurvePoint) => number[]) => Array.from({ length: L }, (_, l) => estimate(cs.map((c) => pick(c)[l])).mean);
      return {
        gain,
        refined: !grid.has(gain),
        stats,
        verdict: classify(stats.ln_m1.mean, stats.std_log.mean, thresholds),
        logGradNorm: layerMean((c) => c.logGradNorm),
        logWeightGradNorm: layerMean((c) => c.logWeightGradNorm),
        q: layerMean((c) => c.q),
        ...(cs.every((c) => c.c) ? { c: layerMean((c) => c.c!) } : {}),
      };
    });
    let located: PointSummary['located'] = null;
    const first = rs.filter((r) => r.pass === 1);
    if (config.locate && first.length && first.every((r) => r.located)) {
      located = {
        m1: locatedGain('m1 = 1', first.map((r) => r.located!.m1)),
        minRms: locatedGain('min rms_log', first.map((r) => r.located!.minRms)),
        maxFrac: locatedGain('max frac_within_2', first.map((r) => r.located!.maxFrac)),
        meanField: meanFieldM1Gain(point, config.q0, config.gains),
      };
    }
    points.push({ point, seeds: config.seeds.filter((x) => have.has(x)), missingSeeds, gains, located });
  }
  if (config.refine) {
    const have = new Set(records.map((r) => r.index));
    if (!refineTasks(config, refinedGains(config, records)).every((t) => have.has(t.index))) complete = false;
  }
  return {
    schema: config.arch || config.c0 !== undefined ? SWEEP_SCHEMA_LAYERS : SWEEP_SCHEMA,
    eocVersion: EOC_VERSION,
    config,
    seeds: config.seeds,
    complete,
    faithful: faithfulRule(thresholds),
    points,
    ...(config.alphas ? { alphaEdges: alphaEdges(config, points) } : {}),
  };
}
