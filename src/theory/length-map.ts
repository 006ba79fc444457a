import type { ActivationName } from '../spec/types.js';
import { gaussianMoments } from './gaussian-moments.js';

/** Weight and bias scales of one configuration. sigmaW is the gain g; sigmaB a standard deviation. */
export interface Scales {
  sigmaW: number;
  sigmaB: number;
}

/** The length map V(q) = sigma_w^2 E[phi(sqrt(q) z)^2] + sigma_b^2 (SCIENCE.md section 5). */
export function lengthMap(activation: ActivationName, { sigmaW, sigmaB }: Scales, q: number): number {
  return sigmaW * sigmaW * gaussianMoments(activation, q).ePhi2 + sigmaB * sigmaB;
}

/** V'(q) = sigma_w^2 E[phi'^2 + phi phi''] (Stein's lemma; no finite differences). */
export function lengthMapSlope(activation: ActivationName, { sigmaW }: Scales, q: number): number {
  return sigmaW * sigmaW * gaussianMoments(activation, q).dEPhi2;
}

/** chi at variance q: sigma_w^2 mu_1(q), the per-layer factor of the mean squared singular value. */
export function chiAt(activation: ActivationName, { sigmaW }: Scales, q: number): number {
  return sigmaW * sigmaW * gaussianMoments(activation, q).mu1;
}
