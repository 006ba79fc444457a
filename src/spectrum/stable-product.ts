import { norm2 } from '../linalg/vector.js';
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
 * computes to high relative accuracy. The gain enters only as L ln g (W = g * base), so one set of
 * base draws serves every gain. The O(n^3) steps (products, QR, Q, T update, Jacobi) run on the
 * linear-algebra backend `be` (the current one by default).
 */
export function stableLogSingularValues(factors: JacobianFactor[], gain: number, blockSize: number, be: LinalgBackend = backend()): Float64Array {
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

  for (let l0 = 0; l0 < factors.length; l0 += blockSize) {
    const l1 = Math.min(l0 + blockSize, factors.length);
    // G^T = U^T W^T D ... : row j of G^T is column j of G.
    let src: Mat = { rows: n, cols: n, data: ut };
    for (let l = l0; l < l1; l++) {
      be.gemmNT(src, factors[l].base, scratch);
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
    const key = new Float64Array(n);
    for (let j = 0; j < n; j++) key[j] = Math.log(norm2(g.data, j * n, n)) + lnd[j];
    const perm = Array.from({ length: n }, (_, j) => j).sort((a, b) => key[b] - key[a] || a - b);
    const gp = scratch.data;
    const lndP = new Float64Array(n);
    const tP = new Float64Array(n * n);
    perm.forEach((src, dst) => {
      gp.set(g.data.subarray(src * n, src * n + n), dst * n);
      lndP[dst] = lnd[src];
      tP.set(t.subarray(src * n, src * n + n), dst * n);
    });

    be.householderQR(gp, n, tau);
    // R_ij = gp[j*n + i] for j >= i
    const newLnd = new Float64Array(n);
    const lnAbsRii = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      // a column that is exactly dependent (relu, hard-tanh) gives R_ii = 0: keep it finite and tiny,
      // the caller drops such directions by the structural rank
      lnAbsRii[i] = Math.log(Math.max(Math.abs(gp[i * n + i]), 1e-300));
      newLnd[i] = lnAbsRii[i] + lndP[i] + lnScaleBlock;
    }
    // T_new = M tP with M_ii = sgn(R_ii), M_ij = R_ij d'_j / (|R_ii| d'_i) (j > i): the upper
    // triangular factor formed explicitly so the update is one backend gemm.
    const mt = g.data;
    mt.fill(0);
    for (let i = 0; i < n; i++) {
      mt[i * n + i] = gp[i * n + i] < 0 ? -1 : 1;
      for (let j = i + 1; j < n; j++) {
        const rij = gp[j * n + i];
        if (rij === 0) continue;
        mt[i * n + j] = Math.sign(rij) * Math.exp(Math.log(Math.abs(rij)) + lndP[j] - lndP[i] - lnAbsRii[i]);
      }
    }
    be.gemm(g, { rows: n, cols: n, data: tP }, { rows: n, cols: n, data: t });
    ut = be.formQt(gp, tau, n, ut);
    lnd = newLnd;
  }
  // J = U diag(d) T  ->  singular values of T^T diag(d): columns are rows of T scaled by d
  return be.logScaledJacobi(t, lnd, n, n);
}
