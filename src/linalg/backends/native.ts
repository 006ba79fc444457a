import { createRequire } from 'node:module';
import { zeros } from '../matrix.js';
import { checkGemmShapes, type LinalgBackend } from '../backend.js';

/**
 * The native backend: the system OpenBLAS (BLAS + its bundled LAPACK) through koffi, an FFI that
 * ships prebuilt for Node. koffi passes a Float64Array as a pointer to its own memory, so no copies.
 * OpenBLAS runs single-threaded: eoc parallelizes over (point, seed) workers, and threaded BLAS
 * under several workers oversubscribes the cores (docs/design.md). The log-scaled Jacobi runs LAPACK's
 * dgesvj (same one-sided Jacobi, same relative accuracy, faster BLAS-1) when the row scales span
 * less than GESVJ_SPREAD e-folds, so that the scaled values sit well inside float64's range; wider
 * spreads (and EOC_NATIVE_GESVJ=0) go to the fallback backend's log-scaled Jacobi. It also offers
 * the optional dormqr/dtrmm kernels the stable product uses to skip forming U.
 */
const CANDIDATES = [
  'libopenblas.so.0',
  'libopenblas.so',
  '/usr/lib/x86_64-linux-gnu/libopenblas.so.0',
  '/usr/lib/aarch64-linux-gnu/libopenblas.so.0',
  'libopenblas.dylib',
];
/** largest spread of ln scales (e-folds) handed to dgesvj: exp(-500) ~ 1e-217, far above underflow */
const GESVJ_SPREAD = 500;
const ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112, UPPER = 121, LEFT = 141, NON_UNIT = 131;

export interface NativeInfo {
  library: string;
  config: string;
  corename: string;
}

export function loadNativeBackend(jacobiFrom: LinalgBackend): LinalgBackend & { info: NativeInfo } {
  const require = createRequire(import.meta.url);
  const koffi = require('koffi') as {
    load(path: string): { func(sig: string): (...args: unknown[]) => unknown };
  };
  // EOC_OPENBLAS (README): a library path to load instead of the search list, or `none` for no
  // OpenBLAS at all (eoc then runs on wasm, as on a machine without the library)
  const override = process.env.EOC_OPENBLAS?.trim();
  if (override === 'none') throw new Error('OpenBLAS not used (EOC_OPENBLAS=none)');
  const paths = override ? [override] : CANDIDATES;
  let lib: ReturnType<typeof koffi.load> | undefined;
  let library = '';
  const errors: string[] = [];
  for (const p of paths) {
    try {
      lib = koffi.load(p);
      library = p;
      break;
    } catch (err) {
      errors.push(`${p}: ${(err as Error).message}`);
    }
  }
  if (!lib) throw new Error(`OpenBLAS not found (${errors.join('; ')})`);
  const dgemm = lib.func('void cblas_dgemm(int, int, int, int, int, int, double, const double *, int, const double *, int, double, double *, int)');
  const dgemv = lib.func('void cblas_dgemv(int, int, int, int, double, const double *, int, const double *, int, double, double *, int)');
  const dgeqrf = lib.func('void dgeqrf_(const int *, const int *, double *, const int *, double *, double *, const int *, int *)');
  const dorgqr = lib.func('void dorgqr_(const int *, const int *, const int *, double *, const int *, const double *, double *, const int *, int *)');
  const dormqr = lib.func('void dormqr_(const char *, const char *, const int *, const int *, const int *, const double *, const int *, const double *, double *, const int *, double *, const int *, int *)');
  const dtrmm = lib.func('void cblas_dtrmm(int, int, int, int, int, int, int, double, const double *, int, double *, int)');
  const dgesvj = lib.func('void dgesvj_(const char *, const char *, const char *, const int *, const int *, double *, const int *, double *, const int *, double *, const int *, double *, const int *, int *)');
  const setThreads = lib.func('void openblas_set_num_threads(int)');
  const getConfig = lib.func('const char *openblas_get_config()');
  const getCore = lib.func('const char *openblas_get_corename()');
  setThreads(1);
  const info: NativeInfo = { library, config: String(getConfig()), corename: String(getCore()) };

  const i32 = (v: number) => Int32Array.of(v);
  const infoOut = new Int32Array(1);
  let work = new Float64Array(1);
  function lapackWork(n: number): Float64Array {
    // a block size of 64 columns is ample for dgeqrf/dorgqr's blocked paths
    if (work.length < 64 * n + 4160) work = new Float64Array(64 * n + 4160); // + dormqr's T block
    return work;
  }
  function check(name: string): void {
    if (infoOut[0] !== 0) throw new Error(`${name}: LAPACK info = ${infoOut[0]}`);
  }

  return {
    name: 'native',
    info,
    gemmNT(A, B, C = zeros(A.rows, B.rows)) {
      checkGemmShapes('gemmNT', A.rows, B.rows, A.cols, B.cols, C);
      if (A.rows && B.rows) dgemm(ROW_MAJOR, NO_TRANS, TRANS, A.rows, B.rows, A.cols, 1, A.data, Math.max(1, A.cols), B.data, Math.max(1, B.cols), 0, C.data, Math.max(1, C.cols));
      return C;
    },
    gemm(A, B, C = zeros(A.rows, B.cols)) {
      checkGemmShapes('gemm', A.rows, B.cols, A.cols, B.rows, C);
      if (A.rows && B.cols) dgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, A.rows, B.cols, A.cols, 1, A.data, Math.max(1, A.cols), B.data, Math.max(1, B.cols), 0, C.data, Math.max(1, C.cols));
      return C;
    },
    gemv(A, x, y = new Float64Array(A.rows)) {
      dgemv(ROW_MAJOR, NO_TRANS, A.rows, A.cols, 1, A.data, Math.max(1, A.cols), x, 1, 0, y, 1);
      return y;
    },
    gemvT(A, x, y = new Float64Array(A.cols)) {
      dgemv(ROW_MAJOR, TRANS, A.rows, A.cols, 1, A.data, Math.max(1, A.cols), x, 1, 0, y, 1);
      return y;
    },
    // the column-stored buffer is LAPACK's column-major layout: dgeqrf/dorgqr apply directly
    householderQR(gt, n, tau = new Float64Array(n)) {
      const w = lapackWork(n);
      dgeqrf(i32(n), i32(n), gt, i32(Math.max(1, n)), tau, w, i32(w.length), infoOut);
      check('dgeqrf');
      return tau;
    },
    formQt(gt, tau, n, qt = new Float64Array(n * n)) {
      qt.set(gt.subarray(0, n * n));
      const w = lapackWork(n);
      dorgqr(i32(n), i32(n), i32(n), qt, i32(Math.max(1, n)), tau, w, i32(w.length), infoOut);
      check('dorgqr');
      return qt;
    },
    ormqrRight(gt, tau, n, c) {
      const w = lapackWork(n);
      dormqr('R', 'N', i32(n), i32(n), i32(n), gt, i32(Math.max(1, n)), tau, c, i32(Math.max(1, n)), w, i32(w.length), infoOut);
      check('dormqr');
    },
    trmmUpperLeft(M, B) {
      if (M.rows !== M.cols || M.cols !== B.rows) throw new Error('trmmUpperLeft: shape mismatch');
      if (B.rows && B.cols) dtrmm(ROW_MAJOR, LEFT, UPPER, NO_TRANS, NON_UNIT, B.rows, B.cols, 1, M.data, Math.max(1, M.cols), B.data, Math.max(1, B.cols));
    },
    logScaledJacobi(y, e, m, n, maxSweeps) {
      if (process.env.EOC_NATIVE_GESVJ === '0') return jacobiFrom.logScaledJacobi(y, e, m, n, maxSweeps);
      // LAPACK's one-sided Jacobi (dgesvj: high relative accuracy for column-scaled X = B D, de Rijk
      // pivoting, tuned BLAS-1) when the scales fit float64 with a wide margin; else the log-scaled one
      let emax = -Infinity, emin = Infinity;
      for (let i = 0; i < m; i++) {
        const v = e[i];
        if (v > emax) emax = v;
        if (v < emin) emin = v;
      }
      if (!(m <= n && m > 1 && Number.isFinite(emax) && Number.isFinite(emin) && emax - emin < GESVJ_SPREAD)) {
        return jacobiFrom.logScaledJacobi(y, e, m, n, maxSweeps);
      }
      // X^T: column i (contiguous, = row i of y) scaled by exp(e_i - emax): column-major n x m
      const a = y.subarray(0, m * n);
      for (let i = 0; i < m; i++) {
        const f = Math.exp(e[i] - emax);
        const o = i * n;
        for (let p = 0; p < n; p++) a[o + p] *= f;
      }
      const input = Float64Array.from(a); // kept for the (never seen) non-convergent case
      const sva = new Float64Array(m);
      const lwork = Math.max(6, m + n);
      const w = new Float64Array(lwork);
      dgesvj('G', 'N', 'N', i32(n), i32(m), a, i32(n), sva, i32(0), new Float64Array(1), i32(1), w, i32(lwork), infoOut);
      if (infoOut[0] < 0) throw new Error(`dgesvj: LAPACK info = ${infoOut[0]}`);
      if (infoOut[0] > 0) {
        // no convergence in 30 sweeps (not seen on these inputs): the log-scaled Jacobi decides
        a.set(input);
        e.fill(emax, 0, m);
        return jacobiFrom.logScaledJacobi(y, e, m, n, maxSweeps);
      }
      const lnScale = Math.log(w[0]) + emax;
      const out = new Float64Array(m);
      for (let i = 0; i < m; i++) out[i] = sva[i] > 0 ? Math.log(sva[i]) + lnScale : -Infinity;
      out.sort().reverse();
      return out;
    },
  };
}
