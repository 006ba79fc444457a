import { describe, it, expect } from 'vitest';
import { sampleBaseDraws, cachedLayerCount } from '../../src/network/sampler.js';
import { measureNetwork, measureM1 } from '../../src/measure/network.js';

/** Streaming base draws (regenerated per use when they do not fit the memory budget) are the cached ones, bit for bit. */
describe('streaming base draws', () => {
  const p = { activation: 'tanh' as const, gain: 1.1, biasStd: 0.05, q0: 1 };

  it('regenerate every layer bitwise equal to the cached draws', () => {
    for (const init of ['orthogonal', 'gaussian'] as const) {
      const cached = sampleBaseDraws(init, 24, 10, 4);
      const streamed = sampleBaseDraws(init, 24, 10, 4, { cachedLayers: 3 });
      expect(cached.streaming).toBeUndefined();
      expect(streamed.streaming).toEqual({ cachedLayers: 3 });
      expect(streamed.weights.length).toBe(10);
      for (let l = 0; l < 10; l++) {
        // twice: once generated (and maybe kept), once again
        for (let rep = 0; rep < 2; rep++) expect(Buffer.from(streamed.weights[l].data.buffer).equals(Buffer.from(cached.weights[l].data.buffer))).toBe(true);
      }
      expect(streamed.weights[1]).toBe(streamed.weights[1]); // kept (below cachedLayers)
      expect(streamed.weights[7]).not.toBe(streamed.weights[7]); // regenerated
      expect([...streamed.weights].length).toBe(10);
    }
  });

  it('give bitwise the same measurements', () => {
    const a = measureNetwork(sampleBaseDraws('orthogonal', 20, 12, 9), p);
    const b = measureNetwork(sampleBaseDraws('orthogonal', 20, 12, 9, { cachedLayers: 0 }), p);
    expect(Array.from(b.logSingularValues)).toEqual(Array.from(a.logSingularValues));
    expect(b.layers).toEqual(a.layers);
    const mf = { method: 'matrix-free' as const, matrixFree: { probes: 8, lanczosSteps: 10, slqProbes: 2, slqSteps: 8 } };
    expect(measureNetwork(sampleBaseDraws('orthogonal', 20, 12, 9, { cachedLayers: 5 }), p, mf).stats).toEqual(measureNetwork(sampleBaseDraws('orthogonal', 20, 12, 9), p, mf).stats);
    expect(measureM1(sampleBaseDraws('orthogonal', 20, 12, 9, { cachedLayers: 0 }), p).lnM1).toBe(measureM1(sampleBaseDraws('orthogonal', 20, 12, 9), p).lnM1);
  });

  it('switch on only when the weights do not fit the budget', () => {
    expect(cachedLayerCount(512, 100, 8 * 2 ** 30)).toBe(100);
    expect(cachedLayerCount(2048, 100, 2 ** 30)).toBe(21); // 1 GiB: 32 MiB per layer after the working set
    expect(cachedLayerCount(2048, 100, 100 * 2 ** 20)).toBe(0);
    expect(sampleBaseDraws('orthogonal', 16, 8, 1, { maxBytes: 8 * 16 * 16 * 12 + 8 * 4 * 8 * 16 }).streaming).toEqual({ cachedLayers: 2 });
  });
});
