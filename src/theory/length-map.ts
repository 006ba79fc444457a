import { SpecError } from '../spec/errors.js';
import type { ActivationName } from '../spec/types.js';
import { gaussianMoments } from './gaussian-moments.js';

/** Weight and bias scales of one configuration. sigmaW is the gain g; sigmaB a standard deviation. */
export interface Scales {
  sigmaW: number;
  sigmaB: number;
}

/**
 * The scales every theory function accepts: sigma_w > 0 and sigma_b >= 0 finite, with sigma_w^2 and
 * sigma_b^2 finite (gains above ~1.3e154 would make the length map itself overflow). A SpecError
 * names the parameter: the library refuses rather than returning Infinity/NaN or iterating forever.
 */
export function checkScales({ sigmaW, sigmaB }: Scales): void {
  if (!(sigmaW > 0) || !Number.isFinite(sigmaW * sigmaW)) {
    throw new SpecError(`--gain must be > 0 with a finite square (at most ~1.3e154), got ${sigmaW}`);
  }
  if (!(sigmaB >= 0) || !Number.isFinite(sigmaB * sigmaB)) {
    throw new SpecError(`--bias-std must be >= 0 with a finite square (at most ~1.3e154), got ${sigmaB}`);
  }
}

/** The length map V(q) = sigma_w^2 E[phi(sqrt(q) z)^2] + sigma_b^2 (docs/science.md section 5). */
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
