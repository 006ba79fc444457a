/**
 * Work to undo when the process ends before it could undo it itself: a lock file to remove, a
 * temporary report folder to delete. Handlers run once, synchronously, on a normal exit
 * (process 'exit') and on SIGINT, SIGTERM and SIGHUP, after which the signal is raised again with
 * the default action, so the parent sees the same death it would have seen without eoc's handler.
 * SIGKILL runs nothing: what it leaves behind is recognised as stale by the next run (a lock whose
 * pid is dead, a `.<name>.tmp-<pid>-<hex>` folder).
 */
const handlers = new Set<() => void>();
let installed = false;

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function runAll(): void {
  for (const h of [...handlers]) {
    handlers.delete(h);
    try {
      h();
    } catch {
      // best effort: one failing cleanup must not stop the others
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  runAll();
  for (const s of SIGNALS) process.removeAllListeners(s);
  process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  for (const s of SIGNALS) process.on(s, onSignal);
}

/** Run `fn` at exit or on a terminating signal unless the returned function is called first (which forgets it without running it). */
export function onCleanup(fn: () => void): () => void {
  install();
  handlers.add(fn);
  return () => {
    handlers.delete(fn);
  };
}
