import type { ReportModel } from '../model.js';
import type { GainSummary } from '../analysis.js';
import { INIT_LABELS, PANEL, THEORY_DASH, THEORY_LABEL, colorDatum, decadeTicks, figure, initColor, markName, round } from '../style.js';
import { slotTitle } from './density.js';

/**
 * One quantity per layer through the depth at the density figure's gains: measured (mean over
 * seeds, per weight scheme; a line with a marker every few layers) over its mean-field curve
 * (black dashed). Shared by the q^l and c^l figures.
 */
export function layerProfileRows(
  m: ReportModel,
  o: {
    /** the data field of the values ('q', 'c') */
    field: string;
    /** the per-layer values of one gain summary, or undefined where it has none */
    measured: (s: GainSummary) => number[] | undefined;
    theory: (activation: string, gain: number) => number[];
    keep: (v: number) => boolean;
    y: (values: number[]) => Record<string, unknown>;
  },
): Record<string, unknown>[] {
  const { study } = m;
  const color = initColor(study.inits, 'weights', THEORY_LABEL);
  // a marker every few layers (about 15 per curve) over the measured line
  const every = Math.max(1, Math.ceil(study.depth / 15));
  return study.activations.map((activation) => ({
    hconcat: m.slots
      .filter((s) => s.activation === activation)
      .map((slot) => {
        const measured = m.analysis.summaries
          .filter((s) => s.activation === activation && s.gain === slot.gain)
          .flatMap((s) => (o.measured(s) ?? []).map((v, l) => ({ initLabel: INIT_LABELS[s.init], layer: l + 1, [o.field]: round(v, 5) })))
          .filter((r) => o.keep(r[o.field] as number));
        const theory = o
          .theory(activation, slot.gain)
          .map((v, l) => ({ layer: l + 1, [o.field]: round(v, 5) }))
          .filter((r) => o.keep(r[o.field]));
        const y = { field: o.field, type: 'quantitative', ...o.y([...measured, ...theory].map((r) => r[o.field] as number)) };
        const x = { field: 'layer', type: 'quantitative', title: 'layer l', scale: { domain: [1, study.depth], nice: false } };
        return {
          width: Math.round(PANEL.width * 0.75),
          height: Math.round(PANEL.height * 0.8),
          title: { text: slotTitle(activation, slot.slot, slot.gain), fontSize: 14 },
          // theory first, measurement over it: where they agree (orthogonal nets, most gains) the
          // black dashes show beside the thin measured line and between its markers
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
}

/**
 * Figure 5: the pre-activation variance q^l = |h^l|^2/N through the depth, measured (mean over
 * seeds, per weight scheme) against the mean-field length map q^l = V(q^(l-1)) (black dashed), at
 * the same gains as the density figure. Log y: below the edge of chaos q^l decays algebraically
 * (tanh, sigma_b = 0: q^l ~ 1/(2l)) or geometrically, which only a log axis shows.
 */
export function qProfileSpec(m: ReportModel): Record<string, unknown> {
  const rows = layerProfileRows(m, {
    field: 'q',
    measured: (s) => s.q,
    theory: (activation, gain) => m.theory.qCurves.filter((t) => t.activation === activation && t.gain === gain).map((t) => t.q),
    keep: (v) => v > 0 && Number.isFinite(v),
    y: (values) => ({ scale: { type: 'log' }, title: 'qˡ = |hˡ|²/N (log scale)', axis: { format: '.0e', values: decadeTicks(values) } }),
  });
  return figure(
    'Pre-activation variance through the depth',
    'Coloured line and dots: measured (mean over seeds), drawn over the theory. Dashed black: mean-field length map qˡ = V(qˡ⁻¹) from the same q⁰.',
    { vconcat: rows, spacing: 28, resolve: { scale: { color: 'shared' } } },
  );
}
