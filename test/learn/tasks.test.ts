import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { singularTask, hierarchicalTask, hierarchicalItems, npyTask, modeStrengths, taskLoss, type LearnTask } from '../../src/learn/tasks.js';
import type { Mat } from '../../src/linalg/matrix.js';
import { SpecError } from '../../src/spec/errors.js';
import { rng } from '../support/rng.js';

/**
 * The learning tasks of `eoc learn` (src/learn/tasks.ts). Known answers first: the singular task's
 * Sigma_31 is the chosen map exactly (its singular values, its modes, the loss formula); the
 * hierarchical task with flip probability 0 is rank one with s = sqrt(F); tr Sigma_33 = sum s^2 = F
 * for every flip probability (entries +-1). Then statistics of the diffusion with stated standard
 * errors (fixed seeds): the sibling disagreement rate 2p(1-p) and the item covariance
 * (1 - 2p)^dist projected on the tree's Haar functions, which are the modes grouped by tree level.
 */

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
const identity = (n: number): Float64Array => {
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) d[i * n + i] = 1;
  return d;
};
const zerosMat = (rows: number, cols: number): Mat => ({ rows, cols, data: new Float64Array(rows * cols) });
/** A^T B for A (m x p), B (m x n) */
const tn = (a: Mat, b: Mat): Mat => {
  const out = new Float64Array(a.cols * b.cols);
  for (let r = 0; r < a.rows; r++) for (let i = 0; i < a.cols; i++) for (let j = 0; j < b.cols; j++) out[i * b.cols + j] += a.data[r * a.cols + i] * b.data[r * b.cols + j];
  return { rows: a.cols, cols: b.cols, data: out };
};
/** (1/2P) ||Y - W X||_F^2 directly */
const directLoss = (task: LearnTask, w: Mat): number => {
  const { X, Y } = task;
  const P = X.cols;
  let sum = 0;
  for (let i = 0; i < Y.rows; i++) {
    for (let mu = 0; mu < P; mu++) {
      let wx = 0;
      for (let k = 0; k < X.rows; k++) wx += w.data[i * w.cols + k] * X.data[k * P + mu];
      const e = Y.data[i * P + mu] - wx;
      sum += e * e;
    }
  }
  return sum / (2 * P);
};
const specMessage = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    return (e as Error).message;
  }
  throw new Error('expected a SpecError');
};

describe('singularTask', () => {
  const s = [3, 2, 1, 0.5];

  it('Sigma_11 = I (1e-14), Sigma_31 has exactly the chosen singular values (1e-12), modes in order', () => {
    for (const [inputs, outputs] of [[8, 8], [6, 10], [12, 5]]) {
      const t = singularTask({ inputs, outputs, singularValues: s, seed: 7 });
      expect(t.kind).toBe('singular');
      expect(t.X.rows).toBe(inputs);
      expect(t.X.cols).toBe(inputs); // P = N_0
      expect(t.Y.rows).toBe(outputs);
      expect(maxAbs(t.sigma11.data, identity(inputs))).toBeLessThan(1e-14);
      expect(t.whitened).toBe(true);
      expect(t.modes.s.length).toBe(4);
      expect(maxAbs(t.modes.s, s)).toBeLessThan(1e-12);
      // U, V orthonormal columns; U S V^T reproduces Sigma_31
      const { U, V } = t.modes;
      expect(maxAbs(tn(U, U).data, identity(4))).toBeLessThan(1e-12);
      expect(maxAbs(tn(V, V).data, identity(4))).toBeLessThan(1e-12);
      const rebuilt = new Float64Array(outputs * inputs);
      for (let i = 0; i < outputs; i++) for (let j = 0; j < inputs; j++) for (let a = 0; a < 4; a++) rebuilt[i * inputs + j] += U.data[i * 4 + a] * s[a] * V.data[j * 4 + a];
      expect(maxAbs(rebuilt, t.sigma31.data)).toBeLessThan(1e-12);
      // the sign convention: each U column's largest-magnitude entry positive
      for (let a = 0; a < 4; a++) {
        let best = 0;
        for (let i = 0; i < outputs; i++) if (Math.abs(U.data[i * 4 + a]) > Math.abs(best)) best = U.data[i * 4 + a];
        expect(best).toBeGreaterThan(0);
      }
      // tr Sigma_33 = ||A||_F^2 = sum s^2
      expect(Math.abs(t.traceSigma33 - (9 + 4 + 1 + 0.25))).toBeLessThan(1e-12);
      expect(t.description).toBe(`singular: N0 = ${inputs}, N_out = ${outputs}, s = 3, 2, 1, 0.5`);
    }
  });

  it('modeStrengths: of W_tot = Sigma_31 is s (1e-12), of 0 is 0; of U_b V_b^T is e_b', () => {
    const t = singularTask({ inputs: 8, outputs: 8, singularValues: s, seed: 3 });
    expect(maxAbs(modeStrengths(t, t.sigma31), s)).toBeLessThan(1e-12);
    expect(Array.from(modeStrengths(t, zerosMat(8, 8)))).toEqual([0, 0, 0, 0]);
    const { U, V } = t.modes;
    const w = zerosMat(8, 8);
    for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) w.data[i * 8 + j] = U.data[i * 4 + 2] * V.data[j * 4 + 2];
    expect(maxAbs(modeStrengths(t, w), [0, 0, 1, 0])).toBeLessThan(1e-14);
  });

  it('taskLoss: the correlation formula equals (1/2P)||Y - W X||^2 on random W (1e-12 relative); 0 at W = Sigma_31 for a full-rank square target', () => {
    const full = singularTask({ inputs: 4, outputs: 4, singularValues: s, seed: 11 });
    // (1/2)(tr Sigma_33 - sum s^2) = 0
    expect(Math.abs(taskLoss(full, full.sigma31))).toBeLessThan(1e-13);
    expect(Math.abs(taskLoss(full, zerosMat(4, 4)) - 0.5 * 14.25)).toBeLessThan(1e-13);
    for (const t of [full, singularTask({ inputs: 9, outputs: 5, singularValues: [2, 1], seed: 2 }), hierarchicalTask({ levels: 4, flipProbability: 0.2, features: 12, seed: 5 })]) {
      const r = rng(99);
      for (let trial = 0; trial < 5; trial++) {
        const w = zerosMat(t.Y.rows, t.X.rows);
        for (let k = 0; k < w.data.length; k++) w.data[k] = 4 * r();
        const direct = directLoss(t, w);
        expect(Math.abs(taskLoss(t, w) - direct) / direct).toBeLessThan(1e-12);
      }
      // at the optimum of a whitened task, W = Sigma_31: (1/2)(tr Sigma_33 - sum s^2) >= 0
      const sum2 = t.modes.s.reduce((a, b) => a + b * b, 0);
      expect(Math.abs(taskLoss(t, t.sigma31) - 0.5 * (t.traceSigma33 - sum2))).toBeLessThan(1e-12);
    }
  });

  it('reproducible by seed (byte-identical), different seeds differ; singular values need not be sorted', () => {
    const a = singularTask({ inputs: 6, outputs: 7, singularValues: s, seed: 5 });
    const b = singularTask({ inputs: 6, outputs: 7, singularValues: s, seed: 5 });
    const c = singularTask({ inputs: 6, outputs: 7, singularValues: s, seed: 6 });
    expect(Buffer.from(a.Y.data.buffer).equals(Buffer.from(b.Y.data.buffer))).toBe(true);
    expect(Buffer.from(a.modes.U.data.buffer).equals(Buffer.from(b.modes.U.data.buffer))).toBe(true);
    expect(maxAbs(a.Y.data, c.Y.data)).toBeGreaterThan(0.1);
    const unsorted = singularTask({ inputs: 6, outputs: 6, singularValues: [1, 3, 2], seed: 5 });
    expect(maxAbs(unsorted.modes.s, [3, 2, 1])).toBeLessThan(1e-12);
    expect(a.params).toEqual({ inputs: 6, outputs: 7, singularValues: s, seed: 5 });
  });

  it('options are validated with SpecErrors naming the option', () => {
    expect(specMessage(() => singularTask({ inputs: 3, outputs: 8, singularValues: s, seed: 1 }))).toMatch(/^--singular-values: 4 values.*at most min\(3, 8\) = 3$/);
    expect(specMessage(() => singularTask({ inputs: 0, outputs: 8, singularValues: [1], seed: 1 }))).toMatch(/^--in-dim: /);
    expect(specMessage(() => singularTask({ inputs: 2.5, outputs: 8, singularValues: [1], seed: 1 }))).toMatch(/^--in-dim: /);
    expect(specMessage(() => singularTask({ inputs: 4, outputs: -1, singularValues: [1], seed: 1 }))).toMatch(/^--out-dim: /);
    expect(specMessage(() => singularTask({ inputs: 4, outputs: 4, singularValues: [], seed: 1 }))).toMatch(/^--singular-values: /);
    expect(specMessage(() => singularTask({ inputs: 4, outputs: 4, singularValues: [1, 0], seed: 1 }))).toMatch(/^--singular-values: value 2 \(0\)/);
    expect(specMessage(() => singularTask({ inputs: 4, outputs: 4, singularValues: [NaN], seed: 1 }))).toMatch(/^--singular-values: /);
    expect(specMessage(() => singularTask({ inputs: 4, outputs: 4, singularValues: [1], seed: -1 }))).toMatch(/^--seed: /);
  });
});

describe('hierarchicalTask', () => {
  /** depth (0 = root) of the lowest common ancestor of leaves a, b of a tree with D branchings */
  const lcaDepth = (a: number, b: number, D: number): number => {
    let d = D;
    while (a !== b) { a >>= 1; b >>= 1; d--; }
    return d;
  };
  /** the tree's Haar functions (normalized): the uniform vector, then for depth m = 0..D-1 and node j: +1 on its left subtree, -1 on its right */
  const haarFunctions = (D: number): { depth: number; h: Float64Array }[] => {
    const P = 2 ** D;
    const out = [{ depth: -1, h: new Float64Array(P).fill(1 / Math.sqrt(P)) }];
    for (let m = 0; m < D; m++) {
      const half = 2 ** (D - m - 1);
      for (let j = 0; j < 2 ** m; j++) {
        const h = new Float64Array(P);
        for (let k = 0; k < half; k++) { h[j * 2 * half + k] = 1 / Math.sqrt(2 * half); h[j * 2 * half + half + k] = -1 / Math.sqrt(2 * half); }
        out.push({ depth: m, h });
      }
    }
    return out;
  };
  /** closed-form eigenvalues of K = (1-2p)^dist: uniform (depth -1) and the depth-m Haar functions */
  const kEigenvalue = (depth: number, D: number, p: number): number => {
    const q2 = (1 - 2 * p) ** 2;
    let lam = 1;
    for (let k = depth + 1; k <= D - 1; k++) lam += 2 ** (D - k - 1) * q2 ** (D - k);
    if (depth >= 0) lam -= 2 ** (D - depth - 1) * q2 ** (D - depth);
    return lam;
  };

  it('5 levels: 16 items (2^(levels-1) leaves), one-hot inputs with Sigma_11 = I, entries +-1, tr Sigma_33 = sum s^2 = F', () => {
    expect(hierarchicalItems(5)).toBe(16);
    const t = hierarchicalTask({ levels: 5, flipProbability: 0.1, features: 100, seed: 1 });
    expect(t.X.rows).toBe(16);
    expect(t.X.cols).toBe(16);
    expect(t.Y.rows).toBe(100);
    expect(t.Y.cols).toBe(16);
    expect(maxAbs(t.sigma11.data, identity(16))).toBeLessThan(1e-14);
    expect(t.whitened).toBe(true);
    expect(t.Y.data.every((v) => v === 1 || v === -1)).toBe(true);
    expect(t.traceSigma33).toBe(100);
    const sum2 = t.modes.s.reduce((a, b) => a + b * b, 0);
    expect(Math.abs(sum2 - 100) / 100).toBeLessThan(1e-12);
    // Sigma_31 = Y / sqrt(P)
    expect(maxAbs(t.sigma31.data, t.Y.data.map((v) => v / 4))).toBeLessThan(1e-15);
    expect(t.description).toBe('hierarchical: 5 levels, 16 items, 100 features, flip probability 0.1');
    expect(t.params).toEqual({ levels: 5, flipProbability: 0.1, features: 100, seed: 1, items: 16 });
  });

  it('flip probability 0: every feature constant over the items, rank one, s = sqrt(F), V uniform (1e-12)', () => {
    for (const [levels, features] of [[5, 30], [3, 7], [8, 50]]) {
      const t = hierarchicalTask({ levels, flipProbability: 0, features, seed: 4 });
      const P = hierarchicalItems(levels);
      for (let f = 0; f < features; f++) {
        const row = t.Y.data.subarray(f * P, (f + 1) * P);
        expect(row.every((v) => v === row[0])).toBe(true);
      }
      expect(t.modes.s.length).toBe(1);
      expect(Math.abs(t.modes.s[0] - Math.sqrt(features))).toBeLessThan(1e-12 * Math.sqrt(features));
      expect(maxAbs(t.modes.V.data, new Float64Array(P).fill(1 / Math.sqrt(P)))).toBeLessThan(1e-12);
      // U = c / sqrt(F), c the features' root values; the first entry made positive (all tie in magnitude)
      const c0 = t.Y.data[0];
      for (let f = 0; f < features; f++) expect(Math.abs(t.modes.U.data[f] - c0 * t.Y.data[f * P] / Math.sqrt(features))).toBeLessThan(1e-12);
      expect(t.modes.U.data[0]).toBeGreaterThan(0);
      expect(Math.abs(modeStrengths(t, t.sigma31)[0] - Math.sqrt(features))).toBeLessThan(1e-12 * Math.sqrt(features));
    }
  });

  it('the item covariance (1-2p)^dist has the tree\'s Haar functions as eigenvectors, eigenvalues grouped by level (closed form, 1e-12)', () => {
    for (const [D, p] of [[4, 0.1], [3, 0.25], [6, 0.05]]) {
      const P = 2 ** D;
      const K = new Float64Array(P * P);
      for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) K[a * P + b] = (1 - 2 * p) ** (2 * (D - lcaDepth(a, b, D)));
      for (const { depth, h } of haarFunctions(D)) {
        const lam = kEigenvalue(depth, D, p);
        const Kh = new Float64Array(P);
        for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) Kh[a] += K[a * P + b] * h[b];
        expect(maxAbs(Kh, h.map((v) => lam * v))).toBeLessThan(1e-12);
      }
    }
    // 5 levels, p = 0.1 (q^2 = 0.64): 4.850 (uniform), 2.166, 1.411 (x2), 0.821 (x4), 0.360 (x8)
    expect([-1, 0, 1, 2, 3].map((m) => +kEigenvalue(m, 4, 0.1).toFixed(3))).toEqual([4.85, 2.166, 1.411, 0.821, 0.36]);
  });

  it('statistics (5 levels, p = 0.1, F = 10000, seed 1): sibling disagreement 2p(1-p) and the Haar projections E||Sigma_31 h||^2 = F lambda_h / P within 4 standard errors', () => {
    const levels = 5;
    const D = levels - 1;
    const p = 0.1;
    const F = 10000;
    const t = hierarchicalTask({ levels, flipProbability: p, features: F, seed: 1 });
    const P = 16;
    // siblings (leaves 2j, 2j+1) differ with probability 1 - P(both child edges agree or both flip) = 2p(1-p); independent over pairs and features
    let differ = 0;
    for (let f = 0; f < F; f++) for (let j = 0; j < P / 2; j++) if (t.Y.data[f * P + 2 * j] !== t.Y.data[f * P + 2 * j + 1]) differ++;
    const n = F * P / 2;
    const rate = differ / n;
    const expected = 2 * p * (1 - p);
    const se = Math.sqrt(expected * (1 - expected) / n);
    console.log(`sibling disagreement ${rate.toFixed(5)} vs ${expected} (se ${se.toExponential(2)}, z = ${((rate - expected) / se).toFixed(2)})`);
    expect(Math.abs(rate - expected)).toBeLessThan(4 * se);
    // z_f = (y_f . h)^2 has mean h^T K h = lambda_h; ||Sigma_31 h||^2 = sum_f z_f / P
    const zs: string[] = [];
    for (const { depth, h } of haarFunctions(D)) {
      let sum = 0;
      let sum2 = 0;
      for (let f = 0; f < F; f++) {
        let dot = 0;
        for (let mu = 0; mu < P; mu++) dot += t.Y.data[f * P + mu] * h[mu];
        sum += dot * dot;
        sum2 += dot ** 4;
      }
      const mean = sum / F;
      const seMean = Math.sqrt((sum2 / F - mean * mean) / (F - 1));
      const lam = kEigenvalue(depth, D, p);
      zs.push(((mean - lam) / seMean).toFixed(2));
      expect(Math.abs(mean - lam)).toBeLessThan(4 * seMean);
    }
    console.log(`Haar projections z-scores: ${zs.join(' ')}`);
    // the singular values group by tree level: eig(Y^T Y / F) = s^2 P / F near 4.850, 2.166, 1.411 x2, 0.821 x4, 0.360 x8
    // (tolerance 0.12: ~1.5x the random-matrix scale 2 sqrt(P) max_ij se(G_ij) = 2 * 4 * 0.01 = 0.08)
    const lamHat = Array.from(t.modes.s, (x) => (x * x * P) / F);
    const lam = [-1, 0, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3].map((m) => kEigenvalue(m, D, p));
    console.log(`s^2 P / F: ${lamHat.map((x) => x.toFixed(3)).join(' ')}; max deviation from K's ${maxAbs(lamHat, lam).toFixed(4)}`);
    expect(lamHat.length).toBe(16);
    expect(maxAbs(lamHat, lam)).toBeLessThan(0.12);
    // top singular value s_1 = sqrt(F lambda_uniform / P) within 2%
    expect(Math.abs(t.modes.s[0] / Math.sqrt((F * lam[0]) / P) - 1)).toBeLessThan(0.02);
  });

  it('reproducible by seed (byte-identical), different seeds differ, feature f the same whatever F', () => {
    const a = hierarchicalTask({ levels: 6, flipProbability: 0.1, features: 40, seed: 9 });
    const b = hierarchicalTask({ levels: 6, flipProbability: 0.1, features: 40, seed: 9 });
    const c = hierarchicalTask({ levels: 6, flipProbability: 0.1, features: 40, seed: 10 });
    const more = hierarchicalTask({ levels: 6, flipProbability: 0.1, features: 80, seed: 9 });
    expect(Buffer.from(a.Y.data.buffer).equals(Buffer.from(b.Y.data.buffer))).toBe(true);
    expect(Buffer.from(a.modes.s.buffer).equals(Buffer.from(b.modes.s.buffer))).toBe(true);
    let diff = 0;
    for (let k = 0; k < a.Y.data.length; k++) if (a.Y.data[k] !== c.Y.data[k]) diff++;
    expect(diff).toBeGreaterThan(100);
    expect(Array.from(more.Y.data.subarray(0, 40 * 32))).toEqual(Array.from(a.Y.data));
  });

  it('p = 0.5: leaves independent fair coins (mean and sibling agreement within 4 se)', () => {
    const F = 2000;
    const t = hierarchicalTask({ levels: 6, flipProbability: 0.5, features: F, seed: 2 });
    const n = t.Y.data.length;
    const mean = t.Y.data.reduce((x, y) => x + y, 0) / n;
    // at p = 0.5 every edge's flip is a fair coin independent of its parent's value: the leaves are
    // i.i.d. +-1, mean 0 with se 1/sqrt(n)
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(n));
    // siblings differ with probability 2p(1-p) = 1/2
    const P = 32;
    let differ = 0;
    for (let f = 0; f < F; f++) for (let j = 0; j < P / 2; j++) if (t.Y.data[f * P + 2 * j] !== t.Y.data[f * P + 2 * j + 1]) differ++;
    const pairs = F * P / 2;
    expect(Math.abs(differ / pairs - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / pairs));
  });

  it('options are validated with SpecErrors naming the option', () => {
    expect(specMessage(() => hierarchicalTask({ levels: 1, flipProbability: 0.1, features: 10, seed: 1 }))).toMatch(/^--levels: 1 is not an integer in 2\.\.10$/);
    expect(specMessage(() => hierarchicalTask({ levels: 11, flipProbability: 0.1, features: 10, seed: 1 }))).toMatch(/^--levels: /);
    expect(specMessage(() => hierarchicalTask({ levels: 5, flipProbability: 0.6, features: 10, seed: 1 }))).toMatch(/^--flip: 0\.6 is not a probability in \[0, 0\.5\]$/);
    expect(specMessage(() => hierarchicalTask({ levels: 5, flipProbability: -0.1, features: 10, seed: 1 }))).toMatch(/^--flip: /);
    expect(specMessage(() => hierarchicalTask({ levels: 5, flipProbability: NaN, features: 10, seed: 1 }))).toMatch(/^--flip: /);
    expect(specMessage(() => hierarchicalTask({ levels: 5, flipProbability: 0.1, features: 0, seed: 1 }))).toMatch(/^--features: /);
    expect(specMessage(() => hierarchicalTask({ levels: 5, flipProbability: 0.1, features: 10001, seed: 1 }))).toMatch(/^--features: /);
  });
});

describe('npyTask', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eoc-tasks-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** a version 1.0 .npy file of little-endian float64 in C order, header padded to 64 bytes */
  const writeNpy = (name: string, shape: number[], values: number[]): string => {
    let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
    const total = 10 + header.length + 1;
    header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
    const head = Buffer.alloc(10);
    head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    head.writeUInt16LE(header.length, 8);
    const data = Buffer.alloc(8 * values.length);
    values.forEach((v, i) => data.writeDoubleLE(v, 8 * i));
    const path = join(dir, name);
    writeFileSync(path, Buffer.concat([head, Buffer.from(header, 'latin1'), data]));
    expect((10 + header.length) % 64).toBe(0);
    return path;
  };

  it('reads X (P x N_0) and Y (P x N_out), transposes to N x P; Sigmas as defined, exactly', () => {
    // P = 4 examples, N_0 = 3, N_out = 2
    const xRows = [[1, 2, 0], [0, 1, -1], [2, 0, 1], [1, 1, 1]];
    const yRows = [[1, -1], [0.5, 2], [0, 1], [-1, 3]];
    const x = writeNpy('x.npy', [4, 3], xRows.flat());
    const y = writeNpy('y.npy', [4, 2], yRows.flat());
    const t = npyTask(x, y);
    expect(t.kind).toBe('npy');
    expect([t.X.rows, t.X.cols, t.Y.rows, t.Y.cols]).toEqual([3, 4, 2, 4]);
    for (let mu = 0; mu < 4; mu++) {
      for (let i = 0; i < 3; i++) expect(t.X.data[i * 4 + mu]).toBe(xRows[mu][i]);
      for (let i = 0; i < 2; i++) expect(t.Y.data[i * 4 + mu]).toBe(yRows[mu][i]);
    }
    // Sigma_11 = X X^T / P, Sigma_31 = Y X^T / P by hand (sums of small integers and halves: exact)
    const s11 = [[6 / 4, 3 / 4, 3 / 4], [3 / 4, 6 / 4, 0], [3 / 4, 0, 3 / 4]];
    const s31 = [[(1 + 0 + 0 - 1) / 4, (2 + 0.5 + 0 - 1) / 4, (0 - 0.5 + 0 - 1) / 4], [(-1 + 0 + 2 + 3) / 4, (-2 + 2 + 0 + 3) / 4, (0 - 2 + 1 + 3) / 4]];
    expect(Array.from(t.sigma11.data)).toEqual(s11.flat());
    expect(Array.from(t.sigma31.data)).toEqual(s31.flat());
    expect(t.traceSigma33).toBe((1 + 1 + 0.25 + 4 + 0 + 1 + 1 + 9) / 4);
    expect(t.whitened).toBe(false);
    expect(t.description).toMatch(/^npy: X = .*x\.npy \(P = 4, N0 = 3\), Y = .*y\.npy \(N_out = 2\), not whitened/);
    // modes: U S V^T = Sigma_31 (1e-14)
    const { s, U, V } = t.modes;
    const r = s.length;
    expect(r).toBe(2);
    const rebuilt = new Float64Array(6);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let a = 0; a < r; a++) rebuilt[i * 3 + j] += U.data[i * r + a] * s[a] * V.data[j * r + a];
    expect(maxAbs(rebuilt, t.sigma31.data)).toBeLessThan(1e-14);
    // the loss formula against the direct sum, non-whitened inputs
    const w: Mat = { rows: 2, cols: 3, data: Float64Array.from([0.3, -1, 2, 0.7, 0.1, -0.4]) };
    expect(Math.abs(taskLoss(t, w) - directLoss(t, w)) / directLoss(t, w)).toBeLessThan(1e-12);
  });

  it('whitened data: X = sqrt(P) I rows', () => {
    const P = 3;
    const r3 = Math.sqrt(3);
    const x = writeNpy('xw.npy', [P, P], [r3, 0, 0, 0, r3, 0, 0, 0, r3]);
    const y = writeNpy('yw.npy', [P, 1], [1, 2, 3]);
    const t = npyTask(x, y);
    expect(t.whitened).toBe(true);
    expect(t.description).toMatch(/, whitened$/);
  });

  it('bad shapes, a P mismatch, non-finite values: one-line SpecErrors naming the file', () => {
    const x = writeNpy('x4.npy', [4, 3], Array.from({ length: 12 }, (_, i) => i));
    const y5 = writeNpy('y5.npy', [5, 2], Array.from({ length: 10 }, (_, i) => i));
    const oneD = writeNpy('v.npy', [4], [1, 2, 3, 4]);
    const threeD = writeNpy('t.npy', [2, 2, 1], [1, 2, 3, 4]);
    const empty = writeNpy('e.npy', [0, 3], []);
    const nan = writeNpy('nan.npy', [4, 2], [1, 2, 3, NaN, 5, 6, 7, 8]);
    const cases: [() => unknown, string, RegExp][] = [
      [() => npyTask(x, y5), y5, /Y has 5 rows \(examples\) but X \(.*x4\.npy\) has 4/],
      [() => npyTask(oneD, y5), oneD, /X has shape \(4,\); it must be 2-D, \(P, N_0\)/],
      [() => npyTask(x, threeD), threeD, /Y has shape \(2, 2, 1\); it must be 2-D, \(P, N_out\)/],
      [() => npyTask(empty, y5), empty, /no examples \(P = 0\)/],
      [() => npyTask(x, nan), nan, /Y\[1, 1\] is NaN/],
      [() => npyTask(join(dir, 'missing.npy'), y5), join(dir, 'missing.npy'), /cannot read/],
    ];
    for (const [f, file, re] of cases) {
      const msg = specMessage(f);
      expect(msg.startsWith(`${file}: `), msg).toBe(true);
      expect(msg).toMatch(re);
      expect(msg).not.toContain('\n');
    }
  });
});
