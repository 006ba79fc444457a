import { describe, it, expect } from 'vitest';
import { denseFindings, orthogonalityDefect } from '../../src/audit/findings.js';
import { sampleDenseWeights } from '../../src/network/sampler.js';

/** eoc audit's per-layer findings (issue 15, first step): known answers on eoc's own draws. */
describe('dense-layer findings', () => {
  it('a scaled orthogonal layer (square and semi-orthogonal): effective gain g within 1%, defect 0 to 1e-14', () => {
    for (const [r, c] of [[64, 64], [32, 96], [96, 32]] as [number, number][]) {
      const w = sampleDenseWeights('orthogonal', r, c, 3, 0);
      const g = 1.7;
      const scaled = { ...w, data: w.data.map((v) => g * v) };
      const f = denseFindings(scaled);
      expect(f.flags).toEqual([]);
      expect(f.orthogonalityDefect, `${r} x ${c}`).toBeLessThan(1e-14);
      // std * sqrt(fan_in): g for square and wide O; g sqrt(cols/rows) for tall (orthonormal columns);
      // the entry mean is ~1/N, not exactly 0, so std is g/sqrt(cols) to about 1e-3
      const want = r <= c ? g : g * Math.sqrt(c / r);
      expect(Math.abs(f.effectiveGain / want - 1), `${r} x ${c}`).toBeLessThan(0.01);
    }
  });

  it('a Gaussian layer: effective gain g within 4 standard errors, defect near sqrt(k / long side)', () => {
    const w = sampleDenseWeights('gaussian', 128, 256, 5, 1); // N(0, 1/fan_in)
    const f = denseFindings({ ...w, data: w.data.map((v) => 0.8 * v) });
    // std of n i.i.d. normals has relative standard error 1/sqrt(2n)
    expect(Math.abs(f.effectiveGain / 0.8 - 1)).toBeLessThan(4 / Math.sqrt(2 * 128 * 256));
    // Marchenko-Pastur: E ||G/g^2 - I||_F^2 / k -> k / long side = 0.5; 8 seeds at 128 x 256 measured
    // 0.699 to 0.721 (sqrt(0.5) = 0.7071), so 5% is several times the spread
    expect(Math.abs(f.orthogonalityDefect / Math.sqrt(0.5) - 1)).toBeLessThan(0.05);
  });

  it('flags a NaN, an all-zero layer, a constant layer and duplicated rows; bias std and a NaN bias', () => {
    const w = sampleDenseWeights('gaussian', 8, 8, 1, 0);
    const nanW = { ...w, data: Float64Array.from(w.data) };
    nanW.data[5] = NaN;
    nanW.data[6] = Infinity;
    expect(denseFindings(nanW).flags).toEqual([{ kind: 'non-finite', count: 2, nan: 1 }]);
    expect(Number.isNaN(denseFindings(nanW).effectiveGain)).toBe(true);
    expect(denseFindings({ rows: 4, cols: 4, data: new Float64Array(16) }).flags).toEqual([{ kind: 'all-zero' }]);
    expect(denseFindings({ rows: 2, cols: 3, data: new Float64Array(6).fill(0.1) }).flags).toEqual([{ kind: 'constant', value: 0.1 }]);
    const dup = { ...w, data: Float64Array.from(w.data) };
    dup.data.copyWithin(3 * 8, 1 * 8, 2 * 8);
    expect(denseFindings(dup).flags).toEqual([{ kind: 'duplicate-rows', pairs: 1, first: [1, 3] }]);
    const f = denseFindings(w, Float64Array.from([1, -1, 1, -1, NaN, 1, -1, 1]));
    expect(f.flags).toEqual([{ kind: 'non-finite-bias', count: 1 }]);
    expect(denseFindings(w, Float64Array.from([1, -1, 1, -1])).biasStd).toBe(1);
    expect(Number.isNaN(orthogonalityDefect({ rows: 2, cols: 2, data: new Float64Array(4) }))).toBe(true);
  });
});
