// The theory engine's public API (src/theory); this file only searches its predicted ln m1 for a root in g.
import { meanFieldTrajectory, fixedPointInput } from '../theory/index.js';
import { SpecError } from '../spec/errors.js';
import { brentRoot } from '../numeric/roots.js';
import type { SweepPoint } from './grid.js';
import { layerTrajectory } from '../theory/layer-trajectory.js';
import { hasBlocks, stagesOf } from '../network/layers.js';
import { blockTrajectory } from '../theory/block-trajectory.js';

/** The mean-field prediction of the m1 = 1 gain beside the measured one. */
export interface MeanFieldGain {
  gain: number | null;
  note: string;
}

/** The numeric input variance at gain g: q0 itself, or (q* - sigma_b^2)/g^2 from the theory. */
export function inputVariance(point: SweepPoint, q0: number | 'fixed-point', gain: number): number {
  if (q0 !== 'fixed-point') return q0;
  return fixedPointInput(point.activation, { sigmaW: gain, sigmaB: point.biasStd });
}

/** Mean-field ln m1 = sum_l ln chi_l along the trajectory from q0 (docs/science.md section 5). */
export function meanFieldLnM1(point: SweepPoint, q0: number | 'fixed-point', gain: number): number {
  if (point.arch) {
    if (q0 === 'fixed-point') throw new SpecError('--q0 fixed-point: a layer list has no single fixed point; give --q0 a number');
    if (hasBlocks(point.arch)) {
      const t = blockTrajectory(point.arch, gain, q0);
      if (!t.ok) throw new SpecError(`no mean-field theory for this residual/layernorm list: ${t.reason}`);
      return t.trajectory.lnM1;
    }
    return layerTrajectory(stagesOf(point.arch), gain, q0).lnM1;
  }
  return meanFieldTrajectory({ activation: point.activation, sigmaW: gain, sigmaB: point.biasStd, depth: point.depth, q0 }).lnM1;
}

/**
 * The root in g of the theory's ln m1(g) inside [gains[0], gains[last]]: bracketed on the grid,
 * refined by Brent to 1e-12 (evaluations are cheap). The theory does not depend on the weight
 * scheme, so orthogonal and Gaussian points share it.
 */
export function meanFieldM1Gain(point: SweepPoint, q0: number | 'fixed-point', gains: readonly number[]): MeanFieldGain {
  const lnM1 = (g: number) => meanFieldLnM1(point, q0, g);
  // the grid is read from below and only as far as the first bracket (the root reported is the
  // lowest one, so the points above it are not needed unless there is none)
  const f: number[] = [];
  try {
    if (gains.length > 0) f.push(lnM1(gains[0]));
    for (let i = 0; i + 1 < gains.length; i++) {
      if (f[i] === 0) return { gain: gains[i], note: '' };
      f.push(lnM1(gains[i + 1]));
      if (f[i] * f[i + 1] < 0) return { gain: brentRoot(lnM1, gains[i], gains[i + 1], f[i], f[i + 1], 1e-12).x, note: '' };
    }
  } catch (e) {
    if (e instanceof SpecError) return { gain: null, note: `mean field unavailable: ${e.message}` };
    throw e;
  }
  if (f[f.length - 1] === 0) return { gain: gains[gains.length - 1], note: '' };
  const r = `[${gains[0]}, ${gains[gains.length - 1]}]`;
  if (f.every((v) => v > 0)) return { gain: null, note: `no mean-field root in ${r}: predicted ln m1 > 0 everywhere` };
  if (f.every((v) => v < 0)) return { gain: null, note: `no mean-field root in ${r}: predicted ln m1 < 0 everywhere` };
  return { gain: null, note: `no mean-field root in ${r}: predicted ln m1 is not finite` };
}
