import { initialWeights, type LearnInit } from './init.js';
import { trainLinear, trainNonlinear, type TrainRecord, type TrainResult, type TrainOptions } from './train.js';
import type { LearnTask } from './tasks.js';
import { deepModeTrajectory, optimalLearningRate } from './exact.js';
import { estimate, type Estimate } from '../measure/aggregate.js';

/**
 * The experiments of `eoc learn` (Saxe, McClelland & Ganguli 2014), each a pure function of its
 * options and seeds:
 *   modeTrajectories   u_a(t) of a deep linear net from small decoupled (balanced) weights beside
 *                      the exact solutions (Eq. 12 for one hidden layer, Eqs. 15-16 deeper), and
 *                      from small random Gaussian weights, where the theory's decoupling does not hold
 *   learningTimes      epochs to a loss threshold at the best learning rate of a log grid, per
 *                      init scheme and depth (the paper's Fig. 6A)
 *   gainTimes          the same for a deep tanh net over gains, orthogonal against Gaussian
 */

/** The loss threshold: (L - L*) <= fraction (L(0) - L*), L* the task's best linear loss, L(0) the zero map's. */
export function thresholdOf(task: LearnTask, fraction: number): NonNullable<TrainOptions['threshold']> {
  let ss = 0;
  for (const s of task.modes.s) ss += s * s;
  // whitened inputs: min over W of L = (1/2)(tr Sigma_33 - sum_a s_a^2) (every mode learned)
  return { fraction, optimum: 0.5 * (task.traceSigma33 - ss), zeroLoss: 0.5 * task.traceSigma33 };
}

/** widths of a net of `k` weight layers with hidden width `hidden` on the task */
export function learnWidths(task: LearnTask, k: number, hidden: number): number[] {
  return [task.X.rows, ...new Array<number>(k - 1).fill(hidden), task.Y.rows];
}

export interface Trajectory {
  init: LearnInit;
  /** weight layers k (the paper's N_l = k + 1 layers of units) */
  k: number;
  scale: number;
  lr: number;
  seed: number;
  records: TrainRecord[];
  /** the exact decoupled solution u_a(t) at each recorded epoch (balanced init), per mode */
  exact: number[][] | null;
}

export function modeTrajectory(task: LearnTask, o: { init: LearnInit; k: number; hidden: number; scale: number; lr: number; epochs: number; seed: number }): Trajectory {
  // gaussian: per-layer gain scale^(1/k), so that the product's singular values are of order scale
  const w0 = initialWeights(o.init, learnWidths(task, o.k, o.hidden), o.init === 'gaussian' ? o.scale ** (1 / o.k) : o.scale, o.seed, task.modes);
  const r = trainLinear(task, w0, { lr: o.lr, maxEpochs: o.epochs, recordsPerDecade: 40, every: Math.max(1, Math.round(o.epochs / 200)) });
  // the exact solution needs decoupled initial conditions: every mode at u0 = scale, whitened inputs
  const exact =
    o.init === 'balanced' && task.whitened
      ? Array.from(task.modes.s, (s) => deepModeTrajectory(s, o.scale, 1 / o.lr, o.k, r.records.map((x) => x.epoch)))
      : null;
  return { init: o.init, k: o.k, scale: o.scale, lr: o.lr, seed: o.seed, records: r.records, exact };
}

/**
 * Where a deep linear net's rate search starts: 4 x the rate 1/lambda_max, lambda_max = k s^(2 - 2/k)
 * the top Hessian eigenvalue at the optimum for the largest mode s (src/learn/exact.ts), above which
 * descent cannot settle; the best rate falls like 1/k (the paper's Eq. 42 regime), so a fixed grid
 * from lrMax would spend most of its runs diverging at depth.
 */
export function linearRateStart(task: LearnTask, k: number): number {
  return 4 * optimalLearningRate(task.modes.s[0], k);
}

/** One (init, depth or gain, seed)'s search over learning rates. */
export interface RateSearch {
  /** epochs to the threshold at the best rate (null: no rate of the grid reached it) */
  epochs: number | null;
  /** the best rate */
  lr: number | null;
  /** every rate tried: epochs reached (null: not within maxEpochs), or 'diverged' */
  tried: { lr: number; epochs: number | null; diverged: boolean }[];
}

export interface RateGrid {
  /** the largest rate allowed; the grid starts at min(lrMax, the start the experiment gives) and falls by 2^(-1/2) */
  lrMax: number;
  /** at most this many rates */
  steps: number;
  maxEpochs: number;
  threshold: number;
}

/**
 * The best learning rate of the grid, scanning down from its start: diverging rates are skipped;
 * once a rate reaches the threshold, smaller ones are tried until two in a row are slower (the time
 * to a threshold falls like 1/rate until the rate nears instability). Each run stops at the
 * threshold or at min(maxEpochs, 4 x the best so far); two runs in a row that do not reach it
 * within maxEpochs end the search (not reached).
 */
export function bestRate(run: (lr: number, maxEpochs: number) => TrainResult, g: RateGrid, start = g.lrMax): RateSearch {
  const top = Math.min(g.lrMax, start);
  const tried: RateSearch['tried'] = [];
  let best: { lr: number; epochs: number } | null = null;
  let slower = 0;
  let unreached = 0;
  for (let j = 0; j < g.steps; j++) {
    const lr = top * 2 ** (-j / 2);
    const cap = best ? Math.min(g.maxEpochs, 4 * best.epochs) : g.maxEpochs;
    const r = run(lr, cap);
    tried.push({ lr, epochs: r.reached, diverged: r.diverged });
    if (r.diverged) continue;
    if (r.reached === null) {
      // slower than 4x the best, or twice not within maxEpochs: smaller rates only get slower
      if (best || ++unreached >= 2) break;
      continue;
    }
    if (!best || r.reached < best.epochs) {
      best = { lr, epochs: r.reached };
      slower = 0;
    } else if (++slower >= 2) break;
  }
  return { epochs: best ? best.epochs : null, lr: best ? best.lr : null, tried };
}

export interface LearningTimeRow {
  init: LearnInit;
  k: number;
  /** per seed */
  searches: RateSearch[];
  /** epochs at the best rate over the seeds that reached the threshold */
  epochs: Estimate;
  /** the best rates */
  lr: Estimate;
  /** seeds that reached the threshold */
  reached: number;
}

export function learningTime(task: LearnTask, o: { init: LearnInit; k: number; hidden: number; scale: number; seeds: number[]; grid: RateGrid }): LearningTimeRow {
  const widths = learnWidths(task, o.k, o.hidden);
  const threshold = thresholdOf(task, o.grid.threshold);
  const searches = o.seeds.map((seed) => {
    const w0 = initialWeights(o.init, widths, o.scale, seed, { ...task.modes, sigma11: task.sigma11 });
    return bestRate((lr, maxEpochs) => trainLinear(task, w0, { lr, maxEpochs, threshold, recordsPerDecade: 0 }), o.grid, linearRateStart(task, o.k));
  });
  return summarizeSearches(o.init, o.k, searches);
}

/** A row from its seeds' searches: epochs and rates over the seeds that reached the threshold. */
export function summarizeSearches(init: LearnInit, k: number, searches: RateSearch[]): LearningTimeRow {
  const ok = searches.filter((s) => s.epochs !== null);
  return { init, k, searches, epochs: estimate(ok.map((s) => s.epochs!)), lr: estimate(ok.map((s) => s.lr!)), reached: ok.length };
}

export interface GainTimeRow extends Omit<LearningTimeRow, 'k'> {
  gain: number;
  k: number;
}

/** A deep nonlinear net's training time at the best rate, at one gain: W_l = gain x eoc's unit-scale draws (init 'orthogonal' or 'gaussian'). */
export function gainTime(task: LearnTask, o: { init: 'orthogonal' | 'gaussian'; k: number; hidden: number; gain: number; activation: string; seeds: number[]; grid: RateGrid }): GainTimeRow {
  const widths = learnWidths(task, o.k, o.hidden);
  const threshold = thresholdOf(task, o.grid.threshold);
  const searches = o.seeds.map((seed) => {
    // every layer at the gain (not scale^(1/k)): the gain eoc sweeps and locates
    const w0 = initialWeights(o.init === 'orthogonal' ? 'orthogonal' : 'gaussian', widths, o.init === 'orthogonal' ? o.gain ** o.k : o.gain, seed);
    return bestRate((lr, maxEpochs) => trainNonlinear(task, w0, o.activation, { lr, maxEpochs, threshold, recordsPerDecade: 0 }), o.grid);
  });
  return { ...summarizeSearches(o.init, o.k, searches), gain: o.gain };
}
