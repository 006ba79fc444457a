import { describe, it, expect } from 'vitest';
import { net } from './helpers.js';
import { stableLogSingularValues } from '../../src/spectrum/stable-product.js';
import { spectrumStats } from '../../src/measure/stats.js';
import { estimate } from '../../src/measure/aggregate.js';

/** Exact E var(lambda) for a linear Gaussian net at g = 1, finite N (docs/science.md section 7). */
function exactVariance(N: number, L: number): number {
  let u = 1, v = 1;
  for (let l = 0; l < L; l++) [u, v] = [u + (2 * v) / N ** 2, u + (1 + 1 / N) * v];
  return v - u;
}

describe('linear Gaussian nets against exact finite-N moments', () => {
  it('reproduces the recursion values quoted in docs/science.md', () => {
    expect(exactVariance(100, 10)).toBeCloseTo(10.59, 2);
    expect(exactVariance(100, 100)).toBeCloseTo(231.5, 1);
  });

  // 600 independent networks at N = 32, L = 5. Both statistics are averages of i.i.d. per-network
  // values, so their means are within 3 standard errors of the exact expectations with probability
  // ~0.997 each (the seeds are fixed, so the test is deterministic; the bound says it is not tuned).
  // It discriminates: at g = 1 the measured 5.60 +- 0.13 sits 0.8 SE from the exact 5.499 and
  // 4.7 SE from the infinite-width Fuss-Catalan value L = 5.
  const N = 32, L = 5, seeds = 600;
  for (const g of [1, 1.05]) {
    it(`E m1 = g^(2L) and E var(lambda) = g^(4L) (v_L - u_L) within 3 standard errors (g = ${g})`, () => {
      const m1: number[] = [];
      const vq: number[] = [];
      for (let s = 0; s < seeds; s++) {
        const { factors } = net('gaussian', N, L, 10000 + s, 'linear', g);
        const st = spectrumStats(stableLogSingularValues(factors, g, 2), N);
        m1.push(st.m1);
        vq.push(st.var_sq);
      }
      const em1 = estimate(m1);
      const ev = estimate(vq);
      expect(Math.abs(em1.mean - g ** (2 * L))).toBeLessThan(3 * em1.stderr);
      expect(Math.abs(ev.mean - g ** (4 * L) * exactVariance(N, L))).toBeLessThan(3 * ev.stderr);
    });
  }
});
