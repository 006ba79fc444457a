import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { eoc, ROOT } from './run.js';
import { openblasRequirement } from '../support/requirements.js';

/**
 * `--arch` end to end (issue 11): the real-world shape on every backend, the JSON-file form, and a
 * constant-width layer list giving the MLP's numbers. Backends agree on ln s to 1e-10 (measured:
 * 1.6e-15 wasm, 1.4e-15 native against js).
 */
const ARCH = '784 > 512:gelu > 256:gelu > 10';
const FILE = join(ROOT, 'test/fixtures/arch/mlp.json');

interface Doc {
  schema: string;
  spec: { arch?: unknown; depth: number };
  summary: { m1: { mean: number } };
  theory: { m1: number; var_sq_norm: number | null };
  samples: { logSingularValues: number[]; logDetResidual: number | null; rank: number; layers: unknown[] }[];
}

function spectrum(args: string[], env: Record<string, string> = {}): Doc {
  const r = eoc(['spectrum', ...args, '--json'], env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Doc;
}

describe(`eoc spectrum --arch "${ARCH}"`, () => {
  const backends = ['js', 'wasm', ...(openblasRequirement().available ? ['native'] : [])];
  const docs = backends.map((b) => spectrum(['--arch', ARCH, '--seeds', '1'], { EOC_BACKEND: b }));

  it('10 singular values of the 10 x 784 Jacobian, schema eoc.spectrum/3, no log-det residual (rectangular)', () => {
    const d = docs[0];
    expect(d.schema).toBe('eoc.spectrum/3');
    expect(d.samples[0].logSingularValues).toHaveLength(10);
    expect(d.samples[0].rank).toBe(10);
    expect(d.samples[0].logDetResidual).toBeNull();
    expect(d.samples[0].layers).toHaveLength(3);
    expect(d.theory.var_sq_norm).toBeNull();
  });

  it(`the backends (${backends.join(', ')}) agree on every ln s to 1e-10`, () => {
    for (let b = 1; b < docs.length; b++) {
      docs[b].samples[0].logSingularValues.forEach((v, i) => expect(Math.abs(v - docs[0].samples[0].logSingularValues[i])).toBeLessThan(1e-10));
    }
  });

  it('measured m1 within 5% of the layer-list mean field (one seed; finite-width bias O(1/N))', () => {
    // measured 0.1807 (2 seeds) vs 0.1800
    expect(Math.abs(docs[0].summary.m1.mean / docs[0].theory.m1 - 1)).toBeLessThan(0.05);
  });

  it('the JSON-file form of the same network writes the same document byte for byte', () => {
    const a = eoc(['spectrum', '--arch', ARCH, '--seeds', '1', '--json'], { EOC_BACKEND: 'wasm' });
    const b = eoc(['spectrum', '--arch', FILE, '--seeds', '1', '--json'], { EOC_BACKEND: 'wasm' });
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toBe(a.stdout);
  });
});

describe('a constant-width --arch is the MLP', () => {
  it('spectrum --arch "32:tanh x 8" gives the samples of --depth 8 --width 32 (bitwise), as eoc.spectrum/3', () => {
    const a = spectrum(['--arch', '32:tanh x 8', '--gain', '1.1', '--bias-std', '0.05', '--seeds', '2']);
    const b = spectrum(['--depth', '8', '--width', '32', '--gain', '1.1', '--bias-std', '0.05', '--seeds', '2']);
    expect(a.schema).toBe('eoc.spectrum/3');
    expect(b.schema).toBe('eoc.spectrum/2');
    expect(a.samples).toEqual(b.samples);
    expect(a.summary).toEqual(b.summary);
  });

  it('check --arch "48:tanh x 12" recommends the gain check --depth 12 --width 48 recommends (bitwise), exit 1 both', () => {
    const a = eoc(['check', '--arch', '48:tanh x 12', '--json']);
    const b = eoc(['check', '--depth', '12', '--width', '48', '--json']);
    expect(a.code).toBe(1);
    expect(b.code).toBe(1);
    const da = JSON.parse(a.stdout), db = JSON.parse(b.stdout);
    expect(da.schema).toBe('eoc.check/3');
    expect(da.recommended.gain).toEqual(db.recommended.gain);
    expect(da.atGain).toEqual(db.atGain);
  });

  it('check --arch on the GELU MLP: a verdict, and the m1 = 1 gain near the mean field', () => {
    const r = eoc(['check', '--arch', '96 > 128:gelu > 64:gelu > 32:gelu > 16', '--json']);
    expect([0, 1]).toContain(r.code);
    const d = JSON.parse(r.stdout);
    const g = d.recommended.gain.mean, mf = d.recommended.meanField.gain;
    // finite width (N ~ 100, L = 4) moves the root by a few percent
    expect(Math.abs(g / mf - 1)).toBeLessThan(0.05);
  });
});

describe('eoc theory --arch', () => {
  it('the trajectory through the layers: eoc.layer-theory/1, the same m1 as the spectrum theory block, per-layer sigma^2 with the widening rule', () => {
    const r = eoc(['theory', '--arch', '64 > 128:tanh > 32:relu > 48', '--gain', '1.3', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.schema).toBe('eoc.layer-theory/1');
    // orthogonal 64 > 128 widens: sigma^2 = g^2 64/128; 128 > 32 narrows: g^2; 32 > 48 widens: g^2 32/48
    const g2 = 1.3 * 1.3;
    expect(d.layers.map((l: { sigma2: number }) => l.sigma2)).toEqual([g2 * 0.5, g2, (g2 * 32) / 48]);
    const s = spectrum(['--arch', '64 > 128:tanh > 32:relu > 48', '--gain', '1.3', '--seeds', '1']);
    expect(Math.abs(d.trajectory.lnM1 - Math.log(s.theory.m1))).toBeLessThan(1e-14);
  });
});

describe('eoc sweep and compare --arch', () => {
  it('sweep --arch "32:tanh x 10" locates the gains sweep --depth 10 --width 32 locates (bitwise), as eoc.sweep/4', () => {
    const common = ['--gains', '1:1.5:0.1', '--seeds', '2', '--json'];
    const a = eoc(['sweep', '--arch', '32:tanh x 10', ...common]);
    const b = eoc(['sweep', '--depth', '10', '--width', '32', ...common]);
    expect(a.code, a.stderr).toBe(0);
    const da = JSON.parse(a.stdout), db = JSON.parse(b.stdout);
    expect(da.schema).toBe('eoc.sweep/4');
    expect(db.schema).toBe('eoc.sweep/3');
    expect(da.points[0].located).toEqual(db.points[0].located);
    expect(da.points[0].gains).toEqual(db.points[0].gains);
  });

  it('sweep --arch --out writes eoc.sweep-record/3 lines that --resume reads and report --from draws', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eoc-arch-'));
    try {
      const args = ['sweep', '--arch', '24 > 40:tanh x 3 > 16', '--gains', '1:1.4:0.1', '--seeds', '2', '--out', dir];
      expect(eoc(args).code).toBe(0);
      const first = readFileSync(join(dir, 'sweep.jsonl'), 'utf8').split('\n')[0];
      expect(JSON.parse(first).schema).toBe('eoc.sweep-record/3');
      const again = eoc([...args, '--resume']);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toMatch(/resume: 2 of 2 tasks already finished/);
      const rep = eoc(['report', '--from', dir, '--out', join(dir, 'rep')]);
      expect(rep.code, rep.stderr).toBe(0);
      const html = readFileSync(join(dir, 'rep', 'from-sweep', 'index.html'), 'utf8');
      expect(html).toContain('the network 24 &gt; 40:tanh x 3 &gt; 16 (4 dense layers');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('compare --arch pairs orthogonal and Gaussian on a rectangular GELU net (eoc.compare/3)', () => {
    const r = eoc(['compare', '--arch', '48 > 96:gelu > 64:gelu > 16', '--gains', '1:1.4:0.2', '--seeds', '2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.schema).toBe('eoc.compare/3');
    expect(d.points).toHaveLength(1);
    expect(d.points[0].gains).toHaveLength(3);
  });
});

describe('eoc report --arch', () => {
  it('measures a layer list and draws it with the layer-list mean field; no density or phase theory, said on the page', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eoc-arch-report-'));
    try {
      const r = eoc(['report', '--arch', '24 > 32:gelu > 24:gelu > 16', '--gains', '0.8:1.8:0.2', '--seeds', '2', '--no-refine', '--out', dir, '--name', 'g']);
      expect(r.code, r.stderr).toBe(0);
      const theory = JSON.parse(readFileSync(join(dir, 'g', 'data', 'theory.json'), 'utf8'));
      expect(theory.notes).toContain('free-probability densities are for identical stationary layers: not drawn for a layer list');
      expect(theory.densities).toEqual([]);
      // the dashed m1 curve is the layer-list theory: its ln m1 at g = 1 is layerTrajectory's
      const t = JSON.parse(eoc(['theory', '--arch', '24 > 32:gelu > 24:gelu > 16', '--gain', '1', '--json']).stdout);
      const at1 = theory.m1Curve.find((c: { gain: number }) => c.gain === 1);
      expect(Math.abs(at1.lnM1 - t.trajectory.lnM1)).toBeLessThan(1e-12);
      expect(readFileSync(join(dir, 'g', 'data', 'sweep.jsonl'), 'utf8').startsWith('{"schema":"eoc.sweep-record/3"')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('eoc spectrum --arch with residual blocks and layernorm (issue 14)', () => {
  const PRE_LN = '32 > res(ln > 48:gelu > 32, alpha=1/sqrt(L)) x 6 > ln';
  it('the same spec and seed give byte-identical JSON; one record per unit; the mean field beside it', () => {
    const a = eoc(['spectrum', '--arch', PRE_LN, '--seeds', '2', '--json']);
    const b = eoc(['spectrum', '--arch', PRE_LN, '--seeds', '2', '--json', '--workers', '1']);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout.replace(/"totalMs":[^,}]+/g, '')).toBe(b.stdout.replace(/"totalMs":[^,}]+/g, ''));
    const d = JSON.parse(a.stdout) as Doc;
    expect(d.schema).toBe('eoc.spectrum/3');
    expect(d.spec.depth).toBe(12);
    expect(d.samples[0].layers).toHaveLength(7);
    // the final layernorm removes the shift and the scale: rank N - 2
    expect(d.samples[0].rank).toBe(30);
    expect(d.theory.var_sq_norm).toBeNull();
    expect(Math.abs(Math.log(d.summary.m1.mean / d.theory.m1))).toBeLessThan(0.3);
  });

  it('the text output names the units and the theory it overlays', () => {
    const r = eoc(['spectrum', '--arch', '16 > res(16:tanh > 16, alpha=0.5) x 3', '--seeds', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/6 dense layers in 3 units/);
    expect(r.stdout).toMatch(/residual length map/);
    expect(r.stdout).toMatch(/log-det self-check: max \|residual\| .* passed/);
  });
});
