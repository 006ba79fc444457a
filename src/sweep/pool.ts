import os from 'node:os';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SpecError } from '../spec/errors.js';
import { runJob, type Job } from './jobs.js';

/** One worker per core unless told otherwise. */
export function defaultWorkers(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/** The compiled worker entry next to this module (dist/src/sweep/worker.js), if there is one. */
function workerEntry(): URL | null {
  const url = new URL('./worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : null;
}

/** Whether `runPool` can use threads here (false when running from TypeScript sources, e.g. vitest). */
export function threadsAvailable(): boolean {
  return workerEntry() !== null;
}

/**
 * Jobs known by number before they are made: `build` runs in this thread after the workers are
 * started, so whatever it computes (check's mean-field guess and advice) overlaps the threads'
 * start-up (module loading, ~0.2-0.3 s each) instead of preceding it. It must return `count` jobs.
 */
export interface LazyJobs {
  count: number;
  build(): readonly Job[];
}

/**
 * Run jobs on `workers` threads, this one included (all in this thread when workers <= 1 or no
 * compiled entry exists), calling onResult as each finishes, in completion order. This thread is one
 * of the workers: it starts workers - 1 threads and takes jobs itself between their results, since
 * each new thread pays its own module loading and JIT warm-up (~0.5 s of CPU for a check seed,
 * measured: check at depth 60, width 256 took 3.1 s wall on one thread and 3.1 s on two new ones).
 * While it runs a job it reports nothing (progress waits; eoc catches no signals, so Ctrl-C is not
 * delayed: src/io/cleanup.ts). Every job's result depends only on the job, so callers that need an
 * order sort by their own key. Rejects on the first failure, after stopping every worker; a
 * SpecError thrown in a worker is re-thrown as a SpecError.
 */
export async function runPool<R>(given: readonly Job[] | LazyJobs, workers: number, onResult: (index: number, result: R) => void): Promise<void> {
  const entry = workerEntry();
  const lazy = !Array.isArray(given);
  const count = lazy ? (given as LazyJobs).count : (given as readonly Job[]).length;
  const k = Math.min(workers, count);
  const built = (): readonly Job[] => {
    const jobs = lazy ? (given as LazyJobs).build() : (given as readonly Job[]);
    if (jobs.length !== count) throw new Error(`runPool: ${jobs.length} jobs built, ${count} announced`);
    return jobs;
  };
  if (k <= 1 || entry === null) {
    const jobs = built();
    for (let i = 0; i < jobs.length; i++) {
      onResult(i, runJob(jobs[i]) as R);
      // let signals, timers and stream writes through between jobs
      await new Promise((r) => setImmediate(r));
    }
    return;
  }
  let jobs: readonly Job[] = [];
  await new Promise<void>((resolve, reject) => {
    const threads: Worker[] = [];
    let next = 0;
    let done = 0;
    let failed = false;
    const stopAll = () => {
      for (const t of threads) void t.terminate();
    };
    const fail = (e: unknown) => {
      failed = true;
      stopAll();
      reject(e);
    };
    const finished = () => {
      done++;
      if (done === jobs.length) {
        stopAll();
        resolve();
        return true;
      }
      return false;
    };
    // this thread's share: one job, then back to the event loop for the threads' results
    const takeOne = () => {
      if (failed || next >= jobs.length) return;
      const id = next++;
      try {
        onResult(id, runJob(jobs[id]) as R);
      } catch (e) {
        fail(e);
        return;
      }
      if (!finished()) setImmediate(takeOne);
    };
    const feed = (w: Worker) => {
      if (next < jobs.length) {
        const id = next++;
        w.postMessage({ id, job: jobs[id] });
      }
    };
    for (let i = 0; i < k - 1; i++) {
      const w = new Worker(entry);
      threads.push(w);
      w.on('message', (msg: { id: number; result?: unknown; error?: { name: string; message: string; stack?: string } }) => {
        if (failed) return;
        if (msg.error) {
          // a user error stays a user error (exit 2); anything else keeps the worker's stack
          let err: Error;
          if (msg.error.name === 'SpecError') err = new SpecError(msg.error.message);
          else {
            err = new Error(msg.error.message);
            if (msg.error.stack) err.stack = msg.error.stack;
          }
          fail(err);
          return;
        }
        try {
          onResult(msg.id, msg.result as R);
        } catch (e) {
          fail(e);
          return;
        }
        if (!finished()) feed(w);
      });
      w.on('error', (e) => {
        if (!failed) fail(e);
      });
    }
    try {
      jobs = built();
    } catch (e) {
      fail(e);
      return;
    }
    for (const w of threads) feed(w);
    takeOne();
  });
}
