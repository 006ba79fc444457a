// AssemblyScript kernels for eoc's WebAssembly backend (built by `npm run build:wasm`).
//
// Everything works on f64 arrays at byte addresses in linear memory that the TypeScript loader
// (src/linalg/backends/wasm.ts) owns: no allocation happens here, callers pass workspaces.
// Layouts follow the TypeScript reference: gemm is row-major; QR works on "column storage"
// (row c of the buffer = column c of the matrix), which is exactly LAPACK's column-major layout,
// so the blocked algorithms below are LAPACK's (dgeqrf / dorgqr with dlarft + dlarfb).

// Math.hypot from the host: the reference QR uses V8's, and Haar draws must be bitwise identical
// on every backend (see householderQRExact below).
@external("env", "hypot")
declare function hostHypot(x: f64, y: f64): f64;

export function heapBase(): usize {
  return __heap_base;
}

// ---------------------------------------------------------------------------------------------
// GEMM: C = beta C + alpha op(A) op(B), row-major, Goto-style blocking.
// A 4x4 register tile of f64x2 accumulators (8 vectors) takes one B row-pair and four A splats per
// k step; the packed A block (MC x KC) stays in L2, the packed B micro-panel (KC x 4) in L1.
// wasm SIMD has no fused multiply-add in its baseline, so mul + add it is; the relaxed-SIMD build
// (asm/build.mjs: linalg-relaxed.wasm) uses f64x2.relaxed_madd here, fused where the CPU has FMA.

// c + a b: fused (one rounding) in the relaxed build where the host has FMA, else mul then add
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, c);
  return f64x2.add(c, f64x2.mul(a, b));
}

const MR: i32 = 4;
const NR: i32 = 4;
const KC: i32 = 256;
const MC: i32 = 128;
const NC: i32 = 2048;

/** bytes of workspace gemm needs (packed A block, packed B block, one edge tile) */
export function gemmWorkBytes(): usize {
  return <usize>(MC * KC + KC * NC + MR * NR) * 8;
}

// pack rows i0..i0+mc of op(A), k columns p0..p0+kc, as MR-row micro-panels [panel][p][ii]
function packA(transA: i32, a: usize, lda: i32, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const panel = dst + <usize>(ir * kc) * 8;
    for (let ii = 0; ii < MR; ii++) {
      const i = ir + ii;
      if (i < mc) {
        if (transA == 0) {
          const src = a + <usize>((i0 + i) * lda + p0) * 8;
          for (let p = 0; p < kc; p++) store<f64>(panel + <usize>(p * MR + ii) * 8, load<f64>(src + <usize>p * 8));
        } else {
          for (let p = 0; p < kc; p++) store<f64>(panel + <usize>(p * MR + ii) * 8, load<f64>(a + <usize>((p0 + p) * lda + i0 + i) * 8));
        }
      } else {
        for (let p = 0; p < kc; p++) store<f64>(panel + <usize>(p * MR + ii) * 8, 0.0);
      }
    }
  }
}

// pack columns j0..j0+nc of op(B) (k rows p0..p0+kc) as NR-column micro-panels [panel][p][jj]
function packB(transB: i32, b: usize, ldb: i32, j0: i32, nc: i32, p0: i32, kc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const panel = dst + <usize>(jr * kc) * 8;
    const full = jr + NR <= nc;
    if (transB == 0 && full) {
      // op(B) = B: row p of B holds the NR columns contiguously
      for (let p = 0; p < kc; p++) {
        v128.store(panel + <usize>(p * NR) * 8, v128.load(b + <usize>((p0 + p) * ldb + j0 + jr) * 8));
        v128.store(panel + <usize>(p * NR + 2) * 8, v128.load(b + <usize>((p0 + p) * ldb + j0 + jr + 2) * 8));
      }
      continue;
    }
    for (let jj = 0; jj < NR; jj++) {
      const j = jr + jj;
      if (j < nc) {
        if (transB != 0) {
          const src = b + <usize>((j0 + j) * ldb + p0) * 8;
          for (let p = 0; p < kc; p++) store<f64>(panel + <usize>(p * NR + jj) * 8, load<f64>(src + <usize>p * 8));
        } else {
          for (let p = 0; p < kc; p++) store<f64>(panel + <usize>(p * NR + jj) * 8, load<f64>(b + <usize>((p0 + p) * ldb + j0 + j) * 8));
        }
      } else {
        for (let p = 0; p < kc; p++) store<f64>(panel + <usize>(p * NR + jj) * 8, 0.0);
      }
    }
  }
}

// C[0:mr, 0:nr] = beta C + alpha * (Ap Bp^T) over kc steps
function micro(kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, alpha: f64, beta: f64, mr: i32, nr: i32, tile: usize): void {
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0), c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0), c21 = f64x2.splat(0);
  let c30 = f64x2.splat(0), c31 = f64x2.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load64_splat(ap);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load64_splat(ap, 8);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load64_splat(ap, 16);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load64_splat(ap, 24);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    ap += 32;
    bp += 32;
  }
  const va = f64x2.splat(alpha);
  if (mr == MR && nr == NR) {
    const row = <usize>ldc * 8;
    if (beta == 0) {
      v128.store(c, f64x2.mul(va, c00)); v128.store(c, f64x2.mul(va, c01), 16); c += row;
      v128.store(c, f64x2.mul(va, c10)); v128.store(c, f64x2.mul(va, c11), 16); c += row;
      v128.store(c, f64x2.mul(va, c20)); v128.store(c, f64x2.mul(va, c21), 16); c += row;
      v128.store(c, f64x2.mul(va, c30)); v128.store(c, f64x2.mul(va, c31), 16);
    } else if (beta == 1) {
      v128.store(c, f64x2.add(v128.load(c), f64x2.mul(va, c00))); v128.store(c, f64x2.add(v128.load(c, 16), f64x2.mul(va, c01)), 16); c += row;
      v128.store(c, f64x2.add(v128.load(c), f64x2.mul(va, c10))); v128.store(c, f64x2.add(v128.load(c, 16), f64x2.mul(va, c11)), 16); c += row;
      v128.store(c, f64x2.add(v128.load(c), f64x2.mul(va, c20))); v128.store(c, f64x2.add(v128.load(c, 16), f64x2.mul(va, c21)), 16); c += row;
      v128.store(c, f64x2.add(v128.load(c), f64x2.mul(va, c30))); v128.store(c, f64x2.add(v128.load(c, 16), f64x2.mul(va, c31)), 16);
    } else {
      const vb = f64x2.splat(beta);
      v128.store(c, f64x2.add(f64x2.mul(vb, v128.load(c)), f64x2.mul(va, c00))); v128.store(c, f64x2.add(f64x2.mul(vb, v128.load(c, 16)), f64x2.mul(va, c01)), 16); c += row;
      v128.store(c, f64x2.add(f64x2.mul(vb, v128.load(c)), f64x2.mul(va, c10))); v128.store(c, f64x2.add(f64x2.mul(vb, v128.load(c, 16)), f64x2.mul(va, c11)), 16); c += row;
      v128.store(c, f64x2.add(f64x2.mul(vb, v128.load(c)), f64x2.mul(va, c20))); v128.store(c, f64x2.add(f64x2.mul(vb, v128.load(c, 16)), f64x2.mul(va, c21)), 16); c += row;
      v128.store(c, f64x2.add(f64x2.mul(vb, v128.load(c)), f64x2.mul(va, c30))); v128.store(c, f64x2.add(f64x2.mul(vb, v128.load(c, 16)), f64x2.mul(va, c31)), 16);
    }
    return;
  }
  // edge tile: spill the accumulators, then update only the valid part
  v128.store(tile, c00); v128.store(tile, c01, 16);
  v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  v128.store(tile, c20, 64); v128.store(tile, c21, 80);
  v128.store(tile, c30, 96); v128.store(tile, c31, 112);
  for (let i = 0; i < mr; i++) {
    for (let j = 0; j < nr; j++) {
      const dst = c + <usize>(i * ldc + j) * 8;
      const v = alpha * load<f64>(tile + <usize>(i * NR + j) * 8);
      store<f64>(dst, beta == 0 ? v : beta * load<f64>(dst) + v);
    }
  }
}

/**
 * C (m x n, row-major, ldc) = beta C + alpha op(A) op(B); op(A) is m x k, op(B) is k x n.
 * transA = 0: A is m x k (lda); else A is k x m. transB = 0: B is k x n (ldb); else B is n x k.
 * beta = 0 never reads C (so it may hold NaN), as in BLAS.
 */
export function gemm(transA: i32, transB: i32, m: i32, n: i32, k: i32, alpha: f64, a: usize, lda: i32, b: usize, ldb: i32, beta: f64, c: usize, ldc: i32, work: usize): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha == 0) {
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      const dst = c + <usize>(i * ldc + j) * 8;
      store<f64>(dst, beta == 0 ? 0.0 : beta * load<f64>(dst));
    }
    return;
  }
  const pa = work;
  const pb = work + <usize>(MC * KC) * 8;
  const tile = pb + <usize>(KC * NC) * 8;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const bet = pc == 0 ? beta : 1.0;
      packB(transB, b, ldb, jc, nc, pc, kc, pb);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA(transA, a, lda, ic, mc, pc, kc, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const bpanel = pb + <usize>(jr * kc) * 8;
          const nr = min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            micro(kc, pa + <usize>(ir * kc) * 8, bpanel, c + <usize>((ic + ir) * ldc + jc + jr) * 8, ldc, alpha, bet, mr, nr, tile);
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Level 1/2

@inline function dotv(n: i32, x: usize, y: usize): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const o = <usize>i * 8;
    s0 = f64x2.add(s0, f64x2.mul(v128.load(x + o), v128.load(y + o)));
    s1 = f64x2.add(s1, f64x2.mul(v128.load(x + o, 16), v128.load(y + o, 16)));
  }
  s0 = f64x2.add(s0, s1);
  let s = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1);
  for (; i < n; i++) s += load<f64>(x + <usize>i * 8) * load<f64>(y + <usize>i * 8);
  return s;
}

export function dot(n: i32, x: usize, y: usize): f64 {
  return dotv(n, x, y);
}

// The reference dot (src/linalg/vector.ts) operation for operation: four running sums s0..s3 over
// i = 0,1,2,3 mod 4 (the lanes of two f64x2 accumulators), the tail into s0, then (s0+s1)+(s2+s3).
@inline function dotExact(n: i32, x: usize, y: usize): f64 {
  let s01 = f64x2.splat(0), s23 = f64x2.splat(0);
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const o = <usize>i * 8;
    s01 = f64x2.add(s01, f64x2.mul(v128.load(x + o), v128.load(y + o)));
    s23 = f64x2.add(s23, f64x2.mul(v128.load(x + o, 16), v128.load(y + o, 16)));
  }
  let s0 = f64x2.extract_lane(s01, 0);
  for (; i < n; i++) s0 += load<f64>(x + <usize>i * 8) * load<f64>(y + <usize>i * 8);
  return s0 + f64x2.extract_lane(s01, 1) + (f64x2.extract_lane(s23, 0) + f64x2.extract_lane(s23, 1));
}

// Four reference dots x . y_c sharing the loads of x: each is dotExact operation for operation (so
// bitwise equal), results in g0..g3. Used by the exact QR and Q^T, whose time goes to streaming x.
let g0: f64 = 0, g1: f64 = 0, g2: f64 = 0, g3: f64 = 0;
@inline function dotExact4(n: i32, x: usize, y0: usize, y1: usize, y2: usize, y3: usize): void {
  let a01 = f64x2.splat(0), a23 = f64x2.splat(0), b01 = f64x2.splat(0), b23 = f64x2.splat(0);
  let c01 = f64x2.splat(0), c23 = f64x2.splat(0), d01 = f64x2.splat(0), d23 = f64x2.splat(0);
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const o = <usize>i * 8;
    const x01 = v128.load(x + o), x23 = v128.load(x + o, 16);
    a01 = f64x2.add(a01, f64x2.mul(x01, v128.load(y0 + o)));
    a23 = f64x2.add(a23, f64x2.mul(x23, v128.load(y0 + o, 16)));
    b01 = f64x2.add(b01, f64x2.mul(x01, v128.load(y1 + o)));
    b23 = f64x2.add(b23, f64x2.mul(x23, v128.load(y1 + o, 16)));
    c01 = f64x2.add(c01, f64x2.mul(x01, v128.load(y2 + o)));
    c23 = f64x2.add(c23, f64x2.mul(x23, v128.load(y2 + o, 16)));
    d01 = f64x2.add(d01, f64x2.mul(x01, v128.load(y3 + o)));
    d23 = f64x2.add(d23, f64x2.mul(x23, v128.load(y3 + o, 16)));
  }
  let s0 = f64x2.extract_lane(a01, 0), s1 = f64x2.extract_lane(b01, 0), s2 = f64x2.extract_lane(c01, 0), s3 = f64x2.extract_lane(d01, 0);
  for (; i < n; i++) {
    const o = <usize>i * 8;
    const xi = load<f64>(x + o);
    s0 += xi * load<f64>(y0 + o);
    s1 += xi * load<f64>(y1 + o);
    s2 += xi * load<f64>(y2 + o);
    s3 += xi * load<f64>(y3 + o);
  }
  g0 = s0 + f64x2.extract_lane(a01, 1) + (f64x2.extract_lane(a23, 0) + f64x2.extract_lane(a23, 1));
  g1 = s1 + f64x2.extract_lane(b01, 1) + (f64x2.extract_lane(b23, 0) + f64x2.extract_lane(b23, 1));
  g2 = s2 + f64x2.extract_lane(c01, 1) + (f64x2.extract_lane(c23, 0) + f64x2.extract_lane(c23, 1));
  g3 = s3 + f64x2.extract_lane(d01, 1) + (f64x2.extract_lane(d23, 0) + f64x2.extract_lane(d23, 1));
}

/** y_c += alpha_c x for four columns, each as axpyv (bitwise), sharing the loads of x */
@inline function axpy4(n: i32, al0: f64, al1: f64, al2: f64, al3: f64, x: usize, y0: usize, y1: usize, y2: usize, y3: usize): void {
  const v0 = f64x2.splat(al0), v1 = f64x2.splat(al1), v2 = f64x2.splat(al2), v3 = f64x2.splat(al3);
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const o = <usize>i * 8;
    const xv = v128.load(x + o);
    v128.store(y0 + o, f64x2.add(v128.load(y0 + o), f64x2.mul(v0, xv)));
    v128.store(y1 + o, f64x2.add(v128.load(y1 + o), f64x2.mul(v1, xv)));
    v128.store(y2 + o, f64x2.add(v128.load(y2 + o), f64x2.mul(v2, xv)));
    v128.store(y3 + o, f64x2.add(v128.load(y3 + o), f64x2.mul(v3, xv)));
  }
  if (i < n) {
    const o = <usize>i * 8;
    const xi = load<f64>(x + o);
    store<f64>(y0 + o, load<f64>(y0 + o) + al0 * xi);
    store<f64>(y1 + o, load<f64>(y1 + o) + al1 * xi);
    store<f64>(y2 + o, load<f64>(y2 + o) + al2 * xi);
    store<f64>(y3 + o, load<f64>(y3 + o) + al3 * xi);
  }
}

/** y += alpha x */
@inline function axpyv(n: i32, alpha: f64, x: usize, y: usize): void {
  const va = f64x2.splat(alpha);
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const o = <usize>i * 8;
    v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.mul(va, v128.load(x + o))));
  }
  if (i < n) store<f64>(y + <usize>i * 8, load<f64>(y + <usize>i * 8) + alpha * load<f64>(x + <usize>i * 8));
}

@inline function scalv(n: i32, alpha: f64, x: usize): void {
  for (let i = 0; i < n; i++) store<f64>(x + <usize>i * 8, alpha * load<f64>(x + <usize>i * 8));
}

/** Euclidean norm scaled by the largest entry, as the reference norm2 (no overflow/underflow). */
export function nrm2(n: i32, x: usize): f64 {
  let scale = 0.0;
  for (let i = 0; i < n; i++) {
    const v = Math.abs(load<f64>(x + <usize>i * 8));
    if (v > scale) scale = v;
  }
  if (scale == 0 || !isFinite(scale)) return scale;
  const inv = 1 / scale;
  let ss = 0.0;
  for (let i = 0; i < n; i++) {
    const v = load<f64>(x + <usize>i * 8) * inv;
    ss += v * v;
  }
  return scale * Math.sqrt(ss);
}

/** y = A x, A row-major m x n */
export function gemv(m: i32, n: i32, a: usize, lda: i32, x: usize, y: usize): void {
  for (let i = 0; i < m; i++) store<f64>(y + <usize>i * 8, dotv(n, a + <usize>(i * lda) * 8, x));
}

/** y = A^T x, A row-major m x n: a sum of scaled rows */
export function gemvT(m: i32, n: i32, a: usize, lda: i32, x: usize, y: usize): void {
  memory.fill(y, 0, <usize>n * 8);
  for (let i = 0; i < m; i++) {
    const xi = load<f64>(x + <usize>i * 8);
    if (xi != 0) axpyv(n, xi, a + <usize>(i * lda) * 8, y);
  }
}

// ---------------------------------------------------------------------------------------------
// Householder QR, column-major (LAPACK's dgeqrf/dorgqr), blocked with the compact WY form.

const NB: i32 = 32;

/** bytes of workspace geqrf/orgqr need for m rows and n columns (on top of gemmWorkBytes) */
export function qrWorkBytes(m: i32, n: i32): usize {
  return <usize>(2 * m * NB + n * NB + NB * NB) * 8 + gemmWorkBytes();
}

// Unblocked QR of the m x n panel at a (ld lda), the TS reference's arithmetic exactly (same
// reflector convention as dlarfg, same dot order, host hypot; y - w x rounds as y + (-w) x).
function geqr2(m: i32, n: i32, a: usize, lda: i32, tau: usize): void {
  const kmax = min(m, n);
  for (let j = 0; j < kmax; j++) {
    const col = a + <usize>(j * lda) * 8;
    const alpha = load<f64>(col + <usize>j * 8);
    const rest = m - j - 1;
    const xnorm = rest > 0 ? nrm2(rest, col + <usize>(j + 1) * 8) : 0.0;
    if (xnorm == 0) {
      store<f64>(tau + <usize>j * 8, 0.0);
      continue;
    }
    const beta = -(alpha != 0 ? Math.sign(alpha) : 1.0) * hostHypot(alpha, xnorm);
    const t = (beta - alpha) / beta;
    store<f64>(tau + <usize>j * 8, t);
    scalv(rest, 1 / (alpha - beta), col + <usize>(j + 1) * 8);
    store<f64>(col + <usize>j * 8, beta);
    const x = col + <usize>(j + 1) * 8;
    let c = j + 1;
    // four trailing columns at a time (each column's arithmetic unchanged)
    for (; c + 3 < n; c += 4) {
      const c0 = a + <usize>(c * lda) * 8, c1 = c0 + <usize>lda * 8, c2 = c1 + <usize>lda * 8, c3 = c2 + <usize>lda * 8;
      const o = <usize>(j + 1) * 8, oj = <usize>j * 8;
      dotExact4(rest, x, c0 + o, c1 + o, c2 + o, c3 + o);
      const w0 = t * (load<f64>(c0 + oj) + g0), w1 = t * (load<f64>(c1 + oj) + g1);
      const w2 = t * (load<f64>(c2 + oj) + g2), w3 = t * (load<f64>(c3 + oj) + g3);
      store<f64>(c0 + oj, load<f64>(c0 + oj) - w0);
      store<f64>(c1 + oj, load<f64>(c1 + oj) - w1);
      store<f64>(c2 + oj, load<f64>(c2 + oj) - w2);
      store<f64>(c3 + oj, load<f64>(c3 + oj) - w3);
      axpy4(rest, -w0, -w1, -w2, -w3, x, c0 + o, c1 + o, c2 + o, c3 + o);
    }
    for (; c < n; c++) {
      const cc = a + <usize>(c * lda) * 8;
      const w = t * (load<f64>(cc + <usize>j * 8) + dotExact(rest, x, cc + <usize>(j + 1) * 8));
      store<f64>(cc + <usize>j * 8, load<f64>(cc + <usize>j * 8) - w);
      axpyv(rest, -w, x, cc + <usize>(j + 1) * 8);
    }
  }
}

// T (k x k, column-major, upper) with H_0 ... H_{k-1} = I - V T V^T (dlarft, forward, columnwise)
function larft(m: i32, k: i32, v: usize, ldv: i32, tau: usize, t: usize): void {
  for (let i = 0; i < k; i++) {
    const ti = load<f64>(tau + <usize>i * 8);
    const tcol = t + <usize>(i * k) * 8;
    for (let j = 0; j < k; j++) store<f64>(tcol + <usize>j * 8, 0.0);
    if (ti == 0) continue;
    const vi = v + <usize>(i * ldv) * 8;
    for (let j = 0; j < i; j++) {
      const vj = v + <usize>(j * ldv) * 8;
      // v_i is 1 at row i and 0 above, so the sum starts at row i
      const s = load<f64>(vj + <usize>i * 8) + dotv(m - i - 1, vj + <usize>(i + 1) * 8, vi + <usize>(i + 1) * 8);
      store<f64>(tcol + <usize>j * 8, -ti * s);
    }
    // T[0:i, i] = T[0:i, 0:i] T[0:i, i]; ascending j reads only entries not yet overwritten
    for (let j = 0; j < i; j++) {
      let s = 0.0;
      for (let q = j; q < i; q++) s += load<f64>(t + <usize>(q * k + j) * 8) * load<f64>(tcol + <usize>q * 8);
      store<f64>(tcol + <usize>j * 8, s);
    }
    store<f64>(tcol + <usize>i * 8, ti);
  }
}

// explicit copies of the reflector panel V (m x k, unit lower trapezoidal): vc in column storage
// (ld m), vr row-major (m x k), so both products of dlarfb are plain gemms
function explicitV(m: i32, k: i32, v: usize, ldv: i32, vc: usize, vr: usize): void {
  for (let j = 0; j < k; j++) {
    const src = v + <usize>(j * ldv) * 8;
    const dst = vc + <usize>(j * m) * 8;
    for (let i = 0; i < m; i++) {
      const x = i < j ? 0.0 : i == j ? 1.0 : load<f64>(src + <usize>i * 8);
      store<f64>(dst + <usize>i * 8, x);
      store<f64>(vr + <usize>(i * k + j) * 8, x);
    }
  }
}

// C (m x n, column-major at c, ldc) = (I - V op(T) V^T) C with op(T) = T^T if trans else T (dlarfb, left)
function larfb(trans: bool, m: i32, n: i32, k: i32, vc: usize, vr: usize, t: usize, c: usize, ldc: i32, w: usize, gw: usize): void {
  if (n <= 0) return;
  // W (n x k, row-major) = C^T V: row j of W is column j of C against the reflectors
  gemm(0, 1, n, k, m, 1.0, c, ldc, vc, m, 0.0, w, k, gw);
  // W := W T (trans) or W T^T: a k x k triangular factor, row by row
  for (let j = 0; j < n; j++) {
    const wr = w + <usize>(j * k) * 8;
    if (trans) {
      for (let p = k - 1; p >= 0; p--) {
        let s = 0.0;
        for (let q = 0; q <= p; q++) s += load<f64>(wr + <usize>q * 8) * load<f64>(t + <usize>(p * k + q) * 8);
        store<f64>(wr + <usize>p * 8, s);
      }
    } else {
      for (let p = 0; p < k; p++) {
        let s = 0.0;
        for (let q = p; q < k; q++) s += load<f64>(t + <usize>(q * k + p) * 8) * load<f64>(wr + <usize>q * 8);
        store<f64>(wr + <usize>p * 8, s);
      }
    }
  }
  // C^T -= W V^T (C^T is C's column storage, row-major n x m)
  gemm(0, 1, n, m, k, -1.0, w, k, vr, k, 1.0, c, ldc, gw);
}

/** In-place QR of the m x n column-major matrix a (lda), reflectors below the diagonal, tau[n]. */
export function geqrf(m: i32, n: i32, a: usize, lda: i32, tau: usize, work: usize): void {
  const vc = work;
  const vr = vc + <usize>(m * NB) * 8;
  const w = vr + <usize>(m * NB) * 8;
  const t = w + <usize>(n * NB) * 8;
  const gw = t + <usize>(NB * NB) * 8;
  const kmax = min(m, n);
  for (let k = 0; k < kmax; k += NB) {
    const kb = min(NB, kmax - k);
    const panel = a + <usize>(k * lda + k) * 8;
    geqr2(m - k, kb, panel, lda, tau + <usize>k * 8);
    if (k + kb < n) {
      larft(m - k, kb, panel, lda, tau + <usize>k * 8, t);
      explicitV(m - k, kb, panel, lda, vc, vr);
      larfb(true, m - k, n - k - kb, kb, vc, vr, t, a + <usize>((k + kb) * lda + k) * 8, lda, w, gw);
    }
  }
}

/**
 * The reference householderQR (src/linalg/qr.ts) bit for bit, SIMD but unblocked: for the Haar draws,
 * which define the networks and so must not depend on the backend.
 */
export function householderQRExact(n: i32, a: usize, tau: usize): void {
  geqr2(n, n, a, n, tau);
}

/** The reference formQt bit for bit: row j of Q^T = H_0 ... H_j e_j, applied right to left. */
export function formQtExact(n: i32, a: usize, tau: usize, qt: usize): void {
  memory.fill(qt, 0, <usize>(n * n) * 8);
  let j0 = 0;
  // columns of Q four at a time, so each reflector is streamed once per four columns; every column
  // still gets H_j, H_{j-1}, ..., H_0 in that order with the reference arithmetic (bitwise equal)
  for (; j0 + 3 < n; j0 += 4) {
    for (let j = j0; j < j0 + 4; j++) store<f64>(qt + <usize>(j * n + j) * 8, 1.0);
    for (let k = j0 + 3; k > j0; k--) {
      for (let j = k; j < j0 + 4; j++) applyReflectorExact(n, a, tau, qt + <usize>(j * n) * 8, k);
    }
    const q0 = qt + <usize>(j0 * n) * 8, q1 = q0 + <usize>n * 8, q2 = q1 + <usize>n * 8, q3 = q2 + <usize>n * 8;
    for (let k = j0; k >= 0; k--) {
      const t = load<f64>(tau + <usize>k * 8);
      if (t == 0) continue;
      const x = a + <usize>(k * n + k + 1) * 8;
      const o = <usize>(k + 1) * 8, ok = <usize>k * 8;
      dotExact4(n - k - 1, x, q0 + o, q1 + o, q2 + o, q3 + o);
      const w0 = t * (load<f64>(q0 + ok) + g0), w1 = t * (load<f64>(q1 + ok) + g1);
      const w2 = t * (load<f64>(q2 + ok) + g2), w3 = t * (load<f64>(q3 + ok) + g3);
      store<f64>(q0 + ok, load<f64>(q0 + ok) - w0);
      store<f64>(q1 + ok, load<f64>(q1 + ok) - w1);
      store<f64>(q2 + ok, load<f64>(q2 + ok) - w2);
      store<f64>(q3 + ok, load<f64>(q3 + ok) - w3);
      axpy4(n - k - 1, -w0, -w1, -w2, -w3, x, q0 + o, q1 + o, q2 + o, q3 + o);
    }
  }
  for (; j0 < n; j0++) {
    const qj = qt + <usize>(j0 * n) * 8;
    store<f64>(qj + <usize>j0 * 8, 1.0);
    for (let k = j0; k >= 0; k--) applyReflectorExact(n, a, tau, qj, k);
  }
}

/** column qj <- H_k qj, the reference arithmetic */
function applyReflectorExact(n: i32, a: usize, tau: usize, qj: usize, k: i32): void {
  const t = load<f64>(tau + <usize>k * 8);
  if (t == 0) return;
  const ck = a + <usize>(k * n) * 8;
  const rest = n - k - 1;
  const w = t * (load<f64>(qj + <usize>k * 8) + dotExact(rest, ck + <usize>(k + 1) * 8, qj + <usize>(k + 1) * 8));
  store<f64>(qj + <usize>k * 8, load<f64>(qj + <usize>k * 8) - w);
  axpyv(rest, -w, ck + <usize>(k + 1) * 8, qj + <usize>(k + 1) * 8);
}

/** Q (m x n, column-major at q, ldq) = H_0 ... H_{n-1} [I; 0] from geqrf's output (dorgqr). */
export function orgqr(m: i32, n: i32, a: usize, lda: i32, tau: usize, q: usize, ldq: i32, work: usize): void {
  const vc = work;
  const vr = vc + <usize>(m * NB) * 8;
  const w = vr + <usize>(m * NB) * 8;
  const t = w + <usize>(n * NB) * 8;
  const gw = t + <usize>(NB * NB) * 8;
  for (let j = 0; j < n; j++) {
    const col = q + <usize>(j * ldq) * 8;
    memory.fill(col, 0, <usize>m * 8);
    store<f64>(col + <usize>j * 8, 1.0);
  }
  if (n == 0) return;
  // blocks last to first: block k touches only rows and columns >= k, where Q is still identity
  for (let k = ((n - 1) / NB) * NB; k >= 0; k -= NB) {
    const kb = min(NB, n - k);
    const panel = a + <usize>(k * lda + k) * 8;
    larft(m - k, kb, panel, lda, tau + <usize>k * 8, t);
    explicitV(m - k, kb, panel, lda, vc, vr);
    larfb(false, m - k, n - k, kb, vc, vr, t, q + <usize>(k * ldq + k) * 8, ldq, w, gw);
  }
}

// ---------------------------------------------------------------------------------------------
// The stable product's optional kernels (LinalgBackend.ormqrRight / trmmUpperLeft, as LAPACK's
// dormqr side R and BLAS's dtrmm left upper): rounding-level, not the reference's arithmetic.

/** reflectors per compact-WY block in ormqrRight */
const ONB: i32 = 32;

/** bytes of workspace ormqrRight needs for order n */
export function ormqrWorkBytes(n: i32): usize {
  return <usize>(2 * n * ONB + n * ONB + 2 * ONB * ONB) * 8 + gemmWorkBytes();
}

// T (k x k, column-major, upper) as larft, with the Gram matrix S = V^T V (k x k row-major, one
// gemm) in place of k^2/2 separate dots: T[j, i] = -tau_i S[j, i], then T[0:i, i] = T[0:i, 0:i] T[0:i, i]
function larftGram(m: i32, k: i32, vc: usize, tau: usize, t: usize, s: usize, gw: usize): void {
  gemm(0, 1, k, k, m, 1.0, vc, m, vc, m, 0.0, s, k, gw);
  for (let i = 0; i < k; i++) {
    const ti = load<f64>(tau + <usize>i * 8);
    const tcol = t + <usize>(i * k) * 8;
    for (let j = 0; j < k; j++) store<f64>(tcol + <usize>j * 8, 0.0);
    if (ti == 0) continue;
    for (let j = 0; j < i; j++) store<f64>(tcol + <usize>j * 8, -ti * load<f64>(s + <usize>(j * k + i) * 8));
    for (let j = 0; j < i; j++) {
      let acc = 0.0;
      for (let q = j; q < i; q++) acc += load<f64>(t + <usize>(q * k + j) * 8) * load<f64>(tcol + <usize>q * 8);
      store<f64>(tcol + <usize>j * 8, acc);
    }
    store<f64>(tcol + <usize>i * 8, ti);
  }
}

/**
 * C := C Q for C column-major n x n at c (buffer row j = column j of C) and Q = H_0 ... H_{n-1}
 * from geqrf/householderQRExact's output at a (column storage, ld n), without forming Q (dormqr,
 * side R, no transpose). Blocks of ONB reflectors in compact-WY form B = I - V T V^T, applied first
 * to last: in the buffer's terms C^T := C^T - V T^T (V^T C^T) on rows k..n-1, two gemms and a
 * small triangular product.
 */
export function ormqrRight(n: i32, a: usize, tau: usize, c: usize, work: usize): void {
  if (n <= 0) return;
  const vc = work;
  const vr = vc + <usize>(n * ONB) * 8;
  const x = vr + <usize>(n * ONB) * 8;
  const t = x + <usize>(n * ONB) * 8;
  const s = t + <usize>(ONB * ONB) * 8;
  const gw = s + <usize>(ONB * ONB) * 8;
  for (let k = 0; k < n; k += ONB) {
    const kb = min(ONB, n - k);
    const m = n - k;
    explicitV(m, kb, a + <usize>(k * n + k) * 8, n, vc, vr);
    larftGram(m, kb, vc, tau + <usize>k * 8, t, s, gw);
    const ck = c + <usize>(k * n) * 8;
    // X (kb x n) = V^T C^T[k:n, :]
    gemm(0, 0, kb, n, m, 1.0, vc, m, ck, n, 0.0, x, n, gw);
    // X := T^T X: row p becomes sum_{q <= p} T[q, p] X[q, :], last row first so rows q < p are still old
    for (let p = kb - 1; p >= 0; p--) {
      const xp = x + <usize>(p * n) * 8;
      const tcol = t + <usize>(p * kb) * 8;
      scalv(n, load<f64>(tcol + <usize>p * 8), xp);
      for (let q = 0; q < p; q++) {
        const tq = load<f64>(tcol + <usize>q * 8);
        if (tq != 0) axpyv(n, tq, x + <usize>(q * n) * 8, xp);
      }
    }
    // C^T[k:n, :] -= V X
    gemm(0, 0, m, n, kb, -1.0, vr, kb, x, n, 1.0, ck, n, gw);
  }
}

/** rows of M per block in trmmUpperLeft */
const TNB: i32 = 32;

/** bytes of workspace trmmUpperLeft needs for M n x n and B n x ncols */
export function trmmWorkBytes(n: i32, ncols: i32): usize {
  return <usize>(TNB * n + TNB * ncols) * 8 + gemmWorkBytes();
}

/**
 * B := M B in place, M n x n upper triangular row-major at m (entries below the diagonal are not
 * read), B n x ncols row-major at b (dtrmm left, upper, no transpose, non-unit). Blocks of TNB rows
 * top to bottom: B[i0:i1, :] = M[i0:i1, i0:n] B[i0:n, :] reads only rows not yet overwritten; the
 * block's strip of M is packed with zeros below the diagonal and multiplied by one gemm.
 */
export function trmmUpperLeft(n: i32, ncols: i32, m: usize, b: usize, work: usize): void {
  if (n <= 0 || ncols <= 0) return;
  const ap = work;
  const out = ap + <usize>(TNB * n) * 8;
  const gw = out + <usize>(TNB * ncols) * 8;
  for (let i0 = 0; i0 < n; i0 += TNB) {
    const ib = min(TNB, n - i0);
    const kk = n - i0;
    for (let i = 0; i < ib; i++) {
      const src = m + <usize>((i0 + i) * n + i0) * 8;
      const dst = ap + <usize>(i * kk) * 8;
      for (let q = 0; q < i; q++) store<f64>(dst + <usize>q * 8, 0.0);
      memory.copy(dst + <usize>i * 8, src + <usize>i * 8, <usize>(kk - i) * 8);
    }
    const bi = b + <usize>(i0 * ncols) * 8;
    gemm(0, 0, ib, ncols, kk, 1.0, ap, kk, bi, ncols, 0.0, out, ncols, gw);
    memory.copy(bi, out, <usize>(ib * ncols) * 8);
  }
}

// ---------------------------------------------------------------------------------------------
// One-sided Jacobi on log-scaled rows: the sweep loop of src/linalg/jacobi.ts, same arithmetic
// (rows unit-norm, scales in e), with SIMD dots and rotations.

const LN2: f64 = 0.6931471805599453;

/**
 * Runs sweeps until no pair rotates; rows must be unit (or zero) and sorted. Returns sweeps used.
 *
 * Differences from the reference loop, all at rounding level: pairs are visited block-cyclically
 * (tiles of `b` rows, so the two tiles in use stay in L2 instead of streaming every row j past each
 * row i), the rotation and the renormalization of the two rows are one fused pass when the 2x2 Gram
 * formula for the new norms is reliable, and the rotation angle comes from one expm1 rather than
 * five logs and exps (the log form is kept for |delta| >= 30, where exp(delta) could overflow).
 */
export function jacobiSweeps(y: usize, e: usize, m: i32, n: i32, maxSweeps: i32, tol: f64): i32 {
  // two tiles of b rows in about 128 KiB
  const b = max(4, min(64, 8192 / max(1, n)));
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let rotated = false;
    for (let i0 = 0; i0 < m; i0 += b) {
      const i1 = min(i0 + b, m);
      for (let j0 = i0; j0 < m; j0 += b) {
        const j1 = min(j0 + b, m);
        for (let i = i0; i < i1; i++) {
          const yi = y + <usize>(i * n) * 8;
          for (let j = max(j0, i + 1); j < j1; j++) {
            const yj = y + <usize>(j * n) * 8;
            const c = dotv(n, yi, yj);
            if (!(Math.abs(c) > tol)) continue;
            rotated = true;
            rotatePair(y, e, i, j, yi, yj, n, c);
          }
        }
      }
    }
    if (!rotated) return sweep + 1;
    for (let i = 0; i < m; i++) renormalize(y, e, i, n);
  }
  return maxSweeps;
}

/** Rotate unit rows i < j (x_k = exp(e_k) y_k) to make x_i . x_j = 0; c = y_i . y_j. */
function rotatePair(y: usize, e: usize, i: i32, j: i32, yi: usize, yj: usize, n: i32, c: f64): void {
  const ei = load<f64>(e + <usize>i * 8), ej = load<f64>(e + <usize>j * 8);
  const delta = ei - ej;
  let cs: f64, A: f64, B: f64;
  if (Math.abs(delta) < 30) {
    // zeta = (|x_j|^2 - |x_i|^2) / (2 x_i.x_j) = -sinh(delta)/c; sinh from expm1 stays accurate near 0
    const em = Math.expm1(delta);
    const E = em + 1;
    const sh = 0.5 * (em + em / E);
    const zeta = -sh / c;
    const t = zeta == 0 ? 1.0 : (zeta > 0 ? 1.0 : -1.0) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
    cs = 1 / Math.sqrt(1 + t * t);
    const sn = t * cs;
    A = sn / E; // sn * exp(e_j - e_i)
    B = sn * E; // sn * exp(e_i - e_j)
  } else {
    const ad = Math.abs(delta);
    const lnZeta = ad - LN2 + Math.log1p(-Math.exp(-2 * ad)) - Math.log(Math.abs(c));
    const lnT = -LN2 - lnZeta;
    const sgn = -(delta > 0 ? 1.0 : -1.0) * (c > 0 ? 1.0 : -1.0);
    const t = Math.exp(lnT);
    cs = 1 / Math.sqrt(1 + t * t);
    const lnSn = lnT + Math.log(cs);
    A = sgn * Math.exp(lnSn - delta);
    B = sgn * Math.exp(lnSn + delta);
  }
  // new squared norms from the 2x2 Gram matrix; recompute when cancellation makes them inexact
  const ni2 = cs * cs + A * A - 2 * cs * A * c;
  const nj2 = B * B + cs * cs + 2 * B * cs * c;
  if (ni2 > 0.25 && nj2 > 0.25) {
    const ri = 1 / Math.sqrt(ni2), rj = 1 / Math.sqrt(nj2);
    // rotation and renormalization fused into one pass over the rows
    mixRows(yi, yj, n, cs * ri, A * ri, B * rj, cs * rj);
    store<f64>(e + <usize>i * 8, ei + 0.5 * Math.log(ni2));
    store<f64>(e + <usize>j * 8, ej + 0.5 * Math.log(nj2));
    return;
  }
  mixRows(yi, yj, n, cs, A, B, cs);
  const ni = ni2 > 0.25 ? Math.sqrt(ni2) : nrm2(n, yi);
  const nj = nj2 > 0.25 ? Math.sqrt(nj2) : nrm2(n, yj);
  scalv(n, 1 / ni, yi);
  scalv(n, 1 / nj, yj);
  store<f64>(e + <usize>i * 8, ei + Math.log(ni));
  store<f64>(e + <usize>j * 8, ej + Math.log(nj));
}

/** y_i <- a1 y_i - a2 y_j and y_j <- b1 y_i + b2 y_j (both from the old rows), two lanes at a time. */
function mixRows(yi: usize, yj: usize, n: i32, a1: f64, a2: f64, b1: f64, b2: f64): void {
  const va1 = f64x2.splat(a1), va2 = f64x2.splat(a2), vb1 = f64x2.splat(b1), vb2 = f64x2.splat(b2);
  let p = 0;
  for (; p + 1 < n; p += 2) {
    const o = <usize>p * 8;
    const u = v128.load(yi + o), v = v128.load(yj + o);
    v128.store(yi + o, f64x2.sub(f64x2.mul(va1, u), f64x2.mul(va2, v)));
    v128.store(yj + o, f64x2.add(f64x2.mul(vb1, u), f64x2.mul(vb2, v)));
  }
  if (p < n) {
    const o = <usize>p * 8;
    const u = load<f64>(yi + o), v = load<f64>(yj + o);
    store<f64>(yi + o, a1 * u - a2 * v);
    store<f64>(yj + o, b1 * u + b2 * v);
  }
}

function renormalize(y: usize, e: usize, i: i32, n: i32): void {
  const row = y + <usize>(i * n) * 8;
  const nr = nrm2(n, row);
  if (nr == 0) {
    store<f64>(e + <usize>i * 8, -Infinity);
    return;
  }
  scalv(n, 1 / nr, row);
  store<f64>(e + <usize>i * 8, load<f64>(e + <usize>i * 8) + Math.log(nr));
}
