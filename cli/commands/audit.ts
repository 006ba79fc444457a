import type { Command } from 'commander';
import { basename, relative } from 'node:path';
import { action, EXIT_CHECK_FAILED, EXIT_OK, log, print } from '../common.js';
import { addOptions, applyMaxMemory } from '../options.js';
import { num, pm, table } from '../format.js';
import { progressBar } from '../progress.js';
import { readOptions, type ParsedOptions } from '../../src/spec/options.js';
import { SpecError } from '../../src/spec/errors.js';
import { registerUserPath } from '../../src/io/fs-errors.js';
import { LN_GRAD_RATIO_LABEL } from '../../src/measure/definitions.js';
import type { AuditResult } from '../../src/audit/run.js';
import { flagText } from '../../src/audit/flags.js';
import type { AuditModel } from '../../src/audit/model.js';
import type { SpectrumRun } from '../../src/measure/run-spectrum.js';

const HELP = `
What it reads: safetensors (what model.save_pretrained and safetensors.torch.save_file write), .npz
and .npy with the layer list from --arch, or an .onnx model (its graph gives the layers). The name
mapping: P.weight / P.bias pairs, dense layers in the natural order of P (layers.2 before layers.10);
without .weight names, the 2-D tensors in natural name order and the 1-D ones their biases; a 3-D
tensor is a stack of layers (README "eoc audit").
Per layer: shape, effective gain std(W) sqrt(fan_in) (torch's gain: 1 for N(0, 1/fan_in), g for g O),
bias std, orthogonality defect ||G/g^2 - I||_F / sqrt(k) of the short side's Gram matrix G (0 for a
scaled orthogonal W, about sqrt(short/long side) for a Gaussian one) and flags: NaN/Inf, all-zero,
constant or duplicated rows (broken), and a scale outlier (more than 3x from the median effective
gain, or from the ideal gain: a warning).
End to end: the Jacobian's singular values and gradient norms at random inputs of variance q0 (or at
--inputs), as eoc spectrum measures a sampled net, beside the same layers ideally initialized
(orthogonal, no bias, the file's residual alphas, at the m1 = 1 gain eoc check finds; for a residual
list also check's recommended alpha).
Verdict: broken (a layer flagged broken), else eoc check's: faithful, vanishing, exploding,
anisotropic, untrusted; unverified where a matrix-free spectrum (wide models) shows m1 passing but
cannot measure the spread (--method dense decides). Exit codes: 0 faithful, 1 not faithful, 2 bad input, 3 internal error.`;

export function registerAudit(program: Command): void {
  const cmd = program
    .command('audit')
    .description("check a real model's initialization from its weight file: per-layer findings, the end-to-end spectrum beside an ideal init, a verdict; exit 0 faithful, 1 not, 2 bad input")
    .argument('<file>', 'a .safetensors, .npz, .npy or .onnx weight file')
    .addHelpText('after', HELP);
  addOptions(cmd, 'audit').action(action(async (file: string, raw: Record<string, unknown>) => runAuditCommand(file, readOptions('audit', raw))));
}

/** The file as a model: ONNX by its graph, the others by the name mapping onto --arch. */
async function loadModel(file: string, o: ParsedOptions): Promise<AuditModel> {
  const [{ readWeightFile, readOnnxFile }, { modelFromTensors, modelFromOnnx }, { resolveArch }, { widthsHint }] = await Promise.all([
    import('../../src/io/weights/index.js'),
    import('../../src/audit/model.js'),
    import('../../src/spec/arch.js'),
    import('../../src/audit/mapping.js'),
  ]);
  const draft = o.get('arch');
  const layout = o.get('layout');
  if (file.toLowerCase().endsWith('.onnx')) {
    const given = o.givenFlags(['arch', 'layout']);
    if (given.length) throw new SpecError(`${given.join(', ')}: an .onnx model gives its own layers and layout (its graph); leave ${given.length > 1 ? 'them' : 'it'} out`);
    return modelFromOnnx(readOnnxFile(file));
  }
  const tensors = readWeightFile(file);
  if (!draft) {
    const hint = widthsHint(tensors, layout);
    throw new SpecError(
      `--arch is required for a ${tensors.format} file (it holds weights, not activations)` +
        (hint ? `: its dense weights chain ${hint}, so e.g. --arch '${hint.split(' > ').map((w, i, a) => (i === 0 || i === a.length - 1 ? w : `${w}:relu`)).join(' > ')}' with your activations` : ''),
    );
  }
  return modelFromTensors(tensors, resolveArch(draft, { init: 'gaussian', biasStd: 1 }), layout);
}

async function runAuditCommand(file: string, o: ParsedOptions): Promise<void> {
  applyMaxMemory(o.get('maxMemory'));
  registerUserPath(file, 'input');
  const q0 = o.get('q0');
  if (q0 === 'fixed-point') throw new Error('internal: audit --q0 fixed-point passed the option table');
  const t0 = performance.now();
  const model = await loadModel(file, o);
  const [{ runAudit, auditDocument }, { readInputs }, { toJson }] = await Promise.all([import('../../src/audit/run.js'), import('../../src/audit/model.js'), import('../../src/io/json.js')]);
  const inputsPath = o.get('inputs');
  if (inputsPath !== undefined) registerUserPath(inputsPath, 'input');
  const inputs = inputsPath === undefined ? undefined : { path: inputsPath, rows: readInputs(inputsPath, model.net.input) };
  const out = o.get('out');
  // the report folder <out>/<name>/ (name: the file's stem), locked and replaced whole as eoc report's
  let report: { dir: string; release: () => void } | undefined;
  if (out !== undefined) {
    const [{ prepareOutDir }, { lockReportFolder, reportFolder }] = await Promise.all([import('../../src/io/out-dir.js'), import('../../src/report/build.js')]);
    const root = prepareOutDir(out, '--out');
    const name = o.get('name') ?? `audit-${basename(file).replace(/\.[^.]*$/, '')}`;
    const lock = lockReportFolder(root, name);
    report = { dir: reportFolder(root, name), release: () => lock.release() };
  }
  try {
    const r = await runAudit(model, {
      q0,
      seeds: o.get('seeds'),
      seed: o.get('seed'),
      ...(inputs ? { inputs } : {}),
      method: o.get('method'),
      thresholds: { tolM1: o.get('tolM1'), tolSpread: o.get('tolSpread') },
      ideal: o.get('ideal'),
      workers: o.get('workers'),
      maxEvaluations: o.get('maxEvaluations'),
      onSample: progressBar('audit'),
    });
    if (report) {
      const { writeAuditReport } = await import('../../src/report/audit.js');
      await writeAuditReport(report.dir, r, ['eoc', ...process.argv.slice(2)].join(' '));
    }
    log(`audit: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    print(o.get('json') ? toJson(auditDocument(r)) : auditText(r) + (report ? `\nwritten: ${relative(process.cwd(), report.dir) || '.'} (index.html, audit.svg, .png, .vl.json, .json)\n` : ''));
    process.exitCode = r.verdict === 'faithful' ? EXIT_OK : EXIT_CHECK_FAILED;
  } finally {
    report?.release();
  }
}

const STATS: [keyof SpectrumRun['summary'], string][] = [
  ['m1', 'm1 (mean squared singular value)'],
  ['ln_m1', 'ln m1'],
  ['std_log', 'std of ln s'],
  ['rms_log', 'rms of ln s'],
  ['log10_cond', 'log10 condition number'],
  ['frac_within_2', 'frac_within_2 (s in [1/2, 2])'],
  ['s_max', 's_max'],
  ['s_min', 's_min'],
];

function statText(run: SpectrumRun | null | undefined, k: keyof SpectrumRun['summary']): string {
  if (!run) return '-';
  const e = run.summary[k];
  return e.n === 0 || !Number.isFinite(e.mean) ? 'n/a' : pm(e, 4);
}

export function auditText(r: AuditResult): string {
  const lines: string[] = [];
  lines.push(`model ${r.source.path} (${r.source.format}; ${r.source.mapping})`);
  lines.push(`network ${r.arch}`);
  lines.push(`${r.faithful}`, '', `verdict: ${r.verdict.toUpperCase()}  (${r.reason})`, '');
  const rows = r.layers.map((l) => [
    String(l.layer),
    l.name,
    `${l.rows} x ${l.cols}`,
    Number.isFinite(l.effectiveGain) ? num(l.effectiveGain, 4) : 'n/a',
    l.idealGainRatio === null ? '-' : num(l.idealGainRatio, 3),
    l.biasStd === null ? '-' : num(l.biasStd, 3),
    Number.isFinite(l.orthogonalityDefect) ? num(l.orthogonalityDefect, 3) : 'n/a',
    l.flags.length ? l.flags.map((f) => f.kind).join(', ') : 'ok',
  ]);
  lines.push('layers (gain = std(W) sqrt(fan_in); / ideal = over the ideal m1 = 1 gain; defect 0 = scaled orthogonal):');
  lines.push(table(['#', 'tensor', 'shape', 'gain', '/ ideal', 'bias std', 'defect', 'flags'], rows));
  const flagged = r.layers.filter((l) => l.flags.length);
  for (const l of flagged) lines.push(`  layer ${l.layer} (${l.name}): ${l.flags.map(flagText).join('; ')}`);
  lines.push('');
  const inputs = r.inputs.kind === 'random' ? `${r.inputs.seeds.length} random input(s) of variance q0 ${r.inputs.q0}` : `${r.inputs.count} input(s) from ${r.inputs.path} (q0 ${pm(r.inputs.q0, 3)})`;
  const method = r.spectrum ? [...new Set(r.spectrum.samples.map((s) => s.method ?? 'dense'))].join(', ') : '-';
  lines.push(`end to end, at ${inputs}; ${method} spectrum${r.spectrumNote ? ` — ${r.spectrumNote}` : ''}`);
  const id = r.ideal;
  const idealHead = id ? `ideal (orthogonal, gain ${pm(id.gain, 4)})` : 'ideal';
  const statRows = STATS.map(([k, label]) => [label, statText(r.spectrum, k), id ? statText(id.run, k) : '-']);
  statRows.push([LN_GRAD_RATIO_LABEL, r.lnGradNormRatio ? pm(r.lnGradNormRatio, 4) : '-', id ? pm(id.lnGradNormRatio, 4) : '-']);
  lines.push(table(['', 'model', idealHead], statRows));
  if (id) lines.push(`ideal model: ${id.verdict} (${id.reason})${id.converged ? '' : '; its m1 = 1 search stopped early on some seed (approximate gain)'}`);
  if (id && id.alphaScale !== null) lines.push(`  residual blocks: eoc check's recommended alpha is ${num(id.alphaScale, 4)} x the file's alphas (the largest faithful multiple at gain 1, orthogonal)`);
  else if (r.idealNote) lines.push(`ideal model: ${r.idealNote}`);
  if (id && r.idealNote) lines.push(`  ${r.idealNote}`);
  if (r.spectrum) {
    lines.push('', 'gradient norms ln |delta^l| per layer (unit by unit; mean over inputs):');
    const gl = r.spectrum.layers.map((l, i) => [String(l.layer), num(l.logGradNorm.mean, 4), id && id.run.layers[i] ? num(id.run.layers[i].logGradNorm.mean, 4) : '-']);
    const shown = gl.length > 12 ? [...gl.slice(0, 6), ['...', '', ''], ...gl.slice(-6)] : gl;
    lines.push(table(['unit', 'model', 'ideal'], shown));
  }
  return lines.join('\n') + '\n';
}
