import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { transpose, type Mat } from '../linalg/matrix.js';
import { sampleHaar, sampleSemiOrthogonal } from '../linalg/haar.js';
import { householderQRThin, formQThin } from '../linalg/qr.js';
import { normalStream } from '../random/streams.js';
import { normalCdf } from '../activations/special.js';
import { readWeightFile } from '../io/weights/index.js';
import { SpecError } from '../spec/errors.js';

/**
 * The learning tasks of `eoc learn` (Saxe, McClelland & Ganguli 2014, arXiv 1312.6120): data sets
 * whose input-output correlation Sigma_31 = Y X^T / P and input correlation Sigma_11 = X X^T / P are
 * known, with the SVD of Sigma_31 that the exact solutions of the paper are written in.
 *
 *   singular      whitened inputs X = sqrt(P) I (P = N_0 examples, so Sigma_11 = I) and targets
 *                 Y = A X with A = U S V^T: Haar-random orthonormal U, V and chosen singular values,
 *                 so Sigma_31 = A (up to rounding).
 *   hierarchical  the paper's hierarchically structured items: the leaves of a binary tree, each
 *                 feature diffusing from the root down the tree (see hierarchicalTask), one-hot inputs
 *                 scaled to X = sqrt(P) I.
 *   npy           the user's own X (P x N_0) and Y (P x N_out) from two .npy files.
 *
 * Random draws: the task's data come from the seeded N(0,1) streams of src/random/streams.ts under
 * purpose 'input' (the network's initial weights use 'weights'): the singular task's U from index 0
 * and V from index 1; the hierarchical task's feature f from index f (so feature f is the same
 * whatever the number of features).
 */
export interface LearnTask {
  kind: 'singular' | 'hierarchical' | 'npy';
  /** inputs, N_0 x P (column mu is example mu) */
  X: Mat;
  /** targets, N_out x P */
  Y: Mat;
  /** Sigma_11 = X X^T / P (N_0 x N_0) */
  sigma11: Mat;
  /** Sigma_31 = Y X^T / P (N_out x N_0) */
  sigma31: Mat;
  /** tr Sigma_33 = tr(Y Y^T) / P = ||Y||_F^2 / P (the loss of the zero map is half of it) */
  traceSigma33: number;
  /**
   * the SVD Sigma_31 = U S V^T, modes in descending s (only s > 1e-12 s_max kept): U N_out x r,
   * V N_0 x r. Signs: in each column of U the first entry within 1e-9 (relative) of the column's
   * largest magnitude is positive, V's column flipped alongside.
   */
  modes: { s: Float64Array; U: Mat; V: Mat };
  /** true when Sigma_11 = I to 1e-12 (max-abs; the exact solutions assume whitened inputs) */
  whitened: boolean;
  /** one line: what the task is */
  description: string;
  /** the options it was built from, for the JSON document */
  params: Record<string, unknown>;
}

/** The largest input or output width of a singular task (its dense SVD is O(N^3): about 20 s at 1024). */
export const MAX_SINGULAR_WIDTH = 1024;
/** Singular values below this fraction of the largest are not modes. */
export const MODE_TOLERANCE = 1e-12;
/** Sigma_11 within this (max-abs) of I is whitened. */
export const WHITENED_TOLERANCE = 1e-12;

// ---------------------------------------------------------------------------------------------
// singular

export interface SingularTaskOptions {
  inputs: number;
  outputs: number;
  singularValues: number[];
  seed: number;
}

/**
 * Whitened inputs and a target map with chosen singular values: P = N_0 examples X = sqrt(P) I
 * (Sigma_11 = I), Y = A X with A = U diag(s) V^T, U (N_out x r) and V (N_0 x r) with Haar-random
 * orthonormal columns (src/linalg/haar.ts: sampleHaar when the width is r, else the thin-QR
 * sampleSemiOrthogonal), so Sigma_31 = A X X^T / P = A.
 */
export function singularTask(opts: SingularTaskOptions): LearnTask {
  const { inputs, outputs, singularValues, seed } = opts;
  checkInteger('--in-dim', inputs, 1, MAX_SINGULAR_WIDTH);
  checkInteger('--out-dim', outputs, 1, MAX_SINGULAR_WIDTH);
  checkSeed(seed);
  if (!Array.isArray(singularValues) || singularValues.length === 0) throw new SpecError('--singular-values: give at least one singular value');
  const r = singularValues.length;
  if (r > Math.min(inputs, outputs)) {
    throw new SpecError(`--singular-values: ${r} values, but a ${outputs} x ${inputs} map (--out-dim x --in-dim) has at most min(${inputs}, ${outputs}) = ${Math.min(inputs, outputs)}`);
  }
  singularValues.forEach((s, i) => {
    if (typeof s !== 'number' || !Number.isFinite(s) || !(s > 0)) throw new SpecError(`--singular-values: value ${i + 1} (${String(s)}) is not a positive finite number`);
  });

  const U = haarColumns(outputs, r, seed, 0);
  const V = haarColumns(inputs, r, seed, 1);
  // A = U diag(s) V^T (N_out x N_0)
  const A = new Float64Array(outputs * inputs);
  for (let i = 0; i < outputs; i++) {
    for (let a = 0; a < r; a++) {
      const us = U.data[i * r + a] * singularValues[a];
      if (us === 0) continue;
      for (let j = 0; j < inputs; j++) A[i * inputs + j] += us * V.data[j * r + a];
    }
  }
  const P = inputs;
  const root = Math.sqrt(P);
  const X = scaledIdentity(P, root);
  // Y = A X = sqrt(P) A
  const Y: Mat = { rows: outputs, cols: P, data: A.map((v) => v * root) };
  const description = `singular: N0 = ${inputs}, N_out = ${outputs}, s = ${singularValues.join(', ')}`;
  return buildTask('singular', X, Y, description, { inputs, outputs, singularValues: [...singularValues], seed });
}

/** n x r with orthonormal Haar columns from stream ('input', index). */
function haarColumns(n: number, r: number, seed: number, index: number): Mat {
  const stream = normalStream(seed, 'input', index);
  if (n === r) return sampleHaar(n, stream);
  return sampleSemiOrthogonal(n, r, stream); // n > r: orthonormal columns
}

// ---------------------------------------------------------------------------------------------
// hierarchical

export interface HierarchicalTaskOptions {
  levels: number;
  flipProbability: number;
  features: number;
  seed: number;
}

/** The number of items (leaves) of the hierarchical task's tree with `levels` levels: 2^(levels - 1). */
export function hierarchicalItems(levels: number): number {
  return 2 ** (levels - 1);
}

/**
 * The hierarchically structured items of Saxe et al. (a branching diffusion on a binary tree):
 *
 *   The tree has `levels` levels counted with the root (level 1) and the leaves (level `levels`):
 *   depth d = 0 .. D, D = levels - 1, with 2^d nodes at depth d, node j's children 2j and 2j + 1.
 *   The P = 2^D leaves, left to right, are the items.
 *   Each feature f = 0 .. F-1 is drawn independently, from its own stream ('input', f):
 *     root value: +1 if the stream's first draw z >= 0, else -1 (equiprobable);
 *     then depth by depth (d = 1 .. D), node by node (j = 0 .. 2^d - 1), one draw z each: the node
 *     takes its parent's value, sign-flipped when Phi(z) < flipProbability (probability exactly
 *     flipProbability: Phi(z) is uniform on (0, 1)); flipProbability 0 never flips, 0.5 flips
 *     when z < 0.
 *   Y[f][mu] = the value of feature f at leaf mu (+-1); X = sqrt(P) I (one-hot items, scaled so
 *   that Sigma_11 = I exactly up to rounding), so Sigma_31 = Y / sqrt(P).
 *
 * Consequences used by the tests: every entry of Y is +-1, so tr Sigma_33 = sum_a s_a^2 = F; the
 * features' item covariance is E[y_mu y_nu] = (1 - 2 p)^dist(mu, nu) (dist = tree path length
 * between the leaves), a hierarchical matrix whose eigenvectors are the tree's Haar functions:
 * the singular values of Sigma_31 group by tree level (1 uniform mode, then 2^m modes for the
 * 2^m nodes at depth m = 0 .. D - 1), and with flipProbability 0 every feature is constant over
 * the items: one mode, s = sqrt(F).
 */
export function hierarchicalTask(opts: HierarchicalTaskOptions): LearnTask {
  const { levels, flipProbability: p, features, seed } = opts;
  checkInteger('--levels', levels, 2, 10);
  if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 0.5) throw new SpecError(`--flip: ${String(p)} is not a probability in [0, 0.5]`);
  checkInteger('--features', features, 1, 10000);
  checkSeed(seed);

  const D = levels - 1;
  const P = hierarchicalItems(levels);
  const Y = new Float64Array(features * P);
  let cur = new Float64Array(P);
  let next = new Float64Array(P);
  for (let f = 0; f < features; f++) {
    const draw = normalStream(seed, 'input', f);
    cur[0] = draw() >= 0 ? 1 : -1;
    for (let d = 1; d <= D; d++) {
      const width = 2 ** d;
      for (let j = 0; j < width; j++) {
        const z = draw();
        next[j] = normalCdf(z) < p ? -cur[j >> 1] : cur[j >> 1];
      }
      [cur, next] = [next, cur];
    }
    Y.set(cur.subarray(0, P), f * P);
  }
  const X = scaledIdentity(P, Math.sqrt(P));
  const description = `hierarchical: ${levels} levels, ${P} items, ${features} features, flip probability ${p}`;
  return buildTask('hierarchical', X, { rows: features, cols: P, data: Y }, description, { levels, flipProbability: p, features, seed, items: P });
}

// ---------------------------------------------------------------------------------------------
// npy

/**
 * The user's data: X of shape (P, N_0) and Y of shape (P, N_out) in two .npy files (rows are
 * examples, numpy's convention), transposed to N_0 x P and N_out x P. Read with readWeightFile;
 * a file that is not one 2-D array with P >= 1 rows and >= 1 columns of finite values, or a Y whose
 * number of rows differs from X's, is a SpecError naming the file.
 */
export function npyTask(xPath: string, yPath: string): LearnTask {
  const x = readMatrixFile(xPath, 'X', 'N_0');
  const y = readMatrixFile(yPath, 'Y', 'N_out');
  if (y.rows !== x.rows) {
    throw new SpecError(`${yPath}: Y has ${y.rows} rows (examples) but X (${xPath}) has ${x.rows}: both need one row per example`);
  }
  const X = transpose(x);
  const Y = transpose(y);
  const task = buildTask('npy', X, Y, '', { x: xPath, y: yPath });
  task.description = `npy: X = ${xPath} (P = ${x.rows}, N0 = ${x.cols}), Y = ${yPath} (N_out = ${y.cols}), ${task.whitened ? 'whitened' : 'not whitened (Sigma_11 != I: the exact solutions assume whitened inputs)'}`;
  task.params = { x: xPath, y: yPath, examples: x.rows, inputs: x.cols, outputs: y.cols };
  return task;
}

function readMatrixFile(path: string, what: string, width: string): Mat {
  const file = readWeightFile(path);
  if (file.tensors.length !== 1) throw new SpecError(`${path}: ${file.tensors.length} arrays; ${what} must be one array of shape (P, ${width})`);
  const t = file.tensors[0];
  if (t.shape.length !== 2) throw new SpecError(`${path}: ${what} has shape (${t.shape.join(', ')}${t.shape.length === 1 ? ',' : ''}); it must be 2-D, (P, ${width}) with one row per example`);
  const [rows, cols] = t.shape;
  if (rows < 1) throw new SpecError(`${path}: ${what} has shape (${rows}, ${cols}): no examples (P = 0)`);
  if (cols < 1) throw new SpecError(`${path}: ${what} has shape (${rows}, ${cols}): ${width} = 0`);
  for (let i = 0; i < t.data.length; i++) {
    if (!Number.isFinite(t.data[i])) throw new SpecError(`${path}: ${what}[${Math.floor(i / cols)}, ${i % cols}] is ${t.data[i]} (every value must be finite)`);
  }
  return { rows, cols, data: Float64Array.from(t.data) };
}

// ---------------------------------------------------------------------------------------------
// helpers on a task

/** What a deep linear net's loss and gradient see of a task (src/learn/train.ts trains on it). */
export type TaskCorrelations = Pick<LearnTask, 'sigma11' | 'sigma31' | 'traceSigma33' | 'modes'>;

/** u_a = U[:, a]^T W_tot V[:, a] for each mode a (W_tot is N_out x N_0). */
export function modeStrengths(task: Pick<TaskCorrelations, 'modes' | 'sigma31'>, wTot: Mat): Float64Array {
  const { U, V, s } = task.modes;
  checkShape(task, wTot, 'modeStrengths');
  const n0 = wTot.cols;
  const r = s.length;
  const out = new Float64Array(r);
  for (let a = 0; a < r; a++) {
    let sum = 0;
    for (let i = 0; i < wTot.rows; i++) {
      const ui = U.data[i * r + a];
      if (ui === 0) continue;
      let row = 0;
      for (let j = 0; j < n0; j++) row += wTot.data[i * n0 + j] * V.data[j * r + a];
      sum += ui * row;
    }
    out[a] = sum;
  }
  return out;
}

/**
 * The loss (1/2P) ||Y - W_tot X||_F^2 of the linear map W_tot (N_out x N_0), from the correlations:
 * (1/2) (tr(W Sigma_11 W^T) - 2 tr(W Sigma_31^T) + tr Sigma_33).
 */
export function taskLoss(task: TaskCorrelations, wTot: Mat): number {
  checkShape(task, wTot, 'taskLoss');
  const n0 = wTot.cols;
  const S11 = task.sigma11.data;
  const S31 = task.sigma31.data;
  let quad = 0;
  let cross = 0;
  const tmp = new Float64Array(n0);
  for (let i = 0; i < wTot.rows; i++) {
    const w = wTot.data.subarray(i * n0, (i + 1) * n0);
    // tmp = Sigma_11 w (Sigma_11 symmetric)
    tmp.fill(0);
    for (let k = 0; k < n0; k++) {
      const wk = w[k];
      if (wk === 0) continue;
      for (let j = 0; j < n0; j++) tmp[j] += wk * S11[k * n0 + j];
    }
    for (let j = 0; j < n0; j++) {
      quad += w[j] * tmp[j];
      cross += w[j] * S31[i * n0 + j];
    }
  }
  return 0.5 * (quad - 2 * cross + task.traceSigma33);
}

function checkShape(task: Pick<TaskCorrelations, 'sigma31'>, w: Mat, who: string): void {
  if (w.rows !== task.sigma31.rows || w.cols !== task.sigma31.cols) {
    throw new Error(`${who}: W_tot is ${w.rows} x ${w.cols}, the task needs N_out x N_0 = ${task.sigma31.rows} x ${task.sigma31.cols}`);
  }
}

// ---------------------------------------------------------------------------------------------
// construction

function buildTask(kind: LearnTask['kind'], X: Mat, Y: Mat, description: string, params: Record<string, unknown>): LearnTask {
  const P = X.cols;
  const sigma11 = crossCorrelation(X, X, P);
  const sigma31 = crossCorrelation(Y, X, P);
  let t33 = 0;
  for (let i = 0; i < Y.data.length; i++) t33 += Y.data[i] * Y.data[i];
  const traceSigma33 = t33 / P;
  return { kind, X, Y, sigma11, sigma31, traceSigma33, modes: svdModes(sigma31), whitened: isIdentity(sigma11, WHITENED_TOLERANCE), description, params };
}

/**
 * A B^T / P for A (m x P) and B (n x P), as the sum over examples mu of a_mu b_mu^T over the
 * columns' nonzero entries: P operations for one-hot X, the dense m n P otherwise.
 */
function crossCorrelation(A: Mat, B: Mat, P: number): Mat {
  const m = A.rows;
  const n = B.rows;
  const out = new Float64Array(m * n);
  const ai = new Int32Array(m);
  const av = new Float64Array(m);
  const bi = new Int32Array(n);
  const bv = new Float64Array(n);
  for (let mu = 0; mu < P; mu++) {
    let na = 0;
    for (let i = 0; i < m; i++) {
      const v = A.data[i * P + mu];
      if (v !== 0) { ai[na] = i; av[na++] = v; }
    }
    if (na === 0) continue;
    let nb = 0;
    for (let j = 0; j < n; j++) {
      const v = B.data[j * P + mu];
      if (v !== 0) { bi[nb] = j; bv[nb++] = v; }
    }
    for (let x = 0; x < na; x++) {
      const o = ai[x] * n;
      const a = av[x];
      for (let y = 0; y < nb; y++) out[o + bi[y]] += a * bv[y];
    }
  }
  for (let k = 0; k < out.length; k++) out[k] /= P;
  return { rows: m, cols: n, data: out };
}

/**
 * The SVD of S (N_out x N_0), in descending s, s > MODE_TOLERANCE s_max kept, signs fixed. ml-matrix's
 * Golub-Kahan SVD; a tall (or, transposed, wide) S is first reduced by the project's thin Householder
 * QR (src/linalg/qr.ts), S = Q R, and the SVD taken of the small square R: U = Q U_R (ml-matrix's
 * rotations would otherwise sweep the long side: 55 s instead of a few for 10000 x 512).
 */
function svdModes(S: Mat): { s: Float64Array; U: Mat; V: Mat } {
  const m = S.rows;
  const n = S.cols;
  let allZero = true;
  for (let i = 0; i < S.data.length; i++) if (S.data[i] !== 0) { allZero = false; break; }
  if (allZero) return { s: new Float64Array(0), U: { rows: m, cols: 0, data: new Float64Array(0) }, V: { rows: n, cols: 0, data: new Float64Array(0) } };
  // M = S (m >= n) or S^T, mt x nt with mt >= nt; gt holds M by columns (row c = column c of M)
  const swap = m < n;
  const mt = swap ? n : m;
  const nt = swap ? m : n;
  const gt = new Float64Array(nt * mt);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      if (swap) gt[i * mt + j] = S.data[i * n + j]; // column i of S^T is row i of S
      else gt[j * mt + i] = S.data[i * n + j];
    }
  }
  let small: number[][]; // the matrix whose SVD ml-matrix takes (nt x nt R, or M itself)
  let qt: Float64Array | null = null;
  if (mt > nt) {
    const tau = householderQRThin(gt, mt, nt);
    small = Array.from({ length: nt }, (_, c) => Array.from({ length: nt }, (_, j) => (j >= c ? gt[j * mt + c] : 0)));
    qt = formQThin(gt, tau, mt, nt);
  } else {
    small = Array.from({ length: mt }, (_, i) => Array.from({ length: nt }, (_, j) => gt[j * mt + i]));
  }
  const svd = new SingularValueDecomposition(new Matrix(small), { autoTranspose: true });
  const diag = svd.diagonal;
  const Us = svd.leftSingularVectors; // rows of `small` x k
  const Vs = svd.rightSingularVectors; // nt x k
  const k = Math.min(diag.length, Us.columns, Vs.columns);
  const order = Array.from({ length: k }, (_, a) => a).sort((a, b) => diag[b] - diag[a] || a - b);
  const sMax = diag[order[0]];
  const keep = order.filter((a) => diag[a] > MODE_TOLERANCE * sMax);
  const r = keep.length;
  // left vectors of M (mt x r) and right vectors (nt x r), column-major scratch per mode
  const left = new Float64Array(mt);
  const right = new Float64Array(nt);
  const s = new Float64Array(r);
  const U = new Float64Array(m * r);
  const V = new Float64Array(n * r);
  keep.forEach((src, a) => {
    s[a] = diag[src];
    if (qt) {
      left.fill(0);
      for (let c = 0; c < nt; c++) {
        const w = Us.get(c, src);
        if (w === 0) continue;
        const o = c * mt;
        for (let i = 0; i < mt; i++) left[i] += w * qt[o + i];
      }
    } else {
      for (let i = 0; i < mt; i++) left[i] = Us.get(i, src);
    }
    for (let j = 0; j < nt; j++) right[j] = Vs.get(j, src);
    // S's U column is M's left (no swap) or right (swap) vector
    const u = swap ? right : left;
    const v = swap ? left : right;
    let big = 0;
    for (let i = 0; i < m; i++) big = Math.max(big, Math.abs(u[i]));
    let sign = 1;
    for (let i = 0; i < m; i++) {
      if (Math.abs(u[i]) >= big * (1 - 1e-9)) { sign = u[i] < 0 ? -1 : 1; break; }
    }
    for (let i = 0; i < m; i++) U[i * r + a] = sign * u[i];
    for (let j = 0; j < n; j++) V[j * r + a] = sign * v[j];
  });
  return { s, U: { rows: m, cols: r, data: U }, V: { rows: n, cols: r, data: V } };
}

function scaledIdentity(n: number, c: number): Mat {
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) data[i * n + i] = c;
  return { rows: n, cols: n, data };
}


function isIdentity(m: Mat, tol: number): boolean {
  if (m.rows !== m.cols) return false;
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) if (Math.abs(m.data[i * m.cols + j] - (i === j ? 1 : 0)) > tol) return false;
  }
  return true;
}

function checkInteger(option: string, v: number, lo: number, hi: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new SpecError(`${option}: ${String(v)} is not an integer in ${lo}..${hi}`);
}

function checkSeed(seed: number): void {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) throw new SpecError(`--seed: ${String(seed)} is not a non-negative integer`);
}
