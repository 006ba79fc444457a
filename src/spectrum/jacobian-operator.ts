import { backend } from '../linalg/select.js';
import type { LinalgBackend } from '../linalg/backend.js';
import type { Mat } from '../linalg/matrix.js';
import type { JacobianFactor } from './stable-product.js';

/**
 * J = D^L W^L ... D^1 W^1 (W^l = gain * base^l) applied to blocks of vectors without forming J:
 * O(k L N^2) for k vectors, through one backend gemm per layer (the vectors are the rows of a k x N
 * block, so J v for all of them is a sequence of V <- (V base^T) diag(gain dphi)).
 *
 * J's scale can leave float64's range (g^L, products of phi'), so the block is renormalized by its
 * largest entry after every layer and the result comes with the log of the factor taken out: the
 * true product is exp(logScale) * rows. One common factor per block keeps the rows' relative sizes.
 */
export interface ScaledBlock {
  rows: Mat;
  logScale: number;
}

/**
 * A square linear map applied to blocks of row vectors, with its scale kept in logs: what the
 * matrix-free estimators (Hutchinson, Golub-Kahan-Lanczos, SLQ) take. JacobianOperator is the plain
 * network's; src/network/blocks.ts BlockJacobianOperator the residual/layernorm list's.
 */
export interface LinearOperator {
  readonly n: number;
  /** rows of the result = (J v_i)^T for the rows v_i of `block` (which is not modified) */
  apply(block: Mat): ScaledBlock;
  /** rows of the result = (J^T u_i)^T */
  applyT(block: Mat): ScaledBlock;
}

export class JacobianOperator implements LinearOperator {
  readonly n: number;
  private readonly factors: JacobianFactor[];
  private readonly gain: number;
  private readonly be: LinalgBackend;

  constructor(factors: JacobianFactor[], gain: number, be: LinalgBackend = backend()) {
    this.factors = factors;
    this.gain = gain;
    this.n = factors[0].base.rows;
    this.be = be;
  }

  /** rows of the result = (J v_i)^T for the rows v_i of `block` (which is not modified) */
  apply(block: Mat): ScaledBlock {
    let v = block;
    let logScale = 0;
    for (const { base, dphi } of this.factors) {
      const next = this.be.gemmNT(v, base); // row i = (base v_i)^T
      scaleColumns(next, dphi, this.gain);
      logScale += renormalize(next);
      v = next;
    }
    return { rows: v, logScale };
  }

  /** rows of the result = (J^T u_i)^T: J^T = W^1^T D^1 ... W^L^T D^L, applied last layer first */
  applyT(block: Mat): ScaledBlock {
    let u: Mat = { rows: block.rows, cols: block.cols, data: Float64Array.from(block.data) };
    let logScale = 0;
    for (let l = this.factors.length - 1; l >= 0; l--) {
      const { base, dphi } = this.factors[l];
      scaleColumns(u, dphi, this.gain);
      u = this.be.gemm(u, base); // row i = (base^T (D u_i))^T
      logScale += renormalize(u);
    }
    return { rows: u, logScale };
  }
}

function scaleColumns(m: Mat, d: Float64Array, gain: number): void {
  const { rows, cols, data } = m;
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) data[o + j] *= gain * d[j];
  }
}

/** divide by the largest |entry|, return its log (0 for an all-zero block) */
export function renormalize(m: Mat): number {
  let mx = 0;
  for (const v of m.data) mx = Math.max(mx, Math.abs(v));
  if (mx === 0 || !Number.isFinite(mx)) return 0;
  const inv = 1 / mx;
  for (let i = 0; i < m.data.length; i++) m.data[i] *= inv;
  return Math.log(mx);
}
