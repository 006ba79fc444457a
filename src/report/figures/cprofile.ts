import type { ReportModel } from '../model.js';
import { INIT_LABELS, PANEL, THEORY_DASH, THEORY_LABEL, colorDatum, figure, initColor, markName, round } from '../style.js';
import { slotTitle } from './density.js';

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
  const color = initColor(study.inits, 'weights', THEORY_LABEL);
  const every = Math.max(1, Math.ceil(study.depth / 15));
  const rows = study.activations.map((activation) => ({
    hconcat: m.slots
      .filter((s) => s.activation === activation)
      .map((slot) => {
        const measured = m.analysis.summaries
          .filter((s) => s.activation === activation && s.gain === slot.gain && s.c)
          .flatMap((s) => s.c!.map((c, l) => ({ initLabel: INIT_LABELS[s.init], layer: l + 1, c: round(c, 5) })))
          .filter((r) => Number.isFinite(r.c));
        const theory = m.theory.cCurves
          .filter((t) => t.activation === activation && t.gain === slot.gain)
          .map((t) => ({ layer: t.layer, c: round(t.c, 5) }))
          .filter((r) => Number.isFinite(r.c));
        const y = { field: 'c', type: 'quantitative', title: 'cˡ (correlation of hˡ for the two inputs)', scale: { zero: false } };
        const x = { field: 'layer', type: 'quantitative', title: 'layer l', scale: { domain: [1, study.depth], nice: false } };
        return {
          width: Math.round(PANEL.width * 0.75),
          height: Math.round(PANEL.height * 0.8),
          title: { text: slotTitle(activation, slot.slot, slot.gain), fontSize: 14 },
          layer: [
            { name: markName('mean_field', activation, slot.slot), data: { values: theory }, mark: { type: 'line', strokeDash: THEORY_DASH, strokeWidth: 2.2, opacity: 0.85 }, encoding: { x, y, color: colorDatum(color, THEORY_LABEL) } },
            { name: markName('measured', activation, slot.slot), data: { values: measured }, mark: { type: 'line', strokeWidth: 1.4, opacity: 0.95 }, encoding: { x, y, color } },
            {
              name: markName('measured_points', activation, slot.slot),
              data: { values: measured.filter((r) => (r.layer - 1) % every === 0 || r.layer === study.depth) },
              mark: { type: 'point', filled: true, size: 26, opacity: 1, stroke: 'white', strokeWidth: 0.6 },
              encoding: { x, y, color },
            },
          ],
        };
      }),
    spacing: 24,
  }));
  return figure(
    'Two inputs through the depth: their correlation',
    `Two inputs of correlation c⁰ = ${study.c0} (both of variance q⁰) through the same networks. Coloured line and dots: measured cˡ (mean over seeds). Dashed black: the mean-field correlation map cˡ⁺¹ = C(cˡ) from the same c⁰. Ordered phase: cˡ → 1 (the inputs merge); chaotic: cˡ → c* < 1. Gaussian weights: a finite net's cˡ random-walks around the theory (its scatter grows like √(l/N)); orthogonal linear layers keep inner products exactly.`,
    { vconcat: rows, spacing: 28, resolve: { scale: { color: 'shared' } } },
  );
}
