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

describe('runPool on threads, this one taking jobs too', () => {
  // worker threads run the compiled entry (dist/src/sweep/worker.js, built by npm test first): the
  // pool is taken from dist too, since from the TS sources it runs everything in this thread
  const dist = async () => (await import('../../dist/src/sweep/pool.js')) as typeof import('../../src/sweep/pool.js');

  it('gives the in-thread results, whatever the number of threads and jobs', async () => {
    const { runPool: pool, threadsAvailable } = await dist();
    expect(threadsAvailable()).toBe(true);
    const jobs = [0, 1, 2, 3, 4].map(job);
    const want: unknown[] = [];
    await pool(jobs, 1, (i, r) => (want[i] = r));
    for (const workers of [2, 3]) {
      const got: unknown[] = [];
      const seen: number[] = [];
      await pool(jobs, workers, (i, r) => ((got[i] = r), seen.push(i)));
      expect(seen.sort()).toEqual([0, 1, 2, 3, 4]);
      expect(JSON.stringify(got)).toBe(JSON.stringify(want));
    }
  }, 60_000);

  it('rejects when a job fails, in this thread or in a worker', async () => {
    const { runPool: pool } = await dist();
    const failing = (): Job => ({ ...job(0), input: { ...(job(0) as Extract<Job, { kind: 'check' }>).input, width: -1 } });
    // the first job goes to the worker thread, the next to this thread: a failure in either rejects
    await expect(pool([job(0), failing()], 2, () => {})).rejects.toThrow();
    await expect(pool([failing(), job(1)], 2, () => {})).rejects.toThrow();
    await expect(pool([job(0), job(1)], 2, () => { throw new Error('onResult failed'); })).rejects.toThrow('onResult failed');
  }, 60_000);
});
