import { describe, it, expect } from 'vitest';
import { initialWeights, mul, mulNT, product, pretrainedWeights } from '../../src/learn/init.js';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { recordEpoch, trainLinear, trainNonlinear, type LinearProblem } from '../../src/learn/train.js';
import { modeStrengths, taskLoss } from '../../src/learn/tasks.js';
import { sampleHaar } from '../../src/linalg/haar.js';
import { normalStream } from '../../src/random/streams.js';
import type { Mat } from '../../src/linalg/matrix.js';

/** A whitened problem with X = sqrt(P) I: Sigma_11 = I, Sigma_31 = A = U diag(s) V^T. */
function problem(n: number, s: number[], seed: number): LinearProblem & { X: Mat; Y: Mat } {
  const U = sampleHaar(n, normalStream(seed, 'weights', 500));
  const V = sampleHaar(n, normalStream(seed, 'weights', 501));
  const r = s.length;
  const cols = (m: Mat): Mat => ({ rows: n, cols: r, data: Float64Array.from({ length: n * r }, (_, i) => m.data[Math.floor(i / r) * n + (i % r)]) });
  const Ur = cols(U), Vr = cols(V);
  const US = { ...Ur, data: Ur.data.map((v, i) => v * s[i % r]) };
  const A = mulNT(US, Vr);
  const P = n;
  const X = { rows: n, cols: P, data: new Float64Array(n * P) };
  for (let i = 0; i < n; i++) X.data[i * P + i] = Math.sqrt(P);
  const Y = mul(A, X);
  const sigma11 = { rows: n, cols: n, data: new Float64Array(n * n) };
  for (let i = 0; i < n; i++) sigma11.data[i * n + i] = 1;
  let t33 = 0;
  for (const v of Y.data) t33 += v * v;
  return { sigma11, sigma31: A, traceSigma33: t33 / P, modes: { s: Float64Array.from(s), U: Ur, V: Vr }, X, Y };
}

describe('eoc learn: gradient descent', () => {
  it('the correlation-based linear trainer and the sample-based one (phi = linear) take the same steps (1e-12)', () => {
    const p = problem(6, [3, 2, 1, 0.5], 1);
    const w0 = initialWeights('gaussian', [6, 5, 7, 6], 0.5, 2);
    const a = trainLinear(p, w0, { lr: 0.05, maxEpochs: 40 });
    const b = trainNonlinear(p, w0, 'linear', { lr: 0.05, maxEpochs: 40 });
    for (let l = 0; l < 3; l++) for (let i = 0; i < a.weights[l].data.length; i++) expect(Math.abs(a.weights[l].data[i] - b.weights[l].data[i])).toBeLessThan(1e-12);
    expect(Math.abs(a.finalLoss - b.finalLoss)).toBeLessThan(1e-12);
    expect(taskLoss(p, product(a.weights))).toBeCloseTo(a.finalLoss, 12);
  });

  it('one step of trainNonlinear (tanh) is -lr times the central-difference gradient of its loss (1e-7 relative)', () => {
    const p = problem(5, [2, 1], 3);
    const w0 = initialWeights('orthogonal', [5, 6, 5], 1.2, 4);
    const lr = 1e-3;
    const step = trainNonlinear(p, w0, 'tanh', { lr, maxEpochs: 1 });
    const lossAt = (w: Mat[]) => trainNonlinear(p, w, 'tanh', { lr, maxEpochs: 0 }).finalLoss;
    const h = 1e-6;
    let worst = 0, scale = 0;
    for (let l = 0; l < 2; l++) {
      for (const i of [0, 3, 7, 11]) {
        const plus = w0.map((m) => ({ ...m, data: Float64Array.from(m.data) }));
        const minus = w0.map((m) => ({ ...m, data: Float64Array.from(m.data) }));
        plus[l].data[i] += h;
        minus[l].data[i] -= h;
        const fd = (lossAt(plus) - lossAt(minus)) / (2 * h);
        const g = (w0[l].data[i] - step.weights[l].data[i]) / lr;
        worst = Math.max(worst, Math.abs(fd - g));
        scale = Math.max(scale, Math.abs(g));
      }
    }
    expect(worst / scale).toBeLessThan(1e-7);
  });

  it('inits: orthogonal products are exactly scale times an orthogonal map at t = 0; balanced ones start every mode at scale, decoupled', () => {
    const p = problem(8, [3, 2, 1], 5);
    for (const depth of [2, 5, 20]) {
      const widths = new Array(depth + 1).fill(8);
      const w = product(initialWeights('orthogonal', widths, 0.7, 6));
      const g = mulNT(w, w); // W W^T = 0.49 I
      for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) expect(Math.abs(g.data[i * 8 + j] - (i === j ? 0.49 : 0))).toBeLessThan(1e-13);
      const b = product(initialWeights('balanced', widths, 0.01, 7, p.modes));
      expect(Array.from(modeStrengths(p, b), (u) => Math.abs(u - 0.01) < 1e-15)).toEqual([true, true, true]);
      // W_tot = 0.01 U V^T exactly: nothing outside the modes
      const uv = mulNT(p.modes.U, p.modes.V);
      for (let i = 0; i < 64; i++) expect(Math.abs(b.data[i] - 0.01 * uv.data[i])).toBeLessThan(1e-15);
    }
    expect(() => initialWeights('balanced', [8, 2, 8], 0.1, 1, p.modes)).toThrow(/hidden width must hold the task's 3 modes/);
  });

  it('the threshold stops training at the first epoch it is met; divergence is detected', () => {
    const p = problem(4, [2, 1], 8);
    const w0 = initialWeights('orthogonal', [4, 4, 4], 0.5, 9);
    const th = { fraction: 0.01, optimum: 0.5 * (p.traceSigma33 - 5), zeroLoss: 0.5 * p.traceSigma33 };
    const r = trainLinear(p, w0, { lr: 0.1, maxEpochs: 10000, threshold: th });
    expect(r.reached).not.toBeNull();
    expect(r.records[r.records.length - 1].epoch).toBe(r.reached);
    const before = trainLinear(p, w0, { lr: 0.1, maxEpochs: r.reached! - 1 });
    expect(before.finalLoss - th.optimum).toBeGreaterThan(th.fraction * (th.zeroLoss - th.optimum));
    expect(trainLinear(p, w0, { lr: 5, maxEpochs: 1000 }).diverged).toBe(true);
    // 5 per decade: after epoch 10, one at each step of floor(5 log10 t): 16, 26, 40, ...
    expect([0, 5, 10, 11, 15, 16, 25, 26].map((t) => recordEpoch(t, 5))).toEqual([true, true, true, false, false, true, false, true]);
  });

  it("pretraining: each autoencoder's encoder spans its input's principal subspace (non-white Sigma_11 with distinct eigenvalues; to 1e-6)", () => {
    const n = 6;
    const Q = sampleHaar(n, normalStream(3, 'weights', 900));
    const lam = [4, 3, 2, 1, 0.5, 0.25];
    const ql = { ...Q, data: Q.data.map((v, i) => v * lam[i % n]) };
    const sigma11 = mulNT(ql, Q); // Q diag(lam) Q^T
    const w = pretrainedWeights([6, 3, 2, 4], sigma11, 5);
    expect(w.map((m) => `${m.rows}x${m.cols}`)).toEqual(['3x6', '2x3', '4x2']);
    // W_1's rows lie in the span of Q's first 3 columns: W_1 Q[:, 3:] = 0 relative to |W_1|
    const wq = mul(w[0], Q);
    let off = 0, all = 0;
    for (let i = 0; i < 3; i++) for (let j = 0; j < n; j++) {
      const v = wq.data[i * n + j] ** 2;
      all += v;
      if (j >= 3) off += v;
    }
    expect(Math.sqrt(off / all)).toBeLessThan(1e-6);
    // the second autoencoder: W_2's rows on the top-2 eigenvectors of C_1 = W_1 Sigma_11 W_1^T
    const c1 = mulNT(mul(w[0], sigma11), w[0]);
    const eig = new EigenvalueDecomposition(new Matrix([0, 1, 2].map((i) => Array.from(c1.data.subarray(3 * i, 3 * i + 3)))));
    const order = eig.realEigenvalues.map((v, i) => [v, i]).sort((a, b) => a[0] - b[0]);
    const bottom = eig.eigenvectorMatrix.getColumn(order[0][1]); // C_1's least eigenvector
    const wb = mul(w[1], { rows: 3, cols: 1, data: Float64Array.from(bottom) });
    expect(Math.hypot(...wb.data) / Math.hypot(...w[1].data)).toBeLessThan(1e-6);
    expect(JSON.stringify(pretrainedWeights([6, 3, 2, 4], sigma11, 5))).toBe(JSON.stringify(w));
  });
});
