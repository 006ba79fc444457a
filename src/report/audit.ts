import { join } from 'node:path';
import { figure, PANEL, round } from './style.js';
import { escapeHtml } from './html.js';
import { auditDocument, type AuditResult } from '../audit/run.js';
import type { SpectrumRun } from '../measure/run-spectrum.js';
import { flagText } from '../audit/flags.js';

const MODEL = 'model';
const IDEAL = 'ideal init';
const COLORS = { [MODEL]: '#c0392b', [IDEAL]: '#2471a3' };

/** Sorted ln s of every sample of a run, as (series, input, rank fraction, ln s) rows; at most 400 points per sample. */
function spectrumRows(run: SpectrumRun, series: string): object[] {
  const rows: object[] = [];
  run.samples.forEach((s, i) => {
    const v = Array.from(s.logSingularValues).filter((x) => Number.isFinite(x));
    const k = v.length;
    const step = Math.max(1, Math.floor(k / 400));
    for (let j = 0; j < k; j += step) rows.push({ series, input: `${series} ${i + 1}`, q: round((j + 0.5) / k, 4), lns: round(v[j]) });
  });
  return rows;
}

function gradRows(run: SpectrumRun, series: string): object[] {
  // one input: no standard error (the bar has zero length)
  return run.layers.map((l) => {
    const { mean, stderr } = l.logGradNorm;
    const se = Number.isFinite(stderr) ? stderr : 0;
    return { series, unit: l.layer, g: round(mean), lo: round(mean - se), hi: round(mean + se) };
  });
}

/** The audit's figure: the model's sorted ln s and per-unit gradient norms beside the ideal model's (Vega-Lite). */
export function auditSpec(r: AuditResult): Record<string, unknown> {
  const spec: object[] = [];
  const grads: object[] = [];
  if (r.spectrum) {
    spec.push(...spectrumRows(r.spectrum, MODEL));
    grads.push(...gradRows(r.spectrum, MODEL));
  }
  if (r.ideal) {
    spec.push(...spectrumRows(r.ideal.run, IDEAL));
    grads.push(...gradRows(r.ideal.run, IDEAL));
  }
  const color = { field: 'series', type: 'nominal', title: null, scale: { domain: [MODEL, IDEAL], range: [COLORS[MODEL], COLORS[IDEAL]] }, legend: { orient: 'top' } };
  const panel = (title: string, values: object[], layer: object[]) => ({ width: PANEL.width, height: PANEL.height, title: { text: title, fontSize: 14 }, data: { values }, layer });
  const spectrumPanel = panel('singular values of J, sorted (one line per input)', spec, [
    { mark: { type: 'rule', strokeDash: [2, 2], color: '#555555' }, encoding: { y: { datum: 0 } } },
    { mark: { type: 'line', strokeWidth: 1.5, opacity: 0.8 }, encoding: { x: { field: 'q', type: 'quantitative', title: 'rank / number of singular values' }, y: { field: 'lns', type: 'quantitative', title: 'ln s (0: s = 1)' }, color, detail: { field: 'input' } } },
  ]);
  const gradPanel = panel('gradient norm ln |δ| after each unit (mean over inputs)', grads, [
    { mark: { type: 'line', point: true }, encoding: { x: { field: 'unit', type: 'quantitative', title: 'unit (dense layer or block), input to output', axis: { tickMinStep: 1, format: 'd' } }, y: { field: 'g', type: 'quantitative', title: 'ln |δ^l|' }, color } },
    { mark: { type: 'rule' }, encoding: { x: { field: 'unit', type: 'quantitative' }, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color } },
  ]);
  const idealText = r.ideal ? `ideal: orthogonal at its m1 = 1 gain ${round(r.ideal.gain.mean, 4)}` : 'no ideal model';
  return figure(`eoc audit: ${r.source.path}`, `${r.arch}; verdict ${r.verdict}; ${idealText}`, { hconcat: [spectrumPanel, gradPanel], resolve: { scale: { color: 'shared' } } });
}

const fmt = (x: number | null, digits = 4): string => (x === null ? '-' : Number.isFinite(x) ? String(Number(x.toPrecision(digits))) : 'n/a');

/** The audit's page: self-contained (the figure inlined), with the layer table and provenance. */
export function auditPage(r: AuditResult, svg: string, command: string): string {
  const rows = r.layers
    .map(
      (l) =>
        `<tr><td>${l.layer}</td><td><code>${escapeHtml(l.name)}</code></td><td>${l.rows} × ${l.cols}</td><td>${fmt(l.effectiveGain)}</td><td>${fmt(l.idealGainRatio, 3)}</td><td>${fmt(l.biasStd, 3)}</td><td>${fmt(l.orthogonalityDefect, 3)}</td><td>${escapeHtml(l.flags.map(flagText).join('; ') || 'ok')}</td></tr>`,
    )
    .join('\n');
  const stat = (run: SpectrumRun | null | undefined, k: keyof SpectrumRun['summary']) => (run ? fmt(run.summary[k].n ? run.summary[k].mean : null) : '-');
  const stats = (['m1', 'ln_m1', 'std_log', 'rms_log', 'log10_cond', 'frac_within_2', 's_max', 's_min'] as const)
    .map((k) => `<tr><td>${k}</td><td>${stat(r.spectrum, k)}</td><td>${stat(r.ideal?.run, k)}</td></tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>eoc audit: ${escapeHtml(r.source.path)}</title>
<style>body{font-family:'DejaVu Sans',sans-serif;max-width:1300px;margin:2em auto;padding:0 1em;color:#222}table{border-collapse:collapse;font-size:13px;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}td:nth-child(2),td:last-child{text-align:left}code{font-size:12px}svg{max-width:100%;height:auto}.v{font-size:20px;font-weight:bold}</style></head>
<body>
<h1>eoc audit</h1>
<p><code>${escapeHtml(r.source.path)}</code> (${escapeHtml(r.source.format)}; ${escapeHtml(r.source.mapping)}): <code>${escapeHtml(r.arch)}</code></p>
<p class="v">verdict: ${escapeHtml(r.verdict.toUpperCase())}</p><p>${escapeHtml(r.reason)}. ${escapeHtml(r.faithful)}.</p>
<figure>${svg}<figcaption>Left: every singular value s of the input-output Jacobian, sorted, for each input (the ideal model: the same layers, orthogonal, no bias, ${r.ideal ? `at its m1 = 1 gain ${fmt(r.ideal.gain.mean)}` : 'not measured'}). A faithful network keeps ln s near 0. Right: the gradient norm after each unit for a random output error.</figcaption></figure>
<h2>Layers</h2>
<table><thead><tr><th>#</th><th>tensor</th><th>shape (out × in)</th><th>effective gain</th><th>/ ideal gain</th><th>bias std</th><th>orthogonality defect</th><th>flags</th></tr></thead><tbody>
${rows}
</tbody></table>
<p>Effective gain = std(W)·√fan_in (torch's gain: 1 for N(0, 1/fan_in), g for g·O); the orthogonality defect ‖G/g² − I‖_F/√k of the short side's Gram matrix is 0 for a scaled orthogonal W and about √(short/long) for a Gaussian one.${r.spectrumNote ? ` ${escapeHtml(r.spectrumNote)}.` : ''}</p>
<h2>End to end</h2>
<table><thead><tr><th>statistic</th><th>model</th><th>ideal</th></tr></thead><tbody>
${stats}
</tbody></table>
<h2>Provenance</h2>
<p>eoc ${escapeHtml(r.eocVersion)}; <code>${escapeHtml(command)}</code>. Data: <a href="audit.json">audit.json</a> (${escapeHtml(r.schema)}); figure spec: <a href="audit.vl.json">audit.vl.json</a> (Vega-Lite).</p>
</body></html>
`;
}

/** Write the audit's report folder (audit.json, audit.vl.json, .svg, .png, index.html) whole or not at all. */
export async function writeAuditReport(dir: string, r: AuditResult, command: string): Promise<void> {
  const [{ renderSvg, svgToPng }, { replaceFolder }, { toJson, writeFileDurable }] = await Promise.all([import('./render.js'), import('../io/atomic-dir.js'), import('../io/json.js')]);
  const spec = auditSpec(r);
  const svg = await renderSvg('audit', spec);
  const png = svgToPng(svg).png;
  await replaceFolder(dir, (tmp) => {
    writeFileDurable(join(tmp, 'audit.json'), toJson(auditDocument(r)));
    writeFileDurable(join(tmp, 'audit.vl.json'), JSON.stringify(spec, null, 2) + '\n');
    writeFileDurable(join(tmp, 'audit.svg'), svg);
    writeFileDurable(join(tmp, 'audit.png'), png);
    writeFileDurable(join(tmp, 'index.html'), auditPage(r, svg, command));
  });
}
