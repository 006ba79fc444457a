import { activation as activationDef } from '../activations/registry.js';
import type { ActivationName } from '../spec/types.js';
import { gaussianMoments } from './gaussian-moments.js';
import { checkScales, lengthMapSlope, type Scales } from './length-map.js';
import { brentRootIn as brentRoot } from '../numeric/roots.js';

/**
 * The attracting fixed point q* = V(q*) of the length map, or an explicit statement that there is
 * none. Three outcomes, because returning a number in the last two would be garbage:
 *  - 'point': an attracting fixed point (bounded phi always has one; homogeneous phi (linear, relu,
 *    leaky-relu) when the map contracts, sigma_w^2 c < 1, where q* = sigma_b^2 / (1 - sigma_w^2 c));
 *    for unbounded non-homogeneous phi (softplus, gelu, silu, selu, elu, mish) the smallest one,
 *    the one q^l settles at from small inputs, with `unstableAbove` the repelling fixed point
 *    above it when there is one: inputs beyond it diverge;
 *  - 'any': V(q) = q for every q (linear at sigma_w = 1, relu at sigma_w^2 = 2, both at
 *    sigma_b = 0): the variance is simply preserved from the input;
 *  - 'divergent': q^l grows without bound (homogeneous phi with sigma_w^2 c > 1, or = 1 with
 *    sigma_b > 0, where q^l = q^0 + l sigma_b^2; unbounded phi whose V(q) > q everywhere).
 */
export type FixedPoint =
  | {
      kind: 'point';
      q: number;
      /** V'(q*): < 1 attracting; = 1 marginal (algebraic approach) */
      slope: number;
      /** the repelling fixed point above q* (unbounded phi only): q^l diverges from q > unstableAbove */
      unstableAbove?: number;
    }
  | { kind: 'any' }
  | { kind: 'divergent'; reason: string };

/**
 * Positively homogeneous activations (linear, relu, leaky-relu) have V(q) = a q + sigma_b^2 with
 * a = sigma_w^2 * E[phi(z)^2] (= sigma_w^2 * 1, * 1/2, * (1 + a^2)/2) exactly; everything is decided by a.
 */
function homogeneousSlope(activation: ActivationName, sigmaW: number): number | undefined {
  const def = activationDef(activation);
  if (!def.traits.homogeneous) return undefined;
  return sigmaW * sigmaW * def.moments(1).ePhi2;
}

export function fixedPoint(activation: ActivationName, scales: Scales): FixedPoint {
  checkScales(scales);
  const { sigmaW, sigmaB } = scales;
  const b2 = sigmaB * sigmaB;
  const a = homogeneousSlope(activation, sigmaW);
  if (a !== undefined) {
    // Exact comparison on purpose: a is sigma_w^2 (or /2), exactly 1 only at the exact gains 1, sqrt2
    // up to rounding; a relative window of a few ulps keeps sqrt(2)^2/2 = 1.0000000000000002 critical.
    const marginal = Math.abs(a - 1) <= 4 * Number.EPSILON;
    if (marginal && b2 === 0) return { kind: 'any' };
    if (marginal) return { kind: 'divergent', reason: `V(q) = q + sigma_b^2: q grows by sigma_b^2 = ${b2} per layer` };
    if (a > 1) return { kind: 'divergent', reason: `V(q) = ${a} q + sigma_b^2 with slope > 1: q grows geometrically` };
    return { kind: 'point', q: b2 / (1 - a), slope: a };
  }
  if (activationDef(activation).traits.bounded) return searchFixedPoint(activation, scales);
  return searchUnboundedFixedPoint(activation, scales);
}

/**
 * Bounded activations (tanh, hard-tanh, erf, sigmoid): V is increasing and V(q) <= sigma_w^2 sup phi^2
 * + sigma_b^2, so an attracting fixed point exists. When phi(0) = 0 and sigma_b = 0, q = 0 is fixed
 * and attracting iff V'(0) = sigma_w^2 phi'(0)^2 <= 1 (tanh, hard-tanh: sigma_w^2 <= 1); beyond it the
 * nonzero root takes over. The root is found on G(q) = V(q)/q - 1 (relative, so a small q*
 * keeps its digits). The upper end of the bracket starts at sigma_w^2 + sigma_b^2 (where G <= 0
 * when |phi| <= 1) and is enlarged at most MAX_BRACKET_DOUBLINGS times, so an unbounded phi whose
 * V(q)/q never drops below 1 is reported as divergent instead of being searched forever.
 */
const MAX_BRACKET_DOUBLINGS = 64;
const MAX_BRACKET_HALVINGS = 2000;

export function searchFixedPoint(activation: ActivationName, scales: Scales): FixedPoint {
  const w2 = scales.sigmaW * scales.sigmaW;
  const b2 = scales.sigmaB * scales.sigmaB;
  const def = activationDef(activation);
  if (b2 === 0 && def.phi(0) === 0) {
    // V'(0) = sigma_w^2 E[phi'^2 + phi phi''] at q = 0: sigma_w^2 for tanh and hard-tanh
    const s0 = w2 * def.moments(0).dEPhi2;
    if (s0 <= 1) return { kind: 'point', q: 0, slope: s0 };
  }
  const g = (q: number): number => (w2 * gaussianMoments(activation, q).ePhi2 + b2) / q - 1;
  let hi = w2 + b2; // V(q) <= hi when phi^2 <= 1, so G(hi) <= 0
  let gHi = g(hi);
  for (let i = 0; i < MAX_BRACKET_DOUBLINGS && gHi > 0 && Number.isFinite(2 * hi); i++) {
    hi *= 2;
    gHi = g(hi);
  }
  if (!(gHi <= 0)) {
    return { kind: 'divergent', reason: `V(q) > q up to q = ${hi.toPrecision(3)}: q^l grows without a fixed point in float64's range` };
  }
  let lo = Math.min(hi / 2, b2 > 0 ? b2 : hi / 2);
  // G > 0 near 0 (V(0) = b2 > 0, or V'(0) = w2 > 1 when b2 = 0); shrink lo until it is
  for (let i = 0; i < MAX_BRACKET_HALVINGS && !(g(lo) > 0); i++) lo /= 2;
  if (gHi === 0) return { kind: 'point', q: hi, slope: lengthMapSlope(activation, scales, hi) };
  const q = brentRoot(g, lo, hi, { xTolerance: 0 });
  return { kind: 'point', q, slope: lengthMapSlope(activation, scales, q) };
}

/**
 * The q range the unbounded search scans (log grid, SCAN_RATIO apart): fixed points beyond
 * SCAN_Q_MAX are reported as none (q^l would be ~1e10 times the input variance there).
 */
export const SCAN_Q_MIN = 1e-10;
export const SCAN_Q_MAX = 1e10;
const SCAN_RATIO = 1.5;

/**
 * Unbounded, non-homogeneous phi (softplus, gelu, gelu-tanh, silu, selu, elu, mish). V may have no
 * fixed point (V(q) ~ sigma_w^2 growth q for large q: sigma_w^2 growth > 1 grows from large inputs),
 * one, or an attracting one followed by a repelling one (gelu, silu at 2 < sigma_w^2 < 4). G(q) =
 * V(q)/q - 1 is scanned upwards on a log grid from SCAN_Q_MIN (ratio 1.5; two fixed points closer
 * than that could be missed, which only happens within ~1e-2 of a saddle-node gain) and the first
 * downward crossing is refined by Brent: the smallest attracting fixed point, the one q^l settles at
 * from small inputs. At sigma_b = 0 with phi(0) = 0, q = 0 is fixed: it is the answer when V'(0) < 1
 * (or V'(0) = 1 and V(q) < q just above 0).
 */
export function searchUnboundedFixedPoint(activation: ActivationName, scales: Scales): FixedPoint {
  const def = activationDef(activation);
  const w2 = scales.sigmaW * scales.sigmaW;
  const b2 = scales.sigmaB * scales.sigmaB;
  const g = (q: number): number => (w2 * def.moments(q).ePhi2 + b2) / q - 1;
  const upwardAfter = (q0: number): number | undefined => {
    // the next crossing of G from <= 0 to > 0 above q0: the repelling fixed point
    let prev = q0;
    let gPrev = g(prev);
    for (let q = q0 * SCAN_RATIO; q <= SCAN_Q_MAX; q *= SCAN_RATIO) {
      const gq = g(q);
      if (gPrev <= 0 && gq > 0) return brentRoot(g, prev, q, { xTolerance: 0 });
      prev = q;
      gPrev = gq;
    }
    return undefined;
  };
  const growthNote = `V(q)/q -> sigma_w^2 * ${def.traits.growth} = ${(w2 * def.traits.growth).toPrecision(4)} for large q`;
  if (b2 === 0 && def.phi(0) === 0) {
    const s0 = w2 * def.moments(0).dEPhi2;
    const zeroAttracts = s0 < 1 || (s0 === 1 && g(1e-6) < 0);
    if (zeroAttracts) {
      const up = upwardAfter(SCAN_Q_MIN);
      return up === undefined ? { kind: 'point', q: 0, slope: s0 } : { kind: 'point', q: 0, slope: s0, unstableAbove: up };
    }
  }
  let prev = SCAN_Q_MIN;
  let gPrev = g(prev);
  for (let q = SCAN_Q_MIN * SCAN_RATIO; q <= SCAN_Q_MAX; q *= SCAN_RATIO) {
    const gq = g(q);
    if (gPrev > 0 && gq <= 0) {
      const root = gq === 0 ? q : brentRoot(g, prev, q, { xTolerance: 0 });
      const slope = lengthMapSlope(activation, scales, root);
      const up = upwardAfter(q);
      return up === undefined ? { kind: 'point', q: root, slope } : { kind: 'point', q: root, slope, unstableAbove: up };
    }
    prev = q;
    gPrev = gq;
  }
  if (!(gPrev > 0)) {
    // G <= 0 already at the smallest q: V(q) < q down to SCAN_Q_MIN, so q^l -> 0 (only possible at b2 = 0)
    return { kind: 'point', q: 0, slope: w2 * def.moments(0).dEPhi2 };
  }
  return {
    kind: 'divergent',
    reason: `V(q) > q for every q in [${SCAN_Q_MIN}, ${SCAN_Q_MAX}] (${growthNote}): q^l grows without a fixed point`,
  };
}
