import { activation as activationDef } from '../activations/registry.js';
import type { ActivationName } from '../spec/types.js';
import { fixedPoint, type FixedPoint } from './fixed-point.js';
import { gaussianMoments } from './gaussian-moments.js';
import type { Scales } from './length-map.js';
import { lnSquare } from './trajectory.js';

const MIN_NORMAL = 2.2250738585072014e-308;

export type Phase = 'ordered' | 'critical' | 'chaotic';

/**
 * |chi_1 - 1| <= PHASE_TOLERANCE counts as critical. 1e-6 because (a) the gradient scale
 * 1/|ln chi_1| then exceeds 1e6 layers, deeper than anything eoc builds, and (b) a gain typed from
 * a 7-digit printout of the critical gain (relative rounding <= 5e-7, chi ~ sigma_w^2) still
 * classifies as critical.
 */
export const PHASE_TOLERANCE = 1e-6;

/**
 * What the gradient depth scale xi_grad = 1/|ln chi_1| measures: a decay length of gradients
 * (ordered), a growth length (chaotic: |delta|^2 grows like e^{l/xi_grad}) or nothing finite
 * (critical). Not the correlation depth scale xi_c of the literature (src/theory/correlation.ts):
 * the two coincide in the ordered phase, where chi_c = chi_1, and differ in the chaotic phase.
 */
export type GradientScaleKind = 'decay' | 'growth' | 'infinite';

export interface MeanFieldPoint {
  activation: ActivationName;
  sigmaW: number;
  sigmaB: number;
  fixedPoint: FixedPoint;
  /** sigma_w^2 mu_1(q*). Defined for homogeneous phi (linear, relu, leaky-relu) even without a fixed point: mu_1 does not depend on q. */
  chi1: number | null;
  /** ln chi_1 = 2 ln sigma_w + ln mu_1(q*): finite where chi_1 itself under- or overflows */
  lnChi1: number | null;
  phase: Phase | null;
  /** xi_q = -1/ln V'(q*): layers for q^l to reach q*; Infinity when V'(q*) = 1 (algebraic approach) */
  xiQ: number | null;
  /** 1/|ln chi_1|, the gradient depth scale, with xiGradKind saying whether it is a decay or a growth length */
  xiGrad: number | null;
  xiGradKind: GradientScaleKind | null;
}

export function classifyPhase(chi1: number): Phase {
  if (Math.abs(chi1 - 1) <= PHASE_TOLERANCE) return 'critical';
  return chi1 < 1 ? 'ordered' : 'chaotic';
}

export function meanFieldPoint(activation: ActivationName, scales: Scales): MeanFieldPoint {
  const fp = fixedPoint(activation, scales);
  const w2 = scales.sigmaW * scales.sigmaW;
  const lnW2 = lnSquare(scales.sigmaW);
  let chi1: number | null = null;
  let lnChi1: number | null = null;
  let xiQ: number | null = null;
  // logs from the factors where a product leaves float64's normal range (gain 1e-300: chi_1 = 0)
  const lnOf = (product: number, lnFactors: () => number): number =>
    product > MIN_NORMAL && Number.isFinite(product) ? Math.log(product) : lnFactors();
  if (fp.kind === 'point') {
    const m = gaussianMoments(activation, fp.q);
    chi1 = w2 * m.mu1;
    lnChi1 = lnOf(chi1, () => lnW2 + Math.log(m.mu1));
    xiQ = fp.slope >= 1 ? Infinity : -1 / lnOf(fp.slope, () => lnW2 + Math.log(m.dEPhi2));
  } else if (activationDef(activation).traits.homogeneous) {
    // mu_1 is q-independent for linear, relu, leaky-relu, so chi is meaningful even when q has no fixed point
    const mu1 = gaussianMoments(activation, 1).mu1;
    chi1 = w2 * mu1;
    lnChi1 = lnOf(chi1, () => lnW2 + Math.log(mu1));
    xiQ = fp.kind === 'any' ? Infinity : null;
  }
  let phase: Phase | null = null;
  let xiGrad: number | null = null;
  let xiGradKind: GradientScaleKind | null = null;
  if (chi1 !== null) {
    phase = classifyPhase(chi1);
    if (phase === 'critical') {
      xiGrad = Infinity;
      xiGradKind = 'infinite';
    } else {
      xiGrad = 1 / Math.abs(lnChi1!);
      xiGradKind = phase === 'ordered' ? 'decay' : 'growth';
    }
  }
  return { activation, sigmaW: scales.sigmaW, sigmaB: scales.sigmaB, fixedPoint: fp, chi1, lnChi1, phase, xiQ, xiGrad, xiGradKind };
}
