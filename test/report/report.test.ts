import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, existsSync, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, relative } from 'node:path';
import { buildReport, reportFolder, studySlug } from '../../src/report/build.js';
import { escapeHtml, jsonForScript } from '../../src/report/html.js';
import { rescaleHomogeneous, runMeasureTask } from '../../src/report/measure.js';
import { loadSaved } from '../../src/report/data.js';
import { fixture } from './fixture.js';
import { eoc } from '../cli/run.js';

const DATA_FILES = ['samples.jsonl', 'study.json', 'analysis.json', 'theory.json'];

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
    const { study, samples } = await fixture();
    const root = mkdtempSync(join(tmpdir(), 'eoc-hostile-'));
    const evil = '<script>alert(1)</script>';
    const r = await buildReport({ study: { ...study, name: `../../${evil}`, title: `${evil} & "quotes"` }, samples, outRoot: root, provenance: { command: `eoc report --name ${evil}`, timings: {}, source: 'test' } });
    expect(resolve(r.dir).startsWith(resolve(root) + '/')).toBe(true);
    expect(readdirSync(root)).toEqual([relative(root, r.dir)]);
    const html = readFileSync(join(r.dir, 'index.html'), 'utf8');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(r.htmlBytes).toBeLessThan(2_000_000);
    rmSync(root, { recursive: true, force: true });
  });
});

describe('measurement shortcuts', () => {
  it('a linear net at gain g is the g = 1 net rescaled (exactly what a fresh measurement gives)', () => {
    const base = { activation: 'linear' as const, init: 'gaussian' as const, depth: 6, width: 10, biasStd: 0, q0: 1, seed: 3 };
    // sigma_b = 1e-300 switches the shortcut off (it needs sigma_b = 0 exactly) without changing
    // any number: the engine then measures the g = 1.3 network itself
    const [g1] = runMeasureTask({ ...base, gains: [1] });
    const scaled = rescaleHomogeneous(g1, 1.3);
    const direct = runMeasureTask({ ...base, activation: 'linear', biasStd: 1e-300, gains: [1.3] })[0];
    for (let i = 0; i < scaled.logS.length; i++) expect(scaled.logS[i]).toBeCloseTo(direct.logS[i], 9);
    for (let l = 0; l < base.depth; l++) {
      expect(scaled.q[l] / direct.q[l]).toBeCloseTo(1, 9);
      expect(scaled.logGradNorm[l]).toBeCloseTo(direct.logGradNorm[l], 9);
      expect(scaled.logWeightGradNorm[l]).toBeCloseTo(direct.logWeightGradNorm[l], 9);
    }
    expect(scaled.stats.m1 / direct.stats.m1).toBeCloseTo(1, 9);
  });
});

describe('eoc report (CLI)', () => {
  it('writes the report folder, and --from rebuilds byte-identical data, specs and figures', () => {
    const out = mkdtempSync(join(tmpdir(), 'eoc-report-'));
    const args = ['report', '--depth', '6', '--width', '8', '--seeds', '2', '--gains', '0.8:1.6:0.2', '--out', out, '--name', 'cli test'];
    const a = eoc(args);
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
    // a bare samples.jsonl (no study.json beside it) is enough too
    expect(loadSaved(join(dir, 'data', 'samples.jsonl')).samples.length).toBeGreaterThan(0);
    rmSync(out, { recursive: true, force: true });
    rmSync(out2, { recursive: true, force: true });
  });

  it('bad input exits 2 with one line', () => {
    const r = eoc(['report', '--from', '/nonexistent/eoc-report']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const g = eoc(['report', '--gains', '1,1.1']);
    expect(g.code).toBe(2);
  });
});
