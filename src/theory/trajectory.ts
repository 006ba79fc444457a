import { SpecError } from '../spec/errors.js';
import type { ActivationName, InitName } from '../spec/types.js';
import { fixedPoint } from './fixed-point.js';
import { gaussianMoments } from './gaussian-moments.js';
import type { Scales } from './length-map.js';
import { lnGradNormRatio } from '../measure/definitions.js';

/**
 * s1 of the weight Gram matrix WW^T/sigma_w^2 in the free-probability moment formula
 * (SCIENCE.md section 6): S_{WW^T}(z) = 1/sigma_w^2 (orthogonal) or 1/(sigma_w^2 (1+z)) (Gaussian),
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
  /** q[l-1] = q^l, l = 1..L */
  q: number[];
  /** chi[l-1] = chi_l = sigma_w^2 mu_1(q^l) */
  chi: number[];
  /** predicted m1 = mean eigenvalue of JJ^T = prod_{l=1..L} chi_l, and its log (which never overflows) */
  m1: number;
  lnM1: number;
  /**
   * lnGradNormProfile[l-1] = ln(|delta^l| / |delta^L|) = (1/2) sum_{k=l}^{L-1} ln chi_k (0 at l = L):
   * a ratio of NORMS, the convention of src/measure/definitions.ts (lnGradNormRatio).
   * Derivation (conventions of SCIENCE.md section 2): delta^l = D^l (W^{l+1})^T delta^{l+1}.
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
  if (!Number.isInteger(depth) || depth < 1) throw new SpecError(`--depth must be an integer >= 1, got ${depth}`);
  const q0 = input.q0 === 'fixed-point' ? fixedPointInput(activation, input) : input.q0;
  if (!(q0 >= 0) || !Number.isFinite(q0)) throw new SpecError(`--q0 must be a finite number >= 0, got ${q0}`);
  const w2 = sigmaW * sigmaW;
  const b2 = sigmaB * sigmaB;
  const q: number[] = [];
  const chi: number[] = [];
  const lnChi: number[] = [];
  const varSqNorm: Record<InitName, number> = { orthogonal: 0, gaussian: 0 };
  // the input is not passed through phi: q^1 = sigma_w^2 q0 + sigma_b^2
  let ql = w2 * q0 + b2;
  let lnM1 = 0;
  for (let l = 1; l <= depth; l++) {
    const m = gaussianMoments(activation, ql);
    q.push(ql);
    chi.push(w2 * m.mu1);
    lnChi.push(Math.log(w2) + Math.log(m.mu1));
    lnM1 += lnChi[l - 1];
    const excess = m.mu2 / (m.mu1 * m.mu1) - 1;
    varSqNorm.orthogonal += excess - S1.orthogonal;
    varSqNorm.gaussian += excess - S1.gaussian;
    ql = w2 * m.ePhi2 + b2;
  }
  const lnGradNormProfile = new Array<number>(depth);
  let acc = 0;
  for (let l = depth; l >= 1; l--) {
    lnGradNormProfile[l - 1] = acc;
    if (l >= 2) acc += lnChi[l - 2] / 2; // profile(l-1) = profile(l) + (1/2) ln chi_{l-1}
  }
  return { q0, q, chi, m1: Math.exp(lnM1), lnM1, lnGradNormProfile, lnGradNormRatio: lnGradNormRatio(lnGradNormProfile), varSqNorm };
}
