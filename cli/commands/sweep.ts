import type { Command } from 'commander';
import { addOptions, applyMaxMemory, refuseBesideArch } from '../options.js';
import { action, log, print } from '../common.js';
import { num, pm, table } from '../format.js';
import { progressBar } from '../progress.js';
import { resolveSpec } from '../../src/spec/validate.js';
import { SpecError } from '../../src/spec/errors.js';
import { message } from '../../src/log/message.js';
import { prepareOutDir } from '../../src/io/out-dir.js';
import { checkFixedPointStart, readOptions, type ParsedOptions } from '../../src/spec/options.js';
import { DEFAULT_REFINE, locateOptions, makeConfig, pointArch, pointLabel, type SweepConfig } from '../../src/sweep/grid.js';
import type { InitName } from '../../src/spec/types.js';
import { ALPHA_MAX, alphaBase } from '../../src/network/residual.js';
import type { LocatedGain, SweepDocument } from '../../src/sweep/index.js';
import { LN_GRAD_RATIO_LABEL } from '../../src/measure/definitions.js';

/** Parse and validate the grid of sweep and compare; every point passes resolveSpec (including its memory check). */
export function configFromOptions(o: ParsedOptions, fixed: { inits?: InitName[]; locate: boolean; spectra?: boolean }): { config: SweepConfig; workers: number } {
  const workers = o.get('workers');
  applyMaxMemory(o.get('maxMemory'));
  const width = o.get('width');
  const q0 = o.get('q0');
  const seeds = o.get('seeds');
  const seed = o.get('seed');
  const refine = o.command === 'sweep' && o.get('refine');
  const draft = o.get('arch');
  refuseBesideArch(o);
  if (draft) {
    if (q0 === 'fixed-point') throw new SpecError(message.conflict('--arch', '--q0 fixed-point', 'a layer list has no single fixed point to start at; give --q0 a number'));
  }
  // an --arch sweep: the list's summary in the activation, depth and width axes (SweepConfig.arch)
  const summary = draft ? resolveSpec({ arch: draft, q0, seeds, seed }) : undefined;
  // --alphas: the residual blocks' alpha axis; the gain axis defaults to the one gain --gain 1 there
  const alphas = o.command === 'sweep' ? o.get('alphas') : undefined;
  if (alphas && !summary?.arch?.layers.some((l) => l.kind === 'residual')) {
    throw new SpecError(message.needs('--alphas', '--arch with residual blocks', "the residual alphas it multiplies (write e.g. --arch '256 > res(256:gelu > 256) x 12')"));
  }
  if (alphas && summary?.arch) {
    const top = Math.max(...alphas) * Math.max(...alphaBase(summary.arch).map(Math.abs));
    if (top > ALPHA_MAX) throw new SpecError(message.outOfRange('--alphas (times the largest alpha of the list)', top, { value: 0 }, { value: ALPHA_MAX }));
  }
  const gains = alphas && !o.given('gains') ? [1] : o.get('gains');
  const locate = fixed.locate && !(alphas && gains.length < 3);
  const config = makeConfig({
    gains,
    activations: summary ? [summary.activation] : o.list('activation'),
    inits: fixed.inits ?? o.list('init'),
    biasStds: o.list('biasStd'),
    depths: summary ? [summary.depth] : o.list('depth'),
    width: summary ? summary.width : width,
    ...(draft ? { arch: { input: draft.input, layers: draft.layers } } : {}),
    ...(o.command === 'sweep' && o.get('c0') !== undefined ? { c0: o.get('c0') } : {}),
    q0,
    seeds: Array.from({ length: seeds }, (_, i) => seed + i),
    locate: locate ? locateOptions(o.command === 'sweep' ? o.get('locate') : 'curve') : null,
    spectra: fixed.spectra ?? (o.command === 'sweep' ? o.get('spectra') : true),
    refine: locate && refine ? DEFAULT_REFINE : null,
    ...(alphas ? { alphas } : {}),
  });
  if (locate && config.gains.length < 3) throw new SpecError(message.tooFewValues('--gains', config.gains.length, 3, 'locating the faithful gain needs a curve'));
  const tasks = config.activations.length * config.inits.length * config.biasStds.length * config.depths.length * config.seeds.length;
  if (config.arch) {
    for (const init of config.inits)
      for (const biasStd of config.biasStds)
        for (const gain of [config.gains[0], config.gains[config.gains.length - 1]])
          resolveSpec({ arch: pointArch(config.arch, init, biasStd), init, gain, biasStd, q0, seeds, seed }, Math.min(workers, tasks));
    return { config, workers };
  }
  for (const activation of config.activations)
    for (const biasStd of config.biasStds) checkFixedPointStart(activation, biasStd, q0);
  for (const activation of config.activations)
    for (const init of config.inits)
      for (const biasStd of config.biasStds)
        for (const depth of config.depths)
          for (const gain of [config.gains[0], config.gains[config.gains.length - 1]])
            resolveSpec({ activation, init, depth, width, gain, biasStd, q0, seeds, seed }, Math.min(workers, tasks));
  return { config, workers };
}

function locatedText(l: LocatedGain, mf?: { gain: number | null; note: string }): string {
  const e = l.estimate;
  let s: string;
  if (l.status === 'none') s = l.note;
  else {
    s = `${pm(e, 6)}`;
    if (l.ci95) s += `  (95% CI ${num(l.ci95[0], 5)} .. ${num(l.ci95[1], 5)}, ${e.n} seeds)`;
    else s += `  (${e.n} seed)`;
    if (l.note) s += `  [${l.note}]`;
  }
  if (mf) s += mf.gain === null ? `; ${mf.note}` : `; mean field ${num(mf.gain, 6)}`;
  return s;
}

/** Text form of a sweep document: a table per point, then its located gains. */
export function sweepText(doc: SweepDocument): string {
  const out: string[] = [];
  for (const p of doc.points) {
    out.push(`${pointLabel(p.point, doc.config.width)} (sigma_b^2 ${num(p.point.biasStd ** 2)}), q0 ${doc.config.q0}, ${p.seeds.length} seed(s)` + (p.missingSeeds.length ? `, missing seeds ${p.missingSeeds.join(',')}` : ''));
    if (p.gains.length === 0) {
      out.push('  (no results)\n');
      continue;
    }
    out.push(
      table(
        ['gain', 'm1', 'mean ln s', 'std ln s', 'rms ln s', 'frac in [1/2,2]', 'log10 cond', LN_GRAD_RATIO_LABEL, 'verdict'],
        p.gains.map((g) => [
          num(g.gain, 6),
          pm(g.stats.m1, 4),
          pm(g.stats.mean_log, 4),
          pm(g.stats.std_log, 4),
          pm(g.stats.rms_log, 4),
          pm(g.stats.frac_within_2, 3),
          pm(g.stats.log10_cond, 4),
          pm(g.stats.lnGradNormRatio, 4),
          g.verdict,
        ]),
      ),
    );
    if (p.located) {
      out.push('located gains by criterion, candidates for the faithful gain (per seed on its own curve, then mean ± stderr over seeds):');
      out.push(`  m1 = 1             ${locatedText(p.located.m1, p.located.meanField)}`);
      out.push(`  min rms_log        ${locatedText(p.located.minRms)}`);
      out.push(`  max frac_within_2  ${locatedText(p.located.maxFrac)}`);
    }
    out.push('');
  }
  if (doc.alphaEdges) {
    out.push('largest faithful multiple of the residual alphas on the --alphas grid (every smaller multiple faithful too; the verdict of the means over seeds):');
    out.push(
      table(
        ['init', 'sigma_b', 'gain', 'largest faithful multiple', 'alpha there', 'next (not faithful)'],
        doc.alphaEdges.map((e) => [
          e.init,
          num(e.biasStd),
          num(e.gain, 6),
          e.scale === null ? 'none (not faithful at the smallest)' : num(e.scale, 6),
          e.alpha === null ? '' : e.alpha.every((a) => a === e.alpha![0]) ? num(e.alpha[0], 5) : e.alpha.map((a) => num(a, 3)).join(', '),
          e.next === null ? (e.scale === null ? '' : 'faithful to the end of the grid') : num(e.next, 6),
        ]),
      ),
    );
    out.push('');
  }
  out.push(`verdict per gain (of the means over seeds): ${doc.faithful}; else vanishing (ln m1 below), exploding (above) or anisotropic (std ln s above).`);
  out.push(`${LN_GRAD_RATIO_LABEL} = ln(|delta^1|/|delta^L|), a ratio of gradient norms (not squares); frac in [1/2,2] is a statistic, not the verdict.`);
  return out.join('\n') + '\n';
}

export function registerSweep(program: Command): void {
  const cmd = program
    .command('sweep')
    .description(
      'gains x schemes x activations x bias stds x depths x seeds: Jacobian statistics per gain and the located faithful gain ' +
        '(m1 = 1 root, min rms_log, max frac_within_2 plateau midpoint, each on the seed\'s own curve), with the mean-field m1 = 1 gain',
    );
  cmd.addHelpText(
    'after',
    `
Each (point, seed) samples its base draws once; every gain scales them (W = g * base), so each seed's
curves are continuous in g and the faithful gain is located on them per seed (--locate curve, the default):
  m1 = 1             bracketed on the grid; the root of the local cubic through the nearest grid points,
                     one fresh evaluation there, the refitted cubic's root once it moves < 1e-4 in g
                     (else a second evaluation, then Brent's method to 1e-8)
  min rms_log        from the grid's lowest point: the minimum of rms_log computed on local cubics of
                     each ln s_k(g), polished by fresh evaluations until it moves < 1e-4 (Brent's
                     minimizer takes over after 2: near the order-chaos transition the curves bend on
                     the grid's scale)
  max frac_within_2  a step function of g (steps of 1/N): midpoint of the longest run of grid gains at the
                     grid maximum M, each edge bisected 4 times on frac >= M (error <= step/32)
--locate brent: Brent's root finder (to 1e-8) and minimizer (to 1e-4) on fresh evaluations only.
Then mean ± stderr and a 95% t-interval over seeds. A criterion whose root/optimum is not inside the
gain range says so instead of returning an edge. The mean-field m1 = 1 gain is printed beside it.
Results do not depend on --workers or --shard; JSON output holds no timings (they go to stderr).`,
  );
  addOptions(cmd, 'sweep').action(
    action(async (raw: Record<string, unknown>) => {
      const o = readOptions('sweep', raw);
      const { config, workers } = configFromOptions(o, { locate: true });
      const rawOut = o.get('out');
      if (o.get('resume') && rawOut === undefined) throw new SpecError(message.needs('--resume', '--out <dir>', 'the sweep to continue'));
      const shard = o.get('shard');
      const out = rawOut === undefined ? undefined : prepareOutDir(rawOut, '--out');
      const [{ runSweep }, { backendLabel }, { toJson }] = await Promise.all([import('../../src/sweep/index.js'), import('../../src/linalg/select.js'), import('../../src/io/json.js')]);
      const t0 = performance.now();
      const run = await runSweep(config, { workers, shard, outDir: out, resume: o.get('resume'), onProgress: progressBar('sweep'), log });
      log(`sweep: ${run.computed} task(s) computed, ${run.skipped} resumed, ${((performance.now() - t0) / 1000).toFixed(1)} s on ${workers} worker(s), ${backendLabel()} backend`);
      print(o.get('json') ? toJson(run.document) : sweepText(run.document));
    }),
  );
}
