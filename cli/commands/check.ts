import type { Command } from 'commander';
import { action, EXIT_CHECK_FAILED, EXIT_OK, log, print } from '../common.js';
import { num, pm } from '../format.js';
import { addOptions, applyMaxMemory } from '../options.js';
import { specOf } from './spectrum.js';
import { resolveSpec } from '../../src/spec/validate.js';
import { readOptions, type ParsedOptions } from '../../src/spec/options.js';
import type { CheckResult } from '../../src/sweep/index.js';

const HELP = `
Verdict (thresholds are options):
  vanishing    ln m1 < -tol-m1        (m1 = mean squared singular value of J)
  exploding    ln m1 > +tol-m1
  anisotropic  |ln m1| <= tol-m1 but std(ln s) > tol-spread
  faithful     |ln m1| <= tol-m1 and std(ln s) <= tol-spread
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
  addOptions(cmd, 'check').action(action(async (raw: Record<string, unknown>) => runCheckCommand(readOptions('check', raw))));
}

async function runCheckCommand(o: ParsedOptions): Promise<void> {
  applyMaxMemory(o.get('maxMemory'));
  const workers = o.get('workers');
  const spec = resolveSpec(specOf(o), Math.min(workers, o.get('seeds')));
  const thresholds = { tolM1: o.get('tolM1'), tolSpread: o.get('tolSpread') };
  const [{ DEFAULT_CHECK_SEARCH, runCheck }, { backendInfo }, { toJson }] = await Promise.all([
    import('../../src/sweep/index.js'),
    import('../../src/linalg/select.js'),
    import('../../src/io/json.js'),
  ]);
  const t0 = performance.now();
  const r = await runCheck(spec, { thresholds, workers, lnM1Tolerance: DEFAULT_CHECK_SEARCH.lnM1Tolerance, maxEvaluations: o.get('maxEvaluations') });
  log(`check: ${((performance.now() - t0) / 1000).toFixed(1)} s on ${Math.min(workers, spec.seeds)} worker(s), ${backendInfo().name} backend`);
  print(o.get('json') ? toJson(r) : checkText(r));
  process.exitCode = r.verdict === 'faithful' ? EXIT_OK : EXIT_CHECK_FAILED;
}
