import type { GaussianMoments } from '../theory/gaussian-moments.js';
import { quadratureMoments, type PointEvaluator } from './quadrature.js';
import type { ActivationDef, ActivationTraits } from './types.js';

/** What one activation file states; `define` fills in apply, canVanish and (if absent) the generic moments. */
export interface ActivationSpec {
  family: string;
  params?: Record<string, number>;
  name: string;
  phi(h: number): number;
  dphi(h: number): number;
  logDerivative(h: number): number;
  traits: ActivationTraits;
  /** closed-form moments; without them the generic quadrature over `evaluate` is used */
  moments?: (q: number) => GaussianMoments;
  /** phi, phi', phi'' at once (needed when moments is absent) */
  evaluate?: PointEvaluator;
  /** where phi' or phi'' jump (split points of the quadrature); defaults to traits.kinks */
  breakpoints?: readonly number[];
  torchGain: number | null;
  description: string;
  derivativeSquared?(h: number): number;
}

export function define(spec: ActivationSpec): ActivationDef {
  const { phi, dphi, logDerivative } = spec;
  let moments = spec.moments;
  if (!moments) {
    const evaluate = spec.evaluate;
    if (!evaluate) throw new Error(`activation ${spec.name}: needs moments or evaluate`);
    const breaks = spec.breakpoints ?? spec.traits.kinks;
    moments = (q: number) => quadratureMoments(q, evaluate, breaks);
  }
  const def: ActivationDef = {
    family: spec.family,
    params: Object.freeze({ ...(spec.params ?? {}) }),
    name: spec.name,
    phi,
    dphi,
    logDerivative,
    canVanish: spec.traits.canVanish,
    traits: spec.traits,
    moments,
    torchGain: spec.torchGain,
    description: spec.description,
    apply(h, x, d, lnd) {
      for (let i = 0; i < h.length; i++) {
        x[i] = phi(h[i]);
        d[i] = dphi(h[i]);
      }
      if (lnd) for (let i = 0; i < h.length; i++) lnd[i] = logDerivative(h[i]);
    },
  };
  if (spec.derivativeSquared) def.derivativeSquared = spec.derivativeSquared;
  return def;
}
