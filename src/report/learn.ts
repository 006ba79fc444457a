import { figure, PANEL, round } from './style.js';
import { escapeHtml } from './html.js';
import type { LearnStudy } from '../learn/study.js';

const INIT_COLORS: Record<string, string> = { gaussian: '#c0392b', orthogonal: '#2471a3', balanced: '#229954' };
const fmt = (x: number | null | undefined, digits = 4): string => (x === null || x === undefined ? '-' : Number.isFinite(x) ? String(Number(x.toPrecision(digits))) : 'n/a');

/** The learn study's figure: mode strengths beside the exact solutions, loss curves, learning time vs depth, training time vs gain. */
export function learnSpec(st: LearnStudy): Record<string, unknown> {
  const s = st.task.singularValues;
  const shownModes = Math.min(s.length, 6);
  const modePanel = (k: number) => {
    const rows: object[] = [];
    for (const t of st.trajectories.filter((x) => x.k === k)) {
      t.records.forEach((r, i) => {
        for (let a = 0; a < shownModes; a++) {
          rows.push({ init: t.init, mode: `s = ${round(s[a], 3)}`, epoch: r.epoch, u: round(r.modes![a] / s[a]), kind: 'simulated' });
          if (t.exact) rows.push({ init: t.init, mode: `s = ${round(s[a], 3)}`, epoch: r.epoch, u: round(t.exact[a][i] / s[a]), kind: 'exact' });
        }
      });
    }
    return {
      width: PANEL.width * 0.85,
      height: PANEL.height,
      title: { text: `mode strengths u_a(t)/s_a, ${k} weight layers (exact dashed)`, fontSize: 14 },
      data: { values: rows },
      layer: [
        { transform: [{ filter: "datum.kind === 'simulated' && datum.init === 'balanced'" }], mark: { type: 'line', strokeWidth: 2 }, encoding: { x: { field: 'epoch', type: 'quantitative', title: 'epoch' }, y: { field: 'u', type: 'quantitative', title: 'u_a / s_a' }, color: { field: 'mode', type: 'nominal', title: 'mode (balanced init)', legend: { titleLimit: 300 } } } },
        { transform: [{ filter: "datum.kind === 'exact'" }], mark: { type: 'line', strokeDash: [5, 4], color: '#000000', strokeWidth: 1 }, encoding: { x: { field: 'epoch', type: 'quantitative' }, y: { field: 'u', type: 'quantitative' }, detail: { field: 'mode' } } },
        { transform: [{ filter: "datum.kind === 'simulated' && datum.init === 'gaussian'" }], mark: { type: 'line', strokeWidth: 1, opacity: 0.5, color: '#888888' }, encoding: { x: { field: 'epoch', type: 'quantitative' }, y: { field: 'u', type: 'quantitative' }, detail: { field: 'mode' } } },
      ],
    };
  };
  const depths = [...new Set(st.trajectories.map((t) => t.k))];
  const lossRows = st.trajectories.flatMap((t) => t.records.filter((r) => r.epoch > 0).map((r) => ({ run: `${t.init}, k = ${t.k}`, epoch: r.epoch, loss: round(Math.max(r.loss, 1e-12)) })));
  const lossPanel = {
    width: PANEL.width * 0.85,
    height: PANEL.height,
    title: { text: 'loss of the trajectory runs', fontSize: 14 },
    data: { values: lossRows },
    mark: { type: 'line' },
    encoding: { x: { field: 'epoch', type: 'quantitative', scale: { type: 'log' } }, y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: 'loss (1/2P)|Y - f(X)|²' }, color: { field: 'run', type: 'nominal', title: 'run' } },
  };
  const initColor = (inits: string[]) => ({ field: 'init', type: 'nominal', title: 'init', scale: { domain: inits, range: inits.map((i) => INIT_COLORS[i] ?? '#555555') } });
  const depthData = st.depthRows.filter((r) => r.reached > 0).map((r) => ({ init: r.init, k: r.k, t: round(r.epochs.mean), lo: round(r.epochs.mean - (Number.isFinite(r.epochs.stderr) ? r.epochs.stderr : 0)), hi: round(r.epochs.mean + (Number.isFinite(r.epochs.stderr) ? r.epochs.stderr : 0)) }));
  // not learned: a triangle at maxEpochs, each init a little higher so that they do not hide each other
  const capAt = (init: string, inits: readonly string[]) => round(st.config.grid.maxEpochs * (1 + 0.25 * inits.indexOf(init)));
  const cap = st.depthRows.filter((r) => r.reached === 0).map((r) => ({ init: r.init, k: r.k, t: capAt(r.init, st.config.inits) }));
  const inits = st.config.inits;
  const depthPanel = {
    width: PANEL.width * 0.85,
    height: PANEL.height,
    title: { text: 'learning time at the best rate vs depth (linear)', fontSize: 14 },
    layer: [
      { data: { values: depthData }, mark: { type: 'line', point: true }, encoding: { x: { field: 'k', type: 'quantitative', scale: { type: 'log' }, title: 'weight layers k' }, y: { field: 't', type: 'quantitative', scale: { type: 'log' }, title: 'epochs to the threshold' }, color: initColor(inits) } },
      { data: { values: depthData }, mark: { type: 'rule' }, encoding: { x: { field: 'k', type: 'quantitative' }, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color: initColor(inits) } },
      { data: { values: cap }, mark: { type: 'point', shape: 'triangle-up', filled: true, size: 80 }, encoding: { x: { field: 'k', type: 'quantitative' }, y: { field: 't', type: 'quantitative' }, color: initColor(inits) } },
    ],
  };
  const gainData = st.gainRows.filter((r) => r.reached > 0).map((r) => ({ init: r.init, gain: r.gain, t: round(r.epochs.mean) }));
  const gi = ['orthogonal', 'gaussian'];
  const gainCap = st.gainRows.filter((r) => r.reached === 0).map((r) => ({ init: r.init, gain: r.gain, t: capAt(r.init, gi) }));
  const located = st.locatedGain ? [{ gain: round(st.locatedGain.gain, 4) }] : [];
  const gainPanel = {
    width: PANEL.width * 0.85,
    height: PANEL.height,
    title: { text: `training time vs gain (${st.config.nonlinear.activation}, ${st.config.nonlinear.k} layers)`, fontSize: 14 },
    layer: [
      { data: { values: located }, mark: { type: 'rule', strokeDash: [4, 3], color: '#555555' }, encoding: { x: { field: 'gain', type: 'quantitative' } } },
      { data: { values: gainData }, mark: { type: 'line', point: true }, encoding: { x: { field: 'gain', type: 'quantitative', title: 'gain g', scale: { zero: false } }, y: { field: 't', type: 'quantitative', scale: { type: 'log' }, title: 'epochs to the threshold' }, color: initColor(gi) } },
      { data: { values: gainCap }, mark: { type: 'point', shape: 'triangle-up', filled: true, size: 80 }, encoding: { x: { field: 'gain', type: 'quantitative' }, y: { field: 't', type: 'quantitative' }, color: initColor(gi) } },
    ],
  };
  return figure(
    'eoc learn: the learning dynamics of deep networks (Saxe, McClelland & Ganguli 2014)',
    `${st.task.description}; hidden width ${st.config.hidden}; ${st.config.seeds} seed(s); triangles: not learned within ${st.config.grid.maxEpochs} epochs; dashed grey (right): the gain eoc check locates (m1 = 1)`,
    { vconcat: [{ hconcat: depths.map(modePanel) }, { hconcat: [lossPanel, depthPanel, gainPanel], resolve: { scale: { color: 'independent' } } }], resolve: { scale: { color: 'independent' } } },
  );
}

/** The page: the figure, the tables, the formulas' provenance. */
export function learnPage(st: LearnStudy, svg: string, command: string): string {
  const depthRows = st.depthRows
    .map((r) => `<tr><td>${escapeHtml(r.init)}</td><td>${r.k}</td><td>${r.reached ? `${fmt(r.epochs.mean)} ± ${fmt(r.epochs.stderr, 2)}` : `not within ${st.config.grid.maxEpochs}`}</td><td>${r.reached ? fmt(r.lr.mean, 3) : '-'}</td><td>${r.reached}/${r.searches.length}</td></tr>`)
    .join('\n');
  const gainRows = st.gainRows
    .map((r) => `<tr><td>${escapeHtml(r.init)}</td><td>${fmt(r.gain)}</td><td>${r.reached ? `${fmt(r.epochs.mean)} ± ${fmt(r.epochs.stderr, 2)}` : `not within ${st.config.grid.maxEpochs}`}</td><td>${r.reached ? fmt(r.lr.mean, 3) : '-'}</td></tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>eoc learn</title>
<style>body{font-family:'DejaVu Sans',sans-serif;max-width:1500px;margin:2em auto;padding:0 1em;color:#222}table{border-collapse:collapse;font-size:13px;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}td:first-child{text-align:left}svg{max-width:100%;height:auto}</style></head>
<body>
<h1>eoc learn: learning dynamics beside the exact solutions</h1>
<p>${escapeHtml(st.task.description)}; hidden width ${st.config.hidden}; full-batch gradient descent, one step per epoch, loss (1/2P)‖Y − f(X)‖². Exact curves: the decoupled solutions of Saxe, McClelland &amp; Ganguli 2014 (Eq. 12 for one hidden layer, Eqs. 15–16 deeper) with τ = 1/rate. ${st.notes.map(escapeHtml).join('. ')}.</p>
<figure>${svg}<figcaption>Top: mode strengths u_a(t) = U_aᵀ W_tot V_a over s_a from the balanced (decoupled) init at u0 = ${fmt(st.config.initScale)} (colours), the exact solutions (dashed), and from small random Gaussian weights (grey). Bottom: the trajectory runs' loss; epochs to the threshold at the best rate of the grid vs depth; the same for the ${escapeHtml(st.config.nonlinear.activation)} net vs gain, with the gain eoc check locates dashed.</figcaption></figure>
<h2>Learning time vs depth (deep linear nets)</h2>
<table><thead><tr><th>init</th><th>weight layers k</th><th>epochs (mean ± stderr)</th><th>best rate</th><th>seeds that learned</th></tr></thead><tbody>
${depthRows}
</tbody></table>
<h2>Training time vs gain (${escapeHtml(st.config.nonlinear.activation)}, ${st.config.nonlinear.k} weight layers)</h2>
<p>${st.locatedGain ? `eoc check's m1 = 1 gain for this layer list (orthogonal, q0 ${fmt(st.locatedGain.q0)}): ${fmt(st.locatedGain.gain)} ± ${fmt(st.locatedGain.stderr, 2)} (<code>${escapeHtml(st.locatedGain.arch)}</code>).` : 'no located gain.'}</p>
<table><thead><tr><th>init</th><th>gain</th><th>epochs (mean ± stderr)</th><th>best rate</th></tr></thead><tbody>
${gainRows}
</tbody></table>
<h2>Provenance</h2>
<p>eoc ${escapeHtml(st.eocVersion)}; <code>${escapeHtml(command)}</code>. Data: <a href="learn.json">learn.json</a> (${escapeHtml(st.schema)}); figure spec: <a href="learn.vl.json">learn.vl.json</a> (Vega-Lite). Formulas: docs/learn-formulas.md.</p>
</body></html>
`;
}
