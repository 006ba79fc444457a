import { gemv } from '../linalg/gemm.js';
import { dot } from '../linalg/vector.js';
import { activation } from './activations.js';
import type { BaseDraws } from './sampler.js';
import type { ActivationName } from '../spec/types.js';

/** The parameters that turn base draws into a network (docs/science.md section 2). */
export interface ScaleParams {
  activation: ActivationName;
  gain: number;
  biasStd: number;
  /** resolved input variance |x0|^2/N */
  q0: number;
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
  const n = draws.width;
  const act = activation(p.activation);
  let x: Float64Array = new Float64Array(n);
  const r0 = Math.sqrt(n * p.q0);
  for (let i = 0; i < n; i++) x[i] = r0 * draws.inputDirection[i];
  const h = new Float64Array(n);
  const trace: ForwardTrace = { dphi: [], lnDphi: [], q: [], xNorm: [Math.sqrt(dot(x, 0, x, 0, n))], active: [] };
  for (let l = 0; l < draws.weights.length; l++) {
    gemv(draws.weights[l], x, h);
    const b = draws.biases[l];
    for (let i = 0; i < n; i++) h[i] = p.gain * h[i] + p.biasStd * b[i];
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
