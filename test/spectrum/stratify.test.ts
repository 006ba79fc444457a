import { expect, it } from 'vitest';
import { jsStratify, stableProduct, type JacobianFactor } from '../../src/spectrum/stable-product.js';
import { loadCompiledBackend } from '../../src/linalg/backends/compiled.js';
import type { StratifyKernels } from '../../src/linalg/backend.js';
import { sampleHaar } from '../../src/linalg/haar.js';
import { normalStream } from '../../src/random/streams.js';
import { describeRequiring } from '../support/requirements.js';
import { compiledRequirement, announceCompiled } from '../support/compiled.js';
import { rng } from '../support/rng.js';

/**
 * The stable product's bookkeeping in C (native/src/stratify.c) against its TS reference
 * (jsStratify), bit for bit: an exact identity, no tolerance. Each kernel on sizes around the tile
 * of 32 with zeros, -0, NaN and extreme scales; then stableProduct end to end with and without the
 * compiled kernels on nets whose D spans hundreds of e-folds (so the per-entry exp tiles, which stay
 * in TS, are mixed with the multiplied-out ones); then bad indices are refused before any memory is read.
 */
const req = compiledRequirement();
announceCompiled(req);
const be = req.available ? loadCompiledBackend() : undefined;
const same = (a: ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }, b: typeof a): boolean =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

function data(len: number, seed: number, scale = 1): Float64Array {
  const r = rng(seed);
  const out = Float64Array.from({ length: len }, () => (r() - 0.5) * scale);
  // zeros, negative zeros and one NaN among them
  for (let i = 0; i < len; i += 7) out[i] = 0;
  for (let i = 3; i < len; i += 11) out[i] = -0;
  if (len > 5) out[5] = NaN;
  return out;
}

function shuffled(n: number, seed: number): Int32Array {
  const r = rng(seed);
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

const SIZES = [1, 2, 5, 31, 32, 33, 64, 100];

describeRequiring(req, 'the compiled bookkeeping of the stable product (native/src/stratify.c)', () => {
  const st = be!.stratify!;

  it('is there', () => {
    expect(st).toBeDefined();
  });

  it('rowNorms, gatherRows and transpose equal the TS loops bit for bit', () => {
    for (const n of SIZES) {
      for (const scale of [1, 1e-300, 1e300]) {
        const a = data(n * n, 3 * n + 1, scale);
        const want = new Float64Array(n), got = new Float64Array(n);
        jsStratify.rowNorms(a, n, want);
        st.rowNorms(a, n, got);
        expect(same(got, want), `rowNorms n=${n} scale=${scale}`).toBe(true);
      }
      const g = data(n * n, 5 * n), t = data(n * n, 7 * n), lnd = data(n, 9 * n);
      const perm = shuffled(n, n), rowPerm = shuffled(n, 2 * n + 1);
      for (const rp of [null, rowPerm]) {
        const w = [new Float64Array(n * n), new Float64Array(n * n), new Float64Array(n)];
        const h = [new Float64Array(n * n), new Float64Array(n * n), new Float64Array(n)];
        jsStratify.gatherRows(n, g, perm, rp, t, lnd, w[0], w[1], w[2]);
        st.gatherRows(n, g, perm, rp, t, lnd, h[0], h[1], h[2]);
        for (let k = 0; k < 3; k++) expect(same(h[k], w[k]), `gatherRows n=${n} rowPerm=${rp !== null} output ${k}`).toBe(true);
        const wt = new Float64Array(n * n), ht = new Float64Array(n * n);
        jsStratify.transpose(g, n, wt, rp);
        st.transpose(g, n, ht, rp);
        expect(same(ht, wt), `transpose n=${n} cols=${rp !== null}`).toBe(true);
      }
    }
  });

  it('formM equals the TS loop bit for bit, whichever tiles are flagged', () => {
    for (const n of SIZES) {
      for (const tile of [1, 4, 32]) {
        const tiles = Math.ceil(n / tile);
        const gp = data(n * n, 11 * n + tile), ea = data(n, 13 * n, 1e3), eb = data(tiles * n, 17 * n, 1e-3);
        const r = rng(n + tile);
        const fac = Uint8Array.from({ length: tiles * tiles }, () => (r() < 0.7 ? 1 : 0));
        // stale values in mt must not survive: both start from garbage
        const want = data(n * n, 19), got = data(n * n, 23);
        jsStratify.formM(n, tile, gp, ea, eb, fac, want);
        st.formM(n, tile, gp, ea, eb, fac, got);
        expect(same(got, want), `formM n=${n} tile=${tile}`).toBe(true);
      }
    }
  });

  it('stableProduct gives the same T and ln d with the compiled bookkeeping as with the TS one, saturated layers included', () => {
    const n = 48;
    const stream = normalStream(2024, 'weights');
    const r = rng(77);
    let unfactored = 0, factored = 0;
    const counting: StratifyKernels = {
      ...st,
      formM(nn, tile, gp, ea, eb, fac, mt) {
        for (const f of fac) (f ? factored++ : unfactored++);
        st.formM(nn, tile, gp, ea, eb, fac, mt);
      },
    };
    for (const depthE of [0.5, 40, 700]) {
      // ln phi' spread over [-depthE, 0] in every layer: 700 e-folds need several row scalings a layer
      const factors: JacobianFactor[] = Array.from({ length: 12 }, () => {
        const lnDphi = Float64Array.from({ length: n }, () => -depthE * r());
        return { base: sampleHaar(n, stream), dphi: lnDphi.map(Math.exp), lnDphi };
      });
      for (const blockSize of [1, 4]) {
        const withC = stableProduct(factors, 1.3, blockSize, { ...be!, stratify: counting });
        const withTs = stableProduct(factors, 1.3, blockSize, { ...be!, stratify: undefined });
        expect(same(withC.t, withTs.t), `T, spread ${depthE}, block ${blockSize}`).toBe(true);
        expect(same(withC.lnd, withTs.lnd), `ln d, spread ${depthE}, block ${blockSize}`).toBe(true);
      }
    }
    // both kinds of tile were met (the test would prove nothing about the per-entry path otherwise)
    expect(factored).toBeGreaterThan(0);
    expect(unfactored).toBeGreaterThan(0);
  });

  it('refuses an index outside the matrix before reading memory', () => {
    const n = 4;
    const z = () => new Float64Array(n * n), v = () => new Float64Array(n);
    const bad = Int32Array.from([0, 1, 2, 4]);
    expect(() => st.gatherRows(n, z(), bad, null, z(), v(), z(), z(), v())).toThrow(/perm\[3\] = 4 is outside \[0, 4\)/);
    expect(() => st.gatherRows(n, z(), Int32Array.from([0, 1, 2, 3]), Int32Array.from([-1, 0, 1, 2]), z(), v(), z(), z(), v())).toThrow(/rowPerm\[0\] = -1/);
    expect(() => st.transpose(z(), n, z(), Int32Array.from([0, 9, 1, 2]))).toThrow(/cols\[1\] = 9/);
    expect(() => st.gatherRows(n, z(), Int32Array.from([0, 1]), null, z(), v(), z(), z(), v())).toThrow(/perm has 2 elements, the shape needs 4/);
    expect(() => st.formM(n, 2, z(), v(), new Float64Array(2 * n), new Uint8Array(3), z())).toThrow(/fac must be a Uint8Array/);
  });
});
