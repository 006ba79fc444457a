import erf from '@stdlib/math-base-special-erf';
import erfc from '@stdlib/math-base-special-erfc';
import type { ActivationName } from '../spec/types.js';
import { smoothGaussianExpectations } from './smooth-expectation.js';

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

export function gaussianMoments(activation: ActivationName, q: number): GaussianMoments {
  if (!(q >= 0) || !Number.isFinite(q)) throw new Error(`gaussianMoments: q must be finite and >= 0, got ${q}`);
  switch (activation) {
    case 'linear':
      return { q, ePhi2: q, mu1: 1, mu2: 1, dEPhi2: 1 };
    case 'relu':
      // phi'(h)^2 = 1{h > 0}: probability 1/2 for every q > 0; q = 0 is taken as the limit q -> 0+.
      return { q, ePhi2: q / 2, mu1: 0.5, mu2: 0.5, dEPhi2: 0.5 };
    case 'hard-tanh':
      return hardTanhMoments(q);
    case 'tanh':
      return tanhMoments(q);
  }
}

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * Closed forms for hard-tanh (clip to [-1, 1]) with c = 1/sqrt(q), n = N(0,1) pdf:
 * E phi^2 = q [erf(c/sqrt2) - 2 c n(c)] + erfc(c/sqrt2); phi'^2k = 1{|h| < 1} so
 * mu_k = P(|h| < 1) = erf(c/sqrt2); phi phi'' = -delta(h-1) - delta(h+1) so
 * d/dq E phi^2 = erf(c/sqrt2) - 2 c n(c).
 */
function hardTanhMoments(q: number): GaussianMoments {
  if (q === 0) return { q, ePhi2: 0, mu1: 1, mu2: 1, dEPhi2: 1 };
  const c = 1 / Math.sqrt(q);
  const inside = erf(c / Math.SQRT2);
  const slope = inside - 2 * c * INV_SQRT_2PI * Math.exp(-0.5 * c * c);
  return { q, ePhi2: q * slope + erfc(c / Math.SQRT2), mu1: inside, mu2: inside, dEPhi2: slope };
}

/**
 * tanh by quadrature, all four integrands in one pass, written in t = tanh(h):
 * phi^2 = t^2, phi'^2 = (1-t^2)^2, phi'^4 = (1-t^2)^4, phi'^2 + phi phi'' = (1-t^2)(1-3t^2).
 */
function tanhMoments(q: number): GaussianMoments {
  const [ePhi2, mu1, mu2, dEPhi2] = smoothGaussianExpectations(q, 4, tanhIntegrands, TANH_FLAT_BEYOND);
  return { q, ePhi2, mu1, mu2, dEPhi2 };
}

/** Beyond |h| = 40, tanh(h)^2 = 1 and sech(h)^2 < 1e-34: tanh's integrands are constant to rounding. */
const TANH_FLAT_BEYOND = 40;

function tanhIntegrands(h: number, out: Float64Array): void {
  const t = Math.tanh(h);
  const t2 = t * t;
  const s2 = 1 - t2; // sech^2
  const s4 = s2 * s2;
  out[0] = t2;
  out[1] = s4;
  out[2] = s4 * s4;
  out[3] = s2 * (1 - 3 * t2);
}
