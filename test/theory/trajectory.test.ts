import { describe, expect, it } from 'vitest';
import { criticalPoint } from '../../src/theory/critical.js';
import { fixedPoint } from '../../src/theory/fixed-point.js';
import { gaussianMoments } from '../../src/theory/gaussian-moments.js';
import { meanFieldTrajectory } from '../../src/theory/trajectory.js';
import { SpecError } from '../../src/spec/errors.js';

describe('finite-depth mean-field trajectory', () => {
  it('q^1 = sigma_w^2 q0 + sigma_b^2 (input not passed through phi), then q^l = V(q^{l-1})', () => {
    const t = meanFieldTrajectory({ activation: 'tanh', sigmaW: 1.3, sigmaB: 0.2, depth: 3, q0: 1 });
    expect(t.q[0]).toBeCloseTo(1.69 + 0.04, 15);
    expect(t.q[1]).toBeCloseTo(1.69 * gaussianMoments('tanh', t.q[0]).ePhi2 + 0.04, 15);
    expect(t.chi[2]).toBeCloseTo(1.69 * gaussianMoments('tanh', t.q[2]).mu1, 15);
  });

  it('m1 = prod chi_l; the gradient norm profile is (1/2) ln prod_{k=l}^{L-1} chi_k', () => {
    const t = meanFieldTrajectory({ activation: 'tanh', sigmaW: 1.1, sigmaB: 0.05, depth: 7, q0: 2 });
    const prod = t.chi.reduce((a, b) => a * b, 1);
    expect(t.m1 / prod - 1).toBeCloseTo(0, 13);
    expect(t.lnM1).toBeCloseTo(Math.log(prod), 13);
    expect(t.lnGradNormProfile[6]).toBe(0);
    expect(t.lnGradNormProfile[5]).toBeCloseTo(Math.log(t.chi[5]) / 2, 14);
    expect(t.lnGradNormProfile[0]).toBeCloseTo(Math.log(prod / t.chi[6]) / 2, 13);
    expect(t.lnGradNormRatio).toBe(t.lnGradNormProfile[0]);
  });

  it('ln m1 stays finite where m1 over/underflows', () => {
    const t = meanFieldTrajectory({ activation: 'linear', sigmaW: 0.5, sigmaB: 0, depth: 2000, q0: 1 });
    expect(t.m1).toBe(0);
    expect(t.lnM1).toBeCloseTo(2000 * Math.log(0.25), 9);
  });

  it("q0 = 'fixed-point' starts at q*, so every layer sits there", () => {
    const p = criticalPoint('tanh', 0.05);
    const t = meanFieldTrajectory({ activation: 'tanh', sigmaW: p.sigmaW, sigmaB: 0.05, depth: 20, q0: 'fixed-point' });
    expect(t.q0).toBeCloseTo((0.153691935821 - 0.0025) / p.sigmaW2, 10);
    for (const q of t.q) expect(Math.abs(q - (p.q as number))).toBeLessThan(1e-12);
    expect(Math.abs(t.lnM1)).toBeLessThan(1e-10); // chi = 1 at every layer
    expect(() => meanFieldTrajectory({ activation: 'relu', sigmaW: 2, sigmaB: 0, depth: 3, q0: 'fixed-point' })).toThrow(SpecError);
  });

  it('var_sq_norm: Gaussian minus orthogonal is exactly L (s1 = -1 vs 0); linear orthogonal is 0, linear Gaussian is L', () => {
    const t = meanFieldTrajectory({ activation: 'tanh', sigmaW: 1.2, sigmaB: 0.1, depth: 40, q0: 1 });
    expect(t.varSqNorm.gaussian - t.varSqNorm.orthogonal).toBeCloseTo(40, 10);
    const lin = meanFieldTrajectory({ activation: 'linear', sigmaW: 1.3, sigmaB: 0, depth: 25, q0: 1 });
    expect(lin.varSqNorm).toEqual({ orthogonal: 0, gaussian: 25 });
    // ReLU: mu2/mu1^2 - 1 = (1/2)/(1/4) - 1 = 1 per layer: L (orthogonal), 2L (Gaussian), docs/science.md 6
    const relu = meanFieldTrajectory({ activation: 'relu', sigmaW: Math.SQRT2, sigmaB: 0, depth: 30, q0: 1 });
    expect(relu.varSqNorm).toEqual({ orthogonal: 30, gaussian: 60 });
  });

  it('small-q asymptotics: per layer mu2/mu1^2 - 1 = 8 q^2 (1 + O(q)) for tanh (the 8 of docs/science.md 6 is exact)', () => {
    // sech^4 h = 1 - 2h^2 + O(h^4), so Var(sech^4)/mu1^2 = 4 Var(h^2) + O(q^3) = 8 q^2 + O(q^3);
    // mpmath: ratio / q^2 = 7.2732 (q = 1e-2), 7.92080 (1e-3), 7.992008 (1e-4): 8 (1 - 9.1 q)
    for (const [q, ref] of [[1e-2, 7.27323740496], [1e-3, 7.9208020453], [1e-4, 7.99200809796]]) {
      const m = gaussianMoments('tanh', q);
      const perLayer = m.mu2 / (m.mu1 * m.mu1) - 1;
      // relative 1e-7 at q = 1e-4: the difference of two O(1) numbers leaves 1e-16/8e-8 ~ 1e-9
      expect(Math.abs(perLayer / q ** 2 / ref - 1), `q=${q}`).toBeLessThan(1e-7);
    }
    // at a stationary q*: var_sq_norm(orthogonal) = L * per-layer value ~ 8 L q*^2
    const p = criticalPoint('tanh', 0.01);
    const t = meanFieldTrajectory({ activation: 'tanh', sigmaW: p.sigmaW, sigmaB: 0.01, depth: 100, q0: 'fixed-point' });
    const q = p.q as number;
    expect(t.varSqNorm.orthogonal / (800 * q * q)).toBeGreaterThan(1 - 10 * q);
    expect(t.varSqNorm.orthogonal / (800 * q * q)).toBeLessThan(1);
  });

  it('docs/science.md 9: at the sigma_b = 0.05 critical point, depth-100 orthogonal tanh has var_sq_norm ~ 7', () => {
    const p = criticalPoint('tanh', 0.05);
    const t = meanFieldTrajectory({ activation: 'tanh', sigmaW: p.sigmaW, sigmaB: 0.05, depth: 100, q0: 'fixed-point' });
    expect(t.varSqNorm.orthogonal).toBeGreaterThan(6.5);
    expect(t.varSqNorm.orthogonal).toBeLessThan(7.5);
  });

  it('tanh at g = 1, sigma_b = 0: q^l ~ 1/(2l) and m1 ~ C/L (algebraic, docs/science.md 5)', () => {
    const t = meanFieldTrajectory({ activation: 'tanh', sigmaW: 1, sigmaB: 0, depth: 20000, q0: 1 });
    // 1/q^l = 2l - (5/6) ln l + C: at l = 1e4 and 2e4 the relative correction is < 1e-3
    expect(Math.abs(2 * 10000 * t.q[9999] - 1)).toBeLessThan(1e-3);
    expect(Math.abs(2 * 20000 * t.q[19999] - 1)).toBeLessThan(1e-3);
    const m1At = (L: number): number => Math.exp(2 * (t.lnGradNormProfile[0] - t.lnGradNormProfile[L - 1]) + Math.log(t.chi[L - 1]));
    // L m1(L) tends to a constant: (ln L corrections) within 1% between L = 1e4 and 2e4
    expect(Math.abs((20000 * m1At(20000)) / (10000 * m1At(10000)) - 1)).toBeLessThan(1e-2);
  });

  it('rejects bad depth and q0 with SpecError', () => {
    expect(() => meanFieldTrajectory({ activation: 'tanh', sigmaW: 1, sigmaB: 0, depth: 0, q0: 1 })).toThrow(SpecError);
    expect(() => meanFieldTrajectory({ activation: 'tanh', sigmaW: 1, sigmaB: 0, depth: 3, q0: -1 })).toThrow(SpecError);
    expect(fixedPoint('tanh', { sigmaW: 1, sigmaB: 0 })).toEqual({ kind: 'point', q: 0, slope: 1 });
  });
});
