import { appendFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SpecError } from '../spec/errors.js';
import { writeFileAtomic } from '../io/json.js';
import { configDifference, parseRecordLine, sameConfig, type SweepRecord } from './record.js';
import type { SweepConfig } from './grid.js';

/** A JSONL file's complete records, its raw lines (keyed by task index) and what was dropped. */
export interface JsonlContents {
  lines: Map<number, string>;
  records: Map<number, SweepRecord>;
  /** lines that were not complete records (a truncated last line after a kill) */
  dropped: number;
}

/**
 * Read a sweep JSONL file, keeping every complete record and skipping incomplete lines (a kill can
 * truncate the last one). With `config`, every record must belong to that sweep. Two lines for the
 * same task must be identical (a task's result depends only on its inputs); otherwise the files
 * cannot be from the same code and config, and that is an error.
 */
export function readJsonl(path: string, config?: SweepConfig, into?: JsonlContents): JsonlContents {
  const out = into ?? { lines: new Map(), records: new Map(), dropped: 0 };
  if (!existsSync(path)) throw new SpecError(`${path}: no such file`);
  if (statSync(path).isDirectory()) return readJsonl(join(path, 'sweep.jsonl'), config, out);
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    let r: SweepRecord | null;
    try {
      r = parseRecordLine(line);
    } catch (e) {
      if (e instanceof SpecError) throw new SpecError(`${path}:${i + 1}: ${e.message}`);
      throw e;
    }
    if (!r) {
      out.dropped++;
      continue;
    }
    const ref = config ?? out.records.values().next().value?.config;
    if (ref && !sameConfig(ref, r.config)) {
      throw new SpecError(`${path}: line for task ${r.index} comes from a different sweep (${configDifference(ref, r.config)})`);
    }
    const prev = out.lines.get(r.index);
    if (prev !== undefined && prev !== line) {
      throw new SpecError(`${path}: two different results for task ${r.index} (seed ${r.seed}); were they computed by different eoc versions?`);
    }
    out.lines.set(r.index, line);
    out.records.set(r.index, r);
  }
  return out;
}

/** The JSONL file of a sweep being written: appends each finished line at once (a kill loses only work in flight). */
export class JsonlWriter {
  constructor(readonly path: string) {}

  /** Start from exactly these lines (drops a truncated tail before appending resumes). */
  reset(lines: Iterable<string>): void {
    const text = [...lines].map((l) => l + '\n').join('');
    writeFileAtomic(this.path, text);
  }

  append(line: string): void {
    appendFileSync(this.path, line + '\n');
  }
}

/** Lines in canonical order (task index), one per task. */
export function sortedLines(lines: Map<number, string>): string[] {
  return [...lines.entries()].sort((a, b) => a[0] - b[0]).map(([, l]) => l);
}
