import { exactGemv } from '../linalg/select.js';
import { dot } from '../linalg/vector.js';
import { fillNormal, normalStream } from '../random/streams.js';
import { activation } from '../network/activations.js';
import { layerScale, type ScaleParams } from '../network/forward.js';
import { drawWidths, type BaseDraws } from '../network/sampler.js';

/**
 * Two inputs through one sampled network (issue 12; docs/science.md section 10): x_a = sqrt(N q0) u
 * with u the network's input direction, x_b = sqrt(N q0) (c0 u + sqrt(1 - c0^2) w) with w a unit
 * vector orthogonal to u (the seed's 'pair' stream, Gram-Schmidt), so both have |x|^2/N = q0 and
 * their correlation is exactly c0. Returned per layer: c^l = <h_a, h_b> / (|h_a| |h_b|), the
 * correlation of the pre-activations, which the mean-field correlation map predicts.
 */
export function pairInputs(draws: BaseDraws, q0: number, c0: number): [Float64Array, Float64Array] {
  if (!(c0 >= -1 && c0 <= 1)) throw new Error(`pairInputs: c0 must be in [-1, 1], got ${c0}`);
  const n = drawWidths(draws)[0];
  const u = draws.inputDirection;
  const w = fillNormal(new Float64Array(n), normalStream(draws.seed, 'pair'));
  const proj = dot(w, 0, u, 0, n);
  for (let i = 0; i < n; i++) w[i] -= proj * u[i];
  const nw = Math.sqrt(dot(w, 0, w, 0, n));
  const r = Math.sqrt(n * q0);
  const s = Math.sqrt(Math.max(0, 1 - c0 * c0));
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = r * u[i];
    b[i] = r * (c0 * u[i] + (n > 1 ? (s * w[i]) / nw : 0));
  }
  return [a, b];
}

export function measureCorrelation(draws: BaseDraws, p: ScaleParams, c0: number): number[] {
  const widths = drawWidths(draws);
  let [xa, xb] = pairInputs(draws, p.q0, c0);
  const out: number[] = [];
  const { gemv } = exactGemv(); // gemm.ts's, or its bitwise compiled port
  for (let l = 0; l < draws.weights.length; l++) {
    const n = widths[l + 1];
    const { activation: name, gain, biasStd } = layerScale(p, l);
    const act = activation(name);
    const ha = gemv(draws.weights[l], xa, new Float64Array(n));
    const hb = gemv(draws.weights[l], xb, new Float64Array(n));
    const bias = draws.biases[l];
    for (let i = 0; i < n; i++) {
      ha[i] = gain * ha[i] + biasStd * bias[i];
      hb[i] = gain * hb[i] + biasStd * bias[i];
    }
    const na = Math.sqrt(dot(ha, 0, ha, 0, n));
    const nb = Math.sqrt(dot(hb, 0, hb, 0, n));
    out.push(na > 0 && nb > 0 ? dot(ha, 0, hb, 0, n) / (na * nb) : NaN);
    xa = ha.map(act.phi);
    xb = hb.map(act.phi);
  }
  return out;
}
