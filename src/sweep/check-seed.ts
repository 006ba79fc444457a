import { SeedNetwork } from './task.js';
import { estimate, type Estimate } from '../measure/aggregate.js';
import { classify, lnGradNormRatio, type CheckThresholds } from '../measure/definitions.js';
import { bracketMinimum } from './locate.js';
import { brentMin } from '../numeric/roots.js';
import { measureNetwork, type NetworkSample } from '../measure/network.js';
import type { SweepPoint } from './grid.js';

/** What `eoc check` asks of one seed: the network at the user's gain, and its m1 = 1 gain. */
export interface CheckSeedInput {
  point: SweepPoint;
  width: number;
  seed: number;
  q0: number | 'fixed-point';
  gain: number;
  /** a first guess of the m1 = 1 gain (the mean-field prediction), or null */
  guess: number | null;
  /** stop the root search when |ln m1| is below this */
  lnM1Tolerance: number;
  /** network evaluations the root search may spend (beyond the one at `gain`) */
  maxEvaluations: number;
  /** the verdict's thresholds: the extra searches below run only where the m1 = 1 gain fails them */
  thresholds: CheckThresholds;
  /** full network evaluations the search for the gain closest to isometry (min rms ln s) may spend */
  closestEvaluations: number;
  /** one measured evaluation of the same network at another input variance (check's advice), or null */
  probe: { q0: number; gain: number } | null;
}

export interface CheckStats {
  m1: number;
  ln_m1: number;
  mean_log: number;
  std_log: number;
  rms_log: number;
  log10_cond: number;
  frac_within_2: number;
  /** ln(|delta^1|/|delta^L|), src/measure/definitions.ts */
  lnGradNormRatio: number;
}

/** Mean +- stderr over seeds of each check statistic. */
export type CheckSummary = Record<keyof CheckStats, Estimate>;

export function summarizeStats(xs: readonly CheckStats[]): CheckSummary {
  const keys = Object.keys(xs[0]) as (keyof CheckStats)[];
  return Object.fromEntries(keys.map((k) => [k, estimate(xs.map((x) => x[k]))])) as CheckSummary;
}

export interface CheckSeedResult {
  seed: number;
  atGain: CheckStats;
  /** the network at the user's gain passed its log-det self-check (NetworkSample.trusted) */
  trusted: boolean;
  /** the m1 = 1 gain of this seed's network (null if the search failed), the stats there */
  root: { gain: number | null; at: CheckStats | null; slope: number; evaluations: number; converged: boolean };
  /**
   * Only where the m1 = 1 gain fails the verdict on this seed (else null): the gain of least
   * rms ln s (closest to isometry) of this seed's network, and the network measured at the probe's
   * input variance and gain.
   */
  closest: { gain: number; at: CheckStats; evaluations: number } | null;
  probe: { q0: number; gain: number; at: CheckStats } | null;
}

/** Search bounds for the gain (ln g), wide enough for any sensible configuration. */
const LN_G_MIN = Math.log(0.05);
const LN_G_MAX = Math.log(20);
/** largest step in ln g the secant may take at once */
const MAX_STEP = 0.5;

function statsOf(net: SeedNetwork, gain: number): CheckStats {
  return sampleStats(net.at(gain));
}

export function sampleStats(s: NetworkSample): CheckStats {
  const t = s.stats;
  return {
    m1: t.m1,
    ln_m1: t.ln_m1,
    mean_log: t.mean_log,
    std_log: t.std_log,
    rms_log: t.rms_log,
    log10_cond: t.log10_cond,
    frac_within_2: t.frac_within_2,
    lnGradNormRatio: lnGradNormRatio(s.layers.map((x) => x.logGradNorm)),
  };
}

/**
 * The root of ln m1 in x = ln g by a safeguarded secant: ln m1 is close to linear in ln g (exactly
 * 2L ln g + c for linear and relu nets at sigma_b = 0), so the secant converges in two or three
 * steps from a good guess; once the root is bracketed it switches to Illinois false position, which
 * cannot leave the bracket. The first step uses the guess, or the linear-net slope 2L.
 */
export function runCheckSeed(input: CheckSeedInput): CheckSeedResult {
  const net = new SeedNetwork(input.point, input.width, input.seed, input.q0);
  const atGain = statsOf(net, input.gain);
  const L = input.point.depth;
  const f = (x: number) => net.lnM1At(Math.exp(x));
  const clamp = (x: number) => Math.min(LN_G_MAX, Math.max(LN_G_MIN, x));
  // The search steps out from the given gain, unless that gain carries no usable slope: ln m1 = -inf
  // or +inf (J under- or overflows), or a gain more than a factor e from the mean-field guess, where a
  // saturated net's ln m1 can fall as the gain grows (tanh at gain 100: every unit saturated) and the
  // secant, which assumes ln m1 increases with ln g, would walk away from the root. It then starts at
  // the guess (one more evaluation).
  const guessX = input.guess !== null && input.guess > 0 ? clamp(Math.log(input.guess)) : null;
  const fromGain = Number.isFinite(atGain.ln_m1) && (guessX === null || Math.abs(Math.log(input.gain) - guessX) <= 1);
  const start = fromGain ? { x: Math.log(input.gain), y: atGain.ln_m1 } : { x: guessX ?? 0, y: NaN };
  if (!fromGain) start.y = f(start.x);
  const pts: { x: number; y: number }[] = [start];
  let lo: { x: number; y: number } | null = null; // y < 0
  let hi: { x: number; y: number } | null = null; // y > 0
  let side = 0;
  const note = (p: { x: number; y: number }) => {
    if (p.y < 0 && (!lo || p.x > lo.x)) lo = p;
    if (p.y > 0 && (!hi || p.x < hi.x)) hi = p;
  };
  note(pts[0]);
  let evaluations = fromGain ? 0 : 1;
  const best = () => pts.reduce((a, b) => (Math.abs(b.y) < Math.abs(a.y) ? b : a));
  while (Math.abs(best().y) > input.lnM1Tolerance && evaluations < input.maxEvaluations) {
    const last = pts[pts.length - 1];
    let x: number;
    if (lo && hi) {
      // Illinois: halve the kept end's value when the same end is kept twice
      const l: { x: number; y: number } = lo, h: { x: number; y: number } = hi;
      let yl = l.y, yh = h.y;
      if (side === -1) yh /= 2;
      if (side === 1) yl /= 2;
      x = l.x - (yl * (h.x - l.x)) / (yh - yl);
      if (!(x > l.x && x < h.x)) x = 0.5 * (l.x + h.x);
    } else if (pts.length === 1) {
      x = input.guess !== null && input.guess > 0 && Math.log(input.guess) !== last.x ? Math.log(input.guess) : last.x - last.y / (2 * L);
    } else {
      const prev = pts[pts.length - 2];
      const slope = (last.y - prev.y) / (last.x - prev.x);
      x = slope > 0 && Number.isFinite(slope) ? last.x - last.y / slope : last.x - last.y / (2 * L);
    }
    if (!Number.isFinite(x)) x = last.y > 0 ? last.x - MAX_STEP : last.x + MAX_STEP;
    if (!(lo && hi)) x = last.x + Math.max(-MAX_STEP, Math.min(MAX_STEP, x - last.x));
    x = clamp(x);
    if (pts.some((p) => p.x === x)) break;
    const p = { x, y: f(x) };
    evaluations++;
    pts.push(p);
    if (lo && hi) side = p.y < 0 ? -1 : 1;
    note(p);
  }
  const b = best();
  const converged = Math.abs(b.y) <= input.lnM1Tolerance;
  // local slope d ln m1 / d ln g from the two points nearest the root
  const near = [...pts].sort((u, v) => Math.abs(u.x - b.x) - Math.abs(v.x - b.x));
  const other = near.find((p) => p.x !== b.x);
  const slope = other ? (b.y - other.y) / (b.x - other.x) : 2 * L;
  const gain = Number.isFinite(b.y) ? Math.exp(b.x) : null;
  const at = gain === null ? null : statsOf(net, gain);
  let closest: CheckSeedResult['closest'] = null;
  let probe: CheckSeedResult['probe'] = null;
  if (at && classify(at.ln_m1, at.std_log, input.thresholds) !== 'faithful') {
    closest = closestToIsometry(net, gain!, at.rms_log, input.thresholds.tolM1 / Math.max(slope, 1e-12), input.closestEvaluations);
    if (input.probe) {
      const { q0: pq0, gain: pg } = input.probe;
      const s = measureNetwork(net.draws, { activation: input.point.activation, gain: pg, biasStd: input.point.biasStd, q0: pq0 });
      probe = { q0: pq0, gain: pg, at: sampleStats(s) };
    }
  }
  return {
    seed: input.seed,
    atGain,
    trusted: net.at(input.gain).trusted !== false,
    root: { gain, at, slope, evaluations, converged },
    closest,
    probe,
  };
}

/** the minimizer stops at this width in ln g (a 1% step in g; rms ln s is flat near its minimum) */
const CLOSEST_X_TOL = 0.01;

/**
 * The gain of least rms ln s of this seed's network: bracketed in x = ln g from the m1 = 1 gain
 * (downhill steps of `step`, the half-width of the |ln m1| <= tolM1 band, growing by the golden
 * ratio), then Brent's minimizer (src/numeric/roots.ts, as the sweep's min rms_log) in the bracket,
 * all on full evaluations of the same network, `maxEvaluations` in all. With the budget spent
 * before a bracket, it returns the lowest point seen.
 */
function closestToIsometry(net: SeedNetwork, g1: number, rms1: number, step: number, maxEvaluations: number): NonNullable<CheckSeedResult['closest']> {
  const before = net.evaluations;
  const f = (x: number) => net.at(Math.exp(Math.min(LN_G_MAX, Math.max(LN_G_MIN, x)))).stats.rms_log;
  const h = Math.min(MAX_STEP, Math.max(CLOSEST_X_TOL, step));
  const br = bracketMinimum(f, Math.log(g1), rms1, h, maxEvaluations);
  let x = br.best.x;
  if (br.bracket) {
    const [a, m, c] = br.bracket;
    const r = brentMin(f, a.x, m.x, c.x, m.y, CLOSEST_X_TOL, Math.max(0, maxEvaluations - br.evaluations));
    x = r.x;
  }
  const gain = Math.exp(Math.min(LN_G_MAX, Math.max(LN_G_MIN, x)));
  return { gain, at: statsOf(net, gain), evaluations: net.evaluations - before };
}
