import os from 'node:os';
import { backendInfo } from '../linalg/select.js';
import { mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve, relative, isAbsolute, sep } from 'node:path';
import { SpecError } from '../spec/errors.js';
import { toJson, writeFileDurable } from '../io/json.js';
import { acquireLock, type Lock } from '../io/lock.js';
import { replaceFolder } from '../io/atomic-dir.js';
import { checkTargetDir } from '../io/out-dir.js';
import { EOC_VERSION } from '../version.js';
import { checkReportable, samplesOf, studyJson, studyOf } from './data.js';
import { parseRecordLine, sweepDocument, type SweepConfig, type SweepRecord } from '../sweep/index.js';
import { buildModel, type ReportModel } from './model.js';
import { FIGURES, INTERACTIVE } from './figures/index.js';
import { renderSvg, svgToPng } from './render.js';
import { compactDatasets, reportPage, type PageFigure } from './html.js';
import { browserRuntime } from './runtime.js';
import { hasPhaseDiagram, phaseDiagramFamilies } from './theory.js';
import { gainTable, gainsDocument } from '../theory/gains.js';
import { DEFAULT_ACTIVATION_NAMES } from '../activations/registry.js';

/**
 * The folder name for a study: lower-case letters, digits, '.', '_' and '-' only, no leading dots,
 * at most 64 characters. '../../x' becomes 'x' and '<script>' becomes 'script': a name can never
 * point outside the output root or smuggle markup into a path.
 */
export function studySlug(name: string): string {
  const s = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[.-]+/, '')
    .replace(/-+/g, '-')
    .replace(/[.-]+$/, '')
    .slice(0, 64);
  return s === '' ? 'study' : s;
}

/** reports/<slug>/, checked to lie strictly inside the output root. */
export function reportFolder(outRoot: string, name: string): string {
  const root = resolve(outRoot);
  const dir = resolve(root, studySlug(name));
  const rel = relative(root, dir);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.includes(sep)) throw new SpecError(`study name ${JSON.stringify(name)} does not give a folder inside ${root}`);
  return dir;
}

/**
 * Lock the report folder `<outRoot>/<slug>` for writing: the lock file is `<outRoot>/.<slug>.lock`,
 * beside the folder (which is replaced whole). Re-entrant: `eoc report` takes it before measuring,
 * buildReport takes it again. A live holder makes this throw SpecError (exit 2).
 */
export function lockReportFolder(outRoot: string, name: string): Lock {
  const dir = reportFolder(outRoot, name);
  checkTargetDir(dir, '--out');
  return acquireLock(dir, { file: join(dirname(dir), `.${basename(dir)}.lock`) });
}

export interface BuildInput {
  /** the folder's name and the page's heading */
  name: string;
  title: string;
  /** the sweep: its config and its eoc.sweep-record/2 lines (canonical order) */
  config: SweepConfig;
  lines: string[];
  outRoot: string;
  /** recorded in data/provenance.json and on the page only (not part of the reproducible data) */
  provenance: { command: string; timings: Record<string, number>; source: string };
  onStage?: (stage: string) => void;
}

export interface BuildResult {
  dir: string;
  model: ReportModel;
  files: string[];
  htmlBytes: number;
  timings: Record<string, number>;
}

/** SVGs above this size are shown on the page as PNG (still written to figures/ as SVG). */
export const INLINE_SVG_LIMIT = 200_000;

function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
  };
}

/**
 * Write reports/<slug>/: data/ (sweep.jsonl: the measured networks, exactly as eoc sweep writes
 * them; sweep.json: its eoc.sweep/3 summary; study.json: name and title; analysis.json, theory.json:
 * pure functions of the sweep; provenance.json: this run's command, timings, machine),
 * specs/*.vl.json, figures/*.svg + *.png, index.html. Everything is computed from the lines as read
 * back, so a rebuild from the files (`--from`) sees exactly the same numbers.
 */
export async function buildReport(input: BuildInput): Promise<BuildResult> {
  const t0 = performance.now();
  checkReportable(input.config, 'report');
  const dir = reportFolder(input.outRoot, input.name);
  const records: SweepRecord[] = input.lines.map((l, i) => {
    const r = parseRecordLine(l);
    if (!r) throw new SpecError(`sweep line ${i + 1} is not a complete record`);
    return r;
  });
  const doc = sweepDocument(input.config, records);
  if (!doc.complete) {
    const missing = doc.points.filter((p) => p.missingSeeds.length).map((p) => `${p.point.activation} ${p.point.init}: seeds ${p.missingSeeds.join(',')}`);
    throw new SpecError(`the sweep is incomplete (${missing.join('; ') || 'refinement pass missing'}): finish it with eoc sweep --resume`);
  }
  const study = studyOf(input.config, input.name, input.title);
  // the whole folder is built aside and swapped in (src/io/atomic-dir.ts): a kill leaves the old
  // report or the new one, and no file of an earlier report survives into the new one
  const lock = lockReportFolder(input.outRoot, input.name);
  try {
    return await replaceFolder(dir, (tmp) => writeReport(tmp, dir, input, study, doc, records, t0));
  } finally {
    lock.release();
  }
}

async function writeReport(tmp: string, dir: string, input: BuildInput, study: ReturnType<typeof studyOf>, doc: ReturnType<typeof sweepDocument>, records: SweepRecord[], t0: number): Promise<BuildResult> {
  for (const sub of ['data', 'specs', 'figures']) mkdirSync(join(tmp, sub));
  const files: string[] = [];
  const write = (rel: string, content: string | Uint8Array) => {
    writeFileDurable(join(tmp, rel), content, 'wx');
    files.push(rel);
  };
  write('data/sweep.jsonl', input.lines.map((l) => l + '\n').join(''));
  write('data/sweep.json', toJson(doc) + '\n');
  write('data/study.json', studyJson(study));
  input.onStage?.('theory');
  const samples = samplesOf(records);
  const model = buildModel(study, doc, samples);
  const tModel = performance.now();
  // the per-gain aggregates are in sweep.json; this file adds what the report derives from them
  write('data/analysis.json', toJson({ schema: 'eoc.report-analysis/2', located: model.analysis.located, meanField: model.analysis.meanField, slots: model.slots }) + '\n');
  write('data/theory.json', toJson({ schema: 'eoc.report-theory/1', ...model.theory }) + '\n');
  const gains = gainTable(DEFAULT_ACTIVATION_NAMES, study.biasStd);
  write('data/gains.json', toJson(gainsDocument(gains)) + '\n');
  input.onStage?.('figures');
  const figures: PageFigure[] = [];
  for (const f of FIGURES) {
    const spec = f.build(model);
    if (!spec) continue;
    write(`specs/${f.id}.vl.json`, JSON.stringify(spec) + '\n');
    const svg = await renderSvg(f.id, spec);
    write(`figures/${f.id}.svg`, svg);
    const png = svgToPng(svg).png;
    write(`figures/${f.id}.png`, png);
    const alt = ((spec.title as { text: string }).text ?? f.id) as string;
    figures.push(svg.length <= INLINE_SVG_LIMIT && !f.raster ? { id: f.id, caption: f.caption, svg, alt } : { id: f.id, caption: f.caption, pngDataUri: `data:image/png;base64,${svgToPng(svg, 1).png.toString('base64')}`, alt });
  }
  const interactive = INTERACTIVE.build(model)!;
  write(`specs/${INTERACTIVE.id}.vl.json`, JSON.stringify(interactive) + '\n');
  const tFigures = performance.now();
  const timings = { ...input.provenance.timings, modelMs: Math.round(tModel - t0), figuresMs: Math.round(tFigures - tModel) };
  const provenance = {
    schema: 'eoc.report-provenance/1',
    eocVersion: EOC_VERSION,
    command: input.provenance.command,
    source: input.provenance.source,
    study: { name: study.name, title: study.title },
    sweepConfig: input.config,
    seeds: study.seeds,
    networks: samples.length,
    timings,
    machine: machine(),
    // which linear-algebra backend ran (workers inherit it through EOC_BACKEND)
    backend: backendInfo(),
    generatedAt: new Date().toISOString(),
  };
  write('data/provenance.json', toJson(provenance) + '\n');
  const html = reportPage({
    model,
    gains,
    figures,
    interactive: compactDatasets(interactive),
    runtime: browserRuntime(),
    provenance,
    notes: [...model.theory.notes, ...(model.study.arch || model.study.activations.some(hasPhaseDiagram) ? [] : [`The phase diagram is drawn for bounded odd activations only (${phaseDiagramFamilies().join(', ')}).`])],
  });
  write('index.html', html);
  return { dir, model, files, htmlBytes: Buffer.byteLength(html), timings };
}
