import erfc from '@stdlib/math-base-special-erfc';
import { describe, expect, it } from 'vitest';
import { criticalPoint } from '../../src/theory/critical.js';
import { gaussianMoments } from '../../src/theory/gaussian-moments.js';
import { spectralDensity, type SpectralDensity, type SpectralDensityGrid } from '../../src/theory/spectral-density.js';
import { S1 } from '../../src/theory/trajectory.js';

function grid(d: SpectralDensity): SpectralDensityGrid {
  if (d.kind !== 'density') throw new Error(`expected a density, got ${d.kind}`);
  return d;
}

describe('linear Gaussian nets: Fuss-Catalan (docs/science.md 7)', () => {
  // Tolerance 1e-6 (the brief's): the t-grid trapezoid is spectrally accurate at the square-root
  // edge, eta = 1e-9 smooths by O(1e-9), and the grid reaches 20(L+1)+20 units of ln(lambda) below
  // the top, where the mass left below is ~ exp(-20) (density ~ lambda^{-L/(L+1)}). Observed: ~1e-8.
  it.each([1, 5, 10])('L = %i, g = 1: mass 1, m1 = 1, m2 = L + 1 (1e-6); top edge (L+1)^(L+1)/L^L', (L) => {
    const d = grid(spectralDensity({ activation: 'linear', init: 'gaussian', depth: L, sigmaW: 1, q: 1 }));
    expect(Math.abs(d.massOnGrid - 1)).toBeLessThan(1e-6);
    expect(Math.abs(d.m1 - 1)).toBeLessThan(1e-6);
    expect(Math.abs(d.m2 - (L + 1))).toBeLessThan(1e-6);
    expect(d.topEdge).toBe('square-root');
    expect(Math.abs(d.lambdaTop / ((L + 1) ** (L + 1) / L ** L) - 1)).toBeLessThan(1e-10);
    expect(d.atomAtZero).toBe(0);
  });

  it('g = 1.05, L = 5: m1 = g^{2L}, m2 = g^{4L} (L+1) (relative 1e-6)', () => {
    const g = 1.05;
    const L = 5;
    const d = grid(spectralDensity({ activation: 'linear', init: 'gaussian', depth: L, sigmaW: g, q: 1 }));
    expect(Math.abs(d.m1 / g ** (2 * L) - 1)).toBeLessThan(1e-6);
    expect(Math.abs(d.m2 / (g ** (4 * L) * (L + 1)) - 1)).toBeLessThan(1e-6);
  });

  it('L = 1 is Marchenko-Pastur: rho = sqrt(lambda (4 - lambda)) / (2 pi lambda) pointwise (1e-7 relative)', () => {
    const d = grid(spectralDensity({ activation: 'linear', init: 'gaussian', depth: 1, sigmaW: 1, q: 1 }));
    let checked = 0;
    for (let i = 0; i < d.lambda.length; i++) {
      const l = d.lambda[i];
      if (l < 1e-6 || l > 3.99) continue;
      const mp = Math.sqrt(l * (4 - l)) / (2 * Math.PI * l);
      expect(Math.abs(d.density[i] / mp - 1), `lambda=${l}`).toBeLessThan(1e-7);
      checked++;
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('the derived densities and the CDF are consistent', () => {
    const d = grid(spectralDensity({ activation: 'linear', init: 'gaussian', depth: 3, sigmaW: 1, q: 1 }));
    for (let i = 0; i < d.lambda.length; i++) {
      expect(d.densityLnS[i]).toBeCloseTo(2 * d.densityLnLambda[i], 14);
      expect(d.densityLog10S[i]).toBeCloseTo(2 * Math.log(10) * d.densityLnLambda[i], 13);
      if (d.density[i] > 0) expect(d.density[i] * d.lambda[i]).toBeCloseTo(d.densityLnLambda[i], 12);
      if (i > 0) expect(d.cdf[i]).toBeGreaterThanOrEqual(d.cdf[i - 1]);
    }
    expect(d.cdf[d.cdf.length - 1]).toBe(1);
    expect(d.cdf[0]).toBeLessThan(1e-6);
  });
});

describe('point masses', () => {
  it('linear orthogonal: every eigenvalue is sigma_w^{2L}, reported as a flag, not a density', () => {
    const d = spectralDensity({ activation: 'linear', init: 'orthogonal', depth: 7, sigmaW: 1.1, q: 1 });
    expect(d.kind).toBe('point-mass');
    if (d.kind === 'point-mass') expect(d.lambda).toBeCloseTo(1.1 ** 14, 12);
    expect(spectralDensity({ activation: 'tanh', init: 'orthogonal', depth: 3, sigmaW: 1, q: 0 }).kind).toBe('point-mass');
  });
});

describe('tanh at the sigma_b = 0.05 critical point', () => {
  const crit = criticalPoint('tanh', 0.05);
  const q = crit.q as number;
  const exact = gaussianMoments('tanh', q);

  it.each(['orthogonal', 'gaussian'] as const)(
    '%s, L = 10: mass 1 and the first two moments equal the free-probability moment formulas',
    (init) => {
      const L = 10;
      const d = grid(spectralDensity({ activation: 'tanh', init, depth: L, sigmaW: crit.sigmaW, q, points: 1500 }));
      // the D^2 histogram: bins centred on their exact conditional means give mu_1 up to the top bin,
      // which is kept inside d <= 1 and so stays at its midpoint (~half-width/3 * its mass = 4e-9: 1e-8);
      // mu_2 to O(dz^2) (5e-7, bins of z-width 0.0045)
      expect(Math.abs(d.lawMu1 / exact.mu1 - 1)).toBeLessThan(1e-8);
      expect(Math.abs(d.lawMu2 / exact.mu2 - 1)).toBeLessThan(5e-7);
      // the density integrated over the grid vs the S-transform moments of the same law
      // (1e-6: grid/trapezoid error; the law's own moment error is excluded by using lawMu*)
      expect(Math.abs(d.massOnGrid - 1)).toBeLessThan(1e-6);
      const m1 = (crit.sigmaW2 * d.lawMu1) ** L;
      expect(Math.abs(d.m1 / m1 - 1)).toBeLessThan(1e-6);
      const v = L * (d.lawMu2 / d.lawMu1 ** 2 - 1 - S1[init]);
      expect(Math.abs((d.m2 / d.m1 ** 2 - 1) / v - 1)).toBeLessThan(1e-5);
      for (const p of d.densityLnLambda) expect(p).toBeGreaterThanOrEqual(0);
    },
  );

  it('L = 1 orthogonal reduces to the law of sigma_w^2 sech^4(h): CDF within one histogram bin (2e-3)', () => {
    // Here the support ends at sigma_w^2 with a (lambdaTop - lambda)^{-1/2} density (no square-root
    // edge), so the grid must be finer than the top histogram bins: 6000 points (dt = 0.0013).
    const d = grid(spectralDensity({ activation: 'tanh', init: 'orthogonal', depth: 1, sigmaW: crit.sigmaW, q, points: 6000 }));
    let worst = 0;
    for (let i = 0; i < d.lambda.length; i++) {
      const dv = d.lambda[i] / crit.sigmaW2;
      if (dv >= 1 || dv < 1e-12) continue;
      // P(sech^4 h <= dv) = P(|h| >= acosh(dv^{-1/4})) = erfc(h / sqrt(2q))
      const h = Math.acosh(dv ** -0.25);
      worst = Math.max(worst, Math.abs(d.cdf[i] - erfc(h / Math.sqrt(2 * q))));
    }
    expect(worst).toBeLessThan(2e-3);
  });
});

describe('kinked activations (d in {0, 1})', () => {
  it('hard-tanh orthogonal at its critical point: atoms 1 - p at 0 and 1 - L(1 - p) at the top; total mass 1', () => {
    const c = criticalPoint('hard-tanh', 0.05);
    const p = gaussianMoments('hard-tanh', c.q as number).mu1;
    const L = 5;
    const d = grid(spectralDensity({ activation: 'hard-tanh', init: 'orthogonal', depth: L, sigmaW: c.sigmaW, q: c.q as number }));
    expect(d.atomAtZero).toBeCloseTo(1 - p, 15);
    // the common invariant subspace of the L projections (p > 1 - 1/L here), exact; the continuous
    // part ends at its own square-root edge below the atom, across a gap
    expect(d.topEdge).toBe('square-root');
    expect(d.lnContinuousTop).toBeLessThan(d.lnLambdaTop);
    expect(Math.abs(d.atomAtTop - (1 - L * (1 - p)))).toBeLessThan(1e-15);
    expect(d.lambdaTop).toBeCloseTo(c.sigmaW2 ** L, 12);
    expect(Math.abs(d.massOnGrid - 1)).toBeLessThan(1e-6);
    expect(Math.abs(d.m1 - 1)).toBeLessThan(1e-6); // chi_1 = sigma_w^2 p = 1 at criticality
    expect(Math.abs((d.m2 / d.m1 ** 2 - 1) / (L * (1 / p - 1)) - 1)).toBeLessThan(1e-5);
  });

  it('relu Gaussian at sigma_w^2 = 2: m1 = 1, var = 2L (docs/science.md 6)', () => {
    const L = 3;
    const d = grid(spectralDensity({ activation: 'relu', init: 'gaussian', depth: L, sigmaW: Math.SQRT2, q: 1 }));
    expect(d.atomAtZero).toBe(0.5);
    expect(Math.abs(d.massOnGrid - 1)).toBeLessThan(1e-6);
    expect(Math.abs(d.m1 - 1)).toBeLessThan(1e-6);
    expect(Math.abs(d.m2 - 1 - 2 * L)).toBeLessThan(1e-5);
  });
});
