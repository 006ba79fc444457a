import type { ReportModel } from '../model.js';
import { figure } from '../style.js';
import { layerProfileRows } from './qprofile.js';

/**
 * Figure 6 (issue 12): two inputs of correlation c0 through the depth: their pre-activation
 * correlation c^l measured (mean over seeds, per weight scheme) against the mean-field correlation
 * map's trajectory (black dashed), at the same gains as the density figure. Ordered: c^l -> 1
 * (the inputs become indistinguishable); chaotic: c^l -> c* < 1. null when the sweep did not measure
 * correlations (a sweep without c0).
 */
export function cProfileSpec(m: ReportModel): Record<string, unknown> | null {
  const { study } = m;
  if (study.c0 === undefined || !m.analysis.summaries.some((s) => s.c)) return null;
  const rows = layerProfileRows(m, {
    field: 'c',
    measured: (s) => s.c,
    theory: (activation, gain) => m.theory.cCurves.filter((t) => t.activation === activation && t.gain === gain).map((t) => t.c),
    keep: (v) => Number.isFinite(v),
    y: () => ({ title: 'cˡ (correlation of hˡ for the two inputs)', scale: { zero: false } }),
  });
  return figure(
    'Two inputs through the depth: their correlation',
    `Two inputs of correlation c⁰ = ${study.c0} (both of variance q⁰) through the same networks. Coloured line and dots: measured cˡ (mean over seeds). Dashed black: the mean-field correlation map cˡ⁺¹ = C(cˡ) from the same c⁰. Ordered phase: cˡ → 1 (the inputs merge); chaotic: cˡ → c* < 1. Gaussian weights: a finite net's cˡ random-walks around the theory (its scatter grows like √(l/N)); orthogonal linear layers keep inner products exactly.`,
    { vconcat: rows, spacing: 28, resolve: { scale: { color: 'shared' } } },
  );
}
