import { sampleBaseDraws, type BaseDraws } from '../../src/network/sampler.js';
import { forward, type ScaleParams } from '../../src/network/forward.js';
import type { ActivationName, InitName } from '../../src/spec/types.js';

export function net(init: InitName, width: number, depth: number, seed: number, activation: ActivationName, gain: number, biasStd = 0, q0 = 1) {
  const draws: BaseDraws = sampleBaseDraws(init, width, depth, seed);
  const params: ScaleParams = { activation, gain, biasStd, q0 };
  const trace = forward(draws, params);
  const factors = draws.weights.map((base, l) => ({ base, dphi: trace.dphi[l], lnDphi: trace.lnDphi[l] }));
  return { draws, params, trace, factors };
}
