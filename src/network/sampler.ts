import { normalStream, fillNormal } from '../random/streams.js';
import { sampleHaar, sampleGaussian, sampleSemiOrthogonal, sampleGaussianRect } from '../linalg/haar.js';
import { norm2 } from '../linalg/vector.js';
import { backend } from '../linalg/select.js';
import { logAbsDet } from '../linalg/qr.js';
import type { Mat } from '../linalg/matrix.js';
import type { InitName } from '../spec/types.js';
import { memoryBudget, workingSetBytes } from '../spec/validate.js';
import type { Stage } from './layers.js';

/**
 * Everything random about one network, at unit scale: W^l = g * weights[l], b^l = sigma_b * biases[l],
 * x^0 = sqrt(N q0) * inputDirection. Drawn from streams keyed by (seed, purpose, layer), so a seed's
 * draws are the same whatever the gain, bias std, q0 or evaluation order. Orthogonal and Gaussian
 * weights come from the same underlying N(0,1) matrix (O = Haar QR of it, G = it / sqrt N), which
 * pairs the two schemes draw for draw in `eoc compare`.
 */
export interface BaseDraws {
  seed: number;
  /** the weight scheme (of the first layer when `inits` says the layers differ) */
  init: InitName;
  /** N (constant width); for a layer list the largest of its widths */
  width: number;
  /** layer lists: N_0, N_1, ..., N_L (weights[l] is N_{l+1} x N_l); absent for a constant-width MLP */
  widths?: number[];
  /** layer lists whose dense layers do not all share `init`: the scheme of each */
  inits?: InitName[];
  weights: Mat[];
  biases: Float64Array[];
  /** unit vector */
  inputDirection: Float64Array;
  /** unit vector: the output error e of the loss E = e . x^L */
  outputError: Float64Array;
  /**
   * Present when the weights did not fit the memory budget: `weights[l]` is then produced on
   * demand (bitwise the same matrix every time), layers below `cachedLayers` kept after first use
   * and the others regenerated on every access, so memory stays O(cachedLayers N^2 + N^2).
   */
  streaming?: { cachedLayers: number };
}

export interface DrawOptions {
  /**
   * Bytes the weights may keep resident (default: the whole memory budget, memoryBudget()). A
   * worker pool should pass its share: memoryBudget() / workers.
   */
  maxBytes?: number;
  /** force streaming (for tests): the number of layers to keep cached */
  cachedLayers?: number;
}

export function sampleLayerWeights(init: InitName, width: number, seed: number, layer: number): Mat {
  const stream = normalStream(seed, 'weights', layer);
  return init === 'orthogonal' ? sampleHaar(width, stream) : sampleGaussian(width, stream);
}

/**
 * Unit-scale weights of one dense layer of any shape (rows = fan-out, cols = fan-in): square ones
 * exactly as sampleLayerWeights, others Haar semi-orthogonal (torch's orthogonal_: orthonormal rows
 * when rows < cols, orthonormal columns when rows > cols) or N(0, 1/cols), both from the same
 * rows x cols matrix of N(0, 1) draws (the pairing `eoc compare` uses).
 */
export function sampleDenseWeights(init: InitName, rows: number, cols: number, seed: number, layer: number): Mat {
  if (rows === cols) return sampleLayerWeights(init, rows, seed, layer);
  const stream = normalStream(seed, 'weights', layer);
  return init === 'orthogonal' ? sampleSemiOrthogonal(rows, cols, stream) : sampleGaussianRect(rows, cols, stream);
}

export function unitVector(width: number, seed: number, purpose: 'input' | 'outputError'): Float64Array {
  const v = fillNormal(new Float64Array(width), normalStream(seed, purpose));
  const nrm = norm2(v);
  for (let i = 0; i < width; i++) v[i] /= nrm;
  return v;
}

export function sampleBaseDraws(init: InitName, width: number, depth: number, seed: number, opts: DrawOptions = {}): BaseDraws {
  const cached = opts.cachedLayers ?? cachedLayerCount(width, depth, opts.maxBytes ?? memoryBudget());
  const biases: Float64Array[] = [];
  for (let l = 0; l < depth; l++) biases.push(fillNormal(new Float64Array(width), normalStream(seed, 'biases', l)));
  const streaming = cached < depth;
  const weights = streaming ? lazyWeights(init, width, depth, seed, cached) : [];
  if (!streaming) for (let l = 0; l < depth; l++) weights.push(sampleLayerWeights(init, width, seed, l));
  const draws: BaseDraws = {
    seed,
    init,
    width,
    weights,
    biases,
    inputDirection: unitVector(width, seed, 'input'),
    outputError: unitVector(width, seed, 'outputError'),
  };
  if (streaming) draws.streaming = { cachedLayers: cached };
  return draws;
}

/**
 * The base draws of a layer list's stages (src/network/layers.ts): layer l's weights are
 * N_l x N_{l-1}, its biases N_l long, the input direction N_0 and the output error N_L long, each
 * from the same stream (seed, purpose, layer) as a constant-width network's, so a layer list of
 * constant width and one init draws bitwise what sampleBaseDraws draws. Every layer is resident
 * (layer lists are checked to fit the memory budget in full).
 */
export function sampleStageDraws(stages: readonly Stage[], inputWidth: number, seed: number): BaseDraws {
  const widths = [inputWidth, ...stages.map((s) => s.width)];
  const inits = stages.map((s) => s.init);
  const draws: BaseDraws = {
    seed,
    init: inits[0],
    width: Math.max(...widths),
    widths,
    weights: stages.map((s, l) => sampleDenseWeights(s.init, s.width, s.fanIn, seed, l)),
    biases: stages.map((s, l) => fillNormal(new Float64Array(s.width), normalStream(seed, 'biases', l))),
    inputDirection: unitVector(inputWidth, seed, 'input'),
    outputError: unitVector(widths[widths.length - 1], seed, 'outputError'),
  };
  if (inits.some((i) => i !== inits[0])) draws.inits = inits;
  return draws;
}

/** N_0..N_L of any draws (constant width: N repeated). */
export function drawWidths(draws: BaseDraws): number[] {
  return draws.widths ?? new Array<number>(draws.weights.length + 1).fill(draws.width);
}

/** The init of layer l. */
export function layerInit(draws: BaseDraws, l: number): InitName {
  return draws.inits ? draws.inits[l] : draws.init;
}

/**
 * ln|det base^l| of a square layer: 0 for an orthogonal one, else one Householder QR on the current
 * backend (det W = det W^T: the row-major buffer read as columns), computed once per draws object
 * and layer: the base draws do not depend on the gain, so a sweep over gains pays each QR once per seed.
 */
const baseDetCache = new WeakMap<BaseDraws, Map<number, number>>();
export function logAbsDetBase(draws: BaseDraws, l: number): number {
  if (layerInit(draws, l) === 'orthogonal') return 0; // |det| = 1
  let dets = baseDetCache.get(draws);
  if (!dets) baseDetCache.set(draws, (dets = new Map()));
  let v = dets.get(l);
  if (v === undefined) {
    const w = draws.weights[l];
    const be = backend();
    v = logAbsDet(w.data, w.rows, (gt, n) => be.householderQR(gt, n));
    dets.set(l, v);
  }
  return v;
}

/**
 * How many layers' weights fit `maxBytes` after the analysis's own working set: all of them (cached
 * mode) or fewer (streaming).
 */
export function cachedLayerCount(width: number, depth: number, maxBytes: number): number {
  const rest = maxBytes - workingSetBytes(width, depth);
  return Math.max(0, Math.min(depth, Math.floor(rest / (8 * width * width))));
}

/**
 * weights[l] on demand: an array proxy whose element l is regenerated from its stream at each
 * access (kept after the first for l < cached). Every array operation (length, map, iteration)
 * works, but callers that must stay O(N^2) take one element at a time (see measureNetwork).
 */
function lazyWeights(init: InitName, width: number, depth: number, seed: number, cached: number): Mat[] {
  const store: (Mat | undefined)[] = new Array(depth).fill(undefined);
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (typeof prop === 'string') {
        const l = Number(prop);
        if (Number.isInteger(l) && l >= 0 && l < depth && String(l) === prop) {
          const hit = target[l];
          if (hit) return hit;
          const w = sampleLayerWeights(init, width, seed, l);
          if (l < cached) target[l] = w;
          return w;
        }
      }
      return Reflect.get(target, prop, receiver);
    },
  }) as Mat[];
}
