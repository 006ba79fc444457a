import { archText } from '../../src/network/layers.js';
import type { Command } from 'commander';
import { action, EXIT_CHECK_FAILED, EXIT_OK, log, print } from '../common.js';
import { num, pm } from '../format.js';
import { addOptions, applyMaxMemory } from '../options.js';
import { specOf } from './spectrum.js';
import { resolveSpec } from '../../src/spec/validate.js';
import { readOptions, type ParsedOptions } from '../../src/spec/options.js';
import type { CheckResult } from '../../src/sweep/index.js';
import type { CheckSummary } from '../../src/sweep/check.js';
import { LN_GRAD_RATIO_LABEL } from '../../src/measure/definitions.js';

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
anisotropic (docs/science.md sections 6, 9), and no gain fixes that at fixed depth and input scale.
Recommended gain: each seed's m1 = 1 gain (secant in ln g from the mean-field prediction, on the same
networks), mean ± stderr over seeds, with the band of gains that pass tol-m1.
When that gain is not faithful, check also gives the gain closest to isometry (least rms ln s, found on
the same networks by bracketing and Brent's minimizer in a few evaluations) and what else would help: the
input variance q0 (or the depth) at which mean field predicts std ln s at half tol-spread (an estimate;
orthogonal tanh: var_sq_norm ~ 8 L q*^2), measured once on the same networks.
The gradient ratio ln |d1|/|dL| is ln(|delta^1|/|delta^L|), of norms (not squares), as everywhere in eoc.
Exit codes: 0 faithful, 1 not faithful, 2 bad input, 3 internal error.`;

function checkText(r: CheckResult): string {
  const s = r.spec;
  const a = r.atGain;
  const rec = r.recommended;
  const t = r.thresholds;
  const stats = (x: CheckSummary) => `ln m1 ${pm(x.ln_m1, 3)}, std ln s ${pm(x.std_log, 3)}, rms ln s ${pm(x.rms_log, 3)}`;
  const lines = [
    `${s.arch ? `network ${archText(s.arch)}` : `${s.activation} net`}, ${s.init} weights, ${s.arch ? '' : `depth ${s.depth}, width ${s.width}, `}gain ${num(s.gain, 6)}, sigma_b ${num(s.biasStd)}, q0 ${s.q0}, ${s.seeds} seed(s) from ${s.seed}`,
    `${r.faithful}`,
    ``,
    `verdict: ${r.verdict.toUpperCase()}  (${r.reason})`,
    ``,
    `  m1 (mean squared singular value)   ${pm(a.m1, 4)}   ln m1 ${pm(a.ln_m1, 4)}   (faithful: |ln m1| <= ${num(t.tolM1, 4)})`,
    `  std of ln s                        ${pm(a.std_log, 4)}   (faithful: <= ${num(t.tolSpread, 4)})`,
    `  mean / rms of ln s                 ${pm(a.mean_log, 4)} / ${pm(a.rms_log, 4)}`,
    `  log10 condition number             ${pm(a.log10_cond, 4)}`,
    `  frac_within_2 (s in [1/2, 2])      ${pm(a.frac_within_2, 3)}   (a statistic, not the verdict)`,
    `  ${LN_GRAD_RATIO_LABEL.padEnd(35)}${pm(a.lnGradNormRatio, 4)}   (ln(|delta^1|/|delta^L|): gradient norms, first over last layer)`,
    `  trainable depth (mean field)       ${r.trainability.trainableDepth === null ? 'n/a' : `6 xi_c = ${Number.isFinite(r.trainability.trainableDepth) ? num(r.trainability.trainableDepth, 4) : 'inf'}`}: ${r.trainability.note}`,
    ``,
  ];
  const ra = r.recommendedAlpha;
  if (ra) {
    const shared = ra.alpha && ra.alpha.every((x) => x === ra.alpha![0]);
    const alphaText = !ra.alpha ? '' : shared ? `alpha ${num(ra.alpha[0], 4)}` : `alphas ${ra.alpha.map((x) => num(x, 3)).join(', ')}`;
    if (ra.status === 'not-faithful-near-zero' || !ra.scale) lines.push(`recommended alpha: none — not faithful even with every block's alpha scaled by 2^-12 on some seed (the non-residual layers are the problem: see the gain below)`);
    else {
      lines.push(
        `recommended alpha (the largest faithful branch scale): ${alphaText} = ${pm(ra.scale, 4)} x the alphas given` +
          (ra.status === 'faithful-to-the-limit' ? ' (faithful up to the largest alpha tried: a lower bound)' : '') +
          ` [${ra.evaluations.join(', ')} evaluations per seed]`,
      );
      if (ra.at) lines.push(`  there: ${stats(ra.at as CheckSummary)}; smaller alphas are more faithful, larger ones not`);
      lines.push(`  why: ${ra.why}.`);
    }
    lines.push('');
  }
  if (rec.gain.n === 0) lines.push('recommended gain: not found (the m1 = 1 search failed on every seed)');
  else {
    lines.push(
      `recommended gain (m1 = 1): ${pm(rec.gain, 5)}${rec.converged ? '' : ' (search stopped before |ln m1| < tolerance on some seeds: approximate)'}` +
        (rec.band ? `; |ln m1| <= ${num(t.tolM1, 4)} for gains in about [${num(rec.band[0], 4)}, ${num(rec.band[1], 4)}]` : ''),
    );
    lines.push(`  mean field predicts ${rec.meanField.gain === null ? `none (${rec.meanField.note})` : num(rec.meanField.gain, 5)} (infinite width; finite width lowers ln m1 by O(L/N))`);
    if (ra && !rec.converged) lines.push("  (a residual stack's m1 grows with every branch, so its m1 = 1 gain may lie out of reach: the recommended alpha above is the knob)");
    if (rec.at) lines.push(`  at that gain: ${stats(rec.at)} — ${rec.verdict === 'faithful' ? 'faithful there' : `${rec.verdict} there`}`);
    lines.push(`  why m1 = 1: ${rec.why}.`);
  }
  const adv = r.advice;
  if (adv) {
    const c = adv.closest;
    lines.push('');
    if (c && c.verdict === 'faithful') {
      lines.push(`NOT FAITHFUL at the m1 = 1 gain, but the gain closest to isometry passes: use gain ${pm(c.gain, 5)} (min rms ln s)`);
      lines.push(`  at that gain: ${stats(c.at)} — faithful`);
    } else {
      lines.push(
        `NOT FAITHFUL at the m1 = 1 gain (${rec.verdict}): at depth ${s.depth} and q0 ${s.q0} no gain passes` +
          (c ? ` — the m1 = 1 gain is ${rec.verdict} and the gain closest to isometry is ${c.verdict}` : ' (the search for the gain closest to isometry was skipped)') +
          '. Criticality (m1 = 1) is necessary, not sufficient: change the depth or the input scale.',
      );
      if (c) lines.push(`  closest to isometry (min rms ln s, same networks): gain ${pm(c.gain, 5)}: ${stats(c.at)} — ${c.verdict}`);
    }
    const mf = adv.meanField;
    lines.push(`  what would help (mean-field ESTIMATES, aiming at a predicted std ln s of ${num(mf.target, 3)}, half the threshold):`);
    if (mf.q0) {
      lines.push(
        `    a smaller input variance: mean field puts std ln s at ${num(mf.target, 3)} at q0 = ${num(mf.q0.value, 3)} (its m1 = 1 gain ${num(mf.q0.gain, 5)})`,
      );
    }
    if (adv.probe) {
      const p = adv.probe;
      lines.push(`      measured on the same networks at q0 ${num(p.q0, 3)}, gain ${num(p.gain, 5)}: ${stats(p.at)} — ${p.verdict}`);
      if (p.verdict === 'faithful') lines.push(`      so q0 <= ${num(p.q0, 3)} with gain ~${num(p.gain, 4)} makes this net faithful (measured)`);
      else if (p.verdict === 'anisotropic' && p.at.std_log.mean > 0) {
        // small-q* regime: var_sq_norm ~ 8 L q*^2, so std ln s grows about linearly in q*, hence in q0
        const q = p.q0 * (mf.target / p.at.std_log.mean);
        lines.push(`      std ln s grows about linearly with q* here: q0 <= ${num(q, 3)} should bring it to ${num(mf.target, 3)} (extrapolated, not measured)`);
      }
    }
    if (s.q0 === 'fixed-point' || s.biasStd > 0) lines.push(`    a smaller sigma_b (it sets q*, and isometry at depth L needs q* = O(L^-1/2))`);
    if (mf.depth) lines.push(`    a smaller depth: L <= ${mf.depth.value} at q0 ${s.q0} (its m1 = 1 gain ${num(mf.depth.gain, 5)}; predicted std ln s ${num(mf.depth.predictedStdLog, 3)}; not measured)`);
    if (mf.note) lines.push(`    ${mf.note}`);
    lines.push(`    mean field here: ${mf.relation}${mf.atSpec === null ? '' : `; predicted std ln s at this depth and q0: ${num(mf.atSpec, 3)}`}.`);
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
  const [{ DEFAULT_CHECK_SEARCH, runCheck }, { backendLabel }, { toJson }] = await Promise.all([
    import('../../src/sweep/index.js'),
    import('../../src/linalg/select.js'),
    import('../../src/io/json.js'),
  ]);
  const t0 = performance.now();
  const r = await runCheck(spec, { thresholds, workers, lnM1Tolerance: DEFAULT_CHECK_SEARCH.lnM1Tolerance, maxEvaluations: o.get('maxEvaluations') });
  log(`check: ${((performance.now() - t0) / 1000).toFixed(1)} s on ${Math.min(workers, spec.seeds)} worker(s), ${backendLabel()} backend`);
  print(o.get('json') ? toJson(r) : checkText(r));
  process.exitCode = r.verdict === 'faithful' ? EXIT_OK : EXIT_CHECK_FAILED;
}
