import { backendInfo } from '../../src/linalg/select.js';
import os from 'node:os';
import type { Command } from 'commander';
import { action, EXIT_CHECK_FAILED, EXIT_OK, log, print } from '../common.js';
import { num, pm } from '../format.js';
import { workersFromOptions, addSpecOptions, addPerformanceOptions, applyMaxMemory, performanceFromOptions, specFromOptions, type RawPerformanceOptions, type RawSpecOptions } from '../spec-options.js';
import { parseInteger, parsePositive } from '../../src/spec/parse.js';
import { resolveSpec } from '../../src/spec/validate.js';
import { toJson } from '../../src/io/json.js';
import { DEFAULT_CHECK_SEARCH, DEFAULT_THRESHOLDS, runCheck, type CheckResult } from '../../src/sweep/index.js';

/** Fewer seeds than eoc spectrum: two networks (one per core) keep the default check under 10 s. */
export const CHECK_DEFAULT_SEEDS = 2;

const HELP = `
Verdict (thresholds are options):
  vanishing    ln m1 < -tol-m1        (m1 = mean squared singular value of J)
  exploding    ln m1 > +tol-m1
  anisotropic  |ln m1| <= tol-m1 but std(ln s) > tol-spread
  faithful     |ln m1| <= tol-m1 and std(ln s) <= tol-spread
  untrusted    a seed's spectrum failed its log-det self-check: no verdict on those numbers (exit 1)
Defaults: tol-m1 = ln 2 (m1 within [1/2, 2]: the squared gradient norm, averaged over error directions,
changes by less than a factor 2 from output to input); tol-spread = ln 2 (the typical singular value is
within a factor 2 of their geometric mean: error vectors keep their directions, dynamical isometry).
Criticality (m1 = 1) is necessary, not sufficient: deep tanh nets at their m1 = 1 gain are usually
anisotropic (SCIENCE.md sections 6, 9), and no gain fixes that at fixed depth and input scale.
Recommended gain: each seed's m1 = 1 gain (secant in ln g from the mean-field prediction, on the same
networks), mean ± stderr over seeds, with the band of gains that pass tol-m1.
Exit codes: 0 faithful, 1 not faithful, 2 bad input, 3 internal error.`;

function checkText(r: CheckResult): string {
  const s = r.spec;
  const a = r.atGain;
  const rec = r.recommended;
  const lines = [
    `${s.activation} net, ${s.init} weights, depth ${s.depth}, width ${s.width}, gain ${num(s.gain, 6)}, sigma_b ${num(s.biasStd)}, q0 ${s.q0}, ${s.seeds} seed(s) from ${s.seed}`,
    ``,
    `verdict: ${r.verdict.toUpperCase()}  (${r.reason})`,
    ``,
    `  m1 (mean squared singular value)   ${pm(a.m1, 4)}   ln m1 ${pm(a.ln_m1, 4)}   (faithful: |ln m1| <= ${num(r.thresholds.tolM1, 4)})`,
    `  std of ln s                        ${pm(a.std_log, 4)}   (faithful: <= ${num(r.thresholds.tolSpread, 4)})`,
    `  mean / rms of ln s                 ${pm(a.mean_log, 4)} / ${pm(a.rms_log, 4)}`,
    `  log10 condition number             ${pm(a.log10_cond, 4)}`,
    `  fraction of s in [1/2, 2]          ${pm(a.frac_within_2, 3)}`,
    `  ln |delta^1|/|delta^L|             ${pm(a.gradRatio, 4)}   (per-layer gradient ratio, first/last layer)`,
    ``,
  ];
  if (rec.gain.n === 0) lines.push('recommended gain: not found (the m1 = 1 search failed on every seed)');
  else {
    lines.push(
      `recommended gain (m1 = 1): ${pm(rec.gain, 5)}${rec.converged ? '' : ' (search stopped before |ln m1| < tolerance on some seeds: approximate)'}` +
        (rec.band ? `; |ln m1| <= ${num(r.thresholds.tolM1, 4)} for gains in about [${num(rec.band[0], 4)}, ${num(rec.band[1], 4)}]` : ''),
    );
    lines.push(`  mean field predicts ${rec.meanField.gain === null ? `none (${rec.meanField.note})` : num(rec.meanField.gain, 5)} (infinite width; finite width lowers ln m1 by O(L/N))`);
    if (rec.at) {
      lines.push(
        `  at that gain: ln m1 ${pm(rec.at.ln_m1, 3)}, std of ln s ${pm(rec.at.std_log, 3)}` +
          (rec.isometric ? ' — faithful there' : ` — still anisotropic there (> ${num(r.thresholds.tolSpread, 4)}): criticality alone does not make this net isometric at this depth and input scale`),
      );
    }
    lines.push(`  why m1 = 1: ${rec.why}.`);
  }
  return lines.join('\n') + '\n';
}

export function registerCheck(program: Command): void {
  const cmd = program
    .command('check')
    .description('verdict for one gain (faithful / vanishing / exploding / anisotropic) with the recommended gain; exit 0 faithful, 1 not, 2 bad input')
    .addHelpText('after', HELP);
  addPerformanceOptions(addSpecOptions(cmd, { seedsDefault: CHECK_DEFAULT_SEEDS }), { method: false })
    .option('--tol-m1 <t>', `faithful needs |ln m1| <= t (default ln 2 = ${num(DEFAULT_THRESHOLDS.tolM1, 4)})`)
    .option('--tol-spread <t>', `faithful needs std(ln s) <= t (default ln 2 = ${num(DEFAULT_THRESHOLDS.tolSpread, 4)})`)
    .option('--max-evaluations <k>', `network evaluations per seed for the recommended-gain search (default ${DEFAULT_CHECK_SEARCH.maxEvaluations})`)
    .option('--workers <k>', `worker threads (default: one per core, here ${os.availableParallelism()})`)
    .option('--json', 'print the eoc.check/1 JSON document')
    .action(
      action(async (o: RawSpecOptions & RawPerformanceOptions & { tolM1?: string; tolSpread?: string; maxEvaluations?: string; workers?: string; json?: boolean }) => {
        const workers = workersFromOptions(o.workers);
        applyMaxMemory(performanceFromOptions(o).maxMemoryMB);
        const partial = specFromOptions(o);
        if (partial.seeds === undefined) partial.seeds = CHECK_DEFAULT_SEEDS;
        const spec = resolveSpec(partial, Math.min(workers, partial.seeds));
        const thresholds = {
          tolM1: o.tolM1 === undefined ? DEFAULT_THRESHOLDS.tolM1 : parsePositive(o.tolM1, '--tol-m1'),
          tolSpread: o.tolSpread === undefined ? DEFAULT_THRESHOLDS.tolSpread : parsePositive(o.tolSpread, '--tol-spread'),
        };
        const maxEvaluations = o.maxEvaluations === undefined ? DEFAULT_CHECK_SEARCH.maxEvaluations : parseInteger(o.maxEvaluations, '--max-evaluations', 0, 100);
        const t0 = performance.now();
        const r = await runCheck(spec, { thresholds, workers, lnM1Tolerance: DEFAULT_CHECK_SEARCH.lnM1Tolerance, maxEvaluations });
        log(`check: ${((performance.now() - t0) / 1000).toFixed(1)} s on ${Math.min(workers, spec.seeds)} worker(s), ${backendInfo().name} backend`);
        print(o.json ? toJson(r) : checkText(r));
        process.exitCode = r.verdict === 'faithful' ? EXIT_OK : EXIT_CHECK_FAILED;
      }),
    );
}
