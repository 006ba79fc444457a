import { describe, expect, it } from 'vitest';
import { activation } from '../../src/activations/registry.js';
import {
  findCriticalPoint,
  fixedPoint,
  gaussianMoments,
  lawMoment,
  lengthMap,
  meanFieldPoint,
  meanFieldTrajectory,
  spectralDensity,
  squaredDerivativeLaw,
} from '../../src/theory/index.js';

const GENERIC = ['sigmoid', 'softplus', 'gelu', 'gelu-tanh', 'silu', 'selu', 'elu(1)', 'elu(0.5)', 'mish'];

describe('fixed points of the new activations', () => {
  it('every reported q* is a fixed point: |V(q*) - q*| <= 1e-12 q*, and attracting (V\'(q*) < 1)', () => {
    for (const name of [...GENERIC, 'erf']) {
      for (const sigmaW of [0.5, 1, 1.3, 1.6]) {
        for (const sigmaB of [0, 0.1, 0.5]) {
          const fp = fixedPoint(name, { sigmaW, sigmaB });
          if (fp.kind !== 'point' || fp.q === 0) continue;
          expect(Math.abs(lengthMap(name, { sigmaW, sigmaB }, fp.q) - fp.q), `${name} ${sigmaW} ${sigmaB}`).toBeLessThanOrEqual(1e-12 * fp.q);
          expect(fp.slope).toBeLessThan(1);
          if (fp.unstableAbove !== undefined) {
            expect(fp.unstableAbove).toBeGreaterThan(fp.q);
            expect(Math.abs(lengthMap(name, { sigmaW, sigmaB }, fp.unstableAbove) / fp.unstableAbove - 1)).toBeLessThan(1e-12);
          }
        }
      }
    }
  });

  it('softplus: V(0) = sigma_w^2 ln(2)^2 > 0, so q* > 0 even at sigma_b = 0; divergent once sigma_w^2/2 > 1 nearly', () => {
    const fp = fixedPoint('softplus', { sigmaW: 1, sigmaB: 0 });
    expect(fp.kind).toBe('point');
    if (fp.kind === 'point') expect(fp.q).toBeGreaterThan(Math.LN2 ** 2);
    const d = fixedPoint('softplus', { sigmaW: 1.6, sigmaB: 0 });
    expect(d.kind).toBe('divergent');
    if (d.kind === 'divergent') expect(d.reason).toMatch(/V\(q\) > q for every q .* sigma_w\^2 \* 0\.5 = 1\.280/);
  });

  it('gelu, silu at sigma_b = 0: q* = 0 attracts for sigma_w^2 < 4, with a repelling point above it once sigma_w^2 > 2', () => {
    for (const name of ['gelu', 'silu', 'gelu-tanh']) {
      const a = fixedPoint(name, { sigmaW: 1.3, sigmaB: 0 });
      expect(a).toEqual({ kind: 'point', q: 0, slope: 1.3 * 1.3 * 0.25 });
      const b = fixedPoint(name, { sigmaW: 1.6, sigmaB: 0 });
      expect(b.kind === 'point' && b.q === 0 && b.unstableAbove! > 0.3).toBe(true);
      expect(fixedPoint(name, { sigmaW: 2.1, sigmaB: 0 }).kind).toBe('divergent');
    }
  });

  it('selu: the self-normalizing fixed point q* = 1 at sigma_w = 1, sigma_b = 0 (to 1e-12)', () => {
    const fp = fixedPoint('selu', { sigmaW: 1, sigmaB: 0 });
    expect(fp.kind === 'point' && Math.abs(fp.q - 1) < 1e-12).toBe(true);
    expect(Math.abs(gaussianMoments('selu', 1).ePhi2 - 1)).toBeLessThan(1e-12);
  });

  it('leaky-relu is homogeneous: q* = sigma_b^2 / (1 - sigma_w^2 (1 + a^2)/2) in closed form, chi without a fixed point', () => {
    const fp = fixedPoint('leaky-relu(0.2)', { sigmaW: 1.2, sigmaB: 0.1 });
    const a = 1.2 * 1.2 * ((1 + 0.2 * 0.2) / 2);
    expect(fp.kind).toBe('point');
    if (fp.kind === 'point') {
      expect(fp.slope).toBe(a);
      expect(fp.q).toBeCloseTo((0.1 * 0.1) / (1 - a), 15);
    }
    expect(fixedPoint('leaky-relu(0.2)', { sigmaW: Math.sqrt(1 / 0.52), sigmaB: 0 }).kind).toBe('any');
    const p = meanFieldPoint('leaky-relu(0.2)', { sigmaW: 1.5, sigmaB: 0.1 });
    expect(p.fixedPoint.kind).toBe('divergent');
    expect(p.chi1).toBeCloseTo(2.25 * 0.52, 14);
  });

  it('sigmoid (bounded, phi(0) = 1/2): q = 0 is never fixed; a unique point at every gain', () => {
    for (const sigmaW of [0.5, 1, 4, 12]) {
      const fp = fixedPoint('sigmoid', { sigmaW, sigmaB: 0 });
      expect(fp.kind === 'point' && fp.q > 0).toBe(true);
    }
  });
});

describe('edge of chaos of the new activations', () => {
  it('every critical point found has chi_1 = 1 (1e-9) at the attracting fixed point of its sigma_w', () => {
    for (const name of [...GENERIC, 'erf']) {
      for (const sigmaB of [0, 0.05, 0.3, 1, 3]) {
        const r = findCriticalPoint(name, sigmaB);
        if (!r.exists) {
          expect(r.reason).toMatch(/no edge of chaos/);
          continue;
        }
        const { sigmaW, q } = r.point;
        if (typeof q !== 'number') throw new Error('q');
        const fp = fixedPoint(name, { sigmaW, sigmaB });
        expect(fp.kind, `${name} ${sigmaB}`).toBe('point');
        if (fp.kind === 'point') expect(Math.abs(fp.q - q)).toBeLessThanOrEqual(1e-7 * Math.max(q, 1e-12));
        expect(Math.abs(sigmaW * sigmaW * gaussianMoments(name, q).mu1 - 1)).toBeLessThan(1e-9);
      }
    }
  });

  it('terminates quickly for sigma_b up to 100 (q* up to ~1e4 and beyond)', () => {
    const t0 = performance.now();
    for (const name of GENERIC) findCriticalPoint(name, 100);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('elu(1) at sigma_b = 0: sigma_w = 1, q* = 0 (like tanh); selu at 0: 1/phi\'(0+-) rms', () => {
    const e = findCriticalPoint('elu(1)', 0);
    expect(e.exists && e.point.sigmaW === 1 && e.point.q === 0).toBe(true);
    const s = findCriticalPoint('selu', 0);
    const l = 1.0507009873554805, a = 1.6732632423543772;
    expect(s.exists && Math.abs(s.point.sigmaW - Math.sqrt(2 / (l * l * (1 + a * a)))) < 1e-15).toBe(true);
  });
});

describe('the law of phi\'^2 for the new activations', () => {
  it('leaky-relu(a): two nonzero atoms a^2 and 1 of mass 1/2 each', () => {
    const law = squaredDerivativeLaw('leaky-relu(0.2)', 1.7);
    expect([...law.atomValue].sort()).toEqual([0.04000000000000001, 1].sort());
    for (const m of law.atomMass) expect(m).toBeCloseTo(0.5, 14);
    expect(law.binLo.length).toBe(0);
  });

  // mean: the bins are centred on their exact conditional means except the top bin of an even law
  // (kept inside d <= d(0)): 8e-6 for erf at q = 30, where d falls steeply inside the first bin
  it('continuous and mixed laws: total mass 1 (1e-12), mean mu_1 (2e-5 relative), second moment mu_2 (1e-4)', () => {
    for (const name of [...GENERIC, 'erf']) {
      for (const q of [0.3, 2, 30]) {
        const law = squaredDerivativeLaw(name, q);
        let mass = 0;
        for (const m of law.atomMass) mass += m;
        for (const m of law.binMass) mass += m;
        expect(Math.abs(mass - 1), `${name} ${q}`).toBeLessThan(1e-12);
        const m = gaussianMoments(name, q);
        expect(Math.abs(lawMoment(law, 1) / m.mu1 - 1), `${name} ${q} mu1`).toBeLessThan(2e-5);
        expect(Math.abs(lawMoment(law, 2) / m.mu2 - 1), `${name} ${q} mu2`).toBeLessThan(1e-4);
        for (const v of law.binLo) expect(v).toBeGreaterThanOrEqual(0);
      }
    }
    // selu, elu: the h > 0 side is atoms at lambda^2 (resp. 1) carrying half the mass
    const law = squaredDerivativeLaw('elu(0.5)', 1);
    let atOne = 0;
    law.atomValue.forEach((v, i) => (atOne += Math.abs(v - 1) < 1e-9 ? law.atomMass[i] : 0));
    expect(atOne).toBeCloseTo(0.5, 12);
  });

  it('elu(1), selu at their critical points: the orthogonal density (L = 5) has mass 1 and m1 = (sigma_w^2 mu_1)^L (1e-6)', () => {
    for (const [name, sigmaB] of [['elu(1)', 0.3], ['selu', 0.05]] as const) {
      const c = findCriticalPoint(name, sigmaB);
      if (!c.exists || typeof c.point.q !== 'number') throw new Error('no critical point');
      const d = spectralDensity({ activation: name, init: 'orthogonal', depth: 5, sigmaW: c.point.sigmaW, q: c.point.q, points: 800 });
      if (d.kind !== 'density') throw new Error(d.kind);
      expect(Math.abs(d.massOnGrid - 1)).toBeLessThan(1e-6);
      expect(Math.abs(d.m1 / (c.point.sigmaW2 * d.lawMu1) ** 5 - 1)).toBeLessThan(1e-6);
    }
  });

  it('gelu at its sigma_b = 1 critical point (q* = 82: half the units have phi\'^2 ~ 0 over many decades): refused, not wrong', () => {
    const c = findCriticalPoint('gelu', 1);
    if (!c.exists || typeof c.point.q !== 'number') throw new Error('no critical point');
    expect(() => spectralDensity({ activation: 'gelu', init: 'orthogonal', depth: 5, sigmaW: c.point.sigmaW, q: c.point.q, points: 800 })).toThrow(/accounts for mass/);
  });
});

describe('trajectories', () => {
  it('gelu at g = 1.6, sigma_b = 0 from q0 = 1 (above the repelling point): q^l grows, chi_l -> sigma_w^2/2', () => {
    const t = meanFieldTrajectory({ activation: 'gelu', sigmaW: 1.6, sigmaB: 0, depth: 60, q0: 1 });
    for (let l = 1; l < 60; l++) expect(t.q[l]).toBeGreaterThan(t.q[l - 1]);
    expect(Math.abs(t.chi[59] - 1.28)).toBeLessThan(0.01);
  });

  it('elu(1) at g = 0.9, sigma_b = 0 decays to 0 and follows ln q below float64 (phi(0) = 0 branch)', () => {
    const t = meanFieldTrajectory({ activation: 'elu(1)', sigmaW: 0.9, sigmaB: 0, depth: 5000, q0: 1 });
    expect(t.q[4999]).toBe(0);
    expect(Number.isFinite(t.lnQ[4999])).toBe(true);
    expect(t.lnQ[4999]).toBeLessThan(-700);
    // ln q^l decreases by ~ln(sigma_w^2) per layer once q is tiny
    expect(t.lnQ[4999] - t.lnQ[4998]).toBeCloseTo(Math.log(0.81), 6);
    expect(activation('elu(1)').moments(0).dEPhi2).toBe(1);
  });
});
