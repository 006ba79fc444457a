import type { ReportModel } from '../model.js';
import { INIT_LABELS, PANEL, figure, initColor, markName, round } from '../style.js';

/** Panel title: the gain and where it sits relative to the m1 = 1 gain. */
export function slotTitle(activation: string, slot: string, gain: number): string {
  return `${activation}, g = ${gain.toFixed(3)} (${slot === 'at' ? 'at' : slot} the m₁ = 1 gain)`;
}

type Domain = { activation: string; gain: number; lo: number; hi: number };

/**
 * One panel: histograms of both schemes on [lo, hi] (the model's slot or zoom domain), the theory
 * densities (or point masses) dashed. Full panels: density on a square-root scale.
 */
function panel(m: ReportModel, activation: string, slot: { slot: string; gain: number }, zoom: boolean): Record<string, unknown> {
  const { study } = m;
  const color = initColor(study.inits);
  const dom = (zoom ? m.zoomDomains : m.slotDomains).find((d: Domain) => d.activation === activation && d.gain === slot.gain)!;
  const pick = <T extends { activation: string; gain: number }>(xs: T[]) => xs.filter((r) => r.activation === activation && r.gain === slot.gain);
  const bins = pick(zoom ? m.zoomHistograms : m.slotHistograms);
  const hist = bins.filter((b) => b.density > 0).map((b) => ({ initLabel: INIT_LABELS[b.init], x0: b.x0, x1: b.x1, density: round(b.density, 4) }));
  // ~200 points per curve are smooth at panel size; the theory grid is finer than that
  const inDomain = pick(m.theory.densities).filter((d) => d.lnS >= dom.lo && d.lnS <= dom.hi);
  const theory = study.inits.flatMap((init) => {
    const own = inDomain.filter((d) => d.init === init);
    const every = Math.max(1, Math.floor(own.length / 200));
    return own.filter((_, k) => k % every === 0 || k === own.length - 1).map((d) => ({ initLabel: INIT_LABELS[d.init], lnS: round(d.lnS, 6), density: round(d.density, 4) }));
  });
  const masses = pick(m.theory.pointMasses)
    .filter((d) => d.lnS >= dom.lo && d.lnS <= dom.hi)
    .map((d) => ({ initLabel: INIT_LABELS[d.init], lnS: round(d.lnS, 6) }));
  const x = { type: 'quantitative', title: 'ln s', scale: { domain: [dom.lo, dom.hi], nice: false } };
  const prefix = zoom ? 'zoom_' : '';
  let title: Record<string, unknown> = { text: slotTitle(activation, slot.slot, slot.gain), fontSize: 14 };
  if (zoom) {
    // how much of each other scheme's spectrum the window shows: the zoom hides nothing silently
    const inside = study.inits
      .filter((i) => i !== 'orthogonal')
      .map((i) => `${INIT_LABELS[i]}: ${Math.round(100 * bins.filter((b) => b.init === i).reduce((a, b) => a + b.density * (b.x1 - b.x0), 0))}% of its ln s in this window`);
    title = { text: `zoom on the orthogonal spectrum, g = ${slot.gain.toFixed(3)}`, subtitle: inside.join('; '), fontSize: 14, subtitleFontSize: 12 };
  }
  return {
    width: Math.round(PANEL.width * 0.75),
    height: Math.round(PANEL.height * (zoom ? 0.7 : 0.8)),
    title,
    layer: [
      {
        name: markName(`${prefix}histogram`, activation, slot.slot),
        data: { values: hist },
        mark: { type: 'rect', opacity: 0.45 },
        encoding: {
          x: { field: 'x0', ...x },
          x2: { field: 'x1' },
          y: { field: 'density', type: 'quantitative', title: zoom ? 'density of ln s' : 'density of ln s (√ scale)', ...(zoom ? {} : { scale: { type: 'sqrt' }, axis: { tickCount: 4 } }) },
          y2: { datum: 0 },
          color,
        },
      },
      {
        name: markName(`${prefix}theory`, activation, slot.slot),
        data: { values: theory },
        mark: { type: 'line', strokeDash: [5, 3], strokeWidth: 2, clip: true },
        encoding: { x: { field: 'lnS', ...x }, y: { field: 'density', type: 'quantitative' }, color, detail: { field: 'initLabel' } },
      },
      {
        name: markName(`${prefix}point_mass`, activation, slot.slot),
        data: { values: masses },
        mark: { type: 'rule', strokeDash: [5, 3], strokeWidth: 2 },
        encoding: { x: { field: 'lnS', ...x }, color },
      },
    ],
  };
}

/**
 * Figure 2: the distribution of ln s (pooled over seeds) below, at and above the m1 = 1 gain,
 * orthogonal vs Gaussian, with the free-probability density at the fixed point q* dashed in the
 * same colour (or a dashed rule where theory predicts a point mass). One row per activation, one
 * panel per gain, each with its own x range (model.ts densityWindow: data and theory), each scheme
 * binned on its own range: the spectra at different gains differ by tens of units, the two schemes'
 * by a factor of ten or more in width.
 * Where the Gaussian spectrum is hundreds of units wide and the orthogonal one a few (tanh at depth
 * 100), a second row zooms on the orthogonal spectrum: both schemes again, binned on that window, in
 * the same density units, with the share of the Gaussian spectrum the window holds in the title.
 */
export function densitySpec(m: ReportModel): Record<string, unknown> {
  const { study } = m;
  const rows: Record<string, unknown>[] = [];
  for (const activation of study.activations) {
    const slots = m.slots.filter((s) => s.activation === activation);
    rows.push({ hconcat: slots.map((slot) => panel(m, activation, slot, false)), spacing: 24 });
    if (m.zoomDomains.some((d) => d.activation === activation)) rows.push({ hconcat: slots.map((slot) => panel(m, activation, slot, true)), spacing: 24 });
  }
  return figure(
    'Distribution of the singular values of J',
    'Bars: measured ln s pooled over seeds, each scheme binned on its own range. Dashed: free-probability density at q* (a dashed rule: a point mass). ' +
      'Windows hold the central 99% of the data and the theory’s mass (at most half the data’s width beyond it). ' +
      'Full rows: √ density scale, so the wide Gaussian spectrum shows beside the narrow orthogonal one. Zoom rows: the orthogonal window, linear scale.',
    { vconcat: rows, spacing: 28, resolve: { scale: { color: 'shared' } } },
  );
}
