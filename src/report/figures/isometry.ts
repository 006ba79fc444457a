import type { ReportModel } from '../model.js';
import { CRITERION_DASH, CRITERION_LABEL, INIT_LABELS, PANEL, THEORY_DASH, THEORY_LABEL, colorDatum, decadeTicks, figure, initColor, markName, round } from '../style.js';

/**
 * Figure 1: how close to isometry each gain gets. Top row: m1 = mean s^2 (log axis) with the
 * mean-field prediction prod chi_l and the located gains as labelled rules. Bottom row: mean ln s
 * with a +-1 std band (the spread of ln s inside one network, averaged over seeds); isometry is
 * the line ln s = 0 with no band. One column per activation.
 */
export function isometrySpec(m: ReportModel): Record<string, unknown> {
  const { study, analysis, theory } = m;
  const curve = analysis.summaries.map((s) => ({
    activation: s.activation,
    initLabel: INIT_LABELS[s.init],
    gain: s.gain,
    m1: round(s.stats.m1.mean),
    meanLog: round(s.stats.mean_log.mean),
    lo: round(s.stats.mean_log.mean - s.stats.std_log.mean),
    hi: round(s.stats.mean_log.mean + s.stats.std_log.mean),
  })).filter((r) => Number.isFinite(r.m1) && r.m1 > 0);
  const mf = theory.m1Curve.map((t) => ({ activation: t.activation, gain: t.gain, m1: round(Math.exp(t.lnM1)) })).filter((r) => Number.isFinite(r.m1) && r.m1 > 0);
  const located = analysis.located
    .filter((l) => l.mean !== null)
    .map((l) => ({
      activation: l.activation,
      initLabel: INIT_LABELS[l.init],
      criterion: CRITERION_LABEL[l.criterion],
      gain: round(l.mean!, 6),
      label: `${CRITERION_LABEL[l.criterion]}: ${l.mean!.toFixed(3)}`,
    }));
  const x = { field: 'gain', type: 'quantitative', title: 'gain g = σ_w', scale: { zero: false, nice: false } };
  const color = initColor(study.inits, 'weights', THEORY_LABEL);
  const theoryColor = colorDatum(color, THEORY_LABEL);
  const column = (activation: string) => {
    const f = { filter: { field: 'activation', equal: activation } };
    const top = {
      width: PANEL.width,
      height: PANEL.height,
      title: { text: `${activation}: mean squared singular value`, fontSize: 15 },
      layer: [
        { name: markName('unity', activation), data: { values: [{ y: 1 }] }, mark: { type: 'rule', color: '#777777', strokeWidth: 1 }, encoding: { y: { field: 'y', type: 'quantitative' } } },
        // the located gains' rules, where this activation has any (a filter that leaves a layer empty
        // makes vega warn of an infinite extent)
        ...(located.some((l) => l.activation === activation)
          ? [
            {
              name: markName('located', activation),
              data: { name: 'ds_located' },
              transform: [f],
              mark: { type: 'rule', strokeWidth: 1.5, opacity: 0.9 },
              encoding: {
                x: { field: 'gain', type: 'quantitative' },
                color,
                strokeDash: {
                  field: 'criterion',
                  type: 'nominal',
                  title: 'located gain',
                  scale: { domain: Object.values(CRITERION_LABEL), range: Object.values(CRITERION_DASH) },
                  legend: { orient: 'top', direction: 'horizontal', symbolType: 'stroke', symbolStrokeColor: '#333333', labelLimit: 300 },
                },
              },
            },
            ]
          : []),
        {
          name: markName('m1', activation),
          data: { name: 'ds_curve' },
          transform: [f],
          mark: { type: 'line', strokeWidth: 2, point: { size: 30 }, clip: true },
          encoding: {
            x,
            y: { field: 'm1', type: 'quantitative', scale: { type: 'log' }, title: 'm₁ = mean s² (log scale)', axis: { format: '.0e', values: decadeTicks([...curve, ...mf].filter((r) => r.activation === activation).map((r) => r.m1)) } },
            color,
          },
        },
        // the mean-field curve last: drawn over the data (which it matches over most of the range), dashed
        {
          name: markName('mean_field', activation),
          data: { name: 'ds_mean_field' },
          transform: [f],
          mark: { type: 'line', strokeDash: THEORY_DASH, strokeWidth: 2, opacity: 0.9, clip: true },
          encoding: { x, y: { field: 'm1', type: 'quantitative' }, color: theoryColor },
        },
      ],
      resolve: { scale: { y: 'shared' } },
    };
    const bottom = {
      width: PANEL.width,
      height: PANEL.height,
      title: { text: `${activation}: ln s, mean ± 1 std within a network`, fontSize: 15 },
      layer: [
        { name: markName('zero', activation), data: { values: [{ y: 0 }] }, mark: { type: 'rule', color: '#777777', strokeWidth: 1 }, encoding: { y: { field: 'y', type: 'quantitative' } } },
        {
          name: markName('band', activation),
          data: { name: 'ds_curve' },
          transform: [f],
          mark: { type: 'area', opacity: 0.12 },
          encoding: { x, y: { field: 'lo', type: 'quantitative', title: 'ln s (0 = isometry)' }, y2: { field: 'hi' }, color },
        },
        // the band's edges as thin lines: where the two schemes' bands overlap, the blended fill
        // alone would hide which edge belongs to which
        ...(['lo', 'hi'] as const).map((edge) => ({
          name: markName('band', edge, activation),
          data: { name: 'ds_curve' },
          transform: [f],
          mark: { type: 'line', strokeWidth: 1, opacity: 0.9, strokeDash: [3, 2] },
          encoding: { x, y: { field: edge, type: 'quantitative' }, color },
        })),
        { name: markName('mean_log', activation), data: { name: 'ds_curve' }, transform: [f], mark: { type: 'line', point: { size: 30 } }, encoding: { x, y: { field: 'meanLog', type: 'quantitative' }, color } },
      ],
    };
    return { vconcat: [top, bottom], spacing: 24 };
  };
  return figure(
    'Isometry vs gain',
    `depth ${study.depth}, width ${study.width}, σ_b = ${study.biasStd}, ${study.seeds.length} seeds (means). Dashed black (drawn over the data): mean-field m₁ = ∏ χ_l. Vertical rules: located gains.`,
    {
      datasets: { ds_curve: curve, ds_mean_field: mf, ds_located: located },
      hconcat: study.activations.map(column),
      spacing: 40,
      resolve: { scale: { color: 'shared', strokeDash: 'shared' } },
    },
  );
}
