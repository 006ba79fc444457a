import { JacobianOperator } from './jacobian-operator.js';
import { hutchinsonM1, type HutchinsonEstimate } from './hutchinson.js';
import { topSingularValues, type TopSingularValues } from './lanczos.js';
import { slqDensity, densityQuantiles, type SpectralDensity } from './slq.js';
import type { JacobianFactor } from './stable-product.js';
import type { LinalgBackend } from '../linalg/backend.js';

/**
 * The matrix-free spectrum of one network: Hutchinson m1 with its standard error, Lanczos top
 * singular values, and an SLQ density of ln s, all from J v / J^T v products (O(k L N^2)).
 */
export interface MatrixFreeOptions {
  /** Hutchinson probes (one block) */
  probes?: number;
  /** Lanczos steps for the top singular values */
  lanczosSteps?: number;
  /** how many top singular values to resolve */
  top?: number;
  /** SLQ probes and steps */
  slqProbes?: number;
  slqSteps?: number;
}

export const MATRIX_FREE_DEFAULTS: Required<MatrixFreeOptions> = { probes: 64, lanczosSteps: 80, top: 3, slqProbes: 8, slqSteps: 60 };

export interface MatrixFreeSpectrum {
  m1: HutchinsonEstimate;
  top: TopSingularValues;
  density: SpectralDensity;
  /** N values of ln s (descending): the SLQ quantiles, the Lanczos values at the top */
  logSingularValues: Float64Array;
}

export function matrixFreeSpectrum(factors: JacobianFactor[], gain: number, seed: number, opts: MatrixFreeOptions = {}, be?: LinalgBackend): MatrixFreeSpectrum {
  const o = { ...MATRIX_FREE_DEFAULTS, ...opts };
  const op = new JacobianOperator(factors, gain, be);
  const n = op.n;
  const m1 = hutchinsonM1(op, o.probes, seed);
  const top = topSingularValues(op, Math.min(o.top, n), Math.min(o.lanczosSteps, n), seed);
  const density = slqDensity(op, o.slqProbes, Math.min(o.slqSteps, n), seed);
  const logS = densityQuantiles(density, n);
  top.logS.forEach((v, i) => (logS[i] = v));
  // keep descending order where the quadrature's upper quantiles overshoot the Lanczos values
  for (let i = top.logS.length; i < n; i++) logS[i] = Math.min(logS[i], logS[i - 1]);
  return { m1, top, density, logSingularValues: logS };
}

/**
 * Rough time model (flop counts weighted by kernel efficiency) for `--method auto`: dense is one
 * gemm per layer, a QR + Q + T update per block and a Jacobi SVD; matrix-free is block products
 * (gemm-efficient: Hutchinson, SLQ) plus Lanczos matrix-vector products, which are memory-bound
 * (weighted 4x).
 */
export function denseCost(n: number, depth: number, blockSize: number): number {
  const n3 = n ** 3;
  return 2 * depth * n3 + Math.ceil(depth / blockSize) * (8 / 3 + 2) * n3 + 30 * n3;
}

export function matrixFreeCost(n: number, depth: number, opts: MatrixFreeOptions = {}): number {
  const o = { ...MATRIX_FREE_DEFAULTS, ...opts };
  const pass = 2 * depth * n * n;
  return pass * (o.probes + 2 * o.slqSteps * o.slqProbes + 4 * 2 * o.lanczosSteps);
}
