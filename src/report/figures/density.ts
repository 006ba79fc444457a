import type { ReportModel } from '../model.js';
import { INIT_LABELS, PANEL, figure, initColor, markName, round } from '../style.js';

/** Panel title: the gain and where it sits relative to the faithful one. */
export function slotTitle(activation: string, slot: string, gain: number): string {
  return `${activation}, g = ${gain.toFixed(3)} (${slot === 'at' ? 'at' : slot} the m₁ = 1 gain)`;
}

/**
 * Figure 2: the distribution of ln s (pooled over seeds) below, at and above the faithful gain,
 * orthogonal vs Gaussian, with the free-probability density at the fixed point q* dashed in the
 * same colour (or a dashed rule where theory predicts a point mass). One row per activation, one
 * panel per gain, each with its own x range: the spectra at different gains differ by tens of units.
 */
export function densitySpec(m: ReportModel): Record<string, unknown> {
  const { study } = m;
  const color = initColor(study.inits);
  const rows = study.activations.map((activation) => ({
    hconcat: m.slots
      .filter((s) => s.activation === activation)
      .map((slot) => {
        const dom = m.slotDomains.find((d) => d.activation === activation && d.gain === slot.gain)!;
        const pick = <T extends { activation: string; gain: number }>(xs: T[]) => xs.filter((r) => r.activation === activation && r.gain === slot.gain);
        const hist = pick(m.slotHistograms).filter((b) => b.density > 0).map((b) => ({ initLabel: INIT_LABELS[b.init], x0: b.x0, x1: b.x1, density: round(b.density, 4) }));
        // ~200 points per curve are smooth at panel size; the theory grid is finer than that
        const inDomain = pick(m.theory.densities).filter((d) => d.lnS >= dom.lo && d.lnS <= dom.hi);
        const every = Math.max(1, Math.floor(inDomain.length / (200 * study.inits.length)));
        const theory = inDomain
          .filter((_, k) => k % every === 0)
          .map((d) => ({ initLabel: INIT_LABELS[d.init], lnS: round(d.lnS, 6), density: round(d.density, 4) }));
        const masses = pick(m.theory.pointMasses)
          .filter((d) => d.lnS >= dom.lo && d.lnS <= dom.hi)
          .map((d) => ({ initLabel: INIT_LABELS[d.init], lnS: round(d.lnS, 6) }));
        const x = { type: 'quantitative', title: 'ln s', scale: { domain: [dom.lo, dom.hi], nice: false } };
        return {
          width: Math.round(PANEL.width * 0.75),
          height: Math.round(PANEL.height * 0.8),
          title: { text: slotTitle(activation, slot.slot, slot.gain), fontSize: 14 },
          layer: [
            {
              name: markName('histogram', activation, slot.slot),
              data: { values: hist },
              mark: { type: 'rect', opacity: 0.45 },
              encoding: {
                x: { field: 'x0', ...x },
                x2: { field: 'x1' },
                y: { field: 'density', type: 'quantitative', title: 'density of ln s' },
                y2: { datum: 0 },
                color,
              },
            },
            {
              name: markName('theory', activation, slot.slot),
              data: { values: theory },
              mark: { type: 'line', strokeDash: [5, 3], strokeWidth: 2, clip: true },
              encoding: { x: { field: 'lnS', ...x }, y: { field: 'density', type: 'quantitative' }, color, detail: { field: 'initLabel' } },
            },
            {
              name: markName('point_mass', activation, slot.slot),
              data: { values: masses },
              mark: { type: 'rule', strokeDash: [5, 3], strokeWidth: 2 },
              encoding: { x: { field: 'lnS', ...x }, color },
            },
          ],
        };
      }),
    spacing: 24,
  }));
  return figure(
    'Distribution of the singular values of J',
    'Bars: measured ln s pooled over seeds. Dashed: free-probability density at the fixed point q* (a dashed rule: a point mass).',
    { vconcat: rows, spacing: 28, resolve: { scale: { color: 'shared' } } },
  );
}
