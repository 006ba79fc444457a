import { describe, expect, it } from 'vitest';
import { estimate, geometricEstimate } from '../../src/measure/aggregate.js';
import { spectrumStats } from '../../src/measure/stats.js';
import { summarize } from '../../src/measure/run-spectrum.js';
import type { NetworkSample } from '../../src/measure/network.js';

/** A spectrum of n values: s_max = e^top, s_min = e^bottom, linearly spaced logs in between. */
function logSpectrum(top: number, bottom: number, n = 5): number[] {
  return Array.from({ length: n }, (_, i) => top + ((bottom - top) * i) / (n - 1));
}

describe('geometric averages over seeds (s_min, s_max)', () => {
  it('ln_s_min and ln_s_max come from ln s exactly, even where s_min underflows to 0', () => {
    const st = spectrumStats(logSpectrum(2, -800), 5);
    expect(st.s_min).toBe(0);
    expect(st.ln_s_min).toBe(-800);
    expect(st.ln_s_max).toBe(2);
    const rank3 = spectrumStats([1, 0, -3, -Infinity, -Infinity], 3);
    expect(rank3.ln_s_min).toBe(-3);
    // J = 0: no nonzero singular value, so s_min and its log are undefined (n/a), as numerics' undefinedStatReason says
    expect(spectrumStats([-Infinity, -Infinity], 0).ln_s_min).toBeNaN();
    expect(spectrumStats([-Infinity, -Infinity], 0).ln_s_max).toBe(-Infinity);
  });

  it('known answer: seeds whose s_min differ by decades average to exp(mean ln s_min)', () => {
    // s_min = 1e-10, 1e-20, 1e-30: geometric mean 1e-20 (the arithmetic mean would be 3.3e-11)
    const lns = [-10, -20, -30].map((d) => d * Math.LN10);
    const g = geometricEstimate(lns);
    expect(g.mean / 1e-20 - 1).toBeCloseTo(0, 12);
    expect(g.n).toBe(3);
    // stderr of ln: sample std 10 ln 10 over sqrt 3; delta method for the geometric mean
    const lnStderr = (10 * Math.LN10) / Math.sqrt(3);
    expect(g.stderr / (1e-20 * lnStderr) - 1).toBeCloseTo(0, 12);
  });

  it("eoc spectrum's summary over seeds uses it for s_min and s_max, and keeps ln_s_min/ln_s_max", () => {
    const samples = [-10, -20, -30, -400].map((d, i) => {
      const logS = logSpectrum(1 + i, d * Math.LN10);
      return { seed: i, rank: 5, logSingularValues: Float64Array.from(logS), stats: spectrumStats(logS, 5) } as unknown as NetworkSample;
    });
    const sum = summarize(samples);
    const lnMin = estimate([-10, -20, -30, -400].map((d) => d * Math.LN10));
    expect(sum.ln_s_min.mean).toBeCloseTo(lnMin.mean, 10);
    expect(sum.ln_s_min.stderr).toBeCloseTo(lnMin.stderr, 10);
    expect(Math.log(sum.s_min.mean) / lnMin.mean - 1).toBeCloseTo(0, 12); // e^-265 ~ 1e-115: finite
    expect(sum.s_min.mean).toBeGreaterThan(0);
    expect(Math.log(sum.s_max.mean)).toBeCloseTo(2.5, 12); // ln s_max = 1, 2, 3, 4
    // log10_cond is a mean of logs already: the geometric mean of cond
    expect(sum.log10_cond.mean).toBeCloseTo(estimate(samples.map((s) => s.stats.log10_cond)).mean, 12);
  });
});
