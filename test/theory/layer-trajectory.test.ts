import { describe, it, expect } from 'vitest';
import { layerTrajectory, effectiveSigma2 } from '../../src/theory/layer-trajectory.js';
import { meanFieldTrajectory } from '../../src/theory/trajectory.js';
import { stagesOf, mlpLayers, type LayerList } from '../../src/network/layers.js';
import { sampleStageDraws } from '../../src/network/sampler.js';
import { measureNetwork } from '../../src/measure/network.js';
import { estimate } from '../../src/measure/aggregate.js';
import type { ScaleParams } from '../../src/network/forward.js';
import type { InitName } from '../../src/spec/types.js';

/**
 * Mean-field theory through a layer list (src/theory/layer-trajectory.ts). Known answers: a
 * constant-width list of equal layers is today's trajectory; a linear semi-orthogonal net's m1 is
 * exact. Against sampled networks (fixed seeds): the per-layer q^l and ln m1, whose seed-to-seed
 * scatter gives the standard error; the tolerance is 4 standard errors plus the O(L/N) finite-width
 * bias (0.02 per layer in ln m1 here, from the square case's measured bias, docs/science.md 9).
 */
describe('layer-list trajectory: known answers', () => {
  it('a constant-width list of equal tanh layers is the MLP trajectory (1e-12)', () => {
    const stages = stagesOf(mlpLayers({ width: 64, depth: 30, activation: 'tanh', init: 'orthogonal', biasStd: 0.1 }));
    const a = layerTrajectory(stages, 1.3, 0.7);
    const b = meanFieldTrajectory({ activation: 'tanh', sigmaW: 1.3, sigmaB: 0.1, depth: 30, q0: 0.7 });
    for (let l = 0; l < 30; l++) {
      expect(Math.abs(a.q[l] / b.q[l] - 1)).toBeLessThan(1e-12);
      expect(Math.abs(a.chi[l] / b.chi[l] - 1)).toBeLessThan(1e-12);
    }
    expect(Math.abs(a.lnM1 - b.lnM1)).toBeLessThan(1e-10);
    expect(Math.abs(a.varSqNorm! - b.varSqNorm.orthogonal)).toBeLessThan(1e-10);
    const lnMu1L = Math.log(b.chi[29]) - 2 * Math.log(1.3);
    for (let l = 0; l < 30; l++) expect(Math.abs(a.logGradNorm[l] - (b.lnGradNormProfile[l] + lnMu1L / 2))).toBeLessThan(1e-10);
  });

  it("an orthogonal layer with orthonormal columns (fan-out > fan-in) has sigma^2 = g^2 fan_in/fan_out; Gaussian g^2", () => {
    expect(effectiveSigma2({ init: 'orthogonal', width: 400, fanIn: 100 }, 2)).toBe(1);
    expect(effectiveSigma2({ init: 'orthogonal', width: 100, fanIn: 400 }, 2)).toBe(4);
    expect(effectiveSigma2({ init: 'gaussian', width: 400, fanIn: 100 }, 2)).toBe(4);
  });

  it('linear semi-orthogonal funnel 64 > 48 > 32 > 16: m1 = g^(2L) exactly; bottleneck 64 > 16 > 64: m1 = g^4 16/64', () => {
    const lin = (w: number[]): LayerList => ({ input: w[0], layers: w.slice(1).map((width) => ({ kind: 'dense', width, init: 'orthogonal', gain: 1, biasStd: 0 })) });
    expect(Math.abs(layerTrajectory(stagesOf(lin([64, 48, 32, 16])), 1.25, 1).lnM1 - 6 * Math.log(1.25))).toBeLessThan(1e-14);
    // 64 > 16: sigma^2 = g^2; 16 > 64 (columns orthonormal): sigma^2 = g^2/4; N_L/k = 64/64
    expect(Math.abs(layerTrajectory(stagesOf(lin([64, 16, 64])), 1.25, 1).lnM1 - (4 * Math.log(1.25) + Math.log(16 / 64)))).toBeLessThan(1e-14);
  });
});

function mixedNet(init: InitName): LayerList {
  return {
    input: 300,
    layers: [
      { kind: 'dense', width: 450, init, gain: 1, biasStd: 0.1 },
      { kind: 'activation', name: 'tanh' },
      { kind: 'dense', width: 250, init, gain: 1.2, biasStd: 0.05 },
      { kind: 'activation', name: 'relu' },
      { kind: 'dense', width: 500, init, gain: 1, biasStd: 0 },
      { kind: 'activation', name: 'tanh' },
      { kind: 'dense', width: 350, init, gain: 0.9, biasStd: 0.2 },
      { kind: 'activation', name: 'hard-tanh' },
      { kind: 'dense', width: 200, init, gain: 1, biasStd: 0 },
    ],
  };
}

for (const init of ['orthogonal', 'gaussian'] as const) {
  describe(`layer-list theory vs sampled ${init} nets 300 > 450:tanh > 250:relu > 500:tanh > 350:hard-tanh > 200 (gain 1.4, 12 seeds)`, () => {
    const net = mixedNet(init);
    const stages = stagesOf(net);
    const gain = 1.4;
    const p: ScaleParams = {
      activation: 'tanh',
      gain,
      biasStd: 0,
      q0: 1,
      layers: stages.map((s) => ({ activation: s.activation, gain: s.gain, biasStd: s.biasStd })),
    };
    const samples = Array.from({ length: 12 }, (_, seed) => measureNetwork(sampleStageDraws(stages, 300, seed), p));
    const t = layerTrajectory(stages, gain, 1);
    it('every q^l within 4 standard errors (+1% finite width) of the theory', () => {
      stages.forEach((_, l) => {
        const e = estimate(samples.map((s) => s.layers[l].q));
        expect(Math.abs(e.mean - t.q[l]), `layer ${l + 1}: ${e.mean} ± ${e.stderr} vs ${t.q[l]}`).toBeLessThan(4 * e.stderr + 0.01 * t.q[l]);
      });
    });
    it('ln m1 within 4 standard errors + 0.1 (finite width, 5 layers) of the theory', () => {
      const e = estimate(samples.map((s) => s.stats.ln_m1));
      expect(Math.abs(e.mean - t.lnM1), `${e.mean} ± ${e.stderr} vs ${t.lnM1}`).toBeLessThan(4 * e.stderr + 0.1);
    });
    it('ln |delta^l| within 4 standard errors + 0.05 of the theory at every layer', () => {
      stages.forEach((_, l) => {
        const e = estimate(samples.map((s) => s.layers[l].logGradNorm));
        expect(Math.abs(e.mean - t.logGradNorm[l]), `layer ${l + 1}: ${e.mean} ± ${e.stderr} vs ${t.logGradNorm[l]}`).toBeLessThan(4 * e.stderr + 0.05);
      });
    });
  });
}
