import type { ReportModel } from '../model.js';
import { INIT_LABELS, PANEL, decadeTicks, figure, initColor, markName, round } from '../style.js';
import { slotTitle } from './density.js';

/**
 * Figure 5: the pre-activation variance q^l = |h^l|^2/N through the depth, measured (mean over
 * seeds, per weight scheme) against the mean-field length map q^l = V(q^(l-1)) (black dashed), at
 * the same gains as the density figure. Log y: below the edge of chaos q^l decays algebraically
 * (tanh, sigma_b = 0: q^l ~ 1/(2l)) or geometrically, which only a log axis shows.
 */
export function qProfileSpec(m: ReportModel): Record<string, unknown> {
  const { study } = m;
  const color = initColor(study.inits, 'measured');
  const rows = study.activations.map((activation) => ({
    hconcat: m.slots
      .filter((s) => s.activation === activation)
      .map((slot) => {
        const measured = m.analysis.summaries
          .filter((s) => s.activation === activation && s.gain === slot.gain)
          .flatMap((s) => s.q.map((q, l) => ({ initLabel: INIT_LABELS[s.init], layer: l + 1, q: round(q, 5) })))
          .filter((r) => r.q > 0 && Number.isFinite(r.q));
        const theory = m.theory.qCurves
          .filter((t) => t.activation === activation && t.gain === slot.gain)
          .map((t) => ({ layer: t.layer, q: round(t.q, 5) }))
          .filter((r) => r.q > 0 && Number.isFinite(r.q));
        const x = { field: 'layer', type: 'quantitative', title: 'layer l', scale: { domain: [1, study.depth], nice: false } };
        return {
          width: Math.round(PANEL.width * 0.75),
          height: Math.round(PANEL.height * 0.8),
          title: { text: slotTitle(activation, slot.slot, slot.gain), fontSize: 14 },
          layer: [
            {
              name: markName('measured', activation, slot.slot),
              data: { values: measured },
              mark: { type: 'line', strokeWidth: 2.5, opacity: 0.85 },
              encoding: { x, y: { field: 'q', type: 'quantitative', scale: { type: 'log' }, title: 'qˡ = |hˡ|²/N (log scale)', axis: { format: '.0e', values: decadeTicks([...measured, ...theory].map((r) => r.q)) } }, color },
            },
            { name: markName('mean_field', activation, slot.slot), data: { values: theory }, mark: { type: 'line', color: '#000000', strokeDash: [5, 3], strokeWidth: 1.8 }, encoding: { x, y: { field: 'q', type: 'quantitative' } } },
          ],
        };
      }),
    spacing: 24,
  }));
  return figure(
    'Pre-activation variance through the depth',
    'Coloured: measured (mean over seeds). Dashed black: mean-field length map from the same q⁰.',
    { vconcat: rows, spacing: 28, resolve: { scale: { color: 'shared' } } },
  );
}
