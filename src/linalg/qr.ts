import { dot, norm2 } from './vector.js';

/**
 * Householder QR of a square matrix G stored by columns: row c of `gt` (row-major, n x n) holds
 * column c of G. Column storage makes every reflector application a contiguous dot/axpy.
 *
 * In place, as LAPACK's dgeqr2: afterwards R_kj (j >= k) = gt[j*n + k], and the essential part of
 * reflector k (v_k = [1, v_{k+1..n-1}]) sits below the diagonal in row k; H_k = I - tau_k v_k v_k^T
 * and G = H_0 H_1 ... H_{n-1} R.
 */
export function householderQR(gt: Float64Array, n: number, tau: Float64Array = new Float64Array(n)): Float64Array {
  for (let k = 0; k < n; k++) {
    const ck = k * n;
    const alpha = gt[ck + k];
    const xnorm = k + 1 < n ? norm2(gt, ck + k + 1, n - k - 1) : 0;
    if (xnorm === 0) {
      tau[k] = 0; // already upper triangular in this column: H_k = I
      continue;
    }
    const beta = -Math.sign(alpha || 1) * Math.hypot(alpha, xnorm);
    tau[k] = (beta - alpha) / beta;
    const inv = 1 / (alpha - beta);
    for (let i = k + 1; i < n; i++) gt[ck + i] *= inv;
    gt[ck + k] = beta;
    const t = tau[k];
    for (let j = k + 1; j < n; j++) {
      const cj = j * n;
      const w = t * (gt[cj + k] + dot(gt, ck + k + 1, gt, cj + k + 1, n - k - 1));
      gt[cj + k] -= w;
      for (let i = k + 1; i < n; i++) gt[cj + i] -= w * gt[ck + i];
    }
  }
  return tau;
}

/**
 * Q^T from the factored form, row-major: row j of Q^T is column j of Q = H_0 ... H_j e_j (reflectors
 * after j leave e_j alone), built by applying H_j, then H_{j-1}, ..., H_0 to e_j.
 */
export function formQt(gt: Float64Array, tau: Float64Array, n: number, qt: Float64Array = new Float64Array(n * n)): Float64Array {
  qt.fill(0);
  for (let j = 0; j < n; j++) {
    const qj = j * n;
    qt[qj + j] = 1;
    for (let k = j; k >= 0; k--) {
      const t = tau[k];
      if (t === 0) continue;
      const ck = k * n;
      const w = t * (qt[qj + k] + dot(gt, ck + k + 1, qt, qj + k + 1, n - k - 1));
      qt[qj + k] -= w;
      for (let i = k + 1; i < n; i++) qt[qj + i] -= w * gt[ck + i];
    }
  }
  return qt;
}

/** R_kk after householderQR (diagonal of the triangular factor). */
export function diagR(gt: Float64Array, n: number): Float64Array {
  const d = new Float64Array(n);
  for (let k = 0; k < n; k++) d[k] = gt[k * n + k];
  return d;
}

/** ln|det A| of a square row-major matrix, from the R factor of its QR (A^T has the same det). */
export function logAbsDet(a: Float64Array, n: number): number {
  const gt = Float64Array.from(a);
  householderQR(gt, n);
  let s = 0;
  for (let k = 0; k < n; k++) s += Math.log(Math.abs(gt[k * n + k]));
  return s;
}
