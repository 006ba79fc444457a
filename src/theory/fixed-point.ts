import type { ActivationName } from '../spec/types.js';
import { gaussianMoments } from './gaussian-moments.js';
import { checkScales, lengthMapSlope, type Scales } from './length-map.js';
import { brentRootIn as brentRoot } from '../numeric/roots.js';

/**
 * The attracting fixed point q* = V(q*) of the length map, or an explicit statement that there is
 * none. Three outcomes, because returning a number in the last two would be garbage:
 *  - 'point': a unique attracting fixed point (bounded phi always has one; linear/relu when the
 *    map contracts, sigma_w^2 mu < 1, where q* = sigma_b^2 / (1 - sigma_w^2 mu));
 *  - 'any': V(q) = q for every q (linear at sigma_w = 1, relu at sigma_w^2 = 2, both at
 *    sigma_b = 0): the variance is simply preserved from the input;
 *  - 'divergent': q^l grows without bound (linear/relu with sigma_w^2 mu > 1, or = 1 with
 *    sigma_b > 0, where q^l = q^0 + l sigma_b^2).
 */
export type FixedPoint =
  | { kind: 'point'; q: number; /** V'(q*): < 1 attracting; = 1 marginal (algebraic approach) */ slope: number }
  | { kind: 'any' }
  | { kind: 'divergent'; reason: string };

/**
 * Positively homogeneous activations (linear, relu) have V(q) = a q + sigma_b^2 with
 * a = sigma_w^2 * E[phi'^2] exactly; everything is decided by a.
 */
function homogeneousSlope(activation: ActivationName, sigmaW: number): number | undefined {
  if (activation === 'linear') return sigmaW * sigmaW;
  if (activation === 'relu') return sigmaW * sigmaW * 0.5;
  return undefined;
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
  return searchFixedPoint(activation, scales);
}

/**
 * tanh and hard-tanh (and any activation not handled in closed form above): V is increasing and,
 * for bounded phi, V(q) <= sigma_w^2 sup phi^2 + sigma_b^2, so a unique attracting fixed point
 * exists. At sigma_b = 0, q = 0 is fixed and attracting iff V'(0) = sigma_w^2 <= 1; for sigma_w > 1
 * the nonzero root takes over. The root is found on G(q) = V(q)/q - 1 (relative, so a small q*
 * keeps its digits). The upper end of the bracket starts at sigma_w^2 + sigma_b^2 (where G <= 0
 * when |phi| <= 1) and is enlarged at most MAX_BRACKET_DOUBLINGS times, so an unbounded phi whose
 * V(q)/q never drops below 1 is reported as divergent instead of being searched forever.
 */
const MAX_BRACKET_DOUBLINGS = 64;
const MAX_BRACKET_HALVINGS = 2000;

export function searchFixedPoint(activation: ActivationName, scales: Scales): FixedPoint {
  const w2 = scales.sigmaW * scales.sigmaW;
  const b2 = scales.sigmaB * scales.sigmaB;
  if (b2 === 0 && w2 <= 1) return { kind: 'point', q: 0, slope: w2 };
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
