import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, basename } from 'node:path';

/**
 * JSON text for eoc documents: deterministic (insertion-ordered keys, shortest round-trip number
 * formatting), typed arrays as plain arrays, and non-finite numbers (the -inf log of a structural zero,
 * an infinite depth scale at criticality) spelled as the strings "Infinity", "-Infinity", "NaN": JSON
 * has no such numbers, null would lose which one it was, and Number("Infinity") / float("Infinity")
 * read them back. Same input -> same bytes.
 */
export function toJson(doc: unknown, indent = 2): string {
  const flat = JSON.stringify(doc, replacer);
  if (indent === 0 || flat === undefined) return flat;
  return pretty(JSON.parse(flat) as unknown, ' '.repeat(indent), '');
}

function isLeaf(v: unknown): boolean {
  return v === null || typeof v !== 'object';
}

/**
 * Indented JSON in which an array or object holding only numbers, strings, booleans and nulls
 * stays on one line: a per-layer array or a density point is one line instead of one line per
 * number, which keeps documents readable and several times smaller. Values are those of the
 * one-line form (parsed back from it), so both forms carry identical numbers.
 */
function pretty(v: unknown, step: string, pad: string): string {
  if (isLeaf(v)) return JSON.stringify(v);
  const inner = pad + step;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    if (v.every(isLeaf)) return JSON.stringify(v);
    return `[\n${v.map((x) => inner + pretty(x, step, inner)).join(',\n')}\n${pad}]`;
  }
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  if (entries.every(([, x]) => isLeaf(x))) return JSON.stringify(v);
  return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${pretty(x, step, inner)}`).join(',\n')}\n${pad}}`;
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number>, (v) => (Number.isFinite(v) ? v : String(v)));
  }
  return value;
}

/**
 * Write a file atomically: the content goes to a temporary name in the same folder
 * (`.<name>.<pid>-<hex>.tmp`), is flushed to the disk (fsync), and is renamed over the real name;
 * the folder is then fsynced so the rename itself survives a crash. A kill or a crash at any
 * point leaves the old file or the new one under the real name, never a half-written one (at
 * worst a stray temporary file, which nothing reads).
 */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileDurable(tmp, content, 'wx');
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  fsyncDir(dir);
}

/** Write a file and fsync it before closing (flag 'w' truncates, 'wx' refuses an existing file). */
export function writeFileDurable(path: string, content: string | Uint8Array, flag: 'w' | 'wx' = 'w'): void {
  const fd = openSync(path, flag);
  try {
    writeFileSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** fsync a folder (makes renames and new names in it durable); a no-op where folders cannot be fsynced. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // some platforms and file systems do not fsync folders; the rename is still atomic
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * A number read back from an eoc JSON document: numbers as they are, the strings toJson writes for
 * non-finite values ("Infinity", "-Infinity", "NaN") as those values, and null (how older files and
 * plain JSON.stringify spell a non-finite number) or anything else as NaN.
 */
export function readNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return NaN;
}

/** readNumber over an array (a missing array reads as empty). */
export function readNumbers(v: unknown): number[] {
  return Array.isArray(v) ? v.map(readNumber) : [];
}
