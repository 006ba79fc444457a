import { parseArch } from '../spec/arch.js';
import { resolveSpec } from '../spec/validate.js';
import { runSpectrum } from '../measure/run-spectrum.js';
import { theoryBlock } from '../measure/analyze.js';
import { recommendAlpha } from '../sweep/check-alpha.js';
import { classify, faithfulRule, type CheckThresholds, type Verdict } from '../measure/definitions.js';
import { EOC_VERSION } from '../version.js';
import { figure, PANEL, round } from './style.js';
import type { Estimate } from '../measure/aggregate.js';
import type { InitName, NetworkSpec } from '../spec/types.js';

/**
 * The residual study (issue 14): pre-LN against post-LN stacks, each at alpha = 1 and with the
 * scaling made for it (1/sqrt(L) for pre-LN, DeepNorm for post-LN), at several depths; per (stack,
 * depth) the measured spectrum statistics over seeds, the mean-field m1, and for the alpha = 1
 * stacks the largest faithful alpha (eoc check's search, src/sweep/check-alpha.ts): an axis over
 * alpha and depth with the faithful scaling located at each depth.
 */
export const RESIDUAL_SCHEMA = 'eoc.residual-study/1';

export interface ResidualStudyConfig {
  width: number;
  depths: number[];
  activation: string;
  init: InitName;
  gain: number;
  q0: number;
  seeds: number;
  seed: number;
  thresholds: CheckThresholds;
}

export const RESIDUAL_STACKS = [
  { id: 'pre-ln', label: 'pre-LN, α = 1', locate: true },
  { id: 'post-ln', label: 'post-LN, α = 1', locate: true },
  { id: 'pre-ln-sqrt', label: 'pre-LN, α = 1/√L', locate: false },
  { id: 'post-ln-deepnorm', label: 'post-LN, DeepNorm', locate: false },
] as const;
export type ResidualStackId = (typeof RESIDUAL_STACKS)[number]['id'];

/** The --arch text of a stack at depth L (blocks dense > activation > dense at the stream's width). */
export function stackArch(id: ResidualStackId, n: number, depth: number, act: string): string {
  const branch = `${n}:${act} > ${n}`;
  switch (id) {
    case 'pre-ln':
      return `${n} > res(ln > ${branch}) x ${depth} > ln`;
    case 'post-ln':
      return `${n} > (res(${branch}) > ln) x ${depth}`;
    case 'pre-ln-sqrt':
      return `${n} > res(ln > ${branch}, alpha=1/sqrt(L)) x ${depth} > ln`;
    case 'post-ln-deepnorm':
      return `${n} > (res(${branch}, alpha=deepnorm) > ln) x ${depth}`;
  }
}

export interface ResidualRow {
  stack: ResidualStackId;
  label: string;
  depth: number;
  arch: string;
  m1: Estimate;
  ln_m1: Estimate;
  std_log: Estimate;
  frac_within_2: Estimate;
  ln_s_min: Estimate;
  /** the mean-field m1 (null where the theory has none) */
  meanFieldM1: number | null;
  verdict: Verdict;
  /** alpha = 1 stacks: the largest faithful alpha (mean ± stderr over seeds), else null */
  faithfulAlpha: Estimate | null;
  faithfulAlphaStatus: string | null;
}

export interface ResidualStudy {
  schema: typeof RESIDUAL_SCHEMA;
  eocVersion: string;
  config: ResidualStudyConfig;
  faithful: string;
  rows: ResidualRow[];
  timings: { totalMs: number };
}

export function runResidualStudy(config: ResidualStudyConfig, onProgress?: (done: number, total: number) => void): ResidualStudy {
  const t0 = performance.now();
  const rows: ResidualRow[] = [];
  const total = RESIDUAL_STACKS.length * config.depths.length;
  for (const st of RESIDUAL_STACKS) {
    for (const depth of config.depths) {
      const arch = stackArch(st.id, config.width, depth, config.activation);
      const spec = resolveSpec({ arch: parseArch(arch), init: config.init, gain: config.gain, q0: config.q0, seeds: config.seeds, seed: config.seed });
      const run = runSpectrum(spec, config.q0);
      const th = theoryBlock(spec, config.q0);
      const s = run.summary;
      const rec = st.locate ? recommendAlpha(spec as NetworkSpec & { arch: NonNullable<NetworkSpec['arch']> }, config.thresholds, config.q0) : null;
      rows.push({
        stack: st.id,
        label: st.label,
        depth,
        arch,
        m1: s.m1,
        ln_m1: s.ln_m1,
        std_log: s.std_log,
        frac_within_2: s.frac_within_2,
        ln_s_min: s.ln_s_min,
        meanFieldM1: th ? th.m1 : null,
        verdict: classify(s.ln_m1.mean, s.std_log.mean, config.thresholds),
        faithfulAlpha: rec && rec.scale ? rec.scale : null,
        faithfulAlphaStatus: rec ? rec.status : null,
      });
      onProgress?.(rows.length, total);
    }
  }
  return { schema: RESIDUAL_SCHEMA, eocVersion: EOC_VERSION, config, faithful: faithfulRule(config.thresholds), rows, timings: { totalMs: performance.now() - t0 } };
}

const STACK_COLORS: Record<ResidualStackId, string> = { 'pre-ln': '#0072B2', 'post-ln': '#D55E00', 'pre-ln-sqrt': '#56B4E9', 'post-ln-deepnorm': '#E69F00' };

/**
 * The figure: std ln s against depth (the spread of the singular values: ln 2 is the faithful
 * limit), m1 against depth with the mean field dashed, and the largest faithful alpha of the
 * alpha = 1 stacks against depth (log-log, with 1/sqrt(L) through its first point for reference).
 */
export function residualSpec(study: ResidualStudy): Record<string, unknown> {
  const c = study.config;
  const data = study.rows.map((r) => ({
    stack: r.label,
    depth: r.depth,
    std: round(r.std_log.mean),
    stdLo: round(r.std_log.mean - r.std_log.stderr),
    stdHi: round(r.std_log.mean + r.std_log.stderr),
    m1: round(r.m1.mean),
    m1Lo: round(Math.max(r.m1.mean - r.m1.stderr, 1e-300)),
    m1Hi: round(r.m1.mean + r.m1.stderr),
    mf: r.meanFieldM1 === null ? null : round(r.meanFieldM1),
  }));
  const alphaRows = study.rows.filter((r) => r.faithfulAlpha !== null).map((r) => ({
    stack: r.label,
    depth: r.depth,
    alpha: round(r.faithfulAlpha!.mean),
    lo: round(Math.max(r.faithfulAlpha!.mean - r.faithfulAlpha!.stderr, 1e-6)),
    hi: round(r.faithfulAlpha!.mean + r.faithfulAlpha!.stderr),
  }));
  const first = alphaRows.find((r) => r.stack === RESIDUAL_STACKS[0].label);
  const ref = first ? c.depths.map((d) => ({ depth: d, alpha: round(first.alpha * Math.sqrt(first.depth / d)) })) : [];
  const labels = RESIDUAL_STACKS.map((s) => s.label);
  const color = { field: 'stack', type: 'nominal', title: 'stack', scale: { domain: labels, range: RESIDUAL_STACKS.map((s) => STACK_COLORS[s.id]) }, legend: { labelLimit: 400 } };
  const x = { field: 'depth', type: 'quantitative', title: 'residual blocks L', scale: { type: 'log', domain: [Math.min(...c.depths), Math.max(...c.depths)] }, axis: { values: c.depths } };
  // one panel: a measured line with its +-1 stderr bars, plus extra layers
  const panel = (title: string, field: string, yTitle: string, lo: string, hi: string, extra: { before?: object[]; after?: object[] }, values?: object[]) => ({
    width: PANEL.width * 0.8,
    height: PANEL.height,
    title: { text: title, fontSize: 14 },
    ...(values ? { data: { values } } : {}),
    layer: [
      ...(extra.before ?? []),
      { mark: { type: 'line', point: true }, encoding: { x, y: { field, type: 'quantitative', title: yTitle, scale: { type: 'log' } }, color } },
      { mark: { type: 'rule' }, encoding: { x, y: { field: lo, type: 'quantitative' }, y2: { field: hi }, color } },
      ...(extra.after ?? []),
    ],
  });
  const spread = panel('spread of ln s (std; faithful ≤ ln 2)', 'std', 'std ln s', 'stdLo', 'stdHi', { before: [{ mark: { type: 'rule', strokeDash: [2, 2], color: '#555555' }, encoding: { y: { datum: round(Math.LN2) } } }] }, data);
  const m1 = panel('m1 = mean s² (mean field dashed)', 'm1', 'm1', 'm1Lo', 'm1Hi', {
    after: [{ transform: [{ filter: 'datum.mf !== null' }], mark: { type: 'line', strokeDash: [6, 4] }, encoding: { x, y: { field: 'mf', type: 'quantitative' }, color } }],
  }, data);
  const alpha = {
    ...panel('largest faithful α (α = 1 stacks)', 'alpha', 'α', 'lo', 'hi', {}),
    data: { values: alphaRows },
  };
  // the 1/sqrt(L) reference on its own data, under the measured layers
  (alpha.layer as object[]).unshift({ data: { values: ref }, mark: { type: 'line', strokeDash: [2, 3], color: '#777777' }, encoding: { x, y: { field: 'alpha', type: 'quantitative' } } });
  return figure(
    `Residual stacks: pre-LN against post-LN, depth ${Math.min(...c.depths)} to ${Math.max(...c.depths)}`,
    `width ${c.width}, blocks ${c.width}:${c.activation} > ${c.width}, ${c.init} weights, gain ${c.gain}, q0 ${c.q0}, ${c.seeds} seeds (mean ± stderr); dotted grey: 1/√L through the first pre-LN point`,
    { hconcat: [spread, m1, alpha], resolve: { scale: { color: 'shared' } } },
  );
}
