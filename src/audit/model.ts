import { unitVector, type BaseDraws } from '../network/sampler.js';
import { allWidthsOf, denseStagesOf, type BranchLayer, type Layer, type LayerList } from '../network/layers.js';
import { norm2 } from '../linalg/vector.js';
import { mapWeights, type DenseWeights, type Layout, type MappedWeights } from './mapping.js';
import { readWeightFile, type OnnxModel } from '../io/weights/index.js';
import { weightFileError, type TensorFile } from '../io/weights/tensor.js';
import type { NetworkSpec } from '../spec/types.js';
import type { InitName } from '../spec/types.js';
import { resolveSpec } from '../spec/validate.js';

/**
 * A real model as eoc audits it: its layer list and each dense layer's fixed weights (in
 * denseStagesOf order, fan-out x fan-in). The list's dense layers all have gain factor 1 and bias
 * std 1, so that the engine's h = (g * 1) W x + 1 * b at network gain g = 1 is the file's layer
 * exactly; a layer without a bias has a zero bias vector.
 */
export interface AuditModel {
  format: 'safetensors' | 'npz' | 'npy' | 'onnx';
  path: string;
  net: LayerList;
  dense: DenseWeights[];
  /** how the file's tensors were placed ('named', 'positional': src/audit/mapping.ts; 'onnx graph') */
  mapping: string;
}

/** The list with every dense layer set to `init`, gain factor 1 and bias std `biasStd`. */
export function withDense(net: LayerList, init: InitName, biasStd: number): LayerList {
  const fix = <L extends Layer>(l: L): L => {
    if (l.kind === 'dense') return { ...l, init, gain: 1, biasStd };
    if (l.kind === 'residual') return { ...l, branch: l.branch.map((b) => fix(b) as BranchLayer) };
    return l;
  };
  return { input: net.input, layers: net.layers.map(fix) };
}

/**
 * The model as base draws (src/network/sampler.ts): weights and biases the file's, the input
 * direction and output error eoc's own unit vectors for `seed` (so that a file written from an
 * eoc-sampled network, audited with the same seed, measures exactly what `eoc spectrum` measures),
 * or the input direction of a given input x (its variance |x|^2/N_0 is then the q0 to use).
 */
export function modelDraws(model: AuditModel, seed: number, input?: Float64Array): BaseDraws {
  const widths = [model.net.input, ...denseStagesOf(model.net).map((s) => s.width)];
  const n0 = model.net.input;
  let inputDirection = unitVector(n0, seed, 'input');
  if (input) {
    const r = norm2(input);
    inputDirection = r > 0 ? input.map((v) => v / r) : new Float64Array(n0);
  }
  return {
    seed,
    init: 'gaussian', // a fixed matrix: its |det| by QR, the stable product's Gaussian (more frequent) re-factoring
    width: Math.max(...allWidthsOf(model.net)),
    widths,
    weights: model.dense.map((d) => d.weight),
    biases: model.dense.map((d) => d.bias ?? new Float64Array(d.weight.rows)),
    inputDirection,
    outputError: unitVector(widths[widths.length - 1], seed, 'outputError'),
  };
}

/** The spec eoc measures the model with: its list at gain 1 (the weights are the file's), `seeds` input directions from `seed`. */
export function modelSpec(model: AuditModel, q0: number, seeds: number, seed: number): NetworkSpec {
  return resolveSpec({ arch: model.net, init: 'gaussian', gain: 1, biasStd: 1, q0, seeds, seed });
}

/** How mapWeights placed the tensors, in words (the output's `mapping`). */
const MAPPING_TEXT: Record<MappedWeights['rule'], string> = {
  named: 'P.weight / P.bias, dense layers in natural order of P',
  positional: 'no .weight names: 2-D tensors in natural name order, 1-D ones their biases',
};

/** A safetensors / .npz / .npy file's tensors placed on the layer list `arch` (src/audit/mapping.ts). */
export function modelFromTensors(file: TensorFile, arch: LayerList, layout: Layout): AuditModel {
  const m = mapWeights(file, arch, layout);
  return { format: file.format, path: file.path, net: withDense(arch, 'gaussian', 1), dense: m.dense, mapping: MAPPING_TEXT[m.rule] + (layout === 'in-out' ? ' (in-out: transposed)' : '') };
}

/** An ONNX model (src/io/weights/onnx.ts: its graph gives the list) as the model eoc audits. */
export function modelFromOnnx(m: OnnxModel): AuditModel {
  return {
    format: 'onnx',
    path: m.path,
    net: withDense(m.net, 'gaussian', 1),
    dense: m.dense.map((d) => ({ name: d.name, weight: d.weight, bias: d.bias, biasName: null })),
    mapping: `the ONNX graph (${m.producer ? `${m.producer}, ` : ''}opset ${m.opset})`,
  };
}

/** At most this many input rows (each is one full measurement). */
export const MAX_INPUT_ROWS = 1000;

/** The rows of an .npy file of inputs, (B, N_0) or (N_0): SpecError naming the file on a shape, size or non-finite value. */
export function readInputs(path: string, n0: number): Float64Array[] {
  if (!path.toLowerCase().endsWith('.npy')) throw weightFileError(path, '--inputs takes an .npy file (np.save of an array of shape (B, N_0))');
  const t = readWeightFile(path).tensors[0];
  const shape = t.shape.length === 1 ? [1, t.shape[0]] : t.shape;
  if (shape.length !== 2 || shape[1] !== n0) throw weightFileError(path, `--inputs has shape [${t.shape.join(', ')}]: the model takes inputs of ${n0} values, so (B, ${n0}) or (${n0})`);
  if (shape[0] < 1 || shape[0] > MAX_INPUT_ROWS) throw weightFileError(path, `--inputs has ${shape[0]} rows: eoc audit measures 1 to ${MAX_INPUT_ROWS} inputs (each is one full spectrum)`);
  const bad = t.data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw weightFileError(path, `--inputs row ${Math.floor(bad / n0)} holds a non-finite value (${t.data[bad]})`);
  return Array.from({ length: shape[0] }, (_, i) => t.data.slice(i * n0, (i + 1) * n0));
}
