import type { ReportModel } from '../model.js';
import { hasPhaseDiagram } from '../theory.js';
import { INIT_COLORS, PANEL, figure, markName, round } from '../style.js';

/**
 * Figure 4: the mean-field phase diagram in (sigma_w, sigma_b): chi_1 = sigma_w^2 E[phi'(h)^2] at
 * the fixed point, on a diverging log scale centred on chi_1 = 1 (ordered: gradients vanish, blue;
 * chaotic: they explode, orange), the critical line chi_1 = 1, the gains this study measured
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
  const panels = acts.map((activation) => {
    const cells = m.theory.phase
      .filter((p) => p.activation === activation)
      .map((p) => ({ w0: round(p.sigmaW - cellW, 6), w1: round(p.sigmaW + cellW, 6), b0: round(Math.max(0, p.sigmaB - cellB), 6), b1: round(p.sigmaB + cellB, 6), chi1: round(p.chi1, 4) }));
    const line = m.theory.criticalLine.filter((c) => c.activation === activation).map((c) => ({ sigmaW: round(c.sigmaW, 6), sigmaB: c.sigmaB }));
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
            color: {
              field: 'chi1',
              type: 'quantitative',
              title: 'χ₁',
              scale: { type: 'log', scheme: 'blueorange', domain: [0.25, 4], domainMid: 1, clamp: true },
              legend: { orient: 'right', gradientLength: 200, values: [0.25, 0.5, 1, 2, 4] },
            },
          },
        },
        { name: markName('critical', activation), data: { values: line }, mark: { type: 'line', color: '#000000', strokeWidth: 3 }, encoding: { x: { field: 'sigmaW', ...x }, y: { field: 'sigmaB', ...y }, order: { field: 'sigmaB' } } },
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
    `χ₁ = σ_w² E[φ'(h)²] at the fixed point q*. Black line: the edge of chaos χ₁ = 1. Circles: gains measured at σ_b = ${study.biasStd}; diamond: located orthogonal m₁ = 1 gain.`,
    { hconcat: panels, spacing: 40 },
    // one or two panels of 620 px: wrap the subtitle to their width
    { wrap: acts.length > 1 ? 110 : 64 },
  );
}
