import type { InitName } from '../spec/types.js';

/**
 * One description of a network (issue 11; docs/design.md "One description of a network"): an input
 * width and an ordered list of layers. A `dense` layer maps the stream to `width` units,
 * h = (g * gain) W x + biasStd * b, with W drawn by `init` at unit scale (orthogonal: Haar
 * semi-orthogonal, torch's `orthogonal_` convention for a non-square W; gaussian: N(0, 1/fan_in)),
 * g the network's gain (--gain, the sweep's axis) and `gain` this layer's own factor. An
 * `activation` layer applies phi elementwise; a dense layer not followed by one is linear.
 */
export interface DenseLayer {
  kind: 'dense';
  /** output width (units) */
  width: number;
  init: InitName;
  /** this layer's gain factor; the network gain (--gain, the sweep's gain) multiplies it */
  gain: number;
  /** bias standard deviation sigma_b of this layer */
  biasStd: number;
}

export interface ActivationLayer {
  kind: 'activation';
  /** canonical registry label: 'tanh', 'gelu', 'leaky-relu(0.2)' */
  name: string;
}

/**
 * LayerNorm at initialization (weight 1, bias 0, as torch's nn.LayerNorm starts):
 * y = (x - mean(x)) / sqrt(var(x) + eps), var the biased variance over the N units. Its Jacobian is
 * (1/s)(I - 11^T/N - y y^T/N), s = sqrt(var + eps) (src/network/layernorm.ts). eps = 0 is the exact,
 * scale-invariant LayerNorm (the default: its two null directions, 1 and y, are structural zeros of J).
 */
export interface LayerNormLayer {
  kind: 'layernorm';
  eps: number;
}

/**
 * A residual block x -> x + alpha F(x), F a layer list (dense, activation, layernorm layers) that
 * returns to the stream's width (src/network/residual.ts). `scaling` records how alpha was chosen
 * when a preset chose it (src/network/residual.ts RESIDUAL_SCALINGS).
 */
export interface ResidualLayer {
  kind: 'residual';
  alpha: number;
  branch: BranchLayer[];
  scaling?: string;
}

/** The layers a residual branch may hold (no nested residual blocks). */
export type BranchLayer = DenseLayer | ActivationLayer | LayerNormLayer;

export type Layer = BranchLayer | ResidualLayer;

export interface LayerList {
  /** input width N_0 */
  input: number;
  layers: Layer[];
}

/**
 * A dense layer with the activation that follows it: the unit the engine, the theory and the draws
 * work in (layer l of docs/science.md: x^l = phi_l(h^l), h^l = g_l W^l x^{l-1} + sigma_b,l b^l).
 */
export interface Stage {
  /** fan-out N_l */
  width: number;
  /** fan-in N_{l-1} */
  fanIn: number;
  init: InitName;
  /** relative gain (the network gain multiplies it) */
  gain: number;
  biasStd: number;
  /** canonical activation label ('linear' when no activation layer follows the dense one) */
  activation: string;
}

/** The stages of a layer list (one per dense layer). The list must already be valid (parseArch). */
export function stagesOf(net: LayerList): Stage[] {
  const out: Stage[] = [];
  let fanIn = net.input;
  let open = false; // the last stage has no activation layer yet
  for (const layer of net.layers) {
    if (layer.kind === 'dense') {
      out.push({ width: layer.width, fanIn, init: layer.init, gain: layer.gain, biasStd: layer.biasStd, activation: 'linear' });
      fanIn = layer.width;
      open = true;
    } else if (layer.kind === 'activation') {
      if (!open) throw new Error('stagesOf: an activation must follow a dense layer (parseArch checks this)');
      out[out.length - 1].activation = layer.name;
      open = false;
    } else {
      throw new Error(`stagesOf: a ${layer.kind} layer has no stages (callers check hasBlocks first; src/network/blocks.ts)`);
    }
  }
  return out;
}

/** True when the list has residual blocks or layernorm layers (the block engine, src/network/blocks.ts). */
export function hasBlocks(net: LayerList): boolean {
  return net.layers.some((l) => l.kind === 'residual' || l.kind === 'layernorm');
}

/**
 * Every dense layer of a list in the order the forward pass meets it (a residual branch's in place),
 * with its fan-in and the activation right after it ('linear' when none): the order of the draws'
 * streams (seed, 'weights', k). For a list without blocks it is stagesOf.
 */
export function denseStagesOf(net: LayerList): Stage[] {
  if (!hasBlocks(net)) return stagesOf(net);
  const out: Stage[] = [];
  const walk = (layers: readonly Layer[], width: number): number => {
    let w = width;
    let last: Stage | null = null;
    for (const layer of layers) {
      if (layer.kind === 'dense') {
        last = { width: layer.width, fanIn: w, init: layer.init, gain: layer.gain, biasStd: layer.biasStd, activation: 'linear' };
        out.push(last);
        w = layer.width;
      } else if (layer.kind === 'activation') {
        if (last) last.activation = layer.name;
        last = null;
      } else if (layer.kind === 'residual') {
        walk(layer.branch, w);
        last = null;
      } else last = null;
    }
    return w;
  };
  walk(net.layers, net.input);
  return out;
}

/** The number of residual blocks of a list (the L of the 1/sqrt(L) and 1/L scalings). */
export function residualCount(net: LayerList): number {
  return net.layers.filter((l) => l.kind === 'residual').length;
}

/** N_0, N_1, ..., N_L: the stream's widths (a residual branch's inner widths are not the stream's; see allWidthsOf) */
export function widthsOf(net: LayerList): number[] {
  return [net.input, ...net.layers.filter((l): l is DenseLayer => l.kind === 'dense').map((l) => l.width)];
}

/** Every width a list's layers take, residual branches' included (memory, the largest width). */
export function allWidthsOf(net: LayerList): number[] {
  return [net.input, ...denseStagesOf(net).map((s) => s.width)];
}

/** Today's network as a layer list: depth x (dense width N, phi), every gain factor 1. */
export function mlpLayers(p: { width: number; depth: number; activation: string; init: InitName; biasStd: number }): LayerList {
  const layers: Layer[] = [];
  for (let l = 0; l < p.depth; l++) {
    layers.push({ kind: 'dense', width: p.width, init: p.init, gain: 1, biasStd: p.biasStd });
    if (p.activation !== 'linear') layers.push({ kind: 'activation', name: p.activation });
  }
  return { input: p.width, layers };
}

/** The number of singular values of J (N_L x N_0): min(N_0, N_L). */
export function jacobianSize(net: LayerList): number {
  const w = widthsOf(net);
  return Math.min(w[0], w[w.length - 1]);
}

/** True when every layer has the same width as the input (the square engine applies as it always has). */
export function isConstantWidth(net: LayerList): boolean {
  return widthsOf(net).every((w) => w === net.input);
}

/** The short form of a layer list, as `--arch` accepts it: '784 > 512:gelu > 256:gelu > 10'. */
export function archText(net: LayerList): string {
  if (hasBlocks(net)) return [String(net.input), ...patternRunsOf(layerItems(net.layers))].join(' > ');
  const items: string[] = [];
  for (const st of stagesOf(net)) {
    const act = st.activation === 'linear' ? '' : `:${st.activation}`;
    items.push(`${st.width}${act}`);
  }
  return [String(net.input), ...runsOf(items)].join(' > ');
}

/** runs of equal items as "item x k" */
function runsOf(items: readonly string[]): string[] {
  const runs: string[] = [];
  for (let i = 0; i < items.length; ) {
    let j = i;
    while (j < items.length && items[j] === items[i]) j++;
    runs.push(j - i > 1 ? `${items[i]} x ${j - i}` : items[i]);
    i = j;
  }
  return runs;
}

/**
 * Runs of a repeated pattern of up to 4 items as '(a > b) x k' (one item: 'a x k'), the longest
 * coverage first: how a block list's text stays short ('(res(...) > ln) x 12').
 */
function patternRunsOf(items: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < items.length; ) {
    let best = { p: 1, r: 1 };
    for (let p = 1; p <= 4 && i + 2 * p <= items.length; p++) {
      let r = 1;
      while (i + (r + 1) * p <= items.length && items.slice(i + r * p, i + (r + 1) * p).every((it, j) => it === items[i + j])) r++;
      if (r > 1 && p * r > best.p * best.r) best = { p, r };
    }
    const unit = items.slice(i, i + best.p);
    if (best.r === 1) out.push(items[i]);
    else out.push(best.p === 1 ? `${unit[0]} x ${best.r}` : `(${unit.join(' > ')}) x ${best.r}`);
    i += best.r === 1 ? 1 : best.p * best.r;
  }
  return out;
}

/** The grammar items of layers that may hold blocks: 'WIDTH[:ACT]', 'ln', 'res(BRANCH, alpha=A)'. */
function layerItems(layers: readonly Layer[]): string[] {
  const items: string[] = [];
  for (const layer of layers) {
    if (layer.kind === 'dense') items.push(String(layer.width));
    else if (layer.kind === 'activation') {
      const prev = items.length > 0 ? items[items.length - 1] : '';
      if (/^[0-9]+$/.test(prev)) items[items.length - 1] = `${prev}:${layer.name}`;
      else items.push(`:${layer.name}`);
    } else if (layer.kind === 'layernorm') items.push(layer.eps === 0 ? 'ln' : `ln(eps=${layer.eps})`);
    else items.push(`res(${patternRunsOf(layerItems(layer.branch)).join(' > ')}${layer.scaling === undefined && layer.alpha === 1 ? '' : `, alpha=${layer.scaling ?? layer.alpha}`})`);
  }
  return items;
}
