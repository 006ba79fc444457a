import { backpropBlocks, blockFactors, forwardBlocks, BlockJacobianOperator, type BlockTrace } from '../network/blocks.js';
import { operatorSpectrum, type MatrixFreeSpectrum } from '../spectrum/matrix-free.js';
import { hutchinsonM1 } from '../spectrum/hutchinson.js';
import type { SpectrumStats } from './stats.js';
import { stableLogSingularValues, stableLnM1, type JacobianFactor } from '../spectrum/stable-product.js';
import { embedFactors, isRectangular } from '../spectrum/embed.js';
import { backend } from '../linalg/select.js';
import { spectrumStats } from './stats.js';
import type { BaseDraws } from '../network/sampler.js';
import type { LayerList } from '../network/layers.js';
import type { NetworkSample, MeasureOptions, M1Options, M1Sample } from './network.js';
import { defaultBlockSize, defaultSpreadLimit, layerRecords, logDetFields, logDetResidualOf, matrixFreeRecord, matrixFreeStats, resolveM1Method, resolveMethod, type LogDetCheck } from './network.js';

/**
 * One network with residual blocks or layernorm layers (src/network/blocks.ts), measured as
 * measureNetwork measures a plain one: the dense spectrum of the product of its units' Jacobians,
 * the log-det self-check where J is square and every unit of full rank, and one record per unit
 * (q: the stream's |x|^2/N after it; gradNorm: |dE/dx| there; weightGradNorm: the norm of the unit's
 * own parameter gradients).
 */
export function measureBlockNetwork(net: LayerList, draws: BaseDraws, p: { gain: number; q0: number }, opts: MeasureOptions = {}): NetworkSample {
  if (opts.c0 !== undefined) throw new Error('measureBlockNetwork: the two-input correlation (c0) does not take residual blocks or layernorm layers yet');
  const trace = forwardBlocks(net, draws, p);
  const grads = backpropBlocks(trace, draws);
  const square = !isRectangular(trace.widths);
  const widths = trace.widths;
  const k = Math.min(widths[0], widths[widths.length - 1]);
  const blockSize = opts.blockSize ?? defaultBlockSize(draws.init);
  const m = Math.max(...widths);
  const method = resolveMethod(opts.method, m, draws.weights.length + trace.units.length, blockSize, opts.matrixFree);
  let logS: Float64Array;
  let stats: SpectrumStats;
  let rank: number;
  let check: LogDetCheck | null = null;
  let unformed = `rectangular Jacobian ${widths[widths.length - 1]} x ${widths[0]}: the log-det identity needs a square J`;
  let mf: MatrixFreeSpectrum | undefined;
  if (method === 'matrix-free') {
    // only what the estimators support, with their own errors (as measureNetwork): the rest is NaN
    mf = operatorSpectrum(new BlockJacobianOperator(trace, draws), draws.seed, opts.matrixFree);
    rank = Math.min(k, ...widths, ...blockFactors(trace, draws, { factors: false }).ranks);
    logS = mf.logSingularValues;
    const lnM1 = mf.m1.lnM1 + Math.log(m / k);
    stats = matrixFreeStats(Math.exp(lnM1), lnM1, rank > 0 ? Math.exp(mf.top.logS[0]) : 0);
    unformed = 'matrix-free spectrum: only estimates of the singular values, no log-det identity to check';
  } else {
    const { factors, ranks, logDets } = blockFactors(trace, draws, { logDets: square });
    const all = stableLogSingularValues(productFactors(factors, trace), 1, blockSize, backend(), { spreadLimit: defaultSpreadLimit(draws.init) });
    logS = square ? all : all.slice(0, k);
    rank = Math.min(k, ...widths, ...ranks);
    for (let i = rank; i < k; i++) logS[i] = -Infinity;
    stats = spectrumStats(logS, rank);
    if (square && logDets.some((d) => d === null)) unformed = 'a unit of the network is singular (a layernorm, or dead units), so ln|det J| = -Infinity: no log-det identity to check';
    else if (square) check = logDetResidualOf(logDets.reduce<number>((a, d) => a + d!, 0), logS, logS.length);
  }
  const layers = layerRecords(trace.units.map((u) => u.q), grads.logStreamGrad, grads.logParamGrad);
  return {
    seed: draws.seed,
    rank,
    logSingularValues: logS,
    stats,
    layers,
    logInputGrad: grads.logInputGrad,
    ...logDetFields(check, unformed),
    method,
    ...(mf ? { matrixFree: matrixFreeRecord(mf) } : {}),
  };
}

/** The units' factors as the stable product takes them: square, embedded at the largest width when the stream's width changes. */
function productFactors(factors: JacobianFactor[], trace: BlockTrace): JacobianFactor[] {
  return isRectangular(trace.widths) ? embedFactors(factors, trace.widths) : factors;
}

/** m1 = |J|_F^2 / min(N_0, N_L) of a block network, exactly (to rounding) from the stable product (measureM1's exact method). */
export function measureBlockM1(net: LayerList, draws: BaseDraws, p: { gain: number; q0: number }, opts: M1Options = {}): M1Sample {
  const trace = forwardBlocks(net, draws, p);
  const widths = trace.widths;
  const m = Math.max(...widths);
  const probes = opts.probes ?? 64;
  const blockSize = opts.blockSize ?? defaultBlockSize(draws.init);
  const shift = isRectangular(widths) ? Math.log(m / Math.min(widths[0], widths[widths.length - 1])) : 0;
  const method = resolveM1Method(opts.method ?? 'exact', m, draws.weights.length + trace.units.length, blockSize, probes);
  if (method === 'hutchinson') {
    const h = hutchinsonM1(new BlockJacobianOperator(trace, draws), probes, draws.seed);
    return { seed: draws.seed, gain: p.gain, method, lnM1: h.lnM1 + shift, m1: Math.exp(h.lnM1 + shift), lnM1Stderr: h.lnStderr, probes };
  }
  const { factors } = blockFactors(trace, draws);
  const lnM1 = stableLnM1(productFactors(factors, trace), 1, blockSize) + shift;
  return { seed: draws.seed, gain: p.gain, method: 'exact', lnM1, m1: Math.exp(lnM1), lnM1Stderr: 0 };
}
