import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { runMeasureTask, type MeasureTask } from './measure.js';
import type { SampleRecord } from './data.js';

/** The compiled worker next to this module; absent when running from TypeScript sources (vitest). */
function workerEntry(): URL | null {
  const url = new URL('./study-worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : null;
}

/**
 * Run measurement tasks on `workers` threads (in this thread when workers <= 1 or no compiled
 * worker exists). Results depend only on the task, so the caller's sort makes the output identical
 * for any worker count. Rejects on the first failure after stopping every thread.
 */
export async function runTasks(tasks: MeasureTask[], workers: number, onDone: (t: MeasureTask, r: SampleRecord[]) => void): Promise<void> {
  const entry = workerEntry();
  const k = Math.min(workers, tasks.length);
  if (k <= 1 || entry === null) {
    for (const t of tasks) {
      onDone(t, runMeasureTask(t));
      await new Promise((r) => setImmediate(r)); // let the progress bar and signals through
    }
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const threads: Worker[] = [];
    let next = 0;
    let done = 0;
    let failed = false;
    const stop = () => threads.forEach((w) => void w.terminate());
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      stop();
      reject(e);
    };
    const feed = (w: Worker) => {
      if (next < tasks.length) {
        const id = next++;
        w.postMessage({ id, task: tasks[id] });
      }
    };
    for (let i = 0; i < k; i++) {
      const w = new Worker(entry);
      threads.push(w);
      w.on('message', (m: { id: number; result?: SampleRecord[]; error?: string }) => {
        if (failed) return;
        if (m.error !== undefined) return fail(new Error(m.error));
        try {
          onDone(tasks[m.id], m.result!);
        } catch (e) {
          return fail(e);
        }
        if (++done === tasks.length) {
          stop();
          resolve();
        } else feed(w);
      });
      w.on('error', fail);
      feed(w);
    }
  });
}
