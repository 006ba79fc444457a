import { dot, norm2 } from './vector.js';

const LN2 = Math.LN2;

/**
 * Singular values of X = [exp(e_0) y_0, ..., exp(e_{m-1}) y_{m-1}] (columns given as rows of `y`,
 * each of length n, with separate log scales e) by one-sided Jacobi (Hestenes), returned as ln s,
 * descending.
 *
 * Why this form: the Jacobian's singular values can span thousands of e-folds, beyond float64's
 * range, and one-sided Jacobi computes each singular value to high relative accuracy when X is a
 * well-conditioned matrix times a column scaling (Demmel & Veselic 1992), exactly the shape the
 * QR-stabilized product leaves (J = U diag(d) T, so J^T ~ T^T diag(d)). Keeping every column as a
 * unit vector with a log scale means no entry ever overflows or underflows, whatever the grading.
 *
 * `y` and `e` are overwritten.
 */
export function logScaledJacobi(y: Float64Array, e: Float64Array, m: number, n: number, maxSweeps = 80): Float64Array {
  prepareJacobiRows(y, e, m, n);
  const tol = jacobiTolerance(n);
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let rotated = false;
    for (let i = 0; i < m - 1; i++) {
      const oi = i * n;
      for (let j = i + 1; j < m; j++) {
        const oj = j * n;
        const c = dot(y, oi, y, oj, n);
        if (!(Math.abs(c) > tol)) continue;
        rotated = true;
        const delta = e[i] - e[j];
        // zeta = (|x_j|^2 - |x_i|^2) / (2 x_i.x_j) = -sinh(delta)/c; t = tan of the rotation angle.
        let lnT: number, sgn: number;
        if (Math.abs(delta) < 30) {
          const zeta = -Math.sinh(delta) / c;
          const t = zeta === 0 ? 1 : Math.sign(zeta) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
          lnT = Math.log(Math.abs(t));
          sgn = Math.sign(t);
        } else {
          // |zeta| > 1e12: t = 1/(2 zeta) to double precision, taken in logs to avoid overflow
          const lnZeta = Math.abs(delta) - LN2 + Math.log1p(-Math.exp(-2 * Math.abs(delta))) - Math.log(Math.abs(c));
          lnT = -LN2 - lnZeta;
          sgn = -Math.sign(delta) * Math.sign(c);
        }
        const t = Math.exp(lnT);
        const cs = 1 / Math.sqrt(1 + t * t);
        const lnSn = lnT + Math.log(cs);
        // x_i' = cs x_i - sn x_j, x_j' = sn x_i + cs x_j, written for the unit rows:
        const A = sgn * Math.exp(lnSn - delta); // sn * exp(e_j - e_i)
        const B = sgn * Math.exp(lnSn + delta); // sn * exp(e_i - e_j)
        for (let p = 0; p < n; p++) {
          const yi = y[oi + p], yj = y[oj + p];
          y[oi + p] = cs * yi - A * yj;
          y[oj + p] = B * yi + cs * yj;
        }
        // new squared norms from the 2x2 Gram matrix; recompute when cancellation makes them inexact
        let ni = cs * cs + A * A - 2 * cs * A * c;
        let nj = B * B + cs * cs + 2 * B * cs * c;
        ni = ni > 0.25 ? Math.sqrt(ni) : norm2(y, oi, n);
        nj = nj > 0.25 ? Math.sqrt(nj) : norm2(y, oj, n);
        scaleRow(y, oi, n, 1 / ni);
        scaleRow(y, oj, n, 1 / nj);
        e[i] += Math.log(ni);
        e[j] += Math.log(nj);
      }
    }
    if (!rotated) break;
    for (let i = 0; i < m; i++) renormalize(y, e, i, n);
  }
  return descendingLogs(e, m);
}

/** Start from unit rows, largest first: graded inputs then converge in a few sweeps. */
export function prepareJacobiRows(y: Float64Array, e: Float64Array, m: number, n: number): void {
  for (let i = 0; i < m; i++) renormalize(y, e, i, n);
  sortRowsByScale(y, e, m, n);
}

/** Rows count as orthogonal once |cos| <= this (rounding in a dot of n unit-scale terms). */
export function jacobiTolerance(n: number): number {
  return Math.max(1e-15, Math.sqrt(n) * 2.22e-16);
}

export function descendingLogs(e: Float64Array, m: number): Float64Array {
  const out = Float64Array.from(e.subarray(0, m));
  out.sort().reverse();
  return out;
}

function scaleRow(y: Float64Array, o: number, n: number, s: number): void {
  for (let p = 0; p < n; p++) y[o + p] *= s;
}

function renormalize(y: Float64Array, e: Float64Array, i: number, n: number): void {
  const nr = norm2(y, i * n, n);
  if (nr === 0) {
    e[i] = -Infinity;
    return;
  }
  scaleRow(y, i * n, n, 1 / nr);
  e[i] += Math.log(nr);
}

function sortRowsByScale(y: Float64Array, e: Float64Array, m: number, n: number): void {
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => e[b] - e[a]);
  const y2 = new Float64Array(m * n);
  const e2 = new Float64Array(m);
  order.forEach((src, dst) => {
    y2.set(y.subarray(src * n, src * n + n), dst * n);
    e2[dst] = e[src];
  });
  y.set(y2);
  e.set(e2);
}

/** The QR and Jacobi kernels preconditionedLogSvd needs (any LinalgBackend has them). */
export interface JacobiKernels {
  householderQR(gt: Float64Array, n: number, tau?: Float64Array): Float64Array;
  logScaledJacobi(y: Float64Array, e: Float64Array, m: number, n: number, maxSweeps?: number): Float64Array;
}

/**
 * ln singular values of X = [exp(e_0) y_0, ...] (as logScaledJacobi) with the QR preconditioner of
 * Drmac & Veselic (2008): order the columns by scale (a cheap column pivoting), factor X P = Q R by
 * Householder QR of the unit columns alone (R = R_Y diag(exp e): column-wise backward stable, so
 * high relative accuracy survives), then run one-sided Jacobi on R^T, whose columns (the rows of R)
 * are nearly orthogonal already for a graded X: a few sweeps instead of ten or more. Row i of R,
 * R_ij = R_Y,ij exp(e_j) for j >= i, is held as exp(e_i) times R_Y,ij exp(e_j - e_i) with e_j <= e_i,
 * so nothing overflows. Square inputs only (m = n); others go to plain Jacobi. `y`, `e` overwritten.
 */
export function preconditionedLogSvd(y: Float64Array, e: Float64Array, m: number, n: number, k: JacobiKernels, maxSweeps = 80): Float64Array {
  if (m !== n || n < 2) return k.logScaledJacobi(y, e, m, n, maxSweeps);
  prepareJacobiRows(y, e, m, n);
  // a zero column (-Infinity scale) sorts last: keep it out of the QR
  let r = m;
  while (r > 0 && !(e[r - 1] > -Infinity)) r--;
  if (r < m) return k.logScaledJacobi(y, e, m, n, maxSweeps);
  k.householderQR(y, n);
  // y now holds R_Y by columns (R_Y,ij = y[j*n + i], j >= i); rebuild it as the rows of R
  const rows = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const o = i * n;
    const ei = e[i];
    for (let j = i; j < n; j++) {
      const v = y[j * n + i];
      if (v !== 0) rows[o + j] = v * Math.exp(e[j] - ei);
    }
  }
  y.set(rows);
  return k.logScaledJacobi(y, e, m, n, maxSweeps);
}
