import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Node's file-system errors (an `errno` code with the path it concerns) turned into one plain line.
 * A failure on a path the user gave (an `--out` folder, a file to read) is bad input, exit 2; so is
 * the machine running out of something (disk space, file handles). Only a failure on eoc's own
 * files (its installation folder) is an eoc bug.
 */

/** Why a file-system call failed, in words, by errno code. */
export const FS_REASONS: Readonly<Record<string, string>> = {
  EEXIST: 'already exists',
  ENOTDIR: 'not a directory (a part of the path is a file)',
  EISDIR: 'is a directory, not a file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOENT: 'no such file or directory',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many levels of symbolic links',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EBUSY: 'busy (in use by the system or another process)',
  ENOTEMPTY: 'directory not empty',
  EXDEV: 'cannot move across file systems',
  EIO: 'input/output error',
  EINVAL: 'invalid argument (not a place for ordinary files?)',
  EFBIG: 'file too large',
  ETXTBSY: 'text file busy',
  EAGAIN: 'resource temporarily unavailable',
};

/** Failures of the machine rather than of a path: bad input whichever path they name. */
const ENVIRONMENT = new Set(['ENOSPC', 'EDQUOT', 'EMFILE', 'ENFILE', 'EIO', 'EFBIG']);

/** Calls that change the file system (the others read it). */
const WRITING = new Set(['mkdir', 'rename', 'unlink', 'rmdir', 'rm', 'write', 'link', 'symlink', 'copyfile', 'cp', 'fsync', 'fdatasync', 'utime', 'chmod', 'chown', 'ftruncate', 'truncate', 'mkdtemp']);

export interface ErrnoError extends Error {
  code?: string;
  errno?: number;
  syscall?: string;
  path?: string;
  dest?: string;
}

export function isErrnoError(e: unknown): e is ErrnoError {
  return e instanceof Error && typeof (e as ErrnoError).code === 'string' && typeof (e as ErrnoError).syscall === 'string';
}

/** Paths the user named, and the option that named them, for the messages. */
const userPaths: { path: string; label: string }[] = [];

/** Declare `path` (as given by the user) to come from option `label` ('--out', '--from', 'input'). Returns the absolute path. */
export function registerUserPath(path: string, label: string): string {
  const abs = resolve(path);
  if (!userPaths.some((u) => u.path === abs && u.label === label)) userPaths.push({ path: abs, label });
  return abs;
}

function inside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** eoc's own files inside its installation folder (a user's reports/ there is the user's). */
const OWN = ['dist', 'src', 'cli', 'bin', 'asm', 'node_modules', 'package.json'];

let installRoot: string | null | undefined;

/** eoc's installation folder: the nearest folder above this module with eoc's package.json. */
function eocRoot(): string | null {
  if (installRoot !== undefined) return installRoot;
  installRoot = null;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'edge-of-chaos') {
          installRoot = dir;
          break;
        }
      } catch {
        // not ours
      }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return installRoot;
}

/** A path for a message: relative to the working folder when it lies inside it, else absolute. */
export function displayPath(path: string): string {
  const abs = resolve(path);
  const rel = relative(process.cwd(), abs);
  if (rel === '') return '.';
  return rel.startsWith('..') || isAbsolute(rel) ? abs : rel.split(sep).join('/');
}

/** One line for a file-system failure on `path`: "cannot write reports/x: not a directory (--out)". */
export function fsMessage(code: string, path: string | undefined, syscall?: string, label?: string): string {
  const reason = FS_REASONS[code] ?? code;
  const verb = syscall === undefined ? 'write' : WRITING.has(syscall) ? 'write' : syscall === 'open' ? 'open' : 'read';
  const where = path === undefined ? '' : ` ${displayPath(path)}`;
  return `cannot ${verb}${where}: ${reason}${label ? ` (${label})` : ''}`;
}

/**
 * The user-facing line for an errno error, or null when it is eoc's own failure (a path inside
 * eoc's installation that no option named, an unknown code).
 */
export function userFsError(e: unknown): string | null {
  if (!isErrnoError(e) || !e.code || !(e.code in FS_REASONS)) return null;
  // a rename (link, copy) fails because of its destination more often than its source, and the
  // destination is the name the user knows (the source is a temporary file)
  const named0 = e.dest ?? e.path;
  const path = named0 === undefined ? undefined : resolve(named0);
  const named = path === undefined ? undefined : userPaths.filter((u) => inside(path, u.path)).sort((a, b) => b.path.length - a.path.length)[0];
  if (named) return fsMessage(e.code, path, e.syscall, named.label);
  if (ENVIRONMENT.has(e.code)) return fsMessage(e.code, path, e.syscall);
  if (path === undefined) return null;
  const root = eocRoot();
  if (root && OWN.some((d) => inside(path, join(root, d)))) return null;
  return fsMessage(e.code, path, e.syscall);
}
