import type { Command } from 'commander';
import { existsSync, readFileSync, rmSync, appendFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { action, log, print } from '../common.js';
import { addOptions } from '../options.js';
import { num, pm, table } from '../format.js';
import { progressBar } from '../progress.js';
import { prepareOutDir } from '../../src/io/out-dir.js';
import { readOptions, type ParsedOptions } from '../../src/spec/options.js';
import { SpecError } from '../../src/spec/errors.js';
import type { LearnConfig, LearnStudy, LearnUnit, LearnUnitResult, TaskSpec } from '../../src/learn/study.js';

const HELP = `
What it runs (Saxe, McClelland & Ganguli 2014; formulas and equation numbers in docs/learn-formulas.md):
  trajectories   deep linear nets of --trajectory-depth weight layers from the balanced (decoupled) init at
                 --init-scale, at the small rate --lr for --epochs, with the exact mode strengths
                 u_a(t) (Eq. 12; Eqs. 15-16) beside them, and from small random Gaussian weights
  depth          epochs to the loss threshold at the best rate of a log grid, per init and depth
                 (--depth, --init): the paper's Fig. 6A
  gain           the same for a --activation net of --gain-depth weight layers over --gains, orthogonal and
                 Gaussian, with the gain eoc check locates (m1 = 1) marked
Learning: L - L* <= threshold (L(0) - L*), L* the best linear loss, L(0) the zero map's.
The rate grid starts at min(--lr-max, 4 / lambda_max) (lambda_max = k s_1^(2 - 2/k), the top Hessian
eigenvalue at the optimum) and falls by 2^(-1/2) until two rates in a row are slower.
Finished runs stream to <out>/.<name>.learn.jsonl; --resume skips them after an interruption.`;

export function registerLearn(program: Command): void {
  const cmd = program
    .command('learn')
    .description('learning dynamics of deep linear and tanh nets beside the exact solutions of Saxe et al. 2014: mode strengths, learning time vs depth per init, training time vs gain; writes a report folder')
    .addHelpText('after', HELP);
  addOptions(cmd, 'learn').action(action(async (raw: Record<string, unknown>) => runLearnCommand(readOptions('learn', raw))));
}

function taskSpec(o: ParsedOptions): TaskSpec {
  const kind = o.get('task');
  const other = (allowed: string[]) => {
    const all = ['levels', 'flip', 'features', 'inDim', 'outDim', 'singularValues', 'xFile', 'yFile'] as const;
    const bad = o.givenFlags(all.filter((k) => !allowed.includes(k)));
    if (bad.length) throw new SpecError(`${bad.join(', ')}: not an option of --task ${kind}`);
  };
  if (kind === 'hierarchical') {
    other(['levels', 'flip', 'features']);
    return { kind, levels: o.get('levels'), flip: o.get('flip'), features: o.get('features'), seed: o.get('seed') };
  }
  if (kind === 'singular') {
    other(['inDim', 'outDim', 'singularValues']);
    return { kind, inputs: o.get('inDim'), outputs: o.get('outDim'), singularValues: o.get('singularValues'), seed: o.get('seed') };
  }
  other(['xFile', 'yFile']);
  const x = o.get('xFile'), y = o.get('yFile');
  if (x === undefined || y === undefined) throw new SpecError('--task npy needs --x and --y (.npy files of shapes (P, N_0) and (P, N_out))');
  return { kind, x, y };
}

async function runLearnCommand(o: ParsedOptions): Promise<void> {
  const t0 = performance.now();
  const depths = [...new Set(o.list('depth'))].sort((a, b) => a - b);
  const inits = [...new Set(o.list('learnInit'))];
  const config: LearnConfig = {
    task: taskSpec(o),
    hidden: o.get('width'),
    depths,
    inits,
    initScale: o.get('initScale'),
    trajectory: { lr: o.get('lr'), epochs: o.get('trajectoryEpochs'), depths: [...new Set(o.list('trajectoryDepth'))].sort((a, b) => a - b) },
    grid: { lrMax: o.get('lrMax'), steps: 40, maxEpochs: o.get('maxEpochs'), threshold: o.get('threshold') },
    nonlinear: { activation: o.get('activation'), k: o.get('gainDepth'), gains: [...new Set(o.get('gains'))].sort((a, b) => a - b) },
    seeds: o.get('seeds'),
    seed: o.get('seed'),
  };
  if (depths.some((k) => k > 200)) throw new SpecError(`--depth: at most 200 weight layers (got ${Math.max(...depths)}): each is trained by full-batch descent`);
  const outRoot = prepareOutDir(o.get('out')!, '--out');
  const name = o.get('name')!;
  const [{ buildTask, learnUnits, unitKey, learnRecordLine, assembleStudy, nonlinearWidths, LEARN_RECORD_SCHEMA }, { lockReportFolder, reportFolder }, { runPool, defaultWorkers }] = await Promise.all([
    import('../../src/learn/study.js'),
    import('../../src/report/build.js'),
    import('../../src/sweep/index.js'),
  ]);
  // the task and the widths are checked here, before anything runs
  const task = buildTask(config.task);
  const r = task.modes.s.length;
  if (config.hidden < r) throw new SpecError(`--width ${config.hidden}: the balanced init of the trajectories needs every hidden width >= the task's ${r} modes`);
  const lock = lockReportFolder(outRoot, name);
  try {
    const dir = reportFolder(outRoot, name);
    const resumeFile = join(outRoot, `.${name}.learn.jsonl`);
    const header = JSON.stringify({ schema: LEARN_RECORD_SCHEMA, config }) + '\n';
    const results = new Map<string, LearnUnitResult>();
    if (o.get('resume') && existsSync(resumeFile)) {
      const lines = readFileSync(resumeFile, 'utf8').split('\n').filter((l) => l.trim() !== '');
      if (lines.length === 0 || lines[0] + '\n' !== header) throw new SpecError(`--resume: ${resumeFile} is for other options (its first line is the config it was run with); run without --resume to start again`);
      for (const line of lines.slice(1)) {
        try {
          const rec = JSON.parse(line) as { key: string; result: LearnUnitResult };
          results.set(rec.key, rec.result);
        } catch {
          // a line cut by the interruption: that unit runs again
        }
      }
      log(`learn: resuming, ${results.size} run(s) already in ${relative(process.cwd(), resumeFile)}`);
    } else writeFileSync(resumeFile, header);
    const pending = learnUnits(config).filter((u) => !results.has(unitKey(u)));
    const bar = progressBar('learn');
    const workers = defaultWorkers();
    let done = 0;
    await runPool<LearnUnitResult>(
      pending.map((unit) => ({ kind: 'learn' as const, config, unit })),
      workers,
      (i, res) => {
        const u: LearnUnit = pending[i];
        results.set(unitKey(u), res);
        appendFileSync(resumeFile, learnRecordLine(u, res));
        bar(++done, pending.length);
      },
    );
    const located = await locateGain(config, nonlinearWidths(config), task.X);
    const study = assembleStudy(config, results, located);
    const [{ learnSpec, learnPage }, { renderSvg, svgToPng }, { replaceFolder }, { toJson, writeFileDurable }] = await Promise.all([
      import('../../src/report/learn.js'),
      import('../../src/report/render.js'),
      import('../../src/io/atomic-dir.js'),
      import('../../src/io/json.js'),
    ]);
    const spec = learnSpec(study);
    const svg = await renderSvg('learn', spec);
    const png = svgToPng(svg).png;
    const command = ['eoc', ...process.argv.slice(2)].join(' ');
    await replaceFolder(dir, (tmp) => {
      writeFileDurable(join(tmp, 'learn.json'), toJson(study));
      writeFileDurable(join(tmp, 'learn.vl.json'), JSON.stringify(spec, null, 2) + '\n');
      writeFileDurable(join(tmp, 'learn.svg'), svg);
      writeFileDurable(join(tmp, 'learn.png'), png);
      writeFileDurable(join(tmp, 'index.html'), learnPage(study, svg, command));
    });
    rmSync(resumeFile, { force: true });
    if (o.get('json')) print(toJson(study));
    else print(learnText(study) + `\nwritten: ${relative(process.cwd(), dir) || '.'} (index.html, learn.svg, .png, .vl.json, .json)`);
    log(`learn: ${((performance.now() - t0) / 1000).toFixed(1)} s on ${workers} worker(s)`);
  } finally {
    lock.release();
  }
}

/** eoc check's m1 = 1 gain for the nonlinear net's layer list (orthogonal, no bias) at the task's input variance. */
async function locateGain(c: LearnConfig, widths: number[], X: { rows: number; cols: number; data: Float64Array }): Promise<LearnStudy['locatedGain']> {
  const [{ runCheck }, { resolveSpec }, { parseArch }] = await Promise.all([import('../../src/sweep/check.js'), import('../../src/spec/validate.js'), import('../../src/spec/arch.js')]);
  let ss = 0;
  for (const v of X.data) ss += v * v;
  const q0 = ss / X.cols / X.rows; // mean |x|^2 / N_0 over the examples
  const hidden = widths.slice(1, -1);
  const arch = `${widths[0]} > ${hidden[0]}:${c.nonlinear.activation} x ${hidden.length} > ${widths[widths.length - 1]}`;
  const spec = resolveSpec({ arch: parseArch(arch), init: 'orthogonal', gain: 1, biasStd: 0, q0, seeds: Math.max(2, c.seeds), seed: c.seed });
  const r = await runCheck(spec, { thresholds: { tolM1: Math.LN2, tolSpread: Math.LN2 }, workers: 1, lnM1Tolerance: 0.01, maxEvaluations: 5, closestEvaluations: 0 });
  return r.recommended.gain.n > 0 ? { gain: r.recommended.gain.mean, stderr: r.recommended.gain.stderr, arch, q0 } : null;
}

/** epochs at the best rate, over the seeds that learned (how many, when not all) */
function cell(r: { reached: number; searches: unknown[]; epochs: Parameters<typeof pm>[0] }, maxEpochs: number): string {
  if (!r.reached) return `> ${maxEpochs}`;
  return pm(r.epochs, 3) + (r.reached < r.searches.length ? ` (${r.reached}/${r.searches.length} seeds)` : '');
}

export function learnText(st: LearnStudy): string {
  const lines = [`${st.task.description}; hidden width ${st.config.hidden}; ${st.config.seeds} seed(s) from ${st.config.seed}`, ''];
  for (const t of st.trajectories.filter((x) => x.exact)) {
    // the largest gap between the simulated and the exact mode strengths, over modes and recorded epochs, in units of s_a
    let worst = 0;
    t.records.forEach((r, i) => r.modes!.forEach((u, a) => (worst = Math.max(worst, Math.abs(u - t.exact![a][i]) / st.task.singularValues[a]))));
    lines.push(`trajectories, ${t.k} weight layers, balanced init u0 = ${num(t.scale)}, rate ${num(t.lr)}: simulated u_a(t) within ${num(worst, 3)} s_a of the exact solution (${t.k === 2 ? 'Eq. 12' : 'Eqs. 15-16'}) over ${t.records.length} recorded epochs`);
  }
  lines.push('', 'learning time at the best rate (epochs to the threshold; deep linear nets):');
  const ks = st.config.depths;
  lines.push(
    table(
      ['init', ...ks.map((k) => `k = ${k}`)],
      st.config.inits.map((init) => [init, ...ks.map((k) => {
        const r = st.depthRows.find((x) => x.init === init && x.k === k)!;
        return cell(r, st.config.grid.maxEpochs);
      })]),
    ),
  );
  lines.push('', `training time vs gain (${st.config.nonlinear.activation}, ${st.config.nonlinear.k} weight layers; epochs at the best rate):`);
  lines.push(
    table(
      ['gain', 'orthogonal', 'gaussian'],
      st.config.nonlinear.gains.map((g) => [num(g), ...(['orthogonal', 'gaussian'] as const).map((init) => {
        const r = st.gainRows.find((x) => x.init === init && x.gain === g)!;
        return cell(r, st.config.grid.maxEpochs);
      })]),
    ),
  );
  if (st.locatedGain) lines.push(`eoc check's m1 = 1 gain for ${st.locatedGain.arch} (orthogonal, q0 ${num(st.locatedGain.q0, 3)}): ${num(st.locatedGain.gain, 4)} ± ${num(st.locatedGain.stderr, 2)}`);
  return lines.join('\n') + '\n';
}
