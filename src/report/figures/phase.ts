import { scheme } from 'vega';
import type { ReportModel } from '../model.js';
import { hasPhaseDiagram } from '../theory.js';
import { INIT_COLORS, PANEL, figure, markName, round } from '../style.js';

/** 'rgb(19, 75, 133)' (what vega's scheme interpolators return) as '#134b85'. */
function hex(rgb: string): string {
  const v = /rgb\((\d+), *(\d+), *(\d+)\)/.exec(rgb);
  if (!v) throw new Error(`not an rgb() colour: ${rgb}`);
  return '#' + v.slice(1, 4).map((c) => Number(c).toString(16).padStart(2, '0')).join('');
}

/** Where the chi_1 colour bands change: round values inside the plotted range, denser near 1. */
const CHI_LADDER = [0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 1, 1.05, 1.1, 1.25, 1.5, 2, 3, 5, 10];

/**
 * Diverging colour bands for chi_1: one band edge exactly at chi_1 = 1 (so the edge between
 * blue and orange is the critical line, to within a grid cell), bands between round values of
 * chi_1 inside [lo, hi], the palest band on either side of 1 still tinted, the darkest at the ends
 * of the plotted range. Colours from vega's blueorange scheme, by band index away from 1.
 */
export function chiBands(lo: number, hi: number): { domain: number[]; range: string[]; labels: string[]; band: (chi: number) => string } {
  const domain = CHI_LADDER.filter((v) => v === 1 || (v > lo && v < hi));
  const below = domain.filter((v) => v <= 1).length; // bands below 1: one per threshold <= 1
  const above = domain.filter((v) => v >= 1).length;
  const ramp = scheme('blueorange') as (t: number) => string;
  const t = (j: number, k: number) => 0.14 + 0.36 * (k > 1 ? j / (k - 1) : 1);
  const range = [
    ...Array.from({ length: below }, (_, i) => ramp(0.5 - t(below - 1 - i, below))),
    ...Array.from({ length: above }, (_, j) => ramp(0.5 + t(j, above))),
  ].map(hex);
  const f = (v: number) => String(+v.toPrecision(3));
  const edges = [lo, ...domain, hi];
  const labels = range.map((_, k) => `${f(edges[k])} – ${f(edges[k + 1])}`);
  // the band of chi: [t_k, t_(k+1)), as the threshold scale would bin it
  const band = (chi: number) => labels[domain.filter((t) => t <= chi).length];
  return { domain, range, labels, band };
}

/**
 * Figure 4: the mean-field phase diagram in (sigma_w, sigma_b): chi_1 = sigma_w^2 E[phi'(h)^2] at
 * the fixed point, in diverging colour bands with an edge at chi_1 = 1 (ordered: gradients vanish,
 * blue; chaotic: they explode, orange; see chiBands), the critical line chi_1 = 1 (drawn from
 * findCriticalPoint: it runs along the blue/orange edge), the gains this study measured
 * (open circles at its sigma_b) and the located orthogonal m1 = 1 gain (a filled diamond).
 * Only bounded activations have a critical line; others are left out with a note on the page.
 */
export function phaseSpec(m: ReportModel): Record<string, unknown> | null {
  const { study } = m;
  const acts = study.activations.filter(hasPhaseDiagram);
  if (acts.length === 0) return null;
  const cellW = (m.theory.phaseGrid.sigmaW[1] - m.theory.phaseGrid.sigmaW[0]) / 2;
  const cellB = (m.theory.phaseGrid.sigmaB[1] - m.theory.phaseGrid.sigmaB[0]) / 2;
  const [wLo, wHi] = [m.theory.phaseGrid.sigmaW[0], m.theory.phaseGrid.sigmaW[m.theory.phaseGrid.sigmaW.length - 1]];
  const bHi = m.theory.phaseGrid.sigmaB[m.theory.phaseGrid.sigmaB.length - 1];
  // one colour scale for every panel, its outer bands ending at the most extreme chi_1 on the
  // plotted grid (nothing saturates, nothing is clamped)
  const chis = m.theory.phase.filter((p) => acts.includes(p.activation)).map((p) => round(p.chi1, 4)).filter((c) => c > 0 && Number.isFinite(c));
  const chiLo = Math.min(0.99, ...chis), chiHi = Math.max(1.01, ...chis);
  const bands = chiBands(chiLo, chiHi);
  // an ordinal scale over the band labels (highest on top): a symbol legend naming every band
  const chiColor = {
    field: 'band',
    type: 'ordinal',
    title: 'χ₁',
    scale: { domain: [...bands.labels].reverse(), range: [...bands.range].reverse() },
    legend: { orient: 'right', symbolType: 'square', symbolSize: 200, symbolStrokeWidth: 0, labelFontSize: 13 },
  };
  const panels = acts.map((activation) => {
    const cells = m.theory.phase
      .filter((p) => p.activation === activation)
      // each cell overlaps its right and upper neighbour by 5% of a cell: no anti-aliased hairline
      // seams between cells in the PNG
      .map((p) => ({ band: bands.band(p.chi1), w0: round(p.sigmaW - cellW, 6), w1: round(p.sigmaW + 1.1 * cellW, 6), b0: round(Math.max(0, p.sigmaB - cellB), 6), b1: round(p.sigmaB + 1.1 * cellB, 6), chi1: round(p.chi1, 4) }));
    const line = m.theory.criticalLine.filter((c) => c.activation === activation).map((c) => ({ sigmaW: round(c.sigmaW, 6), sigmaB: c.sigmaB }));
    const trainable = m.theory.trainableLine.filter((c) => c.activation === activation).map((c) => ({ side: c.side, sigmaW: round(c.sigmaW, 4), sigmaB: c.sigmaB }));
    const measured = [...new Set(m.samples.filter((s) => s.activation === activation).map((s) => s.gain))].map((g) => ({ sigmaW: g, sigmaB: study.biasStd }));
    const located = m.analysis.located
      .filter((l) => l.activation === activation && l.criterion === 'm1 = 1' && l.init === 'orthogonal' && l.mean !== null)
      .map((l) => ({ sigmaW: round(l.mean!, 6), sigmaB: study.biasStd }));
    const labels = [
      { sigmaW: wLo + 0.2 * (wHi - wLo), sigmaB: 0.85 * bHi, text: 'ordered: χ₁ < 1' },
      { sigmaW: wLo + 0.8 * (wHi - wLo), sigmaB: 0.85 * bHi, text: 'chaotic: χ₁ > 1' },
    ];
    const x = { type: 'quantitative', title: 'σ_w (gain g)', scale: { domain: [wLo, wHi], nice: false } };
    const y = { type: 'quantitative', title: 'σ_b (bias std)', scale: { domain: [0, bHi], nice: false } };
    return {
      width: PANEL.width + 200,
      height: PANEL.height + 90,
      title: { text: `${activation}`, fontSize: 15 },
      layer: [
        {
          name: markName('chi', activation),
          data: { values: cells },
          mark: { type: 'rect' },
          encoding: {
            x: { field: 'w0', ...x },
            x2: { field: 'w1' },
            y: { field: 'b0', ...y },
            y2: { field: 'b1' },
            color: chiColor,
          },
        },
        { name: markName('critical', activation), data: { values: line }, mark: { type: 'line', color: '#000000', strokeWidth: 3 }, encoding: { x: { field: 'sigmaW', ...x }, y: { field: 'sigmaB', ...y }, order: { field: 'sigmaB' } } },
        {
          name: markName('trainable', activation),
          data: { values: trainable },
          mark: { type: 'line', color: '#ffffff', strokeWidth: 2.5, strokeDash: [7, 4] },
          encoding: { x: { field: 'sigmaW', ...x }, y: { field: 'sigmaB', ...y }, detail: { field: 'side' }, order: { field: 'sigmaB' } },
        },
        {
          name: markName('measured', activation),
          data: { values: measured },
          mark: { type: 'point', shape: 'circle', size: 40, filled: true, fill: 'white', stroke: '#000000', strokeWidth: 1, opacity: 1 },
          encoding: { x: { field: 'sigmaW', ...x }, y: { field: 'sigmaB', ...y } },
        },
        {
          name: markName('faithful', activation),
          data: { values: located },
          mark: { type: 'point', shape: 'diamond', size: 220, filled: true, color: INIT_COLORS.orthogonal, stroke: 'white', strokeWidth: 1.5, opacity: 1 },
          encoding: { x: { field: 'sigmaW', ...x }, y: { field: 'sigmaB', ...y } },
        },
        { name: markName('phase_label', activation), data: { values: labels }, mark: { type: 'text', fontSize: 15, fontWeight: 'bold', color: '#222222' }, encoding: { x: { field: 'sigmaW', ...x }, y: { field: 'sigmaB', ...y }, text: { field: 'text' } } },
      ],
    };
  });
  return figure(
    'Mean-field phase diagram',
    `χ₁ = σ_w² E[φ'(h)²] at the fixed point q*, in bands (blue < 1 < orange; the plotted χ₁ runs from ${+chiLo.toPrecision(3)} to ${+chiHi.toPrecision(3)}, no band clamped). Black line: the edge of chaos χ₁ = 1, where blue meets orange. Dashed white: 6 ξ_c = ${study.depth}, the depth of this study (ξ_c = −1/ln χ_c, the correlation depth scale): between the two lines a net this deep still trains (Schoenholz et al. 2017). Circles: gains measured at σ_b = ${study.biasStd}; diamond: located orthogonal m₁ = 1 gain.`,
    { hconcat: panels, spacing: 40 },
    // one or two panels of 620 px: wrap the subtitle to their width
    { wrap: acts.length > 1 ? 110 : 64 },
  );
}
