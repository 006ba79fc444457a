import { writeFileSync, renameSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';

/**
 * JSON text for eoc documents: deterministic (insertion-ordered keys, shortest round-trip number
 * formatting), typed arrays as plain arrays, and non-finite numbers (the -inf log of a structural zero,
 * an infinite depth scale at criticality) spelled as the strings "Infinity", "-Infinity", "NaN": JSON
 * has no such numbers, null would lose which one it was, and Number("Infinity") / float("Infinity")
 * read them back. Same input -> same bytes.
 */
export function toJson(doc: unknown, indent = 2): string {
  return JSON.stringify(doc, replacer, indent);
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number>, (v) => (Number.isFinite(v) ? v : String(v)));
  }
  return value;
}

/**
 * Write a file atomically: to a temporary name in the same folder, then rename, so a crash or a
 * kill never leaves a half-written file under the real name.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
