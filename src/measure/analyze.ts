import { runSpectrum, type SpectrumRun } from './run-spectrum.js';
import type { MeasureOptions } from './network.js';
import { fixedPointInput, meanFieldTrajectory } from '../theory/index.js';
import { lnSquare } from '../theory/trajectory.js';
import type { NetworkSpec } from '../spec/types.js';
import { layerTrajectory, layerCorrelation } from '../theory/layer-trajectory.js';
import { correlationTrajectory } from '../theory/correlation.js';
import { hasBlocks, stagesOf } from '../network/layers.js';
import { blockTrajectory } from '../theory/block-trajectory.js';
import type { SpectrumTheoryBlock } from '../io/spectrum-document.js';

/** The numeric input variance for a spec: q0 itself, or the fixed point's (q* - sigma_b^2)/g^2. */
export function resolveQ0(spec: NetworkSpec): number {
  if (spec.q0 !== 'fixed-point') return spec.q0;
  return fixedPointInput(spec.activation, { sigmaW: spec.gain, sigmaB: spec.biasStd });
}

/** Mean-field predictions along the same finite-depth trajectory the measured networks follow. */
export function theoryBlock(spec: NetworkSpec, q0: number, c0?: number): SpectrumTheoryBlock | undefined {
  // residual blocks and layernorm layers: their unit-by-unit trajectory, where the theory has one
  if (spec.arch && hasBlocks(spec.arch)) {
    const b = blockTrajectory(spec.arch, spec.gain, q0);
    if (!b.ok) return undefined;
    const t = b.trajectory;
    return { m1: t.m1, ln_m1: t.lnM1, var_sq_norm: null, q: t.q, chi: t.chi, logGradNorm: t.logGradNorm };
  }
  if (spec.arch) {
    const stages = stagesOf(spec.arch);
    const t = layerTrajectory(stages, spec.gain, q0);
    const c = c0 === undefined ? {} : { c: layerCorrelation(stages, spec.gain, q0, c0) };
    return { m1: t.m1, ln_m1: t.lnM1, var_sq_norm: t.varSqNorm, q: t.q, chi: t.chi, logGradNorm: t.logGradNorm, ...c };
  }
  const t = meanFieldTrajectory({ activation: spec.activation, sigmaW: spec.gain, sigmaB: spec.biasStd, depth: spec.depth, q0 });
  const chiL = t.chi[spec.depth - 1];
  // the expression eoc always used where chi_L is an ordinary number; the logs where it is not
  const lnMu1L =
    chiL > 1e-300 && chiL < 1e300 ? Math.log(chiL) - 2 * Math.log(spec.gain) : t.lnChi[spec.depth - 1] - lnSquare(spec.gain);
  return {
    m1: t.m1,
    ln_m1: t.lnM1,
    var_sq_norm: t.varSqNorm[spec.init],
    q: t.q,
    chi: t.chi,
    // ln |delta^l| for a unit output error: |delta^L|^2 = mu_1(q^L) = chi_L / sigma_w^2, and the
    // profile ln(|delta^l|/|delta^L|) carries it back. Taken from ln chi_L, so it stays finite
    // where chi_L under- or overflows (gain 1e-300).
    logGradNorm: t.lnGradNormProfile.map((v) => v + lnMu1L / 2),
    ...(c0 === undefined ? {} : { c: correlationTrajectory(spec.activation, { sigmaW: spec.gain, sigmaB: spec.biasStd }, spec.depth, q0, c0).c }),
  };
}

/** One configuration measured over its seeds, with the mean-field prediction beside it. */
export function analyzeSpectrum(
  spec: NetworkSpec,
  opts: MeasureOptions & { onSample?: (done: number, total: number) => void } = {},
): { run: SpectrumRun; theory: SpectrumTheoryBlock | undefined } {
  const q0 = resolveQ0(spec);
  const run = runSpectrum(spec, q0, opts);
  return { run, theory: theoryBlock(spec, q0) };
}
