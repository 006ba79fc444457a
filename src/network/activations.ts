import type { ActivationName } from '../spec/types.js';

/**
 * A pointwise nonlinearity with its derivative. `apply` writes phi(h) into x and phi'(h) into d in
 * one pass, because the forward pass always needs both (d is the diagonal of D^l).
 */
export interface Activation {
  name: ActivationName;
  phi(h: number): number;
  dphi(h: number): number;
  /** true when phi' is exactly 0 on a set of positive measure, so J can be singular */
  canVanish: boolean;
  apply(h: Float64Array, x: Float64Array, d: Float64Array): void;
}

function make(
  name: ActivationName,
  phi: (h: number) => number,
  dphi: (h: number) => number,
  canVanish: boolean,
): Activation {
  return {
    name,
    phi,
    dphi,
    canVanish,
    apply(h, x, d) {
      for (let i = 0; i < h.length; i++) {
        x[i] = phi(h[i]);
        d[i] = dphi(h[i]);
      }
    },
  };
}

const tanh = make(
  'tanh',
  Math.tanh,
  (h) => {
    const t = Math.tanh(h);
    return 1 - t * t;
  },
  false,
);

const linear = make('linear', (h) => h, () => 1, false);

const relu = make('relu', (h) => (h > 0 ? h : 0), (h) => (h > 0 ? 1 : 0), true);

const hardTanh = make(
  'hard-tanh',
  (h) => (h > 1 ? 1 : h < -1 ? -1 : h),
  (h) => (h > -1 && h < 1 ? 1 : 0),
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
