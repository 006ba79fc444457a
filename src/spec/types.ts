import { DEFAULT_ACTIVATION_NAMES } from '../activations/families.js';

/**
 * The activations eoc analyzes: every registered family at its default parameters ('tanh', ...,
 * 'leaky-relu(0.01)', 'elu(1)'); any label the registry parses (src/activations/registry.ts,
 * e.g. 'leaky-relu(0.2)') is accepted too.
 */
export const ACTIVATIONS: readonly string[] = DEFAULT_ACTIVATION_NAMES;
/** A canonical activation label of the registry (src/activations/registry.ts). */
export type ActivationName = string;

import type { LayerList } from '../network/layers.js';

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
  /**
   * The network as a layer list (--arch). When present it is the network: depth is then its number
   * of dense layers, width its largest width and activation the activation every nonlinear layer
   * shares (a linear read-out aside), or 'mixed'; init and biasStd are the defaults its dense layers took. Absent: the constant-width MLP
   * of depth x (width, activation).
   */
  arch?: LayerList;
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
