import { SVD, Matrix } from 'ml-matrix';
import type { Mat } from '../linalg/matrix.js';
import type { LinearOperator } from './jacobian-operator.js';

/**
 * Golub-Kahan (Lanczos) bidiagonalization of J from several start vectors in lockstep, with full
 * reorthogonalization: J V_k = U_k B_k, B_k upper bidiagonal (alpha on the diagonal, beta above).
 * The starts share each operator application (one block gemm per layer), so k steps for p starts
 * cost 2k block passes, not 2kp matrix-vector passes.
 *
 * Why full reorthogonalization: without it the Lanczos vectors lose orthogonality as soon as a Ritz
 * value converges and B grows spurious copies of it ("ghosts"); with k << N, Gram-Schmidt against
 * all previous vectors (twice: "twice is enough") costs O(k^2 N), small next to the O(k L N^2)
 * operator work.
 *
 * Scale: J can be ~e^1000. Everything runs on J' = J e^(-lnScale), with lnScale the log factor of
 * the first application; the singular values of B are those of J' (add lnScale to their logs).
 */
export interface Bidiagonalization {
  alpha: Float64Array;
  beta: Float64Array;
  /** steps completed (fewer than asked when an invariant subspace was found) */
  steps: number;
}

export interface GolubKahanResult {
  runs: Bidiagonalization[];
  lnScale: number;
}

export function golubKahan(op: LinearOperator, starts: Mat, steps: number): GolubKahanResult {
  const n = op.n, p = starts.rows;
  const k = Math.min(steps, n);
  const Vs = Array.from({ length: p }, () => new Float64Array(k * n));
  const Us = Array.from({ length: p }, () => new Float64Array(k * n));
  const runs: Bidiagonalization[] = Array.from({ length: p }, () => ({ alpha: new Float64Array(k), beta: new Float64Array(k), steps: 0 }));
  const live = new Array<boolean>(p).fill(true);

  const vBlock: Mat = { rows: p, cols: n, data: new Float64Array(p * n) };
  for (let i = 0; i < p; i++) {
    const row = starts.data.subarray(i * n, i * n + n);
    const nr = norm(row);
    for (let j = 0; j < n; j++) vBlock.data[i * n + j] = row[j] / nr;
    Vs[i].set(vBlock.data.subarray(i * n, i * n + n), 0);
  }
  const first = op.apply(vBlock);
  const lnScale = first.logScale;
  let uBlock = first.rows;
  for (let i = 0; i < p; i++) {
    const u = uBlock.data.subarray(i * n, i * n + n);
    const a = norm(u);
    runs[i].alpha[0] = a;
    runs[i].steps = 1;
    if (a === 0) { live[i] = false; continue; }
    scaleTo(u, 1 / a);
    Us[i].set(u, 0);
  }

  for (let j = 0; j + 1 < k && live.some(Boolean); j++) {
    // v_{j+1} beta_j = J'^T u_j - alpha_j v_j
    const back = op.applyT(uBlock);
    const fb = Math.exp(back.logScale - lnScale);
    for (let i = 0; i < p; i++) {
      const v = back.rows.data.subarray(i * n, i * n + n);
      if (!live[i]) { v.fill(0); continue; }
      const vj = Vs[i].subarray(j * n, j * n + n);
      for (let q = 0; q < n; q++) v[q] = fb * v[q] - runs[i].alpha[j] * vj[q];
      reorthogonalize(v, Vs[i], j + 1, n);
      const b = norm(v);
      if (!(b > 1e-13 * runs[i].alpha[j])) { live[i] = false; v.fill(0); continue; }
      runs[i].beta[j] = b;
      scaleTo(v, 1 / b);
      Vs[i].set(v, (j + 1) * n);
    }
    // u_{j+1} alpha_{j+1} = J' v_{j+1} - beta_j u_j
    const fwd = op.apply(back.rows);
    const ff = Math.exp(fwd.logScale - lnScale);
    for (let i = 0; i < p; i++) {
      const u = fwd.rows.data.subarray(i * n, i * n + n);
      if (!live[i]) { u.fill(0); continue; }
      const uj = Us[i].subarray(j * n, j * n + n);
      for (let q = 0; q < n; q++) u[q] = ff * u[q] - runs[i].beta[j] * uj[q];
      reorthogonalize(u, Us[i], j + 1, n);
      const a = norm(u);
      runs[i].steps = j + 2;
      runs[i].alpha[j + 1] = a;
      if (!(a > 1e-13 * runs[i].beta[j])) { live[i] = false; u.fill(0); continue; }
      scaleTo(u, 1 / a);
      Us[i].set(u, (j + 1) * n);
    }
    uBlock = fwd.rows;
  }
  for (const r of runs) {
    r.alpha = r.alpha.slice(0, r.steps);
    r.beta = r.beta.slice(0, Math.max(0, r.steps - 1));
  }
  return { runs, lnScale };
}

/**
 * Singular values of the bidiagonal B (descending) and, for quadrature, the squared first
 * components of its right singular vectors: the Gauss weights of the start vector's spectral measure.
 */
export function bidiagonalSVD(b: Bidiagonalization): { sigma: Float64Array; weights: Float64Array } {
  const k = b.steps;
  const m = new Matrix(k, k);
  for (let i = 0; i < k; i++) {
    m.set(i, i, b.alpha[i]);
    if (i + 1 < k) m.set(i, i + 1, b.beta[i]);
  }
  const svd = new SVD(m, { computeLeftSingularVectors: false, computeRightSingularVectors: true, autoTranspose: false });
  const s = svd.diagonal;
  const V = svd.rightSingularVectors;
  const order = s.map((_, i) => i).sort((x, y) => s[y] - s[x]);
  return {
    sigma: Float64Array.from(order.map((i) => s[i])),
    weights: Float64Array.from(order.map((i) => V.get(0, i) ** 2)),
  };
}

function norm(v: Float64Array): number {
  let mx = 0;
  for (const x of v) mx = Math.max(mx, Math.abs(x));
  if (mx === 0) return 0;
  let s = 0;
  for (const x of v) s += (x / mx) ** 2;
  return mx * Math.sqrt(s);
}

function scaleTo(v: Float64Array, f: number): void {
  for (let i = 0; i < v.length; i++) v[i] *= f;
}

/** classical Gram-Schmidt against the first `count` rows of `basis`, done twice */
function reorthogonalize(v: Float64Array, basis: Float64Array, count: number, n: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let r = 0; r < count; r++) {
      const o = r * n;
      let d = 0;
      for (let q = 0; q < n; q++) d += basis[o + q] * v[q];
      for (let q = 0; q < n; q++) v[q] -= d * basis[o + q];
    }
  }
}
