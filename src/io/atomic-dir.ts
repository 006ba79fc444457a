import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { onCleanup } from './cleanup.js';
import { fsyncDir } from './json.js';
import { pidAlive } from './lock.js';

/**
 * Replace a whole folder so that readers (and a kill) see the old folder or the new one, never a
 * mix. The new content is written into `.<name>.tmp-<pid>-<hex>` beside the target (same parent,
 * so the renames stay on one file system); then the old folder is renamed away to
 * `.<name>.old-<pid>-<hex>`, the new one renamed to `<name>`, and the old one deleted. On any
 * failure the temporary folder is deleted and the old folder is untouched; a signal or a kill
 * leaves it behind, and the next replacement deletes it.
 *
 * Between the two renames (a few microseconds) `<name>` does not exist; a SIGKILL exactly there
 * leaves the complete old folder as `.<name>.old-...`, which the next replacement (or
 * recoverFolder) renames back. Leftover temporary and old folders of dead processes are removed by
 * the next replacement; their dotted names keep them out of every listing of reports.
 *
 * The caller should hold the folder's lock (see lock.ts): two concurrent replacements would each be
 * complete, but one would silently win.
 */

const LEFTOVER = (name: string) => new RegExp(`^\\.${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(tmp|old)-(\\d+)-([0-9a-f]{8})$`);

interface Leftover {
  path: string;
  kind: 'tmp' | 'old';
  pid: number;
  mtimeMs: number;
}

/** Temporary and old folders of `target` left by processes that no longer run. */
function leftovers(target: string): Leftover[] {
  const parent = dirname(target);
  const re = LEFTOVER(basename(target));
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  const out: Leftover[] = [];
  for (const n of names) {
    const m = re.exec(n);
    if (!m) continue;
    const pid = Number(m[2]);
    if (pid === process.pid || pidAlive(pid)) continue;
    try {
      out.push({ path: join(parent, n), kind: m[1] as 'tmp' | 'old', pid, mtimeMs: statSync(join(parent, n)).mtimeMs });
    } catch {
      // removed meanwhile
    }
  }
  return out;
}

/**
 * Finish what a killed replacement left: if `target` is missing and a dead process's complete old
 * folder is there (killed between the two renames), rename it back; delete the other leftovers.
 * Returns true when it restored the old folder.
 */
export function recoverFolder(target: string): boolean {
  const abs = resolve(target);
  const left = leftovers(abs);
  let restored = false;
  if (!existsSync(abs)) {
    const old = left.filter((l) => l.kind === 'old').sort((a, b) => b.mtimeMs - a.mtimeMs)[0];
    if (old) {
      renameSync(old.path, abs);
      restored = true;
    }
  }
  for (const l of left) if (existsSync(l.path)) rmSync(l.path, { recursive: true, force: true });
  return restored;
}

/**
 * Build a folder's new content with `fill(tmpDir)` and swap it in for `target` (created if absent).
 * `target` must not be an existing file (check first: the message is the caller's).
 */
export async function replaceFolder<T>(target: string, fill: (tmpDir: string) => Promise<T> | T): Promise<T> {
  const abs = resolve(target);
  const parent = dirname(abs);
  const name = basename(abs);
  mkdirSync(parent, { recursive: true });
  recoverFolder(abs);
  const tag = () => `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = join(parent, `.${name}.tmp-${tag()}`);
  const forget = onCleanup(() => rmSync(tmp, { recursive: true, force: true }));
  try {
    mkdirSync(tmp);
    const result = await fill(tmp);
    fsyncDir(tmp);
    if (existsSync(abs)) {
      const old = join(parent, `.${name}.old-${tag()}`);
      renameSync(abs, old);
      try {
        renameSync(tmp, abs);
      } catch (e) {
        renameSync(old, abs);
        throw e;
      }
      fsyncDir(parent);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(tmp, abs);
      fsyncDir(parent);
    }
    return result;
  } finally {
    forget();
    rmSync(tmp, { recursive: true, force: true });
  }
}
