import { createRequire } from 'node:module';
import { zeros } from '../matrix.js';
import { checkGemmShapes, type LinalgBackend } from '../backend.js';

/**
 * The native backend: the system OpenBLAS (BLAS + its bundled LAPACK) through koffi, an FFI that
 * ships prebuilt for Node. koffi passes a Float64Array as a pointer to its own memory, so no copies.
 * OpenBLAS runs single-threaded: eoc parallelizes over (point, seed) workers, and threaded BLAS
 * under several workers oversubscribes the cores (DESIGN.md). The log-scaled Jacobi has no LAPACK
 * counterpart (dgesvj needs the scaled values, which can leave float64's range), so that one
 * delegates to the fallback backend given.
 */
const CANDIDATES = [
  'libopenblas.so.0',
  'libopenblas.so',
  '/usr/lib/x86_64-linux-gnu/libopenblas.so.0',
  '/usr/lib/aarch64-linux-gnu/libopenblas.so.0',
  'libopenblas.dylib',
];
const ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;

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
  const paths = process.env.EOC_OPENBLAS ? [process.env.EOC_OPENBLAS] : CANDIDATES;
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
    if (work.length < 64 * n) work = new Float64Array(64 * n);
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
    logScaledJacobi: (y, e, m, n, maxSweeps) => jacobiFrom.logScaledJacobi(y, e, m, n, maxSweeps),
  };
}
