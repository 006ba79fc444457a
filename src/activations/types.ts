import type { GaussianMoments } from '../theory/gaussian-moments.js';

/**
 * What eoc knows about one elementwise activation (the registry, src/activations/registry.ts): its
 * function, derivative and log-derivative, its traits and its Gaussian expectations. Every place
 * that depends on the activation goes through this object; adding an activation is one file.
 */
export interface ActivationTraits {
  /** phi(-h) = -phi(h) */
  odd: boolean;
  /** sup |phi| < Infinity */
  bounded: boolean;
  /**
   * phi(a h) = a phi(h) for a > 0 (linear, relu, leaky-relu): E[phi(sqrt(q) z)^2] = c q and the
   * mu_k do not depend on q, so the length map is linear and the fixed point is decided in closed form
   */
  homogeneous: boolean;
  /** points where phi' jumps (relu [0], hard-tanh [-1, 1]); empty for smooth activations */
  kinks: readonly number[];
  /** phi' = 0 on a set of positive measure (J can be singular) */
  canVanish: boolean;
  /**
   * phi' is piecewise constant: the values phi'^2 takes (the law of phi'^2 is atoms on these);
   * absent when phi'^2 has a continuous law
   */
  derivativeSquaredValues?: readonly number[];
  /**
   * lim_{q -> inf} E[phi(sqrt(q) z)^2] / q: 0 for bounded phi, 1/2 for relu-like growth (relu,
   * softplus, gelu, silu, elu, mish), (1 + a^2)/2 for leaky-relu, lambda^2/2 for selu, 1 for linear.
   * sigma_w^2 * growth > 1 means q^l diverges from large inputs.
   */
  growth: number;
}

export interface ActivationDef {
  /** family name as written by users: 'tanh', 'leaky-relu', 'gelu-tanh', ... */
  family: string;
  /** parameters after defaults, in the family's declared order (leaky-relu: { slope: 0.01 }) */
  params: Readonly<Record<string, number>>;
  /** canonical label, the one key everything stores: 'tanh', 'leaky-relu(0.2)', 'elu(1)' */
  name: string;
  phi(h: number): number;
  /**
   * phi'(h), SIGNED: gelu, gelu-tanh, silu and mish have phi' < 0 on part of the negative axis. The
   * Jacobian D^l = diag(phi'(h^l)) uses this signed value; its log-scale is logDerivative = ln|phi'|.
   */
  dphi(h: number): number;
  /** ln |phi'(h)|, exact where phi' under- or overflows; -Infinity exactly where phi' = 0 */
  logDerivative(h: number): number;
  /** = traits.canVanish (so that an ActivationDef is also a src/network/activations.ts Activation) */
  canVanish: boolean;
  traits: ActivationTraits;
  /**
   * phi'(h)^2 as the free-probability law of D^2 evaluates it (src/theory/squared-derivative-law.ts);
   * dphi(h)^2 when absent. tanh keeps its historical sech^4 form so its numbers stay bitwise.
   */
  derivativeSquared?(h: number): number;
  /** E over h ~ N(0, q) of phi^2, phi'^2, phi'^4 and d/dq E phi^2 (closed forms or the generic quadrature) */
  moments(q: number): GaussianMoments;
  /** torch.nn.init.calculate_gain for this activation, or null where torch has none */
  torchGain: number | null;
  /** the one-line description shown by `eoc gains` and docs */
  description: string;
  /** phi, phi', ln phi' over a whole layer in one pass (d, lnd may alias nothing) */
  apply(h: Float64Array, x: Float64Array, d: Float64Array, lnd?: Float64Array): void;
}
