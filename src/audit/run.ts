import { denseFindings, type DenseFindings } from './findings.js';
import { BROKEN_FLAGS, flagText, type AuditFlag } from './flags.js';
import { modelDraws, modelSpec, withDense, type AuditModel } from './model.js';
import { measureNetwork, defaultBlockSize, type NetworkSample, type SpectrumMethod } from '../measure/network.js';
import { denseCost } from '../spectrum/matrix-free.js';
import { assembleSpectrumRun, runSpectrum, specParams, type SpectrumRun } from '../measure/run-spectrum.js';
import { estimate, type Estimate } from '../measure/aggregate.js';
import { verdictOf, faithfulRule, lnGradNormRatio, type CheckThresholds, type Verdict } from '../measure/definitions.js';
import { archText } from '../network/layers.js';
import { resolveSpec } from '../spec/validate.js';
import { EOC_VERSION } from '../version.js';
import { spectrumDocument } from '../io/spectrum-document.js';
import type { NetworkSpec } from '../spec/types.js';

export const AUDIT_SCHEMA = 'eoc.audit/1';

/**
 * A layer's scale against the model's own: effective gains more than SCALE_OUTLIER_FACTOR away
 * from the median over its dense layers (with 3 or more), or from the ideal model's m1 = 1 gain
 * (a layer left at another init, or scaled twice). A warning, not a broken layer: the end-to-end
 * spectrum says what it does.
 */
export const SCALE_OUTLIER_FACTOR = 3;

export interface AuditLayer extends Omit<DenseFindings, 'flags'> {
  /** dense layer k = 1, 2, ... in forward order */
  layer: number;
  name: string;
  biasName: string | null;
  flags: AuditFlag[];
  /** effective gain / the ideal model's m1 = 1 gain (null without the ideal model) */
  idealGainRatio: number | null;
}

/** eoc check's verdicts, 'broken' (a layer flagged broken) and 'unverified' (matrix-free: m1 passes, the spread is unknown). */
export type AuditVerdict = Verdict | 'broken' | 'unverified';

export interface AuditOptions {
  /** input variance of the random inputs (ignored with `inputs`) */
  q0: number;
  /** number of random input directions (ignored with `inputs`) */
  seeds: number;
  seed: number;
  /** input samples (each of length N_0), e.g. rows of an .npy file */
  inputs?: { path: string; rows: Float64Array[] };
  method: SpectrumMethod | 'auto';
  thresholds: CheckThresholds;
  /** also measure the ideally initialized model (orthogonal at its m1 = 1 gain) */
  ideal: boolean;
  workers: number;
  /** m1 = 1 search evaluations per seed for the ideal model */
  maxEvaluations: number;
  onSample?: (done: number, total: number) => void;
}

/** The ideally initialized model of the same list: orthogonal, biases 0, the file's residual alphas, at the mean of the seeds' m1 = 1 gains (eoc check's search). */
export interface AuditIdeal {
  arch: string;
  gain: Estimate;
  converged: boolean;
  verdict: Verdict | 'unverified';
  reason: string;
  /**
   * a residual list: eoc check's recommended alpha, the largest faithful multiple of the blocks'
   * alphas at gain 1 (information: the ideal model keeps the file's alphas); null otherwise
   */
  alphaScale: number | null;
  run: SpectrumRun;
  /** ln(|delta^1|/|delta^L|) over seeds (eoc check's gradient ratio) */
  lnGradNormRatio: Estimate;
}

export interface AuditResult {
  schema: typeof AUDIT_SCHEMA;
  eocVersion: string;
  source: { format: AuditModel['format']; path: string; mapping: string };
  arch: string;
  thresholds: CheckThresholds;
  faithful: string;
  verdict: AuditVerdict;
  reason: string;
  layers: AuditLayer[];
  /** what the model was measured at */
  inputs: { kind: 'random'; q0: number; seeds: number[] } | { kind: 'file'; path: string; count: number; q0: Estimate };
  /** null when a layer has non-finite weights (nothing to measure): spectrumNote says so */
  spectrum: SpectrumRun | null;
  spectrumNote: string | null;
  /** ln(|delta^1|/|delta^L|) over the inputs (eoc check's gradient ratio); null without a spectrum */
  lnGradNormRatio: Estimate | null;
  ideal: AuditIdeal | null;
  idealNote: string | null;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Every dense layer's findings, with the scale outlier flag against the model's median effective gain. */
export function layerFindings(model: AuditModel): AuditLayer[] {
  const layers: AuditLayer[] = model.dense.map((d, i) => ({
    layer: i + 1,
    name: d.name,
    biasName: d.biasName,
    ...denseFindings(d.weight, d.bias ?? undefined),
    idealGainRatio: null,
  }));
  const gains = layers.map((l) => l.effectiveGain).filter((g) => Number.isFinite(g) && g > 0);
  if (gains.length >= 3) {
    const med = median(gains);
    for (const l of layers) {
      if (!(Number.isFinite(l.effectiveGain) && l.effectiveGain > 0)) continue;
      const ratio = l.effectiveGain / med;
      if (Math.abs(Math.log(ratio)) > Math.log(SCALE_OUTLIER_FACTOR)) l.flags.push({ kind: 'scale-outlier', ratio, reference: med, against: 'median' });
    }
  }
  return layers;
}

/**
 * `--method auto` for an audit: the dense spectrum (every singular value, so the spread and the
 * verdict's second half) while its cost model (src/spectrum/matrix-free.ts denseCost) stays under
 * AUDIT_DENSE_COST, about 10 s per input here (N = 1024, 12 layers: 8.8e10, 15 s with the draws);
 * beyond it, the matrix-free estimates through the real layers. (eoc spectrum's auto picks the
 * cheaper of the two, which is matrix-free from N = 256 on; an audit wants the spread.)
 */
export const AUDIT_DENSE_COST = 1.5e11;

export function auditMethod(model: AuditModel, method: SpectrumMethod | 'auto'): SpectrumMethod {
  if (method !== 'auto') return method;
  const n = Math.max(model.net.input, ...model.dense.map((d) => Math.max(d.weight.rows, d.weight.cols)));
  const units = model.dense.length + model.net.layers.filter((l) => l.kind !== 'dense' && l.kind !== 'activation').length;
  return denseCost(n, units, defaultBlockSize('gaussian')) <= AUDIT_DENSE_COST ? 'dense' : 'matrix-free';
}

/** |x|^2 / N_0 of each input row. */
function inputVariances(model: AuditModel, rows: readonly Float64Array[]): number[] {
  return rows.map((x) => x.reduce((a, v) => a + v * v, 0) / model.net.input);
}

/** The model's spectrum over its inputs: eoc spectrum's run, one sample per input direction or input row. */
function measureModel(model: AuditModel, o: AuditOptions): SpectrumRun {
  const t0 = performance.now();
  o = { ...o, method: auditMethod(model, o.method) };
  if (o.inputs) {
    const rows = o.inputs.rows;
    const q0s = inputVariances(model, rows);
    const spec = modelSpec(model, Math.max(estimate(q0s).mean, 1e-300), rows.length, 0);
    const samples: NetworkSample[] = rows.map((x, i) => {
      const s = measureNetwork(modelDraws(model, i, x), specParams(spec, q0s[i]), { method: o.method });
      o.onSample?.(i + 1, rows.length);
      return s;
    });
    return assembleSpectrumRun(spec, spec.q0 as number, samples, t0);
  }
  const spec = modelSpec(model, o.q0, o.seeds, o.seed);
  const samples: NetworkSample[] = [];
  for (let i = 0; i < o.seeds; i++) {
    samples.push(measureNetwork(modelDraws(model, o.seed + i, undefined), specParams(spec, o.q0), { method: o.method }));
    o.onSample?.(i + 1, o.seeds);
  }
  return assembleSpectrumRun(spec, o.q0, samples, t0);
}

/**
 * The verdict of a measured run, as eoc check gives it. A matrix-free run has no spread (std ln s is
 * not estimated): where m1 passes, the verdict is 'unverified' (exit 1: --method dense decides).
 */
function runVerdict(run: SpectrumRun, t: CheckThresholds): { verdict: Verdict | 'unverified'; reason: string } {
  const untrusted = run.samples.filter((s) => !s.trusted).map((s) => s.seed);
  if (untrusted.length) return { verdict: 'untrusted', reason: `the spectrum of input${untrusted.length > 1 ? 's' : ''} ${untrusted.join(', ')} failed its log-det self-check: no verdict on those numbers` };
  const lnM1 = run.samples.every((s) => Number.isFinite(s.stats.ln_m1)) ? run.summary.ln_m1.mean : Math.log(run.summary.m1.mean);
  const std = run.summary.std_log.mean;
  if (Number.isNaN(std) && run.samples.some((s) => s.method === 'matrix-free')) {
    const v = verdictOf(lnM1, 0, t);
    if (v.verdict !== 'faithful') return v;
    return { verdict: 'unverified', reason: `|ln m1| = ${Math.abs(lnM1).toPrecision(4)} <= ${t.tolM1.toPrecision(4)}, but the matrix-free method does not estimate the spread std(ln s): not shown faithful (--method dense measures it)` };
  }
  return verdictOf(lnM1, std, t);
}

/** The ideal model's spec: the same list, orthogonal, no bias, at gain `gain`. */
export function idealSpec(model: AuditModel, q0: number, seeds: number, seed: number, gain = 1): NetworkSpec {
  return resolveSpec({ arch: withDense(model.net, 'orthogonal', 0), init: 'orthogonal', gain, biasStd: 0, q0, seeds, seed });
}

async function measureIdeal(model: AuditModel, q0: number, o: AuditOptions): Promise<AuditIdeal> {
  const { runCheck } = await import('../sweep/check.js');
  const seeds = o.inputs ? Math.min(o.seeds, 4) : o.seeds;
  const spec = idealSpec(model, q0, seeds, o.seed);
  const check = await runCheck(spec, { thresholds: o.thresholds, workers: o.workers, lnM1Tolerance: 0.01, maxEvaluations: o.maxEvaluations, closestEvaluations: 0 });
  const ra = check.recommendedAlpha;
  const alphaScale = ra && ra.scale ? ra.scale.mean : null;
  const at = idealSpec(model, q0, seeds, o.seed, check.recommended.gain.n > 0 ? check.recommended.gain.mean : 1);
  const run = runSpectrum(at, q0, { method: auditMethod(model, o.method) });
  const v = runVerdict(run, o.thresholds);
  return { arch: archText(at.arch!), gain: check.recommended.gain, converged: check.recommended.converged, ...v, alphaScale, run, lnGradNormRatio: gradRatio(run) };
}

/**
 * `eoc audit`: a real model's weights, layer by layer (findings.ts) and end to end (its Jacobian's
 * singular values and gradient norms at inputs of variance q0, or at given inputs, through the same
 * engine as eoc spectrum), with the ideally initialized model of the same list beside it and one
 * verdict: broken (a layer flagged as broken), else eoc check's (faithful, vanishing, exploding,
 * anisotropic, untrusted) of the model as it is.
 */
export async function runAudit(model: AuditModel, o: AuditOptions): Promise<AuditResult> {
  const layers = layerFindings(model);
  const nonFinite = layers.filter((l) => l.flags.some((f) => f.kind === 'non-finite' || f.kind === 'non-finite-bias'));
  let spectrum: SpectrumRun | null = null;
  let spectrumNote: string | null = null;
  if (nonFinite.length) spectrumNote = `not measured: layer${nonFinite.length > 1 ? 's' : ''} ${nonFinite.map((l) => `${l.layer} (${l.name})`).join(', ')} hold${nonFinite.length > 1 ? '' : 's'} NaN or Inf, so every output is NaN`;
  else spectrum = measureModel(model, o);
  const q0 = spectrum ? spectrum.q0 : o.q0;
  let ideal: AuditIdeal | null = null;
  let idealNote: string | null = o.ideal ? null : 'skipped (--no-ideal)';
  if (o.ideal) {
    ideal = await measureIdeal(model, q0, o);
    if (ideal.gain.n === 0) idealNote = 'the m1 = 1 search found no gain on any seed: the ideal model is shown at gain 1';
    for (const l of layers) {
      l.idealGainRatio = ideal.gain.n > 0 && Number.isFinite(l.effectiveGain) ? l.effectiveGain / ideal.gain.mean : null;
      // against the ideal gain too, where the median did not flag it (a model of one or two layers)
      const r = l.idealGainRatio;
      if (r !== null && r > 0 && Math.abs(Math.log(r)) > Math.log(SCALE_OUTLIER_FACTOR) && !l.flags.some((f) => f.kind === 'scale-outlier')) {
        l.flags.push({ kind: 'scale-outlier', ratio: r, reference: ideal.gain.mean, against: 'ideal' });
      }
    }
  }
  const broken = layers.filter((l) => l.flags.some((f) => BROKEN_FLAGS.includes(f.kind)));
  const v: { verdict: AuditVerdict; reason: string } = broken.length
    ? {
        verdict: 'broken',
        reason: broken
          .map((l) => `layer ${l.layer} (${l.name}): ${l.flags.filter((f) => BROKEN_FLAGS.includes(f.kind)).map(flagText).join(', ')}`)
          .join('; '),
      }
    : runVerdict(spectrum!, o.thresholds);
  return {
    schema: AUDIT_SCHEMA,
    eocVersion: EOC_VERSION,
    source: { format: model.format, path: model.path, mapping: model.mapping },
    arch: archText(model.net),
    thresholds: o.thresholds,
    faithful: faithfulRule(o.thresholds),
    ...v,
    layers,
    inputs: o.inputs
      ? { kind: 'file', path: o.inputs.path, count: o.inputs.rows.length, q0: estimate(inputVariances(model, o.inputs.rows)) }
      : { kind: 'random', q0: o.q0, seeds: Array.from({ length: o.seeds }, (_, i) => o.seed + i) },
    spectrum,
    spectrumNote,
    lnGradNormRatio: spectrum ? gradRatio(spectrum) : null,
    ideal,
    idealNote,
  };
}

/** ln(|delta^1|/|delta^L|) of every sample of a run, mean and stderr. */
function gradRatio(run: SpectrumRun): Estimate {
  return estimate(run.samples.map((s) => lnGradNormRatio(s.layers.map((x) => x.logGradNorm))));
}


/**
 * The eoc.audit/1 JSON document (--json, audit.json): the result with each measured run as the
 * eoc.spectrum document eoc spectrum --json prints (its summary, per-layer records, samples with
 * their singular values and log-det self-check).
 */
export function auditDocument(r: AuditResult): Record<string, unknown> {
  return {
    ...r,
    spectrum: r.spectrum ? spectrumDocument(r.spectrum) : null,
    ideal: r.ideal ? { ...r.ideal, run: spectrumDocument(r.ideal.run) } : null,
  };
}
