import { archText } from '../network/layers.js';
import { pointArch } from '../sweep/grid.js';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { SpecError } from '../spec/errors.js';
import { toJson } from '../io/json.js';
import { readJsonl, sortedLines, type SweepConfig, type SweepRecord } from '../sweep/index.js';
import type { StudyAxes } from './study.js';
import type { ActivationName, InitName } from '../spec/types.js';
import type { SpectrumStats } from '../measure/stats.js';

/**
 * The report's input: one sweep (eoc.sweep-record/2 lines, as `eoc sweep --out` writes them) plus a
 * name and a title. The report measures through the sweep engine and stores exactly the sweep's
 * files in data/ (sweep.jsonl, sweep.json); everything else in the report (aggregates, located
 * gains, theory curves, figures) is a pure function of those lines, so `eoc report --from` rebuilds
 * every data file byte for byte.
 */
export const STUDY_SCHEMA = 'eoc.report-study/2';

/** What the figures need to know about the study: the sweep's axes, flattened to one point. */
export interface StudyDefinition extends Omit<StudyAxes, 'refine'> {
  /** short name: becomes the folder reports/<slug(name)>/ */
  name: string;
  /** the page's heading (free text; escaped wherever it is shown) */
  title: string;
}

/**
 * One measured network at one gain (a sweep CurvePoint with its point and seed): the in-memory view
 * the figures read. Never written to disk: the sweep records are the stored form.
 */
export interface SampleRecord {
  activation: ActivationName;
  init: InitName;
  gain: number;
  seed: number;
  /** nonzero singular values of J */
  rank: number;
  stats: SpectrumStats;
  /** ln s, descending, all N (-Infinity for structural zeros) */
  logS: number[];
  /** per layer l = 1..L: q^l = |h^l|^2/N */
  q: number[];
  /** ln |delta^l| */
  logGradNorm: number[];
  /** ln |dE/dW^l|_F */
  logWeightGradNorm: number[];
}

/**
 * Whether a sweep can be drawn as one report, and why not: one depth, one sigma_b, a numeric q0,
 * located gains, recorded spectra and at least 3 gains.
 */
export function checkReportable(config: SweepConfig, where: string): void {
  const why: string[] = [];
  if (config.depths.length !== 1) why.push(`it has ${config.depths.length} depths (${config.depths.join(', ')}); a report covers one`);
  if (config.biasStds.length !== 1) why.push(`it has ${config.biasStds.length} bias stds (${config.biasStds.join(', ')}); a report covers one`);
  if (config.q0 === 'fixed-point') why.push('its input variance is q0 = fixed-point; the report needs a number');
  if (!config.locate) why.push('it does not locate the faithful gain (an eoc compare grid)');
  if (!config.spectra) why.push('it was run with --no-spectra: the density figures need the singular values');
  if (config.gains.length < 3) why.push('it has fewer than 3 gains');
  if (why.length) throw new SpecError(`${where}: this sweep cannot be drawn as a report: ${why.join('; ')}`);
}

export function studyOf(config: SweepConfig, name: string, title: string): StudyDefinition {
  return {
    name,
    title,
    activations: config.activations,
    inits: config.inits,
    depth: config.depths[0],
    width: config.width,
    gains: config.gains,
    biasStd: config.biasStds[0],
    q0: config.q0 as number,
    seeds: config.seeds,
    ...(config.arch ? { arch: config.arch } : {}),
    ...(config.c0 !== undefined ? { c0: config.c0 } : {}),
  };
}

/** A default title for a study: what was measured. */
export function describeStudy(config: SweepConfig): string {
  if (config.arch) return `${archText(pointArch(config.arch, config.inits[0], config.biasStds[0]))}: ${config.inits.join(' vs ')} weights`;
  return `${config.activations.join(' and ')} nets at depth ${config.depths[0]}, width ${config.width}: ${config.inits.join(' vs ')} weights`;
}

/** Every network of the sweep at every gain it was measured at (pass 1 and pass 2). */
export function samplesOf(records: readonly SweepRecord[]): SampleRecord[] {
  const out: SampleRecord[] = [];
  for (const r of records)
    for (const c of r.curve) {
      if (!c.logS) throw new SpecError(`sweep record ${r.index} has no singular values (a --no-spectra sweep)`);
      out.push({
        activation: r.point.activation,
        init: r.point.init,
        gain: c.gain,
        seed: r.seed,
        rank: c.rank,
        stats: c.stats,
        logS: c.logS,
        q: c.q,
        logGradNorm: c.logGradNorm,
        logWeightGradNorm: c.logWeightGradNorm,
      });
    }
  return out;
}

export function studyJson(study: StudyDefinition): string {
  return toJson({ schema: STUDY_SCHEMA, name: study.name, title: study.title }) + '\n';
}

/** A saved sweep: its config and its lines in canonical order. */
export interface SavedSweep {
  config: SweepConfig;
  lines: string[];
  /** name and title from a report's study.json beside the sweep, if there is one */
  name?: string;
  title?: string;
}

/**
 * Read saved results: a sweep.jsonl, a folder holding one (`eoc sweep --out`), a report folder or
 * its data/ folder. A study.json beside the sweep (a report's) restores the name and title.
 */
export function loadSaved(path: string): SavedSweep {
  if (!existsSync(path)) throw new SpecError(`--from ${path}: no such file or folder`);
  let file = path;
  if (statSync(path).isDirectory()) {
    const hit = [join(path, 'sweep.jsonl'), join(path, 'data', 'sweep.jsonl')].find((c) => existsSync(c));
    if (!hit) throw new SpecError(`--from ${path}: no sweep.jsonl (or data/sweep.jsonl) in this folder`);
    file = hit;
  }
  const contents = readJsonl(file);
  const first = contents.records.values().next().value as SweepRecord | undefined;
  if (!first) throw new SpecError(`--from ${file}: no complete sweep records`);
  if (contents.dropped) throw new SpecError(`--from ${file}: ${contents.dropped} incomplete line(s): finish the sweep with eoc sweep --resume first`);
  const out: SavedSweep = { config: first.config, lines: sortedLines(contents.lines) };
  const studyPath = join(dirname(file), 'study.json');
  if (existsSync(studyPath)) {
    const o = JSON.parse(readFileSync(studyPath, 'utf8')) as { schema?: string; name?: unknown; title?: unknown };
    if (o.schema !== STUDY_SCHEMA) throw new SpecError(`${studyPath}: not an ${STUDY_SCHEMA} document`);
    if (typeof o.name === 'string') out.name = o.name;
    if (typeof o.title === 'string') out.title = o.title;
  }
  return out;
}
