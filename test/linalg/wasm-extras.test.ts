import { describe, it, expect, afterAll } from 'vitest';
import { jsBackend } from '../../src/linalg/backends/js.js';
import { loadWasmBackend } from '../../src/linalg/backends/wasm.js';
import { setBackend, backend } from '../../src/linalg/select.js';
import { sampleBaseDraws } from '../../src/network/sampler.js';
import { measureNetwork } from '../../src/measure/network.js';
import { transpose, type Mat } from '../../src/linalg/matrix.js';

/**
 * The wasm backend's optional kernels (asm/linalg.ts ormqrRight, trmmUpperLeft: blocked compact-WY
 * dormqr and dtrmm), which the stable product uses to keep U as reflectors and to update T by a
 * triangular product: against the TS reference, and the spectra they give against the js backend's.
 */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 2 ** 32 - 0.5;
  };
}
const rand = (rows: number, cols: number, seed: number): Mat => {
  const r = rng(seed);
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, r) };
};
const maxAbs = (a: Float64Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const relErr = (a: Float64Array, b: Float64Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0) / Math.max(maxAbs(a), maxAbs(b), 1e-300);

const SIZES = [1, 2, 31, 32, 33, 100, 257];

// both module builds: relaxed SIMD (fused gemm where the host allows it) and the plain one
for (const relaxed of [true, false]) {
const wasm = loadWasmBackend({ factored: true, relaxed });
describe(`wasm${relaxed ? ' (relaxed SIMD when available)' : ' (plain SIMD)'} ormqrRight (c := c Q from reflectors) and trmmUpperLeft (B := M B, M upper)`, () => {
  if (!relaxed) it('the plain module runs when relaxed SIMD is not asked for', () => expect(wasm.info.relaxedSimd).toBe(false));
  for (const n of SIZES) {
    it(`ormqrRight = W times the explicit Q from formQt to 1e-13 relative (n = ${n}; blocked and exact QR, a zero column)`, () => {
      const inputs: Float64Array[] = [rand(n, n, n).data];
      if (n > 2) {
        // a zero column past the first block of reflectors: tau = 0 there
        const z = rand(n, n, 2 * n).data;
        const c = Math.min(n - 1, 33);
        z.fill(0, c * n, (c + 1) * n);
        inputs.push(z);
      }
      for (const data of inputs) {
        for (const qr of [wasm, wasm.exact]) {
          const g = data.slice();
          const tau = qr.householderQR(g, n);
          const qt = jsBackend.formQt(g, tau, n); // Q^T row-major = Q column-stored
          const w = rand(n, n, n + 1);
          // (W Q)^T row-major = Q^T W^T = gemmNT(Q^T, W)
          const want = jsBackend.gemmNT({ rows: n, cols: n, data: qt }, w);
          const c = transpose(w).data; // W column-major
          wasm.ormqrRight!(g, tau, n, c);
          expect(relErr(c, want.data)).toBeLessThan(1e-13);
        }
      }
    });

    it(`trmmUpperLeft = the dense product with the lower part zeroed, which is never read (n = ${n})`, () => {
      for (const cols of [n, 7, n + 3]) {
        const m = rand(n, n, 3 * n), b = rand(n, cols, 5 * n + cols);
        const upper = Float64Array.from(m.data, (v, k) => (k % n >= Math.floor(k / n) ? v : 0));
        const want = jsBackend.gemm({ rows: n, cols: n, data: upper }, b);
        // below the diagonal: NaN, so reading it would show
        const poisoned = Float64Array.from(m.data, (v, k) => (k % n >= Math.floor(k / n) ? v : NaN));
        wasm.trmmUpperLeft!({ rows: n, cols: n, data: poisoned }, b);
        expect(relErr(b.data, want.data)).toBeLessThan(1e-13);
      }
    });
  }

  it('trmmUpperLeft rejects mismatched shapes and leaves empty operands alone', () => {
    expect(() => wasm.trmmUpperLeft!(rand(3, 3, 1), rand(4, 3, 2))).toThrow(/shape/);
    const e = { rows: 4, cols: 0, data: new Float64Array(0) };
    wasm.trmmUpperLeft!(rand(4, 4, 3), e);
    wasm.ormqrRight!(new Float64Array(0), new Float64Array(0), 0, new Float64Array(0));
  });
});
}

describe('wasm module variants and switches', () => {
  it('the relaxed-SIMD module gives gemm to 1e-13 relative of the reference and the exact draws QR bit for bit', () => {
    const be = loadWasmBackend();
    // Node 20 takes it behind --experimental-wasm-relaxed-simd (set by the loader), later Nodes without
    expect(be.info.relaxedSimd).toBe(true);
    for (const n of [5, 64, 131]) {
      const A = rand(n, n + 3, n), B = rand(n + 3, n, n + 1);
      expect(relErr(be.gemm(A, B).data, jsBackend.gemm(A, B).data)).toBeLessThan(1e-13);
      const g = rand(n, n, 7 * n).data;
      const a = g.slice(), b = g.slice();
      const ta = jsBackend.householderQR(a, n), tb = be.exact.householderQR(b, n);
      expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
      const qa = jsBackend.formQt(a, ta, n), qb = be.exact.formQt(b, tb, n);
      expect(Buffer.from(qb.buffer).equals(Buffer.from(qa.buffer))).toBe(true);
    }
  });

  it('EOC_WASM_RELAXED=0 keeps to the plain module', () => {
    const saved = process.env.EOC_WASM_RELAXED;
    try {
      process.env.EOC_WASM_RELAXED = '0';
      expect(loadWasmBackend().info.relaxedSimd).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.EOC_WASM_RELAXED;
      else process.env.EOC_WASM_RELAXED = saved;
    }
  });

  it('EOC_WASM_FACTORED=0 (or factored: false) hides both kernels', () => {
    expect(loadWasmBackend({ factored: false }).ormqrRight).toBeUndefined();
    const saved = process.env.EOC_WASM_FACTORED;
    try {
      process.env.EOC_WASM_FACTORED = '0';
      const off = loadWasmBackend();
      expect(off.ormqrRight).toBeUndefined();
      expect(off.trmmUpperLeft).toBeUndefined();
      process.env.EOC_WASM_FACTORED = '1';
      expect(loadWasmBackend().trmmUpperLeft).toBeTypeOf('function');
    } finally {
      if (saved === undefined) delete process.env.EOC_WASM_FACTORED;
      else process.env.EOC_WASM_FACTORED = saved;
    }
  });
});

describe('measureNetwork spectra on wasm with the factored kernels against the js reference', () => {
  afterAll(() => {
    setBackend();
  });
  // orthogonal nets, tanh near and on both sides of the edge of chaos and linear (all s = 1):
  // every ln s within 1e-10 absolute (measured: at most 4.6e-13, tanh gain 1.3
  // at N = 256; the explicit-U plain-SIMD path differs from js by up to 2.4e-13 there)
  const CONFIGS = [
    { activation: 'tanh' as const, gain: 0.9 },
    { activation: 'tanh' as const, gain: 1.05 },
    { activation: 'tanh' as const, gain: 1.3 },
    { activation: 'linear' as const, gain: 1 },
  ];
  for (const n of [16, 64, 256]) {
    for (const depth of [10, 100]) {
      it(`N = ${n}, L = ${depth}: ln s within 1e-10`, () => {
        const draws = sampleBaseDraws('orthogonal', n, depth, 3);
        for (const c of CONFIGS) {
          const p = { ...c, biasStd: 0, q0: 1 };
          setBackend('js');
          const ref = measureNetwork(draws, p).logSingularValues;
          setBackend('wasm');
          expect(backend().ormqrRight).toBeTypeOf('function');
          const got = measureNetwork(draws, p).logSingularValues;
          let d = 0;
          for (let i = 0; i < ref.length; i++) d = Math.max(d, Math.abs(got[i] - ref[i]));
          expect(d, `${c.activation} gain ${c.gain}`).toBeLessThan(1e-10);
        }
      }, 120_000);
    }
  }
});
