import { activation as registryActivation } from '../activations/registry.js';
import type { ActivationName } from '../spec/types.js';

/**
 * A pointwise nonlinearity with its derivative: the part of the registry's ActivationDef
 * (src/activations/) the network engine uses. `apply` writes phi(h) into x, phi'(h) into d and
 * ln|phi'(h)| into lnd in one pass, because the forward pass always needs them (d is the diagonal of
 * D^l; its logs carry the scale when d underflows). d is SIGNED (gelu, silu, mish have phi' < 0 on
 * part of the line); lnd is ln|phi'|.
 */
export interface Activation {
  name: ActivationName;
  phi(h: number): number;
  dphi(h: number): number;
  /**
   * ln|phi'(h)|, exact where phi' itself under- or overflows (tanh at |h| > ~19 gives phi' = 0 in
   * float64 but ln phi' = ln 4 - 2|h| - 2 ln(1 + e^{-2|h|}) is exact); -Infinity exactly where phi' = 0.
   */
  logDerivative(h: number): number;
  /** true when phi' is exactly 0 on a set of positive measure, so J can be singular */
  canVanish: boolean;
  apply(h: Float64Array, x: Float64Array, d: Float64Array, lnd?: Float64Array): void;
}

/** The activation of a registry label ('tanh', 'leaky-relu(0.2)', ...); memoized by the registry. */
export function activation(name: ActivationName): Activation {
  return registryActivation(name);
}
