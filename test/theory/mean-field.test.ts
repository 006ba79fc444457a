import { describe, expect, it } from 'vitest';
import { fixedPoint } from '../../src/theory/fixed-point.js';
import { chiAt, lengthMap } from '../../src/theory/length-map.js';
import { meanFieldPoint, PHASE_TOLERANCE } from '../../src/theory/phase.js';

describe('fixed point of the length map', () => {
  it('tanh, sigma_w = 1.2, sigma_b = 0: q* = 0.249513, chi_1 = 1.0335 (docs/science.md 8, quoted digits)', () => {
    const p = meanFieldPoint('tanh', { sigmaW: 1.2, sigmaB: 0 });
    if (p.fixedPoint.kind !== 'point') throw new Error('expected a point');
    // mpmath: q* = 0.249513040238, chi_1 = 1.03350146653
    expect(Math.abs(p.fixedPoint.q - 0.249513)).toBeLessThan(1e-6);
    expect(Math.abs(p.chi1! - 1.0335)).toBeLessThan(1e-4);
    expect(Math.abs(p.fixedPoint.q - 0.249513040238)).toBeLessThan(1e-11);
    expect(Math.abs(p.chi1! - 1.03350146653)).toBeLessThan(1e-10);
    expect(p.phase).toBe('chaotic');
    expect(p.xiGradKind).toBe('growth');
    expect(p.xiGrad).toBeCloseTo(1 / Math.log(p.chi1!), 12);
  });

  it('is a fixed point V(q*) = q* and attracting V\'(q*) < 1 (tanh, hard-tanh; several scales)', () => {
    for (const act of ['tanh', 'hard-tanh'] as const) {
      for (const [sigmaW, sigmaB] of [[0.5, 0.1], [1, 0.05], [1.5, 0], [1.5, 0.3], [3, 1], [1.0001, 0]]) {
        const fp = fixedPoint(act, { sigmaW, sigmaB });
        if (fp.kind !== 'point') throw new Error('expected a point');
        const v = lengthMap(act, { sigmaW, sigmaB }, fp.q);
        // relative 1e-13: Brent converges to the last ulps of G(q) = V(q)/q - 1
        expect(Math.abs(v - fp.q), `${act} ${sigmaW} ${sigmaB}`).toBeLessThanOrEqual(1e-13 * Math.max(fp.q, 1e-300));
        expect(fp.slope).toBeLessThan(1);
      }
    }
  });

  it('sigma_b = 0 in the ordered phase: q* = 0 exactly; sigma_w = 1 is critical with xi_q = xi_c = inf', () => {
    const ord = meanFieldPoint('tanh', { sigmaW: 0.9, sigmaB: 0 });
    expect(ord.fixedPoint).toEqual({ kind: 'point', q: 0, slope: 0.81 });
    expect(ord.chi1).toBeCloseTo(0.81, 15);
    expect(ord.phase).toBe('ordered');
    expect(ord.xiGradKind).toBe('decay');
    expect(ord.xiGrad).toBeCloseTo(-1 / Math.log(0.81), 12);
    const crit = meanFieldPoint('tanh', { sigmaW: 1, sigmaB: 0 });
    expect(crit.phase).toBe('critical');
    expect(crit.xiQ).toBe(Infinity);
    expect(crit.xiGrad).toBe(Infinity);
  });

  it('small nonzero q* just above sigma_w = 1 keeps its relative accuracy: q* ~ (sigma_w^2 - 1)/2', () => {
    // V(q) = w2 (q - 2 q^2 + ...) so q* = (w2 - 1)/(2 w2) + O((w2-1)^2)
    const sigmaW = Math.sqrt(1 + 1e-6);
    const fp = fixedPoint('tanh', { sigmaW, sigmaB: 0 });
    if (fp.kind !== 'point') throw new Error('expected a point');
    expect(Math.abs(fp.q / (1e-6 / 2 / (1 + 1e-6)) - 1)).toBeLessThan(1e-5);
  });

  it('linear and relu: unique point, "any", or divergent, never a garbage number', () => {
    expect(fixedPoint('linear', { sigmaW: 1, sigmaB: 0 })).toEqual({ kind: 'any' });
    expect(fixedPoint('relu', { sigmaW: Math.SQRT2, sigmaB: 0 })).toEqual({ kind: 'any' });
    expect(fixedPoint('linear', { sigmaW: 1, sigmaB: 0.1 }).kind).toBe('divergent');
    expect(fixedPoint('relu', { sigmaW: 1.5, sigmaB: 0 }).kind).toBe('divergent');
    const lin = fixedPoint('linear', { sigmaW: 0.5, sigmaB: 0.3 });
    expect(lin).toEqual({ kind: 'point', q: 0.09 / 0.75, slope: 0.25 });
    const relu = meanFieldPoint('relu', { sigmaW: 2, sigmaB: 0.1 });
    expect(relu.fixedPoint.kind).toBe('divergent');
    expect(relu.chi1).toBe(2); // mu_1 = 1/2 does not depend on q, so chi is still defined
    expect(relu.phase).toBe('chaotic');
    expect(relu.xiQ).toBeNull();
  });

  it('phase tolerance: |chi_1 - 1| <= 1e-6 is critical, 2e-6 is not', () => {
    expect(PHASE_TOLERANCE).toBe(1e-6);
    expect(meanFieldPoint('linear', { sigmaW: Math.sqrt(1 + 0.9e-6), sigmaB: 0 }).phase).toBe('critical');
    expect(meanFieldPoint('linear', { sigmaW: Math.sqrt(1 + 2e-6), sigmaB: 0 }).phase).toBe('chaotic');
    expect(meanFieldPoint('linear', { sigmaW: Math.sqrt(1 - 2e-6), sigmaB: 0 }).phase).toBe('ordered');
  });

  it('xi_q = -1/ln V\'(q*) agrees with the observed convergence rate of q^l (tanh, sigma_w 1.5, sigma_b 0.3)', () => {
    const scales = { sigmaW: 1.5, sigmaB: 0.3 };
    const p = meanFieldPoint('tanh', scales);
    if (p.fixedPoint.kind !== 'point') throw new Error('expected a point');
    let q = p.fixedPoint.q * 1.001;
    const e0 = q - p.fixedPoint.q;
    for (let l = 0; l < 5; l++) q = lengthMap('tanh', scales, q);
    // linearized: e_5 = e_0 exp(-5/xi_q); second-order terms are O(e_0) = 1e-3 relative
    expect(Math.abs((q - p.fixedPoint.q) / (e0 * Math.exp(-5 / p.xiQ!)) - 1)).toBeLessThan(5e-3);
    expect(chiAt('tanh', scales, p.fixedPoint.q)).toBe(p.chi1);
  });
});
