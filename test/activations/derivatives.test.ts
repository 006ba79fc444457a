import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { activation, DEFAULT_ACTIVATION_NAMES } from '../../src/activations/registry.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tails = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'activation_log_derivative.json'), 'utf8')) as {
  logDerivative: Record<string, { h: string; lnAbsDphi: string }[]>;
};

const NAMES = [...DEFAULT_ACTIVATION_NAMES, 'leaky-relu(0.2)', 'leaky-relu(0)', 'elu(0.5)', 'elu(2.5)'];
const GRID = Array.from({ length: 161 }, (_, i) => -30 + i * 0.375 + 0.0123);

describe("phi' against central finite differences (every activation, 161 points in [-30, 30], away from kinks)", () => {
  // step 1e-5 (|h| + 1): truncation ~1e-10 phi''', rounding ~1e-16 |phi| / step <= 3e-10.
  // Tolerance 1e-7 (1 + |phi'|).
  for (const name of NAMES) {
    it(name, () => {
      const a = activation(name);
      for (const h of GRID) {
        if (a.traits.kinks.some((k) => Math.abs(h - k) < 1e-3) || Math.abs(h) < 1e-3) continue;
        const e = 1e-5 * (Math.abs(h) + 1);
        const fd = (a.phi(h + e) - a.phi(h - e)) / (2 * e);
        const d = a.dphi(h);
        expect(Math.abs(d - fd), `${name} at ${h}: ${d} vs ${fd}`).toBeLessThanOrEqual(1e-7 * (1 + Math.abs(d)));
      }
    });
  }
});

describe("the quadrature's phi'' (evaluate) against finite differences of phi'", () => {
  it('every generic activation (tolerance 1e-6 (1 + |phi\'\'|))', () => {
    // moments() uses phi'' only through dEPhi2, checked against mpmath; this pins the formula pointwise
    for (const name of ['sigmoid', 'softplus', 'gelu', 'gelu-tanh', 'silu', 'mish', 'selu', 'elu(0.5)']) {
      const a = activation(name);
      // dEPhi2 = E[phi'^2 + phi phi''] at tiny q is phi'(0)^2 + phi(0) phi''(0): compare that too
      const m = a.moments(1e-12);
      const d0 = (a.dphi(1e-9) ** 2 + a.dphi(-1e-9) ** 2) / 2;
      const e = 1e-5;
      const dd0 = (a.dphi(e) - a.dphi(-e)) / (2 * e);
      if (a.traits.kinks.length === 0) expect(Math.abs(m.dEPhi2 - (d0 + a.phi(0) * dd0))).toBeLessThan(1e-6);
    }
  });
});

describe("logDerivative = ln|phi'|", () => {
  it("equals ln|dphi| to 1e-12 (absolute, + 1e-14 relative) wherever |phi'| > 1e-3 is normal", () => {
    for (const name of NAMES) {
      const a = activation(name);
      for (const h of GRID) {
        const d = a.dphi(h);
        if (!(Math.abs(d) > 1e-3)) continue;
        const l = a.logDerivative(h);
        expect(Math.abs(l - Math.log(Math.abs(d))), `${name} at ${h}`).toBeLessThanOrEqual(1e-12 + 1e-14 * Math.abs(l));
      }
    }
  });

  it('matches mpmath (40 digits) in the tails, where phi\' under- or overflows, to 1e-13 relative', () => {
    for (const [name, rows] of Object.entries(tails.logDerivative)) {
      const a = activation(name);
      for (const r of rows) {
        const h = Number(r.h);
        const ref = Number(r.lnAbsDphi);
        const l = a.logDerivative(h);
        expect(Math.abs(l - ref), `${name} at h = ${h}: ${l} vs ${ref}`).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(ref)));
      }
    }
  });

  it("is -Infinity exactly where phi' = 0 (relu, hard-tanh, leaky-relu(0)) and finite elsewhere", () => {
    const relu = activation('relu');
    const ht = activation('hard-tanh');
    const l0 = activation('leaky-relu(0)');
    for (const h of [-5, -1e-300, 0]) {
      expect(relu.logDerivative(h)).toBe(-Infinity);
      expect(l0.logDerivative(h)).toBe(-Infinity);
      expect(relu.dphi(h)).toBe(0);
    }
    for (const h of [-3, -1, 1, 7]) expect(ht.logDerivative(h)).toBe(-Infinity);
    for (const name of ['tanh', 'erf', 'sigmoid', 'softplus', 'gelu', 'gelu-tanh', 'silu', 'mish', 'selu', 'elu(1)']) {
      for (const h of [-700, -40, 0, 40, 700]) expect(Number.isFinite(activation(name).logDerivative(h)), `${name} ${h}`).toBe(true);
    }
  });

  it("phi' is negative where it should be (gelu, gelu-tanh, silu, mish at h = -2) and logDerivative is then ln|phi'|", () => {
    for (const name of ['gelu', 'gelu-tanh', 'silu', 'mish']) {
      const a = activation(name);
      expect(a.dphi(-2)).toBeLessThan(0);
      expect(a.logDerivative(-2)).toBeCloseTo(Math.log(-a.dphi(-2)), 13);
    }
  });

  it('apply writes phi, phi\' and ln|phi\'| exactly as the scalar functions', () => {
    for (const name of NAMES) {
      const a = activation(name);
      const h = Float64Array.from(GRID);
      const x = new Float64Array(h.length);
      const d = new Float64Array(h.length);
      const lnd = new Float64Array(h.length);
      a.apply(h, x, d, lnd);
      for (let i = 0; i < h.length; i++) {
        expect(x[i]).toBe(a.phi(h[i]));
        expect(d[i]).toBe(a.dphi(h[i]));
        expect(lnd[i]).toBe(a.logDerivative(h[i]));
      }
    }
  });
});

describe("the sign of phi' survives underflow", () => {
  it('gelu, gelu-tanh, silu, mish: phi\'(h) is -0 (not +0) where it underflows on the negative side', () => {
    for (const name of ['gelu', 'gelu-tanh', 'silu', 'mish']) {
      const a = activation(name);
      for (const h of [-40, -800, -1e5]) {
        const d = a.dphi(h);
        expect(d <= 0 && (d < 0 || Object.is(d, -0)), `${name} at ${h}: ${d}`).toBe(true);
      }
    }
  });
});
