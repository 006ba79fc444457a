import { describe, expect, it } from 'vitest';
import { parseArch } from '../../src/spec/arch.js';
import { resolveSpec } from '../../src/spec/validate.js';
import { meanFieldLnM1, meanFieldM1Gain } from '../../src/sweep/mean-field.js';
import { brentRoot } from '../../src/numeric/roots.js';
import { SpecError } from '../../src/spec/errors.js';
import type { SweepPoint } from '../../src/sweep/grid.js';

/** check's mean-field first guess (src/sweep/mean-field.ts): the lowest root of the theory's ln m1 on a gain grid. */
const linearList = () => resolveSpec({ arch: parseArch('32>32:linear x 200'), seeds: 1, seed: 0 }).arch!;
const GRID = Array.from({ length: 61 }, (_, i) => Number((0.1 * 100 ** (i / 60)).toPrecision(6)));

describe('meanFieldM1Gain', () => {
  it('gives, bit for bit, the root of the grid read whole (the first bracket, refined by Brent to 1e-12)', () => {
    for (const [activation, depth, biasStd] of [['tanh', 60, 0], ['tanh', 10, 0.3], ['erf', 100, 0.05]] as const) {
      const point: SweepPoint = { activation, init: 'orthogonal', biasStd, depth };
      const f = GRID.map((g) => meanFieldLnM1(point, 1, g));
      const i = f.findIndex((v, k) => k + 1 < f.length && v * f[k + 1] < 0);
      expect(i).toBeGreaterThan(0);
      const want = brentRoot((g) => meanFieldLnM1(point, 1, g), GRID[i], GRID[i + 1], f[i], f[i + 1], 1e-12).x;
      expect(meanFieldM1Gain(point, 1, GRID)).toEqual({ gain: want, note: '' });
    }
  });

  it('is not lost to gains above the root where the theory overflows (deep linear list: exactly 1)', () => {
    const arch = linearList();
    const point: SweepPoint = { activation: 'linear', init: 'orthogonal', biasStd: 0, depth: 200, arch };
    // the premise: the grid's top gains overflow q in float64
    expect(() => meanFieldLnM1(point, 1, GRID[GRID.length - 1])).toThrow(SpecError);
    const r = meanFieldM1Gain(point, 1, GRID);
    expect(r.note).toBe('');
    expect(Math.abs(r.gain! - 1)).toBeLessThan(1e-12);
  });

  it('says why when the theory fails below any root, and where the curve has none', () => {
    const arch = linearList();
    const point: SweepPoint = { activation: 'linear', init: 'orthogonal', biasStd: 0, depth: 200, arch };
    expect(meanFieldM1Gain(point, 1, [5, 7, 9]).note).toMatch(/^mean field unavailable: q\^\d+ = .* overflows float64/);
    const tanh: SweepPoint = { activation: 'tanh', init: 'orthogonal', biasStd: 0, depth: 20 };
    expect(meanFieldM1Gain(tanh, 1, [0.5, 0.7, 0.9])).toEqual({ gain: null, note: 'no mean-field root in [0.5, 0.9]: predicted ln m1 < 0 everywhere' });
    expect(meanFieldM1Gain(tanh, 1, [2, 3, 4])).toEqual({ gain: null, note: 'no mean-field root in [2, 4]: predicted ln m1 > 0 everywhere' });
  });
});
