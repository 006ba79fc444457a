import { smoothGaussianExpectations } from '../theory/smooth-expectation.js';
import type { GaussianMoments } from '../theory/gaussian-moments.js';
import { define } from './define.js';

/** ln tanh'(h) = ln(1 - tanh^2 h) = ln 4 - 2|h| - 2 ln(1 + e^{-2|h|}): no cancellation, no underflow. */
function lnTanhPrime(h: number): number {
  const a = Math.abs(h);
  return 2 * Math.LN2 - 2 * a - 2 * Math.log1p(Math.exp(-2 * a));
}

/**
 * |h| below which 1 - tanh^2 h is kept for phi' (relative error <= eps / phi' <= 2e-15 there, and
 * the numbers of ordinary nets stay as they were); above it 1 - tanh^2 cancels (all digits are
 * lost at |h| > ~19, where it becomes exactly 0) and phi' = exp(ln phi') is used.
 */
const TANH_CANCELLATION = 2;

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

/**
 * tanh by quadrature (src/theory/smooth-expectation.ts), all four integrands in one pass, written in
 * t = tanh(h): phi^2 = t^2, phi'^2 = (1-t^2)^2, phi'^4 = (1-t^2)^4, phi'^2 + phi phi'' = (1-t^2)(1-3t^2).
 */
function tanhMoments(q: number): GaussianMoments {
  const [ePhi2, mu1, mu2, dEPhi2] = smoothGaussianExpectations(q, 4, tanhIntegrands, TANH_FLAT_BEYOND);
  return { q, ePhi2, mu1, mu2, dEPhi2 };
}

export const tanh = define({
  family: 'tanh',
  name: 'tanh',
  phi: Math.tanh,
  dphi: (h) => {
    if (Math.abs(h) >= TANH_CANCELLATION) return Math.exp(lnTanhPrime(h));
    const t = Math.tanh(h);
    return 1 - t * t;
  },
  logDerivative: (h) => {
    if (Math.abs(h) >= TANH_CANCELLATION) return lnTanhPrime(h);
    const t = Math.tanh(h);
    return Math.log(1 - t * t);
  },
  traits: { odd: true, bounded: true, homogeneous: false, kinks: [], canVanish: false, growth: 0 },
  moments: tanhMoments,
  torchGain: 5 / 3,
  description: 'tanh(h)',
  derivativeSquared: (h) => {
    const c = 1 / Math.cosh(h);
    const c2 = c * c;
    return c2 * c2;
  },
});
