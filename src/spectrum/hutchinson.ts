import { normalStream } from '../random/streams.js';
import type { LinearOperator } from './jacobian-operator.js';

/**
 * Hutchinson's estimator of m1 = tr(J^T J)/N = |J|_F^2/N: for probes z with E[z z^T] = I,
 * E|J z|^2 = tr(J^T J). Rademacher probes (signs of the seeded 'probe' stream) have the smallest
 * variance among i.i.d. probes, 2 (|J^T J|_F^2 - sum_i (J^T J)_ii^2). All probes go through J as
 * one block (one gemm per layer). Values are carried as logs, since m1 ~ g^(2L) can overflow.
 */
export interface HutchinsonEstimate {
  /** estimate of m1 (may be +-Infinity/0 when outside float64; use lnM1) */
  m1: number;
  /** standard error of m1 (sample standard deviation of the probe values / sqrt(probes)) */
  stderr: number;
  lnM1: number;
  /** standard error of ln m1 (delta method: stderr / m1) */
  lnStderr: number;
  probes: number;
}

export function hutchinsonM1(op: LinearOperator, probes: number, seed: number): HutchinsonEstimate {
  if (probes < 2) throw new Error('hutchinsonM1: need at least 2 probes for a standard error');
  const n = op.n;
  const z = new Float64Array(probes * n);
  const draw = normalStream(seed, 'probe', 0);
  for (let i = 0; i < z.length; i++) z[i] = draw() < 0 ? -1 : 1;
  const { rows, logScale } = op.apply({ rows: probes, cols: n, data: z });
  // sample values x_i = |J z_i|^2 / N = exp(2 logScale) * r_i
  const r = new Float64Array(probes);
  for (let i = 0; i < probes; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += rows.data[i * n + j] ** 2;
    r[i] = s / n;
  }
  let mean = 0;
  for (const v of r) mean += v;
  mean /= probes;
  let ss = 0;
  for (const v of r) ss += (v - mean) ** 2;
  const relErr = Math.sqrt(ss / (probes - 1) / probes) / mean;
  const lnM1 = 2 * logScale + Math.log(mean);
  return { m1: Math.exp(lnM1), stderr: relErr * Math.exp(lnM1), lnM1, lnStderr: relErr, probes };
}
