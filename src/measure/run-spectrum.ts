import { sampleBaseDraws, sampleStageDraws, type BaseDraws, type DrawOptions } from '../network/sampler.js';
import { hasBlocks, stagesOf } from '../network/layers.js';
import { sampleBlockDraws } from '../network/blocks.js';
import { scaleParams, type ScaleParams } from '../network/forward.js';
import { measureNetwork, type MeasureOptions, type NetworkSample } from './network.js';
import { estimate, geometricEstimate, GEOMETRIC_STATS, type Estimate } from './aggregate.js';
import { STAT_NAMES, type SpectrumStats } from './stats.js';
import type { NetworkSpec } from '../spec/types.js';

export type SpectrumSummary = Record<keyof SpectrumStats, Estimate>;

export interface SpectrumRun {
  spec: NetworkSpec;
  /** the numeric input variance used (resolves q0 = 'fixed-point') */
  q0: number;
  seeds: number[];
  samples: NetworkSample[];
  summary: SpectrumSummary;
  /** per-layer mean and stderr over seeds (c: with --c0, the two-input correlation c^l) */
  layers: { layer: number; q: Estimate; logGradNorm: Estimate; logWeightGradNorm: Estimate; c?: Estimate }[];
  /** with --c0: the two inputs' correlation */
  c0?: number;
  timings: { totalMs: number };
}

export function seedList(spec: NetworkSpec): number[] {
  return Array.from({ length: spec.seeds }, (_, i) => spec.seed + i);
}

/** Mean +- stderr over seeds of every statistic; s_min and s_max as geometric means (from ln s). */
export function summarize(samples: NetworkSample[]): SpectrumSummary {
  const out = {} as SpectrumSummary;
  for (const k of STAT_NAMES) out[k] = estimate(samples.map((s) => s.stats[k]));
  for (const [k, ln] of Object.entries(GEOMETRIC_STATS) as [keyof typeof GEOMETRIC_STATS, (typeof GEOMETRIC_STATS)[keyof typeof GEOMETRIC_STATS]][])
    out[k] = geometricEstimate(samples.map((s) => s.stats[ln]));
  return out;
}

/** The base draws of one seed of a spec: its layer list's, or the constant-width MLP's. */
export function specDraws(spec: NetworkSpec, seed: number, opts: DrawOptions = {}): BaseDraws {
  if (spec.arch && hasBlocks(spec.arch)) return sampleBlockDraws(spec.arch, seed);
  if (spec.arch) return sampleStageDraws(stagesOf(spec.arch), spec.arch.input, seed);
  return sampleBaseDraws(spec.init, spec.width, spec.depth, seed, opts);
}

/** The scale parameters of a spec at input variance q0 (a layer list's per-layer activations, gain factors, biases). */
export function specParams(spec: NetworkSpec, q0: number, gain = spec.gain): ScaleParams {
  return scaleParams(spec, gain, q0);
}

/** One network of a spectrum run: the unit of work a worker thread takes. */
export function measureSeed(spec: NetworkSpec, q0: number, seed: number, opts: MeasureOptions = {}): NetworkSample {
  return measureNetwork(specDraws(spec, seed), specParams(spec, q0), opts);
}

/** Analyze `spec.seeds` independent networks of one configuration, in this thread. */
export function runSpectrum(
  spec: NetworkSpec,
  q0: number,
  opts: MeasureOptions & { onSample?: (done: number, total: number) => void } = {},
): SpectrumRun {
  const t0 = performance.now();
  const seeds = seedList(spec);
  const samples = seeds.map((seed, i) => {
    const s = measureSeed(spec, q0, seed, opts);
    opts.onSample?.(i + 1, seeds.length);
    return s;
  });
  return assembleSpectrumRun(spec, q0, samples, t0, opts.c0);
}

/** Per-seed samples (in seed order) -> the run with its summaries over seeds. */
export function assembleSpectrumRun(spec: NetworkSpec, q0: number, samples: NetworkSample[], t0: number, c0?: number): SpectrumRun {
  const seeds = samples.map((s) => s.seed);
  const layers = samples[0].layers.map((_, l) => ({
    layer: l + 1,
    q: estimate(samples.map((s) => s.layers[l].q)),
    logGradNorm: estimate(samples.map((s) => s.layers[l].logGradNorm)),
    logWeightGradNorm: estimate(samples.map((s) => Math.log(s.layers[l].weightGradNorm))),
    ...(c0 !== undefined ? { c: estimate(samples.map((s) => s.layers[l].c!)) } : {}),
  }));
  return { spec, q0, seeds, samples, summary: summarize(samples), layers, timings: { totalMs: performance.now() - t0 }, ...(c0 !== undefined ? { c0 } : {}) };
}
