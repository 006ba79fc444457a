import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gemv } from '../../src/linalg/gemm.js';
import { dot } from '../../src/linalg/vector.js';
import { sampleBaseDraws } from '../../src/network/sampler.js';
import { fillNormal, normalStream } from '../../src/random/streams.js';
import {
  correlationFixedPoint,
  correlationMap,
  correlationTrajectory,
  gaussianPairExpectation,
  pairExpectationClosedForm,
  pairExpectationQuadrature,
} from '../../src/theory/correlation.js';
import { criticalPoint } from '../../src/theory/critical.js';
import { fixedPoint } from '../../src/theory/fixed-point.js';
import { meanFieldPoint } from '../../src/theory/phase.js';
import { activation } from '../../src/activations/registry.js';

interface RefPair {
  activation: string;
  q: number;
  c: number;
  phiPhi: number;
  dphiDphi: number;
}
interface RefFixed {
  activation: string;
  sigmaW: number;
  sigmaB: number;
  q: number;
  chi1: number;
  cStar: number;
  chiC: number;
  xiC: number;
}
const REF = JSON.parse(readFileSync(new URL('../fixtures/correlation_reference.json', import.meta.url), 'utf8')) as {
  pairs: RefPair[];
  fixedPoints: RefFixed[];
};

describe('the 2-D Gaussian expectation', () => {
  // Tolerance 1e-10 absolute (scaled by q for the unbounded ones); measured <= 4e-15 everywhere here.
  // The deficits (1/2) E[(phi(u1) - phi(u2))^2] are checked relative, 1e-10 (measured <= 3e-14 at
  // 1 - c = 1e-6, ~2e-11 at 1 - c = 1e-12, where phi(u1) - phi(u2) itself loses digits).
  const cs = [-1, -0.9, -0.3, 0, 0.5, 0.9, 0.999999, 1 - 1e-12, 1];
  for (const name of ['relu', 'leaky-relu(0.2)', 'erf', 'linear']) {
    it(`${name}: generic rule = closed form at c in [-1, 1], including c = 0.999999 and -0.9`, () => {
      for (const q of [0.3, 1, 4.7]) {
        for (const c of cs) {
          const g = pairExpectationQuadrature(name, q, c);
          const f = pairExpectationClosedForm(name, q, c)!;
          const scale = Math.max(1, q);
          expect(Math.abs(g.phiPhi - f.phiPhi), `${name} q=${q} c=${c}`).toBeLessThan(1e-10 * scale);
          expect(Math.abs(g.dphiDphi - f.dphiDphi), `${name} q=${q} c=${c}`).toBeLessThan(1e-10);
          if (c < 1) expect(Math.abs(g.phiDeficit - f.phiDeficit)).toBeLessThanOrEqual(1e-10 * f.phiDeficit);
          if (c < 1 && f.dphiDeficit > 0) expect(Math.abs(g.dphiDeficit - f.dphiDeficit)).toBeLessThanOrEqual(1e-10 * f.dphiDeficit);
        }
      }
    });
  }

  it('relu closed form: the arc-cosine kernel and its special values', () => {
    const q = 2.5;
    const r0 = pairExpectationClosedForm('relu', q, 0)!;
    expect(r0.phiPhi).toBeCloseTo(q / (2 * Math.PI), 15); // (E relu)^2 = q/(2 pi)
    expect(r0.dphiDphi).toBeCloseTo(0.25, 15);
    const r1 = pairExpectationClosedForm('relu', q, 1)!;
    expect(r1.phiPhi).toBeCloseTo(q / 2, 15);
    expect(pairExpectationClosedForm('relu', q, -1)!.phiPhi).toBeCloseTo(0, 15);
    expect(pairExpectationClosedForm('tanh', q, 0.5)).toBeUndefined();
    expect(gaussianPairExpectation('relu', q, 0.3)).toEqual(pairExpectationClosedForm('relu', q, 0.3));
  });

  it('smooth and kinked activations without closed forms vs mpmath (30 digits): 1e-12', () => {
    // measured: <= 2e-15 (phi phi) and 4e-14 (phi' phi') absolute
    expect(REF.pairs.length).toBeGreaterThanOrEqual(10);
    for (const p of REF.pairs) {
      const g = gaussianPairExpectation(p.activation, p.q, p.c);
      const scale = Math.max(1, p.q);
      expect(Math.abs(g.phiPhi - p.phiPhi), `${p.activation} q=${p.q} c=${p.c}`).toBeLessThan(1e-12 * scale);
      expect(Math.abs(g.dphiDphi - p.dphiDphi), `${p.activation} q=${p.q} c=${p.c}`).toBeLessThan(1e-12);
    }
  });

  it('refuses c outside [-1, 1] and negative q', () => {
    expect(() => gaussianPairExpectation('tanh', 1, 1.0000001)).toThrow();
    expect(() => gaussianPairExpectation('tanh', -1, 0.5)).toThrow();
  });
});

describe('the correlation map', () => {
  // C(1) = 1 exactly by construction; C'(1) = sigma_w^2 mu_1(q*) = chi_1 to 1e-10 (measured: to rounding)
  const cases: [string, number, number][] = [
    ['tanh', 1.5, 0.05],
    ['tanh', 0.9, 0.3],
    ['relu', 1.3, 0.1],
    ['gelu', 1.6, 0.1],
    ['silu', 1.5, 0.2],
    ['erf', 1.5, 0.1],
    ['hard-tanh', 2, 0.3],
  ];
  for (const [name, sigmaW, sigmaB] of cases) {
    it(`${name} at (${sigmaW}, ${sigmaB}): C(1) = 1 and C'(1) = chi_1 at q*`, () => {
      const fp = fixedPoint(name, { sigmaW, sigmaB });
      expect(fp.kind).toBe('point');
      if (fp.kind !== 'point') return;
      const m = correlationMap(name, { sigmaW, sigmaB }, fp.q, 1);
      const chi1 = meanFieldPoint(name, { sigmaW, sigmaB }).chi1!;
      expect(Math.abs(m.c - 1)).toBeLessThan(1e-10);
      expect(Math.abs(m.slope - chi1)).toBeLessThan(1e-10);
      // continuity into c < 1 (smooth phi: C'(c) = chi_1 - O(1 - c); kinked: O(sqrt(1 - c)))
      const near = correlationMap(name, { sigmaW, sigmaB }, fp.q, 1 - 1e-10);
      expect(Math.abs(near.slope - chi1)).toBeLessThan(1e-4);
      expect(Math.abs((1 - near.c) / 1e-10 - chi1)).toBeLessThan(1e-3);
    });
  }

  it('C(1) = 1 at any q (the denominator is V(q)), and the slope is the derivative of C', () => {
    const s = { sigmaW: 1.7, sigmaB: 0.2 };
    for (const q of [0.1, 1, 5]) {
      expect(correlationMap('tanh', s, q, 1).c).toBe(1);
      const h = 1e-5;
      const c = 0.4;
      const fd = (correlationMap('tanh', s, q, c + h).c - correlationMap('tanh', s, q, c - h).c) / (2 * h);
      expect(Math.abs(fd - correlationMap('tanh', s, q, c).slope)).toBeLessThan(1e-8);
    }
  });

  it('relu at sigma_w^2 = 2, sigma_b = 0 is the normalized arc-cosine kernel', () => {
    const s = { sigmaW: Math.SQRT2, sigmaB: 0 };
    for (const c of [-0.5, 0, 0.7]) {
      const t = Math.acos(c);
      expect(correlationMap('relu', s, 3, c).c).toBeCloseTo((Math.sqrt(1 - c * c) + (Math.PI - t) * c) / Math.PI, 14);
    }
  });
});

describe('the fixed point c*, chi_c and xi_c', () => {
  // Against mpmath (30 digits, Newton on C(c) - c from a 3-digit guess): c* to 1e-9 absolute and
  // xi_c to 1e-7 relative; measured: c* to 3e-14, xi_c to 2e-13 relative.
  for (const r of REF.fixedPoints) {
    it(`${r.activation} at (${r.sigmaW}, ${r.sigmaB}): q*, c* and xi_c vs mpmath`, () => {
      const p = correlationFixedPoint(r.activation, { sigmaW: r.sigmaW, sigmaB: r.sigmaB });
      expect(p.kind).toBe('point');
      if (p.kind !== 'point') return;
      expect(Math.abs(p.q / r.q - 1)).toBeLessThan(1e-12);
      expect(p.phase).toBe(r.chi1 > 1 ? 'chaotic' : 'ordered');
      expect(Math.abs(p.cStar - r.cStar)).toBeLessThan(1e-9);
      expect(Math.abs(p.chiC - r.chiC)).toBeLessThan(1e-10);
      expect(Math.abs(p.xiC / r.xiC - 1)).toBeLessThan(1e-7);
      expect(p.trainableDepth).toBe(6 * p.xiC);
      if (r.chi1 < 1) expect(p.cStar).toBe(1);
      else expect(p.cStar).toBeLessThan(1);
    });
  }

  it('xi_c diverges at the critical point (tanh, sigma_b = 0.05) and grows on both sides of it', () => {
    const cp = criticalPoint('tanh', 0.05);
    const at = correlationFixedPoint('tanh', { sigmaW: cp.sigmaW, sigmaB: 0.05 });
    expect(at.kind).toBe('point');
    if (at.kind !== 'point') return;
    expect(at.xiC === Infinity || at.xiC > 1e5).toBe(true);
    const xi = (w: number): number => {
      const p = correlationFixedPoint('tanh', { sigmaW: w, sigmaB: 0.05 });
      return p.kind === 'point' ? p.xiC : NaN;
    };
    for (const side of [-1, 1]) {
      const far = xi(cp.sigmaW * (1 + side * 1e-2));
      const close = xi(cp.sigmaW * (1 + side * 1e-4));
      expect(close).toBeGreaterThan(10 * far);
      expect(Number.isFinite(close)).toBe(true);
    }
    // chaotic side near criticality: c* -> 1 and chi_c -> 1 from below
    const near = correlationFixedPoint('tanh', { sigmaW: cp.sigmaW * (1 + 1e-4), sigmaB: 0.05 });
    if (near.kind !== 'point') throw new Error('no point');
    expect(near.cStar).toBeGreaterThan(0.99);
    expect(near.chiC).toBeLessThan(1);
  });

  it('odd phi at sigma_b = 0 in the chaotic phase: c* = 0', () => {
    for (const name of ['tanh', 'erf']) {
      const p = correlationFixedPoint(name, { sigmaW: 1.5, sigmaB: 0 });
      if (p.kind !== 'point') throw new Error('no point');
      expect(p.cStar).toBe(0);
      expect(p.chiC).toBeLessThan(1);
      // chi_c = sigma_w^2 (E phi')^2 at c = 0
      const eDphi = pairExpectationQuadrature(name, p.q, 0).dphiDphi;
      expect(p.chiC).toBeCloseTo(2.25 * eDphi, 14);
    }
  });

  it('homogeneous special cases and no fixed point', () => {
    const relu = correlationFixedPoint('relu', { sigmaW: Math.SQRT2, sigmaB: 0 });
    expect(relu).toMatchObject({ kind: 'point', q: 1, cStar: 1, chiC: 1, xiC: Infinity });
    expect(relu.kind === 'point' && relu.everyCorrelationFixed).toBeFalsy();
    const lin = correlationFixedPoint('linear', { sigmaW: 1, sigmaB: 0 });
    expect(lin).toMatchObject({ kind: 'point', cStar: 1, chiC: 1, xiC: Infinity, everyCorrelationFixed: true });
    // q* = 0: the map tends to the identity; gradients still vanish (chi_1 = 0.81)
    const zero = correlationFixedPoint('tanh', { sigmaW: 0.9, sigmaB: 0 });
    expect(zero).toMatchObject({ kind: 'point', q: 0, chiC: 1, xiC: Infinity, everyCorrelationFixed: true, phase: 'ordered' });
    expect(correlationFixedPoint('relu', { sigmaW: 2, sigmaB: 0.1 }).kind).toBe('none');
    const ordered = correlationFixedPoint('relu', { sigmaW: 1.3, sigmaB: 0.1 });
    expect(ordered).toMatchObject({ kind: 'point', cStar: 1, phase: 'ordered' });
    if (ordered.kind === 'point') expect(ordered.chiC).toBeCloseTo(0.845, 15);
  });

  it('is fast: correlationFixedPoint for tanh well under 50 ms', () => {
    correlationFixedPoint('tanh', { sigmaW: 1.7, sigmaB: 0.1 });
    const t0 = performance.now();
    for (const w of [1.5, 2, 2.5]) correlationFixedPoint('tanh', { sigmaW: w, sigmaB: 0.05 });
    expect((performance.now() - t0) / 3).toBeLessThan(50);
  });
});

describe('the trajectory c^l', () => {
  it('first layer without phi, then c^{l+1} = C_{q^l}(c^l), converging to c*', () => {
    const s = { sigmaW: 2, sigmaB: 0.3 };
    const t = correlationTrajectory('tanh', s, 300, 1, 0.5); // chi_c = 0.86: 0.86^300 ~ 1e-20
    expect(t.q[0]).toBeCloseTo(4.09, 14);
    expect(t.c[0]).toBeCloseTo((4 * 0.5 + 0.09) / 4.09, 14);
    expect(t.c[1]).toBe(correlationMap('tanh', s, t.q[0], t.c[0]).c);
    const p = correlationFixedPoint('tanh', s);
    if (p.kind !== 'point') throw new Error('no point');
    expect(Math.abs(t.c[299] - p.cStar)).toBeLessThan(1e-12);
    // ordered: c^l -> 1
    const o = correlationTrajectory('tanh', { sigmaW: 0.9, sigmaB: 0.3 }, 200, 1, 0.2);
    expect(1 - o.c[199]).toBeLessThan(1e-8);
  });

  // Finite-width check: orthogonal tanh nets, N = 256, L = 20, 8 seeds; the two inputs have
  // |x|^2/N = q0 = 1 and correlation exactly c0 (Gram-Schmidt). Measured c^l (pre-activations) vs
  // correlationTrajectory: |mean - theory| <= 4 standard errors + 0.01 (the 0.01 for O(1/N) finite-width bias).
  it('matches sampled orthogonal tanh networks (ordered and chaotic) within 4 SE + 0.01', () => {
    const N = 256;
    const L = 20;
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8];
    const points: [number, number][] = [
      [0.9, 0.3], // ordered
      [2.0, 0.3], // chaotic
    ];
    const c0s = [0.5, 0.9];
    const tanh = activation('tanh');
    // measured[point][c0][seed][layer]
    const measured = points.map(() => c0s.map(() => [] as number[][]));
    for (const seed of seeds) {
      const draws = sampleBaseDraws('orthogonal', N, L, seed);
      const u = draws.inputDirection;
      const w = fillNormal(new Float64Array(N), normalStream(seed, 'pair'));
      const proj = dot(w, 0, u, 0, N);
      for (let i = 0; i < N; i++) w[i] -= proj * u[i];
      const nw = Math.sqrt(dot(w, 0, w, 0, N));
      points.forEach(([g, sb], pi) => {
        c0s.forEach((c0, ci) => {
          const r = Math.sqrt(N); // q0 = 1
          const s0 = Math.sqrt(1 - c0 * c0);
          let xa = Float64Array.from(u, (v) => r * v);
          let xb = Float64Array.from(u, (v, i) => r * (c0 * v + (s0 * w[i]) / nw));
          const cs: number[] = [];
          for (let l = 0; l < L; l++) {
            const ha = gemv(draws.weights[l], xa);
            const hb = gemv(draws.weights[l], xb);
            const b = draws.biases[l];
            for (let i = 0; i < N; i++) {
              ha[i] = g * ha[i] + sb * b[i];
              hb[i] = g * hb[i] + sb * b[i];
            }
            cs.push(dot(ha, 0, hb, 0, N) / Math.sqrt(dot(ha, 0, ha, 0, N) * dot(hb, 0, hb, 0, N)));
            xa = ha.map(tanh.phi);
            xb = hb.map(tanh.phi);
          }
          measured[pi][ci].push(cs);
        });
      });
    }
    points.forEach(([g, sb], pi) => {
      c0s.forEach((c0, ci) => {
        const theory = correlationTrajectory('tanh', { sigmaW: g, sigmaB: sb }, L, 1, c0).c;
        for (let l = 0; l < L; l++) {
          const v = measured[pi][ci].map((cs) => cs[l]);
          const mean = v.reduce((a, b) => a + b, 0) / v.length;
          const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
          const se = sd / Math.sqrt(v.length);
          expect(Math.abs(mean - theory[l]), `g=${g} sb=${sb} c0=${c0} layer ${l + 1}`).toBeLessThanOrEqual(4 * se + 0.01);
        }
      });
    });
  });
});
