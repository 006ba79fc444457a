import { drawsQR } from './select.js';
import { fillNormal, type NormalStream } from '../random/streams.js';
import { transpose, type Mat } from './matrix.js';

/**
 * A Haar-distributed orthogonal matrix O(N): QR of an i.i.d. N(0,1) matrix, then column j of Q
 * multiplied by sign(R_jj). Without that sign fix the distribution depends on the QR convention and
 * is not Haar (Mezzadri 2007). The QR is bitwise the reference's on every backend (drawsQR).
 */
export function sampleHaar(n: number, stream: NormalStream, signFix = true): Mat {
  const be = drawsQR();
  const gt = fillNormal(new Float64Array(n * n), stream);
  const tau = be.householderQR(gt, n);
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
