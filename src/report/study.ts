import { SpecError } from '../spec/errors.js';
import { DEFAULT_REFINE, locateOptions, makeConfig, runSweep, type LocateMethod, type SweepConfig } from '../sweep/index.js';
import type { ActivationName, InitName } from '../spec/types.js';
import type { ArchDraft } from '../spec/arch.js';

/** The coarse grid lo:hi:step, rounded so 0.8 + 3*0.05 prints as 0.95. */
export function gainGrid(lo: number, hi: number, step: number): number[] {
  if (!(step > 0) || !(hi >= lo)) throw new SpecError(`gain grid ${lo}:${hi}:${step}: need lo <= hi and step > 0`);
  const n = Math.round((hi - lo) / step);
  if (n > 2000) throw new SpecError(`gain grid ${lo}:${hi}:${step} has more than 2000 points`);
  return Array.from({ length: n + 1 }, (_, k) => +(lo + k * step).toFixed(10));
}

/** A study: the sweep it measures, a name (the folder) and a title (the page's heading). */
export interface Study {
  name: string;
  title: string;
  config: SweepConfig;
}

/** The axes of a report's sweep; the rest (locate, spectra, refine) is fixed by studyConfig. */
export interface StudyAxes {
  activations: ActivationName[];
  inits: InitName[];
  depth: number;
  width: number;
  gains: number[];
  biasStd: number;
  q0: number;
  seeds: number[];
  refine: boolean;
  /** how each seed's gains are located (--locate; default curve) */
  locate?: LocateMethod;
  /**
   * A layer list (--arch) instead of the activations x depth x width MLPs: activations, depth and
   * width then hold its summary (shared activation or 'mixed', dense layers, largest width)
   */
  arch?: ArchDraft;
  /** the two inputs' correlation for the correlation figure (every report measures it) */
  c0?: number;
}

/**
 * The sweep a report runs: the sweep's own located gains (DEFAULT_LOCATE: on each seed's measured
 * curve with at most two fresh evaluations per criterion; --locate brent: Brent's method), ln s recorded, and a refinement pass around the located gains (DEFAULT_REFINE). The same
 * config `eoc sweep ... --refine` builds, so `eoc report --from` of that sweep gives the same report.
 */
export function studyConfig(a: StudyAxes): SweepConfig {
  return makeConfig({
    gains: a.gains,
    activations: a.activations,
    inits: a.inits,
    biasStds: [a.biasStd],
    depths: [a.depth],
    width: a.width,
    q0: a.q0,
    seeds: a.seeds,
    locate: locateOptions(a.locate ?? 'curve'),
    spectra: true,
    refine: a.refine ? DEFAULT_REFINE : null,
    ...(a.arch ? { arch: a.arch } : {}),
    ...(a.c0 !== undefined ? { c0: a.c0 } : {}),
  });
}

/** The correlation of the two inputs a report propagates (its correlation figure). */
export const REPORT_C0 = 0.5;

export const DEFAULT_AXES: StudyAxes = {
  activations: ['tanh', 'linear'],
  inits: ['orthogonal', 'gaussian'],
  depth: 100,
  width: 128,
  gains: gainGrid(0.8, 1.6, 0.05),
  biasStd: 0,
  q0: 1,
  seeds: [0, 1, 2, 3],
  refine: true,
  c0: REPORT_C0,
};

/**
 * The default study (issue 5): does orthogonal tanh at depth 100 reach dynamical isometry, and
 * where; Gaussian weights and linear nets as the contrasts. 17 coarse gains + the refinement pass,
 * 4 seeds. Linear nets are homogeneous: one evaluation per seed serves every gain.
 */
export function defaultStudy(): Study {
  return {
    name: 'default',
    title: 'Dynamical isometry at depth 100: orthogonal vs Gaussian weights, tanh and linear nets',
    config: studyConfig(DEFAULT_AXES),
  };
}

export interface StudyRunOptions {
  workers: number;
  onProgress?: (done: number, total: number) => void;
}

export interface StudyRun {
  /** the sweep's JSONL lines, canonical order */
  lines: string[];
  timings: { measureMs: number; tasks: number };
}

/** Measure a study: one sweep (coarse grid, located gains, then the refinement pass). */
export async function runStudy(config: SweepConfig, opts: StudyRunOptions): Promise<StudyRun> {
  const t0 = performance.now();
  const run = await runSweep(config, { workers: opts.workers, onProgress: opts.onProgress });
  return { lines: run.lines, timings: { measureMs: performance.now() - t0, tasks: run.computed } };
}
