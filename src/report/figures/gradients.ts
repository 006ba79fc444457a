import type { ReportModel } from '../model.js';
import { INIT_LABELS, PANEL, decadeTicks, figure, markName, round } from '../style.js';

const LOG10E = Math.LOG10E;

/**
 * Figure 3a: |dE/dW^l| vs layer (geometric mean over seeds, log axis), one line per coarse-grid
 * gain on a sequential colour scale (viridis: ordered, colour-blind safe, prints in grey).
 * One row per activation, one column per weight scheme; rows have their own y range.
 */
export function gradientLinesSpec(m: ReportModel): Record<string, unknown> {
  const { study } = m;
  const coarse = new Set(study.gains);
  // one row per curve with the per-layer values as arrays, flattened by vega-lite: a tenth of the
  // size of one row per (curve, layer) in the saved spec
  const curves = m.analysis.summaries
    .filter((s) => coarse.has(s.gain))
    .map((s) => {
      const value = s.logWeightGradNorm.map((v) => Math.exp(v)).map((v) => (Number.isFinite(v) && v > 0 ? round(v, 4) : null));
      return { activation: s.activation, initLabel: INIT_LABELS[s.init], gain: s.gain, layer: value.map((_, l) => l + 1), value };
    });
  const values = curves.flatMap((c) => c.value.filter((v): v is number => v !== null).map((value) => ({ activation: c.activation, value })));
  const gains = study.gains;
  const rows = study.activations.map((activation) => ({
    hconcat: study.inits.map((init) => ({
      width: PANEL.width,
      height: PANEL.height,
      title: { text: `${activation}, ${INIT_LABELS[init]} weights`, fontSize: 15 },
      name: markName('grad', activation, init),
      data: { name: 'ds_grads' },
      transform: [
        { filter: { and: [{ field: 'activation', equal: activation }, { field: 'initLabel', equal: INIT_LABELS[init] }] } },
        { flatten: ['layer', 'value'] },
        { filter: 'isValid(datum.value)' },
      ],
      mark: { type: 'line', strokeWidth: 1.6, clip: true },
      encoding: {
        x: { field: 'layer', type: 'quantitative', title: 'layer l', scale: { domain: [1, study.depth], nice: false } },
        y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: '|∂E/∂Wˡ| (log scale)', axis: { format: '.0e', values: decadeTicks(values.filter((r) => r.activation === activation).map((r) => r.value)) } },
        color: {
          field: 'gain',
          type: 'quantitative',
          title: 'gain g',
          scale: { scheme: 'viridis', domain: [gains[0], gains[gains.length - 1]] },
          legend: { orient: 'right', gradientLength: 200 },
        },
        detail: { field: 'gain', type: 'nominal' },
      },
    })),
    spacing: 30,
    resolve: { scale: { y: 'shared' } },
  }));
  return figure(
    'Weight-gradient norm per layer',
    'Loss E = e · xᴸ with a random unit e; geometric mean over seeds. Flat lines: every layer learns at the same rate.',
    { datasets: { ds_grads: curves }, vconcat: rows, spacing: 30, resolve: { scale: { color: 'shared', y: 'independent' } } },
  );
}

/**
 * Figure 3b: layer x gain heatmap of log10 |delta^l| / |delta^L|: how much the backpropagated
 * error has grown (> 0) or shrunk (< 0) by the time it reaches layer l. Diverging scale centred on
 * 0 (no change). Non-uniform gain spacing (the refined grid) is drawn with explicit cell edges.
 */
export function gradientHeatmapSpec(m: ReportModel): Record<string, unknown> {
  const { study } = m;
  const values: Record<string, unknown>[] = [];
  const extent: Record<string, number> = {};
  for (const activation of study.activations)
    for (const init of study.inits) {
      const rows = m.analysis.summaries.filter((s) => s.activation === activation && s.init === init);
      rows.forEach((s, i) => {
        const g0 = i > 0 ? (rows[i - 1].gain + s.gain) / 2 : s.gain - (rows[1] ? (rows[1].gain - s.gain) / 2 : 0.025);
        const g1 = i + 1 < rows.length ? (rows[i + 1].gain + s.gain) / 2 : s.gain + (i > 0 ? (s.gain - rows[i - 1].gain) / 2 : 0.025);
        const last = s.logGradNorm[s.logGradNorm.length - 1];
        // one row per gain column, its layers as arrays (flattened by vega-lite)
        const r = s.logGradNorm.map((v) => {
          const x = (v - last) * LOG10E;
          if (!Number.isFinite(x)) return null;
          extent[activation] = Math.max(extent[activation] ?? 1, Math.ceil(Math.abs(x)));
          return round(x, 4);
        });
        values.push({ activation, initLabel: INIT_LABELS[init], g0: round(g0, 6), g1: round(g1, 6), gain: s.gain, l: r.map((_, l) => l + 1), r });
      });
    }
  const rows = study.activations.map((activation) => ({
    hconcat: study.inits.map((init) => ({
      width: PANEL.width,
      height: PANEL.height,
      title: { text: `${activation}, ${INIT_LABELS[init]} weights`, fontSize: 15 },
      data: { name: 'ds_heat' },
      transform: [
        { filter: { and: [{ field: 'activation', equal: activation }, { field: 'initLabel', equal: INIT_LABELS[init] }] } },
        { flatten: ['l', 'r'] },
        { filter: 'isValid(datum.r)' },
        // cells overlap the next layer's by 5%: no anti-aliased hairline seams between rows in the PNG
        { calculate: 'datum.l - 0.5', as: 'l0' },
        { calculate: 'datum.l + 0.55', as: 'l1' },
      ],
      mark: { type: 'rect' },
      encoding: {
        x: { field: 'g0', type: 'quantitative', title: 'gain g = σ_w', scale: { zero: false, nice: false } },
        x2: { field: 'g1' },
        y: { field: 'l0', type: 'quantitative', title: 'layer l (1 = input side)', scale: { domain: [0.5, study.depth + 0.5], nice: false, reverse: true } },
        y2: { field: 'l1' },
        color: {
          field: 'r',
          type: 'quantitative',
          title: ['log10 |δˡ|/|δᴸ|'],
          scale: { scheme: 'blueorange', domain: [-extent[activation], extent[activation]], domainMid: 0, clamp: true },
          legend: { orient: 'right', gradientLength: 200 },
        },
      },
    })),
    spacing: 30,
    resolve: { scale: { color: 'shared' } },
  }));
  return figure(
    'Backpropagated error norm, layer × gain',
    'log10 of |δˡ| relative to the output layer: blue, the error has vanished by layer l; orange, it has exploded; white, preserved.',
    { datasets: { ds_heat: values }, vconcat: rows, spacing: 30, resolve: { scale: { color: 'independent' } } },
  );
}
