import { SpecError } from '../spec/errors.js';
import { message } from '../log/message.js';
import type { BranchLayer, Layer, LayerList, ResidualLayer } from './layers.js';

/**
 * The residual layer kind (src/network/layers.ts ResidualLayer): x -> x + alpha F(x), F a branch of
 * dense, activation and layernorm layers that returns to the stream's width. Its Jacobian is
 * I + alpha J_F (src/network/blocks.ts forms it), its backward map v -> v + J_F^T (alpha v).
 *
 * Branch scalings (alpha=PRESET in --arch; L is the number of residual blocks in the list):
 *   NUMBER       alpha itself (default 1: the plain residual block)
 *   1/sqrt(L)    alpha = L^-1/2 (Hayou et al. 2021, "Stable ResNet")
 *   1/L          alpha = 1/L (the neural-ODE scaling; Marion et al. 2022, "Scaling ResNets in the
 *                large-depth regime")
 *   skipinit     alpha = 0 (De & Smith 2020, SkipInit; ReZero, Bachlechner et al. 2020, likewise
 *                starts its learnable alpha at 0): every block is the identity at initialization
 *   fixup        alpha = 1 with the branch's last dense layer at zero and its other m - 1 dense
 *                layers' gains times L^(-1/(2m-2)) (Zhang, Dauphin & Ma 2019, Fixup; m >= 2 dense
 *                layers in the branch): also the identity at initialization
 *   deepnorm     DeepNorm's post-LN block LN(a x + G(x)) with a = (2L)^(1/4) and G's dense gains
 *                times b = (8L)^(-1/4) (Wang et al. 2022, DeepNet, the encoder-only constants): the
 *                block must be followed by a layernorm, and since LN(a z) with eps is LN(z) with
 *                eps / a^2, it is written exactly as x + (1/a) G(x) followed by ln(eps / a^2)
 */
export const RESIDUAL_SCALINGS = ['1/sqrt(L)', '1/L', 'skipinit', 'fixup', 'deepnorm'] as const;
export type ResidualScaling = (typeof RESIDUAL_SCALINGS)[number];

function canonicalScaling(raw: string): ResidualScaling | undefined {
  const v = raw.replace(/\s+/g, '').toLowerCase();
  if (v === '1/sqrt(l)' || v === 'l^-1/2' || v === 'l^-0.5') return '1/sqrt(L)';
  if (v === '1/l' || v === 'l^-1') return '1/L';
  if (v === 'skipinit' || v === 'rezero' || v === 'zero') return 'skipinit';
  if (v === 'fixup') return 'fixup';
  if (v === 'deepnorm') return 'deepnorm';
  return undefined;
}

/** The largest |alpha| a block may take. */
export const ALPHA_MAX = 100;

/**
 * A list with every residual block's alpha resolved: blocks whose alpha is NaN carry a preset's name
 * in `scaling` (from resolveArch) and get its alpha and, for fixup and deepnorm, its branch gains and
 * (deepnorm) the following layernorm's eps. Blocks already resolved are left as they are, so
 * resolving a resolved list changes nothing.
 */
export function resolveResidualScalings(net: LayerList, option = '--arch'): LayerList {
  const L = net.layers.filter((l) => l.kind === 'residual').length;
  const layers: Layer[] = net.layers.map((l) => (l.kind === 'residual' ? { ...l, branch: l.branch.map((b) => ({ ...b })) } : { ...l }));
  let block = 0;
  layers.forEach((l, i) => {
    if (l.kind !== 'residual') return;
    block++;
    const fail = (why: string): never => {
      throw new SpecError(message.archLayer(option, `residual block ${block} (layer ${i})`, why));
    };
    if (!Number.isNaN(l.alpha)) {
      if (!(Math.abs(l.alpha) <= ALPHA_MAX)) fail(`alpha must be a number in [-${ALPHA_MAX}, ${ALPHA_MAX}], got ${l.alpha}`);
      return;
    }
    const preset = canonicalScaling(l.scaling ?? '');
    if (!preset) fail(`unknown alpha '${l.scaling}' (give a number or one of ${RESIDUAL_SCALINGS.join(', ')})`);
    l.scaling = preset;
    applyScaling(l, preset!, L, layers[i + 1], fail);
  });
  return { input: net.input, layers };
}

function applyScaling(block: ResidualLayer, preset: ResidualScaling, L: number, next: Layer | undefined, fail: (why: string) => never): void {
  const dense = block.branch.filter((b): b is Extract<BranchLayer, { kind: 'dense' }> => b.kind === 'dense');
  switch (preset) {
    case '1/sqrt(L)':
      block.alpha = 1 / Math.sqrt(L);
      return;
    case '1/L':
      block.alpha = 1 / L;
      return;
    case 'skipinit':
      block.alpha = 0;
      return;
    case 'fixup': {
      const m = dense.length;
      if (m < 2) fail(`fixup scales a branch of m >= 2 dense layers by L^(-1/(2m-2)); this branch has ${m}`);
      block.alpha = 1;
      const c = L ** (-1 / (2 * m - 2));
      dense.forEach((d, k) => (d.gain = k === m - 1 ? 0 : d.gain * c));
      return;
    }
    case 'deepnorm': {
      if (next?.kind !== 'layernorm') fail("deepnorm is a post-LN scaling: follow the block with a layernorm (write 'res(...) > ln')");
      const a = (2 * L) ** 0.25;
      const b = (8 * L) ** -0.25;
      block.alpha = 1 / a;
      for (const d of dense) d.gain *= b;
      // LN(a z) with eps = LN(z) with eps / a^2 (exactly: (a z - a mean) / sqrt(a^2 var + eps))
      if (next!.kind === 'layernorm') next!.eps = next!.eps / (a * a);
      return;
    }
  }
}

/**
 * The alphas a list's alpha axis multiplies (eoc sweep --alphas, eoc check's recommended alpha):
 * each residual block's alpha, or 1 for every block when they all start at 0 (skipinit), so that
 * scale t means alpha = t there.
 */
export function alphaBase(net: LayerList): number[] {
  const alphas = net.layers.flatMap((l) => (l.kind === 'residual' ? [l.alpha] : []));
  return alphas.every((a) => a === 0) ? alphas.map(() => 1) : alphas;
}

/** The list with every residual block's alpha set to t times its base (alphaBase). */
export function scaleAlphas(net: LayerList, base: readonly number[], t: number): LayerList {
  let b = 0;
  const layers: Layer[] = net.layers.map((l) => (l.kind === 'residual' ? { ...l, alpha: t * base[b++] } : l));
  return { input: net.input, layers };
}
