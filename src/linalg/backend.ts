import type { Mat } from './matrix.js';

/**
 * The hot dense kernels behind one interface (docs/design.md "Performance"): the pure-TS reference
 * (backends/js.ts) that tests compare every faster backend against, a WebAssembly SIMD backend
 * (backends/wasm.ts, always available), C kernels compiled at `npm install` when a compiler is
 * present (backends/compiled.ts) and an optional native one calling the system OpenBLAS/LAPACK
 * (backends/native.ts). Every method takes and returns the same flat Float64Array layouts as the
 * reference functions in gemm.ts, qr.ts and jacobi.ts, so call sites switch by one lookup.
 */
export type BackendName = 'js' | 'wasm' | 'compiled' | 'native';

export interface LinalgBackend {
  readonly name: BackendName;
  /** C = A B^T (A m x k, B n x k, row-major) */
  gemmNT(A: Mat, B: Mat, C?: Mat): Mat;
  /** C = A B (A m x k, B k x n, row-major) */
  gemm(A: Mat, B: Mat, C?: Mat): Mat;
  /** y = A x */
  gemv(A: Mat, x: Float64Array, y?: Float64Array): Float64Array;
  /** y = A^T x */
  gemvT(A: Mat, x: Float64Array, y?: Float64Array): Float64Array;
  /** Householder QR of the n x n matrix whose columns are the rows of `gt`, in place (qr.ts layout) */
  householderQR(gt: Float64Array, n: number, tau?: Float64Array): Float64Array;
  /** Q^T row-major (= Q column-stored) from householderQR's output */
  formQt(gt: Float64Array, tau: Float64Array, n: number, qt?: Float64Array): Float64Array;
  /**
   * Optional (native, compiled, wasm): c := c Q for c column-major n x n and Q = H_0 ... H_{n-1} from
   * householderQR's output, without forming Q (LAPACK dormqr, side R). Lets the stable product keep
   * U in factored form.
   */
  ormqrRight?(gt: Float64Array, tau: Float64Array, n: number, c: Float64Array): void;
  /** Optional (native, compiled, wasm): B := M B for M upper triangular (row-major; below the diagonal ignored), in place (dtrmm). */
  trmmUpperLeft?(M: Mat, B: Mat): void;
  /**
   * Optional (compiled): C := C diag(d) (each entry one rounded product, as the TS loop), then,
   * when tiny > 0, entries of magnitude below tiny set to 0: the stable product's D scaling.
   */
  scaleColumns?(C: Mat, d: Float64Array, tiny: number): void;
  /** Optional (compiled): the stable product's bookkeeping around each block's QR, bitwise jsStratify's. */
  stratify?: StratifyKernels;
  /** ln singular values of log-scaled columns, descending (jacobi.ts) */
  logScaledJacobi(y: Float64Array, e: Float64Array, m: number, n: number, maxSweeps?: number): Float64Array;
}

/**
 * The O(n^2) steps of the stable product between its O(n^3) kernels (src/spectrum/stable-product.ts,
 * whose jsStratify is the reference: every implementation gives its results bit for bit). n x n
 * matrices row-major.
 */
export interface StratifyKernels {
  /** out[j] = vector.ts norm2 of row j of a */
  rowNorms(a: Float64Array, n: number, out: Float64Array): void;
  /** row dst of gp = row perm[dst] of g (its entries in the order rowPerm gives, when given); the same row of t into tP; lndP[dst] = lnd[perm[dst]] */
  gatherRows(n: number, g: Float64Array, perm: Int32Array, rowPerm: Int32Array | null, t: Float64Array, lnd: Float64Array, gp: Float64Array, tP: Float64Array, lndP: Float64Array): void;
  /** out = a^T; with `cols`, row k of out is column cols[k] of a */
  transpose(a: Float64Array, n: number, out: Float64Array, cols: Int32Array | null): void;
  /**
   * mt = 0, then in the tile pairs (jt, it) (tile x tile, it <= jt) flagged in fac[jt * tiles + it],
   * mt[i][j] = gp[j][i] * ea[j] * eb[jt * n + i] for i < j (entries with gp[j][i] = 0 left 0), and
   * mt[i][i] = sgn gp[i][i] (-1 or 1)
   */
  formM(n: number, tile: number, gp: Float64Array, ea: Float64Array, eb: Float64Array, fac: Uint8Array, mt: Float64Array): void;
}

export function checkGemmShapes(name: string, m: number, n: number, kA: number, kB: number, C: Mat | undefined): void {
  if (kA !== kB) throw new Error(`${name}: inner dimensions ${kA} and ${kB} differ`);
  if (C && (C.rows !== m || C.cols !== n)) throw new Error(`${name}: output has the wrong shape`);
}
