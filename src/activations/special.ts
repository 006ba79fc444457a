import { erfc } from '../numeric/erf.js';

/** Numerically careful scalar helpers shared by the activation files. */

export const LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
export const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** 1/(1 + e^-x) without overflow on either side. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** ln sigmoid(x) = -softplus(-x), exact in both tails (x - log1p(e^x) for x < 0). */
export function logSigmoid(x: number): number {
  return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
}

/** ln(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow, full relative accuracy for x << 0. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** Standard normal CDF Phi(x) = erfc(-x/sqrt2)/2 (relative accuracy in the lower tail). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

export function normalPdf(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

/**
 * Mills ratio m(x) = Q(x)/n(x) = (1 - Phi(x))/n(x) for x >= 0. Below 20 from erfc (Q and n are both
 * normal float64 there); above, the asymptotic series sum_k (-1)^k (2k-1)!!/x^(2k+1), whose
 * truncation after 12 terms is below 1e-17 relative for x >= 20.
 */
export function millsRatio(x: number): number {
  if (x < 20) return (0.5 * erfc(x / Math.SQRT2)) / normalPdf(x);
  const x2 = x * x;
  let term = 1 / x;
  let sum = term;
  for (let k = 1; k <= 12; k++) {
    term *= -(2 * k - 1) / x2;
    sum += term;
  }
  return sum;
}
