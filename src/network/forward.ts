import { gemv } from '../linalg/gemm.js';
import { dot } from '../linalg/vector.js';
import { activation } from './activations.js';
import type { BaseDraws } from './sampler.js';
import type { ActivationName } from '../spec/types.js';

/** The parameters that turn base draws into a network (SCIENCE.md section 2). */
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
  /** q[l] = |h^{l+1}|^2 / N, the empirical pre-activation variance */
  q: number[];
  /** xNorm[l] = |x^l| for l = 0..L (x^0 is the input) */
  xNorm: number[];
  /** number of units with phi' != 0 in each layer (N for tanh, linear) */
  active: number[];
}

export function forward(draws: BaseDraws, p: ScaleParams): ForwardTrace {
  const n = draws.width;
  const act = activation(p.activation);
  let x: Float64Array = new Float64Array(n);
  const r0 = Math.sqrt(n * p.q0);
  for (let i = 0; i < n; i++) x[i] = r0 * draws.inputDirection[i];
  const h = new Float64Array(n);
  const trace: ForwardTrace = { dphi: [], q: [], xNorm: [Math.sqrt(dot(x, 0, x, 0, n))], active: [] };
  for (let l = 0; l < draws.weights.length; l++) {
    gemv(draws.weights[l], x, h);
    const b = draws.biases[l];
    for (let i = 0; i < n; i++) h[i] = p.gain * h[i] + p.biasStd * b[i];
    const d = new Float64Array(n);
    const xNext = new Float64Array(n);
    act.apply(h, xNext, d);
    let active = 0;
    for (let i = 0; i < n; i++) if (d[i] !== 0) active++;
    trace.dphi.push(d);
    trace.q.push(dot(h, 0, h, 0, n) / n);
    trace.xNorm.push(Math.sqrt(dot(xNext, 0, xNext, 0, n)));
    trace.active.push(active);
    x = xNext;
  }
  return trace;
}
