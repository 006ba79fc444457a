/** worker_threads entry (dist/src/report/study-worker.js): measures the tasks pool.ts posts. */
import { parentPort } from 'node:worker_threads';
import { runMeasureTask, type MeasureTask } from './measure.js';

parentPort?.on('message', (m: { id: number; task: MeasureTask }) => {
  try {
    // structured clone keeps -Infinity (structural zeros) intact, unlike JSON
    parentPort!.postMessage({ id: m.id, result: runMeasureTask(m.task) });
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: (e as Error).stack ?? String(e) });
  }
});
