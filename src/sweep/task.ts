import { sampleBaseDraws } from '../network/sampler.js';
import { measureNetwork, type NetworkSample } from '../measure/network.js';
import { locateM1Root, locateMaxFrac, locateMinRms } from './locate.js';
import { inputVariance } from './mean-field.js';
import { RECORD_SCHEMA, type CurvePoint, type SweepRecord } from './record.js';
import type { SweepConfig, SweepTask } from './grid.js';
import type { BaseDraws } from '../network/sampler.js';
import type { SweepPoint } from './grid.js';

/** One seed's network at any gain: the base draws are sampled once and scaled (W = g * base). */
export class SeedNetwork {
  readonly draws: BaseDraws;
  evaluations = 0;
  private cache = new Map<number, NetworkSample>();

  constructor(readonly point: SweepPoint, readonly width: number, readonly seed: number, readonly q0: number | 'fixed-point') {
    this.draws = sampleBaseDraws(point.init, width, point.depth, seed);
  }

  at(gain: number): NetworkSample {
    let s = this.cache.get(gain);
    if (!s) {
      const q0 = inputVariance(this.point, this.q0, gain);
      s = measureNetwork(this.draws, { activation: this.point.activation, gain, biasStd: this.point.biasStd, q0 });
      this.evaluations++;
      this.cache.set(gain, s);
    }
    return s;
  }
}

export function curvePoint(net: SeedNetwork, gain: number): CurvePoint {
  const s = net.at(gain);
  const L = s.layers.length;
  return {
    gain,
    q0: inputVariance(net.point, net.q0, gain),
    rank: s.rank,
    stats: s.stats,
    gradRatio: s.layers[0].logGradNorm - s.layers[L - 1].logGradNorm,
    logInputGrad: s.logInputGrad,
    logGradNorm: s.layers.map((x) => x.logGradNorm),
    q: s.layers.map((x) => x.q),
  };
}

/**
 * Run one task: sample the seed's base draws once, evaluate every gain of the grid on them, then
 * (if the sweep locates) find this seed's faithful gain by each criterion with fresh evaluations of
 * the same network. The result depends only on (config, task): never on the worker or the order.
 */
export function runSweepTask(config: SweepConfig, task: SweepTask): SweepRecord {
  const net = new SeedNetwork(task.point, config.width, task.seed, config.q0);
  const curve = config.gains.map((g) => curvePoint(net, g));
  let located: SweepRecord['located'] = null;
  if (config.locate) {
    const o = config.locate;
    const g = config.gains;
    located = {
      m1: locateM1Root(g, curve.map((c) => c.stats.ln_m1), (x) => net.at(x).stats.ln_m1, o),
      minRms: locateMinRms(g, curve.map((c) => c.stats.rms_log), (x) => net.at(x).stats.rms_log, o),
      maxFrac: locateMaxFrac(g, curve.map((c) => c.stats.frac_within_2), (x) => net.at(x).stats.frac_within_2, o),
    };
  }
  return { schema: RECORD_SCHEMA, config, index: task.index, point: task.point, seed: task.seed, curve, located };
}
