import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, unlinkSync, writeSync, fsyncSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { SpecError } from '../spec/errors.js';
import { onCleanup } from './cleanup.js';
import { displayPath, isErrnoError } from './fs-errors.js';

/**
 * One writer per output folder. The writer holds a lock file created with O_EXCL (open 'wx': the
 * kernel lets exactly one process create it) holding its pid, host, start time and command line.
 * The file is removed when the writer exits (normally or with an error). A lock left by a process
 * ended by a signal (SIGINT, SIGTERM, SIGKILL: see cleanup.ts for why signals are not caught) or a
 * crash is stale, as its pid no longer runs on this host: the next writer takes it over with a note
 * on stderr. A lock held by a live process refuses the second
 * writer at once (SpecError: exit 2), naming the folder and the holder's pid.
 *
 * Limits: a lock from another host is never judged stale (its pid cannot be checked from here), and
 * a dead holder's pid reused by an unrelated process makes its lock look live until that process ends.
 */

export const LOCK_SCHEMA = 'eoc.lock/1';
/** The lock of a sweep or merge --out folder, inside it. */
export const FOLDER_LOCK = '.eoc.lock';

export interface LockInfo {
  schema: string;
  pid: number;
  host: string;
  startedAt: string;
  command: string;
  /** tells this holder's file from a later one of the same pid */
  token: string;
}

export interface Lock {
  /** the lock file */
  path: string;
  /** the folder it guards (for messages) */
  folder: string;
  /** remove the lock (only if it is still ours); idempotent */
  release(): void;
}

export interface LockOptions {
  /** the lock file (default: `<folder>/.eoc.lock`) */
  file?: string;
  /** the option that named the folder, for the refusal message (default '--out') */
  label?: string;
  /** where the stale-lock note goes (default: stderr, "eoc: ...") */
  log?: (message: string) => void;
  /** recorded in the lock (default: this process's command line) */
  command?: string;
}

const held = new Map<string, { count: number; info: LockInfo; forget: () => void }>();

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Is `pid` a running process on this host? (signal 0 checks without sending anything) */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return isErrnoError(e) && e.code === 'EPERM';
  }
}

function parseLock(text: string): LockInfo | null {
  try {
    const o = JSON.parse(text) as Partial<LockInfo>;
    if (typeof o.pid === 'number' && typeof o.host === 'string') {
      return { schema: String(o.schema ?? ''), pid: o.pid, host: o.host, startedAt: String(o.startedAt ?? '?'), command: String(o.command ?? '?'), token: String(o.token ?? '') };
    }
  } catch {
    // a lock being written, or a damaged one
  }
  return null;
}

/** The lock file's text and its age in ms, or null if there is none. */
function readLock(path: string): { text: string; ageMs: number } | null {
  try {
    const ageMs = Date.now() - statSync(path).mtimeMs;
    return { text: readFileSync(path, 'utf8'), ageMs };
  } catch (e) {
    if (isErrnoError(e) && e.code === 'ENOENT') return null;
    throw e;
  }
}

/** Is this lock's holder gone? (dead pid on this host; or an unreadable lock older than 2 s, whose writer died mid-write) */
export function lockIsStale(text: string, ageMs: number, host = hostname()): boolean {
  const info = parseLock(text);
  if (!info) return ageMs > 2000;
  if (info.host !== host) return false;
  if (info.pid === process.pid) return ![...held.values()].some((h) => h.info.token === info.token);
  return !pidAlive(info.pid);
}

/** Remove a stale lock file, if it still holds exactly `staleText`, under a short-lived guard file so two takers cannot remove each other's fresh lock. */
function removeStale(path: string, staleText: string): void {
  const guard = `${path}.takeover`;
  let fd: number;
  try {
    fd = openSync(guard, 'wx');
  } catch (e) {
    if (!(isErrnoError(e) && e.code === 'EEXIST')) throw e;
    // another process is taking over; a guard older than 5 s was left by a killed taker
    try {
      if (Date.now() - statSync(guard).mtimeMs > 5000) rmSync(guard, { force: true });
    } catch {
      // gone meanwhile
    }
    sleep(20);
    return;
  }
  closeSync(fd);
  try {
    const now = readLock(path);
    if (now && now.text === staleText) unlinkSync(path);
  } finally {
    rmSync(guard, { force: true });
  }
}

function oneLine(s: string, max = 200): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 3)}...` : t;
}

/**
 * Lock `folder` for writing (creating the folder if needed). Throws SpecError when a live process
 * holds it. Re-entrant within a process: a second lock of the same file shares the first, and the
 * file goes when the last one is released. Released automatically at exit.
 */
export function acquireLock(folder: string, opts: LockOptions = {}): Lock {
  const dir = resolve(folder);
  const path = resolve(opts.file ?? join(dir, FOLDER_LOCK));
  const label = opts.label ?? '--out';
  const log = opts.log ?? ((m: string) => process.stderr.write(`eoc: ${m}\n`));
  const mine = held.get(path);
  const lock = (): Lock => {
    let released = false;
    return {
      path,
      folder: dir,
      release: () => {
        if (released) return;
        released = true;
        const h = held.get(path);
        if (!h || --h.count > 0) return;
        h.forget();
        releaseFile(path, h.info.token);
      },
    };
  };
  if (mine) {
    mine.count++;
    return lock();
  }
  mkdirSync(dirname(path), { recursive: true });
  const info: LockInfo = {
    schema: LOCK_SCHEMA,
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    command: oneLine(opts.command ?? ['eoc', ...process.argv.slice(2)].join(' ')),
    token: randomBytes(8).toString('hex'),
  };
  const text = JSON.stringify(info) + '\n';
  let noted = false;
  const forget = onCleanup(() => releaseFile(path, info.token));
  try {
    return take();
  } catch (e) {
    forget();
    throw e;
  }

  function take(): Lock {
    for (let attempt = 0; attempt < 50; attempt++) {
      let fd: number | undefined;
      try {
        fd = openSync(path, 'wx');
      } catch (e) {
        if (!(isErrnoError(e) && e.code === 'EEXIST')) throw e;
      }
      if (fd !== undefined) {
        try {
          writeSync(fd, text);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        held.set(path, { count: 1, info, forget });
        return lock();
      }
      const other = readLock(path);
      if (!other) continue; // released meanwhile: try again
      if (!parseLock(other.text) && other.ageMs <= 2000) {
        sleep(20); // being written right now
        continue;
      }
      if (!lockIsStale(other.text, other.ageMs, info.host)) {
        const h = parseLock(other.text)!;
        throw new SpecError(
          `${displayPath(dir)} is in use by another eoc (pid ${h.pid}${h.host === info.host ? '' : ` on ${h.host}`}, since ${h.startedAt}: ${oneLine(h.command, 80)}); wait for it to finish or choose another ${label}${h.host === info.host ? '' : ` (if it is gone, delete ${displayPath(path)})`}`,
        );
      }
      const h = parseLock(other.text);
      if (!noted) log(`${displayPath(dir)}: taking over a stale lock (${h ? `pid ${h.pid} is no longer running` : 'unreadable lock file'})`);
      noted = true;
      removeStale(path, other.text);
    }
    throw new SpecError(`${displayPath(dir)}: could not take the lock ${displayPath(path)} (contended); try again`);
  }
}

/** Remove the lock file if it is still the one with `token`. */
function releaseFile(path: string, token: string): void {
  held.delete(path);
  try {
    const now = readLock(path);
    if (now && parseLock(now.text)?.token === token) unlinkSync(path);
  } catch {
    // already gone
  }
}

/** The holder recorded in a lock file, if any (for tests and messages). */
export function lockHolder(path: string): LockInfo | null {
  const l = readLock(path);
  return l ? parseLock(l.text) : null;
}
