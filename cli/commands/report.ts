import type { Command } from 'commander';
import { relative } from 'node:path';
import { action, log, print } from '../common.js';
import { progressBar } from '../progress.js';
import { applyMaxMemory, parseMemorySize, workersFromOptions } from '../spec-options.js';
import { SpecError } from '../../src/spec/errors.js';
import { parseActivation, parseGain, parseInit, parseInteger, parseNonNegative, parsePositive, parseRealList } from '../../src/spec/parse.js';
import { prepareOutDir } from '../../src/io/out-dir.js';
import { buildReport, lockReportFolder, DEFAULT_AXES, defaultStudy, describeStudy, loadSaved, runStudy, studyConfig, type Study } from '../../src/report/index.js';

interface ReportOptions {
  from?: string;
  out: string;
  name?: string;
  title?: string;
  activation?: string;
  init?: string;
  depth?: string;
  width?: string;
  gains?: string;
  biasStd?: string;
  q0?: string;
  seeds?: string;
  seed?: string;
  refine?: boolean;
  workers?: string;
  maxMemory?: string;
}

const uniq = <T>(xs: T[]) => [...new Set(xs)];

/** The default study with the user's changes; a changed study gets a name saying it is custom. */
export function studyFromOptions(o: ReportOptions): Study {
  const d = defaultStudy();
  const a = { ...DEFAULT_AXES };
  const custom = ['activation', 'init', 'depth', 'width', 'gains', 'biasStd', 'q0', 'seeds', 'seed'].some((k) => o[k as keyof ReportOptions] !== undefined) || o.refine === false;
  if (o.activation) a.activations = uniq(o.activation.split(',').map((x) => parseActivation(x.trim())));
  if (o.init) a.inits = uniq(o.init.split(',').map((x) => parseInit(x.trim())));
  if (o.depth) a.depth = parseInteger(o.depth, '--depth', 1, 10000);
  if (o.width) a.width = parseInteger(o.width, '--width', 2, 4096);
  if (o.gains) a.gains = uniq(parseRealList(o.gains, '--gains', (x) => parseGain(x, '--gains'))).sort((x, y) => x - y);
  if (a.gains.length < 3) throw new SpecError('--gains: give at least 3 gains (a curve to locate the faithful gain on)');
  if (o.biasStd) a.biasStd = parseNonNegative(o.biasStd, '--bias-std');
  if (o.q0) a.q0 = parsePositive(o.q0, '--q0');
  const first = o.seed ? parseInteger(o.seed, '--seed', 0, 2 ** 32 - 1) : 0;
  const count = o.seeds ? parseInteger(o.seeds, '--seeds', 2, 1000) : a.seeds.length;
  a.seeds = Array.from({ length: count }, (_, i) => first + i);
  if (o.refine === false) a.refine = false;
  const config = studyConfig(a);
  const s: Study = custom ? { name: 'custom', title: describeStudy(config), config } : d;
  if (o.name !== undefined) s.name = o.name;
  if (o.title !== undefined) s.title = o.title;
  return s;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('run a study (default: tanh and linear, orthogonal vs Gaussian, depth 100) and write a report folder: HTML, SVG/PNG figures, Vega-Lite specs, data')
    .option('--from <path>', 'build from saved results without recomputing: a sweep.jsonl, an eoc sweep --out folder, or a report folder')
    .option('--out <dir>', 'output root; the report goes to <dir>/<name>/', 'reports')
    .option('--name <name>', "study name (the folder's name; default 'default', or 'custom' with study options)")
    .option('--title <text>', "the page's heading")
    .option('--activation <list>', 'activations, comma-separated (default tanh,linear)')
    .option('--init <list>', 'weight schemes, comma-separated (default orthogonal,gaussian)')
    .option('--depth <L>', 'layers (default 100)')
    .option('--width <N>', 'units per layer (default 128)')
    .option('--gains <list>', 'coarse gain grid: values and lo:hi:step ranges (default 0.8:1.6:0.05)')
    .option('--bias-std <s>', 'bias standard deviation sigma_b (default 0)')
    .option('--q0 <q>', 'input variance |x0|^2/N (default 1)')
    .option('--seeds <k>', 'independent networks per point (default 4)')
    .option('--seed <s>', 'first seed (default 0)')
    .option('--no-refine', 'measure the coarse grid only (no refined gains around the located ones)')
    .option('--workers <n>', 'worker threads (default 2)')
    .option('--max-memory <size>', 'memory budget, in MiB or with a unit (512M, 4G) (default 80% of RAM, or EOC_MAX_MEMORY_MB)')
    .action(
      action(async (o: ReportOptions) => {
        const t0 = performance.now();
        const outRoot = prepareOutDir(o.out, '--out');
        const command = ['eoc', ...process.argv.slice(2)].join(' ');
        let study: Study;
        let lines: string[];
        let measureMs = 0;
        let source: string;
        if (o.from) {
          const saved = loadSaved(o.from);
          const name = o.name ?? saved.name ?? 'from-sweep';
          study = { name, title: o.title ?? saved.title ?? describeStudy(saved.config), config: saved.config };
          lines = saved.lines;
          lockReportFolder(outRoot, study.name);
          source = `saved results: ${o.from}`;
        } else {
          study = studyFromOptions(o);
          lockReportFolder(outRoot, study.name);
          const workers = workersFromOptions(o.workers, 2);
          if (o.maxMemory !== undefined) applyMaxMemory(parseMemorySize(o.maxMemory, '--max-memory'));
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
