import { hierarchicalTask, npyTask, singularTask, type LearnTask } from './tasks.js';
import { gainTime, learnWidths, learningTime, modeTrajectory, summarizeSearches, type GainTimeRow, type LearningTimeRow, type RateGrid, type RateSearch, type Trajectory } from './experiments.js';
import type { LearnInit } from './schemes.js';
import { EOC_VERSION } from '../version.js';

export const LEARN_SCHEMA = 'eoc.learn/1';
export const LEARN_RECORD_SCHEMA = 'eoc.learn-record/1';

/** The task as options (rebuilt, deterministically, wherever a unit runs). */
export type TaskSpec =
  | { kind: 'hierarchical'; levels: number; flip: number; features: number; seed: number }
  | { kind: 'singular'; inputs: number; outputs: number; singularValues: number[]; seed: number }
  | { kind: 'npy'; x: string; y: string };

export interface LearnConfig {
  task: TaskSpec;
  /** hidden width of every net */
  hidden: number;
  /** weight layers k of the learning time vs depth */
  depths: number[];
  inits: LearnInit[];
  /** initial mode strength of the trajectories and of the balanced init */
  initScale: number;
  /** the trajectories: rate, epochs, and their depths (k = 2: Eq. 12; deeper: Eqs. 15-16) */
  trajectory: { lr: number; epochs: number; depths: number[] };
  grid: RateGrid;
  /** the nonlinear net of the training time vs gain */
  nonlinear: { activation: string; k: number; gains: number[] };
  seeds: number;
  seed: number;
}

/** One unit of work: one training run (or one rate search), its result a JSON line. */
export type LearnUnit =
  | { exp: 'trajectory'; init: LearnInit; k: number; seed: number }
  | { exp: 'depth'; init: LearnInit; k: number; seed: number }
  | { exp: 'gain'; init: 'orthogonal' | 'gaussian'; gain: number; seed: number };

export function unitKey(u: LearnUnit): string {
  return u.exp === 'gain' ? `gain/${u.init}/${u.gain}/${u.seed}` : `${u.exp}/${u.init}/${u.k}/${u.seed}`;
}

const taskCache = new Map<string, LearnTask>();
export function buildTask(t: TaskSpec): LearnTask {
  const key = JSON.stringify(t);
  let task = taskCache.get(key);
  if (!task) {
    task =
      t.kind === 'hierarchical'
        ? hierarchicalTask({ levels: t.levels, flipProbability: t.flip, features: t.features, seed: t.seed })
        : t.kind === 'singular'
          ? singularTask({ inputs: t.inputs, outputs: t.outputs, singularValues: t.singularValues, seed: t.seed })
          : npyTask(t.x, t.y);
    taskCache.set(key, task);
  }
  return task;
}

/** Every unit of a config, in a fixed order (trajectories, depths, gains; seeds innermost). */
export function learnUnits(c: LearnConfig): LearnUnit[] {
  const seeds = Array.from({ length: c.seeds }, (_, i) => c.seed + i);
  const units: LearnUnit[] = [];
  for (const k of c.trajectory.depths) for (const init of ['balanced', 'gaussian'] as const) units.push({ exp: 'trajectory', init, k, seed: c.seed });
  for (const init of c.inits) for (const k of c.depths) for (const seed of seeds) units.push({ exp: 'depth', init, k, seed });
  for (const init of ['orthogonal', 'gaussian'] as const) for (const gain of c.nonlinear.gains) for (const seed of seeds) units.push({ exp: 'gain', init, gain, seed });
  return units;
}

export type LearnUnitResult =
  | { exp: 'trajectory'; trajectory: Trajectory }
  | { exp: 'depth'; search: RateSearch }
  | { exp: 'gain'; search: RateSearch };

/** Run one unit (in a worker or in-process: the same result). */
export function runLearnUnit(c: LearnConfig, u: LearnUnit): LearnUnitResult {
  const task = buildTask(c.task);
  if (u.exp === 'trajectory') {
    return { exp: 'trajectory', trajectory: modeTrajectory(task, { init: u.init, k: u.k, hidden: c.hidden, scale: c.initScale, lr: c.trajectory.lr, epochs: c.trajectory.epochs, seed: u.seed }) };
  }
  if (u.exp === 'depth') {
    const row = learningTime(task, { init: u.init, k: u.k, hidden: c.hidden, scale: u.init === 'balanced' ? c.initScale : 1, seeds: [u.seed], grid: c.grid });
    return { exp: 'depth', search: row.searches[0] };
  }
  const row = gainTime(task, { init: u.init, k: c.nonlinear.k, hidden: c.hidden, gain: u.gain, activation: c.nonlinear.activation, seeds: [u.seed], grid: c.grid });
  return { exp: 'gain', search: row.searches[0] };
}

/** One JSONL line per finished unit (the resume file). */
export function learnRecordLine(u: LearnUnit, r: LearnUnitResult): string {
  return JSON.stringify({ schema: LEARN_RECORD_SCHEMA, key: unitKey(u), unit: u, result: r }) + '\n';
}

export interface LearnStudy {
  schema: typeof LEARN_SCHEMA;
  eocVersion: string;
  config: LearnConfig;
  task: { description: string; kind: string; params: Record<string, unknown>; whitened: boolean; singularValues: number[]; inputs: number; outputs: number; examples: number };
  trajectories: Trajectory[];
  depthRows: LearningTimeRow[];
  gainRows: GainTimeRow[];
  /** the gain eoc check locates (m1 = 1) for the nonlinear net's layer list, orthogonal, at the task's input variance */
  locatedGain: { gain: number; stderr: number; arch: string; q0: number } | null;
  /** what the theory assumes that a run does not have */
  notes: string[];
}

/** The study from its units' results (any order; keyed by unit). */
export function assembleStudy(c: LearnConfig, results: Map<string, LearnUnitResult>, locatedGain: LearnStudy['locatedGain']): LearnStudy {
  const task = buildTask(c.task);
  const seeds = Array.from({ length: c.seeds }, (_, i) => c.seed + i);
  const get = (u: LearnUnit) => {
    const r = results.get(unitKey(u));
    if (!r) throw new Error(`assembleStudy: unit ${unitKey(u)} has no result`);
    return r;
  };
  const trajectories = learnUnits(c)
    .filter((u): u is Extract<LearnUnit, { exp: 'trajectory' }> => u.exp === 'trajectory')
    .map((u) => (get(u) as Extract<LearnUnitResult, { exp: 'trajectory' }>).trajectory);
  const depthRows = c.inits.flatMap((init) =>
    c.depths.map((k) => summarizeSearches(init, k, seeds.map((seed) => (get({ exp: 'depth', init, k, seed }) as Extract<LearnUnitResult, { exp: 'depth' }>).search))),
  );
  const gainRows = (['orthogonal', 'gaussian'] as const).flatMap((init) =>
    c.nonlinear.gains.map((gain): GainTimeRow => ({ ...summarizeSearches(init, c.nonlinear.k, seeds.map((seed) => (get({ exp: 'gain', init, gain, seed }) as Extract<LearnUnitResult, { exp: 'gain' }>).search)), gain })),
  );
  const notes = [
    'the exact solutions assume decoupled initial conditions (the balanced init: every mode at u0, the other directions at 0) and whitened inputs; the Gaussian trajectories start coupled, so no exact curve is drawn for them',
    'descent is discrete (one full-batch step per epoch); the exact solutions are its small-rate limit with tau = 1/rate',
  ];
  if (!task.whitened) notes.push('the inputs are not whitened (Sigma_11 != I): the exact curves are not drawn');
  return {
    schema: LEARN_SCHEMA,
    eocVersion: EOC_VERSION,
    config: c,
    task: {
      description: task.description,
      kind: task.kind,
      params: task.params,
      whitened: task.whitened,
      singularValues: Array.from(task.modes.s),
      inputs: task.X.rows,
      outputs: task.Y.rows,
      examples: task.X.cols,
    },
    trajectories,
    depthRows,
    gainRows,
    locatedGain,
    notes,
  };
}

/** The nonlinear net's widths on the task (for its layer list and eoc check). */
export function nonlinearWidths(c: LearnConfig): number[] {
  return learnWidths(buildTask(c.task), c.nonlinear.k, c.hidden);
}

