import { backendInfo } from '../../src/linalg/select.js';
import os from 'node:os';
import type { Command } from 'commander';
import { applyMaxMemory, parseMemorySize, workersFromOptions } from '../spec-options.js';
import { action, log, print } from '../common.js';
import { num, pm, table } from '../format.js';
import { progressBar } from '../progress.js';
import { parseActivation, parseGain, parseInit, parseInteger, parseNonNegative, parsePositive, parseRealList } from '../../src/spec/parse.js';
import { resolveSpec } from '../../src/spec/validate.js';
import { SpecError } from '../../src/spec/errors.js';
import { DEFAULT_SPEC, type ActivationName, type InitName } from '../../src/spec/types.js';
import { toJson } from '../../src/io/json.js';
import { DEFAULT_LOCATE, DEFAULT_REFINE, makeConfig, pointLabel, runSweep, type Shard, type SweepConfig, type SweepDocument } from '../../src/sweep/index.js';
import type { LocatedGain } from '../../src/sweep/index.js';
import { LN_GRAD_RATIO_LABEL } from '../../src/measure/definitions.js';

export const DEFAULT_GAINS = '0.8:1.6:0.02';

export interface RawGridOptions {
  gains?: string;
  activation?: string;
  init?: string;
  depth?: string;
  width?: string;
  biasStd?: string;
  q0?: string;
  seeds?: string;
  seed?: string;
  workers?: string;
  maxMemory?: string;
}

/** The grid options of eoc sweep and eoc compare: every network option accepts a comma list. */
export function addGridOptions(cmd: Command, which: { init?: boolean } = {}): Command {
  cmd.option('--gains <list>', `gains g = sigma_w: a list (1,1.1,5/3,torch:tanh) or a range start:stop:step (default ${DEFAULT_GAINS})`);
  cmd.option('--activation <list>', `tanh | linear | relu | hard-tanh, comma-separated (default ${DEFAULT_SPEC.activation})`);
  if (which.init !== false) cmd.option('--init <list>', `orthogonal | gaussian, comma-separated (default ${DEFAULT_SPEC.init})`);
  return cmd
    .option('--depth <list>', `numbers of layers, comma-separated (default ${DEFAULT_SPEC.depth})`)
    .option('--width <N>', `units per layer (default ${DEFAULT_SPEC.width})`)
    .option('--bias-std <list>', 'bias standard deviations sigma_b: a list or a range (default 0)')
    .option('--q0 <q>', "input variance |x0|^2/N, or 'fixed-point' (default 1)")
    .option('--seeds <k>', `independent networks per point (default ${DEFAULT_SPEC.seeds})`)
    .option('--seed <s>', 'first seed (default 0)')
    .option('--workers <k>', `worker threads (default: one per core, here ${os.availableParallelism()})`)
    .option('--max-memory <size>', 'memory budget for all workers, in MiB or with a unit (512M, 4G); base draws beyond it are regenerated layer by layer (default 80% of RAM, or EOC_MAX_MEMORY_MB)');
}

function list<T>(raw: string | undefined, fallback: T, item: (s: string) => T): T[] {
  if (raw === undefined) return [fallback];
  const parts = raw.split(',').map((s) => s.trim());
  if (parts.some((p) => p === '')) throw new SpecError(`empty item in '${raw}'`);
  return parts.map(item);
}

/** Gains: a comma list whose items are numbers, fractions, presets (torch:tanh) or ranges a:b:step. */
export function parseGainList(raw: string): number[] {
  const out: number[] = [];
  for (const part of raw.split(',')) {
    const p = part.trim();
    if (/^[a-z]/i.test(p)) out.push(parseGain(p, '--gains'));
    else out.push(...parseRealList(p, '--gains', (s) => parseGain(s, '--gains')));
  }
  return out;
}

/** Parse and validate the grid; every point passes resolveSpec (including its memory check). */
export function configFromOptions(
  o: RawGridOptions & { spectra?: boolean; refine?: boolean },
  fixed: { inits?: InitName[]; locate: boolean; spectra?: boolean },
): { config: SweepConfig; workers: number } {
  const workers = workersFromOptions(o.workers);
  if (o.maxMemory !== undefined) applyMaxMemory(parseMemorySize(o.maxMemory, '--max-memory'));
  const gains = parseGainList(o.gains ?? DEFAULT_GAINS);
  const activations = list<ActivationName>(o.activation, DEFAULT_SPEC.activation, parseActivation);
  const inits = fixed.inits ?? list<InitName>(o.init, DEFAULT_SPEC.init, parseInit);
  const depths = list(o.depth, DEFAULT_SPEC.depth, (s) => parseInteger(s, '--depth', 1));
  const biasStds = o.biasStd === undefined ? [0] : parseRealList(o.biasStd, '--bias-std', (s) => parseNonNegative(s, '--bias-std'));
  const width = o.width === undefined ? DEFAULT_SPEC.width : parseInteger(o.width, '--width', 1);
  const q0 = o.q0 === undefined ? DEFAULT_SPEC.q0 : o.q0.trim() === 'fixed-point' ? 'fixed-point' : parsePositive(o.q0, '--q0');
  const seeds = o.seeds === undefined ? DEFAULT_SPEC.seeds : parseInteger(o.seeds, '--seeds', 1, 100000);
  const seed = o.seed === undefined ? DEFAULT_SPEC.seed : parseInteger(o.seed, '--seed', 0, 2 ** 32 - 1);
  const config = makeConfig({
    gains,
    activations,
    inits,
    biasStds,
    depths,
    width,
    q0,
    seeds: Array.from({ length: seeds }, (_, i) => seed + i),
    locate: fixed.locate ? DEFAULT_LOCATE : null,
    spectra: fixed.spectra ?? o.spectra !== false,
    refine: fixed.locate && o.refine ? DEFAULT_REFINE : null,
  });
  if (fixed.locate && config.gains.length < 3) throw new SpecError('--gains: locating the faithful gain needs at least 3 gains');
  const tasks = config.activations.length * config.inits.length * config.biasStds.length * config.depths.length * config.seeds.length;
  for (const activation of config.activations)
    for (const init of config.inits)
      for (const biasStd of config.biasStds)
        for (const depth of config.depths)
          for (const gain of [config.gains[0], config.gains[config.gains.length - 1]])
            resolveSpec({ activation, init, depth, width, gain, biasStd, q0, seeds, seed }, Math.min(workers, tasks));
  return { config, workers };
}

export function parseShard(raw: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw);
  if (!m) throw new SpecError(`--shard must look like i/n (e.g. 0/4), got '${raw}'`);
  const index = Number(m[1]), count = Number(m[2]);
  if (count < 1 || index >= count) throw new SpecError(`--shard ${raw}: need 0 <= i < n`);
  return { index, count };
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
  out.push(`verdict per gain (of the means over seeds): ${doc.faithful}; else vanishing (ln m1 below), exploding (above) or anisotropic (std ln s above).`);
  out.push(`${LN_GRAD_RATIO_LABEL} = ln(|delta^1|/|delta^L|), a ratio of gradient norms (not squares); frac in [1/2,2] is a statistic, not the verdict.`);
  return out.join('\n') + '\n';
}

export function registerSweep(program: Command): void {
  const cmd = program
    .command('sweep')
    .description(
      'gains x schemes x activations x bias stds x depths x seeds: Jacobian statistics per gain and the located faithful gain ' +
        '(m1 = 1 root by Brent, min rms_log by Brent minimization, max frac_within_2 plateau midpoint), with the mean-field m1 = 1 gain',
    );
  cmd.addHelpText(
    'after',
    `
Each (point, seed) samples its base draws once; every gain scales them (W = g * base), so each seed's
curves are smooth in g and the faithful gain is located on them per seed, with fresh evaluations:
  m1 = 1             root of ln m1(g): bracketed on the grid, then Brent's method to 1e-8 in g
  min rms_log        Brent's minimizer (golden section + parabolic steps) from the grid's lowest point, to 1e-4
  max frac_within_2  a step function of g (steps of 1/N): midpoint of the longest run of grid gains at the
                     grid maximum M, each edge bisected 4 times on frac >= M (error <= step/32)
then mean ± stderr and a 95% t-interval over seeds. A criterion whose root/optimum is not inside the
gain range says so instead of returning an edge. The mean-field m1 = 1 gain is printed beside it.
Results do not depend on --workers or --shard; JSON output holds no timings (they go to stderr).`,
  );
  addGridOptions(cmd)
    .option('--out <dir>', 'write dir/sweep.jsonl (one line per point and seed, appended as they finish) and dir/sweep.json')
    .option('--resume', 'continue the sweep in --out: skip (point, seed) lines already there')
    .option('--shard <i/n>', 'compute only shard i of n (tasks whose canonical index is i mod n); join shards with eoc merge')
    .option('--no-spectra', "leave each network's N singular values out of the JSONL (smaller files; eoc report --from then cannot draw the spectra)")
    .option('--refine', 'a second pass: 5 extra gains 0.01 apart around each located m1 = 1 and min rms_log gain, measured for every init and seed (as eoc report does); not with --shard')
    .option('--json', 'print the eoc.sweep/3 JSON document')
    .action(
      action(async (o: RawGridOptions & { out?: string; resume?: boolean; shard?: string; json?: boolean; spectra?: boolean; refine?: boolean }) => {
        const { config, workers } = configFromOptions(o, { locate: true });
        if (o.resume && !o.out) throw new SpecError('--resume needs --out <dir> (the sweep to continue)');
        const shard = o.shard === undefined ? undefined : parseShard(o.shard);
        const t0 = performance.now();
        const run = await runSweep(config, { workers, shard, outDir: o.out, resume: o.resume, onProgress: progressBar('sweep'), log });
        log(`sweep: ${run.computed} task(s) computed, ${run.skipped} resumed, ${((performance.now() - t0) / 1000).toFixed(1)} s on ${workers} worker(s), ${backendInfo().name} backend`);
        print(o.json ? toJson(run.document) : sweepText(run.document));
      }),
    );
}
