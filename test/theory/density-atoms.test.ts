import { describe, expect, it } from 'vitest';
import { SpecError } from '../../src/spec/errors.js';
import { DENSITY_MAX_DEPTH, fixedPoint, gaussianMoments, spectralDensity, type SpectralDensityGrid } from '../../src/theory/index.js';
import { measureSeed } from '../../src/measure/run-spectrum.js';
import { resolveQ0 } from '../../src/measure/analyze.js';
import type { NetworkSpec } from '../../src/spec/types.js';

/** hard-tanh's critical point at sigma_b = 0.05 (the configuration) */
const G = 1.0088534851738018;
const SB = 0.05;
const qStar = (): number => {
  const fp = fixedPoint('hard-tanh', { sigmaW: G, sigmaB: SB });
  if (fp.kind !== 'point') throw new Error('no fixed point');
  return fp.q;
};

const grid = (d: ReturnType<typeof spectralDensity>): SpectralDensityGrid => {
  if (d.kind !== 'density') throw new Error('expected a density');
  return d;
};

/** mean and standard error over seeds */
const meanSe = (v: number[]): { mean: number; se: number } => {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const ss = v.reduce((a, b) => a + (b - mean) ** 2, 0);
  return { mean, se: Math.sqrt(ss / (v.length - 1) / v.length) };
};

describe('orthogonal hard-tanh: the atom at g^(2L) (it used to be missing: mass 0.874, m1 0.695 at L = 50)', () => {
  const q = qStar();
  const p = gaussianMoments('hard-tanh', q).mu1; // P(phi' = 1)

  it('L = 50: atom 1 - L(1-p) at lambda = g^(2L) exactly, mass 1 (1e-7), m1 = prod chi = (g^2 p)^L (relative 1e-7), bulk below a gap', () => {
    const L = 50;
    const d = grid(spectralDensity({ activation: 'hard-tanh', init: 'orthogonal', depth: L, sigmaW: G, q }));
    expect(Math.abs(d.atomAtTop - (1 - L * (1 - p)))).toBeLessThan(1e-15);
    expect(d.atomAtTop).toBeGreaterThan(0.12);
    expect(Math.abs(d.lnLambdaTop - 2 * L * Math.log(G))).toBeLessThan(1e-12);
    expect(d.lnContinuousTop).toBeLessThan(d.lnLambdaTop - 1e-3);
    expect(Math.abs(d.atomAtZero - (1 - p))).toBeLessThan(1e-15);
    expect(Math.abs(d.massOnGrid - 1)).toBeLessThan(1e-7);
    const m1 = Math.exp(L * (2 * Math.log(G) + Math.log(p)));
    expect(Math.abs(d.m1 / m1 - 1)).toBeLessThan(1e-7);
  });

  // At L = 57 the atom is 0.004 and the gap below it only 8e-6 wide in ln lambda: the continuous
  // density spikes at its edge on a scale finer than the grid, so there the tolerance is 1e-3
  // (measured error 6e-5 in mass, 2e-4 in m1); elsewhere 1e-6.
  it('every depth where the atom exists (20 ... 57) and just beyond (58, 60): mass 1 and m1 = prod chi (1e-6; 1e-3 at 57)', () => {
    for (const L of [20, 35, 55, 57, 58, 60]) {
      const d = grid(spectralDensity({ activation: 'hard-tanh', init: 'orthogonal', depth: L, sigmaW: G, q }));
      const tol = L === 57 ? 1e-3 : 1e-6;
      expect(Math.abs(d.atomAtTop - Math.max(0, 1 - L * (1 - p)))).toBeLessThan(1e-15);
      expect(Math.abs(d.massOnGrid - 1)).toBeLessThan(tol);
      expect(Math.abs(d.m1 / Math.exp(L * (2 * Math.log(G) + Math.log(p))) - 1)).toBeLessThan(tol);
    }
  });

  it('Gaussian weights have no top atom (no invariant subspace) and still mass 1', () => {
    const d = grid(spectralDensity({ activation: 'hard-tanh', init: 'gaussian', depth: 50, sigmaW: G, q }));
    expect(d.atomAtTop).toBe(0);
    expect(Math.abs(d.massOnGrid - 1)).toBeLessThan(1e-6);
  });

  // Measured: singular values equal to g^L to 1e-8 (the dense product resolves them to ~1e-14).
  // Per net the fraction is max(0, 1 - sum_l k_l/N) (k_l dead units of layer l); its mean over 10
  // nets (N = 128, seeds 0-9) against the atom, within 3 standard errors.
  it('the fraction of measured singular values at g^L matches the atom (N = 128, L = 50, 10 nets, 3 stderr)', () => {
    const spec: NetworkSpec = { activation: 'hard-tanh', init: 'orthogonal', depth: 50, width: 128, gain: G, biasStd: SB, q0: 'fixed-point', seed: 0, seeds: 10 };
    const q0 = resolveQ0(spec);
    const lnTop = spec.depth * Math.log(G);
    const fractions: number[] = [];
    for (let seed = 0; seed < spec.seeds; seed++) {
      const s = measureSeed(spec, q0, seed);
      let at = 0;
      for (const v of s.logSingularValues) if (Math.abs(v - lnTop) < 1e-8) at++;
      fractions.push(at / spec.width);
    }
    const { mean, se } = meanSe(fractions);
    const atom = 1 - spec.depth * (1 - p);
    expect(se).toBeGreaterThan(0);
    expect(Math.abs(mean - atom)).toBeLessThan(3 * se);
  });
});

describe('relu atoms', () => {
  it('L = 1 orthogonal: atoms 1/2 at 0 and 1/2 at g^2, nothing continuous; measured fractions over 16 nets (N = 64) within 3 stderr', () => {
    const g = Math.SQRT2;
    const d = grid(spectralDensity({ activation: 'relu', init: 'orthogonal', depth: 1, sigmaW: g, q: 1 }));
    expect(d.atomAtZero).toBe(0.5);
    expect(Math.abs(d.atomAtTop - 0.5)).toBeLessThan(1e-15);
    // the grid holds only the eta-Lorentzian leftovers next to the atom (1e-8)
    expect(Math.abs(d.massOnGrid - 1)).toBeLessThan(1e-7);
    expect(Math.abs(d.m1 - 1)).toBeLessThan(1e-7); // g^2 / 2
    const spec: NetworkSpec = { activation: 'relu', init: 'orthogonal', depth: 1, width: 64, gain: g, biasStd: 0, q0: 1, seed: 0, seeds: 16 };
    const atTop: number[] = [];
    const atZero: number[] = [];
    for (let seed = 0; seed < spec.seeds; seed++) {
      const s = measureSeed(spec, 1, seed);
      let top = 0;
      for (const v of s.logSingularValues) if (Math.abs(v - Math.log(g)) < 1e-8) top++;
      atTop.push(top / spec.width);
      atZero.push((spec.width - s.rank) / spec.width);
    }
    for (const [frac, atom] of [[atTop, d.atomAtTop], [atZero, d.atomAtZero]] as const) {
      const { mean, se } = meanSe(frac);
      expect(Math.abs(mean - atom)).toBeLessThan(3 * se);
    }
  });

  it('L = 10 orthogonal: no top atom (1 - L/2 < 0), atom 1/2 at 0, mass 1 and m1 = (g^2/2)^L (1e-7)', () => {
    const d = grid(spectralDensity({ activation: 'relu', init: 'orthogonal', depth: 10, sigmaW: 1.5, q: 1 }));
    expect(d.atomAtTop).toBe(0);
    expect(d.atomAtZero).toBe(0.5);
    expect(Math.abs(d.massOnGrid - 1)).toBeLessThan(1e-7);
    expect(Math.abs(d.m1 / (1.125 ** 10) - 1)).toBeLessThan(1e-7);
  });
});

describe('density moments in log space', () => {
  it('relu at gain 100, L = 100: m1 = 5000^100 overflows, ln m1 = 100 ln 5000 (relative 1e-9); gain 1e-4 hard-tanh underflows, ln m1 = L ln chi', () => {
    const d = grid(spectralDensity({ activation: 'relu', init: 'orthogonal', depth: 100, sigmaW: 100, q: 1 }));
    expect(Math.abs(d.lnM1 / (100 * Math.log(5000)) - 1)).toBeLessThan(1e-9);
    const q = fixedPoint('hard-tanh', { sigmaW: 1e-4, sigmaB: 1 });
    const qq = (q as { q: number }).q;
    const h = grid(spectralDensity({ activation: 'hard-tanh', init: 'orthogonal', depth: 100, sigmaW: 1e-4, q: qq }));
    const lnChi = 2 * Math.log(1e-4) + Math.log(gaussianMoments('hard-tanh', qq).mu1);
    expect(Math.abs(h.lnM1 / (100 * lnChi) - 1)).toBeLessThan(1e-9);
  });
});

describe('the density depth limit', () => {
  it(`refuses depth > ${DENSITY_MAX_DEPTH} with a SpecError that names the limit`, () => {
    const call = (): unknown => spectralDensity({ activation: 'tanh', init: 'orthogonal', depth: DENSITY_MAX_DEPTH + 1, sigmaW: 1.1, q: 0.2 });
    expect(call).toThrow(SpecError);
    expect(call).toThrow(String(DENSITY_MAX_DEPTH));
  });

  it('answers at the limit: relu and hard-tanh at L = 500, mass 1 (1e-6)', () => {
    for (const [act, g, q] of [['relu', Math.SQRT2, 1], ['hard-tanh', G, qStar()]] as const) {
      for (const init of ['orthogonal', 'gaussian'] as const) {
        const d = grid(spectralDensity({ activation: act, init, depth: DENSITY_MAX_DEPTH, sigmaW: g, q }));
        expect(Math.abs(d.massOnGrid - 1)).toBeLessThan(1e-6);
      }
    }
  });
});
