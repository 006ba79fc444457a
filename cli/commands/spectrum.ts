import type { Command } from 'commander';
import { action, print } from '../common.js';
import { addOptions, applyMaxMemory, refuseBesideArch } from '../options.js';
import { table, pm, num, pmPositive, numFromLog, outOfRange } from '../format.js';
import { progressBar } from '../progress.js';
import { resolveSpec } from '../../src/spec/validate.js';
import { archText, hasBlocks, jacobianSize } from '../../src/network/layers.js';
import { SpecError } from '../../src/spec/errors.js';
import { blockTrajectory } from '../../src/theory/block-trajectory.js';
import { message } from '../../src/log/message.js';
import { readOptions, type ParsedOptions } from '../../src/spec/options.js';
import { undefinedStatReason } from '../../src/measure/stats.js';
import { logDetSummary } from '../../src/io/spectrum-document.js';
import type { SpectrumRun } from '../../src/measure/run-spectrum.js';
import type { SpectrumTheoryBlock } from '../../src/io/spectrum-document.js';

const STAT_ROWS: [keyof SpectrumRun['summary'], string][] = [
  ['m1', 'mean squared singular value (1 = norm-preserving on average)'],
  ['var_sq_norm', 'variance of s^2 / m1^2 (0 = isometric)'],
  ['mean_log', 'mean ln s'],
  ['std_log', 'std of ln s'],
  ['rms_log', 'rms of ln s (0 iff every s = 1)'],
  ['log10_cond', 'log10 s_max/s_min'],
  ['frac_within_2', 'fraction of s in [1/2, 2]'],
  ['s_max', 'largest singular value (geometric mean over seeds, ln ± stderr)'],
  ['s_min', 'smallest nonzero singular value (geometric mean over seeds, ln ± stderr)'],
];

export function registerSpectrum(program: Command): void {
  const cmd = program
    .command('spectrum')
    .description('Jacobian singular-value statistics and per-layer gradient norms for one configuration');
  addOptions(cmd, 'spectrum').action(action(async (raw: Record<string, unknown>) => runSpectrumCommand(readOptions('spectrum', raw))));
}

async function runSpectrumCommand(o: ParsedOptions): Promise<void> {
  applyMaxMemory(o.get('maxMemory'));
  const workers = Math.min(o.get('workers'), o.get('seeds'));
  const spec = resolveSpec(specOf(o), workers);
  // the numerics load only when a command runs (eoc --help and refusals stay fast)
  const [{ resolveQ0, theoryBlock }, { runSpectrumParallel }, { toJson }, { spectrumDocument, spectrumWarnings }] = await Promise.all([
    import('../../src/measure/analyze.js'),
    import('../../src/sweep/index.js'),
    import('../../src/io/json.js'),
    import('../../src/io/spectrum-document.js'),
  ]);
  const q0 = resolveQ0(spec);
  const c0 = o.get('c0');
  if (spec.arch && hasBlocks(spec.arch)) refuseForBlocks(o);
  const run = await runSpectrumParallel(spec, q0, workers, { onSample: progressBar('spectrum'), method: o.get('method'), ...(c0 !== undefined ? { c0 } : {}) });
  const theory = theoryBlock(spec, q0, c0);
  for (const w of spectrumWarnings(run)) process.stderr.write(`eoc: warning: ${w}\n`);
  if (o.get('json')) print(toJson(spectrumDocument(run, theory)));
  else print(spectrumText(run, theory));
}

/**
 * Residual blocks and layernorm layers are measured for one input (src/network/blocks.ts): the
 * two-input correlation is refused with one line.
 */
export function refuseForBlocks(o: ParsedOptions): void {
  if (o.get('c0') !== undefined) throw new SpecError(message.conflict('--arch with residual blocks or layernorm', '--c0', 'the two-input correlation does not take residual blocks or layernorm layers yet'));
}

/** The network options of spectrum and check, as a NetworkSpec (resolveSpec checks the combination). */
export function specOf(o: ParsedOptions) {
  const arch = o.get('arch');
  refuseBesideArch(o);
  return {
    arch,
    activation: o.get('activation'),
    init: o.get('init'),
    depth: o.get('depth'),
    width: o.get('width'),
    gain: o.get('gain'),
    biasStd: o.get('biasStd'),
    q0: o.get('q0'),
    seeds: o.get('seeds'),
    seed: o.get('seed'),
  };
}

/**
 * The "measured" cell of one statistic: mean ± stderr; for m1, s_max and s_min the log form when a
 * seed's value leaves float64 (m1 = e^-921 prints as "1.0000e-400 (ln -921.03)", never 0); "n/a"
 * with the reason when the statistic does not exist for any seed (J = 0).
 */
function measuredCell(run: SpectrumRun, k: keyof SpectrumRun['summary']): string {
  const e = run.summary[k];
  if (e.n === 0) {
    const mf = run.samples.find((x) => x.matrixFree)?.matrixFree?.notEstimated?.[k];
    if (mf) return `n/a (matrix-free: ${mf})`;
    const why = run.samples.map((x) => undefinedStatReason(k, x.rank)).find((r) => r !== null);
    return why ? `n/a (${why})` : pm(e);
  }
  if (k === 'm1') return pmPositive(e, run.samples.map((x) => x.stats.ln_m1), run.summary.ln_m1);
  if (k === 's_max' || k === 's_min') {
    // geometric mean over seeds: exp(mean ln s), with the stderr of the log
    const ln = k === 's_max' ? run.summary.ln_s_max : run.summary.ln_s_min;
    if (ln.n === 0) return 'n/a';
    const text = numFromLog(ln.mean, 5);
    return Number.isFinite(ln.stderr) ? text.replace(/\)$/, ` ± ${num(ln.stderr, 2)})`) : text;
  }
  return pm(e);
}

function layerRowsToShow(L: number): number[] {
  const picks = new Set<number>([1, L]);
  for (let k = 1; k <= 8; k++) picks.add(Math.max(1, Math.round((k * L) / 8)));
  return [...picks].sort((a, b) => a - b);
}

function blockTheoryReason(arch: NonNullable<SpectrumRun['spec']['arch']>, gain: number, q0: number): string {
  const t = blockTrajectory(arch, gain, q0);
  return t.ok ? '' : t.reason;
}

export function spectrumText(run: SpectrumRun, theory?: SpectrumTheoryBlock): string {
  const s = run.spec;
  const blocks = s.arch !== undefined && hasBlocks(s.arch);
  const net = s.arch
    ? `network ${archText(s.arch)} (${s.depth} dense layers${blocks ? ` in ${run.layers.length} units` : ''}, J has ${jacobianSize(s.arch)} singular values), ${s.init} weights, `
    : `${s.activation} net, ${s.init} weights, depth ${s.depth}, width ${s.width}, `;
  const head =
    `${net}gain ${num(s.gain, 6)}, ` +
    `sigma_b ${num(s.biasStd)} (sigma_b^2 ${num(s.biasStd ** 2)}), q0 ${num(run.q0)}${s.q0 === 'fixed-point' ? ' (fixed point)' : ''}, ` +
    `${run.seeds.length} seed${run.seeds.length > 1 ? 's' : ''} from ${s.seed}`;
  const stats = table(
    ['statistic', 'measured (mean ± stderr)', ...(theory ? ['mean field'] : []), 'meaning'],
    STAT_ROWS.map(([k, meaning]) => {
      const th = !theory ? [] : k === 'm1' ? [outOfRange(theory.ln_m1) ? numFromLog(theory.ln_m1) : num(theory.m1)] : k === 'var_sq_norm' ? [theory.var_sq_norm === null ? (blocks ? 'n/a (blocks)' : 'n/a (rectangular)') : num(theory.var_sq_norm)] : [''];
      return [k, measuredCell(run, k), ...th, meaning];
    }),
  );
  const rankNote =
    (run.samples.some((x) => x.rank < (s.arch ? jacobianSize(s.arch) : s.width))
      ? `\nrank of J < ${s.arch ? 'min(N_0, N_L)' : 'N'} for some seeds (${run.samples.map((x) => x.rank).join(', ')}): ${blocks ? 'a layernorm removes the shift and scale of its input (2 null directions with eps = 0, 1 with eps > 0) and dead units give exact zeros' : 'dead units make singular values exactly 0'}; log statistics are over the nonzero ones.`
      : '') +
    (blocks
      ? `\nunits: each residual block, layernorm and dense layer (with the activation after it) of the top level is one row${theory ? '; mean field: the residual length map m\' = m + alpha^2 V(m), chi = 1 + alpha^2 chi_F per block, layernorm m\' = 1 (var_sq_norm: no free-probability sum for blocks yet)' : `; no mean-field prediction for this list (${blockTheoryReason(s.arch!, s.gain, run.q0)}): the measurement alone`}.`
      : '');
  const layerRows = layerRowsToShow(run.layers.length).map((l) => {
    const r = run.layers[l - 1];
    const row: (string | number)[] = [l, pm(r.q, 4), pm(r.logGradNorm, 4), pm(r.logWeightGradNorm, 4)];
    if (theory) row.push(num(theory.q[l - 1], 4), num(theory.logGradNorm[l - 1], 4));
    if (r.c) row.push(pm(r.c, 4), ...(theory ? [theory.c ? num(theory.c[l - 1], 4) : 'n/a'] : []));
    return row;
  });
  const withC = run.c0 !== undefined;
  const layers = table(
    [
      ...(blocks ? ['unit', 'q (stream after it)', 'ln |dE/dx| there', 'ln |dE/d params|'] : ['layer', 'q^l', 'ln |delta^l|', 'ln |dE/dW^l|']),
      ...(theory ? (blocks ? ['q theory', 'ln |dE/dx| theory'] : ['q^l theory', 'ln |delta^l| theory']) : []),
      ...(withC ? [`c^l (c0 = ${num(run.c0!)})`, ...(theory ? ['c^l theory'] : [])] : []),
    ],
    layerRows,
  );
  const check = logDetSummary(run);
  const checkNote =
    check.maxAbsResidual === null
      ? `\nlog-det self-check: not formed (${check.reason})`
      : `\nlog-det self-check: max |residual| ${num(check.maxAbsResidual, 2)} over ${check.checked} seed${check.checked > 1 ? 's' : ''} ` +
        `(tolerance ${num(check.tolerance!, 2)}): ${check.failedSeeds.length ? `FAILED for seed ${check.failedSeeds.join(', ')}, do not trust those singular values` : 'passed'}`;
  const mf = run.samples.find((x) => x.matrixFree)?.matrixFree;
  const methodNote = mf
    ? `\nmethod: matrix-free (Hutchinson m1 with ${mf.probes} probes, ln m1 stderr ${num(mf.lnM1Stderr, 2)}; Lanczos s_max, ${mf.lanczosSteps} steps, ` +
      `last-10-step change of ln s_max ${num(mf.topChange, 2)}; the other statistics are not estimated: --method dense computes them)`
    : `\nmethod: dense (QR-stabilized product, every singular value to high relative accuracy)`;
  return `${head}\n\n${stats}${rankNote}${methodNote}${checkNote}\n\nper layer (mean ± stderr over seeds; output error e is a unit vector):\n${layers}\n`;
}
