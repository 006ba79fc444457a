import type { ActivationName } from '../spec/types.js';

/**
 * A pointwise nonlinearity with its derivative. `apply` writes phi(h) into x, phi'(h) into d and
 * ln phi'(h) into lnd in one pass, because the forward pass always needs them (d is the diagonal of
 * D^l; its logs carry the scale when d underflows).
 */
export interface Activation {
  name: ActivationName;
  phi(h: number): number;
  dphi(h: number): number;
  /**
   * ln phi'(h), exact where phi' itself under- or overflows (tanh at |h| > ~19 gives phi' = 0 in
   * float64 but ln phi' = ln 4 - 2|h| - 2 ln(1 + e^{-2|h|}) is exact); -Infinity exactly where phi' = 0.
   */
  logDerivative(h: number): number;
  /** true when phi' is exactly 0 on a set of positive measure, so J can be singular */
  canVanish: boolean;
  apply(h: Float64Array, x: Float64Array, d: Float64Array, lnd?: Float64Array): void;
}

function make(
  name: ActivationName,
  phi: (h: number) => number,
  dphi: (h: number) => number,
  logDerivative: (h: number) => number,
  canVanish: boolean,
): Activation {
  return {
    name,
    phi,
    dphi,
    logDerivative,
    canVanish,
    apply(h, x, d, lnd) {
      for (let i = 0; i < h.length; i++) {
        x[i] = phi(h[i]);
        d[i] = dphi(h[i]);
      }
      if (lnd) for (let i = 0; i < h.length; i++) lnd[i] = logDerivative(h[i]);
    },
  };
}

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

const tanh = make(
  'tanh',
  Math.tanh,
  (h) => {
    if (Math.abs(h) >= TANH_CANCELLATION) return Math.exp(lnTanhPrime(h));
    const t = Math.tanh(h);
    return 1 - t * t;
  },
  (h) => {
    if (Math.abs(h) >= TANH_CANCELLATION) return lnTanhPrime(h);
    const t = Math.tanh(h);
    return Math.log(1 - t * t);
  },
  false,
);

const linear = make('linear', (h) => h, () => 1, () => 0, false);

const relu = make('relu', (h) => (h > 0 ? h : 0), (h) => (h > 0 ? 1 : 0), (h) => (h > 0 ? 0 : -Infinity), true);

const hardTanh = make(
  'hard-tanh',
  (h) => (h > 1 ? 1 : h < -1 ? -1 : h),
  (h) => (h > -1 && h < 1 ? 1 : 0),
  (h) => (h > -1 && h < 1 ? 0 : -Infinity),
  true,
);

const BY_NAME: Record<ActivationName, Activation> = {
  tanh,
  linear,
  relu,
  'hard-tanh': hardTanh,
};

export function activation(name: ActivationName): Activation {
  return BY_NAME[name];
}
