import { mul, mulNT, mulTN } from './init.js';
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

/** One epoch's evaluation: the loss, what to record, and the gradients (computed only if a step follows). */
interface Evaluation {
  loss: number;
  modes?: () => number[];
  gradients: () => Mat[];
}

/**
 * The descent loop both trainers share: evaluate, record (thinned), stop on divergence, on the
 * threshold or at maxEpochs, else step every W_l by -lr times its gradient.
 */
function descend(initial: readonly Mat[], o: TrainOptions, zero: number, evaluate: (w: Mat[]) => Evaluation): TrainResult {
  const w = initial.map((m) => ({ rows: m.rows, cols: m.cols, data: Float64Array.from(m.data) }));
  const perDecade = o.recordsPerDecade ?? 20;
  const records: TrainRecord[] = [];
  let reached: number | null = null;
  let diverged = false;
  let loss = NaN;
  let start = NaN;
  let t = 0;
  let ev: Evaluation | null = null;
  const record = (e: Evaluation) => records.push({ epoch: t, loss: e.loss, ...(e.modes ? { modes: e.modes() } : {}) });
  for (; ; t++) {
    ev = evaluate(w);
    loss = ev.loss;
    if (t === 0) start = loss;
    if (recordEpoch(t, perDecade, o.every) || reachedThreshold(o, loss)) record(ev);
    if (divergedLoss(loss, start, zero)) {
      diverged = true;
      break;
    }
    if (reached === null && reachedThreshold(o, loss)) {
      reached = t;
      break;
    }
    if (t >= o.maxEpochs) break;
    const grads = ev.gradients();
    for (let l = 0; l < w.length; l++) {
      const g = grads[l].data, d = w[l].data;
      for (let i = 0; i < d.length; i++) d[i] -= o.lr * g[i];
    }
  }
  const last = records[records.length - 1];
  if (!last || last.epoch !== t) record(ev);
  return { records, epochs: t, reached, diverged, finalLoss: loss, weights: w };
}

/** Gradient descent on a deep linear net (any widths) from `initial` (copied). */
export function trainLinear(p: LinearProblem, initial: readonly Mat[], o: TrainOptions): TrainResult {
  const k = initial.length;
  return descend(initial, o, 0.5 * p.traceSigma33, (w) => {
    // prefix products B_l = W_{l-1} .. W_1 (B_0 = none) and the total
    const prefix: (Mat | null)[] = [];
    let acc: Mat | null = null;
    for (let l = 0; l < k; l++) {
      prefix.push(acc);
      acc = acc ? mul(w[l], acc) : w[l];
    }
    const wTot = acc!;
    return {
      loss: taskLoss(p, wTot),
      modes: () => Array.from(modeStrengths(p, wTot)),
      gradients: () => {
        // E = W_tot Sigma_11 - Sigma_31 (N_out x N_0); dL/dW_l = S_l^T E B_l^T, S_l = W_k .. W_{l+1}
        const e = mul(wTot, p.sigma11);
        for (let i = 0; i < e.data.length; i++) e.data[i] -= p.sigma31.data[i];
        let suffixT: Mat = e; // S^T E, built from the top
        const grads: Mat[] = new Array(k);
        for (let l = k - 1; l >= 0; l--) {
          const b = prefix[l];
          grads[l] = b ? mulNT(suffixT, b) : suffixT;
          if (l > 0) suffixT = mulTN(w[l], suffixT);
        }
        return grads;
      },
    };
  });
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
  const k = initial.length;
  const P = p.X.cols;
  let zero = 0;
  for (const v of p.Y.data) zero += v * v;
  return descend(initial, o, zero / (2 * P), (w) => {
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
    return {
      loss: ss / (2 * P),
      gradients: () => {
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
        return grads;
      },
    };
  });
}
