import type { Mat } from '../linalg/matrix.js';

/**
 * The layernorm layer kind (src/network/layers.ts LayerNormLayer) at initialization, weight 1 and
 * bias 0: y = (x - mean x) / s with s = sqrt(var x + eps), var the biased variance over the N units.
 *
 * Jacobian: dy_i/dx_j = (1/s)(delta_ij - 1/N - y_i y_j / N), that is J = (1/s) P with
 * P = I - 1 1^T/N - y y^T/N, symmetric. With eps = 0, |y|^2 = N and y is orthogonal to 1, so P is
 * the orthogonal projector off span(1, y): rank N - 2, its two null directions the shift and the
 * scale of the input, which layernorm removes. With eps > 0 the scale direction keeps the singular
 * value (1/s)(1 - |y|^2/N) = (1/s) eps/(var + eps): rank N - 1.
 */
export interface LayerNormState {
  /** the normalized output y */
  y: Float64Array;
  /** s = sqrt(var + eps) */
  s: number;
}

/** Forward: y and s for the input x. Throws when the input has zero variance and eps = 0 (y undefined). */
export function layerNormForward(x: Float64Array, eps: number): LayerNormState {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (x[i] - mean) ** 2;
  v /= n;
  const s = Math.sqrt(v + eps);
  if (!(s > 0)) throw new Error('layernorm: the input has zero variance and eps = 0, so its output is undefined');
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = (x[i] - mean) / s;
  return { y, s };
}

/** The structural rank of the Jacobian: N - 2 with eps = 0 (shift and scale removed), N - 1 otherwise. */
export function layerNormRank(n: number, eps: number): number {
  return Math.max(0, eps === 0 ? n - 2 : n - 1);
}

/** P = I - 1 1^T/N - y y^T/N explicitly (the Jacobian is P / s). */
export function layerNormProjector(st: LayerNormState): Mat {
  const { y } = st;
  const n = y.length;
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const row = i * n;
    const yi = y[i] / n;
    for (let j = 0; j < n; j++) data[row + j] = (i === j ? 1 : 0) - 1 / n - yi * y[j];
  }
  return { rows: n, cols: n, data };
}

/** The Jacobian (1/s) P explicitly (tests, small nets). */
export function layerNormJacobian(st: LayerNormState): Mat {
  const p = layerNormProjector(st);
  for (let i = 0; i < p.data.length; i++) p.data[i] /= st.s;
  return p;
}

/** A := J A for A with N rows (any columns), in place: (1/s)(A - 1 (1^T A)/N - y (y^T A)/N), O(N cols). */
export function layerNormApplyLeft(st: LayerNormState, a: Mat): void {
  const { y, s } = st;
  const n = y.length;
  const c = a.cols;
  if (a.rows !== n) throw new Error(`layerNormApplyLeft: ${a.rows} rows, expected ${n}`);
  const colMean = new Float64Array(c);
  const colY = new Float64Array(c);
  for (let i = 0; i < n; i++) {
    const row = i * c;
    const yi = y[i];
    for (let j = 0; j < c; j++) {
      const v = a.data[row + j];
      colMean[j] += v;
      colY[j] += yi * v;
    }
  }
  for (let j = 0; j < c; j++) {
    colMean[j] /= n;
    colY[j] /= n;
  }
  for (let i = 0; i < n; i++) {
    const row = i * c;
    const yi = y[i];
    for (let j = 0; j < c; j++) a.data[row + j] = (a.data[row + j] - colMean[j] - yi * colY[j]) / s;
  }
}

/** J^T v (= J v: J is symmetric): (1/s)(v - mean(v) 1 - y (y . v)/N). */
export function layerNormVjp(st: LayerNormState, v: Float64Array): Float64Array {
  const { y, s } = st;
  const n = y.length;
  let mean = 0, yv = 0;
  for (let i = 0; i < n; i++) {
    mean += v[i];
    yv += y[i] * v[i];
  }
  mean /= n;
  yv /= n;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (v[i] - mean - y[i] * yv) / s;
  return out;
}

/**
 * |dE/d(weight, bias)| of the layernorm's own parameters for the output gradient v: the weight's
 * gradient is y * v elementwise, the bias's v.
 */
export function layerNormParamGradNorm(st: LayerNormState, v: Float64Array): number {
  let ss = 0;
  for (let i = 0; i < v.length; i++) ss += (st.y[i] * v[i]) ** 2 + v[i] * v[i];
  return Math.sqrt(ss);
}
