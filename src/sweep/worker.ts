/**
 * worker_threads entry (compiled to dist/src/sweep/worker.js): runs jobs posted by pool.ts, one
 * at a time, and posts back { id, result } or { id, error }.
 */
import { parentPort } from 'node:worker_threads';
import { runJob, type Job } from './jobs.js';

parentPort?.on('message', (msg: { id: number; job: Job }) => {
  try {
    parentPort!.postMessage({ id: msg.id, result: runJob(msg.job) });
  } catch (e) {
    const err = e as Error;
    parentPort!.postMessage({ id: msg.id, error: { name: err.name, message: err.message ?? String(e), stack: err.stack } });
  }
});
