import { mul, mulNT, mulTN, product } from './init.js';
import { activation } from '../network/activations.js';
import type { Mat } from '../linalg/matrix.js';
import { modeStrengths, taskLoss, type TaskCorrelations } from './tasks.js';

/**
 * Full-batch gradient descent for `eoc learn` (Saxe, McClelland & Ganguli 2014). One step is one
 * epoch: W_l <- W_l - lr dL/dW_l with the loss averaged over the P examples,
 *   L = (1/2P) ||Y - f(X)||_F^2,
 * so that in the small-rate limit tau dW/dt = -dL/dW with tau = 1/lr and t in epochs, the paper's
 * time (docs/learn-formulas.md). For a deep linear net f(X) = W_tot X, W_tot = W_k ... W_1, and the
 * loss and gradient depend on the data only through Sigma_11 = X X^T/P, Sigma_31 = Y X^T/P and
 * tr Sigma_33 = tr(Y Y^T)/P:
 *   L = (1/2) tr(W_tot Sigma_11 W_tot^T) - tr(W_tot Sigma_31^T) + (1/2) tr Sigma_33,
 *   dL/dW_l = (W_k..W_{l+1})^T (W_tot Sigma_11 - Sigma_31) (W_{l-1}..W_1)^T,
 * which is what trainLinear computes (exactly the sample gradient, at a cost free of P).
 */
/** The correlations a deep linear net trains on (a LearnTask is one). */
export type LinearProblem = TaskCorrelations;

export interface TrainOptions {
  /** learning rate (1/tau) */
  lr: number;
  /** epochs at most */
  maxEpochs: number;
  /**
   * stop at the first epoch where (L - optimum) <= threshold (L_zero - optimum), L_zero the loss of
   * the zero map; absent: run maxEpochs
   */
  threshold?: { fraction: number; optimum: number; zeroLoss: number };
  /** records per decade of epochs (0, 1, 2, ... then thinned geometrically); default 20 */
  recordsPerDecade?: number;
  /** also record every `every` epochs (for trajectories on a linear time axis) */
  every?: number;
}

export interface TrainRecord {
  epoch: number;
  loss: number;
  /** linear nets: u_a(t) for each mode a */
  modes?: number[];
}

export interface TrainResult {
  records: TrainRecord[];
  /** epochs run */
  epochs: number;
  /** the first epoch at which the threshold was met (null: never, or no threshold) */
  reached: number | null;
  /** the loss grew without bound or became non-finite */
  diverged: boolean;
  finalLoss: number;
  weights: Mat[];
}

/** Whether epoch t is recorded: every epoch up to 10, then about `perDecade` per decade (and every `every`). */
export function recordEpoch(t: number, perDecade: number, every?: number): boolean {
  if (t <= 10) return true;
  if (every && t % every === 0) return true;
  const k = Math.floor(perDecade * Math.log10(t));
  const prev = Math.floor(perDecade * Math.log10(t - 1));
  return k !== prev;
}

function reachedThreshold(o: TrainOptions, loss: number): boolean {
  const t = o.threshold;
  return t !== undefined && loss - t.optimum <= t.fraction * (t.zeroLoss - t.optimum);
}

/**
 * Divergence: a non-finite loss, or one DIVERGE_FACTOR times the larger of the initial loss and the
 * zero map's (descent at a stable rate does not climb that far; an unstable one gets there in a few
 * dozen epochs, so the rate search does not pay for a slow blow-up).
 */
export const DIVERGE_FACTOR = 100;

function divergedLoss(loss: number, start: number, zero: number): boolean {
  return !Number.isFinite(loss) || loss > DIVERGE_FACTOR * Math.max(start, zero, 1e-300);
}

/** Gradient descent on a deep linear net (any widths) from `initial` (copied). */
export function trainLinear(p: LinearProblem, initial: readonly Mat[], o: TrainOptions): TrainResult {
  const w = initial.map((m) => ({ rows: m.rows, cols: m.cols, data: Float64Array.from(m.data) }));
  const k = w.length;
  const perDecade = o.recordsPerDecade ?? 20;
  const records: TrainRecord[] = [];
  const zero = 0.5 * p.traceSigma33;
  let reached: number | null = null;
  let diverged = false;
  let loss = NaN;
  let start = NaN;
  let t = 0;
  for (; ; t++) {
    // prefix products B_l = W_{l-1} .. W_1 (B_0 = none), the total, then suffixes on the way down
    const prefix: Mat[] = [];
    let acc: Mat | null = null;
    for (let l = 0; l < k; l++) {
      prefix.push(acc as Mat);
      acc = acc ? mul(w[l], acc) : w[l];
    }
    const wTot = acc!;
    loss = taskLoss(p, wTot);
    if (t === 0) start = loss;
    if (recordEpoch(t, perDecade, o.every) || reachedThreshold(o, loss)) records.push({ epoch: t, loss, modes: Array.from(modeStrengths(p, wTot)) });
    if (divergedLoss(loss, start, zero)) {
      diverged = true;
      break;
    }
    if (reached === null && reachedThreshold(o, loss)) {
      reached = t;
      break;
    }
    if (t >= o.maxEpochs) break;
    // E = W_tot Sigma_11 - Sigma_31 (N_out x N_0); dL/dW_l = S_l^T E B_l^T
    const e = mul(wTot, p.sigma11);
    for (let i = 0; i < e.data.length; i++) e.data[i] -= p.sigma31.data[i];
    let suffixT: Mat = e; // S^T E with S = W_k .. W_{l+1}, built from the top
    const grads: Mat[] = new Array(k);
    for (let l = k - 1; l >= 0; l--) {
      grads[l] = prefix[l] ? mulNT(suffixT, prefix[l]) : suffixT;
      if (l > 0) suffixT = mulTN(w[l], suffixT);
    }
    for (let l = 0; l < k; l++) {
      const g = grads[l].data, d = w[l].data;
      for (let i = 0; i < d.length; i++) d[i] -= o.lr * g[i];
    }
  }
  const last = records[records.length - 1];
  if (!last || last.epoch !== t) records.push({ epoch: t, loss, modes: Array.from(modeStrengths(p, product(w))) });
  return { records, epochs: t, reached, diverged, finalLoss: loss, weights: w };
}

/** A sample-based problem for nonlinear nets: X (N_0 x P), Y (N_out x P). */
export interface SampleProblem {
  X: Mat;
  Y: Mat;
}

/**
 * Gradient descent on a deep nonlinear net: h_l = W_l x_{l-1}, x_l = phi(h_l) for the hidden layers
 * and a linear read-out f(X) = W_k x_{k-1} (Saxe 2014's form with the final operation linear), no
 * biases, loss (1/2P) ||Y - f(X)||_F^2; backprop on all P examples at once.
 */
export function trainNonlinear(p: SampleProblem, initial: readonly Mat[], phi: string, o: TrainOptions): TrainResult {
  const act = activation(phi);
  const w = initial.map((m) => ({ rows: m.rows, cols: m.cols, data: Float64Array.from(m.data) }));
  const k = w.length;
  const P = p.X.cols;
  const perDecade = o.recordsPerDecade ?? 20;
  const records: TrainRecord[] = [];
  let zero = 0;
  for (const v of p.Y.data) zero += v * v;
  zero /= 2 * P;
  let reached: number | null = null;
  let diverged = false;
  let loss = NaN;
  let start = NaN;
  let t = 0;
  for (; ; t++) {
    // forward: xs[l] is the input of layer l (xs[0] = X), ds[l] phi' at layer l's pre-activation
    const xs: Mat[] = [p.X];
    const ds: Float64Array[] = [];
    let x = p.X;
    for (let l = 0; l < k; l++) {
      const h = mul(w[l], x);
      if (l < k - 1) {
        const out = new Float64Array(h.data.length), d = new Float64Array(h.data.length), lnd = new Float64Array(h.data.length);
        act.apply(h.data, out, d, lnd);
        x = { rows: h.rows, cols: h.cols, data: out };
        ds.push(d);
      } else x = h;
      xs.push(x);
    }
    // residual R = f(X) - Y, loss (1/2P)|R|^2
    const r = { rows: x.rows, cols: x.cols, data: Float64Array.from(x.data) };
    let ss = 0;
    for (let i = 0; i < r.data.length; i++) {
      r.data[i] -= p.Y.data[i];
      ss += r.data[i] * r.data[i];
    }
    loss = ss / (2 * P);
    if (t === 0) start = loss;
    if (recordEpoch(t, perDecade, o.every) || reachedThreshold(o, loss)) records.push({ epoch: t, loss });
    if (divergedLoss(loss, start, zero)) {
      diverged = true;
      break;
    }
    if (reached === null && reachedThreshold(o, loss)) {
      reached = t;
      break;
    }
    if (t >= o.maxEpochs) break;
    // backward: delta_k = R / P; dL/dW_l = delta_l x_{l-1}^T; delta_{l-1} = (W_l^T delta_l) * phi'
    let delta: Mat = { rows: r.rows, cols: r.cols, data: r.data.map((v) => v / P) };
    const grads: Mat[] = new Array(k);
    for (let l = k - 1; l >= 0; l--) {
      grads[l] = mulNT(delta, xs[l]);
      if (l > 0) {
        const back = mulTN(w[l], delta);
        const d = ds[l - 1];
        for (let i = 0; i < back.data.length; i++) back.data[i] *= d[i];
        delta = back;
      }
    }
    for (let l = 0; l < k; l++) {
      const g = grads[l].data, d = w[l].data;
      for (let i = 0; i < d.length; i++) d[i] -= o.lr * g[i];
    }
  }
  const last = records[records.length - 1];
  if (!last || last.epoch !== t) records.push({ epoch: t, loss });
  return { records, epochs: t, reached, diverged, finalLoss: loss, weights: w };
}
