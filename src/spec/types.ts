/** The four activations eoc analyzes. */
export const ACTIVATIONS = ['tanh', 'linear', 'relu', 'hard-tanh'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

/** Weight schemes: W = g * O with O Haar on O(N), or W_ij ~ N(0, g^2/N). */
export const INITS = ['orthogonal', 'gaussian'] as const;
export type InitName = (typeof INITS)[number];

/**
 * One network configuration (docs/science.md section 2). Every field is resolved: no optional
 * values survive validation, so a spec printed in a JSON document reproduces the run.
 */
export interface NetworkSpec {
  activation: ActivationName;
  init: InitName;
  /** depth L (number of layers, each with phi) */
  depth: number;
  /** width N */
  width: number;
  /** gain g == sigma_w */
  gain: number;
  /** bias standard deviation sigma_b (not the variance) */
  biasStd: number;
  /** input variance q0 = |x0|^2/N, or 'fixed-point' to start at q0 = (q* - sigma_b^2)/g^2 */
  q0: number | 'fixed-point';
  /** first seed; seeds are seed, seed+1, ..., seed+seeds-1 */
  seed: number;
  /** number of independent networks */
  seeds: number;
}

export const DEFAULT_SPEC: NetworkSpec = {
  activation: 'tanh',
  init: 'orthogonal',
  depth: 100,
  width: 128,
  gain: 1,
  biasStd: 0,
  q0: 1,
  seed: 0,
  seeds: 4,
};
