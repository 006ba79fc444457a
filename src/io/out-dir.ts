import { closeSync, openSync, rmSync, statfsSync, statSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { SpecError } from '../spec/errors.js';
import { displayPath, fsMessage, isErrnoError, registerUserPath } from './fs-errors.js';

/**
 * Linux pseudo file systems (statfs f_type magic numbers, linux/magic.h): kernel interfaces where
 * creating ordinary files fails or blocks, never a place for output.
 */
const PSEUDO_FS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0xcafe4a11, 'bpf'],
  [0x6165676c, 'pstore'],
  [0x62656570, 'configfs'],
  [0xde5e81e4, 'efivarfs'],
  [0xf97cff8c, 'selinuxfs'],
  [0x43415d53, 'smackfs'],
  [0x65735543, 'fusectl'],
  [0x42494e4d, 'binfmt_misc'],
  [0x19800202, 'mqueue'],
  [0x6e736673, 'nsfs'],
]);

/** The pseudo file system holding `dir`, or null for an ordinary one (or where statfs is unavailable). */
export function pseudoFileSystem(dir: string): string | null {
  try {
    const type = Number(statfsSync(dir).type);
    return PSEUDO_FS.get(type) ?? null;
  } catch {
    return null;
  }
}

/** The nearest existing ancestor of `abs` (itself if it exists) and its stat. */
function nearestExisting(abs: string, raw: string, label: string): { path: string; isDir: boolean } {
  let p = abs;
  for (;;) {
    try {
      const st = statSync(p);
      return { path: p, isDir: st.isDirectory() };
    } catch (e) {
      if (!isErrnoError(e)) throw e;
      // a missing component, or one that is a file (ENOTDIR): look further up; the first existing
      // ancestor is then either a folder (create below it) or the file that is in the way
      if (e.code === 'ENOENT' || e.code === 'ENOTDIR') {
        const up = dirname(p);
        if (up === p) throw new SpecError(`cannot write ${raw}: no existing directory above it (${label})`);
        p = up;
        continue;
      }
      throw new SpecError(fsMessage(e.code ?? 'EIO', p, 'stat', label));
    }
  }
}

/** Create and remove a file in `dir`: the only reliable answer to "can I write here?" (permissions, read-only mounts, immutable folders, root). */
function probeWritable(dir: string, label: string): void {
  const probe = join(dir, `.eoc-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  let fd: number | undefined;
  try {
    fd = openSync(probe, 'wx');
    writeSync(fd, 'x');
  } catch (e) {
    if (isErrnoError(e) && e.code) throw new SpecError(fsMessage(e.code, dir, 'write', label));
    throw e;
  } finally {
    if (fd !== undefined) {
      closeSync(fd);
      rmSync(probe, { force: true });
    }
  }
}

/**
 * Check an output folder before any work starts, so a long sweep never fails at its end: refuse an
 * empty name, an existing non-folder, a path under a file, a folder under a pseudo file system
 * (/proc, /sys, ...) and a place where no file can be created (probed by creating one). Nothing is
 * created; the folder may or may not exist yet. Returns the absolute path, and registers it so that
 * a later file-system error under it is reported as a problem with `label`.
 */
export function prepareOutDir(raw: string, label = '--out'): string {
  if (raw.trim() === '') throw new SpecError(`${label}: give a directory (got an empty string)`);
  const abs = registerUserPath(raw, label);
  const shown = displayPath(abs);
  const near = nearestExisting(abs, shown, label);
  if (!near.isDir) {
    throw new SpecError(near.path === abs ? `cannot write ${shown}: it exists and is not a directory (${label})` : `cannot write ${shown}: ${displayPath(near.path)} is a file, not a directory (${label})`);
  }
  const pseudo = pseudoFileSystem(near.path);
  if (pseudo) throw new SpecError(`cannot write ${shown}: ${displayPath(near.path)} is on the ${pseudo} pseudo file system, not a place for files (${label})`);
  probeWritable(near.path, label);
  return abs;
}

/** prepareOutDir's checks for a folder that will be created inside `root` (a report folder). */
export function checkTargetDir(dir: string, label: string): void {
  try {
    if (!statSync(dir).isDirectory()) throw new SpecError(`cannot write ${displayPath(dir)}: it exists and is not a directory (${label})`);
  } catch (e) {
    if (e instanceof SpecError) throw e;
    if (!isErrnoError(e) || e.code !== 'ENOENT') throw e;
  }
}
