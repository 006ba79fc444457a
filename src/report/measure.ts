import { sampleBaseDraws, type BaseDraws } from '../network/sampler.js';
import { measureNetwork, type NetworkSample } from '../measure/network.js';
import { spectrumStats } from '../measure/stats.js';
import type { ActivationName, InitName } from '../spec/types.js';
import { SAMPLE_SCHEMA, type SampleRecord } from './data.js';

/** One unit of work: one seed's network (one init), one activation, several gains. */
export interface MeasureTask {
  activation: ActivationName;
  init: InitName;
  depth: number;
  width: number;
  biasStd: number;
  q0: number;
  seed: number;
  gains: number[];
}

/**
 * linear and relu are positively homogeneous (phi(g h) = g phi(h)), so with sigma_b = 0 the whole
 * network at gain g is the g = 1 network rescaled exactly: h^l -> g^l h^l, D^l unchanged,
 * J -> g^L J, delta^l -> g^(L-l) delta^l, x^(l-1) -> g^(l-1) x^(l-1). One evaluation then serves
 * every gain (the default study's linear nets cost 1 evaluation per seed instead of ~25).
 */
export function isHomogeneous(activation: ActivationName, biasStd: number): boolean {
  return biasStd === 0 && (activation === 'linear' || activation === 'relu');
}

function record(t: MeasureTask, gain: number, s: NetworkSample): SampleRecord {
  return {
    schema: SAMPLE_SCHEMA,
    activation: t.activation,
    init: t.init,
    depth: t.depth,
    width: t.width,
    gain,
    biasStd: t.biasStd,
    q0: t.q0,
    seed: t.seed,
    rank: s.rank,
    stats: s.stats,
    logS: Array.from(s.logSingularValues),
    q: s.layers.map((l) => l.q),
    logGradNorm: s.layers.map((l) => l.logGradNorm),
    logWeightGradNorm: s.layers.map((l) => Math.log(l.weightGradNorm)),
  };
}

/** The g = 1 record of a homogeneous net, rescaled to gain g (see isHomogeneous). */
export function rescaleHomogeneous(base: SampleRecord, gain: number): SampleRecord {
  const L = base.depth;
  const lg = Math.log(gain);
  const logS = base.logS.map((v) => v + L * lg);
  return {
    ...base,
    gain,
    stats: spectrumStats(logS, base.rank),
    logS,
    q: base.q.map((q, i) => q * Math.exp(2 * (i + 1) * lg)),
    logGradNorm: base.logGradNorm.map((v, i) => v + (L - (i + 1)) * lg),
    logWeightGradNorm: base.logWeightGradNorm.map((v) => v + (L - 1) * lg),
  };
}

/** The last base draws sampled in this thread: consecutive tasks of one (init, seed) share them. */
let lastDraws: BaseDraws | null = null;
let lastKey = '';

function drawsFor(t: MeasureTask): BaseDraws {
  const key = `${t.init}/${t.width}/${t.depth}/${t.seed}`;
  if (!lastDraws || key !== lastKey) {
    lastDraws = sampleBaseDraws(t.init, t.width, t.depth, t.seed);
    lastKey = key;
  }
  return lastDraws;
}

/** Measure one task: W(g) = g * base for every gain (common random numbers across gains). */
export function runMeasureTask(t: MeasureTask): SampleRecord[] {
  const draws = drawsFor(t);
  const at = (gain: number) => record(t, gain, measureNetwork(draws, { activation: t.activation, gain, biasStd: t.biasStd, q0: t.q0 }));
  if (isHomogeneous(t.activation, t.biasStd)) {
    const base = at(1);
    return t.gains.map((g) => (g === 1 ? base : rescaleHomogeneous(base, g)));
  }
  return t.gains.map(at);
}

/** Network evaluations a task costs (what the progress bar counts). */
export function taskCost(t: MeasureTask): number {
  return isHomogeneous(t.activation, t.biasStd) ? 1 : t.gains.length;
}
