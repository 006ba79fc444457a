import { SpecError } from '../spec/errors.js';
import { activation as activationDef } from '../activations/registry.js';
import { gaussianMoments } from './gaussian-moments.js';
import { effectiveSigma2 } from './layer-trajectory.js';
import type { BranchLayer, Layer, LayerList } from '../network/layers.js';

/**
 * Mean-field theory of a layer list with residual blocks and layernorm layers (issue 14), unit by
 * unit as the block engine measures it (src/network/blocks.ts): m is the stream's mean square
 * |x|^2/N, chi a unit's |J_u|_F^2 / N_in in the per-unit convention of src/theory/layer-trajectory.ts
 * (so |J|_F^2 = N_L prod chi and m1 = (N_L / min(N_0, N_L)) prod chi).
 *   dense (+phi):   q = sigma^2 m + sigma_b^2,  m' = E phi(h)^2,  chi = sigma^2 mu_1(q)
 *   layernorm:      m' = v/(v + eps) with v = m (a centred stream: unit mean 0), chi = 1/(v + eps)
 *                   (J = P/s; P's two removed directions are a 2/N correction at width N, which is
 *                   not compounded through a stack: successive layernorms remove nearly the same
 *                   directions. Measured, 24 post-LN DeepNorm blocks at N = 256: m1 0.997 +- 0.007,
 *                   against 0.829 with (N - 2)/N per layernorm and 1.0 without)
 *   residual:       m' = m + alpha^2 V(m),  chi = 1 + alpha^2 chi_F   (V, chi_F: the branch's m', chi
 *                   product from m): the residual length map q^{l+1} = q^l + alpha^2 V(q^l)
 * The residual map drops the cross terms 2 alpha E[x . F(x)] and 2 alpha E[v . J_F v], which vanish
 * when the branch ends with a dense layer (zero-mean weights independent of the stream); a branch
 * ending otherwise has no prediction here. The layernorm map needs a centred stream (what a dense
 * layer, an odd activation or a residual sum of them gives): a layernorm right after an activation
 * with E phi != 0 (relu, gelu, ...) has none either. Both are reported in `unavailable`.
 */
export interface BlockTrajectory {
  q0: number;
  /** per unit: the stream's mean square after it */
  q: number[];
  chi: number[];
  lnChi: number[];
  m1: number;
  lnM1: number;
  /** per unit: predicted ln |dE/dx| of the stream after it, for a unit output error */
  logGradNorm: number[];
}

export type BlockTheory = { ok: true; trajectory: BlockTrajectory } | { ok: false; reason: string };

interface State {
  m: number;
  centred: boolean;
  width: number;
}

export function blockTrajectory(net: LayerList, gain: number, q0: number): BlockTheory {
  if (!(gain > 0) || !Number.isFinite(gain)) throw new SpecError(`--gain must be a finite number > 0, got ${gain}`);
  if (!(q0 >= 0) || !Number.isFinite(q0)) throw new SpecError(`--q0 must be a finite number >= 0, got ${q0}`);
  const q: number[] = [];
  const lnChi: number[] = [];
  // the unit's chi, and the state after it
  let st: State = { m: q0, centred: true, width: net.input };
  let unitLnChi = 0;
  let open = false;
  const close = () => {
    if (open) {
      q.push(st.m);
      lnChi.push(unitLnChi);
    }
    open = true;
    unitLnChi = 0;
  };
  try {
    for (const layer of net.layers) {
      if (layer.kind !== 'activation') close();
      const r = step(layer, st, gain);
      st = r.state;
      unitLnChi += r.lnChi;
    }
    close();
  } catch (e) {
    if (e instanceof Unavailable) return { ok: false, reason: e.message };
    throw e;
  }
  const nL = st.width;
  const k = Math.min(net.input, nL);
  const lnM1 = lnChi.reduce((a, b) => a + b, 0) + Math.log(nL / k);
  const U = lnChi.length;
  const logGradNorm = new Array<number>(U);
  logGradNorm[U - 1] = 0;
  for (let u = U - 2; u >= 0; u--) logGradNorm[u] = logGradNorm[u + 1] + 0.5 * lnChi[u + 1];
  return { ok: true, trajectory: { q0, q, chi: lnChi.map(Math.exp), lnChi, m1: Math.exp(lnM1), lnM1, logGradNorm } };
}

class Unavailable extends Error {}

function step(layer: Layer, st: State, gain: number): { state: State; lnChi: number } {
  switch (layer.kind) {
    case 'dense': {
      const s2 = effectiveSigma2({ init: layer.init, width: layer.width, fanIn: st.width }, gain * layer.gain);
      const m = s2 * st.m + layer.biasStd ** 2;
      return { state: { m, centred: true, width: layer.width }, lnChi: Math.log(s2) };
    }
    case 'activation': {
      const mo = gaussianMoments(layer.name, st.m);
      return { state: { m: mo.ePhi2, centred: st.centred && activationDef(layer.name).traits.odd, width: st.width }, lnChi: Math.log(mo.mu1) };
    }
    case 'layernorm': {
      if (!st.centred) throw new Unavailable('a layernorm right after an activation with a nonzero mean (relu, gelu, ...): the mean-field layernorm map assumes a centred stream');
      const v = st.m;
      const s2 = v + layer.eps;
      return { state: { m: v / s2, centred: true, width: st.width }, lnChi: -Math.log(s2) };
    }
    case 'residual': {
      const last = layer.branch[layer.branch.length - 1];
      if (last.kind !== 'dense') throw new Unavailable('a residual branch that does not end with a dense layer: the residual length map drops cross terms only a final dense layer makes vanish');
      let b: State = { ...st };
      let lnChiF = 0;
      for (const l of layer.branch as BranchLayer[]) {
        const r = step(l, b, gain);
        b = r.state;
        lnChiF += r.lnChi;
      }
      const a2 = layer.alpha * layer.alpha;
      return { state: { m: st.m + a2 * b.m, centred: st.centred, width: st.width }, lnChi: Math.log1p(a2 * Math.exp(lnChiF)) };
    }
  }
}
