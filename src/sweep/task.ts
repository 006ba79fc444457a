import { tryActivation } from '../activations/registry.js';
import { sampleBaseDraws, sampleStageDraws } from '../network/sampler.js';
import { hasBlocks, stagesOf } from '../network/layers.js';
import { sampleBlockDraws } from '../network/blocks.js';
import { scaleParams, type ScaleParams } from '../network/forward.js';
import os from 'node:os';
import { measureNetwork, lnM1Exact, type NetworkSample } from '../measure/network.js';
import { memoryBudget } from '../spec/validate.js';
import { spectrumStats } from '../measure/stats.js';
import { lnGradNormRatio } from '../measure/definitions.js';
import { locateM1Root, locateMaxFrac, locateMinRms, type SpectrumSource } from './locate.js';
import { inputVariance } from './mean-field.js';
import { RECORD_SCHEMA, RECORD_SCHEMA_LAYERS, type CurvePoint, type SweepRecord } from './record.js';
import type { SweepConfig, SweepTask } from './grid.js';
import type { BaseDraws } from '../network/sampler.js';
import type { SweepPoint } from './grid.js';

/**
 * linear, relu and leaky-relu are positively homogeneous (traits.homogeneous) (phi(g h) = g phi(h), phi'(g h) = phi'(h)), so with
 * sigma_b = 0 and a fixed input variance the network at gain g is the g = 1 network rescaled
 * exactly: h^l -> g^l h^l, D^l unchanged, J -> g^L J, delta^l -> g^(L-l) delta^l,
 * x^(l-1) -> g^(l-1) x^(l-1). One evaluation then serves every gain of a seed (grid, located gains
 * and refinement alike), equal to a fresh measurement up to rounding.
 */
export function isHomogeneous(point: SweepPoint, q0: number | 'fixed-point'): boolean {
  // a layer list is evaluated at every gain (its rescaling would need every layer homogeneous and bias-free)
  return !point.arch && point.biasStd === 0 && q0 !== 'fixed-point' && tryActivation(point.activation)?.traits.homogeneous === true;
}

/** The g = 1 sample of a homogeneous net at gain g (see isHomogeneous). */
export function rescaleHomogeneous(base: NetworkSample, gain: number): NetworkSample {
  const lg = Math.log(gain);
  const L = base.layers.length;
  const logS = base.logSingularValues.map((v) => v + L * lg);
  return {
    ...base,
    logSingularValues: logS,
    stats: spectrumStats(logS, base.rank),
    layers: base.layers.map((x) => ({
      layer: x.layer,
      q: x.q * Math.exp(2 * x.layer * lg),
      gradNorm: x.gradNorm * Math.exp((L - x.layer) * lg),
      weightGradNorm: x.weightGradNorm * Math.exp((L - 1) * lg),
      logGradNorm: x.logGradNorm + (L - x.layer) * lg,
      // a correlation is scale-free: the rescaled net's c^l is the g = 1 net's
      ...(x.c !== undefined ? { c: x.c } : {}),
    })),
    logInputGrad: base.logInputGrad + L * lg,
  };
}

/** One seed's network at any gain: the base draws are sampled once and scaled (W = g * base). */
export class SeedNetwork {
  readonly draws: BaseDraws;
  /** full network evaluations (a rescaled homogeneous net costs none) */
  evaluations = 0;
  readonly homogeneous: boolean;
  private cache = new Map<number, NetworkSample>();
  private lnM1Cache = new Map<number, number>();

  constructor(
    readonly point: SweepPoint,
    readonly width: number,
    readonly seed: number,
    readonly q0: number | 'fixed-point',
    /** measure the correlation c^l of two inputs of this correlation too (SweepConfig.c0) */
    readonly c0?: number,
  ) {
    // every core may hold one seed's draws at once: each gets its share of the memory budget, and
    // draws beyond it are regenerated layer by layer (bitwise the same, so results do not change)
    const share = memoryBudget() / Math.max(1, os.availableParallelism());
    this.draws = point.arch
      ? hasBlocks(point.arch)
        ? sampleBlockDraws(point.arch, seed)
        : sampleStageDraws(stagesOf(point.arch), point.arch.input, seed)
      : sampleBaseDraws(point.init, width, point.depth, seed, { maxBytes: share });
    this.homogeneous = isHomogeneous(point, q0);
  }

  private params(gain: number, q0: number): ScaleParams {
    return scaleParams(this.point, gain, q0);
  }

  private measure(gain: number): NetworkSample {
    const q0 = inputVariance(this.point, this.q0, gain);
    this.evaluations++;
    return measureNetwork(this.draws, this.params(gain, q0), this.c0 === undefined ? {} : { c0: this.c0 });
  }

  /**
   * ln m1 alone, for root finding: from a full sample when there is one, else exactly from the
   * stable product without the SVD (|J|_F^2 / N; several times cheaper than a full evaluation).
   */
  lnM1At(gain: number): number {
    const full = this.cache.get(gain);
    if (full) return full.stats.ln_m1;
    if (this.homogeneous) return this.at(gain).stats.ln_m1;
    let v = this.lnM1Cache.get(gain);
    if (v === undefined) {
      const q0 = inputVariance(this.point, this.q0, gain);
      this.evaluations++;
      v = lnM1Exact(this.draws, this.params(gain, q0));
      this.lnM1Cache.set(gain, v);
    }
    return v;
  }

  /** The spectra of this seed's grid gains and of gains just evaluated (locate.ts SpectrumSource). */
  spectra(gains: readonly number[]): SpectrumSource {
    return { grid: (i) => this.at(gains[i]).logSingularValues, at: (g) => this.at(g).logSingularValues };
  }

  at(gain: number): NetworkSample {
    let s = this.cache.get(gain);
    if (!s) {
      if (this.homogeneous && gain !== 1) {
        let base = this.cache.get(1);
        if (!base) this.cache.set(1, (base = this.measure(1)));
        s = rescaleHomogeneous(base, gain);
      } else s = this.measure(gain);
      this.cache.set(gain, s);
    }
    return s;
  }
}

export function curvePoint(net: SeedNetwork, gain: number, spectra: boolean): CurvePoint {
  const s = net.at(gain);
  const c: CurvePoint = {
    gain,
    q0: inputVariance(net.point, net.q0, gain),
    rank: s.rank,
    stats: s.stats,
    gradRatio: lnGradNormRatio(s.layers.map((x) => x.logGradNorm)),
    logInputGrad: s.logInputGrad,
    logGradNorm: s.layers.map((x) => x.logGradNorm),
    logWeightGradNorm: s.layers.map((x) => Math.log(x.weightGradNorm)),
    q: s.layers.map((x) => x.q),
  };
  if (s.layers[0]?.c !== undefined) c.c = s.layers.map((x) => x.c!);
  if (spectra) c.logS = Array.from(s.logSingularValues);
  return c;
}

/**
 * Run one task: sample the seed's base draws once and evaluate them at every gain of the grid, then
 * (if the sweep locates) find this seed's faithful gain by each criterion with fresh evaluations of
 * the same network; or, for a pass-2 task, evaluate its extra gains only. The result depends only
 * on (config, task): never on the worker or the order.
 */
export function runSweepTask(config: SweepConfig, task: SweepTask): SweepRecord {
  const net = new SeedNetwork(task.point, config.width, task.seed, config.q0, config.c0);
  const base = { schema: config.arch || config.c0 !== undefined ? RECORD_SCHEMA_LAYERS : RECORD_SCHEMA, config, index: task.index } as const;
  if (task.gains) {
    const curve = task.gains.map((g) => curvePoint(net, g, config.spectra));
    return { ...base, pass: 2, point: task.point, seed: task.seed, curve, located: null };
  }
  const curve = config.gains.map((g) => curvePoint(net, g, config.spectra));
  let located: SweepRecord['located'] = null;
  if (config.locate) {
    const o = config.locate;
    const g = config.gains;
    located = {
      m1: locateM1Root(g, curve.map((c) => c.stats.ln_m1), (x) => net.lnM1At(x), o),
      minRms: locateMinRms(g, curve.map((c) => c.stats.rms_log), (x) => net.at(x).stats.rms_log, o, net.spectra(g)),
      maxFrac: locateMaxFrac(g, curve.map((c) => c.stats.frac_within_2), (x) => net.at(x).stats.frac_within_2, o, net.spectra(g)),
    };
  }
  return { ...base, pass: 1, point: task.point, seed: task.seed, curve, located };
}
