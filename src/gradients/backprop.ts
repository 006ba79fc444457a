import { exactGemv } from '../linalg/select.js';
import { norm2 } from '../linalg/vector.js';
import { drawWidths, type BaseDraws } from '../network/sampler.js';
import type { ForwardTrace } from '../network/forward.js';

/**
 * Per-layer gradient norms for the loss E = e . x^L (docs/science.md section 2):
 * delta^L = D^L e, delta^l = D^l (W^{l+1})^T delta^{l+1}, |dE/dW^l|_F = |delta^l| |x^{l-1}|,
 * dE/dx^0 = (W^1)^T delta^1 = J^T e. Norms are carried as logs (the vector is renormalized each
 * layer) so vanishing or exploding gradients at any depth stay representable.
 */
export interface GradientProfile {
  /** ln |delta^l|, l = 1..L (index l-1) */
  logDelta: number[];
  /** ln |dE/dW^l|_F */
  logWeightGrad: number[];
  /** ln |dE/dx^0| = ln |J^T e| */
  logInputGrad: number;
}

/**
 * `gain` is the network's gain (every layer's) or, for a layer list with its own gain factors, the
 * gain of each layer (layerScale(p, l).gain).
 */
export function backprop(draws: BaseDraws, trace: ForwardTrace, gain: number | readonly number[]): GradientProfile {
  const L = draws.weights.length;
  const widths = drawWidths(draws);
  const logDelta = new Array<number>(L);
  const lnGainOf = typeof gain === 'number' ? ((lnG: number) => () => lnG)(Math.log(gain)) : (l: number) => Math.log(gain[l]);
  const { gemvT } = exactGemv(); // gemm.ts's, or its bitwise compiled port
  let v: Float64Array = Float64Array.from(draws.outputError);
  let logScale = 0;
  for (let l = L - 1; l >= 0; l--) {
    const n = widths[l + 1];
    if (l < L - 1) {
      const tmp = new Float64Array(n);
      gemvT(draws.weights[l + 1], v, tmp);
      v = tmp;
      logScale += lnGainOf(l + 1);
    }
    const d = trace.dphi[l];
    for (let i = 0; i < n; i++) v[i] *= d[i];
    const nrm = norm2(v);
    logScale += Math.log(nrm);
    logDelta[l] = logScale;
    if (nrm > 0) for (let i = 0; i < n; i++) v[i] /= nrm;
  }
  const tmp = new Float64Array(widths[0]);
  gemvT(draws.weights[0], v, tmp);
  const logInputGrad = logScale + lnGainOf(0) + Math.log(norm2(tmp));
  const logWeightGrad = logDelta.map((ld, l) => ld + Math.log(trace.xNorm[l]));
  return { logDelta, logWeightGrad, logInputGrad };
}
