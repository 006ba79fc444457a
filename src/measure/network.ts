import { forward, type ScaleParams } from '../network/forward.js';
import { backprop } from '../gradients/backprop.js';
import { stableLogSingularValues } from '../spectrum/stable-product.js';
import { matrixFreeSpectrum, denseCost, matrixFreeCost, type MatrixFreeOptions } from '../spectrum/matrix-free.js';
import { logAbsDet } from '../linalg/qr.js';
import { spectrumStats, type SpectrumStats } from './stats.js';
import type { BaseDraws } from '../network/sampler.js';

/** Per-layer record, layer = 1..L. */
export interface LayerRecord {
  layer: number;
  /** empirical pre-activation variance |h^l|^2/N */
  q: number;
  /** |delta^l| */
  gradNorm: number;
  /** |dE/dW^l|_F = |delta^l| |x^{l-1}| */
  weightGradNorm: number;
  /** ln |delta^l| (exact even where gradNorm under/overflows) */
  logGradNorm: number;
}

/** Everything measured on one network. */
export interface NetworkSample {
  seed: number;
  /** number of nonzero singular values (N unless phi' vanishes on some units) */
  rank: number;
  /** ln s, descending; -Infinity for structural zeros */
  logSingularValues: Float64Array;
  stats: SpectrumStats;
  layers: LayerRecord[];
  /** ln |J^T e| from backprop */
  logInputGrad: number;
  /** sum_l (ln|det W^l| + sum_i ln|phi'(h^l_i)|) - sum_i ln s_i: 0 up to rounding (SCIENCE.md sec 4) */
  logDetResidual: number;
  /** which spectrum method ran (absent in older records: dense) */
  method?: SpectrumMethod;
  /** matrix-free only: the estimators' own error figures */
  matrixFree?: {
    m1Stderr: number;
    lnM1Stderr: number;
    probes: number;
    lanczosSteps: number;
    /** max change of the top ln s over the last 10 Lanczos steps */
    topChange: number;
    slqProbes: number;
    slqSteps: number;
  };
}

/**
 * dense: the QR-stabilized product, every singular value to high relative accuracy, O(L N^3).
 * matrix-free: Hutchinson m1 (with standard error), Lanczos top singular values and an SLQ density
 * (its quantiles stand in for ln s), O(k L N^2). auto: whichever the cost model says is cheaper.
 */
export type SpectrumMethod = 'dense' | 'matrix-free';

/** How often the stable product re-factors: more often for Gaussian weights, which spread faster. */
export function defaultBlockSize(init: 'orthogonal' | 'gaussian'): number {
  return init === 'orthogonal' ? 4 : 2;
}

export interface MeasureOptions {
  blockSize?: number;
  /**
   * Check the log-det identity for Gaussian weights too (costs one extra QR per layer); for
   * orthogonal weights it is free (|det O| = 1) and always done.
   */
  checkLogDet?: boolean;
  /** spectrum method (default dense) */
  method?: SpectrumMethod | 'auto';
  matrixFree?: MatrixFreeOptions;
}

export function resolveMethod(method: SpectrumMethod | 'auto' | undefined, n: number, depth: number, blockSize: number, mf?: MatrixFreeOptions): SpectrumMethod {
  if (method === undefined || method === 'dense' || method === 'matrix-free') return method ?? 'dense';
  return matrixFreeCost(n, depth, mf) < denseCost(n, depth, blockSize) ? 'matrix-free' : 'dense';
}

export function measureNetwork(draws: BaseDraws, p: ScaleParams, opts: MeasureOptions = {}): NetworkSample {
  const trace = forward(draws, p);
  const grads = backprop(draws, trace, p.gain);
  const blockSize = opts.blockSize ?? defaultBlockSize(draws.init);
  const factors = draws.weights.map((base, l) => ({ base, dphi: trace.dphi[l] }));
  const n = draws.width;
  const method = resolveMethod(opts.method, n, factors.length, blockSize, opts.matrixFree);
  const mf = method === 'matrix-free' ? matrixFreeSpectrum(factors, p.gain, draws.seed, opts.matrixFree) : undefined;
  const logS = mf ? mf.logSingularValues : stableLogSingularValues(factors, p.gain, blockSize);
  // generically rank(P_L W ... P_1 W) = min_l rank(P_l) for projectors P_l; beyond it, only rounding
  const rank = Math.min(n, ...trace.active);
  for (let i = rank; i < n; i++) logS[i] = -Infinity;
  const stats = spectrumStats(logS, rank);
  if (mf) {
    // the estimators with their own errors replace the quantile-based values where they exist
    stats.m1 = mf.m1.m1;
    stats.ln_m1 = mf.m1.lnM1;
    stats.s_max = Math.exp(mf.top.logS[0]);
  }
  const layers: LayerRecord[] = trace.q.map((q, l) => ({
    layer: l + 1,
    q,
    gradNorm: Math.exp(grads.logDelta[l]),
    weightGradNorm: Math.exp(grads.logWeightGrad[l]),
    logGradNorm: grads.logDelta[l],
  }));
  let residual = NaN;
  if (!mf && rank === n && (draws.init === 'orthogonal' || opts.checkLogDet)) {
    let fromLayers = 0;
    for (let l = 0; l < trace.dphi.length; l++) {
      const base = draws.init === 'orthogonal' ? 0 : logAbsDet(draws.weights[l].data, n);
      fromLayers += n * Math.log(p.gain) + base;
      for (const d of trace.dphi[l]) fromLayers += Math.log(Math.abs(d));
    }
    let fromSpectrum = 0;
    for (let i = 0; i < n; i++) fromSpectrum += logS[i];
    residual = fromLayers - fromSpectrum;
  }
  const sample: NetworkSample = { seed: draws.seed, rank, logSingularValues: logS, stats, layers, logInputGrad: grads.logInputGrad, logDetResidual: residual, method };
  if (mf) {
    sample.matrixFree = {
      m1Stderr: mf.m1.stderr,
      lnM1Stderr: mf.m1.lnStderr,
      probes: mf.m1.probes,
      lanczosSteps: mf.top.steps,
      topChange: mf.top.change,
      slqProbes: mf.density.probes,
      slqSteps: mf.density.steps,
    };
  }
  return sample;
}
