import { sampleDenseWeights } from '../network/sampler.js';
import { sampleSemiOrthogonal } from '../linalg/haar.js';
import { normalStream } from '../random/streams.js';
import { transpose, type Mat } from '../linalg/matrix.js';
import { SpecError } from '../spec/errors.js';

/**
 * The initial conditions `eoc learn` trains from (Saxe, McClelland & Ganguli 2014):
 *   gaussian    W_l ~ N(0, g^2 / fan_in), g = `scale` (scale 1: the norm-preserving "scaled Gaussian";
 *               small scales: the paper's small random weights). eoc's own draws (sampleDenseWeights),
 *               so seed s trains the network `eoc spectrum --init gaussian --seed s` measures.
 *   orthogonal  W_l = g O_l, O_l Haar (semi-)orthogonal as eoc draws it, g = scale^(1/k) for k weight
 *               layers: every singular value of a square W_tot = W_k ... W_1 is then `scale` (the
 *               paper's random orthogonal weights "scaled to a given initial mode strength").
 *   balanced    the decoupled initial conditions of the paper's exact solutions: W_1 = R_2 D V^T,
 *               W_l = R_{l+1} D R_l^T, W_k = U D R_k^T with the task's input and output singular
 *               vectors V, U, Haar R_l (N_l x r, orthonormal columns) and D = scale^(1/k) I, so that
 *               W_tot = scale U V^T: every mode a starts at u_a = scale with every layer equally strong
 *               (a = b in the three-layer case), the other directions at 0.
 *   pretrained  greedy layer-wise linear autoencoder pretraining (pretrainedWeights): each hidden
 *               layer's W_l is the encoder of an autoencoder trained by gradient descent on the
 *               representation below it; the read-out, which an autoencoder cannot pretrain, is
 *               scaled Gaussian N(0, 1/fan_in).
 */
export { LEARN_INITS, type LearnInit } from './schemes.js';
import type { LearnInit } from './schemes.js';

/** Row-major product of small matrices (A B). */
export function mul(a: Mat, b: Mat): Mat {
  if (a.cols !== b.rows) throw new Error(`mul: ${a.rows}x${a.cols} times ${b.rows}x${b.cols}`);
  const ad = a.data, bd = b.data, m = a.rows, q = a.cols, n = b.cols;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const o = i * n;
    for (let p = 0; p < q; p++) {
      const x = ad[i * q + p];
      if (x === 0) continue;
      const bp = p * n;
      for (let j = 0; j < n; j++) out[o + j] += x * bd[bp + j];
    }
  }
  return { rows: m, cols: n, data: out };
}

/** A^T B for row-major A (m x p) and B (m x n). */
export function mulTN(a: Mat, b: Mat): Mat {
  if (a.rows !== b.rows) throw new Error(`mulTN: ${a.rows}x${a.cols}^T times ${b.rows}x${b.cols}`);
  const ad = a.data, bd = b.data, m = a.rows, q = a.cols, n = b.cols;
  const out = new Float64Array(q * n);
  for (let r = 0; r < m; r++) {
    const br = r * n;
    for (let i = 0; i < q; i++) {
      const x = ad[r * q + i];
      if (x === 0) continue;
      const o = i * n;
      for (let j = 0; j < n; j++) out[o + j] += x * bd[br + j];
    }
  }
  return { rows: q, cols: n, data: out };
}

/** A B^T for row-major A (m x p) and B (n x p). */
export function mulNT(a: Mat, b: Mat): Mat {
  if (a.cols !== b.cols) throw new Error(`mulNT: ${a.rows}x${a.cols} times ${b.rows}x${b.cols}^T`);
  const ad = a.data, bd = b.data, m = a.rows, p = a.cols, n = b.rows;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let q = 0; q < p; q++) s += ad[i * p + q] * bd[j * p + q];
      out[i * n + j] = s;
    }
  }
  return { rows: m, cols: n, data: out };
}

/** The product W_k ... W_1 (N_k x N_0). */
export function product(weights: readonly Mat[]): Mat {
  let p = weights[0];
  for (let l = 1; l < weights.length; l++) p = mul(weights[l], p);
  return p;
}

const scaled = (m: Mat, g: number): Mat => ({ rows: m.rows, cols: m.cols, data: m.data.map((v) => g * v) });

/** N_l x r with orthonormal columns, Haar, from the seed's stream for purpose index `index`. */
function haarColumns(n: number, r: number, seed: number, index: number): Mat {
  // the transpose of an r x n matrix with orthonormal rows (torch's convention for a wide W)
  return transpose(sampleSemiOrthogonal(r, n, normalStream(seed, 'weights', index)));
}

/** What the inits need of the task: its singular vectors (balanced: U N_out x r, V N_0 x r) and its input correlation (pretrained). */
export interface ModeBasis {
  U: Mat;
  V: Mat;
  /** Sigma_11 (pretrained) */
  sigma11?: Mat;
}

/** How long each autoencoder of the pretraining trains, and at what rate (times 1/lambda_max of its input correlation). */
export const PRETRAIN = { epochs: 3000, rate: 0.5, startScale: 0.1 } as const;

/**
 * Greedy layer-wise linear autoencoder pretraining: for l = 1 .. k-1, an encoder E (N_l x N_{l-1})
 * and decoder D (N_{l-1} x N_l), both from N(0, startScale^2/fan_in) draws of the seed, descend
 * L = (1/2) tr((I - D E) C (I - D E)^T) on C = the correlation of the layer's input (C_0 = Sigma_11,
 * then C_l = E C_{l-1} E^T) for PRETRAIN.epochs full-batch steps at rate PRETRAIN.rate / lambda_max(C);
 * W_l = E. (Its minima put E's row space on C's top-N_l eigenvectors, Baldi & Hornik 1989; with
 * whitened inputs, C = I, every N_l-dimensional subspace is a minimum.) The read-out W_k is N(0, 1/fan_in).
 */
export function pretrainedWeights(widths: readonly number[], sigma11: Mat, seed: number): Mat[] {
  const k = widths.length - 1;
  const out: Mat[] = [];
  let c = sigma11;
  for (let l = 0; l < k - 1; l++) {
    const n = widths[l], m = widths[l + 1];
    let e = scaled(sampleDenseWeights('gaussian', m, n, seed, 2000 + 2 * l), PRETRAIN.startScale);
    let d = scaled(sampleDenseWeights('gaussian', n, m, seed, 2001 + 2 * l), PRETRAIN.startScale);
    // lambda_max(C) by power iteration (C is symmetric positive semi-definite)
    let v = new Float64Array(n).fill(1 / Math.sqrt(n));
    let lam = 0;
    for (let it = 0; it < 100; it++) {
      const cv = mul(c, { rows: n, cols: 1, data: v }).data;
      lam = Math.hypot(...cv);
      if (!(lam > 0)) break;
      v = cv.map((x) => x / lam);
    }
    const lr = lam > 0 ? PRETRAIN.rate / lam : 0;
    for (let t = 0; t < PRETRAIN.epochs && lr > 0; t++) {
      // R = (I - D E) C; dL/dD = -R E^T ... with L = (1/2) tr((I - DE) C (I - DE)^T):
      // dL/dD = -(I - DE) C E^T, dL/dE = -D^T (I - DE) C
      const de = mul(d, e);
      const ide = { rows: n, cols: n, data: de.data.map((x, i) => (i % (n + 1) === 0 ? 1 : 0) - x) };
      const r = mul(ide, c);
      const gD = mulNT(r, e);
      const gE = mulTN(d, r);
      d = { ...d, data: d.data.map((x, i) => x + lr * gD.data[i]) };
      e = { ...e, data: e.data.map((x, i) => x + lr * gE.data[i]) };
    }
    out.push(e);
    c = mulNT(mul(e, c), e);
  }
  out.push(sampleDenseWeights('gaussian', widths[k], widths[k - 1], seed, k - 1));
  return out;
}

/**
 * The initial weights W_1..W_k (W_l is N_l x N_{l-1}) of widths N_0..N_k under `init` at `scale`
 * (see LEARN_INITS), drawn from `seed`. The balanced init needs the task's modes and every hidden
 * width >= their number r.
 */
export function initialWeights(init: LearnInit, widths: readonly number[], scale: number, seed: number, modes?: ModeBasis): Mat[] {
  const k = widths.length - 1;
  if (k < 1) throw new SpecError('--depth: a network needs at least one weight layer');
  if (!(scale > 0) || !Number.isFinite(scale)) throw new SpecError(`--init-scale: ${scale} is not a positive number`);
  if (init === 'gaussian') return Array.from({ length: k }, (_, l) => scaled(sampleDenseWeights('gaussian', widths[l + 1], widths[l], seed, l), scale));
  if (init === 'pretrained') {
    if (!modes?.sigma11) throw new Error('initialWeights: the pretrained init needs the task\'s Sigma_11');
    return pretrainedWeights(widths, modes.sigma11, seed);
  }
  if (init === 'orthogonal') {
    const g = scale ** (1 / k);
    return Array.from({ length: k }, (_, l) => scaled(sampleDenseWeights('orthogonal', widths[l + 1], widths[l], seed, l), g));
  }
  if (!modes) throw new Error('initialWeights: the balanced init needs the task modes');
  const r = modes.U.cols;
  const hidden = widths.slice(1, -1);
  if (hidden.some((n) => n < r)) throw new SpecError(`--init balanced: every hidden width must hold the task's ${r} modes (widths ${widths.join(', ')})`);
  if (modes.V.rows !== widths[0] || modes.U.rows !== widths[k]) throw new Error('initialWeights: the task modes do not fit the widths');
  const d = scale ** (1 / k);
  const R = hidden.map((n, i) => haarColumns(n, r, seed, 1000 + i));
  const left = (l: number) => (l === k - 1 ? modes.U : R[l]); // N_{l+1} x r
  const right = (l: number) => (l === 0 ? modes.V : R[l - 1]); // N_l x r
  return Array.from({ length: k }, (_, l) => scaled(mulNT(left(l), right(l)), d));
}
