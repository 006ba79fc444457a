import type { ReportModel } from '../model.js';
import { INIT_LABELS, PANEL, figure, initColor, round } from '../style.js';

/** For each measured gain, the slider interval [glo, ghi) it owns: midpoints to its neighbours. */
function intervals(gains: number[], lo: number, hi: number): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  gains.forEach((g, i) => out.set(g, [i === 0 ? lo - 1 : (gains[i - 1] + g) / 2, i + 1 === gains.length ? hi + 1 : (g + gains[i + 1]) / 2]));
  return out;
}

export const GAIN_PARAM = 'g';
export const ACTIVATION_PARAM = 'activation';

/**
 * The interactive view: a gain slider and an activation choice drive two views together, the
 * density of ln s and |dE/dW^l| vs layer, orthogonal vs Gaussian, plus a read-out of m1 and the
 * fraction of s in [1/2, 2]. The slider moves continuously; each view shows the nearest measured
 * gain (every data row carries the slider interval [glo, ghi) it owns). Axes are fixed per
 * activation so moving the slider moves the data, not the axes.
 */
export function interactiveSpec(m: ReportModel): Record<string, unknown> {
  const { study } = m;
  const all = [...new Set(m.samples.map((s) => s.gain))].sort((a, b) => a - b);
  const lo = all[0], hi = all[all.length - 1];
  const slotAt = m.slots.find((s) => s.activation === study.activations[0] && s.slot === 'at');
  // per (activation, init): refined gains differ between the weight schemes
  const own = new Map<string, Map<number, [number, number]>>();
  for (const a of study.activations)
    for (const i of study.inits) {
      const gs = [...new Set(m.samples.filter((s) => s.activation === a && s.init === i).map((s) => s.gain))].sort((x, y) => x - y);
      own.set(`${a}/${i}`, intervals(gs, lo, hi));
    }
  const iv = (a: string, i: string, g: number) => own.get(`${a}/${i}`)!.get(g)!;
  const hist = m.allHistograms
    .filter((b) => b.density > 0)
    .map((b) => {
      const [glo, ghi] = iv(b.activation, b.init, b.gain);
      return { activation: b.activation, initLabel: INIT_LABELS[b.init], glo: round(glo, 6), ghi: round(ghi, 6), x0: b.x0, x1: b.x1, density: round(b.density, 3) };
    });
  const grads = m.analysis.summaries.flatMap((s) => {
    const [glo, ghi] = iv(s.activation, s.init, s.gain);
    // at most ~50 points per curve: the page carries every gain's curve, and 50 draw a smooth line
    const every = Math.max(1, Math.ceil(s.logWeightGradNorm.length / 50));
    return s.logWeightGradNorm
      .map((v, l) => ({ activation: s.activation, initLabel: INIT_LABELS[s.init], glo: round(glo, 6), ghi: round(ghi, 6), layer: l + 1, value: round(Math.exp(v), 3) }))
      .filter((r, l, all) => l % every === 0 || l === all.length - 1);
  }).filter((r) => Number.isFinite(r.value) && r.value > 0);
  const readout = m.analysis.summaries.map((s) => {
    const [glo, ghi] = iv(s.activation, s.init, s.gain);
    return {
      activation: s.activation,
      initLabel: INIT_LABELS[s.init],
      glo: round(glo, 6),
      ghi: round(ghi, 6),
      text: `${INIT_LABELS[s.init]}, g = ${s.gain.toFixed(4)}: m₁ = ${s.stats.m1.mean.toPrecision(3)}, ${(100 * s.stats.frac_within_2.mean).toFixed(0)}% of s in [½, 2], std ln s = ${s.stats.std_log.mean.toFixed(2)}`,
    };
  });
  const xDomain: Record<string, [number, number]> = {};
  for (const d of m.allDomains) xDomain[d.activation] = [d.lo, d.hi];
  const yDomain: Record<string, [number, number]> = {};
  for (const a of study.activations) {
    const v = grads.filter((r) => r.activation === a).map((r) => r.value);
    if (v.length) yDomain[a] = [Math.min(...v) / 2, Math.max(...v) * 2];
  }
  // per-activation fixed axes, picked by the activation parameter
  const pick = (d: Record<string, [number, number]>) =>
    Object.entries(d).reduceRight((acc, [a, r]) => `${ACTIVATION_PARAM} == ${JSON.stringify(a)} ? [${r[0]}, ${r[1]}] : ${acc}`, '[1, 2]');
  const filter = { filter: `datum.activation == ${ACTIVATION_PARAM} && datum.glo <= ${GAIN_PARAM} && ${GAIN_PARAM} < datum.ghi` };
  const color = initColor(study.inits);
  return figure('Interactive: move the gain', 'Both views follow the slider (nearest measured gain). The x axes stay fixed per activation; each weight scheme is binned on its own range.', {
    params: [
      {
        name: GAIN_PARAM,
        value: slotAt ? slotAt.gain : all[Math.floor(all.length / 2)],
        bind: { input: 'range', min: lo, max: hi, step: 0.005, name: 'gain g ' },
      },
      { name: ACTIVATION_PARAM, value: study.activations[0], bind: { input: 'radio', options: study.activations, name: 'activation ' } },
    ],
    datasets: { ds_hist: hist, ds_grads: grads, ds_readout: readout },
    vconcat: [
      {
        width: 2 * PANEL.width + 60,
        height: 20 * study.inits.length,
        name: 'view_readout',
        view: { stroke: null },
        data: { name: 'ds_readout' },
        transform: [filter],
        mark: { type: 'text', align: 'left', fontSize: 14, baseline: 'middle' },
        encoding: {
          y: { field: 'initLabel', type: 'nominal', axis: null, sort: study.inits.map((i) => INIT_LABELS[i]) },
          x: { datum: 0, type: 'quantitative', axis: null, scale: { domain: [0, 1] } },
          text: { field: 'text' },
          color,
        },
      },
      {
        hconcat: [
          {
            width: PANEL.width,
            height: PANEL.height,
            name: 'view_spectrum',
            title: { text: 'density of ln s', fontSize: 15 },
            data: { name: 'ds_hist' },
            transform: [filter],
            mark: { type: 'rect', opacity: 0.55, clip: true },
            encoding: {
              x: { field: 'x0', type: 'quantitative', title: 'ln s', scale: { domain: { expr: pick(xDomain) }, nice: false } },
              x2: { field: 'x1' },
              // square-root scale: the narrow orthogonal spike and the wide, low Gaussian spectrum both show
              y: { field: 'density', type: 'quantitative', title: 'density of ln s (√ scale)', scale: { type: 'sqrt' } },
              y2: { datum: 0 },
              color,
            },
          },
          {
            width: PANEL.width,
            height: PANEL.height,
            name: 'view_gradients',
            title: { text: 'weight-gradient norm per layer', fontSize: 15 },
            data: { name: 'ds_grads' },
            transform: [filter],
            mark: { type: 'line', strokeWidth: 2.5, clip: true },
            encoding: {
              x: { field: 'layer', type: 'quantitative', title: 'layer l', scale: { domain: [1, study.depth], nice: false } },
              y: { field: 'value', type: 'quantitative', title: '|∂E/∂Wˡ| (log scale)', scale: { type: 'log', domain: { expr: pick(yDomain) } }, axis: { format: '.0e', tickCount: 6 } },
              color,
            },
          },
        ],
        spacing: 40,
        resolve: { scale: { color: 'shared' } },
      },
    ],
    resolve: { scale: { color: 'shared' } },
  });
}
