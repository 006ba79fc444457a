import { DEFAULT_SPEC } from '../../src/spec/types.js';
import type { Command } from 'commander';
import { action, print } from '../common.js';
import { workersFromOptions, addSpecOptions, addPerformanceOptions, applyMaxMemory, performanceFromOptions, specFromOptions, type RawPerformanceOptions, type RawSpecOptions } from '../spec-options.js';
import { table, pm, num } from '../format.js';
import { progressBar } from '../progress.js';
import { resolveSpec } from '../../src/spec/validate.js';
import { resolveQ0, theoryBlock } from '../../src/measure/analyze.js';
import { runSpectrumParallel } from '../../src/sweep/index.js';
import { toJson } from '../../src/io/json.js';
import { spectrumDocument } from '../../src/io/spectrum-document.js';
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
  ['s_max', 'largest singular value'],
  ['s_min', 'smallest nonzero singular value'],
];

export function registerSpectrum(program: Command): void {
  const cmd = program
    .command('spectrum')
    .description('Jacobian singular-value statistics and per-layer gradient norms for one configuration');
  addPerformanceOptions(addSpecOptions(cmd))
    .option('--workers <k>', 'worker threads, one seed each (default: one per core); results do not depend on it')
    .option('--json', 'print the eoc.spectrum/1 JSON document')
    .action(
      action(async (o: RawSpecOptions & RawPerformanceOptions & { json?: boolean; workers?: string }) => {
        const perf = performanceFromOptions(o);
        applyMaxMemory(perf.maxMemoryMB);
        const partial = specFromOptions(o);
        const workers = Math.min(
          workersFromOptions(o.workers),
          partial.seeds ?? DEFAULT_SPEC.seeds,
        );
        const spec = resolveSpec(partial, workers);
        const q0 = resolveQ0(spec);
        const run = await runSpectrumParallel(spec, q0, workers, { onSample: progressBar('spectrum'), method: perf.method });
        const theory = theoryBlock(spec, q0);
        if (o.json) print(toJson(spectrumDocument(run, theory)));
        else print(spectrumText(run, theory));
      }),
    );
}

function layerRowsToShow(L: number): number[] {
  const picks = new Set<number>([1, L]);
  for (let k = 1; k <= 8; k++) picks.add(Math.max(1, Math.round((k * L) / 8)));
  return [...picks].sort((a, b) => a - b);
}

export function spectrumText(run: SpectrumRun, theory?: SpectrumTheoryBlock): string {
  const s = run.spec;
  const head =
    `${s.activation} net, ${s.init} weights, depth ${s.depth}, width ${s.width}, gain ${num(s.gain, 6)}, ` +
    `sigma_b ${num(s.biasStd)} (sigma_b^2 ${num(s.biasStd ** 2)}), q0 ${num(run.q0)}${s.q0 === 'fixed-point' ? ' (fixed point)' : ''}, ` +
    `${run.seeds.length} seed${run.seeds.length > 1 ? 's' : ''} from ${s.seed}`;
  const mfReasons = run.samples.find((x) => x.matrixFree)?.matrixFree?.notEstimated;
  const stats = table(
    ['statistic', 'measured (mean ± stderr)', ...(theory ? ['mean field'] : []), 'meaning'],
    STAT_ROWS.map(([k, meaning]) => {
      const th = !theory ? [] : k === 'm1' ? [num(theory.m1)] : k === 'var_sq_norm' ? [num(theory.var_sq_norm)] : [''];
      const reason = run.summary[k].n === 0 ? mfReasons?.[k] : undefined;
      return [k, reason ? `n/a (matrix-free: ${reason})` : pm(run.summary[k]), ...th, meaning];
    }),
  );
  const rankNote = run.samples.some((x) => x.rank < s.width)
    ? `\nrank of J < N for some seeds (${run.samples.map((x) => x.rank).join(', ')}): dead units make singular values exactly 0; log statistics are over the nonzero ones.`
    : '';
  const layerRows = layerRowsToShow(s.depth).map((l) => {
    const r = run.layers[l - 1];
    const row: (string | number)[] = [l, pm(r.q, 4), pm(r.logGradNorm, 4), pm(r.logWeightGradNorm, 4)];
    if (theory) row.push(num(theory.q[l - 1], 4), num(theory.logGradNorm[l - 1], 4));
    return row;
  });
  const layers = table(
    ['layer', 'q^l', 'ln |delta^l|', 'ln |dE/dW^l|', ...(theory ? ['q^l theory', 'ln |delta^l| theory'] : [])],
    layerRows,
  );
  const mf = run.samples.find((x) => x.matrixFree)?.matrixFree;
  const methodNote = mf
    ? `\nmethod: matrix-free (Hutchinson m1 with ${mf.probes} probes, ln m1 stderr ${num(mf.lnM1Stderr, 2)}; Lanczos s_max, ${mf.lanczosSteps} steps, ` +
      `last-10-step change of ln s_max ${num(mf.topChange, 2)}; the other statistics are not estimated: --method dense computes them)`
    : `\nmethod: dense (QR-stabilized product, every singular value to high relative accuracy)`;
  return `${head}\n\n${stats}${rankNote}${methodNote}\n\nper layer (mean ± stderr over seeds; output error e is a unit vector):\n${layers}\n`;
}
