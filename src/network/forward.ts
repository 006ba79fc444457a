import { exactGemv } from '../linalg/select.js';
import { dot } from '../linalg/vector.js';
import { activation } from './activations.js';
import { drawWidths, type BaseDraws } from './sampler.js';
import { hasBlocks, stagesOf, type LayerList } from './layers.js';
import type { ActivationName } from '../spec/types.js';

/** The parameters that turn base draws into a network (docs/science.md section 2). */
export interface ScaleParams {
  activation: ActivationName;
  gain: number;
  biasStd: number;
  /** resolved input variance |x0|^2/N_0 */
  q0: number;
  /**
   * Layer lists: each layer's activation, gain factor (the layer's gain is `gain` times it) and bias
   * std, which then replace `activation` and `biasStd`. Absent: every layer is (activation, 1, biasStd).
   */
  layers?: readonly LayerScale[];
  /**
   * A layer list with residual blocks or layernorm layers (hasBlocks): the network itself, measured
   * by the block engine (src/network/blocks.ts); `layers` is then absent.
   */
  net?: LayerList;
}

export interface LayerScale {
  activation: ActivationName;
  gain: number;
  biasStd: number;
}

/**
 * The scale parameters of a network at gain g: a layer list's per-layer activations, gain factors
 * and bias stds, or the constant-width MLP's (activation, biasStd) at every layer.
 */
export function scaleParams(net: { activation: ActivationName; biasStd: number; arch?: LayerList }, gain: number, q0: number): ScaleParams {
  const p: ScaleParams = { activation: net.activation, gain, biasStd: net.biasStd, q0 };
  if (net.arch && hasBlocks(net.arch)) p.net = net.arch;
  else if (net.arch) p.layers = stagesOf(net.arch).map((st) => ({ activation: st.activation, gain: st.gain, biasStd: st.biasStd }));
  return p;
}

/** Layer l's activation, gain and bias std. */
export function layerScale(p: ScaleParams, l: number): LayerScale {
  if (!p.layers) return { activation: p.activation, gain: p.gain, biasStd: p.biasStd };
  const s = p.layers[l];
  return { activation: s.activation, gain: p.gain * s.gain, biasStd: s.biasStd };
}

/** What the forward pass leaves for the Jacobian and backprop. */
export interface ForwardTrace {
  /** dphi[l] = diag of D^{l+1} (layers are 1-based in the text, 0-based here) */
  dphi: Float64Array[];
  /** lnDphi[l] = ln dphi[l], exact where dphi under- or overflows; -Infinity where phi' = 0 */
  lnDphi: Float64Array[];
  /** q[l] = |h^{l+1}|^2 / N, the empirical pre-activation variance */
  q: number[];
  /** xNorm[l] = |x^l| for l = 0..L (x^0 is the input) */
  xNorm: number[];
  /** number of units with phi' != 0 in each layer (N for tanh, linear) */
  active: number[];
  /** pre-activations h^{l+1}, only with forward(..., { keepPreActivations: true }) (reference tests) */
  pre?: Float64Array[];
}

export function forward(draws: BaseDraws, p: ScaleParams, opts: { keepPreActivations?: boolean } = {}): ForwardTrace {
  const widths = drawWidths(draws);
  const n0 = widths[0];
  let x: Float64Array = new Float64Array(n0);
  const r0 = Math.sqrt(n0 * p.q0);
  for (let i = 0; i < n0; i++) x[i] = r0 * draws.inputDirection[i];
  const trace: ForwardTrace = { dphi: [], lnDphi: [], q: [], xNorm: [Math.sqrt(dot(x, 0, x, 0, n0))], active: [] };
  let h = new Float64Array(widths[1]);
  // gemm.ts's gemv, or its bitwise compiled port
  const { gemv } = exactGemv();
  for (let l = 0; l < draws.weights.length; l++) {
    const n = widths[l + 1];
    if (h.length !== n) h = new Float64Array(n);
    const { activation: name, gain, biasStd } = layerScale(p, l);
    const act = activation(name);
    gemv(draws.weights[l], x, h);
    const b = draws.biases[l];
    for (let i = 0; i < n; i++) h[i] = gain * h[i] + biasStd * b[i];
    const d = new Float64Array(n);
    const lnd = new Float64Array(n);
    const xNext = new Float64Array(n);
    act.apply(h, xNext, d, lnd);
    let active = 0;
    for (let i = 0; i < n; i++) if (lnd[i] > -Infinity) active++;
    trace.dphi.push(d);
    trace.lnDphi.push(lnd);
    trace.q.push(dot(h, 0, h, 0, n) / n);
    trace.xNorm.push(Math.sqrt(dot(xNext, 0, xNext, 0, n)));
    trace.active.push(active);
    if (opts.keepPreActivations) (trace.pre ??= []).push(Float64Array.from(h));
    x = xNext;
  }
  return trace;
}
