import type { ReportModel } from './model.js';
import { CRITERIA, faithfulRange, type Located } from './analysis.js';
import { FAITHFUL_RULE } from '../measure/definitions.js';
import { INIT_COLORS, INIT_LABELS } from './style.js';
import { FONT_STACK } from './fonts.js';
import type { ActivationName } from '../spec/types.js';
import type { GainTable } from '../theory/gains.js';
import { archText } from '../network/layers.js';
import { pointArch } from '../sweep/grid.js';

/** Text into HTML (element content and quoted attributes). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * JSON inside <script>: `<` is escaped so no string (a study name `</script><script>...`) can close
 * the element, and U+2028/2029 so the text stays valid JavaScript everywhere.
 */
export function jsonForScript(v: unknown): string {
  return JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Minified library code inside <script>: `</script` cannot appear literally. */
function scriptCode(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1');
}

const fmt = (x: number | null | undefined, d = 3) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));
const sig = (x: number, d = 3) => (Number.isFinite(x) ? x.toPrecision(d) : '–');

function find(m: ReportModel, a: ActivationName, init: string, c: string): Located | undefined {
  return m.analysis.located.find((l) => l.activation === a && l.init === init && l.criterion === c);
}

/** The plain-words summary: one paragraph per activation, every number from the analysis. */
export function summarySentences(m: ReportModel): string[] {
  const { study } = m;
  const lo = Math.min(...study.gains), hi = Math.max(...study.gains);
  const out: string[] = [];
  for (const a of study.activations) {
    const parts: string[] = [];
    for (const init of study.inits) {
      const label = INIT_LABELS[init];
      const who = `${label[0].toUpperCase()}${label.slice(1)} ${a}`;
      const range = faithfulRange(m.analysis.summaries, a, init);
      const root = find(m, a, init, 'm1 = 1');
      const rootText =
        root && root.mean !== null
          ? `the m₁ = 1 gain is ${fmt(root.mean)}${root.stderr !== null ? ` ± ${fmt(root.stderr)}` : ''} (mean ± stderr over ${root.n} seeds)`
          : `m₁ = 1 is not reached in [${lo}, ${hi}]`;
      if (range) {
        const span = range[0] === range[1] ? `at g = ${fmt(range[0])}` : `for g in [${fmt(range[0])}, ${fmt(range[1])}]`;
        parts.push(`${who} at depth ${study.depth} propagates faithfully ${span}; ${rootText}.`);
      } else {
        const rows = m.analysis.summaries.filter((s) => s.activation === a && s.init === init);
        const atRoot = root?.mean != null ? rows.reduce((b, r) => (Math.abs(r.gain - root.mean!) < Math.abs(b.gain - root.mean!) ? r : b), rows[0]) : undefined;
        const best = rows.reduce((b, r) => (r.stats.rms_log.mean < b.stats.rms_log.mean ? r : b), rows[0]);
        const spread = atRoot
          ? ` At g = ${fmt(atRoot.gain)} the singular values spread with std ln s = ${fmt(atRoot.stats.std_log.mean, 2)} (condition number ~10^${fmt(atRoot.stats.log10_cond.mean, 1)}): ${atRoot.verdict}.`
          : '';
        parts.push(
          `${who} is not faithful at any measured gain at depth ${study.depth}: ${rootText}. Closest to isometry is g = ${fmt(best.gain)} (least rms ln s = ${fmt(best.stats.rms_log.mean, 2)}, ${best.verdict}; ` +
            `frac_within_2, the fraction of s in [½, 2], is ${(100 * best.stats.frac_within_2.mean).toFixed(0)}% there).${spread}`,
        );
      }
    }
    const mf = m.analysis.meanField.find((x) => x.activation === a);
    if (mf?.gain != null) parts.push(`Mean-field theory puts m₁ = 1 at g = ${fmt(mf.gain)}.`);
    out.push(parts.join(' '));
  }
  out.push(
    `"Faithfully" is the verdict eoc check, sweep and compare use, of the means over seeds: ${FAITHFUL_RULE}. ` +
      `Otherwise a gain is vanishing (ln m₁ below), exploding (above) or anisotropic (norms kept on average, directions not).`,
  );
  return out;
}

function locatedTable(m: ReportModel): string {
  const rows: string[] = [];
  for (const a of m.study.activations)
    for (const init of m.study.inits)
      for (const c of CRITERIA) {
        const l = find(m, a, init, c);
        if (!l) continue;
        const mf = c === 'm1 = 1' ? m.analysis.meanField.find((x) => x.activation === a) : undefined;
        rows.push(
          `<tr><td>${escapeHtml(a)}</td><td><span class="sw" style="background:${INIT_COLORS[init]}"></span>${escapeHtml(INIT_LABELS[init])}</td>` +
            `<td>${escapeHtml(c)}</td><td class="n">${fmt(l.mean, 4)}</td><td class="n">${fmt(l.stderr, 4)}</td><td class="n">${l.n}</td>` +
            `<td class="n">${escapeHtml(l.perSeed.map((g) => fmt(g, 3)).join(', '))}</td><td class="n">${mf ? fmt(mf.gain, 4) : ''}</td><td>${escapeHtml(l.note)}</td></tr>`,
        );
      }
  return (
    '<table><thead><tr><th>activation</th><th>weights</th><th>criterion</th><th>gain (mean)</th><th>± stderr</th><th>seeds</th><th>per seed</th><th>mean field</th><th>note</th></tr></thead><tbody>' +
    rows.join('') +
    '</tbody></table>'
  );
}

/** `eoc gains` as a table: the study's activations first and marked. */
function gainsTable(t: GainTable, studied: readonly string[]): string {
  const g = (x: number | null) => (x === null ? 'none' : x.toFixed(4));
  const rows = [...t.rows].sort((a, b) => Number(studied.includes(b.activation)) - Number(studied.includes(a.activation)));
  const body = rows
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.activation)}${studied.includes(r.activation) ? ' (this study)' : ''}</td><td class="n">${g(r.variancePreserving)}</td><td class="n">${g(r.gradientPreserving)}</td>` +
        `<td class="n">${g(r.edgeOfChaos0)}</td><td class="n">${g(r.edgeOfChaosB)}</td><td class="n">${g(r.torch)}</td></tr>`,
    )
    .join('');
  return (
    `<table><thead><tr><th>activation</th><th>variance-preserving 1/√E φ(z)²</th><th>gradient-preserving 1/√E φ′(z)²</th><th>edge of chaos, σ_b = 0</th><th>edge of chaos, σ_b = ${t.sigmaB}</th><th>torch calculate_gain</th></tr></thead><tbody>` +
    body +
    '</tbody></table>'
  );
}

function summaryTable(m: ReportModel): string {
  const rows = m.analysis.summaries.map((s) => {
    const e = (k: keyof typeof s.stats, d = 3) => `${sig(s.stats[k].mean, d)} ± ${sig(s.stats[k].stderr, 2)}`;
    return (
      `<tr><td>${escapeHtml(s.activation)}</td><td>${escapeHtml(INIT_LABELS[s.init])}</td><td class="n">${s.gain.toFixed(4)}</td>` +
      `<td class="n">${e('m1')}</td><td class="n">${e('mean_log')}</td><td class="n">${e('std_log')}</td><td class="n">${e('rms_log')}</td>` +
      `<td class="n">${e('frac_within_2')}</td><td class="n">${e('log10_cond')}</td><td>${escapeHtml(s.verdict)}</td></tr>`
    );
  });
  return (
    '<table><thead><tr><th>activation</th><th>weights</th><th>g</th><th>m₁</th><th>mean ln s</th><th>std ln s</th><th>rms ln s</th><th>frac_within_2 (s in [½, 2])</th><th>log10 cond</th><th>verdict</th></tr></thead><tbody>' +
    rows.join('') +
    '</tbody></table>'
  );
}

export interface PageFigure {
  id: string;
  caption: string;
  /** inline SVG text, or a PNG data URI for figures whose SVG would be too heavy to inline */
  svg?: string;
  pngDataUri?: string;
  alt: string;
}

export interface PageInput {
  model: ReportModel;
  /** the gain table (eoc gains) at the study's sigma_b, every registered activation */
  gains: GainTable;
  figures: PageFigure[];
  /** the interactive Vega-Lite spec with its datasets in columnar form (see compactDatasets) */
  interactive: Record<string, unknown>;
  runtime: { name: string; version: string; code: string }[];
  provenance: Record<string, unknown>;
  notes: string[];
}

/**
 * A column as runs [[value, count], ...] when that is shorter: the keys the rows are sorted by
 * (activation, weights, gain interval) repeat thousands of times.
 */
function runLength(col: unknown[]): unknown[] | { runs: [unknown, number][] } {
  const runs: [unknown, number][] = [];
  for (const v of col) {
    const last = runs[runs.length - 1];
    if (last && last[0] === v) last[1]++;
    else runs.push([v, 1]);
  }
  return runs.length * 2 < col.length ? { runs } : col;
}

/**
 * Datasets as columns (one array per field) instead of rows: the page carries ~10k rows for the
 * interactive view, and repeating every key on every row would triple its size. The page script
 * turns them back into rows before handing the spec to vega-embed.
 */
export function compactDatasets(spec: Record<string, unknown>): Record<string, unknown> {
  const ds = (spec.datasets ?? {}) as Record<string, Record<string, unknown>[]>;
  const cols: Record<string, Record<string, unknown>> = {};
  for (const [name, rows] of Object.entries(ds)) {
    const keys = rows.length ? Object.keys(rows[0]) : [];
    cols[name] = Object.fromEntries(keys.map((k) => [k, runLength(rows.map((r) => r[k]))]));
  }
  return { ...spec, datasets: {}, eocColumns: cols };
}

const CSS = `
body{font-family:${FONT_STACK};max-width:1500px;margin:24px auto;padding:0 24px;color:#111;line-height:1.45}
h1{font-size:28px;margin-bottom:4px} h2{font-size:22px;margin-top:36px;border-bottom:1px solid #ddd;padding-bottom:4px}
.summary{font-size:17px;background:#f6f8fa;border-left:4px solid ${INIT_COLORS.orthogonal};padding:12px 18px}
figure{margin:18px 0} figure svg,figure img{max-width:100%;height:auto} figcaption{font-size:15px;color:#333;max-width:1100px}
table{border-collapse:collapse;font-size:14px;margin:8px 0} th,td{border:1px solid #ddd;padding:3px 8px;text-align:left} td.n{text-align:right;font-variant-numeric:tabular-nums}
.sw{display:inline-block;width:10px;height:10px;margin-right:6px;border-radius:2px}
pre{background:#f6f8fa;padding:12px;overflow:auto;font-size:12px;max-height:480px}
.links a{margin-right:12px} .note{color:#8a4b00}
#interactive .vega-bindings{font-size:16px;margin:8px 0} #interactive input[type=range]{width:420px}
`;

/** The self-contained report page: no external requests (figures and runtime inlined). */
export function reportPage(p: PageInput): string {
  const m = p.model;
  const title = m.study.title;
  const figs = p.figures
    .map(
      (f) =>
        `<figure id="fig-${escapeHtml(f.id)}">` +
        (f.svg ?? `<img alt="${escapeHtml(f.alt)}" src="${f.pngDataUri}">`) +
        `<figcaption>${escapeHtml(f.caption)} <span class="links"><a href="figures/${escapeHtml(f.id)}.svg">SVG</a><a href="figures/${escapeHtml(f.id)}.png">PNG</a><a href="specs/${escapeHtml(f.id)}.vl.json">Vega-Lite spec</a></span></figcaption></figure>`,
    )
    .join('\n');
  const runtime = p.runtime.map((r) => `<script data-lib="${escapeHtml(r.name)}@${escapeHtml(r.version)}">${scriptCode(r.code)}</script>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:; font-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} — eoc report</title><style>${CSS}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>Study <code>${escapeHtml(m.study.name)}</code>: ${m.study.arch ? `the network ${escapeHtml(archText(pointArch(m.study.arch, m.study.inits[0], m.study.biasStd)))} (${m.study.depth} dense layers; the gain multiplies every layer's)` : `${escapeHtml(m.study.activations.join(', '))} nets`}, ${escapeHtml(m.study.inits.join(' vs '))} weights${m.study.arch ? '' : `, depth ${m.study.depth}, width ${m.study.width}`}, σ_b = ${m.study.biasStd}, q⁰ = ${m.study.q0}, ${m.study.seeds.length} seeds, ${m.samples.length} (network, gain) evaluations recorded, measured by one <code>eoc sweep</code> (data/sweep.jsonl).</p>
<div class="summary">${summarySentences(m).map((s) => `<p>${escapeHtml(s)}</p>`).join('')}</div>
${p.notes.length ? `<p class="note">${p.notes.map(escapeHtml).join('<br>')}</p>` : ''}
<h2>Located gains</h2>
<p>Each criterion located per seed on its own network (bracketed on the grid, then refined by Brent's method with fresh evaluations, as <code>eoc sweep</code> does), then mean ± standard error over seeds. Extra gains were measured around the located ones for the figures.</p>
${locatedTable(m)}
<h2>Figures</h2>
${figs}
<h2>Gains per activation (mean field)</h2>
<p>What <code>eoc gains</code> prints, at this study's σ_b (data/gains.json): the gain that keeps a unit-variance input's variance after one layer, the one that keeps the gradient norm at q = 1, the edge-of-chaos gain (χ₁ = 1 at the attracting fixed point; "none" where there is none: see <code>eoc gains</code> for the reason), and torch's <code>calculate_gain</code>. These are infinite-width, one-layer or stationary answers; the located gains above are this study's measured ones.</p>
${gainsTable(p.gains, m.study.activations)}
<h2>Interactive view</h2>
<div id="interactive"></div>
<noscript>The interactive view needs JavaScript; the static figures above show the same data.</noscript>
<h2>All measurements</h2>
<details><summary>mean ± stderr over seeds at every measured gain</summary>${summaryTable(m)}</details>
<h2>Provenance</h2>
<pre>${escapeHtml(JSON.stringify(p.provenance, null, 2))}</pre>
<p class="links">Data: <a href="data/sweep.jsonl">sweep.jsonl</a><a href="data/sweep.json">sweep.json</a><a href="data/study.json">study.json</a><a href="data/analysis.json">analysis.json</a><a href="data/theory.json">theory.json</a><a href="data/provenance.json">provenance.json</a></p>
${runtime}
<script id="interactive-spec" type="application/json">${jsonForScript(p.interactive)}</script>
<script>
(function () {
  var spec = JSON.parse(document.getElementById('interactive-spec').textContent);
  var cols = spec.eocColumns; delete spec.eocColumns;
  Object.keys(cols).forEach(function (name) {
    var c = cols[name], keys = Object.keys(c);
    keys.forEach(function (k) {
      if (!c[k].runs) return;
      var out = [];
      c[k].runs.forEach(function (r) { for (var j = 0; j < r[1]; j++) out.push(r[0]); });
      c[k] = out;
    });
    var n = keys.length ? c[keys[0]].length : 0, rows = new Array(n);
    for (var i = 0; i < n; i++) { var r = {}; for (var k = 0; k < keys.length; k++) r[keys[k]] = c[keys[k]][i]; rows[i] = r; }
    spec.datasets[name] = rows;
  });
  vegaEmbed('#interactive', spec, { renderer: 'svg', actions: false })
    .then(function (res) { window.eocInteractive = res.view; document.body.setAttribute('data-interactive', 'ready'); })
    .catch(function (e) { console.error(e); document.body.setAttribute('data-interactive', 'error'); });
})();
</script>
</body></html>
`;
}
