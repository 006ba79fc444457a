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

export type Layer = DenseLayer | ActivationLayer;

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
    } else {
      if (!open) throw new Error('stagesOf: an activation must follow a dense layer (parseArch checks this)');
      out[out.length - 1].activation = layer.name;
      open = false;
    }
  }
  return out;
}

/** N_0, N_1, ..., N_L */
export function widthsOf(net: LayerList): number[] {
  return [net.input, ...net.layers.filter((l): l is DenseLayer => l.kind === 'dense').map((l) => l.width)];
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
  const items: string[] = [];
  for (const st of stagesOf(net)) {
    const act = st.activation === 'linear' ? '' : `:${st.activation}`;
    items.push(`${st.width}${act}`);
  }
  // runs of equal items as "item x k"
  const runs: string[] = [];
  for (let i = 0; i < items.length; ) {
    let j = i;
    while (j < items.length && items[j] === items[i]) j++;
    runs.push(j - i > 1 ? `${items[i]} x ${j - i}` : items[i]);
    i = j;
  }
  return [String(net.input), ...runs].join(' > ');
}
