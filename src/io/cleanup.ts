/**
 * Work to undo when the process ends before it could undo it itself: a lock file to remove, a
 * temporary report folder to delete. Handlers run once, synchronously, when the process exits
 * (process 'exit': a normal end, an error, process.exit).
 *
 * No SIGINT/SIGTERM handler: Node runs a JavaScript signal handler only when the event loop turns,
 * and eoc computes synchronously for long stretches (rendering a report's figures, a sweep on one
 * worker), so a handler would defer Ctrl-C or a job scheduler's SIGTERM until that work ends (25 s
 * measured on a small report). A signal therefore ends eoc at once, by its default action, like
 * SIGKILL; what it leaves is recognised as stale by the next run: a lock whose pid no longer runs is
 * taken over with a note, a `.<name>.tmp-<pid>-<hex>` folder of a dead pid is deleted.
 */
const handlers = new Set<() => void>();
let installed = false;

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

/** Run `fn` when the process exits unless the returned function is called first (which forgets it without running it). */
export function onCleanup(fn: () => void): () => void {
  if (!installed) {
    installed = true;
    process.on('exit', runAll);
  }
  handlers.add(fn);
  return () => {
    handlers.delete(fn);
  };
}
