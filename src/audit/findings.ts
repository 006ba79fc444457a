import { backend } from '../linalg/select.js';
import { transpose, type Mat } from '../linalg/matrix.js';

/**
 * What `eoc audit` (issue 15) says of one dense layer's weights, from the weights alone:
 *   effectiveGain        std(W) sqrt(fan_in): the g of W_ij ~ N(0, g^2/fan_in), and of g O for a
 *                        square or orthonormal-row O (torch's gain convention)
 *   biasStd              std of the bias (null without one)
 *   orthogonalityDefect  ||G / g_o^2 - I||_F / sqrt(k) for the Gram matrix G of the short side
 *                        (W W^T when W has fewer rows, W^T W otherwise; k the short side) and
 *                        g_o^2 = tr(G)/k: 0 for any scaled (semi-)orthogonal W, about
 *                        sqrt(k / long side) for a Gaussian one (Marchenko-Pastur), scale-free
 *   flags                signs of an uninitialized or broken layer: non-finite entries, an all-zero
 *                        or constant matrix, duplicated rows (exactly equal)
 */
export interface DenseFindings {
  rows: number;
  cols: number;
  effectiveGain: number;
  biasStd: number | null;
  orthogonalityDefect: number;
  flags: DenseFlag[];
}

export type DenseFlag =
  | { kind: 'non-finite'; count: number; nan: number }
  | { kind: 'all-zero' }
  | { kind: 'constant'; value: number }
  | { kind: 'duplicate-rows'; pairs: number; first: [number, number] }
  | { kind: 'non-finite-bias'; count: number };

function std(x: Float64Array): number {
  let m = 0;
  for (const v of x) m += v;
  m /= x.length;
  let s = 0;
  for (const v of x) s += (v - m) ** 2;
  return Math.sqrt(s / x.length);
}

export function denseFindings(w: Mat, bias?: Float64Array): DenseFindings {
  const { rows, cols, data } = w;
  const flags: DenseFlag[] = [];
  let nonFinite = 0, nan = 0;
  for (const v of data) {
    if (!Number.isFinite(v)) {
      nonFinite++;
      if (Number.isNaN(v)) nan++;
    }
  }
  if (nonFinite) flags.push({ kind: 'non-finite', count: nonFinite, nan });
  const finite = nonFinite === 0;
  if (finite && data.every((v) => v === 0)) flags.push({ kind: 'all-zero' });
  else if (finite && data.length > 1 && data.every((v) => v === data[0])) flags.push({ kind: 'constant', value: data[0] });
  // duplicated rows, by an exact hash of each row's bytes
  const seen = new Map<string, number>();
  let pairs = 0;
  let first: [number, number] | null = null;
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 0; i < rows; i++) {
    const key = Buffer.from(bytes.subarray(i * cols * 8, (i + 1) * cols * 8)).toString('base64');
    const j = seen.get(key);
    if (j !== undefined) {
      pairs++;
      first ??= [j, i];
    } else seen.set(key, i);
  }
  if (pairs && !flags.some((f) => f.kind === 'all-zero' || f.kind === 'constant')) flags.push({ kind: 'duplicate-rows', pairs, first: first! });
  if (bias) {
    const bad = bias.filter((v) => !Number.isFinite(v)).length;
    if (bad) flags.push({ kind: 'non-finite-bias', count: bad });
  }
  const effectiveGain = finite ? std(data) * Math.sqrt(cols) : NaN;
  return { rows, cols, effectiveGain, biasStd: bias ? std(bias) : null, orthogonalityDefect: finite ? orthogonalityDefect(w) : NaN, flags };
}

/** ||G / g^2 - I||_F / sqrt(k), G the short side's Gram matrix, g^2 = tr(G)/k (NaN for an all-zero W). */
export function orthogonalityDefect(w: Mat): number {
  const wide = w.rows <= w.cols;
  // G = W W^T (rows x rows) or W^T W (cols x cols), through one gemmNT
  const a: Mat = wide ? w : transpose(w);
  const g = backend().gemmNT(a, a);
  const k = g.rows;
  let tr = 0;
  for (let i = 0; i < k; i++) tr += g.data[i * k + i];
  if (!(tr > 0)) return NaN;
  const s = k / tr;
  let ss = 0;
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) ss += (g.data[i * k + j] * s - (i === j ? 1 : 0)) ** 2;
  return Math.sqrt(ss / k);
}
