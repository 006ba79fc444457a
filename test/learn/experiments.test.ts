import { describe, it, expect } from 'vitest';
import { singularTask, hierarchicalTask } from '../../src/learn/tasks.js';
import { modeTrajectory, learningTime, bestRate, gainTime } from '../../src/learn/experiments.js';
import { threeLayerLearningTime, threeLayerUnequalMode } from '../../src/learn/exact.js';
import { trainLinear } from '../../src/learn/train.js';
import { mulNT } from '../../src/learn/init.js';
import type { TrainResult } from '../../src/learn/train.js';

/** eoc learn's experiments (issue 16) against the exact solutions of Saxe et al. 2014. */
describe('simulated learning against the exact solutions', () => {
  const task = singularTask({ inputs: 6, outputs: 6, singularValues: [3, 2, 1], seed: 4 });

  /** the largest |u_sim - u_exact| / s_a over modes and recorded epochs */
  const gap = (lr: number, k: number, epochs: number) => {
    const t = modeTrajectory(task, { init: 'balanced', k, hidden: 6, scale: 0.01, lr, epochs, seed: 1 });
    let worst = 0;
    t.records.forEach((r, i) => r.modes!.forEach((u, a) => (worst = Math.max(worst, Math.abs(u - t.exact![a][i]) / task.modes.s[a]))));
    return { worst, t };
  };

  it('three layers from balanced weights: u_a(t) follows Eq. 12, the gap first order in the rate (halving the rate halves it, 1.7-2.3x)', () => {
    // Euler's global error on the mode ODE is O(rate) at a fixed continuous time t = epochs x rate
    const a = gap(0.004, 2, 1500), b = gap(0.002, 2, 3000), c = gap(0.001, 2, 6000);
    expect(a.worst / b.worst).toBeGreaterThan(1.7);
    expect(a.worst / b.worst).toBeLessThan(2.3);
    expect(b.worst / c.worst).toBeGreaterThan(1.7);
    expect(b.worst / c.worst).toBeLessThan(2.3);
    // measured 0.0055, 0.0028, 0.0014 at rates 0.004, 0.002, 0.001 (tau = 1000 epochs at the last)
    expect(c.worst).toBeLessThan(0.005);
  });

  it('the half-learning time of each mode matches Eq. 11 (to 0.3% at rate 0.001: the discrete time offset is about one epoch of 950-2300)', () => {
    const { t } = gap(0.001, 2, 6000);
    task.modes.s.forEach((s, a) => {
      // the first recorded epoch with u >= s/2, interpolated linearly with the one before
      const i = t.records.findIndex((r) => r.modes![a] >= s / 2);
      const r0 = t.records[i - 1], r1 = t.records[i];
      const half = r0.epoch + ((s / 2 - r0.modes![a]) / (r1.modes![a] - r0.modes![a])) * (r1.epoch - r0.epoch);
      const exact = threeLayerLearningTime(s, 0.01, s / 2, 1000);
      // measured 9.6e-4, 6.1e-4, 2.8e-4 for s = 3, 2, 1 (951.0 against 950.1 epochs, ...)
      expect(Math.abs(half / exact - 1), `mode s = ${s}: ${half} against ${exact}`).toBeLessThan(0.003);
    });
  });

  it('deeper decoupled nets (4 and 6 weight layers) follow Eqs. 15-16, first order in the rate', () => {
    for (const k of [4, 6]) {
      const a = gap(0.002, k, 4000), b = gap(0.001, k, 8000);
      expect(a.worst / b.worst, `k = ${k}`).toBeGreaterThan(1.6);
      expect(a.worst / b.worst, `k = ${k}`).toBeLessThan(2.4);
      // measured 0.0057 (k = 4) and 0.0106 (k = 6) at rate 0.001
      expect(b.worst, `k = ${k}`).toBeLessThan(0.02);
    }
  });

  it('unequal layers (a0 != b0 per mode, a^2 - b^2 conserved): three-layer descent follows the unequal solution, first order in the rate', () => {
    // W_1 = diag(a0) V^T, W_2 = U diag(b0): decoupled but unequal, mode a's strengths (a0[a], b0[a])
    const a0 = [0.3, 0.05, 0.02], b0 = [0.01, 0.2, -0.1];
    const run = (lr: number, epochs: number) => {
      const r = task.modes.s.length;
      const { U, V } = task.modes;
      const scaleCols = (m: typeof U, d: number[]) => ({ ...m, data: m.data.map((v, i) => v * d[i % r]) });
      const id = { rows: r, cols: r, data: Float64Array.from({ length: r * r }, (_, i) => (i % (r + 1) === 0 ? 1 : 0)) };
      const w1 = mulNT(scaleCols(id, a0), V); // r x N_0: diag(a0) V^T
      const w2 = scaleCols(U, b0); // N_out x r: U diag(b0)
      const res = trainLinear(task, [w1, w2], { lr, maxEpochs: epochs, recordsPerDecade: 0, every: Math.round(epochs / 50) });
      let worst = 0;
      for (const rec of res.records) task.modes.s.forEach((s, a) => (worst = Math.max(worst, Math.abs(rec.modes![a] - threeLayerUnequalMode(s, a0[a], b0[a], rec.epoch, 1 / lr).u) / s)));
      return worst;
    };
    const coarse = run(0.004, 2000), fine = run(0.002, 4000);
    expect(coarse / fine).toBeGreaterThan(1.7);
    expect(coarse / fine).toBeLessThan(2.3);
    // measured 0.0042 (rate 0.004) and 0.0021 (rate 0.002)
    expect(fine).toBeLessThan(0.006);
  });

  it('no exact curve for coupled (Gaussian) initial conditions', () => {
    expect(modeTrajectory(task, { init: 'gaussian', k: 2, hidden: 6, scale: 0.01, lr: 0.01, epochs: 10, seed: 1 }).exact).toBeNull();
  });
});

describe('learning time at the best rate', () => {
  const task = hierarchicalTask({ levels: 3, flipProbability: 0.1, features: 10, seed: 0 });
  const grid = { lrMax: 2, steps: 30, maxEpochs: 5000, threshold: 0.01 };

  it('is reproducible by seed (identical searches) and differs between seeds', () => {
    const a = learningTime(task, { init: 'orthogonal', k: 4, hidden: 6, scale: 1, seeds: [3, 4], grid });
    const b = learningTime(task, { init: 'orthogonal', k: 4, hidden: 6, scale: 1, seeds: [3, 4], grid });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.reached).toBe(2);
    expect(JSON.stringify(a.searches[0])).not.toBe(JSON.stringify(a.searches[1]));
  });

  it('the rate search: diverging rates are skipped, the best is kept, it stops after two slower rates', () => {
    // a synthetic run: diverges above 0.5, else reaches the threshold in 10/lr epochs (+ 200 at the edge)
    const run = (lr: number): TrainResult => ({ records: [], epochs: 0, reached: lr > 0.5 ? null : Math.round(10 / lr + (lr > 0.3 ? 200 : 0)), diverged: lr > 0.5, finalLoss: 0, weights: [] });
    const r = bestRate(run, { lrMax: 2, steps: 20, maxEpochs: 1e6, threshold: 0.01 });
    expect(r.tried.map((t) => Number(t.lr.toPrecision(3)))).toEqual([2, 1.41, 1, 0.707, 0.5, 0.354, 0.25, 0.177, 0.125]);
    expect(r.lr).toBeCloseTo(0.25, 12);
    expect(r.epochs).toBe(40);
  });

  it('a tanh net near its edge of chaos learns; far below it, it does not within the budget (9 layers, orthogonal)', () => {
    // eoc learn's default task; eoc check puts the m1 = 1 gain of 8 > 8:tanh x 8 > 30 at 1.36 +- 0.10
    const t = hierarchicalTask({ levels: 4, flipProbability: 0.1, features: 30, seed: 0 });
    const o = { init: 'orthogonal' as const, k: 9, hidden: 8, activation: 'tanh', seeds: [0], grid: { ...grid, maxEpochs: 3000 } };
    const near = gainTime(t, { ...o, gain: 1.4 });
    expect(near.reached).toBe(1);
    expect(near.epochs.mean).toBeLessThan(1000);
    expect(gainTime(t, { ...o, gain: 0.7 }).reached).toBe(0);
  });
});
