import { describe, it, expect } from 'vitest';
import { net } from './helpers.js';
import { stableProduct, lnM1FromProduct, stableLogSingularValues } from '../../src/spectrum/stable-product.js';
import { measureM1, measureNetwork, lnM1Exact, resolveM1Method, defaultBlockSize } from '../../src/measure/network.js';

/** ln of the mean of s^2, summed in logs */
function lnMeanSq(lnS: Float64Array): number {
  let mx = -Infinity;
  for (const v of lnS) mx = Math.max(mx, 2 * v);
  let s = 0;
  for (const v of lnS) s += Math.exp(2 * v - mx);
  return mx + Math.log(s / lnS.length);
}

describe('exact m1 from the stable product, without the SVD', () => {
  for (const [init, gain] of [['orthogonal', 0.8], ['orthogonal', 1.05], ['orthogonal', 1.5], ['gaussian', 1.2]] as const) {
    it(`equals the mean of s^2 of the full spectrum to 1e-12 relative (${init}, g = ${gain})`, () => {
      const { draws, params, factors } = net(init, 40, 30, 7, 'tanh', gain, 0.05);
      const k = defaultBlockSize(init);
      const lnS = stableLogSingularValues(factors, gain, k);
      const exact = lnM1FromProduct(stableProduct(factors, gain, k));
      expect(Math.abs(exact - lnMeanSq(lnS))).toBeLessThan(1e-12);
      // and through the public entry points
      expect(lnM1Exact(draws, params)).toBe(exact);
      const full = measureNetwork(draws, params);
      expect(Math.abs(full.stats.ln_m1 - exact)).toBeLessThan(1e-12);
    });
  }

  it('stays finite where m1 itself leaves float64 (ln m1 ~ 2L ln g)', () => {
    const { draws } = net('orthogonal', 16, 400, 1, 'linear', 1);
    const p = { activation: 'linear' as const, gain: 10, biasStd: 0, q0: 1 };
    // linear orthogonal: J = g^L O, so m1 = g^(2L) exactly
    expect(Math.abs(lnM1Exact(draws, p) - 800 * Math.log(10))).toBeLessThan(1e-9);
  });

  it('Hutchinson agrees within its standard error, and auto picks by cost', () => {
    const { draws, params } = net('orthogonal', 64, 20, 3, 'tanh', 1.1, 0.05);
    const ex = measureM1(draws, params, { method: 'exact' });
    const h = measureM1(draws, params, { method: 'hutchinson', probes: 64 });
    expect(ex.lnM1Stderr).toBe(0);
    expect(h.method).toBe('hutchinson');
    expect(Math.abs(h.lnM1 - ex.lnM1)).toBeLessThan(4 * h.lnM1Stderr);
    expect(resolveM1Method('auto', 64, 20, 4, 64)).toBe('exact');
    expect(resolveM1Method('auto', 2048, 100, 4, 64)).toBe('hutchinson');
  });
});
