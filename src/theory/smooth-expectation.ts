import { gaussHermite } from './hermite.js';

/**
 * E[f_j(sqrt(q) z)], z ~ N(0,1), for several smooth integrands f_j at once, accurate to ~1e-16
 * (absolute, for integrands bounded by 1) for every q >= 0.
 *
 * The integrands eoc needs (tanh^2, sech^4, sech^8, ...) are analytic in the strip |Im h| < pi/2.
 * In z = h / sqrt(q) that strip narrows to pi / (2 sqrt q), so:
 *  - q <= HERMITE_MAX_Q: 300-node probabilists' Gauss-Hermite. Its error grows like exp(-c/sqrt q)
 *    (measured against mpmath: 9e-11 at q = 4, so c ~ 46) and is ~1e-20 at q = 1. docs/science.md's
 *    "fine up to q ~ 4" holds at the 1e-10 level only, so the switch is at q = 1;
 *  - larger q: the trapezoid rule on a uniform z grid, which converges like exp(-2 pi a / dz) for
 *    integrands analytic in a strip of half-width a. With dz = 0.2 / sqrt(q) the exponent is
 *    2 pi (pi/2) / 0.2 ~ 49, i.e. ~1e-21; the grid stops at |z| = Z_MAX where the Gaussian tail
 *    mass is ~4e-21. The rule is exact up to rounding for q in (1, 1e4] with <= 1e4 points.
 *  - q > TRAPEZOID_MAX_Q, for integrands that are constant (to rounding) beyond |h| = flatBeyond
 *    (tanh's: tanh^2 = 1 and sech = 0 in float64 for |h| > 40): E[f] = c + E[f - c] with
 *    c = f(+-flatBeyond), and f - c vanishes outside |h| <= flatBeyond, so the same trapezoid in h
 *    (step 0.2, the same exp(-49) accuracy) needs only 2 flatBeyond / 0.2 + 1 points for ANY q:
 *    the cost no longer grows like sqrt(q) (at q = 1e16 the plain grid needed 1e9 points: a hang).
 *    Without flatBeyond, q > TRAPEZOID_MAX_Q is refused rather than run for minutes.
 */
export const HERMITE_NODES = 300;
export const HERMITE_MAX_Q = 1;
const Z_MAX = 9.5;
const STEP_SCALE = 0.2;
/** Largest q of the plain trapezoid (<= 1e4 points); above it the flat-tail rule takes over. */
export const TRAPEZOID_MAX_Q = 1e4;

export type VectorIntegrand = (h: number, out: Float64Array) => void;

export function smoothGaussianExpectations(q: number, count: number, f: VectorIntegrand, flatBeyond?: number): Float64Array {
  if (!(q >= 0) || !Number.isFinite(q)) throw new Error(`smoothGaussianExpectations: q must be finite and >= 0, got ${q}`);
  const sum = new Float64Array(count);
  const val = new Float64Array(count);
  if (q === 0) {
    f(0, sum);
    return sum;
  }
  const s = Math.sqrt(q);
  if (q <= HERMITE_MAX_Q) {
    const { nodes, weights } = gaussHermite(HERMITE_NODES);
    for (let i = 0; i < nodes.length; i++) {
      f(s * nodes[i], val);
      for (let j = 0; j < count; j++) sum[j] += weights[i] * val[j];
    }
    return sum;
  }
  if (q <= TRAPEZOID_MAX_Q) return trapezoidGaussianExpectations(q, count, f, Math.min(0.1, STEP_SCALE / s));
  if (flatBeyond === undefined) {
    throw new Error(`smoothGaussianExpectations: q = ${q} > ${TRAPEZOID_MAX_Q} needs an integrand that is flat beyond some |h|`);
  }
  return flatTailGaussianExpectations(q, count, f, flatBeyond);
}

/**
 * E[f(h)], h ~ N(0, q), for f equal to the same constant c at h = +-H and beyond: c + E[f - c],
 * the second term by the trapezoid rule in h with step STEP_SCALE on [-H, H] (f - c vanishes at
 * both ends and outside, so the rule keeps its exponential accuracy). 2 H / STEP_SCALE + 1 points.
 */
export function flatTailGaussianExpectations(q: number, count: number, f: VectorIntegrand, flatBeyond: number): Float64Array {
  const s = Math.sqrt(q);
  const c = new Float64Array(count);
  const cNeg = new Float64Array(count);
  f(flatBeyond, c);
  f(-flatBeyond, cNeg);
  for (let j = 0; j < count; j++) {
    if (c[j] !== cNeg[j]) throw new Error(`flatTailGaussianExpectations: integrand ${j} is not even at +-${flatBeyond}`);
  }
  const val = new Float64Array(count);
  const sum = new Float64Array(count);
  const k = Math.ceil(flatBeyond / STEP_SCALE);
  const dh = flatBeyond / k;
  // weight of a node at h: dh * n(h / s) / s
  const norm = dh / (s * Math.sqrt(2 * Math.PI));
  for (let i = -k; i <= k; i++) {
    const h = i * dh;
    const z = h / s;
    const wt = norm * Math.exp(-0.5 * z * z);
    f(h, val);
    for (let j = 0; j < count; j++) sum[j] += wt * (val[j] - c[j]);
  }
  for (let j = 0; j < count; j++) sum[j] += c[j];
  return sum;
}

/** The trapezoid branch, exposed so tests can compare it with Gauss-Hermite where both apply. */
export function trapezoidGaussianExpectations(q: number, count: number, f: VectorIntegrand, dz: number): Float64Array {
  const s = Math.sqrt(q);
  const sum = new Float64Array(count);
  const val = new Float64Array(count);
  const k = Math.ceil(Z_MAX / dz);
  const norm = dz / Math.sqrt(2 * Math.PI);
  for (let i = -k; i <= k; i++) {
    const z = i * dz;
    const wt = norm * Math.exp(-0.5 * z * z);
    f(s * z, val);
    for (let j = 0; j < count; j++) sum[j] += wt * val[j];
  }
  return sum;
}
