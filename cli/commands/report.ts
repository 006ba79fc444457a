import type { Command } from 'commander';
import { relative } from 'node:path';
import { action, log, print } from '../common.js';
import { progressBar } from '../progress.js';
import { addOptions, applyMaxMemory, refuseBesideArch } from '../options.js';
import { SpecError } from '../../src/spec/errors.js';
import { message } from '../../src/log/message.js';
import { COMMAND_OPTIONS, readOptions, type ParsedOptions } from '../../src/spec/options.js';
import type { Study } from '../../src/report/index.js';
import { prepareOutDir } from '../../src/io/out-dir.js';

const uniq = <T>(xs: T[]) => [...new Set(xs)];

/** The options that describe a new study (or how to measure one): refused with --from. */
const STUDY_OPTIONS = COMMAND_OPTIONS.report.filter((u) => u.study).map((u) => u.key);

/** The default study with the user's changes; a changed study gets a name saying it is custom. */
export async function studyFromOptions(o: ParsedOptions): Promise<Study> {
  const { DEFAULT_AXES, defaultStudy, describeStudy, studyConfig } = await import('../../src/report/index.js');
  const custom = STUDY_OPTIONS.some((k) => k !== 'workers' && k !== 'maxMemory' && o.given(k));
  const gains = uniq(o.get('gains')).sort((x, y) => x - y);
  if (gains.length < 3) throw new SpecError(message.tooFewValues('--gains', gains.length, 3, 'a curve to locate the faithful gain on'));
  const q0 = o.get('q0');
  if (q0 === 'fixed-point') throw new Error('internal: report --q0 fixed-point passed the option table');
  const first = o.get('seed');
  const arch = o.get('arch');
  let summary: { activation: string; depth: number; width: number } | undefined;
  refuseBesideArch(o);
  if (arch && arch.layers.some((l) => l.kind === 'residual' || l.kind === 'layernorm')) {
    throw new SpecError(message.conflict('eoc report', '--arch with residual blocks or layernorm', "the report's theory figures are drawn for plain layer lists so far; eoc spectrum, sweep, check and theory take residual blocks"));
  }
  if (arch) {
    const { resolveSpec } = await import('../../src/spec/validate.js');
    summary = resolveSpec({ arch, q0, seeds: o.get('seeds'), seed: first }, o.get('workers'));
  }
  const axes = {
    ...DEFAULT_AXES,
    activations: uniq(o.list('activation')),
    inits: uniq(o.list('init')),
    depth: o.get('depth'),
    width: o.get('width'),
    gains,
    biasStd: o.get('biasStd'),
    q0,
    seeds: Array.from({ length: o.get('seeds') }, (_, i) => first + i),
    refine: o.get('refine'),
    locate: o.get('locate'),
    ...(arch && summary ? { arch: { input: arch.input, layers: arch.layers }, activations: [summary.activation], depth: summary.depth, width: summary.width } : {}),
  };
  const config = studyConfig(axes);
  const s: Study = custom ? { name: 'custom', title: describeStudy(config), config } : defaultStudy();
  const name = o.get('name');
  const title = o.get('title');
  if (name !== undefined) s.name = name;
  if (title !== undefined) s.title = title;
  return s;
}

export function registerReport(program: Command): void {
  const cmd = program
    .command('report')
    .description('run a study (default: tanh and linear, orthogonal vs Gaussian, depth 100) and write a report folder: HTML, SVG/PNG figures, Vega-Lite specs, data');
  addOptions(cmd, 'report').action(
    action(async (raw: Record<string, unknown>) => {
      const o = readOptions('report', raw);
      const t0 = performance.now();
      const outRoot = prepareOutDir(o.get('out')!, '--out');
      const command = ['eoc', ...process.argv.slice(2)].join(' ');
      const from = o.get('from');
      if (from !== undefined) {
        const conflicting = o.givenFlags(STUDY_OPTIONS);
        if (conflicting.length) throw new SpecError(message.notWithFrom(conflicting));
      }
      const { buildReport, describeStudy, loadSaved, lockReportFolder, runStudy } = await import('../../src/report/index.js');
      let study: Study;
      let lines: string[];
      let measureMs = 0;
      let source: string;
      if (from !== undefined) {
        const saved = loadSaved(from);
        const name = o.get('name') ?? saved.name ?? 'from-sweep';
        study = { name, title: o.get('title') ?? saved.title ?? describeStudy(saved.config), config: saved.config };
        lines = saved.lines;
        lockReportFolder(outRoot, study.name);
        source = `saved results: ${from}`;
      } else {
        study = await studyFromOptions(o);
        lockReportFolder(outRoot, study.name);
        const workers = o.get('workers');
        applyMaxMemory(o.get('maxMemory'));
        const run = await runStudy(study.config, { workers, onProgress: progressBar('report: measuring') });
        lines = run.lines;
        measureMs = run.timings.measureMs;
        source = `measured now: ${run.timings.tasks} sweep tasks (one seed's network at many gains each) on ${workers} thread(s)`;
      }
      const res = await buildReport({ name: study.name, title: study.title, config: study.config, lines, outRoot, provenance: { command, timings: { measureMs: Math.round(measureMs) }, source } });
      log(`report: ${res.files.length} files, index.html ${(res.htmlBytes / 1e6).toFixed(2)} MB, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      print(relative(process.cwd(), res.dir) || '.');
    }),
  );
}
