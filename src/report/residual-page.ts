import { escapeHtml } from './html.js';
import type { ResidualStudy } from './residual.js';

const fmt = (x: number, digits = 4): string => (Number.isFinite(x) ? String(Number(x.toPrecision(digits))) : String(x));

/** The residual study's page: self-contained (the figure inlined as SVG), offline, with its data table and provenance. */
export function residualPage(study: ResidualStudy, svg: string, command: string): string {
  const c = study.config;
  const rows = study.rows
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.label)}</td><td>${r.depth}</td><td>${fmt(r.m1.mean)} ± ${fmt(r.m1.stderr, 2)}</td><td>${r.meanFieldM1 === null ? 'n/a' : fmt(r.meanFieldM1)}</td>` +
        `<td>${fmt(r.std_log.mean)} ± ${fmt(r.std_log.stderr, 2)}</td><td>${fmt(r.frac_within_2.mean, 3)}</td><td>${fmt(Math.exp(r.ln_s_min.mean), 3)}</td><td>${escapeHtml(r.verdict)}</td>` +
        `<td>${r.faithfulAlpha ? `${fmt(r.faithfulAlpha.mean, 3)} ± ${fmt(r.faithfulAlpha.stderr, 2)}` : r.faithfulAlphaStatus ? escapeHtml(r.faithfulAlphaStatus) : ''}</td><td><code>${escapeHtml(r.arch)}</code></td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>eoc: residual stacks, pre-LN against post-LN</title>
<style>body{font-family:'DejaVu Sans',sans-serif;max-width:1400px;margin:2em auto;padding:0 1em;color:#222}table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}td:first-child,td:last-child{text-align:left}code{font-size:12px}figure{margin:1em 0}svg{max-width:100%;height:auto}</style></head>
<body>
<h1>Residual stacks: pre-LN against post-LN</h1>
<p>Width ${c.width}, every block ${c.width}:${escapeHtml(c.activation)} &gt; ${c.width} (pre-LN: <code>res(ln &gt; …)</code> with a final layernorm; post-LN: <code>(res(…) &gt; ln)</code>), ${escapeHtml(c.init)} weights, gain ${c.gain}, q0 ${c.q0}, ${c.seeds} seeds from ${c.seed}, depths ${c.depths.join(', ')}. The input-output Jacobian's singular values s, measured by eoc's QR-stabilized product; the mean-field m1 is the residual length map's ∏ χ (README "Residual blocks and layernorm"). ${escapeHtml(study.faithful)}. The largest faithful α is eoc check's search: every block's α times one scale, the largest at which the stack still passes the faithful rule.</p>
<figure>${svg}<figcaption>Left: the spread of ln s (std over one network's singular values, mean ± stderr over seeds); the dashed line is ln 2, the faithful limit. Middle: m1, measured and (dashed) mean field. Right: the largest faithful α of the α = 1 stacks per depth, with 1/√L (dotted) through the first pre-LN point.</figcaption></figure>
<table><thead><tr><th>stack</th><th>L</th><th>m1</th><th>m1 mean field</th><th>std ln s</th><th>frac in [1/2, 2]</th><th>smallest s</th><th>verdict</th><th>largest faithful α</th><th>--arch</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<h2>Provenance</h2>
<p>eoc ${escapeHtml(study.eocVersion)}; <code>${escapeHtml(command)}</code>; ${fmt(study.timings.totalMs / 1000, 3)} s of measurement. Data: <a href="residual.json">residual.json</a> (${escapeHtml(study.schema)}); figure spec: <a href="residual.vl.json">residual.vl.json</a> (Vega-Lite).</p>
</body></html>
`;
}
