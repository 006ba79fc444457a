import { SpecError } from '../spec/errors.js';
import { gaussianMoments, type GaussianMoments } from './gaussian-moments.js';
import { S1, lnSquare, logAddExp } from './trajectory.js';
import { correlationMap } from './correlation.js';
import type { Stage } from '../network/layers.js';

/**
 * Mean-field theory of a layer list (issue 11 part 4): the length map and chi through layers that
 * differ in width, activation, gain, bias std and init (docs/science.md sections 5-6, layer by layer).
 *
 * A dense layer of fan-in n and fan-out m at gain g multiplies the mean square of a vector by the
 * effective sigma^2 = g^2 forward (per unit) and backward (|W^T u|^2), except for an orthogonal W
 * with m > n (orthonormal columns, torch's convention), whose entries have variance 1/m instead of
 * 1/n: sigma^2 = g^2 n/m both ways. So, with q0 = |x^0|^2/N_0,
 *   q^1 = sigma_1^2 q0 + b_1^2,   q^l = sigma_l^2 E[phi_{l-1}(h)^2]_{h ~ N(0, q^{l-1})} + b_l^2,
 *   chi_l = sigma_l^2 mu_1,l(q^l)   (mu_1 of layer l's activation; 1 for a linear layer),
 *   E|J^T e|^2 = prod_l chi_l for a unit e, |J|_F^2 = N_L prod_l chi_l,
 * and m1 (the mean of s^2 over J's min(N_0, N_L) singular values) = (N_L / min(N_0, N_L)) prod chi_l.
 * Per-layer gradients: |delta^L|^2 = mu_1,L, |delta^l|^2 = sigma_{l+1}^2 mu_1,l |delta^{l+1}|^2.
 * The free-probability var_sq_norm = sum_l (mu_2/mu_1^2 - 1 - s1) holds for square layers (any mix
 * of activations and inits: S-transforms of free factors multiply); for rectangular layers the
 * weight Gram matrices are not square and that sum does not apply: varSqNorm is null.
 */
export interface LayerTrajectory {
  q0: number;
  /** q^l, l = 1..L */
  q: number[];
  lnQ: number[];
  /** effective sigma_l^2 of each dense layer (see above) */
  sigma2: number[];
  chi: number[];
  lnChi: number[];
  /** m1 over min(N_0, N_L) singular values, and its log */
  m1: number;
  lnM1: number;
  /** predicted ln |delta^l| for a unit output error */
  logGradNorm: number[];
  /** null for rectangular layer lists (see above) */
  varSqNorm: number | null;
}

/** sigma^2 of a dense layer: g^2, or g^2 n/m for an orthogonal layer with orthonormal columns (m > n). */
export function effectiveSigma2(stage: Pick<Stage, 'init' | 'width' | 'fanIn'>, gain: number): number {
  const g2 = gain * gain;
  return stage.init === 'orthogonal' && stage.width > stage.fanIn ? (g2 * stage.fanIn) / stage.width : g2;
}

/** ln of effectiveSigma2, finite for every gain > 0. */
function lnEffectiveSigma2(stage: Pick<Stage, 'init' | 'width' | 'fanIn'>, gain: number): number {
  const ln = lnSquare(gain);
  return stage.init === 'orthogonal' && stage.width > stage.fanIn ? ln + Math.log(stage.fanIn / stage.width) : ln;
}

export function layerTrajectory(stages: readonly Stage[], gain: number, q0: number): LayerTrajectory {
  if (!(gain > 0) || !Number.isFinite(gain)) throw new SpecError(`--gain must be a finite number > 0, got ${gain}`);
  if (!(q0 >= 0) || !Number.isFinite(q0)) throw new SpecError(`--q0 must be a finite number >= 0, got ${q0}`);
  const L = stages.length;
  const q: number[] = [];
  const lnQ: number[] = [];
  const sigma2: number[] = [];
  const lnSigma2: number[] = [];
  const chi: number[] = [];
  const lnChi: number[] = [];
  const mu1: number[] = [];
  let varSq = 0;
  const square = stages.every((s) => s.width === s.fanIn);
  // the moments of the last few (activation, q) pairs: a stationary stretch repeats them bitwise
  const recent: { name: string; m: GaussianMoments }[] = [];
  const moments = (name: string, x: number): GaussianMoments => {
    const hit = recent.find((r) => r.name === name && r.m.q === x);
    if (hit) return hit.m;
    const m = gaussianMoments(name, x);
    recent.unshift({ name, m });
    if (recent.length > 8) recent.pop();
    return m;
  };
  // mean square of the stream entering layer l: q0 for the input, E[phi_{l-1}^2] after
  let meanSq = q0;
  let lnMeanSq = Math.log(q0);
  for (let l = 0; l < L; l++) {
    const st = stages[l];
    const g = gain * st.gain;
    const s2 = effectiveSigma2(st, g);
    const lnS2 = lnEffectiveSigma2(st, g);
    const b2 = st.biasStd * st.biasStd;
    const ql = s2 * meanSq + b2;
    if (!Number.isFinite(ql)) {
      throw new SpecError(`q^${l + 1} = sigma^2 q + sigma_b^2 overflows float64 at layer ${l + 1} (gain ${g}): use a smaller --gain or --q0`);
    }
    q.push(ql);
    lnQ.push(ql > 0 ? Math.log(ql) : logAddExp(lnS2 + lnMeanSq, b2 > 0 ? Math.log(b2) : -Infinity));
    const m = moments(st.activation, ql);
    sigma2.push(s2);
    lnSigma2.push(lnS2);
    mu1.push(m.mu1);
    chi.push(s2 * m.mu1);
    lnChi.push(lnS2 + Math.log(m.mu1));
    varSq += m.mu2 / (m.mu1 * m.mu1) - 1 - S1[st.init];
    meanSq = m.ePhi2;
    lnMeanSq = Math.log(m.ePhi2);
  }
  const nL = stages[L - 1].width;
  const k = Math.min(stages[0].fanIn, nL);
  const lnM1 = lnChi.reduce((a, b) => a + b, 0) + Math.log(nL / k);
  const logGradNorm = new Array<number>(L);
  logGradNorm[L - 1] = 0.5 * Math.log(mu1[L - 1]);
  for (let l = L - 2; l >= 0; l--) logGradNorm[l] = logGradNorm[l + 1] + 0.5 * (lnSigma2[l + 1] + Math.log(mu1[l]));
  return { q0, q, lnQ, sigma2, chi, lnChi, m1: Math.exp(lnM1), lnM1, logGradNorm, varSqNorm: square ? varSq : null };
}

/**
 * The correlation c^l of two inputs (|x|^2/N_0 = q0 each, correlation c0) through a layer list:
 * c^1 = (sigma_1^2 q0 c0 + sigma_b,1^2) / q^1 (the input is not passed through phi), then
 * c^{l+1} = (sigma_{l+1}^2 E[phi_l(u1) phi_l(u2)]_{q^l, c^l} + sigma_b,{l+1}^2) / q^{l+1}: the
 * correlation map of layer l's activation with the next dense layer's effective scales
 * (src/theory/correlation.ts correlationMap).
 */
export function layerCorrelation(stages: readonly Stage[], gain: number, q0: number, c0: number): number[] {
  if (!(c0 >= -1 && c0 <= 1)) throw new SpecError(`--c0 must be in [-1, 1], got ${c0}`);
  const t = layerTrajectory(stages, gain, q0);
  const s1 = t.sigma2[0];
  const b1 = stages[0].biasStd ** 2;
  const c: number[] = [t.q[0] > 0 ? (s1 * q0 * c0 + b1) / t.q[0] : c0];
  for (let l = 1; l < stages.length; l++) {
    const scales = { sigmaW: Math.sqrt(t.sigma2[l]), sigmaB: stages[l].biasStd };
    c.push(correlationMap(stages[l - 1].activation, scales, t.q[l - 1], c[l - 1]).c);
  }
  return c;
}
