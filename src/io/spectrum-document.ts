import { EOC_VERSION } from '../version.js';
import type { SpectrumRun } from '../measure/run-spectrum.js';

/**
 * Version 2: summary.s_min and summary.s_max are geometric means over seeds (exp of the mean of ln s,
 * stderr by the delta method; version 1 averaged the values arithmetically), with summary.ln_s_min
 * and summary.ln_s_max beside them; every sample has ln_s_min and ln_s_max.
 */
export const SPECTRUM_SCHEMA = 'eoc.spectrum/2';

/** The theory block beside a measurement (filled by src/theory when available). */
export interface SpectrumTheoryBlock {
  m1: number;
  ln_m1: number;
  var_sq_norm: number;
  q: number[];
  chi: number[];
  /** predicted ln |delta^l| for a unit output error e */
  logGradNorm: number[];
}

/** The `eoc spectrum --json` document (DESIGN.md "Machine-readable output"). */
export function spectrumDocument(run: SpectrumRun, theory?: SpectrumTheoryBlock): Record<string, unknown> {
  return {
    schema: SPECTRUM_SCHEMA,
    eocVersion: EOC_VERSION,
    spec: { ...run.spec, q0Resolved: run.q0, biasVar: run.spec.biasStd ** 2 },
    seeds: run.seeds,
    // a statistic the method does not estimate is null (its reason: samples[i].matrixFree.notEstimated)
    summary: Object.fromEntries(Object.entries(run.summary).map(([k, e]) => [k, e.n === 0 && notEstimated(run, k) ? null : e])),
    layers: run.layers,
    samples: run.samples.map((s) => ({
      seed: s.seed,
      rank: s.rank,
      method: s.method ?? 'dense',
      ...(s.matrixFree ? { matrixFree: s.matrixFree } : {}),
      ...Object.fromEntries(Object.entries(s.stats).map(([k, v]) => [k, s.matrixFree && k in s.matrixFree.notEstimated ? null : v])),
      logDetResidual: s.logDetResidual,
      logInputGradNorm: s.logInputGrad,
      singularValues: Array.from(s.logSingularValues, Math.exp),
      logSingularValues: s.logSingularValues,
      layers: s.layers,
    })),
    ...(theory ? { theory } : {}),
  };
}

/** True when every sample's method left statistic `k` out (matrix-free). */
function notEstimated(run: SpectrumRun, k: string): boolean {
  return run.samples.length > 0 && run.samples.every((s) => s.matrixFree !== undefined && k in s.matrixFree.notEstimated);
}
