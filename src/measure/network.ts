import { forward, layerScale, type ScaleParams, type ForwardTrace } from '../network/forward.js';
import { backprop } from '../gradients/backprop.js';
import { stableLogSingularValues, stableLnM1, DEAD_GAP, type JacobianFactor } from '../spectrum/stable-product.js';
import { JacobianOperator } from '../spectrum/jacobian-operator.js';
import { hutchinsonM1 } from '../spectrum/hutchinson.js';
import { matrixFreeSpectrum, denseCost, matrixFreeCost, MATRIX_FREE_NOT_ESTIMATED, type MatrixFreeOptions, type MatrixFreeSpectrum } from '../spectrum/matrix-free.js';
import { backend } from '../linalg/select.js';
import { activation } from '../network/activations.js';
import { spectrumStats, type SpectrumStats } from './stats.js';
import { drawWidths, logAbsDetBase, type BaseDraws } from '../network/sampler.js';
import { embedFactors, isRectangular } from '../spectrum/embed.js';
import { measureCorrelation } from './correlation.js';
import { measureBlockNetwork, measureBlockM1 } from './block-network.js';

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
  /** with MeasureOptions.c0: the correlation c^l of the pre-activations of two inputs of correlation c0 */
  c?: number;
}

/** Everything measured on one network. */
export interface NetworkSample {
  seed: number;
  /** number of nonzero singular values (N unless phi' vanishes on some units) */
  rank: number;
  /** ln s, descending; -Infinity for structural zeros. matrix-free: only the Lanczos top values */
  logSingularValues: Float64Array;
  stats: SpectrumStats;
  layers: LayerRecord[];
  /** ln |J^T e| from backprop */
  logInputGrad: number;
  /**
   * sum_l (ln|det W^l| + sum_i ln|phi'(h^l_i)|) - sum_i ln s_i: 0 up to rounding (docs/science.md sec 4),
   * the self-check of the dense spectrum (see logDetCheck); null when it cannot be formed
   */
  logDetResidual: number | null;
  /** the residual's tolerance (null with the residual) */
  logDetTolerance: number | null;
  /** why logDetResidual is null (matrix-free spectrum) */
  logDetReason?: string;
  /** false when |logDetResidual| exceeds its tolerance: the singular values are not to be trusted */
  trusted: boolean;
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
    /** statistics left out (NaN in stats) and why */
    notEstimated: Readonly<Record<string, string>>;
  };
}

/**
 * dense: the QR-stabilized product, every singular value to high relative accuracy, O(L N^3).
 * matrix-free: Hutchinson m1 (with standard error) and the Lanczos top singular values only,
 * O(k L N^2); the other statistics are NaN with a reason (MATRIX_FREE_NOT_ESTIMATED).
 * auto: whichever the cost model says is cheaper.
 */
export type SpectrumMethod = 'dense' | 'matrix-free';

/** How often the stable product re-factors: more often for Gaussian weights, which spread faster. */
export function defaultBlockSize(init: 'orthogonal' | 'gaussian'): number {
  return init === 'orthogonal' ? 4 : 2;
}

/**
 * The stable product's spread limit (ScalingOptions.spreadLimit) for these weights: orthogonal
 * blocks keep 1e-12 accuracy up to 15 e-folds of D spread (250-digit references: gain 5 with
 * sigma_b 2 loses 1e-6 at 20), Gaussian ones, whose W also grade the rows, up to 10 (1.7e-7 at 15).
 */
export function defaultSpreadLimit(init: 'orthogonal' | 'gaussian'): number {
  return init === 'orthogonal' ? 15 : 10;
}

export interface MeasureOptions {
  blockSize?: number;
  /** spectrum method (default dense) */
  method?: SpectrumMethod | 'auto';
  matrixFree?: MatrixFreeOptions;
  /** also propagate a pair of inputs of correlation c0 and record c^l per layer (src/measure/correlation.ts) */
  c0?: number;
}

export function resolveMethod(method: SpectrumMethod | 'auto' | undefined, n: number, depth: number, blockSize: number, mf?: MatrixFreeOptions): SpectrumMethod {
  if (method === undefined || method === 'dense' || method === 'matrix-free') return method ?? 'dense';
  return matrixFreeCost(n, depth, mf) < denseCost(n, depth, blockSize) ? 'matrix-free' : 'dense';
}

/** The gain backprop takes: the network's, or each layer's for a layer list with its own gain factors. */
function backpropGain(draws: BaseDraws, p: ScaleParams): number | number[] {
  return p.layers ? draws.weights.map((_, l) => layerScale(p, l).gain) : p.gain;
}

export function measureNetwork(draws: BaseDraws, p: ScaleParams, opts: MeasureOptions = {}): NetworkSample {
  if (p.net) return measureBlockNetwork(p.net, draws, p, opts);
  const trace = forward(draws, p);
  const grads = backprop(draws, trace, backpropGain(draws, p));
  const blockSize = opts.blockSize ?? defaultBlockSize(draws.init);
  const widths = drawWidths(draws);
  const rectangular = isRectangular(widths);
  const layerFactors = jacobianFactors(draws, trace, p);
  // a rectangular J (N_L x N_0) is the top-left block of a max-width square product whose other rows
  // and columns are exact zeros (src/spectrum/embed.ts): its min(N_0, N_L) singular values lead
  const factors = rectangular ? embedFactors(layerFactors, widths) : layerFactors;
  const n = draws.width;
  /** number of singular values of J: min(N_0, N_L) */
  const k = Math.min(widths[0], widths[widths.length - 1]);
  const method = resolveMethod(opts.method, n, factors.length, blockSize, opts.matrixFree);
  const mf = method === 'matrix-free' ? matrixFreeSpectrum(factors, p.gain, draws.seed, opts.matrixFree) : undefined;
  // kinked activations: the product of the full-rank J_eps (phi' = 0 -> e^-DEAD_GAP), whose top
  // rank(J) singular values are J's and for which the log-det identity is exact (ScalingOptions).
  // A rectangular J has exact zero rows and columns in its embedding: dead units stay exact zeros.
  const canVanish = draws.weights.some((_, l) => activation(layerScale(p, l).activation).canVanish);
  const deadGap = canVanish && !rectangular ? DEAD_GAP : undefined;
  // generically rank(P_L W ... P_1 W) = min_l rank(P_l) for projectors P_l; beyond it, only rounding
  // (or, for J_eps, the e^-DEAD_GAP directions)
  const rank = Math.min(k, ...widths, ...trace.active);
  let logS: Float64Array;
  let stats: SpectrumStats;
  let check: ReturnType<typeof logDetCheck> | null = null;
  if (mf) {
    // only what the estimators support, with their own errors: the rest is NaN (printed n/a)
    logS = mf.logSingularValues;
    // the estimators see the embedding: |J|_F^2 / max width, rescaled to the mean over J's k values
    const lnM1 = mf.m1.lnM1 + (rectangular ? Math.log(n / k) : 0);
    stats = matrixFreeStats(Math.exp(lnM1), lnM1, rank > 0 ? Math.exp(mf.top.logS[0]) : 0);
  } else {
    const all = stableLogSingularValues(factors, p.gain, blockSize, backend(), { deadGap, spreadLimit: defaultSpreadLimit(draws.init) });
    if (!rectangular) check = logDetCheck(draws, { lnDphi: factors.map((f) => f.lnDphi!) }, p.gain, all, deadGap);
    logS = rectangular ? all.slice(0, k) : all;
    for (let i = rank; i < k; i++) logS[i] = -Infinity;
    stats = spectrumStats(logS, rank);
  }
  const corr = opts.c0 === undefined ? undefined : measureCorrelation(draws, p, opts.c0);
  const layers = layerRecords(trace.q, grads.logDelta, grads.logWeightGrad, corr);
  const sample: NetworkSample = {
    seed: draws.seed,
    rank,
    logSingularValues: logS,
    stats,
    layers,
    logInputGrad: grads.logInputGrad,
    ...logDetFields(
      check,
      mf
        ? 'matrix-free spectrum: only estimates of the singular values, no log-det identity to check'
        : `rectangular Jacobian ${widths[widths.length - 1]} x ${widths[0]}: the log-det identity needs a square J; the tests check rectangular spectra against exact and naive products`,
    ),
    method,
  };
  if (mf) sample.matrixFree = matrixFreeRecord(mf);
  return sample;
}

/**
 * Per-layer (or per-unit) records, layer = 1..L: the variance q after it, ln |delta| (the stream's
 * gradient) and ln of its own parameter gradient's norm, and with a correlation pass its c^l.
 */
export function layerRecords(q: readonly number[], logGrad: ArrayLike<number>, logParamGrad: ArrayLike<number>, corr?: ArrayLike<number>): LayerRecord[] {
  return q.map((ql, l) => ({
    layer: l + 1,
    q: ql,
    gradNorm: Math.exp(logGrad[l]),
    weightGradNorm: Math.exp(logParamGrad[l]),
    logGradNorm: logGrad[l],
    ...(corr ? { c: corr[l] } : {}),
  }));
}

/** A sample's matrixFree block: the estimators' own error figures. */
export function matrixFreeRecord(mf: MatrixFreeSpectrum): NonNullable<NetworkSample['matrixFree']> {
  return {
    m1Stderr: mf.m1.stderr,
    lnM1Stderr: mf.m1.lnStderr,
    probes: mf.m1.probes,
    lanczosSteps: mf.top.steps,
    topChange: mf.top.change,
    notEstimated: MATRIX_FREE_NOT_ESTIMATED,
  };
}

/** SpectrumStats of a matrix-free sample: m1 (Hutchinson), s_max and ln_s_max (Lanczos); NaN for the rest. */
export function matrixFreeStats(m1: number, lnM1: number, sMax: number): SpectrumStats {
  const stats: SpectrumStats = {
    m1,
    ln_m1: lnM1,
    var_sq: NaN,
    var_sq_norm: NaN,
    s_max: sMax,
    s_min: NaN,
    ln_s_max: Math.log(sMax),
    ln_s_min: NaN,
    mean_log: NaN,
    std_log: NaN,
    rms_log: NaN,
    log10_cond: NaN,
    frac_within_2: NaN,
  };
  for (const k of Object.keys(stats) as (keyof SpectrumStats)[]) {
    if (Number.isNaN(stats[k]) !== k in MATRIX_FREE_NOT_ESTIMATED) throw new Error(`matrixFreeStats: ${k} and MATRIX_FREE_NOT_ESTIMATED disagree`);
  }
  return stats;
}

/**
 * The log-det identity, the dense spectrum's self-check: ln|det J| = sum_i ln s_i and
 * ln|det J| = sum_l (N ln g + ln|det base^l| + sum_i ln phi'(h^l_i)), whose right side needs no SVD.
 * ln|det base| is 0 for orthogonal weights and sum_k ln|R_kk| of a Householder QR for Gaussian ones
 * (one QR per layer, on the current backend). For kinked activations (deadGap set) both sides are
 * those of J_eps (phi' = 0 replaced by e^-deadGap), the full-rank matrix the product actually
 * factored: its identity is exact, and its top rank(J) singular values are J's.
 * Tolerance: 1e-10 per e-fold of the spectrum (sum_i (1 + |ln s_i|)): each ln s is then right to
 * ~1e-10 relative on average. The rounding in a correct run is 1e-13 to 1e-11 of that sum.
 */
export function logDetCheck(
  draws: BaseDraws,
  trace: Pick<ForwardTrace, 'lnDphi'>,
  gain: number,
  logS: ArrayLike<number>,
  deadGap: number | undefined,
): LogDetCheck {
  const n = draws.width;
  const lnGain = Math.log(gain);
  let fromLayers = 0;

  for (let l = 0; l < trace.lnDphi.length; l++) {
    let layer = n * lnGain + logAbsDetBase(draws, l);
    for (const v of trace.lnDphi[l]) layer += v > -Infinity ? v : deadGap !== undefined ? -deadGap : -Infinity;
    fromLayers += layer;
  }
  return logDetResidualOf(fromLayers, logS, n);
}

export interface LogDetCheck {
  residual: number;
  tolerance: number;
  finite: boolean;
}

/** ln|det J| from the layers against sum_i ln s_i over the first n values, with logDetCheck's tolerance. */
export function logDetResidualOf(fromLayers: number, logS: ArrayLike<number>, n: number): LogDetCheck {
  let fromSpectrum = 0, size = 0;
  for (let i = 0; i < n; i++) {
    fromSpectrum += logS[i];
    size += 1 + Math.abs(logS[i]);
  }
  const residual = fromLayers - fromSpectrum;
  const tolerance = LOG_DET_RELATIVE_TOLERANCE * size;
  return { residual, tolerance, finite: Number.isFinite(residual) && Number.isFinite(tolerance) };
}

/** A sample's log-det fields: the residual and tolerance of a formed check, or `unformed` as the reason it is null. */
export function logDetFields(check: LogDetCheck | null, unformed: string): Pick<NetworkSample, 'logDetResidual' | 'logDetTolerance' | 'logDetReason' | 'trusted'> {
  return {
    logDetResidual: check && check.finite ? check.residual : null,
    logDetTolerance: check && check.finite ? check.tolerance : null,
    ...(!check ? { logDetReason: unformed } : !check.finite ? { logDetReason: 'the computed singular values are not all finite numbers' } : {}),
    trusted: check ? check.finite && Math.abs(check.residual) <= check.tolerance : true,
  };
}

/** see logDetCheck */
export const LOG_DET_RELATIVE_TOLERANCE = 1e-10;

/**
 * The factors D^l W^l of J, each taking its weights from the draws only when read: with streaming
 * draws (src/network/sampler.ts) a pass over the layers then holds one layer's weights at a time.
 */
export function jacobianFactors(draws: BaseDraws, trace: Pick<ForwardTrace, 'dphi' | 'lnDphi'>, p?: ScaleParams): JacobianFactor[] {
  return trace.dphi.map((d, l) => {
    // a layer list's gain factor g_l / g is folded into D (the product takes the common gain g)
    const factor = p?.layers ? p.layers[l].gain : 1;
    const dphi = factor === 1 ? d : d.map((v) => v * factor);
    const lnDphi = factor === 1 ? trace.lnDphi[l] : trace.lnDphi[l].map((v) => v + Math.log(factor));
    return {
      get base() {
        return draws.weights[l];
      },
      dphi,
      lnDphi,
    };
  });
}

/**
 * m1 = |J|_F^2 / N only, without the singular values: what root finding on m1(g) = 1 needs.
 * exact: from the QR-stabilized product, |J|_F^2 = sum_j d_j^2 |row_j T|^2 (J = U diag(d) T, U
 * orthogonal), exact to rounding, deterministic, O(L N^3) but no SVD (about 2-3x cheaper than the
 * dense spectrum at N = 512). hutchinson: `probes` Rademacher probes through J as one block,
 * O(probes L N^2), with its standard error. auto: hutchinson when it is at least 8x cheaper by the
 * flop model (it is noisy, so it must win clearly), else exact. Default: exact.
 */
export type M1Method = 'exact' | 'hutchinson';

export interface M1Options {
  method?: M1Method | 'auto';
  /** re-factoring interval of the stable product (exact) */
  blockSize?: number;
  /** Hutchinson probes (default 64) */
  probes?: number;
}

export interface M1Sample {
  seed: number;
  gain: number;
  method: M1Method;
  /** ln m1 (use this: m1 itself can overflow) */
  lnM1: number;
  m1: number;
  /** standard error of ln m1: 0 for exact (rounding only) */
  lnM1Stderr: number;
  /** hutchinson only */
  probes?: number;
}

export function resolveM1Method(method: M1Method | 'auto' | undefined, n: number, depth: number, blockSize: number, probes: number): M1Method {
  if (method === 'exact' || method === 'hutchinson') return method;
  const exactCost = 2 * depth * n ** 3 + Math.ceil(depth / blockSize) * (8 / 3 + 2) * n ** 3;
  const hutchCost = 2 * depth * n * n * probes;
  return 8 * hutchCost < exactCost ? 'hutchinson' : 'exact';
}

export function measureM1(draws: BaseDraws, p: ScaleParams, opts: M1Options = {}): M1Sample {
  if (p.net) return measureBlockM1(p.net, draws, p, opts);
  const trace = forward(draws, p);
  const blockSize = opts.blockSize ?? defaultBlockSize(draws.init);
  const probes = opts.probes ?? 64;
  const widths = drawWidths(draws);
  const rectangular = isRectangular(widths);
  const layerFactors = jacobianFactors(draws, trace, p);
  const factors = rectangular ? embedFactors(layerFactors, widths) : layerFactors;
  // the embedding's |J|_F^2 / max width, as the mean over J's min(N_0, N_L) singular values
  const shift = rectangular ? Math.log(draws.width / Math.min(widths[0], widths[widths.length - 1])) : 0;
  const method = resolveM1Method(opts.method ?? 'exact', draws.width, factors.length, blockSize, probes);
  if (method === 'exact') {
    const lnM1 = stableLnM1(factors, p.gain, blockSize) + shift;
    return { seed: draws.seed, gain: p.gain, method, lnM1, m1: Math.exp(lnM1), lnM1Stderr: 0 };
  }
  const h = hutchinsonM1(new JacobianOperator(factors, p.gain), probes, draws.seed);
  return { seed: draws.seed, gain: p.gain, method, lnM1: h.lnM1 + shift, m1: Math.exp(h.lnM1 + shift), lnM1Stderr: h.lnStderr, probes };
}

/** ln m1 of one network, exactly (to rounding): measureM1 with method 'exact'. */
export function lnM1Exact(draws: BaseDraws, p: ScaleParams, blockSize?: number): number {
  return measureM1(draws, p, { method: 'exact', blockSize }).lnM1;
}
