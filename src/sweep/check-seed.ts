import { SeedNetwork } from './task.js';
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
}

export interface CheckStats {
  m1: number;
  ln_m1: number;
  mean_log: number;
  std_log: number;
  rms_log: number;
  log10_cond: number;
  frac_within_2: number;
  gradRatio: number;
}

export interface CheckSeedResult {
  seed: number;
  atGain: CheckStats;
  /** the network at the user's gain passed its log-det self-check (NetworkSample.trusted) */
  trusted: boolean;
  /** the m1 = 1 gain of this seed's network (null if the search failed), the stats there */
  root: { gain: number | null; at: CheckStats | null; slope: number; evaluations: number; converged: boolean };
}

/** Search bounds for the gain (ln g), wide enough for any sensible configuration. */
const LN_G_MIN = Math.log(0.05);
const LN_G_MAX = Math.log(20);
/** largest step in ln g the secant may take at once */
const MAX_STEP = 0.5;

function statsOf(net: SeedNetwork, gain: number): CheckStats {
  const s = net.at(gain);
  const L = s.layers.length;
  const t = s.stats;
  return {
    m1: t.m1,
    ln_m1: t.ln_m1,
    mean_log: t.mean_log,
    std_log: t.std_log,
    rms_log: t.rms_log,
    log10_cond: t.log10_cond,
    frac_within_2: t.frac_within_2,
    gradRatio: s.layers[0].logGradNorm - s.layers[L - 1].logGradNorm,
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
  const pts: { x: number; y: number }[] = [{ x: Math.log(input.gain), y: atGain.ln_m1 }];
  const clamp = (x: number) => Math.min(LN_G_MAX, Math.max(LN_G_MIN, x));
  let lo: { x: number; y: number } | null = null; // y < 0
  let hi: { x: number; y: number } | null = null; // y > 0
  let side = 0;
  const note = (p: { x: number; y: number }) => {
    if (p.y < 0 && (!lo || p.x > lo.x)) lo = p;
    if (p.y > 0 && (!hi || p.x < hi.x)) hi = p;
  };
  note(pts[0]);
  let evaluations = 0;
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
  return {
    seed: input.seed,
    atGain,
    trusted: net.at(input.gain).trusted !== false,
    root: { gain, at: gain === null ? null : statsOf(net, gain), slope, evaluations, converged },
  };
}
