import { describe, it, expect } from 'vitest';
import { householderQR as refQR, formQt as refFormQt, householderQRThin as refQRThin, formQThin as refFormQThin } from '../../src/linalg/qr.js';
import { loadCompiledKernels, loadCompiledBackend, type CompiledIsa, type CompiledKernels } from '../../src/linalg/backends/compiled.js';
import { describeRequiring } from '../support/requirements.js';
import { compiledRequirement, announceCompiled } from '../support/compiled.js';
import { eoc } from '../cli/run.js';
import { rng } from '../support/rng.js';
import { transpose } from '../../src/linalg/matrix.js';
import { gemv as refGemv, gemvT as refGemvT } from '../../src/linalg/gemm.js';

/**
 * The compiled port of the draws' QR (native/src/exact_qr.c) against the TS reference
 * (src/linalg/qr.ts), bit for bit: an exact identity, no tolerance. Every compiled path this CPU
 * runs (AVX-512: strips of 32 columns, AVX2: 8, baseline: 4) on sizes around the strip widths and
 * the reference dot's unroll of 4, on extreme scales, zero and repeated columns; then end to end,
 * the same seed gives byte-identical documents whether the draws' QR is the compiled one or not.
 */
const req = compiledRequirement();
announceCompiled(req);
const kernels: CompiledKernels | undefined = req.available ? loadCompiledKernels().kernels : undefined;
const ISAS: CompiledIsa[] = kernels ? kernels.supportedIsas() : [];

function gaussianish(n: number, seed: number, scale = 1): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: n * n }, () => (r() + r() + r()) * scale);
}
const same = (a: Float64Array, b: Float64Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

function inputs(): Float64Array[] {
  const out: Float64Array[] = [];
  for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 31, 32, 33, 63, 64, 65, 97, 130]) out.push(gaussianish(n, 11 * n + 1));
  out.push(gaussianish(20, 5, 1e-300), gaussianish(20, 6, 1e300), new Float64Array(25));
  // repeated columns (a zero reflector part further down) and a zero column in the middle
  const rd = gaussianish(9, 7);
  rd.copyWithin(0, 18, 27);
  out.push(rd);
  const zc = gaussianish(40, 8);
  zc.fill(0, 5 * 40, 6 * 40);
  out.push(zc);
  // zero columns in several strips (5, 40, 41, 70 of 100): they break the runs of reflectors that
  // the kernels apply in one pass each (chain_up, chain_down), on every path's strip width
  const zs = gaussianish(100, 9);
  for (const c of [5, 40, 41, 70]) zs.fill(0, c * 100, (c + 1) * 100);
  out.push(zs, gaussianish(257, 10));
  return out;
}

describeRequiring(req, 'the compiled exact QR of the draws (native/src/exact_qr.c)', () => {
  it('the backend offers it', () => {
    expect(loadCompiledBackend().exact).toBeDefined();
  });

  for (const isa of ISAS) {
    it(`householderQRThin and formQThin (rectangular draws) equal the reference bit for bit on the ${isa} path`, () => {
      const before = kernels!.isa();
      kernels!.setIsa(isa);
      try {
        const exact = loadCompiledBackend().exact!;
        expect(exact.householderQRThin && exact.formQThin).toBeDefined();
        const shapes: [number, number][] = [[2, 1], [5, 1], [7, 3], [33, 8], [64, 31], [65, 33], [130, 97], [300, 64], [512, 128], [1030, 40]];
        for (const [m, k] of shapes) {
          const r = rng(m * 31 + k);
          const data = Float64Array.from({ length: m * k }, () => r() + r() + r());
          if (m === 300) data.fill(0, 5 * m, 6 * m); // a zero column
          const a = data.slice(), b = data.slice();
          const ta = refQRThin(a, m, k), tb = exact.householderQRThin!(b, m, k);
          expect(same(b, a), `R and reflectors, ${m} x ${k}`).toBe(true);
          expect(same(tb, ta), `tau, ${m} x ${k}`).toBe(true);
          const qa = refFormQThin(a, ta, m, k), qb = exact.formQThin!(b, tb, m, k);
          expect(same(qb, qa), `Q, ${m} x ${k}`).toBe(true);
        }
      } finally {
        kernels!.setIsa(before);
      }
    });
  }

  for (const isa of ISAS) {
    it(`householderQR and formQt equal the reference bit for bit on the ${isa} path`, () => {
      const before = kernels!.isa();
      kernels!.setIsa(isa);
      try {
        const exact = loadCompiledBackend().exact!;
        for (const data of inputs()) {
          const n = Math.round(Math.sqrt(data.length));
          const a = data.slice(), b = data.slice();
          const ta = refQR(a, n), tb = exact.householderQR(b, n);
          expect(same(b, a), `R and reflectors, n = ${n}`).toBe(true);
          expect(same(tb, ta), `tau, n = ${n}`).toBe(true);
          const qa = refFormQt(a, ta, n), qb = exact.formQt(b, tb, n);
          expect(same(qb, qa), `Q^T, n = ${n}`).toBe(true);
          // haarQ: sampleHaar's W (rows of Q^T negated where R_jj < 0, transposed) in one step
          const w = transpose({ rows: n, cols: n, data: qa.map((v, idx) => (a[Math.floor(idx / n) * (n + 1)] < 0 ? -v : v)) }).data;
          expect(same(exact.haarQ!(b, tb, n), w), `sign-fixed W, n = ${n}`).toBe(true);
        }
      } finally {
        kernels!.setIsa(before);
      }
    });
  }

  for (const isa of ISAS) {
    it(`gemv and gemvT (the forward pass, backprop) equal gemm.ts bit for bit on the ${isa} path`, () => {
      const before = kernels!.isa();
      kernels!.setIsa(isa);
      try {
        const exact = loadCompiledBackend().exact!;
        expect(exact.gemv && exact.gemvT).toBeDefined();
        for (const [m, n] of [[1, 1], [3, 5], [4, 4], [5, 3], [7, 9], [8, 31], [33, 17], [64, 64], [70, 130], [257, 256]]) {
          const r = rng(m * 1000 + n);
          const A = { rows: m, cols: n, data: Float64Array.from({ length: m * n }, () => (r() - 0.5) * 10 ** Math.round(6 * (r() - 0.5))) };
          const x = Float64Array.from({ length: n }, () => r() - 0.5);
          const xt = Float64Array.from({ length: m }, () => r() - 0.5);
          // gemvT skips x_i === 0 (-0 too); NaN and infinities go through
          if (m > 4) [xt[1], xt[2], xt[3]] = [0, -0, NaN];
          if (m > 6) xt[5] = Infinity;
          if (n > 3) A.data[2] = -0;
          expect(same(exact.gemv!(A, x), refGemv(A, x)), `gemv ${m} x ${n}`).toBe(true);
          expect(same(exact.gemvT!(A, xt), refGemvT(A, xt)), `gemvT ${m} x ${n}`).toBe(true);
        }
      } finally {
        kernels!.setIsa(before);
      }
    });
  }

  it('a seed draws the same network with or without it (eoc spectrum --json, byte for byte)', () => {
    const args = ['spectrum', '--depth', '6', '--width', '70', '--seeds', '2', '--gain', '1.3', '--json'];
    const withIt = eoc(args, { EOC_BACKEND: 'js' });
    const wasmQR = eoc(args, { EOC_BACKEND: 'js', EOC_BACKEND_DISABLE: 'compiled' });
    const refQRRun = eoc(args, { EOC_BACKEND: 'js', EOC_BACKEND_DISABLE: 'compiled,wasm' });
    for (const r of [withIt, wasmQR, refQRRun]) expect(r.code, r.stderr).toBe(0);
    expect(withIt.stdout).toBe(refQRRun.stdout);
    expect(wasmQR.stdout).toBe(refQRRun.stdout);
  });

  it('a rectangular list (and a residual stack with wide branches) draws the same with or without it', () => {
    for (const arch of ['40 > 70:tanh > 20', '24 > res(ln > 56:gelu > 24) x 2 > ln']) {
      const args = ['spectrum', '--arch', arch, '--seeds', '2', '--json'];
      const withIt = eoc(args, { EOC_BACKEND: 'js' });
      const without = eoc(args, { EOC_BACKEND: 'js', EOC_BACKEND_DISABLE: 'compiled,wasm' });
      for (const r of [withIt, without]) expect(r.code, r.stderr).toBe(0);
      expect(withIt.stdout.replace(/"totalMs":[^,}]+/g, ''), arch).toBe(without.stdout.replace(/"totalMs":[^,}]+/g, ''));
    }
  });
});
