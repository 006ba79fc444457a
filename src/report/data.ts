import { readFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SpecError } from '../spec/errors.js';
import { toJson } from '../io/json.js';
import { ACTIVATIONS, INITS, type ActivationName, type InitName } from '../spec/types.js';
import type { SpectrumStats } from '../measure/stats.js';

/**
 * The report's input data model. Figure builders only ever see these types, never the engine, so
 * a report can be rebuilt from files (`eoc report --from`) and tested on small fixed data.
 *
 * The only measured input is a list of SampleRecords (one network: one activation, init, gain,
 * seed), stored one per line in data/samples.jsonl. Everything else in the report (aggregates,
 * located gains, theory curves) is a pure function of the samples and the study definition, so a
 * rebuild reproduces every data file byte for byte.
 */
export const SAMPLE_SCHEMA = 'eoc.report-sample/1';
export const STUDY_SCHEMA = 'eoc.report-study/1';

export interface StudyDefinition {
  /** short name: becomes the folder reports/<slug(name)>/ */
  name: string;
  /** the page's heading (free text; escaped wherever it is shown) */
  title: string;
  activations: ActivationName[];
  inits: InitName[];
  depth: number;
  width: number;
  /** the coarse gain grid, ascending */
  gains: number[];
  /** extra gains measured around each (activation, init)'s located gains: offsets from it */
  refineOffsets: number[];
  biasStd: number;
  q0: number;
  seeds: number[];
}

/** One measured network. Self-describing, so a bare samples.jsonl is enough to rebuild a report. */
export interface SampleRecord {
  schema: typeof SAMPLE_SCHEMA;
  activation: ActivationName;
  init: InitName;
  depth: number;
  width: number;
  gain: number;
  biasStd: number;
  q0: number;
  seed: number;
  /** nonzero singular values of J */
  rank: number;
  stats: SpectrumStats;
  /** ln s, descending, all N (-Infinity for structural zeros, written as null) */
  logS: number[];
  /** per layer l = 1..L: q^l = |h^l|^2/N */
  q: number[];
  /** ln |delta^l| */
  logGradNorm: number[];
  /** ln |dE/dW^l|_F */
  logWeightGradNorm: number[];
}

function nullTo(v: unknown, fallback: number): number {
  return typeof v === 'number' ? v : fallback;
}

/**
 * A record read back from JSON: nulls (non-finite numbers) become -Infinity in ln s (structural
 * zeros) and NaN elsewhere, so every number the report computes with is a number.
 */
export function parseSample(line: string, where: string): SampleRecord {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new SpecError(`${where}: not JSON`);
  }
  if (!o || o.schema !== SAMPLE_SCHEMA) throw new SpecError(`${where}: not an ${SAMPLE_SCHEMA} record`);
  const act = o.activation as ActivationName;
  const init = o.init as InitName;
  if (!ACTIVATIONS.includes(act) || !INITS.includes(init)) throw new SpecError(`${where}: unknown activation or init`);
  for (const k of ['depth', 'width', 'gain', 'biasStd', 'q0', 'seed', 'rank'] as const) {
    if (typeof o[k] !== 'number') throw new SpecError(`${where}: field ${k} missing`);
  }
  const arr = (k: string, fallback: number): number[] => {
    const a = o[k];
    if (!Array.isArray(a)) throw new SpecError(`${where}: field ${k} missing`);
    return a.map((v) => nullTo(v, fallback));
  };
  const stats = {} as SpectrumStats;
  for (const [k, v] of Object.entries((o.stats ?? {}) as Record<string, unknown>)) (stats as unknown as Record<string, number>)[k] = nullTo(v, NaN);
  return {
    schema: SAMPLE_SCHEMA,
    activation: act,
    init,
    depth: o.depth as number,
    width: o.width as number,
    gain: o.gain as number,
    biasStd: o.biasStd as number,
    q0: o.q0 as number,
    seed: o.seed as number,
    rank: o.rank as number,
    stats,
    logS: arr('logS', -Infinity),
    q: arr('q', NaN),
    logGradNorm: arr('logGradNorm', NaN),
    logWeightGradNorm: arr('logWeightGradNorm', NaN),
  };
}

const ORDER = (s: SampleRecord): (string | number)[] => [ACTIVATIONS.indexOf(s.activation), INITS.indexOf(s.init), s.gain, s.seed];

/** Canonical order (activation, init, gain, seed): the file's bytes do not depend on run order. */
export function sortSamples(samples: SampleRecord[]): SampleRecord[] {
  return [...samples].sort((a, b) => {
    const x = ORDER(a), y = ORDER(b);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
    return 0;
  });
}

export function samplesJsonl(samples: SampleRecord[]): string {
  return sortSamples(samples).map((s) => toJson(s, 0) + '\n').join('');
}

export function parseSamplesJsonl(text: string, where: string): SampleRecord[] {
  const out: SampleRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() !== '') out.push(parseSample(line, `${where}:${i + 1}`));
  });
  if (out.length === 0) throw new SpecError(`${where}: no samples`);
  return sortSamples(out);
}

export function studyJson(study: StudyDefinition): string {
  return toJson({ schema: STUDY_SCHEMA, ...study }) + '\n';
}

/** The study a set of samples implies, when only a samples.jsonl is given. */
export function inferStudy(samples: SampleRecord[], name: string): StudyDefinition {
  const s0 = samples[0];
  for (const s of samples) {
    if (s.depth !== s0.depth || s.width !== s0.width || s.biasStd !== s0.biasStd || s.q0 !== s0.q0) {
      throw new SpecError('samples mix depths, widths, bias stds or input variances: one report covers one (L, N, sigma_b, q0)');
    }
  }
  const uniq = <T>(xs: T[]) => [...new Set(xs)];
  return {
    name,
    title: name,
    activations: ACTIVATIONS.filter((a) => samples.some((s) => s.activation === a)),
    inits: INITS.filter((i) => samples.some((s) => s.init === i)),
    depth: s0.depth,
    width: s0.width,
    gains: uniq(samples.map((s) => s.gain)).sort((a, b) => a - b),
    refineOffsets: [],
    biasStd: s0.biasStd,
    q0: s0.q0,
    seeds: uniq(samples.map((s) => s.seed)).sort((a, b) => a - b),
  };
}

/**
 * Read saved results: a report folder, its data/ folder, or a samples.jsonl file. study.json beside
 * the samples restores the name, title and coarse grid; without it the study is inferred.
 */
export function loadSaved(path: string): { study: StudyDefinition; samples: SampleRecord[] } {
  if (!existsSync(path)) throw new SpecError(`--from ${path}: no such file or folder`);
  let file = path;
  if (statSync(path).isDirectory()) {
    const candidates = [join(path, 'samples.jsonl'), join(path, 'data', 'samples.jsonl')];
    const hit = candidates.find((c) => existsSync(c));
    if (!hit) {
      const sweep = [join(path, 'sweep.jsonl')].find((c) => existsSync(c));
      if (sweep) throw new SpecError(sweepNotSupported(sweep));
      throw new SpecError(`--from ${path}: no samples.jsonl (or data/samples.jsonl) in this folder`);
    }
    file = hit;
  }
  const text = readFileSync(file, 'utf8');
  if (text.startsWith('{"schema":"eoc.sweep-record/')) throw new SpecError(sweepNotSupported(file));
  const samples = parseSamplesJsonl(text, file);
  const studyPath = join(file, '..', 'study.json');
  let study: StudyDefinition;
  if (existsSync(studyPath)) {
    const o = JSON.parse(readFileSync(studyPath, 'utf8')) as { schema?: string } & StudyDefinition;
    if (o.schema !== STUDY_SCHEMA) throw new SpecError(`${studyPath}: not an ${STUDY_SCHEMA} document`);
    const { schema: _schema, ...rest } = o;
    study = rest;
  } else study = inferStudy(samples, 'from-samples');
  return { study, samples };
}

function sweepNotSupported(file: string): string {
  return (
    `${file} is an eoc sweep file: its records carry statistics and ln |delta^l| but not the singular ` +
    `values or |dE/dW^l| the report's density and gradient figures need. Build the report with ` +
    `\`eoc report\` (same options as the sweep), then rebuild it with --from reports/<name>`
  );
}
