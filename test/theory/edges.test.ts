import { describe, expect, it } from 'vitest';
import { SpecError } from '../../src/spec/errors.js';
import { gaussianMoments } from '../../src/theory/gaussian-moments.js';
import {
  flatTailGaussianExpectations,
  smoothGaussianExpectations,
  trapezoidGaussianExpectations,
  TRAPEZOID_MAX_Q,
} from '../../src/theory/smooth-expectation.js';
import { fixedPoint, searchFixedPoint } from '../../src/theory/fixed-point.js';
import { meanFieldPoint } from '../../src/theory/phase.js';
import { findCriticalPoint } from '../../src/theory/critical.js';
import { meanFieldTrajectory } from '../../src/theory/trajectory.js';

/** tanh's four integrands, as gaussian-moments.ts writes them */
const tanhF = (h: number, out: Float64Array): void => {
  const t = Math.tanh(h);
  const s2 = 1 - t * t;
  out[0] = t * t;
  out[1] = s2 * s2;
  out[2] = s2 ** 4;
  out[3] = s2 * (1 - 3 * t * t);
};

describe('Gaussian expectations at huge q (the former hangs: q = 1e14 took 30 s, 1e16 never ended)', () => {
  // The plain rule sums up to 1e6 terms at q = 1e8: its own rounding is ~3e-13 relative (halving its
  // step moves E tanh^2 by 2.6e-13), so 1e-12 is the tolerance; the flat-tail rule sums 401 terms.
  it('the flat-tail rule equals the plain z-grid trapezoid at q = 1e4 ... 1e8 (relative 1e-12 on E tanh^2, mu_1, mu_2)', () => {
    for (const q of [1e4, 1e5, 1e6, 1e8]) {
      const plain = trapezoidGaussianExpectations(q, 4, tanhF, 0.2 / Math.sqrt(q));
      const flat = flatTailGaussianExpectations(q, 4, tanhF, 40);
      for (let j = 0; j < 3; j++) expect(Math.abs(flat[j] / plain[j] - 1)).toBeLessThan(1e-12);
      // d/dq E tanh^2 ~ q^-3/2 is a cancelling integrand: absolute 1e-17
      expect(Math.abs(flat[3] - plain[3])).toBeLessThan(1e-17);
    }
  });

  it('mu_1 at q = 1e12 and 1e300 matches its asymptote (4/3)/sqrt(2 pi q) (relative 1e-9: the next term is O(1/q))', () => {
    for (const q of [1e12, 1e300]) {
      const m = gaussianMoments('tanh', q);
      expect(Math.abs(m.mu1 / (4 / 3 / Math.sqrt(2 * Math.PI * q)) - 1)).toBeLessThan(1e-9);
      expect(m.ePhi2).toBeGreaterThan(0.99);
    }
  });

  it('costs at most 401 integrand evaluations for any q > 1e4 (bounded work: the plain grid needed 95 sqrt(q))', () => {
    for (const q of [TRAPEZOID_MAX_Q * 1.01, 1e16, 1e20, 1e300]) {
      let calls = 0;
      smoothGaussianExpectations(q, 4, (h, out) => (calls++, tanhF(h, out)), 40);
      expect(calls).toBeLessThanOrEqual(403); // 401 nodes + the two ends that give the constant
    }
  });

  it('refuses q > 1e4 for an integrand without a known flat tail, and q = Infinity always', () => {
    expect(() => smoothGaussianExpectations(1e5, 1, (_h, out) => (out[0] = 1))).toThrow(/flat/);
    expect(() => gaussianMoments('tanh', Infinity)).toThrow(/finite/);
  });
});

describe('every former hang answers or refuses, in-process', () => {
  it('tanh at gain 1e6 and 1e10: q* ~ sigma_w^2 (phi^2 -> 1), chi_1 = sigma_w^2 mu_1(q*)', () => {
    for (const g of [1e6, 1e10]) {
      const p = meanFieldPoint('tanh', { sigmaW: g, sigmaB: 0 });
      expect(p.fixedPoint.kind).toBe('point');
      const q = (p.fixedPoint as { q: number }).q;
      expect(Math.abs(q / (g * g) - 1)).toBeLessThan(1e-5);
      expect(p.lnChi1!).toBeCloseTo(Math.log(g * g * gaussianMoments('tanh', q).mu1), 10);
      expect(p.phase).toBe('chaotic');
    }
  });

  it('tanh trajectories from q0 = 1e14, 1e16, 1e20 answer with finite logs', () => {
    for (const q0 of [1e14, 1e16, 1e20]) {
      const t = meanFieldTrajectory({ activation: 'tanh', sigmaW: 1, sigmaB: 0, depth: 100, q0 });
      expect(t.q[0]).toBe(q0);
      expect(Number.isFinite(t.lnM1)).toBe(true);
      // the first layer: chi_1 = mu_1(q0) ~ (4/3)/sqrt(2 pi q0)
      expect(Math.abs(t.chi[0] / (4 / 3 / Math.sqrt(2 * Math.PI * q0)) - 1)).toBeLessThan(1e-6);
    }
  });

  it('critical point: sigma_b = 100 answers (q* ~ 1.02e4); sigma_b = 1e8 is refused with a SpecError naming --bias-std', () => {
    const r = findCriticalPoint('tanh', 100);
    expect(r.exists).toBe(true);
    if (r.exists) {
      expect(r.point.q as number).toBeGreaterThan(1e4);
      expect(r.point.q as number).toBeLessThan(1.03e4);
      const p = meanFieldPoint('tanh', { sigmaW: r.point.sigmaW, sigmaB: 100 });
      expect(Math.abs(p.chi1! - 1)).toBeLessThan(1e-9);
    }
    expect(() => findCriticalPoint('tanh', 1e8)).toThrow(SpecError);
    expect(() => findCriticalPoint('tanh', 1e8)).toThrow(/--bias-std/);
  });

  it('tanh with sigma_b = 1e8: q* = sigma_w^2 E tanh^2 + sigma_b^2 ~ 1e16 answers', () => {
    const fp = fixedPoint('tanh', { sigmaW: 1, sigmaB: 1e8 });
    expect(fp.kind).toBe('point');
    expect(Math.abs((fp as { q: number }).q / 1e16 - 1)).toBeLessThan(1e-15);
  });

  it('gains whose square overflows, and q^1 beyond float64, are SpecErrors, not Infinity/NaN', () => {
    expect(() => meanFieldPoint('tanh', { sigmaW: 1e200, sigmaB: 0 })).toThrow(SpecError);
    expect(() => meanFieldTrajectory({ activation: 'tanh', sigmaW: 1e100, sigmaB: 0, depth: 3, q0: 1e200 })).toThrow(SpecError);
  });
});

describe('the fixed-point search does not assume a bounded phi', () => {
  it('on linear/relu it finds the closed-form q* = sigma_b^2/(1 - a) where a < 1 and reports divergence where a >= 1', () => {
    for (const [act, g, a] of [['linear', 0.8, 0.64], ['relu', 1.2, 0.72]] as const) {
      const fp = searchFixedPoint(act, { sigmaW: g, sigmaB: 0.5 });
      expect(fp.kind).toBe('point');
      expect((fp as { q: number }).q).toBeCloseTo(0.25 / (1 - a), 12);
      expect((fixedPoint(act, { sigmaW: g, sigmaB: 0.5 }) as { q: number }).q).toBeCloseTo(0.25 / (1 - a), 12);
    }
    for (const [act, g] of [['linear', 1.5], ['relu', 1.5], ['relu', 3]] as const) {
      expect(searchFixedPoint(act, { sigmaW: g, sigmaB: 0.5 }).kind).toBe('divergent');
      expect(fixedPoint(act, { sigmaW: g, sigmaB: 0.5 }).kind).toBe('divergent');
    }
  });
});

describe('ln m1 in log space at tiny gains (gain 1e-300 printed ln m1 = -Infinity)', () => {
  it('linear: ln m1 = 2 L ln g exactly (relative 1e-14), also where m1 and q^l underflow', () => {
    for (const g of [1e-300, 1e-4]) {
      const L = 100;
      const t = meanFieldTrajectory({ activation: 'linear', sigmaW: g, sigmaB: 0, depth: L, q0: 1 });
      expect(Math.abs(t.lnM1 / (2 * L * Math.log(g)) - 1)).toBeLessThan(1e-14);
      expect(Math.abs(t.lnQ[L - 1] / (2 * L * Math.log(g)) - 1)).toBeLessThan(1e-14);
      // the norm ratio ln(|delta^1|/|delta^L|) = (1/2) sum_{l<L} ln chi_l = (L - 1) ln g
      expect(Math.abs(t.lnGradNormRatio / ((L - 1) * Math.log(g)) - 1)).toBeLessThan(1e-14);
      const p = meanFieldPoint('linear', { sigmaW: g, sigmaB: 0 });
      expect(Math.abs(p.lnChi1! / (2 * Math.log(g)) - 1)).toBeLessThan(1e-15);
      expect(p.xiGrad!).toBeCloseTo(1 / Math.abs(2 * Math.log(g)), 15);
    }
  });

  it('tanh: ln m1 = sum_l (2 ln g + ln mu_1(q^l)) against a direct Simpson computation of mu_1 (absolute 1e-12)', () => {
    // direct: q^{l+1} = g^2 E tanh^2(q^l), mu_1 = E sech^4, both by composite Simpson in z on [-12, 12]
    const simpson = (f: (h: number) => number, q: number): number => {
      const n = 4000;
      const dz = 24 / n;
      let s = 0;
      for (let i = 0; i <= n; i++) {
        const z = -12 + i * dz;
        const w = i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2;
        s += w * f(Math.sqrt(q) * z) * Math.exp(-0.5 * z * z);
      }
      return (s * dz) / 3 / Math.sqrt(2 * Math.PI);
    };
    for (const [g, q0] of [[1e-4, 1], [1e-300, 1], [0.5, 3]] as const) {
      const L = 30;
      const t = meanFieldTrajectory({ activation: 'tanh', sigmaW: g, sigmaB: 0, depth: L, q0 });
      let q = g * g * q0;
      let direct = 0;
      for (let l = 0; l < L; l++) {
        direct += 2 * Math.log(g) + Math.log(simpson((h) => Math.cosh(h) ** -4, q));
        q = g * g * simpson((h) => Math.tanh(h) ** 2, q);
      }
      expect(Number.isFinite(t.lnM1)).toBe(true);
      expect(Math.abs(t.lnM1 - direct)).toBeLessThan(1e-12 * Math.max(1, Math.abs(direct)));
    }
  });

  it('tanh at gain 1e-300: chi_1, xi_c and ln q^L are finite (q^L ~ g^(2L) q0)', () => {
    const p = meanFieldPoint('tanh', { sigmaW: 1e-300, sigmaB: 0 });
    expect(p.lnChi1!).toBeCloseTo(2 * Math.log(1e-300), 10);
    expect(p.xiGrad!).toBeGreaterThan(0);
    const t = meanFieldTrajectory({ activation: 'tanh', sigmaW: 1e-300, sigmaB: 0, depth: 10, q0: 1 });
    expect(t.lnQ[9] / (20 * Math.log(1e-300))).toBeCloseTo(1, 12);
  });
});
