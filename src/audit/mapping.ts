import { transpose, type Mat } from '../linalg/matrix.js';
import type { Tensor, TensorFile } from '../io/weights/tensor.js';
import { weightFileError } from '../io/weights/tensor.js';
import { denseStagesOf, type LayerList, type Layer } from '../network/layers.js';

/**
 * One dense layer's weights as the file holds them, in eoc's layout: `weight` is fan-out x fan-in
 * (torch's nn.Linear: h = W x + b), `bias` null when the file has none.
 */
export interface DenseWeights {
  /** the tensor's name in the file ('layers.0.weight'; 'w[3]' for slice 3 of a stacked 3-D tensor) */
  name: string;
  weight: Mat;
  bias: Float64Array | null;
  /** the bias tensor's name */
  biasName: string | null;
}

/**
 * How a weight file's 2-D tensors are laid out: 'out-in' (torch's nn.Linear.weight and what
 * safetensors of a torch model hold: rows = fan-out) or 'in-out' (a Keras/Flax kernel, x @ W:
 * rows = fan-in), which is transposed on reading.
 */
export const LAYOUTS = ['out-in', 'in-out'] as const;
export type Layout = (typeof LAYOUTS)[number];

/**
 * The mapping from a weight file's tensors (safetensors, .npz, .npy) to the dense layers of a layer
 * list, in the order the forward pass meets them (denseStagesOf: a residual branch's in place). It is
 * documented in the README ("eoc audit: the name mapping"):
 *   1. Names ending in `.weight` / `/weight` (torch's state_dict: `0.weight`, `layers.3.fc1.weight`,
 *      `encoder/dense/weight`): a 2-D `P.weight` is a dense layer, its bias the 1-D `P.bias` if
 *      there is one; a 1-D `P.weight` with `P.bias` is a layernorm's (weight, bias). Dense layers
 *      are taken in the natural order of their prefixes P (digit runs compare as numbers, so
 *      `layers.10` follows `layers.9`), except that a tensor whose shape does not fit the next
 *      dense layer of the list waits for the first one it fits (`head.weight` sorts before
 *      `layers.0.weight` but is the read-out); layernorms in natural order.
 *   2. Otherwise (np.savez's `arr_0`, `w1`, ...): every 2-D tensor in natural name order is a dense
 *      layer, and the 1-D tensors, in natural order, are their biases when there is one per weight.
 *   3. A 3-D tensor (k, out, in) is k dense layers (`name[0]`, ..., `name[k-1]`), in place of its name:
 *      `np.save('w.npy', np.stack(weights))`.
 * Every tensor must find its place: a tensor left over, a count or a shape that does not match the
 * list is one SpecError naming the tensor and what was expected.
 */
export interface MappedWeights {
  dense: DenseWeights[];
  /** the layernorms' parameter tensors, in natural order (checked to be at initialization) */
  layernorms: { weightName: string; biasName: string | null }[];
  /** which rule of the mapping applied */
  rule: 'named' | 'positional';
}

/** Natural order: digit runs compare as numbers ('layers.2' < 'layers.10'). */
export function naturalCompare(a: string, b: string): number {
  const re = /(\d+)|(\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i], y = pb[i];
    const nx = /^\d/.test(x), ny = /^\d/.test(y);
    if (nx && ny) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
      if (x.length !== y.length) return x.length - y.length;
    } else if (x !== y) return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

const WEIGHT_LEAF = /^(.*)[./](weight)$/;

function asMat(t: Tensor, layout: Layout, data = t.data): Mat {
  const [r, c] = t.shape.slice(-2);
  const m = { rows: r, cols: c, data };
  return layout === 'out-in' ? m : transpose(m);
}

/** 2-D tensors as one dense layer each, 3-D ones as a stack of them (rule 3). */
function expand(t: Tensor, layout: Layout): { name: string; weight: Mat }[] {
  if (t.shape.length === 2) return [{ name: t.name, weight: asMat(t, layout) }];
  const [k, r, c] = t.shape;
  return Array.from({ length: k }, (_, i) => ({ name: `${t.name}[${i}]`, weight: asMat(t, layout, t.data.subarray(i * r * c, (i + 1) * r * c)) }));
}

/** The layernorms of a list, in forward order (a residual branch's in place). */
function layerNormCount(layers: readonly Layer[]): number {
  let n = 0;
  for (const l of layers) {
    if (l.kind === 'layernorm') n++;
    else if (l.kind === 'residual') n += layerNormCount(l.branch);
  }
  return n;
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** The widths a file's dense weights chain through, when they do ('784 > 512 > 10'), for the message that asks for --arch. */
export function widthsHint(file: TensorFile, layout: Layout): string | null {
  let dense: { name: string; weight: Mat }[];
  try {
    dense = collect(file, layout).dense;
  } catch {
    return null;
  }
  if (dense.length === 0) return null;
  const ws = [dense[0].weight.cols];
  for (const d of dense) {
    if (d.weight.cols !== ws[ws.length - 1]) return null;
    ws.push(d.weight.rows);
  }
  return ws.join(' > ');
}

interface Collected {
  dense: { name: string; weight: Mat; bias: Tensor | null }[];
  layernorms: { weight: Tensor; bias: Tensor | null }[];
  used: Set<string>;
  rule: MappedWeights['rule'];
}

function collect(file: TensorFile, layout: Layout): Collected {
  const tensors = [...file.tensors].sort((a, b) => naturalCompare(a.name, b.name));
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const used = new Set<string>();
  const named = tensors.filter((t) => WEIGHT_LEAF.test(t.name));
  const out: Collected = { dense: [], layernorms: [], used, rule: named.length ? 'named' : 'positional' };
  if (named.length) {
    for (const t of named) {
      const prefix = WEIGHT_LEAF.exec(t.name)![1];
      const sep = t.name.charAt(prefix.length);
      const bias = byName.get(`${prefix}${sep}bias`) ?? null;
      used.add(t.name);
      if (bias) used.add(bias.name);
      if (t.shape.length === 1) out.layernorms.push({ weight: t, bias });
      else if (t.shape.length === 2 || t.shape.length === 3) {
        for (const d of expand(t, layout)) out.dense.push({ ...d, bias: t.shape.length === 2 ? bias : null });
        if (t.shape.length === 3 && bias) throw weightFileError(file.path, `tensor '${bias.name}': a bias beside the stacked weights '${t.name}' ${shapeText(t.shape)} is not read (give one bias per layer: split the stack)`);
      } else throw weightFileError(file.path, `tensor '${t.name}' has shape ${shapeText(t.shape)}: eoc audit reads dense layers (2-D weights, or a 3-D stack of them) and layernorms (1-D)`);
    }
    return out;
  }
  const mats = tensors.filter((t) => t.shape.length === 2 || t.shape.length === 3);
  const vecs = tensors.filter((t) => t.shape.length === 1);
  for (const t of mats) {
    used.add(t.name);
    for (const d of expand(t, layout)) out.dense.push({ ...d, bias: null });
  }
  if (vecs.length && vecs.length === out.dense.length && mats.every((t) => t.shape.length === 2)) {
    vecs.forEach((v, i) => {
      out.dense[i].bias = v;
      used.add(v.name);
    });
  }
  return out;
}

/**
 * The file's dense weights (and layernorm parameters) mapped onto `net` by the rules above, each
 * shape checked against the list: SpecError (exit 2) naming the tensor on any mismatch.
 */
export function mapWeights(file: TensorFile, net: LayerList, layout: Layout = 'out-in'): MappedWeights {
  const c = collect(file, layout);
  const p = file.path;
  const left = file.tensors.filter((t) => !c.used.has(t.name));
  if (left.length) {
    const t = left[0];
    throw weightFileError(
      p,
      `tensor '${t.name}' ${shapeText(t.shape)} maps to no layer (${left.length > 1 ? `and ${left.length - 1} more; ` : ''}${
        c.rule === 'named' ? 'eoc reads P.weight with its P.bias' : 'without .weight names, every 2-D tensor is a dense layer and the 1-D ones their biases, one per weight'
      }: README "eoc audit: the name mapping")`,
    );
  }
  const stages = denseStagesOf(net);
  if (c.dense.length !== stages.length) {
    const names = c.dense.map((d) => d.name);
    throw weightFileError(
      p,
      `${c.dense.length} dense weight tensor(s) (${names.slice(0, 4).join(', ')}${names.length > 4 ? ', ...' : ''}) but --arch has ${stages.length} dense layer(s)`,
    );
  }
  // natural order, except that a tensor whose shape does not fit the next dense layer waits for the
  // first layer it fits (`head.weight` sorts before `layers.0.weight` but maps to the last layer)
  const pending = [...c.dense];
  const ordered: typeof c.dense = [];
  stages.forEach((st, k) => {
    const i = pending.findIndex((d) => d.weight.rows === st.width && d.weight.cols === st.fanIn);
    if (i < 0) {
      const d = pending[0];
      const { rows, cols } = d.weight;
      const hint = layout === 'out-in' && rows === st.fanIn && cols === st.width ? ' (it fits transposed: a Keras/Flax kernel? give --layout in-out)' : '';
      throw weightFileError(p, `dense layer ${k + 1} of --arch maps ${st.fanIn} to ${st.width} units but no tensor left has that shape: the next, '${d.name}', is ${rows} x ${cols} (fan-out x fan-in, --layout ${layout})${hint}`);
    }
    ordered.push(pending.splice(i, 1)[0]);
  });
  const dense: DenseWeights[] = ordered.map((d) => {
    const { rows } = d.weight;
    if (d.bias && (d.bias.shape.length !== 1 || d.bias.shape[0] !== rows)) {
      throw weightFileError(p, `tensor '${d.bias.name}' ${shapeText(d.bias.shape)} is the bias of '${d.name}' but that layer has ${rows} units`);
    }
    return { name: d.name, weight: d.weight, bias: d.bias ? d.bias.data : null, biasName: d.bias ? d.bias.name : null };
  });
  const lnCount = layerNormCount(net.layers);
  if (c.layernorms.length && c.layernorms.length !== lnCount) {
    throw weightFileError(p, `${c.layernorms.length} layernorm tensor pair(s) (${c.layernorms[0].weight.name}, ...) but --arch has ${lnCount} layernorm(s)`);
  }
  for (const ln of c.layernorms) {
    // eoc's layernorm is at initialization (weight 1, bias 0: src/network/layers.ts LayerNormLayer)
    if (ln.weight.data.some((v) => v !== 1) || (ln.bias && ln.bias.data.some((v) => v !== 0))) {
      throw weightFileError(p, `layernorm '${ln.weight.name}' is not at initialization (weight 1, bias 0): eoc models layernorm at initialization only, so it cannot audit a trained layernorm's gain`);
    }
  }
  return { dense, layernorms: c.layernorms.map((l) => ({ weightName: l.weight.name, biasName: l.bias?.name ?? null })), rule: c.rule };
}
