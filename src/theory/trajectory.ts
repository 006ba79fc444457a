import { SpecError } from '../spec/errors.js';
import { activation as activationDef } from '../activations/registry.js';
import type { ActivationName, InitName } from '../spec/types.js';
import { fixedPoint } from './fixed-point.js';
import { gaussianMoments, type GaussianMoments } from './gaussian-moments.js';
import { checkScales, type Scales } from './length-map.js';
import { lnGradNormRatio } from '../measure/definitions.js';

/**
 * s1 of the weight Gram matrix WW^T/sigma_w^2 in the free-probability moment formula
 * (docs/science.md section 6): S_{WW^T}(z) = 1/sigma_w^2 (orthogonal) or 1/(sigma_w^2 (1+z)) (Gaussian),
 * so each layer adds -S'(0)/S(0) = -s1 to the normalized variance.
 */
export const S1: Record<InitName, number> = { orthogonal: 0, gaussian: -1 };

export interface TrajectoryInput extends Scales {
  activation: ActivationName;
  depth: number;
  /** |x^0|^2/N, or 'fixed-point' for q0 = (q* - sigma_b^2)/sigma_w^2 so that q^1 = q* */
  q0: number | 'fixed-point';
}

export interface MeanFieldTrajectory {
  /** the input variance actually used (resolved when 'fixed-point' was asked for) */
  q0: number;
  /** q[l-1] = q^l, l = 1..L (Infinity where q^l is beyond float64: linear/relu; use lnQ) */
  q: number[];
  /** ln q^l, exact where q^l over- or underflows */
  lnQ: number[];
  /** chi[l-1] = chi_l = sigma_w^2 mu_1(q^l) (0 or Infinity where it leaves float64; use lnChi) */
  chi: number[];
  /** ln chi_l = 2 ln sigma_w + ln mu_1(q^l): finite for every gain > 0 */
  lnChi: number[];
  /** predicted m1 = mean eigenvalue of JJ^T = prod_{l=1..L} chi_l, and its log (which never overflows) */
  m1: number;
  lnM1: number;
  /**
   * lnGradNormProfile[l-1] = ln(|delta^l| / |delta^L|) = (1/2) sum_{k=l}^{L-1} ln chi_k (0 at l = L):
   * a ratio of NORMS, the convention of src/measure/definitions.ts (lnGradNormRatio).
   * Derivation (conventions of docs/science.md section 2): delta^l = D^l (W^{l+1})^T delta^{l+1}.
   * |(W^{l+1})^T v|^2 = sigma_w^2 |v|^2 (exactly for orthogonal W, in expectation for Gaussian W),
   * and D^l multiplies coordinate i by phi'(h^l_i) with h^l_i ~ N(0, q^l) independent of the
   * direction of W^T v at infinite width, which multiplies the squared norm by mu_1(q^l).
   * Hence |delta^l|^2 = chi_l |delta^{l+1}|^2: the chi of the layer the error is ARRIVING at (mu_1 at
   * q^l, not q^{l+1}). delta^L = D^L e brings mu_1(q^L) and J^T e = (W^1)^T delta^1 brings sigma_w^2,
   * which is why m1 = |J^T e|^2 (|e| = 1) collects every chi_1..chi_L.
   */
  lnGradNormProfile: number[];
  /** ln(|delta^1| / |delta^L|) = lnGradNormRatio(lnGradNormProfile) = lnGradNormProfile[0] */
  lnGradNormRatio: number;
  /** free-probability var_sq_norm = sum_l (mu_2/mu_1^2 - 1 - s1), for each weight scheme */
  varSqNorm: Record<InitName, number>;
}

/** The input variance that starts the network at its fixed point, q^1 = sigma_w^2 q0 + sigma_b^2 = q*. */
export function fixedPointInput(activation: ActivationName, scales: Scales): number {
  const fp = fixedPoint(activation, scales);
  if (fp.kind === 'any') {
    throw new SpecError(`--q0 fixed-point: every q is a fixed point for ${activation} at this gain; give --q0 a number`);
  }
  if (fp.kind === 'divergent') throw new SpecError(`--q0 fixed-point: ${activation} has no fixed point here (${fp.reason})`);
  return (fp.q - scales.sigmaB * scales.sigmaB) / (scales.sigmaW * scales.sigmaW);
}

export function meanFieldTrajectory(input: TrajectoryInput): MeanFieldTrajectory {
  const { activation, sigmaW, sigmaB, depth } = input;
  checkScales(input);
  if (!Number.isInteger(depth) || depth < 1) throw new SpecError(`--depth must be an integer >= 1, got ${depth}`);
  const q0 = input.q0 === 'fixed-point' ? fixedPointInput(activation, input) : input.q0;
  if (!(q0 >= 0) || !Number.isFinite(q0)) throw new SpecError(`--q0 must be a finite number >= 0, got ${q0}`);
  // Everything multiplicative is carried as a log too: sigma_w^2 = 1e-600 (gain 1e-300) underflows,
  // and prod chi_l or q^l of a linear/relu net (q^l = (sigma_w^2 mu_1)^l q0 + ...) leave float64
  // long before the answer stops being finite. The plain recursion is kept beside it (its numbers
  // are the ones eoc has always printed); the logs take over where it leaves float64.
  const w2 = sigmaW * sigmaW;
  const b2 = sigmaB * sigmaB;
  const lnW2 = lnSquare(sigmaW);
  const lnB2 = lnSquare(sigmaB);
  const def = activationDef(activation);
  const homogeneous = def.traits.homogeneous;
  // at tiny q with phi(0) = 0, E[phi^2] = q V'(0)/sigma_w^2 (1 + o(1)): ln E[phi^2] = ln q + ln dEPhi2(0)
  // (0 for tanh and hard-tanh, whose dEPhi2(0) = 1); undefined when phi(0) != 0 (E[phi^2] -> phi(0)^2)
  const lnSmallQSlope = def.phi(0) === 0 ? Math.log(def.moments(0).dEPhi2) : undefined;
  const q: number[] = [];
  const lnQ: number[] = [];
  const chi: number[] = [];
  const lnChi: number[] = [];
  const varSqNorm: Record<InitName, number> = { orthogonal: 0, gaussian: 0 };
  // the input is not passed through phi: q^1 = sigma_w^2 q0 + sigma_b^2
  let ql = w2 * q0 + b2;
  let lnQl = logAddExp(lnW2 + Math.log(q0), lnB2);
  let lnM1 = 0;
  // Once q^l reaches its fixed point it repeats bitwise (or alternates between neighbouring
  // doubles): the last few moments are remembered, so 10000 layers at q* cost a few quadratures.
  const recent: GaussianMoments[] = [];
  const moments = (x: number): GaussianMoments => {
    const hit = recent.find((r) => r.q === x);
    if (hit) return hit;
    const m = gaussianMoments(activation, x);
    recent.unshift(m);
    if (recent.length > 4) recent.pop();
    return m;
  };
  for (let l = 1; l <= depth; l++) {
    if (!homogeneous && !Number.isFinite(ql)) {
      throw new SpecError(
        `q^${l} = sigma_w^2 q^${l - 1} + sigma_b^2 = e^${lnQl.toPrecision(6)} overflows float64 (sigma_w = ${sigmaW}, q0 = ${q0}); ` +
          'use a smaller --gain or --q0',
      );
    }
    // homogeneous phi: the moments do not depend on q (mu_k and E[phi^2]/q are constants)
    const m = moments(homogeneous ? 1 : ql);
    q.push(ql);
    lnQ.push(ql > MIN_NORMAL && Number.isFinite(ql) ? Math.log(ql) : lnQl);
    chi.push(w2 * m.mu1);
    lnChi.push(lnW2 + Math.log(m.mu1));
    lnM1 += lnChi[l - 1];
    const excess = m.mu2 / (m.mu1 * m.mu1) - 1;
    varSqNorm.orthogonal += excess - S1.orthogonal;
    varSqNorm.gaussian += excess - S1.gaussian;
    if (homogeneous) {
      ql = w2 * m.ePhi2 * ql + b2;
      lnQl = logAddExp(lnW2 + Math.log(m.ePhi2) + lnQ[l - 1], lnB2);
    } else {
      ql = w2 * m.ePhi2 + b2;
      // at tiny q, E[phi^2] = q dEPhi2(0) (1 + o(1)) when phi(0) = 0: follow ln q where q underflows
      lnQl = logAddExp(lnW2 + (q[l - 1] < TINY_Q && lnSmallQSlope !== undefined ? lnQ[l - 1] + lnSmallQSlope : Math.log(m.ePhi2)), lnB2);
    }
  }
  const lnGradNormProfile = new Array<number>(depth);
  let acc = 0;
  for (let l = depth; l >= 1; l--) {
    lnGradNormProfile[l - 1] = acc;
    if (l >= 2) acc += lnChi[l - 2] / 2; // profile(l-1) = profile(l) + (1/2) ln chi_{l-1}
  }
  return { q0, q, lnQ, chi, lnChi, m1: Math.exp(lnM1), lnM1, lnGradNormProfile, lnGradNormRatio: lnGradNormRatio(lnGradNormProfile), varSqNorm };
}

const MIN_NORMAL = 2.2250738585072014e-308;
/** Below this q, E[phi^2](q) = q dEPhi2(0) to float64 precision when phi(0) = 0 (relative O(q), O(sqrt q) at a kink). */
const TINY_Q = 1e-100;

/** ln(x^2): Math.log(x * x) where x^2 is a normal float64 (the value eoc always used), else 2 ln|x|. */
export function lnSquare(x: number): number {
  const x2 = x * x;
  return x2 > MIN_NORMAL && Number.isFinite(x2) ? Math.log(x2) : 2 * Math.log(Math.abs(x));
}

/** ln(e^a + e^b), exact where either is -Infinity (a zero term) and never overflowing. */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const hi = Math.max(a, b);
  return hi + Math.log1p(Math.exp(Math.min(a, b) - hi));
}
