import { describe, it, expect } from 'vitest';
import { jsBackend } from '../../src/linalg/backends/js.js';
import { loadBackend } from '../../src/linalg/select.js';
import { preconditionedLogSvd } from '../../src/linalg/jacobi.js';
import type { LinalgBackend } from '../../src/linalg/backend.js';

/** The QR-preconditioned Jacobi against the plain reference Jacobi on graded, log-scaled inputs. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 2 ** 32 - 0.5;
  };
}
const backends: LinalgBackend[] = [jsBackend];
for (const name of ['wasm', 'native'] as const) {
  try {
    backends.push(loadBackend(name));
  } catch {
    // absent here: covered by the fallback test
  }
}

describe('preconditioned log-scaled Jacobi', () => {
  for (const be of backends) {
    for (const [n, spread] of [[5, 3], [40, 0.5], [40, 60], [64, 1500], [33, 0]] as const) {
      it(`${be.name}: ln s equal to the plain Jacobi to 1e-12 (n = ${n}, scales spanning ${spread} e-folds)`, () => {
        const r = rng(n * 1000 + spread + 1);
        const y = Float64Array.from({ length: n * n }, () => r());
        // rows out of order, scales far beyond float64's range when spread is large
        const e = Float64Array.from({ length: n }, () => spread * r());
        const ref = jsBackend.logScaledJacobi(Float64Array.from(y), Float64Array.from(e), n, n);
        const got = preconditionedLogSvd(Float64Array.from(y), Float64Array.from(e), n, n, be);
        for (let i = 0; i < n; i++) expect(Math.abs(got[i] - ref[i])).toBeLessThan(1e-12 * Math.max(1, Math.abs(ref[i])));
      });
    }
  }

  it('falls back to plain Jacobi for non-square inputs and zero rows', () => {
    const r = rng(9);
    const y = Float64Array.from({ length: 6 * 4 }, () => r());
    const e = new Float64Array(6);
    const a = preconditionedLogSvd(Float64Array.from(y), Float64Array.from(e), 6, 4, jsBackend);
    expect(a.length).toBe(6);
    const z = Float64Array.from({ length: 16 }, (_, i) => (i < 4 ? 0 : r()));
    const b = preconditionedLogSvd(z, new Float64Array(4), 4, 4, jsBackend);
    expect(b[3]).toBe(-Infinity);
  });
});
