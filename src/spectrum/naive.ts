import { SVD, Matrix } from 'ml-matrix';
import { gemm } from '../linalg/gemm.js';
import { identity, type Mat } from '../linalg/matrix.js';
import type { JacobianFactor } from './stable-product.js';

/**
 * J = D^L W^L ... D^1 W^1 formed directly in float64. Kept as the reference the stable product is
 * tested against, and to show what it gets wrong: every singular value below ~1e-16 s_max is lost.
 */
export function formJacobian(factors: JacobianFactor[], gain: number): Mat {
  const n = factors[0].base.rows;
  let j = identity(n);
  for (const { base, dphi } of factors) {
    const next = gemm(base, j);
    for (let r = 0; r < n; r++) {
      const f = gain * dphi[r];
      for (let c = 0; c < n; c++) next.data[r * n + c] *= f;
    }
    j = next;
  }
  return j;
}

/** Singular values of a dense matrix by ml-matrix's Golub-Kahan SVD (absolute accuracy only), descending. */
export function denseSingularValues(m: Mat): Float64Array {
  const mm = new Matrix(m.rows, m.cols);
  for (let r = 0; r < m.rows; r++) for (let c = 0; c < m.cols; c++) mm.set(r, c, m.data[r * m.cols + c]);
  const s = new SVD(mm, { computeLeftSingularVectors: false, computeRightSingularVectors: false }).diagonal;
  return Float64Array.from(s).sort().reverse();
}
