import { erf, erfc } from '../numeric/erf.js';
import type { GaussianMoments } from '../theory/gaussian-moments.js';
import { define } from './define.js';

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * Closed forms for hard-tanh (clip to [-1, 1]) with c = 1/sqrt(q), n = N(0,1) pdf:
 * E phi^2 = q [erf(c/sqrt2) - 2 c n(c)] + erfc(c/sqrt2); phi'^2k = 1{|h| < 1} so
 * mu_k = P(|h| < 1) = erf(c/sqrt2); phi phi'' = -delta(h-1) - delta(h+1) so
 * d/dq E phi^2 = erf(c/sqrt2) - 2 c n(c).
 */
function hardTanhMoments(q: number): GaussianMoments {
  if (!(q >= 0) || !Number.isFinite(q)) throw new Error(`gaussianMoments: q must be finite and >= 0, got ${q}`);
  if (q === 0) return { q, ePhi2: 0, mu1: 1, mu2: 1, dEPhi2: 1 };
  const c = 1 / Math.sqrt(q);
  const inside = erf(c / Math.SQRT2);
  const slope = inside - 2 * c * INV_SQRT_2PI * Math.exp(-0.5 * c * c);
  return { q, ePhi2: q * slope + erfc(c / Math.SQRT2), mu1: inside, mu2: inside, dEPhi2: slope };
}

export const hardTanh = define({
  family: 'hard-tanh',
  name: 'hard-tanh',
  phi: (h) => (h > 1 ? 1 : h < -1 ? -1 : h),
  dphi: (h) => (h > -1 && h < 1 ? 1 : 0),
  logDerivative: (h) => (h > -1 && h < 1 ? 0 : -Infinity),
  traits: { odd: true, bounded: true, homogeneous: false, kinks: [-1, 1], canVanish: true, derivativeSquaredValues: [0, 1], growth: 0 },
  moments: hardTanhMoments,
  torchGain: null,
  description: 'clip(h, -1, 1)',
});
