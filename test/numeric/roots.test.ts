import { describe, expect, it } from 'vitest';
import { brentMin, brentRoot, brentRootIn } from '../../src/numeric/roots.js';

describe('Brent solvers (one implementation for theory and sweeps)', () => {
  it('root and minimizer reach their tolerances and count evaluations', () => {
    const r = brentRoot((x) => x * x - 2, 1, 2, -1, 2, 1e-12);
    expect(Math.abs(r.x - Math.SQRT2)).toBeLessThan(1e-12);
    expect(r.converged).toBe(true);
    expect(r.evaluations).toBeGreaterThan(0);
    expect(r.evaluations).toBeLessThan(20);
    const m = brentMin((x) => (x - 1.234) ** 2 + 1, 1, 1.2, 1.5, (1.2 - 1.234) ** 2 + 1, 1e-6);
    expect(Math.abs(m.x - 1.234)).toBeLessThan(1e-6);
  });

  it('an evaluation budget stops the root finder and says it did not converge', () => {
    const r = brentRoot((x) => Math.tanh(50 * (x - 0.3)), 0, 1, Math.tanh(-15), Math.tanh(35), 1e-14, 2);
    expect(r.evaluations).toBe(2);
    expect(r.converged).toBe(false);
  });

  it('brentRootIn evaluates the ends, reaches full precision and rejects a bad bracket', () => {
    expect(brentRootIn((x) => Math.cos(x) - x, 0, 1)).toBeCloseTo(0.7390851332151607, 15);
    expect(brentRootIn((x) => x - 1, 1, 2)).toBe(1);
    expect(() => brentRootIn((x) => x * x + 1, -1, 1)).toThrow(/does not bracket/);
  });
});
