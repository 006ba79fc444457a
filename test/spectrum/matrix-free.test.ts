import { describe, it, expect } from 'vitest';
import { net } from '../core/helpers.js';
import { stableLogSingularValues } from '../../src/spectrum/stable-product.js';
import { formJacobian } from '../../src/spectrum/naive.js';
import { spectrumStats } from '../../src/measure/stats.js';
import { JacobianOperator } from '../../src/spectrum/jacobian-operator.js';
import { hutchinsonM1 } from '../../src/spectrum/hutchinson.js';
import { topSingularValues } from '../../src/spectrum/lanczos.js';
import { slqDensity, densityCdf } from '../../src/spectrum/slq.js';
import type { Mat } from '../../src/linalg/matrix.js';

/**
 * Matrix-free spectra against the dense QR-stabilized spectrum of the same network (N = 256).
 * Tolerances: m1 within 3 of its own reported standard errors (a 3-sigma band; the probes are
 * seeded, so the test is deterministic); top singular values to 1e-6 relative (|d ln s| < 1e-6);
 * SLQ CDF of ln s vs the dense empirical CDF: Kolmogorov-Smirnov distance, per case below.
 */
const N = 256;
// SLQ is a Gauss rule in s^2: it resolves the density on a linear scale, so ln s is reproduced
// where the spectrum is not spread over many e-folds (orthogonal nets near criticality, the
// isometry regime) and not in the far lower tail of broad ones (Gaussian: there, all s below
// ~s_max/k share one node). Measured here: KS 0.041 when ln s spans 7.8 e-folds (checked), 0.137
// when it spans 16 (orthogonal, L = 60, g = 1.05), 0.426 for the Gaussian case.
// `ks` is the bound each case is held to: 0.05 where SLQ is meant to work; elsewhere a regression
// guard just above the measured value of this known limitation (0.137 and 0.426), so a change that
// makes SLQ worse still fails. For that reason `eoc spectrum --method matrix-free` does not print
// log statistics at all (MATRIX_FREE_NOT_ESTIMATED; tested below).
const cases = [
  { init: 'orthogonal' as const, L: 30, gain: 1.0, ks: 0.05 },
  { init: 'orthogonal' as const, L: 60, gain: 1.05, ks: 0.16 },
  { init: 'gaussian' as const, L: 10, gain: 1.0, ks: 0.45 },
];

for (const c of cases) {
  describe(`matrix-free vs dense (${c.init} tanh, N = ${N}, L = ${c.L}, g = ${c.gain})`, () => {
    const { factors } = net(c.init, N, c.L, 11, 'tanh', c.gain, 0.1);
    const dense = stableLogSingularValues(factors, c.gain, c.init === 'orthogonal' ? 4 : 2);
    const op = new JacobianOperator(factors, c.gain);

    it('J v and J^T u match the formed Jacobian to 1e-12 relative', () => {
      const J = formJacobian(factors, c.gain);
      const v: Mat = { rows: 2, cols: N, data: Float64Array.from({ length: 2 * N }, (_, i) => Math.sin(i)) };
      const jv = op.apply(v), jtv = op.applyT(v);
      let err = 0, errT = 0, mx = 0;
      for (let r = 0; r < 2; r++) for (let i = 0; i < N; i++) {
        let s = 0, sT = 0;
        for (let j = 0; j < N; j++) {
          s += J.data[i * N + j] * v.data[r * N + j];
          sT += J.data[j * N + i] * v.data[r * N + j];
        }
        mx = Math.max(mx, Math.abs(s), Math.abs(sT));
        err = Math.max(err, Math.abs(Math.exp(jv.logScale) * jv.rows.data[r * N + i] - s));
        errT = Math.max(errT, Math.abs(Math.exp(jtv.logScale) * jtv.rows.data[r * N + i] - sT));
      }
      expect(err / mx).toBeLessThan(1e-12);
      expect(errT / mx).toBeLessThan(1e-12);
    });

    it('Hutchinson m1 lies within 3 reported standard errors of the dense m1', () => {
      const m1 = spectrumStats(dense, N).m1;
      const est = hutchinsonM1(op, 64, 3);
      expect(Math.abs(est.m1 - m1)).toBeLessThan(3 * est.stderr);
      expect(est.stderr / est.m1).toBeLessThan(0.1);
    });

    it('Lanczos gets the top 3 singular values to 1e-6 relative', () => {
      const top = topSingularValues(op, 3, 80, 5);
      for (let i = 0; i < 3; i++) expect(Math.abs(top.logS[i] - dense[i])).toBeLessThan(1e-6);
    });

    it(`the SLQ density of ln s is within KS distance ${c.ks} of the dense one`, () => {
      const d = slqDensity(op, 8, 60, 7);
      const sorted = Float64Array.from(dense).sort();
      let ks = 0;
      for (let i = 0; i < N; i++) {
        const f = densityCdf(d, sorted[i]);
        ks = Math.max(ks, Math.abs(f - i / N), Math.abs(f - (i + 1) / N));
      }
      expect(ks).toBeLessThan(c.ks);
    });
  });
}

describe('measureNetwork --method plumbing', () => {
  it('matrix-free reports its method and errors, and agrees with dense on m1 within 3 standard errors', async () => {
    const { measureNetwork, resolveMethod } = await import('../../src/measure/network.js');
    const { sampleBaseDraws } = await import('../../src/network/sampler.js');
    const draws = sampleBaseDraws('orthogonal', 64, 20, 2);
    const p = { activation: 'tanh' as const, gain: 1.0, biasStd: 0.1, q0: 1 };
    const dense = measureNetwork(draws, p);
    const mf = measureNetwork(draws, p, { method: 'matrix-free' });
    expect(dense.method).toBe('dense');
    expect(mf.method).toBe('matrix-free');
    expect(mf.matrixFree!.probes).toBe(64);
    expect(Math.abs(mf.stats.m1 - dense.stats.m1)).toBeLessThan(3 * mf.matrixFree!.m1Stderr);
    expect(Math.abs(Math.log(mf.stats.s_max / dense.stats.s_max))).toBeLessThan(1e-6);
    // only the Lanczos top values are reported as singular values
    expect(mf.logSingularValues.length).toBe(3);
    for (let i = 0; i < 3; i++) expect(Math.abs(mf.logSingularValues[i] - dense.logSingularValues[i])).toBeLessThan(1e-6);
    // the cost model: dense for small N, matrix-free once N^3 dominates
    expect(resolveMethod('auto', 256, 100, 4)).toBe('dense');
    expect(resolveMethod('auto', 8192, 100, 4)).toBe('matrix-free');
  });
});

describe('matrix-free honesty: only what the estimators support is reported', () => {
  // The issue: width 200, depth 100, gain 1.2 printed mean ln s -2.92 (dense -6.09) and std ln s
  // 2.55 (dense 7.29) from SLQ quantiles, labelled only "approximate".
  it('log statistics, s_min, var_sq and frac_within_2 are NaN with a reason; JSON null; text "n/a (matrix-free: ...)"', async () => {
    const { MATRIX_FREE_NOT_ESTIMATED } = await import('../../src/spectrum/matrix-free.js');
    const { assembleSpectrumRun, measureSeed } = await import('../../src/measure/run-spectrum.js');
    const { spectrumDocument } = await import('../../src/io/spectrum-document.js');
    const { spectrumText } = await import('../../cli/commands/spectrum.js');
    const spec = { activation: 'tanh' as const, init: 'orthogonal' as const, depth: 20, width: 48, gain: 1.2, biasStd: 0, q0: 1, seed: 0, seeds: 2 };
    const samples = [0, 1].map((seed) => measureSeed(spec, 1, seed, { method: 'matrix-free' }));
    const dense = [0, 1].map((seed) => measureSeed(spec, 1, seed));
    for (const [i, s] of samples.entries()) {
      expect(s.matrixFree!.notEstimated).toEqual(MATRIX_FREE_NOT_ESTIMATED);
      for (const k of ['mean_log', 'std_log', 'rms_log', 'log10_cond', 's_min', 'var_sq', 'var_sq_norm', 'frac_within_2'] as const) {
        expect(s.stats[k]).toBeNaN();
        expect(MATRIX_FREE_NOT_ESTIMATED[k]).toBeTruthy();
      }
      // what is reported carries its error: m1 within 3 of Hutchinson's own stderr, s_max to 1e-6
      expect(Math.abs(s.stats.m1 - dense[i].stats.m1)).toBeLessThan(3 * s.matrixFree!.m1Stderr);
      expect(Math.abs(Math.log(s.stats.s_max / dense[i].stats.s_max))).toBeLessThan(1e-6);
    }
    const run = assembleSpectrumRun(spec, 1, samples, 0);
    const doc = JSON.parse(JSON.stringify(spectrumDocument(run))) as { summary: Record<string, unknown>; samples: Record<string, unknown>[] };
    expect(doc.summary.mean_log).toBeNull();
    expect(doc.summary.std_log).toBeNull();
    expect(doc.samples[0].mean_log).toBeNull();
    expect((doc.summary.m1 as { n: number }).n).toBe(2);
    const text = spectrumText(run);
    expect(text).toMatch(/mean_log\s+n\/a \(matrix-free: no error-bounded estimator\)/);
    expect(text).toMatch(/std_log\s+n\/a \(matrix-free: /);
    expect(text).not.toMatch(/approximate/);
  });
});
