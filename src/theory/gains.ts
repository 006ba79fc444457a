import { activation as activationDef } from '../activations/registry.js';
import type { ActivationName } from '../spec/types.js';
import { findCriticalPoint } from './critical.js';
import { EOC_VERSION } from '../version.js';

/**
 * One row of `eoc gains`: the weight scales that keep something of order one, per activation.
 *  - variancePreserving = 1/sqrt(E[phi(z)^2]), z ~ N(0,1): at sigma_b = 0 a unit-variance input
 *    keeps q^1 = 1 after one layer (V(1) = 1);
 *  - gradientPreserving = 1/sqrt(E[phi'(z)^2]): chi = 1 at q = 1 (one layer's backward factor);
 *  - edgeOfChaos0 / edgeOfChaosB: the critical sigma_w (chi_1 = 1 at the attracting fixed point q*)
 *    at sigma_b = 0 and at the given sigma_b, or null with the reason there is none;
 *  - torch: torch.nn.init.calculate_gain, or null where torch has none.
 * The first two coincide for homogeneous phi (relu: sqrt 2) and differ for all others.
 */
export interface GainRow {
  activation: ActivationName;
  description: string;
  variancePreserving: number;
  gradientPreserving: number;
  edgeOfChaos0: number | null;
  /** q* at the sigma_b = 0 edge of chaos ('any' for homogeneous phi) */
  edgeOfChaos0Q: number | 'any' | null;
  edgeOfChaos0Reason?: string;
  edgeOfChaosB: number | null;
  edgeOfChaosBQ: number | 'any' | null;
  edgeOfChaosBReason?: string;
  torch: number | null;
}

export interface GainTable {
  sigmaB: number;
  rows: GainRow[];
}

export function gainRow(name: ActivationName, sigmaB: number): GainRow {
  const def = activationDef(name);
  const m = def.moments(1);
  const c0 = findCriticalPoint(def.name, 0);
  const cb = sigmaB === 0 ? c0 : findCriticalPoint(def.name, sigmaB);
  const row: GainRow = {
    activation: def.name,
    description: def.description,
    variancePreserving: 1 / Math.sqrt(m.ePhi2),
    gradientPreserving: 1 / Math.sqrt(m.mu1),
    edgeOfChaos0: c0.exists ? c0.point.sigmaW : null,
    edgeOfChaos0Q: c0.exists ? c0.point.q : null,
    edgeOfChaosB: cb.exists ? cb.point.sigmaW : null,
    edgeOfChaosBQ: cb.exists ? cb.point.q : null,
    torch: def.torchGain,
  };
  if (!c0.exists) row.edgeOfChaos0Reason = c0.reason;
  if (!cb.exists) row.edgeOfChaosBReason = cb.reason;
  return row;
}

/** The gain table over activations (registry labels) at one sigma_b (the sigma_b = 0 column is always there). */
export function gainTable(names: readonly ActivationName[], sigmaB: number): GainTable {
  return { sigmaB, rows: names.map((n) => gainRow(n, sigmaB)) };
}

export const GAINS_SCHEMA = 'eoc.gains/1';

/** The `eoc gains --json` document (also the report's data/gains.json). */
export function gainsDocument(t: GainTable): { schema: typeof GAINS_SCHEMA; eocVersion: string } & GainTable {
  return { schema: GAINS_SCHEMA, eocVersion: EOC_VERSION, ...t };
}
