import { normalStream, fillNormal } from '../random/streams.js';
import { sampleHaar, sampleGaussian } from '../linalg/haar.js';
import { norm2 } from '../linalg/vector.js';
import type { Mat } from '../linalg/matrix.js';
import type { InitName } from '../spec/types.js';

/**
 * Everything random about one network, at unit scale: W^l = g * weights[l], b^l = sigma_b * biases[l],
 * x^0 = sqrt(N q0) * inputDirection. Drawn from streams keyed by (seed, purpose, layer), so a seed's
 * draws are the same whatever the gain, bias std, q0 or evaluation order. Orthogonal and Gaussian
 * weights come from the same underlying N(0,1) matrix (O = Haar QR of it, G = it / sqrt N), which
 * pairs the two schemes draw for draw in `eoc compare`.
 */
export interface BaseDraws {
  seed: number;
  init: InitName;
  width: number;
  weights: Mat[];
  biases: Float64Array[];
  /** unit vector */
  inputDirection: Float64Array;
  /** unit vector: the output error e of the loss E = e . x^L */
  outputError: Float64Array;
}

export function sampleLayerWeights(init: InitName, width: number, seed: number, layer: number): Mat {
  const stream = normalStream(seed, 'weights', layer);
  return init === 'orthogonal' ? sampleHaar(width, stream) : sampleGaussian(width, stream);
}

export function unitVector(width: number, seed: number, purpose: 'input' | 'outputError'): Float64Array {
  const v = fillNormal(new Float64Array(width), normalStream(seed, purpose));
  const nrm = norm2(v);
  for (let i = 0; i < width; i++) v[i] /= nrm;
  return v;
}

export function sampleBaseDraws(init: InitName, width: number, depth: number, seed: number): BaseDraws {
  const weights: Mat[] = [];
  const biases: Float64Array[] = [];
  for (let l = 0; l < depth; l++) {
    weights.push(sampleLayerWeights(init, width, seed, l));
    biases.push(fillNormal(new Float64Array(width), normalStream(seed, 'biases', l)));
  }
  return {
    seed,
    init,
    width,
    weights,
    biases,
    inputDirection: unitVector(width, seed, 'input'),
    outputError: unitVector(width, seed, 'outputError'),
  };
}

/** Bytes the base draws of one network take: the O(L N^2) weights dominate. */
export function baseDrawBytes(width: number, depth: number): number {
  return 8 * depth * (width * width + width) + 16 * width;
}
