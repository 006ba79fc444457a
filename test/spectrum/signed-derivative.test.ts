import { describe, it, expect } from 'vitest';
import { sampleBaseDraws } from '../../src/network/sampler.js';
import { stableLogSingularValues, type JacobianFactor } from '../../src/spectrum/stable-product.js';
import { formJacobian, denseSingularValues } from '../../src/spectrum/naive.js';
import { jsBackend } from '../../src/linalg/backends/js.js';
import { loadWasmBackend } from '../../src/linalg/backends/wasm.js';

/**
 * phi' < 0 (gelu, silu, mish): D is signed, and the signs between weight matrices change the
 * singular values of J (they are not those of the |D| network). A layer with a unit whose
 * ln |phi'| is below -30 takes the stable product's banded branch, which must carry the sign too.
 * Reference: the naive product's SVD (exact to ~1e-15 of s_max at this size); tolerance 1e-10
 * relative to s_max on the values above 1e-4 s_max.
 */
describe('the stable product keeps the sign of phi\'', () => {
  const n = 16, L = 4;
  const draws = sampleBaseDraws('orthogonal', n, L, 3);
  // deterministic signed derivatives in (-0.2, 1.1), with one saturated negative unit per layer
  const factors: JacobianFactor[] = draws.weights.map((base, l) => {
    const dphi = new Float64Array(n);
    for (let i = 0; i < n; i++) dphi[i] = -0.2 + 1.3 * (((i * 7 + l * 3) % n) / (n - 1));
    dphi[l] = -1e-20; // ln |phi'| = -46: the banded branch
    return { base, dphi, lnDphi: dphi.map((v) => Math.log(Math.abs(v))) };
  });
  const ref = denseSingularValues(formJacobian(factors, 1.2));
  const absRef = denseSingularValues(formJacobian(factors.map((f) => ({ ...f, dphi: f.dphi.map(Math.abs) })), 1.2));
  for (const [name, be] of [['js', jsBackend], ['wasm', loadWasmBackend()]] as const) {
    it(`${name}: singular values of the signed product, not of |D|`, () => {
      const got = stableLogSingularValues(factors, 1.2, 2, be);
      let worstSigned = 0, worstAbs = 0;
      for (let i = 0; i < n; i++) {
        if (ref[i] < 1e-4 * ref[0]) continue;
        worstSigned = Math.max(worstSigned, Math.abs(Math.exp(got[i]) - ref[i]) / ref[0]);
        worstAbs = Math.max(worstAbs, Math.abs(Math.exp(got[i]) - absRef[i]) / ref[0]);
      }
      expect(worstSigned).toBeLessThan(1e-10);
      // the test can fail: the |D| network's spectrum is far from the signed one's
      expect(worstAbs).toBeGreaterThan(1e-3);
    });
  }
});
