import { gemmNT, gemv, gemvT } from '../gemm.js';
import { householderQR, formQt } from '../qr.js';
import { logScaledJacobi } from '../jacobi.js';
import { transpose, zeros, type Mat } from '../matrix.js';
import { checkGemmShapes, type LinalgBackend } from '../backend.js';

/** The pure-TS reference kernels, unchanged, behind the backend interface. */
export const jsBackend: LinalgBackend = {
  name: 'js',
  gemmNT: (A, B, C) => gemmNT(A, B, C),
  gemm(A: Mat, B: Mat, C?: Mat): Mat {
    checkGemmShapes('gemm', A.rows, B.cols, A.cols, B.rows, C);
    return gemmNT(A, transpose(B), C ?? zeros(A.rows, B.cols));
  },
  gemv: (A, x, y) => gemv(A, x, y),
  gemvT: (A, x, y) => gemvT(A, x, y),
  householderQR: (gt, n, tau) => householderQR(gt, n, tau),
  formQt: (gt, tau, n, qt) => formQt(gt, tau, n, qt),
  logScaledJacobi: (y, e, m, n, maxSweeps) => logScaledJacobi(y, e, m, n, maxSweeps),
};
