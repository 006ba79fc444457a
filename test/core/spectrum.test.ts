import { describe, it, expect } from 'vitest';
import { net } from './helpers.js';
import { stableLogSingularValues } from '../../src/spectrum/stable-product.js';
import { formJacobian, denseSingularValues } from '../../src/spectrum/naive.js';
import { measureNetwork } from '../../src/measure/network.js';
import { logAbsDet } from '../../src/linalg/qr.js';

describe('linear orthogonal nets: exact isometry up to the scale g^L', () => {
  for (const [L, g] of [[1, 1], [10, 1.3], [100, 0.95], [200, 1.05]] as const) {
    it(`every singular value equals g^L to 1e-10 relative (L = ${L}, g = ${g})`, () => {
      const { factors } = net('orthogonal', 48, L, 7, 'linear', g);
      const logS = stableLogSingularValues(factors, g, 4);
      // relative error of s is |ln s - L ln g| to first order
      for (const ls of logS) expect(Math.abs(ls - L * Math.log(g))).toBeLessThan(1e-10);
    });
  }
});

describe('the log-det identity at L = 100 (docs/science.md section 4)', () => {
  for (const init of ['orthogonal', 'gaussian'] as const) {
    it(`holds to 1e-8 for ${init} tanh, where the naive product loses the small singular values`, () => {
      const N = 64, L = 100, g = 1.2;
      const { factors, trace, draws } = net(init, N, L, 11, 'tanh', g, 0.05);
      const logS = stableLogSingularValues(factors, g, init === 'orthogonal' ? 4 : 2);
      let fromLayers = 0;
      for (let l = 0; l < L; l++) {
        fromLayers += N * Math.log(g) + logAbsDet(draws.weights[l].data, N);
        for (const d of trace.dphi[l]) fromLayers += Math.log(Math.abs(d));
      }
      const fromSpectrum = logS.reduce((a, b) => a + b, 0);
      expect(Math.abs(fromSpectrum - fromLayers)).toBeLessThan(1e-8);

      // The naive float64 product: J formed directly, then a standard SVD. Its smallest singular
      // values sit at the rounding floor ~1e-16 s_max instead of their true values, so its log-det is
      // off by many units and its s_min is wrong by orders of magnitude.
      const naive = denseSingularValues(formJacobian(factors, g));
      const naiveLogS = Array.from(naive, (s) => Math.log(Math.max(s, 1e-320)));
      const trueSpan = logS[0] - logS[N - 1];
      expect(trueSpan).toBeGreaterThan(40); // the spectrum spans > 17 decades...
      expect(Math.abs(naiveLogS[N - 1] - logS[N - 1])).toBeGreaterThan(5); // ...which naive gets wrong
      expect(Math.abs(naiveLogS.reduce((a, b) => a + b, 0) - fromLayers)).toBeGreaterThan(10);
      // while the large ones agree (absolute accuracy ~1e-16 s_max is plenty for them)
      expect(Math.abs(naiveLogS[0] - logS[0])).toBeLessThan(1e-10);
    });
  }

  it('the per-network logDetResidual reported by measureNetwork is at rounding level', () => {
    const { draws, params } = net('gaussian', 48, 100, 5, 'tanh', 1.0);
    const s = measureNetwork(draws, params);
    expect(Math.abs(s.logDetResidual!)).toBeLessThan(1e-8);
  });
});

describe('stable product against a dense SVD where the latter is accurate', () => {
  it('matches ml-matrix SVD for short nets to the dense SVD\'s own accuracy', () => {
    for (const [init, L, maxCond] of [['orthogonal', 8, 1e4], ['gaussian', 2, 1e6]] as const) {
      const { factors } = net(init, 40, L, 2, 'tanh', 1.1, 0.1);
      const logS = stableLogSingularValues(factors, 1.1, 3);
      const dense = denseSingularValues(formJacobian(factors, 1.1));
      const cond = dense[0] / dense[dense.length - 1];
      expect(cond).toBeLessThan(maxCond);
      // dense SVD error is ~1e-16 s_max per value, i.e. relative 1e-16 * cond for the smallest
      dense.forEach((s, i) => expect(Math.abs(Math.exp(logS[i]) / s - 1)).toBeLessThan(1e-15 * cond + 1e-12));
    }
  });

  it('does not depend on the re-factoring interval beyond rounding', () => {
    const { factors } = net('gaussian', 32, 60, 4, 'tanh', 1.3);
    const a = stableLogSingularValues(factors, 1.3, 1);
    const b = stableLogSingularValues(factors, 1.3, 2);
    const c = stableLogSingularValues(factors, 1.3, 3);
    expect(a[0] - a[31]).toBeGreaterThan(100); // span of e^100: far past float64's 1e-16 floor
    for (let i = 0; i < 32; i++) {
      expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-9);
      expect(Math.abs(a[i] - c[i])).toBeLessThan(1e-9);
    }
  });
});
