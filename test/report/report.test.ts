import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, existsSync, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, relative } from 'node:path';
import { buildReport, reportFolder, studySlug } from '../../src/report/build.js';
import { escapeHtml, jsonForScript } from '../../src/report/html.js';
import { loadSaved } from '../../src/report/data.js';
import { fixture } from './fixture.js';
import { eoc } from '../cli/run.js';

const DATA_FILES = ['sweep.jsonl', 'sweep.json', 'study.json', 'analysis.json', 'theory.json', 'gains.json'];

describe('report folder and escaping', () => {
  it('study names cannot leave the output folder', () => {
    const root = mkdtempSync(join(tmpdir(), 'eoc-slug-'));
    for (const name of ['../../x', '..', '.', '/etc/passwd', '<script>alert(1)</script>', 'a/../../b', '', '..\\..\\x', 'ok-name_1.2']) {
      const dir = reportFolder(root, name);
      const rel = relative(root, dir);
      expect(rel.startsWith('..') || rel === '' || rel.includes('/'), `${name} -> ${rel}`).toBe(false);
      expect(/^[a-z0-9._-]+$/.test(studySlug(name)), name).toBe(true);
    }
    expect(studySlug('../../x')).toBe('x');
    expect(studySlug('<script>alert(1)</script>')).toBe('script-alert-1-script');
    rmSync(root, { recursive: true, force: true });
  });

  it('escapes HTML and keeps JSON from closing a script element', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const j = jsonForScript({ t: '</script><script>alert(1)</script>' });
    expect(j).not.toContain('</script');
    expect(JSON.parse(j).t).toBe('</script><script>alert(1)</script>');
  });

  it('a hostile study name and title are escaped on the page and the report stays in its folder', async () => {
    const { config, lines } = await fixture();
    const root = mkdtempSync(join(tmpdir(), 'eoc-hostile-'));
    const evil = '<script>alert(1)</script>';
    const r = await buildReport({ name: `../../${evil}`, title: `${evil} & "quotes"`, config, lines, outRoot: root, provenance: { command: `eoc report --name ${evil}`, timings: {}, source: 'test' } });
    expect(resolve(r.dir).startsWith(resolve(root) + '/')).toBe(true);
    expect(readdirSync(root)).toEqual([relative(root, r.dir)]);
    const html = readFileSync(join(r.dir, 'index.html'), 'utf8');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(r.htmlBytes).toBeLessThan(2_000_000);
    rmSync(root, { recursive: true, force: true });
  });
});

describe('eoc report (CLI)', () => {
  // One small study (the default activations tanh, linear and inits orthogonal, gaussian), written
  // once and read by both tests below: a report run costs seconds of rendering (test time, issue 9)
  const grid = ['--depth', '6', '--width', '8', '--seeds', '2', '--gains', '0.8:1.6:0.2'];
  const out = mkdtempSync(join(tmpdir(), 'eoc-report-'));
  let first: ReturnType<typeof eoc> | undefined;
  const report = () => (first ??= eoc(['report', ...grid, '--out', out, '--name', 'cli test']));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('writes the report folder, and --from rebuilds byte-identical data, specs and figures', () => {
    const a = report();
    expect(a.code, a.stderr).toBe(0);
    const dir = resolve(a.stdout.trim());
    expect(dir).toBe(join(out, 'cli-test'));
    for (const f of ['index.html', ...DATA_FILES.map((d) => `data/${d}`), 'data/provenance.json', 'figures/isometry.svg', 'figures/isometry.png', 'specs/isometry.vl.json', 'specs/interactive.vl.json']) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    expect(statSync(join(dir, 'index.html')).size).toBeLessThan(2_000_000);
    const out2 = mkdtempSync(join(tmpdir(), 'eoc-report-from-'));
    const b = eoc(['report', '--from', dir, '--out', out2]);
    expect(b.code, b.stderr).toBe(0);
    const dir2 = resolve(b.stdout.trim());
    for (const f of DATA_FILES) expect(readFileSync(join(dir2, 'data', f)), f).toEqual(readFileSync(join(dir, 'data', f)));
    for (const f of readdirSync(join(dir, 'specs'))) expect(readFileSync(join(dir2, 'specs', f)), f).toEqual(readFileSync(join(dir, 'specs', f)));
    for (const f of readdirSync(join(dir, 'figures')).filter((x) => x.endsWith('.svg'))) expect(readFileSync(join(dir2, 'figures', f)), f).toEqual(readFileSync(join(dir, 'figures', f)));
    // the gain table (eoc gains at the study's sigma_b): every registered activation, on the page too
    const gains = JSON.parse(readFileSync(join(dir, 'data', 'gains.json'), 'utf8'));
    expect(gains.schema).toBe('eoc.gains/1');
    expect(gains.rows).toHaveLength(14);
    expect(gains.rows.find((r: { activation: string }) => r.activation === 'tanh').variancePreserving).toBeCloseTo(1.592537, 6);
    const page = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(page).toContain('<h2>Gains per activation (mean field)</h2>');
    expect(page).toMatch(/<td>tanh \(this study\)<\/td><td class="n">1\.5925<\/td>/);
    // the report's data/sweep.jsonl is a plain eoc sweep file
    expect(loadSaved(join(dir, 'data', 'sweep.jsonl')).lines.length).toBeGreaterThan(0);
    rmSync(out2, { recursive: true, force: true });
  });

  it('eoc report --from an eoc sweep --refine --out folder gives the data files of eoc report with the same options', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'eoc-report-sweep-'));
    const a = report(); // the defaults spelled out below: --activation tanh,linear --init orthogonal,gaussian
    expect(a.code, a.stderr).toBe(0);
    const data = join(resolve(a.stdout.trim()), 'data');
    const s = eoc(['sweep', ...grid, '--activation', 'tanh,linear', '--init', 'orthogonal,gaussian', '--refine', '--c0', '0.5', '--workers', '1', '--out', join(tmp, 'sweep')]);
    expect(s.code, s.stderr).toBe(0);
    const b = eoc(['report', '--from', join(tmp, 'sweep'), '--out', join(tmp, 'r2'), '--name', 'same']);
    expect(b.code, b.stderr).toBe(0);
    for (const f of ['sweep.jsonl', 'sweep.json', 'analysis.json', 'theory.json']) {
      expect(readFileSync(join(tmp, 'r2', 'same', 'data', f)), f).toEqual(readFileSync(join(data, f)));
    }
    expect(readFileSync(join(tmp, 'sweep', 'sweep.jsonl'))).toEqual(readFileSync(join(data, 'sweep.jsonl')));
    // a sweep without spectra, or over two depths, is refused with one line
    const ns = eoc(['sweep', '--depth', '3,4', '--width', '4', '--seeds', '1', '--gains', '0.9:1.1:0.1', '--no-spectra', '--workers', '1', '--out', join(tmp, 'bad')]);
    expect(ns.code, ns.stderr).toBe(0);
    const bad = eoc(['report', '--from', join(tmp, 'bad'), '--out', join(tmp, 'r3')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/2 depths.*--no-spectra/);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('bad input exits 2 with one line', () => {
    const r = eoc(['report', '--from', '/nonexistent/eoc-report']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const g = eoc(['report', '--gains', '1,1.1']);
    expect(g.code).toBe(2);
  });
});
