import { dot } from './vector.js';
import { zeros, transpose, type Mat } from './matrix.js';

/**
 * C = A * B^T for row-major A (m x k) and B (n x k): every entry is a dot product of two contiguous
 * rows, the cache-friendly form in row-major storage. A 4x4 register tile keeps 16 accumulators
 * live so each loaded element is used four times; k is blocked so the 8 rows in flight stay in L1.
 */
export function gemmNT(A: Mat, B: Mat, C: Mat = zeros(A.rows, B.rows)): Mat {
  const m = A.rows, n = B.rows, k = A.cols;
  if (B.cols !== k) throw new Error(`gemmNT: inner dimensions ${k} and ${B.cols} differ`);
  if (C.rows !== m || C.cols !== n) throw new Error('gemmNT: output has the wrong shape');
  const a = A.data, b = B.data, c = C.data;
  c.fill(0);
  const KB = 256;
  for (let k0 = 0; k0 < k; k0 += KB) {
    const k1 = Math.min(k0 + KB, k);
    let i = 0;
    for (; i + 3 < m; i += 4) {
      const a0 = i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
      let j = 0;
      for (; j + 3 < n; j += 4) {
        const b0 = j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
        let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
        let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (let p = k0; p < k1; p++) {
          const x0 = a[a0 + p], x1 = a[a1 + p], x2 = a[a2 + p], x3 = a[a3 + p];
          const y0 = b[b0 + p], y1 = b[b1 + p], y2 = b[b2 + p], y3 = b[b3 + p];
          c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
          c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
          c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
          c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
        }
        let o = i * n + j;
        c[o] += c00; c[o + 1] += c01; c[o + 2] += c02; c[o + 3] += c03; o += n;
        c[o] += c10; c[o + 1] += c11; c[o + 2] += c12; c[o + 3] += c13; o += n;
        c[o] += c20; c[o + 1] += c21; c[o + 2] += c22; c[o + 3] += c23; o += n;
        c[o] += c30; c[o + 1] += c31; c[o + 2] += c32; c[o + 3] += c33;
      }
      for (; j < n; j++) {
        for (let r = 0; r < 4; r++) c[(i + r) * n + j] += dot(a, (i + r) * k + k0, b, j * k + k0, k1 - k0);
      }
    }
    for (; i < m; i++) {
      for (let j = 0; j < n; j++) c[i * n + j] += dot(a, i * k + k0, b, j * k + k0, k1 - k0);
    }
  }
  return C;
}

/** C = A * B (row-major), through one transpose of B. */
export function gemm(A: Mat, B: Mat): Mat {
  return gemmNT(A, transpose(B));
}

/** y = A x */
export function gemv(A: Mat, x: Float64Array, y: Float64Array = new Float64Array(A.rows)): Float64Array {
  const { rows, cols, data } = A;
  for (let i = 0; i < rows; i++) y[i] = dot(data, i * cols, x, 0, cols);
  return y;
}

/** y = A^T x, as a sum of scaled rows (contiguous in row-major storage). */
export function gemvT(A: Mat, x: Float64Array, y: Float64Array = new Float64Array(A.cols)): Float64Array {
  const { rows, cols, data } = A;
  y.fill(0);
  for (let i = 0; i < rows; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    const o = i * cols;
    for (let j = 0; j < cols; j++) y[j] += xi * data[o + j];
  }
  return y;
}
