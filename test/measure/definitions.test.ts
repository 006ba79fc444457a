import { describe, expect, it } from 'vitest';
import { faithfulRange, type GainSummary } from '../../src/report/analysis.js';
import { classify, DEFAULT_THRESHOLDS, faithfulMargin, faithfulRule, FAITHFUL_RULE, lnGradNormRatio, verdictOf } from '../../src/measure/definitions.js';

const LN2 = Math.LN2;
const up = (x: number) => x + Math.abs(x) * Number.EPSILON * 2; // the next doubles above/below
const down = (x: number) => x - Math.abs(x) * Number.EPSILON * 2;

describe('the faithful definition (src/measure/definitions.ts)', () => {
  it('states the default rule in one line', () => {
    expect(FAITHFUL_RULE).toBe(
      'faithful = |ln m1| <= ln 2 and std ln s <= ln 2 (m1 within [1/2, 2], typical s within a factor 2 of their geometric mean)',
    );
    expect(faithfulRule({ tolM1: 0.1, tolSpread: 1 })).toBe(
      'faithful = |ln m1| <= 0.1 and std ln s <= 1 (m1 within [0.9048, 1.105], typical s within a factor 2.718 of their geometric mean)',
    );
  });

  it('boundaries are inclusive: |ln m1| = tol_m1 and std ln s = tol_spread pass; one ulp beyond fails', () => {
    expect(classify(LN2, LN2)).toBe('faithful');
    expect(classify(-LN2, LN2)).toBe('faithful');
    expect(classify(0, 0)).toBe('faithful');
    expect(classify(up(LN2), 0)).toBe('exploding');
    expect(classify(-up(LN2), 0)).toBe('vanishing');
    expect(classify(0, up(LN2))).toBe('anisotropic');
    expect(classify(down(LN2), down(LN2))).toBe('faithful');
  });

  it('m1 is tested before the spread: a vanishing or exploding net is that, whatever its spread', () => {
    expect(classify(-5, 0)).toBe('vanishing');
    expect(classify(-5, 10)).toBe('vanishing');
    expect(classify(5, 10)).toBe('exploding');
    expect(classify(0.5, 10)).toBe('anisotropic');
  });

  it('NaN never passes', () => {
    expect(classify(NaN, 0)).toBe('vanishing');
    expect(classify(0, NaN)).toBe('anisotropic');
  });

  it('custom thresholds move the boundaries', () => {
    const t = { tolM1: 0.1, tolSpread: 2 };
    expect(classify(0.1, 2, t)).toBe('faithful');
    expect(classify(0.2, 0, t)).toBe('exploding');
    expect(classify(0, 2.5, t)).toBe('anisotropic');
  });

  it('faithfulMargin >= 0 exactly when the verdict is faithful', () => {
    for (const lnM1 of [-1, -LN2, -0.3, 0, 0.3, LN2, up(LN2), 1])
      for (const std of [0, 0.3, LN2, up(LN2), 1]) {
        expect(faithfulMargin(lnM1, std) >= 0, `${lnM1} ${std}`).toBe(classify(lnM1, std) === 'faithful');
      }
  });

  it('verdictOf gives the same verdict with the numbers in words', () => {
    const v = verdictOf(0.1, 1.5, DEFAULT_THRESHOLDS);
    expect(v.verdict).toBe('anisotropic');
    expect(v.reason).toContain('std(ln s) = 1.5 > 0.6931');
  });
});

describe('the gradient-ratio convention: ln(|delta^1| / |delta^L|), norms', () => {
  it('first minus last of a log-norm profile', () => {
    expect(lnGradNormRatio([3, 2, 1, 0.5])).toBe(2.5);
    expect(lnGradNormRatio([-4])).toBe(0);
  });
});

describe("the report's faithful range uses the same definition", () => {
  it('orthogonal linear, L = 8: faithful exactly where |2 L ln g| <= ln 2, i.e. g in [2^(-1/16), 2^(1/16)]', () => {
    const L = 8;
    const est = (mean: number) => ({ mean, stderr: 0, n: 3 });
    const summaries = Array.from({ length: 21 }, (_, i) => 0.9 + 0.01 * i).map((gain) => {
      const lnM1 = 2 * L * Math.log(gain);
      return {
        activation: 'linear' as const,
        init: 'orthogonal' as const,
        gain,
        refined: false,
        stats: { ln_m1: est(lnM1), std_log: est(0) } as unknown as GainSummary['stats'],
        verdict: classify(lnM1, 0),
        q: [],
        logGradNorm: [],
        logWeightGradNorm: [],
      };
    });
    const r = faithfulRange(summaries, 'linear', 'orthogonal')!;
    // the ends are linear interpolations of the margin ln 2 - |16 ln g| between gains 0.01 apart:
    // its curvature (16/g^2) bounds the error by 16 * 0.01^2 / 8 / 16 ~ 1e-5 in g
    expect(Math.abs(r[0] - 2 ** (-1 / 16))).toBeLessThan(2e-5);
    expect(Math.abs(r[1] - 2 ** (1 / 16))).toBeLessThan(2e-5);
    // a spread above ln 2 everywhere: anisotropic at every gain, no range
    const spread = summaries.map((s) => ({ ...s, stats: { ...s.stats, std_log: est(1) } }));
    expect(faithfulRange(spread, 'linear', 'orthogonal')).toBeNull();
  });
});
