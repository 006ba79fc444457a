import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { activation } from '../../src/activations/registry.js';
import { gaussianMoments } from '../../src/theory/gaussian-moments.js';

/**
 * Every activation's Gaussian moments against mpmath at 40 digits (test/fixtures/activation_moments.py,
 * q in 1e-4..1e4). Tolerance: 1e-12 relative (the generic quadrature's stated accuracy is ~1e-13;
 * tanh's is that of src/theory/smooth-expectation.ts), plus an absolute 1e-15 for moments that are
 * themselves tiny (tanh's dEPhi2 at q = 1e4 is 4e-7, computed as a difference of O(1) terms).
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixture = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'activation_moments.json'), 'utf8')) as {
  moments: Record<string, { q: string; ePhi2: string; mu1: string; mu2: string; dEPhi2: string }[]>;
};
const KEYS = ['ePhi2', 'mu1', 'mu2', 'dEPhi2'] as const;
const REL = 1e-12;
const ABS = 1e-15;

describe('Gaussian moments vs mpmath (40 digits), relative tolerance 1e-12', () => {
  for (const [name, rows] of Object.entries(fixture.moments)) {
    it(name, () => {
      const def = activation(name);
      expect(def.name).toBe(name);
      let worst = 0;
      for (const row of rows) {
        const q = Number(row.q);
        const m = gaussianMoments(name, q);
        for (const k of KEYS) {
          const ref = Number(row[k]);
          const err = Math.abs(m[k] - ref);
          worst = Math.max(worst, err / Math.max(Math.abs(ref), ABS / REL));
          if (!(err <= REL * Math.abs(ref) + ABS)) throw new Error(`${name} q=${q} ${k}: ${m[k]} vs ${ref} (rel ${err / Math.abs(ref)})`);
        }
      }
      expect(worst).toBeLessThanOrEqual(REL);
    });
  }
  it('covers every registered family', () => {
    const families = new Set(Object.keys(fixture.moments).map((n) => activation(n).family));
    for (const f of ['tanh', 'linear', 'relu', 'hard-tanh', 'leaky-relu', 'erf', 'sigmoid', 'softplus', 'gelu', 'gelu-tanh', 'silu', 'selu', 'elu', 'mish']) expect(families.has(f)).toBe(true);
  });
});

describe('moments at extreme q: finite, fast, and at their limits', () => {
  it('q up to 1e8 in well under 10 ms per call, and q = 0 is the q -> 0+ limit', () => {
    for (const name of ['gelu', 'gelu-tanh', 'silu', 'softplus', 'selu', 'elu(0.5)', 'mish', 'sigmoid']) {
      const def = activation(name);
      const t0 = performance.now();
      for (const q of [1e-12, 1e-4, 1, 1e4, 1e6, 1e8]) {
        const m = def.moments(q);
        for (const k of KEYS) expect(Number.isFinite(m[k])).toBe(true);
        // the growth trait: E phi^2 / q -> growth
        if (q === 1e8) expect(Math.abs(m.ePhi2 / q - def.traits.growth)).toBeLessThan(1e-3);
      }
      expect((performance.now() - t0) / 6).toBeLessThan(10);
      const m0 = def.moments(0);
      const m1 = def.moments(1e-14);
      // kinked phi' (selu, elu) move at O(sqrt q) = 1e-7
      for (const k of KEYS) expect(Math.abs(m0[k] - m1[k])).toBeLessThanOrEqual(1e-6 * Math.abs(m0[k]) + 1e-12);
    }
  });
});
