import { describe, expect, it } from 'vitest';
import { runPool } from '../../src/sweep/pool.js';
import type { Job } from '../../src/sweep/jobs.js';

/** runPool with LazyJobs (check builds its jobs while the worker threads start): same results, one build, a count it keeps. */
const job = (seed: number): Job => ({
  kind: 'check',
  input: {
    point: { activation: 'tanh', init: 'orthogonal', biasStd: 0, depth: 3 },
    width: 8,
    seed,
    q0: 1,
    gain: 1,
    guess: 1.1,
    lnM1Tolerance: 0.01,
    maxEvaluations: 5,
    thresholds: { tolM1: Math.LN2, tolSpread: Math.LN2 },
    closestEvaluations: 2,
    probe: null,
  },
});

describe('runPool with jobs built lazily', () => {
  it('gives the results of the same jobs given eagerly, building them once', async () => {
    const eager: unknown[] = [], lazy: unknown[] = [];
    await runPool([job(0), job(1)], 2, (i, r) => (eager[i] = r));
    let builds = 0;
    await runPool({ count: 2, build: () => (builds++, [job(0), job(1)]) }, 2, (i, r) => (lazy[i] = r));
    expect(builds).toBe(1);
    expect(JSON.stringify(lazy)).toBe(JSON.stringify(eager));
  });

  it('rejects a build that does not make the jobs it announced', async () => {
    await expect(runPool({ count: 3, build: () => [job(0)] }, 2, () => {})).rejects.toThrow('runPool: 1 jobs built, 3 announced');
  });
});
