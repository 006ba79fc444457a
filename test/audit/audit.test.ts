import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { readWeightFile } from '../../src/io/weights/index.js';
import { mapWeights, naturalCompare } from '../../src/audit/mapping.js';
import { modelFromTensors, modelDraws, readInputs } from '../../src/audit/model.js';
import { auditMethod, layerFindings, runAudit, type AuditOptions } from '../../src/audit/run.js';
import { parseArch, resolveArch } from '../../src/spec/arch.js';
import { resolveSpec } from '../../src/spec/validate.js';
import { runSpectrum, specDraws } from '../../src/measure/run-spectrum.js';
import { denseStagesOf } from '../../src/network/layers.js';
import { unitVector } from '../../src/network/sampler.js';
import { writeSafetensorsF64 } from '../support/safetensors.js';

const FIX = fileURLToPath(new URL('../fixtures/weights/', import.meta.url));
const expected = JSON.parse(readFileSync(join(FIX, 'models-expected.json'), 'utf8')) as Record<string, { shape: number[]; effectiveGain?: number; defect?: number | null; biasStd?: number | null }[]>;
const arch = (text: string) => resolveArch(parseArch(text), { init: 'gaussian', biasStd: 1 });
const model = (file: string, text: string, layout: 'out-in' | 'in-out' = 'out-in') => modelFromTensors(readWeightFile(join(FIX, file)), arch(text), layout);
const OPTS: AuditOptions = { q0: 1, seeds: 2, seed: 0, method: 'dense', thresholds: { tolM1: Math.LN2, tolSpread: Math.LN2 }, ideal: false, workers: 1, maxEvaluations: 5 };

/** eoc audit (issue 15): the name mapping, the findings against numpy, the end-to-end numbers against eoc spectrum. */
describe('the name mapping', () => {
  it('natural order: digit runs compare as numbers', () => {
    expect(['layers.10.weight', 'layers.9.weight', 'layers.1.weight', 'a2', 'a10', 'a02'].sort(naturalCompare)).toEqual(['a2', 'a02', 'a10', 'layers.1.weight', 'layers.9.weight', 'layers.10.weight']);
  });

  it("torch names: 0, 2, 4, 6 in numeric order, each with its bias; a residual list's layernorms at init", () => {
    const m = mapWeights(readWeightFile(join(FIX, 'mlp.safetensors')), arch('16 > 32:tanh x 3 > 8'));
    expect(m.rule).toBe('named');
    expect(m.dense.map((d) => `${d.name}/${d.biasName}/${d.weight.rows}x${d.weight.cols}`)).toEqual(['0.weight/0.bias/32x16', '2.weight/2.bias/32x32', '4.weight/4.bias/32x32', '6.weight/6.bias/8x32']);
    const r = mapWeights(readWeightFile(join(FIX, 'residual.safetensors')), arch('16 > res(ln > 32:gelu > 16) x 2 > ln'));
    expect(r.dense.map((d) => d.name)).toEqual(['blocks.0.fc1.weight', 'blocks.0.fc2.weight', 'blocks.1.fc1.weight', 'blocks.1.fc2.weight']);
    expect(r.layernorms.map((l) => l.weightName)).toEqual(['blocks.0.norm.weight', 'blocks.1.norm.weight', 'norm.weight']);
  });

  it("a read-out named before the layers ('head' < 'layers'): it waits for the layer its shape fits", () => {
    const t = (name: string, rows: number, cols: number) => ({ name, dtype: 'F32', shape: [rows, cols], data: new Float64Array(rows * cols) });
    const file = { format: 'safetensors' as const, path: 'm.safetensors', tensors: [t('head.weight', 2, 4), t('layers.1.weight', 4, 4), t('layers.0.weight', 4, 4)] };
    expect(mapWeights(file, arch('4 > 4:tanh x 2 > 2')).dense.map((d) => d.name)).toEqual(['layers.0.weight', 'layers.1.weight', 'head.weight']);
  });

  it('positional .npz names (w0, w1 with b0, b1) and a stacked 3-D .npy', () => {
    const p = mapWeights(readWeightFile(join(FIX, 'positional.npz')), arch('12 > 12:tanh > 12'));
    expect(p.rule).toBe('positional');
    expect(p.dense.map((d) => `${d.name}/${d.biasName}`)).toEqual(['w0/b0', 'w1/b1']);
    expect(Array.from(p.dense[1].bias!)).toEqual(new Array(12).fill(0.1));
    const s = mapWeights(readWeightFile(join(FIX, 'stack.npy')), arch('12 > 12:tanh x 2 > 12'));
    expect(s.dense.map((d) => d.name)).toEqual(['array[0]', 'array[1]', 'array[2]']);
  });

  it('--layout in-out transposes; a mismatch names the tensor and what was expected', () => {
    const t = model('positional.npz', '12 > 12:tanh > 12', 'in-out');
    const o = model('positional.npz', '12 > 12:tanh > 12');
    for (let i = 0; i < 12; i++) for (let j = 0; j < 12; j++) expect(t.dense[0].weight.data[i * 12 + j]).toBe(o.dense[0].weight.data[j * 12 + i]);
    expect(() => model('mlp.safetensors', '16 > 32:tanh x 2 > 8')).toThrow(/4 dense weight tensor\(s\) \(0\.weight, 2\.weight, 4\.weight, 6\.weight\) but --arch has 3 dense layer\(s\)/);
    expect(() => model('mlp.safetensors', '32 > 32:tanh x 3 > 8')).toThrow(/dense layer 3 of --arch maps 32 to 32 units but no tensor left has that shape: the next, '0\.weight', is 32 x 16/);
    expect(() => model('mlp.safetensors', '32 > 16:tanh > 32:tanh x 2 > 8')).toThrow(/it fits transposed: .*--layout in-out/);
    expect(() => model('residual.safetensors', '16 > res(32:gelu > 16) x 2')).toThrow(/3 layernorm tensor pair\(s\) .* but --arch has 0 layernorm/);
  });
});

describe('per-layer findings', () => {
  it('match numpy (make_weights.py) to 1e-12: effective gain, defect, bias std', () => {
    for (const [file, text] of [
      ['mlp.safetensors', '16 > 32:tanh x 3 > 8'],
      ['scaled.safetensors', '24 > 24:tanh x 5 > 24'],
      ['positional.npz', '12 > 12:tanh > 12'],
      ['stack.npy', '12 > 12:tanh x 2 > 12'],
    ]) {
      const f = layerFindings(model(file, text));
      expect(f.length).toBe(expected[file].length);
      f.forEach((l, i) => {
        const e = expected[file][i];
        expect([l.rows, l.cols]).toEqual(e.shape);
        expect(Math.abs(l.effectiveGain - e.effectiveGain!), `${file} ${l.name}`).toBeLessThan(1e-12 * e.effectiveGain!);
        // the defect of a float32-orthogonal W is ~4e-8: absolute 1e-12 (the Gram matrix's rounding, not float32's)
        expect(Math.abs(l.orthogonalityDefect - e.defect!), `${file} ${l.name}`).toBeLessThan(1e-12);
        if (e.biasStd !== undefined && e.biasStd !== null) expect(Math.abs(l.biasStd! - e.biasStd)).toBeLessThan(1e-12);
      });
    }
  });

  it('the broken model: a NaN, a zero layer and duplicated rows, each flagged; verdict broken, no spectrum', async () => {
    const m = model('broken.safetensors', '24 > 24:tanh x 5 > 24');
    const r = await runAudit(m, OPTS);
    expect(r.layers.map((l) => l.flags.map((f) => f.kind).join(','))).toEqual(['', 'non-finite', 'all-zero', '', 'duplicate-rows', '']);
    expect(r.layers[1].flags[0]).toEqual({ kind: 'non-finite', count: 1, nan: 1 });
    expect(r.layers[4].flags[0]).toEqual({ kind: 'duplicate-rows', pairs: 1, first: [2, 7] });
    expect(r.verdict).toBe('broken');
    expect(r.reason).toMatch(/layer 2 \(layers\.1\.weight\): 1 non-finite entry .*layer 3 \(layers\.2\.weight\): all zero.*layer 5 \(layers\.4\.weight\): 1 duplicated row/);
    expect(r.spectrum).toBeNull();
    expect(r.spectrumNote).toMatch(/layer 2 \(layers\.1\.weight\) holds NaN/);
  });

  it('a wrong-scale layer: flagged as a scale outlier (10x the median), measured end to end, not broken', async () => {
    const r = await runAudit(model('scaled.safetensors', '24 > 24:tanh x 5 > 24'), OPTS);
    expect(r.layers.map((l) => l.flags.map((f) => f.kind).join(','))).toEqual(['', '', 'scale-outlier', '', '', '']);
    const f = r.layers[2].flags[0] as { ratio: number };
    expect(Math.abs(f.ratio - 10)).toBeLessThan(0.01);
    expect(r.verdict).not.toBe('broken');
    expect(r.spectrum).not.toBeNull();
  });
});

describe('end to end: a file written from an eoc-sampled network measures what eoc spectrum measures', () => {
  const cases: [string, string, 'orthogonal' | 'gaussian', number, number][] = [
    ['a rectangular tanh MLP', '24 > 32:tanh > 32:tanh > 16', 'orthogonal', 1.3, 0.2],
    ['a pre-LN residual list', '24 > res(ln > 48:gelu > 24, alpha=0.5) x 3 > ln', 'gaussian', 1.1, 0.1],
    ['a square relu MLP', '32:relu x 6', 'orthogonal', 1.4, 0],
  ];
  for (const [what, text, init, gain, biasStd] of cases) {
    it(`${what}: every ln s and ln |delta^l| within 1e-10 for the same seed`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'eoc-audit-'));
      try {
        for (const seed of [3, 4]) {
          const spec = resolveSpec({ arch: parseArch(text), init, gain, biasStd, q0: 1.5, seeds: 1, seed });
          const run = runSpectrum(spec, 1.5);
          const draws = specDraws(spec, seed);
          const stages = denseStagesOf(spec.arch!);
          // the file holds the scaled network: W = (g * g_l) base, b = sigma_b,l bias
          const tensors = stages.flatMap((st, l) => [
            { name: `net.${l}.weight`, shape: [draws.weights[l].rows, draws.weights[l].cols], data: draws.weights[l].data.map((v) => gain * st.gain * v) },
            { name: `net.${l}.bias`, shape: [draws.biases[l].length], data: draws.biases[l].map((v) => st.biasStd * v) },
          ]);
          const file = join(dir, `net-${seed}.safetensors`);
          writeSafetensorsF64(file, tensors);
          const r = await runAudit(modelFromTensors(readWeightFile(file), arch(text), 'out-in'), { ...OPTS, q0: 1.5, seeds: 1, seed });
          const a = r.spectrum!.samples[0], b = run.samples[0];
          expect(a.rank).toBe(b.rank);
          expect(a.logSingularValues.length).toBe(b.logSingularValues.length);
          for (let i = 0; i < a.logSingularValues.length; i++) {
            const x = a.logSingularValues[i], y = b.logSingularValues[i];
            if (y === -Infinity) expect(x).toBe(-Infinity);
            else expect(Math.abs(x - y), `${what} seed ${seed} s_${i}`).toBeLessThan(1e-10);
          }
          a.layers.forEach((l, i) => expect(Math.abs(l.logGradNorm - b.layers[i].logGradNorm)).toBeLessThan(1e-10));
          expect(Math.abs(r.spectrum!.summary.m1.mean / run.summary.m1.mean - 1)).toBeLessThan(1e-10);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('--inputs: an input row sqrt(N q0) u measures what the random input direction u at q0 does (exact identity up to rounding)', async () => {
    const m = model('mlp.safetensors', '16 > 32:tanh x 3 > 8');
    const q0 = 0.7;
    const rows = [0, 1].map((s) => unitVector(16, s, 'input').map((v) => Math.sqrt(16 * q0) * v));
    const byRows = await runAudit(m, { ...OPTS, inputs: { path: 'x.npy', rows } });
    const random = await runAudit(m, { ...OPTS, q0, seeds: 2, seed: 0 });
    expect(byRows.inputs).toMatchObject({ kind: 'file', count: 2 });
    for (let s = 0; s < 2; s++) {
      const a = byRows.spectrum!.samples[s].logSingularValues, b = random.spectrum!.samples[s].logSingularValues;
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-12);
    }
    // and the committed inputs.npy (3 x 16) reads as 3 rows; a wrong width is one line naming the file
    expect(readInputs(join(FIX, 'inputs.npy'), 16).length).toBe(3);
    expect(() => readInputs(join(FIX, 'inputs.npy'), 12)).toThrow(/inputs\.npy: --inputs has shape \[3, 16\]: the model takes inputs of 12 values/);
    expect(modelDraws(m, 0, rows[0]).inputDirection.length).toBe(16);
  });

  it('the ideal model: orthogonal at its m1 = 1 gain, faithful on this MLP, with per-layer gain ratios', async () => {
    const r = await runAudit(model('mlp.safetensors', '16 > 32:tanh x 3 > 8'), { ...OPTS, ideal: true });
    expect(r.ideal).not.toBeNull();
    const id = r.ideal!;
    // tanh at q0 = 1: the m1 = 1 gain of a 4-layer net lies between 1 and the mean-field 1.5
    expect(id.gain.mean).toBeGreaterThan(1.1);
    expect(id.gain.mean).toBeLessThan(1.6);
    expect(Math.abs(id.run.summary.ln_m1.mean)).toBeLessThan(0.1);
    r.layers.forEach((l) => expect(l.idealGainRatio).toBeCloseTo(l.effectiveGain / id.gain.mean, 12));
  });

  it('wide models: auto picks the dense spectrum up to the cost budget and matrix-free beyond; a matrix-free verdict is at best unverified', async () => {
    const wide = (n: number, layers: number) => ({
      format: 'safetensors' as const,
      path: 'w',
      net: arch(`${n}:tanh x ${layers}`),
      dense: Array.from({ length: layers }, (_, i) => ({ name: `${i}.weight`, weight: { rows: n, cols: n, data: new Float64Array(0) }, bias: null, biasName: null })),
      mapping: 'named',
    });
    expect(auditMethod(wide(1024, 12), 'auto')).toBe('dense');
    expect(auditMethod(wide(2048, 4), 'auto')).toBe('matrix-free');
    expect(auditMethod(wide(2048, 4), 'dense')).toBe('dense');
    const m = model('scaled.safetensors', '24 > 24:tanh x 5 > 24');
    const mf = await runAudit(m, { ...OPTS, method: 'matrix-free' });
    const dense = await runAudit(m, OPTS);
    expect(mf.spectrum!.samples.every((s) => s.method === 'matrix-free')).toBe(true);
    expect(Number.isNaN(mf.spectrum!.summary.std_log.mean)).toBe(true);
    // Hutchinson's m1 against the exact one: within 4 of its own standard errors
    for (let i = 0; i < 2; i++) {
      const a = mf.spectrum!.samples[i], b = dense.spectrum!.samples[i];
      expect(Math.abs(a.stats.ln_m1 - b.stats.ln_m1)).toBeLessThan(4 * a.matrixFree!.lnM1Stderr);
    }
    // the wrong-scale layer keeps m1 near 1 but spreads ln s (std 6.3): the dense verdict sees it, m1 alone cannot
    expect(dense.verdict).toBe('anisotropic');
    expect(mf.verdict).toBe('unverified');
    expect(mf.reason).toMatch(/the matrix-free method does not estimate the spread std\(ln s\): not shown faithful/);
  });
});
