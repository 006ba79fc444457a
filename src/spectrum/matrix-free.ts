import { JacobianOperator, type LinearOperator } from './jacobian-operator.js';
import { hutchinsonM1, type HutchinsonEstimate } from './hutchinson.js';
import { topSingularValues, type TopSingularValues } from './lanczos.js';
import type { JacobianFactor } from './stable-product.js';
import type { LinalgBackend } from '../linalg/backend.js';

/**
 * The matrix-free spectrum of one network: Hutchinson m1 with its standard error and the Lanczos
 * top singular values, from J v / J^T v products (O(k L N^2)). Nothing else: the log statistics
 * (mean, std, rms of ln s, the condition number, s_min, frac_within_2) are not estimated, because
 * no estimator here has a tested error bound for them. SLQ (slq.ts) is a Gauss rule in s^2: it
 * resolves the density on a linear scale, and on broad spectra its ln s quantiles were far off
 * (width 200, depth 100, gain 1.2: mean ln s -2.92 vs -6.09 dense, std 2.55 vs 7.29).
 * MATRIX_FREE_NOT_ESTIMATED says so, per statistic, wherever they would be printed.
 */
export interface MatrixFreeOptions {
  /** Hutchinson probes (one block) */
  probes?: number;
  /** Lanczos steps for the top singular values */
  lanczosSteps?: number;
  /** how many top singular values to resolve */
  top?: number;
}

export const MATRIX_FREE_DEFAULTS: Required<MatrixFreeOptions> = { probes: 64, lanczosSteps: 80, top: 3 };

/** The statistics matrix-free does not estimate, each with the reason (printed as n/a, JSON null). */
export const MATRIX_FREE_NOT_ESTIMATED: Readonly<Record<string, string>> = {
  var_sq: 'no tr((J^T J)^2) estimator',
  var_sq_norm: 'no tr((J^T J)^2) estimator',
  s_min: 'Lanczos resolves only the top',
  ln_s_min: 'Lanczos resolves only the top',
  mean_log: 'no error-bounded estimator',
  std_log: 'no error-bounded estimator',
  rms_log: 'no error-bounded estimator',
  log10_cond: 'needs s_min',
  frac_within_2: 'needs every s',
};

export interface MatrixFreeSpectrum {
  m1: HutchinsonEstimate;
  top: TopSingularValues;
  /** the `top` Lanczos values of ln s, descending: the only singular values matrix-free resolves */
  logSingularValues: Float64Array;
}

export function matrixFreeSpectrum(factors: JacobianFactor[], gain: number, seed: number, opts: MatrixFreeOptions = {}, be?: LinalgBackend): MatrixFreeSpectrum {
  return operatorSpectrum(new JacobianOperator(factors, gain, be), seed, opts);
}

/** The matrix-free spectrum of any operator (see matrixFreeSpectrum). */
export function operatorSpectrum(op: LinearOperator, seed: number, opts: MatrixFreeOptions = {}): MatrixFreeSpectrum {
  const o = { ...MATRIX_FREE_DEFAULTS, ...opts };
  const n = op.n;
  const m1 = hutchinsonM1(op, o.probes, seed);
  const top = topSingularValues(op, Math.min(o.top, n), Math.min(o.lanczosSteps, n), seed);
  return { m1, top, logSingularValues: Float64Array.from(top.logS) };
}

/**
 * Rough time model (flop counts weighted by kernel efficiency) for `--method auto`: dense is one
 * gemm per layer, a QR + Q + T update per block and a Jacobi SVD; matrix-free is a block product
 * (gemm-efficient: Hutchinson) plus Lanczos matrix-vector products, which are memory-bound
 * (weighted 4x).
 */
export function denseCost(n: number, depth: number, blockSize: number): number {
  const n3 = n ** 3;
  return 2 * depth * n3 + Math.ceil(depth / blockSize) * (8 / 3 + 2) * n3 + 30 * n3;
}

export function matrixFreeCost(n: number, depth: number, opts: MatrixFreeOptions = {}): number {
  const o = { ...MATRIX_FREE_DEFAULTS, ...opts };
  const pass = 2 * depth * n * n;
  return pass * (o.probes + 4 * 2 * o.lanczosSteps);
}
