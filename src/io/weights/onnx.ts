import { createRequire } from 'node:module';
import type { onnx as P } from 'onnx-proto';
import type { Mat } from '../../linalg/matrix.js';
import { parseActivationName } from '../../activations/registry.js';
import { SELU_ALPHA, SELU_LAMBDA } from '../../activations/elu.js';
import { resolveArch } from '../../spec/arch.js';
import { SpecError } from '../../spec/errors.js';
import type { BranchLayer, DenseLayer, Layer, LayerList } from '../../network/layers.js';
import { bf16ToFloat, decode, ELEMENT_TYPES, halfToFloat, weightFileError, type ElementType } from './tensor.js';

/**
 * ONNX (`.onnx`, what torch.onnx.export and the other exporters write): a protobuf ModelProto
 * (decoded by onnx-proto, protobufjs code generated from onnx.proto) whose graph is read as one
 * chain of eoc layers from the graph's input to its output (src/network/layers.ts). The mapping:
 *
 *   Gemm(A, B, C?)            dense: W = alpha B (transB = 1: B is (out, in), eoc's layout) or
 *                             alpha B^T (transB = 0: B is (in, out)); bias beta C (C of shape [out],
 *                             [1, out] or a scalar, broadcast), none when C is absent. transA must be 0.
 *                             alpha and beta are folded exactly (a float32 times a float32 is exact
 *                             in float64).
 *   MatMul(x, B)              dense W = B^T (B is (in, out)), no bias; an Add(h, c) or Add(c, h) of
 *                             a constant right after a dense layer (Identity/Dropout between allowed)
 *                             adds c to its bias (the MatMul + Add pair torch exports).
 *   Relu, Tanh, Sigmoid, Softplus    'relu', 'tanh', 'sigmoid', 'softplus' (ln(1 + e^x), as ONNX's)
 *   LeakyRelu(alpha = 0.01)   'leaky-relu(alpha)'; Elu(alpha = 1): 'elu(alpha)'
 *   Selu                      'selu' when alpha and gamma are eoc's constants to float32 precision
 *   Gelu (opset 20)           approximate 'none': 'gelu' (erf form), 'tanh': 'gelu-tanh'
 *   Erf subgraph              torch.onnx's GELU: any product of x, 0.5 and (1 + Erf(x / sqrt 2)),
 *                             built by Mul, Div and Add nodes in any order and association (x / sqrt 2
 *                             as Div(x, sqrt 2) or Mul(x, 1/sqrt 2)), all on the same value x, the
 *                             constants within 1e-6 relative of 0.5, 1 and 1/sqrt 2: 'gelu'. One of
 *                             these nodes used otherwise is an error naming it.
 *   LayerNormalization        'layernorm' with the node's epsilon (default 1e-5), when its scale is
 *                             all ones and its bias all zeros or absent (eoc's layernorm is at
 *                             initialization) and its axis the last (-1, or 1 on [batch, N]); any
 *                             other scale or bias, or another axis, is an error naming the node.
 *   Add(x, F(x)), Add(x, Mul(F(x), c))   a residual block x + alpha F(x), alpha 1 or the scalar c
 *                             (either operand order; Div(F(x), c) gives 1/c): x must be the value
 *                             where the block starts, F(x) a chain of dense, activation and
 *                             layernorm layers computed from x (no residual block inside), its
 *                             width x's. Any other Add of two computed values is an error.
 *   Identity, Dropout         pass-through (Dropout: identity at inference, so only when its
 *                             training_mode is absent or a constant false and its mask is unused)
 *   Flatten(axis = 1)         pass-through on [batch, N]; on the input [batch, d1, d2, ...] it
 *                             flattens to N_0 = d1 d2 ...; another axis is an error
 *   Reshape(x, [0 | -1, N])   pass-through to [batch, N] (N = -1 only with a first entry 0)
 *   Constant                  a constant (value, value_float(s), value_int(s))
 * Any other operator, or one of another domain than ai.onnx, is an error naming the node and the
 * operator. Initializers and constants may be float32, float64, float16 or bfloat16 (raw_data
 * little-endian, or float_data / double_data / int32_data), int64 or int32 (Reshape's shape) or
 * bool (Dropout's training_mode); external data is an error. The input's shape [batch, N_0] (batch symbolic or any number) gives
 * N_0; without a shape (or with a symbolic feature dimension) N_0 is the first dense layer's fan-in.
 *
 * Activation parameters, epsilons and residual alphas that the file holds as float32 are taken as
 * the shortest decimal that rounds to the same float32 (LeakyRelu's alpha 0.2f is 'leaky-relu(0.2)',
 * not 0.20000000298...); weights and biases are taken exactly as stored. The layer list is then
 * checked as a --arch list is: the layers' order (an activation after a layer, never two in a row,
 * never first) and widths here, the residual blocks' widths and alphas by resolveArch.
 *
 * Every error is one SpecError line naming the file (and the node or tensor): a truncated or corrupt
 * file (protobuf decoding fails, no graph, no nodes, or a value no node produces), an unsupported
 * operator or pattern.
 */
export interface OnnxDense {
  /** the weight tensor's name (the initializer or Constant node output holding W) */
  name: string;
  /** rows = fan-out, cols = fan-in; Gemm's alpha folded in */
  weight: Mat;
  /** Gemm's beta folded in; null when the layer has none */
  bias: Float64Array | null;
}

export interface OnnxModel {
  format: 'onnx';
  path: string;
  /** the layer list; every dense layer has init 'gaussian', gain 1, biasStd 1 (the file's weights are used as they are) */
  net: LayerList;
  /** the dense layers' weights in denseStagesOf(net) order, rows = fan-out */
  dense: OnnxDense[];
  /** producer name and version, as the file gives them ('' when absent) */
  producer: string;
  /** the ai.onnx opset version the model imports */
  opset: number;
  /**
   * The source node names of each layer of net.layers (top level; a residual block's entry holds
   * its branch's nodes, its Mul and its Add); pass-through nodes (Identity, Flatten, ...) and
   * Constant nodes go with the layer that uses their output. A node without a name is '#<index>'.
   */
  nodes: string[][];
}

/**
 * onnx-proto's generated code (protobufjs), loaded on the first ONNX file read: it costs ~60 ms to
 * load, and every command that does not read one (and every worker thread) would pay it.
 */
let proto: typeof P | undefined;
function onnxSchema(): typeof P {
  proto ??= (createRequire(import.meta.url)('onnx-proto') as { onnx: typeof P }).onnx;
  return proto;
}

/** Operators eoc reads (the error for any other lists them). */
export const ONNX_OPERATORS = [
  'Gemm', 'MatMul', 'Add', 'Mul', 'Div', 'Erf', 'Relu', 'LeakyRelu', 'Tanh', 'Sigmoid', 'Gelu', 'Elu', 'Selu', 'Softplus',
  'LayerNormalization', 'Identity', 'Dropout', 'Flatten', 'Reshape', 'Constant',
] as const;

/** The widest layer a list may have (as --arch, src/spec/arch.ts). */
const WIDTH_MAX = 16384;

/** Attributes each operator may carry (any other is an error: it could change what the node computes). */
const ATTRIBUTES: Record<string, readonly string[]> = {
  Gemm: ['alpha', 'beta', 'transA', 'transB'],
  LeakyRelu: ['alpha'],
  Elu: ['alpha'],
  Selu: ['alpha', 'gamma'],
  Gelu: ['approximate'],
  LayerNormalization: ['axis', 'epsilon', 'stash_type'],
  Flatten: ['axis'],
  Reshape: ['allowzero'],
  Dropout: ['seed', 'ratio', 'is_test'],
  Constant: ['value', 'value_float', 'value_floats', 'value_int', 'value_ints'],
};

interface Const {
  kind: 'const';
  dims: number[];
  data: Float64Array;
  /** the tensor's ONNX element type name ('float32', ...) */
  dtype: string;
  /** the tensor's name (an initializer's, or a Constant node's output) */
  name: string;
  /** Constant nodes that made it */
  nodes: string[];
}

/** One layer of the chain, with the nodes it came from (shared between values: never mutated). */
interface Piece {
  layer: Layer;
  nodes: string[];
  dense?: OnnxDense;
  /** a residual block's branch */
  branch?: Piece[];
}

/** A value computed from the graph's input: the chain of layers from the input to it. */
interface Stream {
  kind: 'stream';
  chain: Piece[];
  /** dimensions after the batch one ([N] on a flat value); null while unknown (no input shape) */
  features: number[] | null;
  /** pass-through nodes since the last layer (they go with the next one) */
  pending: string[];
}

/**
 * A partial product on a stream x: coef * (x if hasX) * ((1 + erf(x / sqrt 2)) if hasErf), the
 * pieces GELU's erf subgraph and a scaled residual branch are made of.
 */
interface Product {
  kind: 'product';
  base: Stream;
  coef: number;
  /** the constants of coef are all float32 (alpha then is taken as the shortest float32 decimal) */
  coef32: boolean;
  hasX: boolean;
  hasErf: boolean;
  nodes: string[];
}

/** Erf(x / sqrt 2) of a stream x (only Add(., 1) may use it). */
interface ErfValue {
  kind: 'erf';
  base: Stream;
  nodes: string[];
}

type Val = Const | Stream | Product | ErfValue;

const DTYPES: Record<number, { name: string; type: ElementType; typed: 'floatData' | 'doubleData' | 'int32Data' | 'int64Data'; bits?: (v: number) => number }> = {
  1: { name: 'float32', type: ELEMENT_TYPES.F32, typed: 'floatData' },
  11: { name: 'float64', type: ELEMENT_TYPES.F64, typed: 'doubleData' },
  10: { name: 'float16', type: ELEMENT_TYPES.F16, typed: 'int32Data', bits: halfToFloat },
  16: { name: 'bfloat16', type: ELEMENT_TYPES.BF16, typed: 'int32Data', bits: bf16ToFloat },
  7: { name: 'int64', type: ELEMENT_TYPES.I64, typed: 'int64Data' },
  6: { name: 'int32', type: ELEMENT_TYPES.I32, typed: 'int32Data' },
  9: { name: 'bool', type: ELEMENT_TYPES.BOOL, typed: 'int32Data' },
};
const DTYPE_NAMES: Record<number, string> = { 0: 'undefined', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 8: 'string', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128' };

/** A protobuf int64 (a number or a Long) as a number. */
function num(v: number | { toNumber(): number } | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

/** The shortest decimal that rounds to the float32 x (x itself when it is not a float32). */
export function shortestFloat32(x: number): number {
  if (!Number.isFinite(x) || Math.fround(x) !== x) return x;
  for (let p = 1; p <= 9; p++) {
    const y = Number(x.toPrecision(p));
    if (Math.fround(y) === x) return y;
  }
  return x;
}

function close(a: number, b: number, rel = 1e-6): boolean {
  return Math.abs(a - b) <= rel * Math.abs(b);
}

/** The model an ONNX file describes, as eoc's layer list and the dense layers' weights. */
export function readOnnx(bytes: Uint8Array, path: string): OnnxModel {
  const fail = (why: string): never => {
    throw weightFileError(path, why);
  };
  let model: P.ModelProto;
  try {
    model = onnxSchema().ModelProto.decode(bytes);
  } catch (e) {
    return fail(`not a valid ONNX file (protobuf decoding failed: ${(e as Error).message.split('\n')[0]}; truncated or corrupt)`);
  }
  // decoded messages are class instances: repeated fields are arrays, scalars have their defaults
  if (!model.graph) return fail('not a valid ONNX file (no graph: truncated, corrupt or not ONNX)');
  const graph = model.graph as P.GraphProto;
  const graphNodes = graph.node as P.NodeProto[];
  if (graphNodes.length === 0) fail('not a valid ONNX file (its graph has no nodes: truncated, corrupt or not ONNX)');
  const opsetEntry = model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (!opsetEntry) fail('the model imports no ai.onnx opset (not a valid ONNX model)');
  const opset = num(opsetEntry!.version);
  const producer = [model.producerName, model.producerVersion].filter((s) => s).join(' ');

  const vals = new Map<string, Val>();
  /** values a node leaves undefined on purpose (a LayerNormalization's mean, a Dropout's mask): why */
  const noValue = new Map<string, string>();
  const consumed = new Set<string>();
  const dynamicNames: string[] = [];
  let inferredInput: number | null = null;

  const tensorConst = (t: P.ITensorProto, name: string, nodes: string[], where: string): Const => {
    const bad = (why: string): never => fail(`${where}: ${why}`);
    if (t.dataLocation === onnxSchema().TensorProto.DataLocation.EXTERNAL) bad('its data is in an external file (eoc reads ONNX files with the weights inside)');
    const dims = (t.dims ?? []).map((d) => num(d));
    let count = 1;
    for (const d of dims) {
      if (!Number.isSafeInteger(d) || d < 0) bad(`has shape [${dims.join(', ')}]`);
      count *= d;
    }
    const dt = DTYPES[t.dataType ?? 0];
    if (!dt) bad(`has element type ${DTYPE_NAMES[t.dataType ?? 0] ?? t.dataType} (eoc reads float32, float64, float16, bfloat16 and, for shapes and flags, int64, int32 and bool)`);
    const raw = t.rawData;
    let data: Float64Array;
    if (raw && raw.length > 0) {
      if (raw.length !== count * dt!.type.bytes) bad(`has ${raw.length} bytes of raw data for shape [${dims.join(', ')}] of ${dt!.name} (${count * dt!.type.bytes} expected: truncated or corrupt)`);
      data = decode(raw, 0, count, dt!.type, true);
    } else {
      const typed = (t[dt!.typed] ?? []) as (number | { toNumber(): number })[];
      if (typed.length !== count) bad(`has ${typed.length} values for shape [${dims.join(', ')}] (${count} expected: truncated or corrupt)`);
      data = Float64Array.from(typed, (v) => (dt!.bits ? dt!.bits(num(v)) : num(v)));
    }
    return { kind: 'const', dims, data, dtype: dt!.name, name, nodes };
  };

  for (const init of graph.initializer as P.TensorProto[]) {
    if (vals.has(init.name)) fail(`initializer '${init.name}' is defined twice`);
    vals.set(init.name, tensorConst(init, init.name, [], `initializer '${init.name}'`));
  }
  if (graph.sparseInitializer.length > 0) fail(`sparse initializer '${graph.sparseInitializer[0].values?.name ?? ''}': eoc reads dense initializers only`);

  // the graph's input: the one input that is not an initializer
  const inputs = (graph.input as P.ValueInfoProto[]).filter((v) => !vals.has(v.name));
  if (inputs.length !== 1) fail(`the graph has ${inputs.length} inputs (${inputs.map((v) => `'${v.name}'`).join(', ') || 'none'}); eoc reads a network with one input`);
  const input = inputs[0];
  let features: number[] | null = null;
  const tt = input.type?.tensorType;
  if (input.type && !tt) fail(`the graph's input '${input.name}' is not a tensor`);
  if (tt?.elemType && ![1, 10, 11, 16].includes(tt.elemType)) fail(`the graph's input '${input.name}' has element type ${DTYPE_NAMES[tt.elemType] ?? DTYPES[tt.elemType]?.name ?? tt.elemType} (eoc reads a float input)`);
  if (tt?.shape) {
    const dims = (tt.shape.dim ?? []).map((d) => (d.dimParam ? d.dimParam : d.dimValue !== null && d.dimValue !== undefined ? num(d.dimValue) : '?'));
    if (dims.length < 2) fail(`the graph's input '${input.name}' has shape [${dims.join(', ')}] (eoc reads [batch, N] inputs)`);
    const rest = dims.slice(1);
    features = rest.every((d) => typeof d === 'number') ? (rest as number[]) : null;
    if (features && features.some((d) => d < 1)) fail(`the graph's input '${input.name}' has shape [${dims.join(', ')}]`);
  }
  const inputStream: Stream = { kind: 'stream', chain: [], features, pending: [] };
  vals.set(input.name, inputStream);

  if (graph.output.length !== 1) fail(`the graph has ${graph.output.length} outputs; eoc reads a network with one output`);
  const outputName = (graph.output as P.ValueInfoProto[])[0].name;

  graphNodes.forEach((nd, index) => {
    const label = nd.name ? nd.name : `#${index}`;
    const op = nd.opType;
    const at = `node '${label}' (${op})`;
    const bad = (why: string): never => fail(`${at}: ${why}`);
    if (nd.domain && nd.domain !== 'ai.onnx') bad(`operator of domain '${nd.domain}' not supported by eoc audit (supported: ai.onnx ${ONNX_OPERATORS.join(', ')})`);
    if (!(ONNX_OPERATORS as readonly string[]).includes(op)) bad(`operator not supported by eoc audit (supported: ${ONNX_OPERATORS.join(', ')})`);
    const attrs = new Map<string, P.IAttributeProto>();
    const ndAttrs = nd.attribute as P.AttributeProto[];
    for (const a of ndAttrs) {
      if (!(ATTRIBUTES[op] ?? []).includes(a.name)) bad(`attribute '${a.name}' is not one eoc reads${ATTRIBUTES[op] ? ` (${op}: ${ATTRIBUTES[op].join(', ')})` : ''}`);
      attrs.set(a.name, a);
    }
    const AT = onnxSchema().AttributeProto.AttributeType;
    const attrF = (name: string, def: number): number => {
      const a = attrs.get(name);
      if (!a) return def;
      if (a.type !== AT.FLOAT) bad(`attribute '${name}' must be a float`);
      return a.f ?? 0;
    };
    const attrI = (name: string, def: number): number => {
      const a = attrs.get(name);
      if (!a) return def;
      if (a.type !== AT.INT) bad(`attribute '${name}' must be an int`);
      return num(a.i);
    };
    const attrS = (name: string, def: string): string => {
      const a = attrs.get(name);
      if (!a) return def;
      if (a.type !== AT.STRING) bad(`attribute '${name}' must be a string`);
      return new TextDecoder().decode(a.s ?? new Uint8Array());
    };
    const ins = nd.input;
    const get = (k: number): Val | null => {
      const name = ins[k];
      if (name === undefined || name === '') return null;
      const why = noValue.get(name);
      if (why !== undefined) bad(`uses '${name}', ${why} (eoc reads only the normalized output)`);
      const v = vals.get(name);
      if (!v) bad(`its input '${name}' is neither the graph's input, an initializer nor an earlier node's output (a truncated or corrupt file, or nodes out of order)`);
      consumed.add(name);
      return v!;
    };
    const need = (k: number): Val => get(k) ?? bad(`needs input ${k + 1}`);
    const maxOutputs = op === 'LayerNormalization' ? 3 : op === 'Dropout' ? 2 : 1;
    if (nd.output.length === 0 || nd.output[0] === '') bad('has no output');
    if (nd.output.length > maxOutputs) bad(`has ${nd.output.length} outputs (${maxOutputs} expected)`);
    if (ins.length > ({ Gemm: 3, LayerNormalization: 3, Dropout: 3, Add: 2, Mul: 2, Div: 2, MatMul: 2, Reshape: 2, Constant: 0 } as Record<string, number>)[op] || (ins.length > 1 && ['Relu', 'LeakyRelu', 'Tanh', 'Sigmoid', 'Gelu', 'Elu', 'Selu', 'Softplus', 'Erf', 'Identity', 'Flatten'].includes(op))) {
      bad(`has ${ins.length} inputs`);
    }
    const stream = (v: Val, what = 'its input'): Stream => {
      if (v.kind === 'stream') return v;
      if (v.kind === 'const') return bad(`${what} '${ins[0]}' is a constant (eoc reads layers of the input: constant folding is not supported)`);
      return bad(`${what} is part of an unfinished pattern (GELU's erf subgraph or a scaled residual branch: ${v.nodes.map((n) => `'${n}'`).join(', ')}); eoc reads those only whole`);
    };
    const flat = (s: Stream): number | null => {
      if (s.features === null) return null;
      if (s.features.length !== 1) bad(`its input has shape [batch, ${s.features.join(', ')}] (eoc reads [batch, N] values: Flatten first)`);
      return s.features[0];
    };
    const extend = (s: Stream, layer: Layer, nodes: string[], more: Partial<Piece> = {}, width?: number): Stream => ({
      kind: 'stream',
      chain: [...s.chain, { layer, nodes: [...s.pending, ...nodes], ...more }],
      features: width === undefined ? s.features : [width],
      pending: [],
    });
    const activationLayer = (raw: string): Layer => {
      try {
        return { kind: 'activation', name: parseActivationName(raw, 'activation') };
      } catch (e) {
        if (e instanceof SpecError) return bad(e.message);
        throw e;
      }
    };
    const act = (raw: string): Stream => {
      const s = stream(need(0));
      flat(s);
      return extend(s, activationLayer(raw), [label]);
    };
    const constant = (v: Val | null, what: string): Const => {
      if (!v) return bad(`needs ${what}`);
      if (v.kind !== 'const') return bad(`${what} must be a constant (an initializer or a Constant node), not a computed value`);
      return v;
    };
    const scalar = (c: Const): number | null => (c.data.length === 1 ? c.data[0] : null);
    const is32 = (c: Const): boolean => c.dtype !== 'float64';
    const dense = (s: Stream, w: Mat, wName: string, bias: Float64Array | null, nodes: string[]): Stream => {
      const n = flat(s);
      if (n === null) {
        if (inferredInput !== null && inferredInput !== w.cols) bad(`its weight '${wName}' has ${w.cols} inputs but the graph's input has ${inferredInput}`);
        if (s.chain.length === 0 || s.chain.every((p) => p.layer.kind !== 'dense')) inferredInput = w.cols;
      } else if (n !== w.cols) bad(`its weight '${wName}' takes ${w.cols} inputs but its input has ${n} units`);
      const layer: DenseLayer = { kind: 'dense', width: w.rows, init: 'gaussian', gain: 1, biasStd: 1 };
      return extend(s, layer, nodes, { dense: { name: wName, weight: w, bias } }, w.rows);
    };
    const biasOf = (c: Const, n: number, factor: number): Float64Array => {
      const lead = c.dims.slice(0, -1);
      const ok = c.data.length === 1 || (c.dims.length > 0 && c.dims[c.dims.length - 1] === n && lead.every((d) => d === 1));
      if (!ok) bad(`its bias '${c.name}' has shape [${c.dims.join(', ')}] (expected [${n}], [1, ${n}] or a scalar)`);
      return Float64Array.from({ length: n }, (_, i) => factor * c.data[c.data.length === 1 ? 0 : i]);
    };
    const toProduct = (v: Val): Product => {
      if (v.kind === 'product') return v;
      if (v.kind === 'stream') return { kind: 'product', base: v, coef: 1, coef32: true, hasX: true, hasErf: false, nodes: [] };
      if (v.kind === 'erf') return bad(`uses Erf '${v.nodes[v.nodes.length - 1]}' outside GELU's erf form x * 0.5 * (1 + erf(x / sqrt 2))`);
      return bad('multiplies two constants (eoc reads constant-folded graphs)');
    };
    const scaled = (v: Val, c: Const, divide: boolean): Product => {
      const k = scalar(c);
      if (k === null) bad(`${divide ? 'divides' : 'multiplies'} by '${c.name}' of shape [${c.dims.join(', ')}] (eoc reads scalar factors only: elementwise scaling is not a layer eoc has)`);
      if (divide && k === 0) bad(`divides by zero ('${c.name}')`);
      const p = toProduct(v);
      return { ...p, coef: divide ? p.coef / k! : p.coef * k!, coef32: p.coef32 && is32(c), nodes: [...p.nodes, ...c.nodes, label] };
    };
    /** a complete GELU product becomes the activation; anything else stays a product */
    const settle = (p: Product): Val => {
      if (p.hasX && p.hasErf && close(p.coef, 0.5)) return extend(p.base, activationLayer('gelu'), p.nodes);
      return p;
    };

    let out: Val;
    switch (op) {
      case 'Constant': {
        const a = ndAttrs[0];
        if (ndAttrs.length !== 1) bad('needs exactly one value attribute');
        const name = nd.output[0];
        if (a.name === 'value') out = tensorConst(a.t ?? {}, name, [label], at);
        else if (a.name === 'value_float') out = { kind: 'const', dims: [], data: Float64Array.of(a.f ?? 0), dtype: 'float32', name, nodes: [label] };
        else if (a.name === 'value_floats') out = { kind: 'const', dims: [a.floats.length], data: Float64Array.from(a.floats), dtype: 'float32', name, nodes: [label] };
        else if (a.name === 'value_int') out = { kind: 'const', dims: [], data: Float64Array.of(num(a.i)), dtype: 'int64', name, nodes: [label] };
        else out = { kind: 'const', dims: [a.ints.length], data: Float64Array.from(a.ints, (v) => num(v)), dtype: 'int64', name, nodes: [label] };
        break;
      }
      case 'Identity':
      case 'Dropout': {
        const v = need(0);
        if (op === 'Dropout') {
          if (attrI('is_test', 1) === 0) bad('is_test = 0 (training mode; eoc reads a model at inference, where Dropout is the identity)');
          const mode = get(2);
          if (mode && (mode.kind !== 'const' || mode.data.some((x) => x !== 0))) bad('its training_mode is not a constant false (eoc reads a model at inference, where Dropout is the identity)');
          get(1);
          if (nd.output[1]) noValue.set(nd.output[1], `the mask of Dropout '${label}'`);
        }
        if (v.kind === 'stream') out = { ...v, pending: [...v.pending, label] };
        else out = { ...v, nodes: [...v.nodes, label] };
        break;
      }
      case 'Flatten': {
        const s = stream(need(0));
        let axis = attrI('axis', 1);
        if (s.features !== null && axis < 0) axis += 1 + s.features.length;
        if (axis !== 1) bad(`axis ${attrI('axis', 1)} (eoc reads Flatten to [batch, N], axis 1)`);
        out = { ...s, features: s.features === null ? null : [s.features.reduce((a, b) => a * b, 1)], pending: [...s.pending, label] };
        break;
      }
      case 'Reshape': {
        const s = stream(need(0));
        const shape = constant(get(1), 'a constant shape');
        const t = Array.from(shape.data);
        const n = s.features === null ? null : s.features.reduce((a, b) => a * b, 1);
        const ok = t.length === 2 && (t[0] === 0 || t[0] === -1) && ((t[1] > 0 && (n === null || t[1] === n)) || (t[1] === -1 && t[0] === 0));
        if (!ok || (attrI('allowzero', 0) !== 0 && t[0] === 0)) bad(`reshapes to [${t.join(', ')}] (eoc reads Reshape to [batch, N]: [0 or -1, ${n ?? 'N'}])`);
        // on an input of unknown shape before any dense layer, the Reshape gives N_0
        if (n === null && t[1] > 0 && inferredInput === null && s.chain.every((pc) => pc.layer.kind !== 'dense')) inferredInput = t[1];
        out = { ...s, features: t[1] > 0 ? [t[1]] : n === null ? null : [n], pending: [...s.pending, label] };
        break;
      }
      case 'Gemm': {
        const s = stream(need(0));
        const b = constant(get(1), "a constant B (the weight)");
        const c = get(2);
        if (attrI('transA', 0) !== 0) bad('transA = 1 (eoc reads x W^T + b: transA 0)');
        const transB = attrI('transB', 0);
        const alpha = attrF('alpha', 1), beta = attrF('beta', 1);
        if (b.dims.length !== 2) bad(`its weight '${b.name}' has shape [${b.dims.join(', ')}] (a matrix expected)`);
        const [r, k] = b.dims;
        const rows = transB ? r : k, cols = transB ? k : r;
        const data = new Float64Array(rows * cols);
        for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = alpha * (transB ? b.data[i * k + j] : b.data[j * k + i]);
        let bias: Float64Array | null = null;
        const nodes = [...b.nodes];
        if (c) {
          const cc = constant(c, 'a constant C (the bias)');
          bias = biasOf(cc, rows, beta);
          nodes.push(...cc.nodes);
        }
        out = dense(s, { rows, cols, data }, b.name, bias, [...nodes, label]);
        break;
      }
      case 'MatMul': {
        const a = need(0);
        if (a.kind === 'const') bad(`its first input '${ins[0]}' is a constant: eoc reads x @ W (the layer's input first)`);
        const s = stream(a);
        const b = constant(get(1), 'a constant weight');
        if (b.dims.length !== 2) bad(`its weight '${b.name}' has shape [${b.dims.join(', ')}] (a matrix (in, out) expected)`);
        const [cols, rows] = b.dims;
        const data = new Float64Array(rows * cols);
        for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = b.data[j * rows + i];
        out = dense(s, { rows, cols, data }, b.name, null, [...b.nodes, label]);
        break;
      }
      case 'Add': {
        const x = need(0), y = need(1);
        if (x.kind === 'const' && y.kind === 'const') bad('adds two constants (eoc reads constant-folded graphs)');
        if (x.kind === 'const' || y.kind === 'const') {
          const c = (x.kind === 'const' ? x : y) as Const;
          const v = (x.kind === 'const' ? y : x) as Exclude<Val, Const>;
          if (v.kind === 'erf') {
            if (!(scalar(c) !== null && close(scalar(c)!, 1))) bad(`adds '${c.name}' to Erf (GELU's erf form adds 1)`);
            out = { kind: 'product', base: v.base, coef: 1, coef32: true, hasX: false, hasErf: true, nodes: [...v.nodes, ...c.nodes, label] };
            break;
          }
          const s = stream(v);
          const last = s.chain[s.chain.length - 1];
          if (!last?.dense) bad(`adds the constant '${c.name}' to a value that is not a dense layer's output (eoc's dense layer is W x + b: a bias Add follows its MatMul or Gemm)`);
          const d = last!.dense!;
          const add = biasOf(c, d.weight.rows, 1);
          const bias = d.bias ? Float64Array.from(d.bias, (b, i) => b + add[i]) : add;
          const piece: Piece = { ...last!, nodes: [...last!.nodes, ...s.pending, ...c.nodes, label], dense: { ...d, bias } };
          out = { kind: 'stream', chain: [...s.chain.slice(0, -1), piece], features: s.features, pending: [] };
          break;
        }
        // a skip: one side the stream x where the block starts, the other alpha F(x)
        const side = (v: Val): Product => {
          const p = toProduct(v);
          if (p.hasErf) bad('adds a partial GELU (Erf) product to a value (eoc reads GELU\'s erf form whole)');
          return p;
        };
        const p = side(x), q = side(y);
        const extendsOf = (a: Product, b: Product): boolean =>
          a.coef === 1 && a.nodes.length === 0 && b.base.chain.length > a.base.chain.length && a.base.chain.every((piece, i) => b.base.chain[i] === piece);
        const [skip, branch] = extendsOf(p, q) ? [p, q] : extendsOf(q, p) ? [q, p] : [null, null];
        if (!skip || !branch) {
          bad(`adds '${ins[0]}' and '${ins[1]}', neither of which is the other's skip (eoc reads residual blocks Add(x, F(x)) and Add(x, Mul(F(x), c)), x the block's input)`);
        }
        const pieces = branch!.base.chain.slice(skip!.base.chain.length);
        const nested = pieces.find((pc) => pc.layer.kind === 'residual');
        if (nested) bad(`its branch holds the residual block of ${nested.nodes[nested.nodes.length - 1]} (eoc reads no residual block inside a residual branch)`);
        const wx = skip!.base.features?.length === 1 ? skip!.base.features[0] : skip!.base.features === null ? inferredInput : null;
        const wf = branch!.base.features?.length === 1 ? branch!.base.features[0] : null;
        if (wx !== null && wf !== null && wx !== wf) bad(`its branch ends at ${wf} units but the stream it joins is ${wx} wide (a residual branch must return to the stream's width)`);
        const alpha = branch!.coef32 ? shortestFloat32(branch!.coef) : branch!.coef;
        const layer: Layer = { kind: 'residual', alpha, branch: pieces.map((pc) => pc.layer as BranchLayer) };
        const nodes = [...pieces.flatMap((pc) => pc.nodes), ...branch!.base.pending, ...branch!.nodes, label];
        out = { kind: 'stream', chain: [...skip!.base.chain, { layer, nodes, branch: pieces }], features: skip!.base.features, pending: [] };
        break;
      }
      case 'Mul': {
        const x = need(0), y = need(1);
        if (x.kind === 'const' && y.kind === 'const') bad('multiplies two constants (eoc reads constant-folded graphs)');
        if (x.kind === 'const' || y.kind === 'const') {
          out = settle(x.kind === 'const' ? scaled(y, x, false) : scaled(x, y as Const, false));
          break;
        }
        const p = toProduct(x), q = toProduct(y);
        if (p.base !== q.base) bad(`multiplies two different values '${ins[0]}' and '${ins[1]}' (eoc reads a product only inside GELU's erf form x * 0.5 * (1 + erf(x / sqrt 2)))`);
        if ((p.hasX && q.hasX) || (p.hasErf && q.hasErf)) bad(`multiplies '${ins[0]}' and '${ins[1]}' into a product that is not GELU's erf form x * 0.5 * (1 + erf(x / sqrt 2))`);
        out = settle({ kind: 'product', base: p.base, coef: p.coef * q.coef, coef32: p.coef32 && q.coef32, hasX: p.hasX || q.hasX, hasErf: p.hasErf || q.hasErf, nodes: [...p.nodes, ...q.nodes, label] });
        break;
      }
      case 'Div': {
        const x = need(0), y = need(1);
        if (y.kind !== 'const') bad(`divides by the computed value '${ins[1]}' (eoc reads division by a scalar constant only)`);
        if (x.kind === 'const') bad('divides two constants (eoc reads constant-folded graphs)');
        out = settle(scaled(x, y as Const, true));
        break;
      }
      case 'Erf': {
        const v = need(0);
        const p = v.kind === 'const' ? bad('takes Erf of a constant') : toProduct(v);
        if (!(p.hasX && !p.hasErf && close(p.coef, Math.SQRT1_2))) {
          bad(`Erf of ${p.hasErf ? 'an Erf product' : `${p.coef} x`}: eoc reads Erf only inside GELU's erf form x * 0.5 * (1 + erf(x / sqrt 2))`);
        }
        out = { kind: 'erf', base: p.base, nodes: [...p.nodes, label] };
        break;
      }
      case 'Relu':
      case 'Tanh':
      case 'Sigmoid':
      case 'Softplus':
        out = act(op.toLowerCase());
        break;
      case 'LeakyRelu':
        out = act(`leaky-relu(${shortestFloat32(attrF('alpha', 0.01))})`);
        break;
      case 'Elu':
        out = act(`elu(${shortestFloat32(attrF('alpha', 1))})`);
        break;
      case 'Selu': {
        const a = attrF('alpha', Math.fround(SELU_ALPHA)), g = attrF('gamma', Math.fround(SELU_LAMBDA));
        if (!close(a, SELU_ALPHA, 1e-7) || !close(g, SELU_LAMBDA, 1e-7)) bad(`alpha ${a}, gamma ${g}: eoc's selu has alpha ${SELU_ALPHA}, gamma ${SELU_LAMBDA} (the defaults)`);
        out = act('selu');
        break;
      }
      case 'Gelu': {
        const approx = attrS('approximate', 'none');
        if (approx !== 'none' && approx !== 'tanh') bad(`approximate '${approx}' (ONNX defines 'none' and 'tanh')`);
        out = act(approx === 'none' ? 'gelu' : 'gelu-tanh');
        break;
      }
      case 'LayerNormalization': {
        const s = stream(need(0));
        const n = flat(s);
        const axis = attrI('axis', -1);
        if (axis !== -1 && axis !== 1) bad(`axis ${axis} (eoc's layernorm normalizes over the last axis: -1)`);
        const eps = shortestFloat32(attrF('epsilon', Math.fround(1e-5)));
        const scale = constant(get(1), 'a constant scale');
        const bias = get(2);
        const nodes = [...scale.nodes];
        const initWhy = "eoc's layernorm is at initialization (weight 1, bias 0)";
        if (n !== null && scale.data.length !== n && scale.data.length !== 1) bad(`its scale '${scale.name}' has ${scale.data.length} values for ${n} units`);
        if (scale.data.some((v) => v !== 1)) bad(`its scale '${scale.name}' is not all ones (${initWhy}; a trained LayerNorm's affine part is not read)`);
        if (bias) {
          const b = constant(bias, 'a constant bias');
          if (b.data.some((v) => v !== 0)) bad(`its bias '${b.name}' is not all zeros (${initWhy}; a trained LayerNorm's affine part is not read)`);
          nodes.push(...b.nodes);
        }
        if (!(eps >= 0 && eps <= 1)) bad(`epsilon ${eps} (eoc reads a layernorm eps in [0, 1])`);
        for (const k of [1, 2]) if (nd.output[k]) noValue.set(nd.output[k], `the ${k === 1 ? 'mean' : 'inverse standard deviation'} output of LayerNormalization '${label}'`);
        out = extend(s, { kind: 'layernorm', eps }, [...nodes, label]);
        break;
      }
      default:
        return bad('operator not supported by eoc audit');
    }
    const name = nd.output[0];
    if (vals.has(name)) bad(`its output '${name}' is already defined (a graph defines each value once)`);
    vals.set(name, out);
    if (out.kind !== 'const') dynamicNames.push(name);
  });

  const outVal = vals.get(outputName);
  if (!outVal) return fail(`the graph's output '${outputName}' is not computed by any node (truncated or corrupt)`);
  if (outVal.kind !== 'stream') {
    return fail(outVal.kind === 'const' ? `the graph's output '${outputName}' is a constant` : `the graph's output '${outputName}' ends inside an unfinished pattern (${outVal.nodes.map((n) => `'${n}'`).join(', ')}: GELU's erf form or a scaled residual branch)`);
  }
  for (const name of dynamicNames) if (name !== outputName && !consumed.has(name)) fail(`the value '${name}' is computed but not used (eoc reads one chain of layers from the input to the output)`);

  // the layer list, its weights in denseStagesOf order, its nodes
  const final = outVal as Stream;
  const inputWidth = features ? features.reduce((a, b) => a * b, 1) : inferredInput;
  if (inputWidth === null) fail("the graph's input has no shape and no dense layer gives its width");
  const dense: OnnxDense[] = [];
  const layers: Layer[] = [];
  const nodes: string[][] = [];
  const check = (pieces: readonly Piece[], top: boolean): void => {
    pieces.forEach((pc, i) => {
      const prev = pieces[i - 1];
      const name = `the layer of node${pc.nodes.length > 1 ? 's' : ''} ${pc.nodes.map((n) => `'${n}'`).join(', ')}`;
      if (pc.layer.kind === 'activation') {
        if (!prev && top) fail(`${name}: an activation on the graph's input (eoc's first layer is a dense layer, a layernorm or a residual block)`);
        if (prev?.layer.kind === 'activation') fail(`${name}: two activations in a row (eoc puts a layer between activations)`);
      }
      if (pc.layer.kind === 'dense' && !(pc.layer.width >= 1 && pc.layer.width <= WIDTH_MAX)) fail(`${name}: width ${pc.layer.width} (eoc reads widths 1..${WIDTH_MAX})`);
      if (pc.dense) dense.push(pc.dense);
      if (pc.branch) check(pc.branch, false);
    });
  };
  check(final.chain, true);
  for (const pc of final.chain) {
    layers.push(pc.layer);
    nodes.push(pc.nodes);
  }
  if (nodes.length > 0 && final.pending.length > 0) nodes[nodes.length - 1] = [...nodes[nodes.length - 1], ...final.pending];
  if (dense.length === 0) fail('the graph has no dense layer (Gemm or MatMul): eoc reads a network with at least one');
  if (!(inputWidth! >= 1 && inputWidth! <= WIDTH_MAX)) fail(`the input has ${inputWidth} units (eoc reads widths 1..${WIDTH_MAX})`);
  const net = resolveArch({ input: inputWidth!, layers }, { init: 'gaussian', biasStd: 1 }, path);
  return { format: 'onnx', path, net, dense, producer, opset, nodes };
}
