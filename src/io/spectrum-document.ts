import { EOC_VERSION } from '../version.js';
import type { SpectrumRun } from '../measure/run-spectrum.js';
import { STAT_NAMES, undefinedStatReason } from '../measure/stats.js';

/**
 * Version 2: summary.s_min and summary.s_max are geometric means over seeds (exp of the mean of ln s,
 * stderr by the delta method; version 1 averaged the values arithmetically), with summary.ln_s_min
 * and summary.ln_s_max beside them; every sample has ln_s_min and ln_s_max.
 */
export const SPECTRUM_SCHEMA = 'eoc.spectrum/2';
/**
 * Version 3: a network given as a layer list (--arch): spec.arch holds it, every sample has
 * min(N_0, N_L) singular values, theory.var_sq_norm is null for rectangular layers, and a sample's
 * logDetResidual is null for a rectangular J (logDetReason says why). Constant-width MLPs keep
 * writing version 2, byte for byte.
 */
export const SPECTRUM_SCHEMA_LAYERS = 'eoc.spectrum/3';
/*
 * Version 3 also carries the two-input measurement (--c0): correlation.c0, layers[i].c (and each
 * sample's layers[i].c) and theory.c, the mean-field correlation trajectory. A document is version
 * 3 when it has a layer list or a correlation; otherwise it is version 2, byte for byte.
 */

/** The theory block beside a measurement (filled by src/theory when available). */
export interface SpectrumTheoryBlock {
  m1: number;
  ln_m1: number;
  /** null where free probability's sum does not apply (rectangular layer lists) */
  var_sq_norm: number | null;
  q: number[];
  chi: number[];
  /** predicted ln |delta^l| for a unit output error e */
  logGradNorm: number[];
  /** with --c0: the mean-field correlation c^l of two inputs of correlation c0 (null where the map has none) */
  c?: number[] | null;
}

/** The log-det self-check over a run's seeds (see logDetCheck in src/measure/network.ts). */
export interface LogDetSummary {
  /** seeds whose residual was formed (dense spectrum) */
  checked: number;
  /** max |residual| over them (null when none was checked) */
  maxAbsResidual: number | null;
  /** the largest tolerance among them */
  tolerance: number | null;
  /** seeds whose |residual| exceeds its tolerance */
  failedSeeds: number[];
  /** why no residual was formed, when none was */
  reason?: string;
}

export function logDetSummary(run: Pick<SpectrumRun, 'samples'>): LogDetSummary {
  const checked = run.samples.filter((s) => s.logDetResidual !== null && s.logDetTolerance !== null);
  const failedSeeds = run.samples.filter((s) => s.trusted === false).map((s) => s.seed);
  if (checked.length === 0) {
    const reason = run.samples.find((s) => s.logDetReason)?.logDetReason ?? 'no residual was formed';
    return { checked: 0, maxAbsResidual: null, tolerance: null, failedSeeds, reason };
  }
  return {
    checked: checked.length,
    maxAbsResidual: Math.max(...checked.map((s) => Math.abs(s.logDetResidual!))),
    tolerance: Math.max(...checked.map((s) => s.logDetTolerance!)),
    failedSeeds,
  };
}

/** What a reader must know before using the numbers: empty when the run can be trusted. */
export function spectrumWarnings(run: Pick<SpectrumRun, 'samples'>): string[] {
  return run.samples
    .filter((s) => s.trusted === false)
    .map((s) =>
      s.logDetResidual === null
        ? `seed ${s.seed}: log-det self-check could not be formed (${s.logDetReason}): its singular values are not to be trusted`
        : `seed ${s.seed}: log-det self-check failed (|residual| ${Math.abs(s.logDetResidual).toPrecision(3)} > tolerance ${s.logDetTolerance!.toPrecision(3)}): ` +
          'its singular values are not accurate to the stated precision',
    );
}

/** The `eoc spectrum --json` document (docs/design.md "Machine-readable output"). */
export function spectrumDocument(run: SpectrumRun, theory?: SpectrumTheoryBlock): Record<string, unknown> {
  return {
    schema: run.spec.arch || run.c0 !== undefined ? SPECTRUM_SCHEMA_LAYERS : SPECTRUM_SCHEMA,
    eocVersion: EOC_VERSION,
    spec: { ...run.spec, q0Resolved: run.q0, biasVar: run.spec.biasStd ** 2 },
    seeds: run.seeds,
    ...(run.c0 !== undefined ? { correlation: { c0: run.c0 } } : {}),
    trust: spectrumWarnings(run).length === 0,
    warnings: spectrumWarnings(run),
    logDetCheck: logDetSummary(run),
    // a statistic the method does not estimate is null (its reason: samples[i].matrixFree.notEstimated)
    summary: Object.fromEntries(Object.entries(run.summary).map(([k, e]) => [k, e.n === 0 && notEstimated(run, k) ? null : e])),
    layers: run.layers,
    samples: run.samples.map((s) => ({
      seed: s.seed,
      rank: s.rank,
      method: s.method ?? 'dense',
      ...(s.matrixFree ? { matrixFree: s.matrixFree } : {}),
      ...Object.fromEntries(Object.entries(s.stats).map(([k, v]) => [k, s.matrixFree && k in s.matrixFree.notEstimated ? null : v])),
      ...undefinedStats(s.rank),
      logDetResidual: s.logDetResidual,
      logDetTolerance: s.logDetTolerance,
      ...(s.logDetReason ? { logDetReason: s.logDetReason } : {}),
      trusted: s.trusted,
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

/** { undefinedStats: { stat: reason } } for the statistics a network of this rank lacks (J = 0), else {} */
function undefinedStats(rank: number): { undefinedStats?: Record<string, string> } {
  const out: Record<string, string> = {};
  for (const k of STAT_NAMES) {
    const why = undefinedStatReason(k, rank);
    if (why) out[k] = why;
  }
  return Object.keys(out).length ? { undefinedStats: out } : {};
}
