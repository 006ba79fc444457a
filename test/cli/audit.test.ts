import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { eoc, ROOT } from './run.js';

const FIX = join(ROOT, 'test/fixtures/weights');
const MLP = ['audit', join(FIX, 'mlp.safetensors'), '--arch', '16 > 32:tanh x 3 > 8'];
const RES = ['audit', join(FIX, 'residual.safetensors'), '--arch', '16 > res(ln > 32:gelu > 16) x 2 > ln'];

/** `eoc audit` at the command line (issue 15): verdicts and exit codes, --json, the report folder, bad input. */
describe('eoc audit', () => {
  it('exit 1 with the verdict for a vanishing model, 0 for a faithful one; --json is eoc.audit/1 and byte-identical run to run', () => {
    const a = eoc([...MLP, '--no-ideal']);
    expect(a.code, a.stderr).toBe(1);
    expect(a.stdout).toMatch(/verdict: VANISHING/);
    expect(a.stdout).toMatch(/0\.weight\s+32 x 16/);
    const f = eoc([...RES, '--no-ideal', '--json']);
    expect(f.code, f.stderr).toBe(0);
    const doc = JSON.parse(f.stdout) as { schema: string; verdict: string; layers: unknown[]; spectrum: { schema: string; samples: { singularValues: number[] }[] } };
    expect(doc.schema).toBe('eoc.audit/1');
    expect(doc.verdict).toBe('faithful');
    expect(doc.layers.length).toBe(4);
    expect(doc.spectrum.schema).toMatch(/^eoc\.spectrum/);
    expect(doc.spectrum.samples[0].singularValues.length).toBe(16);
    const g = eoc([...RES, '--no-ideal', '--json']);
    expect(g.stdout).toBe(f.stdout);
  });

  it('the broken model: exit 1, BROKEN, each flag in words', () => {
    const r = eoc(['audit', join(FIX, 'broken.safetensors'), '--arch', '24 > 24:tanh x 5 > 24', '--no-ideal']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/verdict: BROKEN/);
    expect(r.stdout).toMatch(/layer 3 \(layers\.2\.weight\): all zero/);
    expect(r.stdout).toMatch(/not measured: layer 2 \(layers\.1\.weight\) holds NaN/);
  });

  it('ONNX: the graph gives the layers; the broken model is flagged layer by layer', () => {
    const m = eoc(['audit', join(FIX, 'matmul.onnx'), '--no-ideal']);
    expect(m.code, m.stderr).toBe(1);
    expect(m.stdout).toMatch(/network 10 > 12:gelu > 12:leaky-relu\(0\.2\) > 6:sigmoid > 4/);
    expect(m.stdout).toMatch(/the ONNX graph \(eoc make_onnx\.mjs 1, opset 13\)/);
    const b = eoc(['audit', join(FIX, 'broken.onnx'), '--json']);
    expect(b.code, b.stderr).toBe(1);
    const doc = JSON.parse(b.stdout) as { verdict: string; layers: { flags: { kind: string; against?: string }[] }[] };
    expect(doc.verdict).toBe('broken');
    // the NaN, the zero layer and the 10x layer (two finite layers: flagged against the ideal gain)
    expect(doc.layers.map((l) => l.flags.map((f) => f.kind + (f.against ? `/${f.against}` : '')).join(','))).toEqual(['non-finite', 'all-zero', 'scale-outlier/ideal', '']);
  });

  it('--out writes the report folder (json, Vega-Lite spec, svg, png, page) beside the text', () => {
    const root = mkdtempSync(join(tmpdir(), 'eoc-audit-'));
    try {
      const r = eoc([...MLP, '--out', root, '--seeds', '1']);
      expect(r.code, r.stderr).toBe(1);
      const dir = join(root, 'audit-mlp');
      for (const f of ['audit.json', 'audit.vl.json', 'audit.svg', 'audit.png', 'index.html']) expect(existsSync(join(dir, f)), f).toBe(true);
      expect(readFileSync(join(dir, 'index.html'), 'utf8')).toMatch(/verdict: VANISHING[\s\S]*<svg/);
      expect(JSON.parse(readFileSync(join(dir, 'audit.json'), 'utf8')).ideal.gain.n).toBe(1);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('bad input: one line on stderr, exit 2, nothing written', () => {
    const root = mkdtempSync(join(tmpdir(), 'eoc-audit-'));
    try {
      const bytes = readFileSync(join(FIX, 'mlp.safetensors'));
      const truncated = join(root, 'truncated.safetensors');
      writeFileSync(truncated, bytes.subarray(0, bytes.length - 100));
      const onnxBytes = readFileSync(join(FIX, 'residual.onnx'));
      const truncatedOnnx = join(root, 'truncated.onnx');
      writeFileSync(truncatedOnnx, onnxBytes.subarray(0, 1000));
      const garbage = join(root, 'garbage.npz');
      writeFileSync(garbage, 'not a zip at all');
      const out = join(root, 'out');
      for (const [args, re, env] of [
        [['audit', join(FIX, 'mlp.safetensors')], /--arch is required for a safetensors file .*16 > 32 > 32 > 32 > 8/],
        [['audit', truncated, '--arch', '16 > 32:tanh x 3 > 8'], /truncated\.safetensors: not a valid safetensors file/],
        [['audit', garbage, '--arch', '16 > 32:tanh x 3 > 8'], /garbage\.npz: /],
        [['audit', join(root, 'missing.safetensors'), '--arch', '16 > 8'], /missing\.safetensors: cannot read/],
        [['audit', join(FIX, 'mlp.safetensors'), '--arch', '16 > 32:tanh x 2 > 8'], /but --arch has 3 dense layer/],
        [['audit', join(FIX, 'residual.safetensors'), '--arch', '16 > res(32:gelu > 16) x 2'], /layernorm tensor pair/],
        [['audit', join(FIX, 'mlp.safetensors'), '--arch', '16 > 32:tanh x 3 > 8', '--inputs', join(FIX, 'inputs.npy'), '--seeds', '0'], /seeds/],
        [['audit', join(FIX, 'stack.npy'), '--arch', '12 > 12:tanh x 2 > 12', '--inputs', join(FIX, 'inputs.npy')], /--inputs has shape \[3, 16\]/],
        [['audit', join(FIX, 'mlp.safetensors'), '--arch', '16 > 32:tanh x 3 > 8', '--gain', '2'], /unknown option '--gain'/],
        [['audit', join(FIX, 'unsupported.onnx')], /unsupported\.onnx: node '\/softmax\/Softmax' \(Softmax\): operator not supported by eoc audit/],
        [['audit', join(FIX, 'mlp.onnx'), '--arch', '8 > 6'], /--arch: an \.onnx model gives its own layers/],
        [['audit', truncatedOnnx], /truncated\.onnx: /],
        [['audit', join(FIX, 'mlp.safetensors'), '--arch', '16 > 32:tanh x 3 > 8', '--inputs', join(FIX, 'mlp.safetensors')], /--inputs takes an \.npy file/],
        [['audit', join(FIX, 'mlp.safetensors'), '--arch', '16 > 32:tanh x 3 > 8'], /more than the .* GiB eoc reads whole/, { EOC_MAX_MEMORY_MB: '0.05' }],
      ] as [string[], RegExp, Record<string, string>?][]) {
        const r = eoc([...args, '--out', out], env ?? {});
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
        expect(r.stderr.trim().split('\n').length, r.stderr).toBe(1);
        expect(r.stderr).toMatch(re);
        expect(existsSync(out), args.join(' ')).toBe(false);
      }
      expect(readdirSync(root).sort()).toEqual(['garbage.npz', 'truncated.onnx', 'truncated.safetensors']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
