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
  return householderQRThin(gt, n, n, tau);
}

/**
 * Q^T from the factored form, row-major: row j of Q^T is column j of Q = H_0 ... H_j e_j (reflectors
 * after j leave e_j alone), built by applying H_j, then H_{j-1}, ..., H_0 to e_j.
 */
export function formQt(gt: Float64Array, tau: Float64Array, n: number, qt: Float64Array = new Float64Array(n * n)): Float64Array {
  return formQThin(gt, tau, n, n, qt);
}

/** R_kk after householderQR (diagonal of the triangular factor). */
export function diagR(gt: Float64Array, n: number): Float64Array {
  const d = new Float64Array(n);
  for (let k = 0; k < n; k++) d[k] = gt[k * n + k];
  return d;
}

/**
 * ln|det A| of a square row-major matrix, from the R factor of its QR (A^T has the same det), by
 * `qr` (this file's householderQR, or a backend's, which agree to rounding).
 */
export function logAbsDet(a: Float64Array, n: number, qr: (gt: Float64Array, n: number) => unknown = householderQR): number {
  const gt = Float64Array.from(a);
  qr(gt, n);
  let s = 0;
  for (let k = 0; k < n; k++) s += Math.log(Math.abs(gt[k * n + k]));
  return s;
}

/**
 * Thin Householder QR of an m x k matrix G (m >= k) stored by columns: row c of `gt` (k x m,
 * row-major) holds column c of G. The same algorithm as householderQR (which is its m = k case),
 * for the rectangular draws (src/network/sampler.ts): R_cj (j >= c) = gt[j*m + c], reflector c
 * below the diagonal in row c. The reference: native/src/exact_qr.c ports it bit for bit (the compiled
 * kernels' draws), so rectangular draws are bitwise the same whatever the backend.
 */
export function householderQRThin(gt: Float64Array, m: number, k: number, tau: Float64Array = new Float64Array(k)): Float64Array {
  if (!(m >= k) || gt.length < m * k) throw new Error(`householderQRThin: need m >= k and ${m * k} entries, got m = ${m}, k = ${k}, ${gt.length}`);
  for (let c = 0; c < k; c++) {
    const cc = c * m;
    const alpha = gt[cc + c];
    const xnorm = c + 1 < m ? norm2(gt, cc + c + 1, m - c - 1) : 0;
    if (xnorm === 0) {
      tau[c] = 0;
      continue;
    }
    const beta = -Math.sign(alpha || 1) * Math.hypot(alpha, xnorm);
    tau[c] = (beta - alpha) / beta;
    const inv = 1 / (alpha - beta);
    for (let i = c + 1; i < m; i++) gt[cc + i] *= inv;
    gt[cc + c] = beta;
    const t = tau[c];
    for (let j = c + 1; j < k; j++) {
      const cj = j * m;
      const w = t * (gt[cj + c] + dot(gt, cc + c + 1, gt, cj + c + 1, m - c - 1));
      gt[cj + c] -= w;
      for (let i = c + 1; i < m; i++) gt[cj + i] -= w * gt[cc + i];
    }
  }
  return tau;
}

/** The k orthonormal columns of Q from householderQRThin, stored by columns (k x m row-major: row j is column j of Q). */
export function formQThin(gt: Float64Array, tau: Float64Array, m: number, k: number, qt: Float64Array = new Float64Array(k * m)): Float64Array {
  qt.fill(0);
  for (let j = 0; j < k; j++) {
    const qj = j * m;
    qt[qj + j] = 1;
    for (let c = j; c >= 0; c--) {
      const t = tau[c];
      if (t === 0) continue;
      const cc = c * m;
      const w = t * (qt[qj + c] + dot(gt, cc + c + 1, qt, qj + c + 1, m - c - 1));
      qt[qj + c] -= w;
      for (let i = c + 1; i < m; i++) qt[qj + i] -= w * gt[cc + i];
    }
  }
  return qt;
}
