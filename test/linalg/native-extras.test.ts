import { it, expect } from 'vitest';
import { describeRequiring, openblasRequirement } from '../support/requirements.js';
import { jsBackend } from '../../src/linalg/backends/js.js';
import { loadBackend } from '../../src/linalg/select.js';
import { transpose, type Mat } from '../../src/linalg/matrix.js';
import type { LinalgBackend } from '../../src/linalg/backend.js';

/** The optional kernels the stable product uses when a backend has them (native: dormqr, dtrmm). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 2 ** 32 - 0.5;
  };
}
const rand = (n: number, seed: number): Mat => {
  const r = rng(seed);
  return { rows: n, cols: n, data: Float64Array.from({ length: n * n }, r) };
};
const maxDiff = (a: Float64Array, b: Float64Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

// needs OpenBLAS (test/support/requirements.ts): skipped and counted without it, failed under CI
const openblas = openblasRequirement();
const native: LinalgBackend | undefined = openblas.available ? loadBackend('native') : undefined;

describeRequiring(openblas, 'native optional kernels against the reference', () => {
  for (const n of [1, 5, 37, 130]) {
    it(`ormqrRight: W Q from reflectors = W times the explicit Q (n = ${n})`, () => {
      const g = rand(n, n);
      const tau = native!.householderQR(g.data, n);
      const qt = jsBackend.formQt(g.data, tau, n); // Q^T row-major = Q column-stored
      const w = rand(n, n + 1);
      // want (W Q)^T row-major = Q^T W^T = gemmNT(Q^T, W)
      const want = jsBackend.gemmNT({ rows: n, cols: n, data: qt }, w);
      const c = transpose(w).data; // W column-major
      native!.ormqrRight!(g.data, tau, n, c);
      expect(maxDiff(c, want.data)).toBeLessThan(1e-12 * Math.max(1, n));
    });

    it(`trmmUpperLeft: M B with M upper triangular, entries below the diagonal ignored (n = ${n})`, () => {
      const m = rand(n, 3 * n), b = rand(n, 5 * n);
      const upper = Float64Array.from(m.data, (v, k) => (k % n >= Math.floor(k / n) ? v : 0));
      const want = jsBackend.gemm({ rows: n, cols: n, data: upper }, b);
      native!.trmmUpperLeft!(m, b);
      expect(maxDiff(b.data, want.data)).toBeLessThan(1e-13 * n);
    });
  }
});
