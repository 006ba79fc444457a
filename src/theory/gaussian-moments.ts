import { activation as activationDef } from '../activations/registry.js';
import type { ActivationName } from '../spec/types.js';

/**
 * The Gaussian expectations mean-field theory needs, for h ~ N(0, q) (docs/science.md section 5):
 * everything the length map, chi and the free-probability moments are built from.
 */
export interface GaussianMoments {
  /** pre-activation variance the moments were taken at */
  q: number;
  /** E[phi(h)^2] */
  ePhi2: number;
  /** mu_1 = E[phi'(h)^2] */
  mu1: number;
  /** mu_2 = E[phi'(h)^4] */
  mu2: number;
  /**
   * d/dq E[phi(h)^2] = E[phi'(h)^2 + phi(h) phi''(h)] (Stein's lemma; phi'' distributional for
   * the kinked activations). The slope of the length map is V'(q) = sigma_w^2 * dEPhi2.
   */
  dEPhi2: number;
}

/**
 * The moments of a registered activation (src/activations/): closed forms for linear, relu,
 * leaky-relu, hard-tanh and erf; tanh's quadrature (src/theory/smooth-expectation.ts); the generic
 * piecewise Gauss-Legendre rule (src/activations/quadrature.ts) for the others.
 */
export function gaussianMoments(activation: ActivationName, q: number): GaussianMoments {
  if (!(q >= 0) || !Number.isFinite(q)) throw new Error(`gaussianMoments: q must be finite and >= 0, got ${q}`);
  return activationDef(activation).moments(q);
}
