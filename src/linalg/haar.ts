import { drawsQR } from './select.js';
import { fillNormal, type NormalStream } from '../random/streams.js';
import { transpose, type Mat } from './matrix.js';
import { householderQRThin, formQThin } from './qr.js';

/**
 * A Haar-distributed orthogonal matrix O(N): QR of an i.i.d. N(0,1) matrix, then column j of Q
 * multiplied by sign(R_jj). Without that sign fix the distribution depends on the QR convention and
 * is not Haar (Mezzadri 2007). The QR is bitwise the reference's on every backend (drawsQR).
 */
export function sampleHaar(n: number, stream: NormalStream, signFix = true): Mat {
  const be = drawsQR();
  const gt = fillNormal(new Float64Array(n * n), stream);
  const tau = be.householderQR(gt, n);
  // the compiled kernels form the sign-fixed W row-major directly (no Q^T, no transpose)
  if (signFix && be.haarQ) return { rows: n, cols: n, data: be.haarQ(gt, tau, n) };
  const qt = be.formQt(gt, tau, n);
  if (signFix) {
    for (let j = 0; j < n; j++) {
      if (gt[j * n + j] < 0) for (let i = 0; i < n; i++) qt[j * n + i] = -qt[j * n + i];
    }
  }
  // qt holds Q^T row-major; return Q row-major
  return transpose({ rows: n, cols: n, data: qt });
}

/** An N x N matrix with i.i.d. N(0, 1/N) entries (the scaled-Gaussian scheme at g = 1). */
export function sampleGaussian(n: number, stream: NormalStream): Mat {
  const data = fillNormal(new Float64Array(n * n), stream);
  const s = 1 / Math.sqrt(n);
  for (let i = 0; i < data.length; i++) data[i] *= s;
  return { rows: n, cols: n, data };
}

/**
 * A Haar-distributed semi-orthogonal rows x cols matrix (rows != cols), torch's `orthogonal_`:
 * A = rows x cols N(0,1) (row-major from the stream); rows < cols: Q of the thin QR of A^T
 * (cols x rows), transposed, so W has orthonormal rows; rows > cols: Q of the thin QR of A, so W
 * has orthonormal columns. Columns of Q are multiplied by sign(R_jj) (Mezzadri 2007), which makes
 * the frame Haar. The QR is qr.ts's, or the compiled kernels' port of it (exact_qr.c), bitwise the
 * same: the draws do not depend on the backend.
 */
export function sampleSemiOrthogonal(rows: number, cols: number, stream: NormalStream): Mat {
  const a = fillNormal(new Float64Array(rows * cols), stream);
  const m = Math.max(rows, cols);
  const k = Math.min(rows, cols);
  // column storage of G (m x k): rows < cols: G = A^T, whose columns are A's rows (a as is);
  // rows > cols: G = A, whose columns are A's columns (a transposed)
  let gt: Float64Array;
  if (rows < cols) gt = a;
  else {
    gt = new Float64Array(m * k);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) gt[j * m + i] = a[i * cols + j];
  }
  // the compiled kernels' thin QR when they have it (bitwise qr.ts's), else qr.ts itself
  const be = drawsQR();
  const tau = be.householderQRThin ? be.householderQRThin(gt, m, k) : householderQRThin(gt, m, k);
  const qt = be.formQThin ? be.formQThin(gt, tau, m, k) : formQThin(gt, tau, m, k);
  for (let j = 0; j < k; j++) {
    if (gt[j * m + j] < 0) for (let i = 0; i < m; i++) qt[j * m + i] = -qt[j * m + i];
  }
  // qt is k x m row-major: row j = column j of Q. rows < cols: W = Q^T = qt; rows > cols: W = Q
  if (rows < cols) return { rows, cols, data: qt };
  return transpose({ rows: k, cols: m, data: qt });
}

/** A rows x cols matrix with i.i.d. N(0, 1/cols) entries (fan-in scaling), row-major from the stream. */
export function sampleGaussianRect(rows: number, cols: number, stream: NormalStream): Mat {
  const data = fillNormal(new Float64Array(rows * cols), stream);
  const s = 1 / Math.sqrt(cols);
  for (let i = 0; i < data.length; i++) data[i] *= s;
  return { rows, cols, data };
}
