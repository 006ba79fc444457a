import { describe, it, expect, afterEach } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gemmNT as refGemmNT, gemm as refGemm, gemv as refGemv, gemvT as refGemvT } from '../../src/linalg/gemm.js';
import { householderQR as refQR, formQt as refFormQt } from '../../src/linalg/qr.js';
import { logScaledJacobi as refJacobi } from '../../src/linalg/jacobi.js';
import { transpose, type Mat } from '../../src/linalg/matrix.js';
import { loadCompiledKernels, loadCompiledBackend, type CompiledIsa, type CompiledKernels } from '../../src/linalg/backends/compiled.js';
import { loadBackend, setBackend, backendInfo } from '../../src/linalg/select.js';
import type { LinalgBackend } from '../../src/linalg/backend.js';
import { sampleBaseDraws } from '../../src/network/sampler.js';
import { measureNetwork } from '../../src/measure/network.js';
import { describeRequiring } from '../support/requirements.js';
import { compiledRequirement, announceCompiled } from '../support/compiled.js';
import { eoc, ROOT } from '../cli/run.js';

/**
 * The compiled backend (native/: C kernels built at `npm install`) against the TS reference, on
 * every gemm path this CPU can run (AVX-512, AVX2+FMA, baseline), on shapes that are not multiples
 * of the micro-tiles (8 x 24, 4 x 12, 4 x 4) or of the cache blocks (KC 256, MC 192, NC 3072).
 *
 * Tolerances, from rounding: any order of summing k products (blocked, FMA or not) is within
 * gamma_k |A||B| of the exact product, elementwise (Higham, Accuracy and Stability, 3.5), so two
 * such results differ by at most 2 gamma_k |A||B| ~ k eps |A||B|; the tests allow 2 k eps |A||B|.
 * Householder applications are row-wise backward stable: c Q is off by O(n u) |c_i|_2 in row i
 * (Higham 19.3); allowed 10 n eps |c_i|_2. The QR agrees with the reference to 1e-12 and the
 * log-scaled Jacobi to 1e-10 in ln s, as the other backends' do (backends.test.ts, which runs its
 * whole suite on this backend too).
 */
const EPS = 2 ** -52;
const req = compiledRequirement();
announceCompiled(req);
const kernels: CompiledKernels | undefined = req.available ? loadCompiledKernels().kernels : undefined;
const ISAS: CompiledIsa[] = kernels ? kernels.supportedIsas() : [];

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 2 ** 32 - 0.5;
  };
}
function randMat(rows: number, cols: number, seed: number): Mat {
  const r = rng(seed);
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, r) };
}
/** the same matrix in a Float64Array that starts inside its buffer (a byte offset) */
function offsetCopy(M: Mat, pad = 3): Mat {
  const buf = new Float64Array(M.data.length + 2 * pad).fill(NaN);
  const data = new Float64Array(buf.buffer, pad * 8, M.data.length);
  data.set(M.data);
  return { rows: M.rows, cols: M.cols, data };
}
const absMat = (M: Mat): Mat => ({ rows: M.rows, cols: M.cols, data: Float64Array.from(M.data, Math.abs) });

/** max over entries of |got - want| / (2 k eps bound_ij), with bound = |A||B| (<= 1 passes) */
function boundRatio(got: Float64Array, want: Float64Array, bound: Float64Array, k: number): number {
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    if (d === 0) continue;
    worst = Math.max(worst, d / (2 * Math.max(1, k) * EPS * bound[i]));
  }
  return worst;
}

/** run `body` with the addon on gemm path `isa`, restoring the best path after */
function onIsa(isa: CompiledIsa, body: () => void): void {
  const before = kernels!.isa();
  kernels!.setIsa(isa);
  try {
    body();
  } finally {
    kernels!.setIsa(before);
  }
}

// m x n x k: 1 x 1, thin, exact tile and block multiples and one past, rectangular, past MC and NC
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 9, 1], [7, 1, 13], [2, 3, 5], [8, 24, 256], [9, 25, 257], [16, 48, 512],
  [37, 129, 65], [65, 37, 129], [193, 200, 300], [5, 3100, 3], [130, 67, 300],
];

describeRequiring(req, 'compiled kernels against the TS reference', () => {
  const be = req.available ? loadCompiledBackend() : (undefined as unknown as LinalgBackend);

  it('names the gemm path it chose, one the CPU supports, and the file it loaded', () => {
    const info = (be as LinalgBackend & { info: { path: string; isa: CompiledIsa } }).info;
    expect(['avx512', 'avx2', 'baseline']).toContain(info.isa);
    expect(ISAS[0]).toBe(info.isa); // the best supported path is the default
    expect(kernels!.compiledIsas()).toContain('baseline');
    expect(info.path).toBe('native/build/Release/eoc_kernels.node'); // relative to the package root
    expect(existsSync(join(ROOT, info.path))).toBe(true);
  });

  for (const isa of ['avx512', 'avx2', 'baseline'] as const) {
    describe(`gemm path ${isa}`, () => {
      const skip = !ISAS.includes(isa);
      it.skipIf(skip && req.available)(`gemm and gemmNT within 2 k eps |A||B| elementwise on ${SHAPES.length} shapes`, () => {
        onIsa(isa, () => {
          let seed = 10;
          for (const [m, n, k] of SHAPES) {
            const A = randMat(m, k, seed++), B = randMat(k, n, seed++), Bt = randMat(n, k, seed++);
            const bound = refGemm(absMat(A), absMat(B)).data;
            const boundNT = refGemmNT(absMat(A), absMat(Bt)).data;
            const C = { rows: m, cols: n, data: new Float64Array(m * n).fill(NaN) }; // beta = 0 never reads C
            be.gemm(offsetCopy(A), offsetCopy(B), C);
            expect(boundRatio(C.data, refGemm(A, B).data, bound, k), `gemm ${m}x${n}x${k}`).toBeLessThanOrEqual(1);
            const D = be.gemmNT(offsetCopy(A), offsetCopy(Bt));
            expect(boundRatio(D.data, refGemmNT(A, Bt).data, boundNT, k), `gemmNT ${m}x${n}x${k}`).toBeLessThanOrEqual(1);
          }
        });
      });

      it.skipIf(skip && req.available)('gemm with an empty inner dimension gives exact zeros; empty outputs are fine', () => {
        onIsa(isa, () => {
          const C = { rows: 4, cols: 3, data: new Float64Array(12).fill(NaN) };
          be.gemm({ rows: 4, cols: 0, data: new Float64Array(0) }, { rows: 0, cols: 3, data: new Float64Array(0) }, C);
          expect(Array.from(C.data)).toEqual(new Array(12).fill(0));
          expect(be.gemmNT({ rows: 0, cols: 5, data: new Float64Array(0) }, randMat(3, 5, 1)).data.length).toBe(0);
        });
      });

      it.skipIf(skip && req.available)('gemv and gemvT within 2 n eps |A||x|', () => {
        onIsa(isa, () => {
          for (const [m, n] of [[1, 1], [3, 7], [37, 29], [129, 300], [301, 8]]) {
            const A = randMat(m, n, m + n), x = randMat(1, n, 7).data, z = randMat(1, m, 8).data;
            const y = be.gemv(offsetCopy(A), x);
            expect(boundRatio(y, refGemv(A, x), refGemv(absMat(A), x.map(Math.abs)), n)).toBeLessThanOrEqual(1);
            const yt = be.gemvT(A, z, new Float64Array(n).fill(NaN));
            expect(boundRatio(yt, refGemvT(A, z), refGemvT(absMat(A), z.map(Math.abs)), m)).toBeLessThanOrEqual(1);
          }
        });
      });

      it.skipIf(skip && req.available)('trmmUpperLeft: M B with M upper triangular (below the diagonal ignored), in place, within 2 n eps |M||B|', () => {
        onIsa(isa, () => {
          for (const [n, p] of [[1, 1], [5, 16], [37, 111], [64, 64], [65, 7], [130, 391], [200, 200]]) {
            const M = randMat(n, n, 3 * n), B = randMat(n, p, 5 * n + p);
            const upper: Mat = { rows: n, cols: n, data: Float64Array.from(M.data, (v, q) => (q % n >= Math.floor(q / n) ? v : 0)) };
            const want = refGemm(upper, B).data, bound = refGemm(absMat(upper), absMat(B)).data;
            be.trmmUpperLeft!(M, B);
            expect(boundRatio(B.data, want, bound, n), `n = ${n}, p = ${p}`).toBeLessThanOrEqual(1);
          }
        });
      });

      it.skipIf(skip && req.available)('ormqrRight: c Q from the reflectors = c times the explicit Q (js formQt), within 10 n eps |c_i| per row (blocks of 24 up to n = 512, 64 beyond)', () => {
        onIsa(isa, () => {
          for (const n of [1, 2, 5, 23, 24, 25, 37, 49, 63, 64, 65, 130, 200, 520]) {
            const g = randMat(n, n, 40 + n).data;
            const tau = refQR(g, n);
            const qt = refFormQt(g, tau, n); // Q^T row-major = Q column-stored
            const w = randMat(n, n, 90 + n); // c = W, held column-major: W^T row-major
            const want = refGemmNT({ rows: n, cols: n, data: qt }, w).data; // (W Q)^T = Q^T W^T
            const c = transpose(w).data;
            be.ormqrRight!(g, tau, n, c);
            // row i of c = W's row i = column i of the buffers
            let worst = 0;
            for (let i = 0; i < n; i++) {
              let norm = 0;
              for (let j = 0; j < n; j++) norm += w.data[i * n + j] ** 2;
              for (let j = 0; j < n; j++) worst = Math.max(worst, Math.abs(c[j * n + i] - want[j * n + i]) / (10 * n * EPS * Math.sqrt(norm)));
            }
            expect(worst, `n = ${n}`).toBeLessThanOrEqual(1);
          }
        });
      });

      it.skipIf(skip && req.available)('Householder QR and Q agree with the reference to 1e-12 (R by column, Q, tau) across the 24-column panels (their vector dots, axpys and norms)', () => {
        onIsa(isa, () => {
          for (const n of [1, 2, 3, 7, 8, 9, 17, 23, 24, 25, 47, 48, 49, 97, 150, 257]) {
            const data = randMat(n, n, 500 + n).data;
            const a = data.slice(), b = data.slice();
            const ta = refQR(a, n), tb = be.householderQR(b, n);
            const qa = refFormQt(a, ta, n), qb = be.formQt(b, tb, n);
            for (let c = 0; c < n; c++) {
              let scale = 0, d = 0;
              for (let i = 0; i <= c; i++) {
                scale = Math.max(scale, Math.abs(a[c * n + i]));
                d = Math.max(d, Math.abs(a[c * n + i] - b[c * n + i]));
              }
              expect(d, `n = ${n}: R column ${c}`).toBeLessThanOrEqual(1e-12 * scale);
            }
            for (let i = 0; i < n * n; i++) expect(Math.abs(qa[i] - qb[i])).toBeLessThan(1e-12);
            for (let i = 0; i < n; i++) expect(Math.abs(ta[i] - tb[i])).toBeLessThan(1e-12);
          }
        });
      });
    });
  }

  for (const isa of ['avx512', 'avx2', 'baseline'] as const) {
    it.skipIf(!ISAS.includes(isa) && req.available)(`log-scaled Jacobi on the ${isa} path: ln s within 1e-10 of the reference, scales beyond float64 included`, () => {
      onIsa(isa, () => {
        for (const [m, n, spread] of [[1, 1, 0], [2, 3, 1], [8, 8, 0], [40, 40, 5], [64, 64, 2000], [30, 45, 50], [97, 97, 40]] as const) {
          const y = randMat(m, n, 21 + m + n).data;
          const e = Float64Array.from({ length: m }, (_, i) => (spread * i) / m);
          const ref = refJacobi(y.slice(), e.slice(), m, n);
          const got = be.logScaledJacobi(y.slice(), e.slice(), m, n);
          for (let i = 0; i < m; i++) expect(Math.abs(got[i] - ref[i]), `${m} x ${n}, spread ${spread}: ln s_${i}`).toBeLessThan(1e-10);
        }
      });
    });
  }

  it('scaleColumns is the D scaling of the stable product, bit for bit (one rounded product each; the tiny flush after)', () => {
    const be = loadCompiledBackend();
    for (const [m, n] of [[1, 1], [7, 5], [64, 64], [33, 130]] as const) {
      const C = randMat(m, n, m * 31 + n);
      // entries across float64's range, some that fall below the flush threshold once scaled
      C.data.forEach((v, i) => (C.data[i] = v * 10 ** ((i % 17) * 20 - 180)));
      const d = Float64Array.from(randMat(1, n, n + 5).data, (v, i) => (i % 3 === 0 ? -v : v) * 10 ** ((i % 5) * 10 - 20));
      for (const tiny of [0, 1e-200]) {
        const want = C.data.slice();
        for (let j = 0; j < m; j++) for (let i = 0; i < n; i++) want[j * n + i] *= d[i];
        if (tiny > 0) for (let i = 0; i < want.length; i++) if (Math.abs(want[i]) < tiny) want[i] = 0;
        const got = { rows: m, cols: n, data: C.data.slice() };
        be.scaleColumns!(got, d, tiny);
        expect(Buffer.from(got.data.buffer).equals(Buffer.from(want.buffer)), `${m} x ${n}, tiny ${tiny}`).toBe(true);
      }
    }
    expect(() => be.scaleColumns!({ rows: 2, cols: 3, data: new Float64Array(6) }, new Float64Array(2), 0)).toThrow(/d has 2 entries/);
  });

  it('a wrong shape throws instead of touching memory it does not own', () => {
    const k = kernels!;
    expect(() => k.gemm(4, 4, 4, new Float64Array(9), new Float64Array(16), false, new Float64Array(16))).toThrow(/a has 9 elements, the shape needs 16/);
    expect(() => k.gemv(true, 3, 3, new Float64Array(9), new Float64Array(2), new Float64Array(3))).toThrow(/x has 2/);
    expect(() => k.ormqrRight(3, new Float64Array(9), new Float64Array(3), new Float64Array(8))).toThrow(/c has 8/);
    expect(() => k.gemm(1, 1, 1, [1] as unknown as Float64Array, new Float64Array(1), false, new Float64Array(1))).toThrow(/Float64Array/);
    expect(() => k.gemm(-1, 1, 1, new Float64Array(1), new Float64Array(1), false, new Float64Array(1))).toThrow(/non-negative integer/);
    expect(() => k.setIsa('sse9' as CompiledIsa)).toThrow(/unknown path/);
  });
});

describeRequiring(req, 'the compiled backend in eoc', () => {
  afterEach(() => {
    delete process.env.EOC_BACKEND_DISABLE;
    setBackend();
  });

  it('a 64 x 30 orthogonal tanh net: the spectrum on compiled agrees with js to 1e-10 in ln s', () => {
    const draws = sampleBaseDraws('orthogonal', 64, 30, 0);
    const params = { activation: 'tanh' as const, gain: 1.1, biasStd: 0.05, q0: 1 };
    setBackend('js');
    const ref = measureNetwork(draws, params).logSingularValues;
    expect(setBackend('compiled').name).toBe('compiled');
    const got = measureNetwork(draws, params).logSingularValues;
    expect(got.length).toBe(64);
    let worst = 0;
    got.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - ref[i]))));
    expect(worst).toBeLessThan(1e-10);
  });

  it('EOC_BACKEND=compiled is accepted; backendInfo names the gemm path', () => {
    const info = setBackend('compiled');
    expect(info).toMatchObject({ name: 'compiled', requested: 'compiled' });
    expect(info.compiled?.isa).toBe(kernels!.isa());
    expect(info.fallback).toBeUndefined();
  });

  it('EOC_BACKEND_DISABLE=compiled: compiled requested runs wasm and says why; the default skips it too', () => {
    process.env.EOC_BACKEND_DISABLE = 'compiled';
    const info = setBackend('compiled');
    expect(info.name).toBe('wasm');
    expect(info.fallback).toMatch(/compiled: compiled backend disabled by EOC_BACKEND_DISABLE/);
    process.env.EOC_BACKEND_DISABLE = 'native,compiled';
    const d = setBackend();
    expect(d.name).toBe('wasm');
    expect(d.fallback).toMatch(/native.*; compiled.*disabled/);
    process.env.EOC_BACKEND_DISABLE = 'native';
    expect(setBackend().name).toBe('compiled');
    expect(backendInfo().requested).toBe('default');
  });

  it('a missing .node file: loading says it is not built, and the CLI falls back to wasm saying why', () => {
    const saved = process.env.EOC_COMPILED_KERNELS;
    process.env.EOC_COMPILED_KERNELS = '/nonexistent/eoc_kernels.node';
    try {
      expect(() => loadCompiledBackend()).toThrow(/compiled kernels not built \(\/nonexistent\/eoc_kernels\.node missing/);
    } finally {
      if (saved === undefined) delete process.env.EOC_COMPILED_KERNELS;
      else process.env.EOC_COMPILED_KERNELS = saved;
    }
    const r = eoc(['--version'], { EOC_BACKEND: 'compiled', EOC_COMPILED_KERNELS: '/nonexistent/eoc_kernels.node' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/backend: wasm \[requested compiled; compiled: compiled kernels not built/);
    const ok = eoc(['--version'], { EOC_BACKEND: 'compiled' });
    expect(ok.stdout).toMatch(new RegExp(`backend: compiled \\(${kernels!.isa()} kernels, .*eoc_kernels\\.node\\)`));
  });

  it('loads through select.ts like the other backends', () => {
    expect(loadBackend('compiled').name).toBe('compiled');
  });
});
