import { norm2 } from '../linalg/vector.js';
import { preconditionedLogSvd } from '../linalg/jacobi.js';
import { backend } from '../linalg/select.js';
import type { LinalgBackend } from '../linalg/backend.js';
import type { Mat } from '../linalg/matrix.js';

/** One layer's contribution D^l W^l to J, with W^l = gain * base. */
export interface JacobianFactor {
  base: Mat;
  dphi: Float64Array;
}

/**
 * ln of the singular values of J = D^L W^L ... D^1 W^1 (descending), accurate to high relative
 * precision even when they span hundreds of orders of magnitude (SCIENCE.md section 4).
 *
 * The product is kept as J_l = U diag(d) T (U orthogonal, d > 0 held as ln d, T well-conditioned),
 * the "pre-pivoted" stratification of Bai, Lee, Li & Xu (2011). Every `blockSize` layers:
 *   G = D W ... D W U                 (well scaled: d stays outside)
 *   P sorts the columns by |g_j| d_j  (pre-pivoting, so the grading decreases down the diagonal)
 *   G P = Q R                         (Householder; then G P diag(d') = Q R diag(d'))
 *   d_new = |R_ii| d'_i,  T_new = diag(1/d_new) R diag(d') P^T T
 * Entries of T_new are R_ij d'_j / (|R_ii| d'_i) with d'_j <~ d'_i, so T never grows. The singular
 * values of J are those of diag(d) T, which one-sided Jacobi on T^T diag(d) (log-scaled columns)
 * computes to high relative accuracy, after a QR preconditioning step (jacobi.ts
 * preconditionedLogSvd; the native backend runs LAPACK's dgesvj when the scales fit float64).
 * Backends with ormqrRight/trmmUpperLeft (native) keep U as reflectors and use the triangular
 * product for the T update. The gain enters only as L ln g (W = g * base), so one set of
 * base draws serves every gain. The O(n^3) steps (products, QR, Q, T update, Jacobi) run on the
 * linear-algebra backend `be` (the current one by default).
 */
export function stableLogSingularValues(factors: JacobianFactor[], gain: number, blockSize: number, be: LinalgBackend = backend()): Float64Array {
  const { t, lnd, n } = stableProduct(factors, gain, blockSize, be);
  // J = U diag(d) T  ->  singular values of T^T diag(d): columns are rows of T scaled by d
  return preconditionedLogSvd(t, lnd, n, n, be);
}

/** The stratified product J = U diag(d) T without U: T (n x n row-major) and ln d. */
export interface StableProduct {
  n: number;
  t: Float64Array;
  lnd: Float64Array;
}

/**
 * ln m1 = ln(|J|_F^2 / N) exactly (to rounding), from the stable product without any SVD:
 * |J|_F^2 = |U diag(d) T|_F^2 = |diag(d) T|_F^2 = sum_j d_j^2 |row_j(T)|^2 (U orthogonal). O(n^2)
 * after the product, summed in logs so it neither overflows nor underflows.
 */
export function lnM1FromProduct(p: StableProduct): number {
  const { n, t, lnd } = p;
  const terms = new Float64Array(n);
  let mx = -Infinity;
  for (let j = 0; j < n; j++) {
    terms[j] = 2 * (lnd[j] + Math.log(norm2(t, j * n, n)));
    if (terms[j] > mx) mx = terms[j];
  }
  if (mx === -Infinity) return -Infinity;
  let s = 0;
  for (let j = 0; j < n; j++) s += Math.exp(terms[j] - mx);
  return mx + Math.log(s) - Math.log(n);
}

/** ln m1 of J exactly (to rounding) by the stable product, skipping the O(n^3)-per-sweep SVD. */
export function stableLnM1(factors: JacobianFactor[], gain: number, blockSize: number, be: LinalgBackend = backend()): number {
  return lnM1FromProduct(stableProduct(factors, gain, blockSize, be));
}

/** The QR-stabilized product (see stableLogSingularValues): J = U diag(d) T. */
export function stableProduct(factors: JacobianFactor[], gain: number, blockSize: number, be: LinalgBackend = backend()): StableProduct {
  const n = factors[0].base.rows;
  let ut: Float64Array = new Float64Array(n * n); // U^T, row-major: row j = column j of U
  for (let i = 0; i < n; i++) ut[i * n + i] = 1;
  let lnd: Float64Array = new Float64Array(n);
  let t: Float64Array = new Float64Array(n * n);
  for (let i = 0; i < n; i++) t[i * n + i] = 1;
  const tau = new Float64Array(n);
  let g: Mat = { rows: n, cols: n, data: new Float64Array(n * n) };
  let scratch: Mat = { rows: n, cols: n, data: new Float64Array(n * n) };
  const lnGain = Math.log(gain);
  // U kept as Householder reflectors when the backend can apply them (native: dormqr), else explicit
  const uFactored = be.ormqrRight !== undefined;
  let uGt: Float64Array = new Float64Array(uFactored ? n * n : 0);
  const uTau = new Float64Array(n);
  // work buffers reused by every block
  const key = new Float64Array(n);
  const perm = Array.from({ length: n }, (_, j) => j);
  const lndP = new Float64Array(n);
  let tP: Float64Array = new Float64Array(n * n);
  const lnAbsRii = new Float64Array(n);
  const rowShift = new Float64Array(n);
  const ea = new Float64Array(32), eb = new Float64Array(32);

  for (let l0 = 0; l0 < factors.length; l0 += blockSize) {
    const l1 = Math.min(l0 + blockSize, factors.length);
    // G^T = U^T W^T D ... : row j of G^T is column j of G.
    let src: Mat = { rows: n, cols: n, data: ut };
    for (let l = l0; l < l1; l++) {
      if (l === l0 && uFactored && l0 > 0) {
        // U^T W^T = (W U)^T, whose row-major buffer is W U column-major: W column-major (= W^T
        // row-major) times Q from the right, Q applied from its reflectors (no explicit U)
        transposeInto(factors[l].base.data, n, scratch.data);
        be.ormqrRight!(uGt, uTau, n, scratch.data);
      } else be.gemmNT(src, factors[l].base, scratch);
      const dphi = factors[l].dphi;
      const sd = scratch.data;
      for (let j = 0; j < n; j++) {
        const o = j * n;
        for (let i = 0; i < n; i++) sd[o + i] *= dphi[i];
      }
      [g, scratch] = [scratch, g];
      src = g;
    }
    const lnScaleBlock = (l1 - l0) * lnGain;

    // pre-pivot: order columns by ln|g_j| + ln d_j, descending
    for (let j = 0; j < n; j++) key[j] = Math.log(norm2(g.data, j * n, n)) + lnd[j];
    perm.sort((a, b) => key[b] - key[a] || a - b);
    const gp = scratch.data;
    for (let dst = 0; dst < n; dst++) {
      const src = perm[dst];
      gp.set(g.data.subarray(src * n, src * n + n), dst * n);
      lndP[dst] = lnd[src];
      tP.set(t.subarray(src * n, src * n + n), dst * n);
    }
    for (let j = 0; j < n; j++) perm[j] = j; // the next sort starts from the identity again

    be.householderQR(gp, n, tau);
    // R_ij = gp[j*n + i] for j >= i
    const newLnd = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      // a column that is exactly dependent (relu, hard-tanh) gives R_ii = 0: keep it finite and tiny,
      // the caller drops such directions by the structural rank
      lnAbsRii[i] = Math.log(Math.max(Math.abs(gp[i * n + i]), 1e-300));
      newLnd[i] = lnAbsRii[i] + lndP[i] + lnScaleBlock;
      rowShift[i] = lndP[i] + lnAbsRii[i];
    }
    // T_new = M tP with M_ii = sgn(R_ii), M_ij = R_ij d'_j / (|R_ii| d'_i) (j > i): the upper
    // triangular factor formed explicitly so the update is one backend gemm/trmm. In 32 x 32 tiles
    // (R is read by columns, M written by rows); within a tile exp(ln d'_j - ln d'_i - ln|R_ii|)
    // factors as exp(a_j - c) exp(c - b_i) (64 exps instead of 1024) when both stay far from
    // float64's limits, else one exp (or the all-log form) per entry.
    const mt = g.data;
    mt.fill(0);
    const TB = 32;
    for (let j0 = 0; j0 < n; j0 += TB) {
      const j1 = Math.min(j0 + TB, n);
      let c = -Infinity, aMin = Infinity;
      for (let j = j0; j < j1; j++) {
        c = Math.max(c, lndP[j]);
        aMin = Math.min(aMin, lndP[j]);
      }
      for (let j = j0; j < j1; j++) ea[j - j0] = Math.exp(lndP[j] - c);
      for (let i0 = 0; i0 <= j0; i0 += TB) {
        const i1 = Math.min(i0 + TB, n);
        let bMin = Infinity, bMax = -Infinity;
        for (let i = i0; i < i1; i++) {
          bMin = Math.min(bMin, rowShift[i]);
          bMax = Math.max(bMax, rowShift[i]);
        }
        const factored = c - aMin < 600 && c - bMin < 600 && c - bMax > -600;
        if (factored) for (let i = i0; i < i1; i++) eb[i - i0] = Math.exp(c - rowShift[i]);
        for (let j = j0; j < j1; j++) {
          const cj = j * n;
          const lj = lndP[j];
          const aj = ea[j - j0];
          for (let i = i0; i < i1 && i < j; i++) {
            const rij = gp[cj + i];
            if (rij === 0) continue;
            if (factored) mt[i * n + j] = rij * aj * eb[i - i0];
            else {
              const w = lj - rowShift[i];
              mt[i * n + j] = w < 700 ? rij * Math.exp(w) : Math.sign(rij) * Math.exp(Math.log(Math.abs(rij)) + w);
            }
          }
        }
      }
    }
    for (let i = 0; i < n; i++) mt[i * n + i] = gp[i * n + i] < 0 ? -1 : 1;
    if (be.trmmUpperLeft) {
      // M is triangular: half the flops of a gemm, in place on tP, which becomes T
      be.trmmUpperLeft(g, { rows: n, cols: n, data: tP });
      [t, tP] = [tP, t];
    } else be.gemm(g, { rows: n, cols: n, data: tP }, { rows: n, cols: n, data: t });
    lnd = newLnd;
    if (l1 < factors.length) {
      // U for the next block (the last block's U is not needed: J's singular values are diag(d) T's)
      if (uFactored) {
        [uGt, scratch.data] = [gp, uGt];
        uTau.set(tau);
      } else ut = be.formQt(gp, tau, n, ut);
    }
  }
  return { n, t, lnd };
}

/** out (row-major n x n) = a^T, in cache-sized tiles */
function transposeInto(a: Float64Array, n: number, out: Float64Array): void {
  const B = 32;
  for (let i0 = 0; i0 < n; i0 += B) {
    const i1 = Math.min(i0 + B, n);
    for (let j0 = 0; j0 < n; j0 += B) {
      const j1 = Math.min(j0 + B, n);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) out[j * n + i] = a[i * n + j];
    }
  }
}
