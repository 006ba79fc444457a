import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
// @ts-expect-error: a plain ESM script shared with the generator
import { CASES, HERE, runCase } from './cases.mjs';

/**
 * Every command's numbers on stored documents (test/regression/documents/, written by cases.mjs on
 * the wasm backend). Structure must match exactly; numbers to 1e-9 relative (or 1e-12 absolute near 0):
 * the same spec and seed give byte-identical JSON on one machine, and this margin only absorbs libm
 * differences between Node builds, never a change of method. eocVersion is not compared.
 */
function compare(a: unknown, b: unknown, path: string, diffs: string[]): void {
  if (diffs.length > 10) return;
  if (typeof a === 'number' && typeof b === 'number') {
    if (!(Math.abs(a - b) <= Math.max(1e-12, 1e-9 * Math.max(Math.abs(a), Math.abs(b))))) diffs.push(`${path}: ${b} -> ${a}`);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) diffs.push(`${path}: length ${b.length} -> ${a.length}`);
    else a.forEach((x, i) => compare(x, b[i], `${path}[${i}]`, diffs));
    return;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).filter((k) => k !== 'eocVersion');
    const kb = Object.keys(b).filter((k) => k !== 'eocVersion');
    if (ka.join() !== kb.join()) diffs.push(`${path}: keys ${kb.join(',')} -> ${ka.join(',')}`);
    else for (const k of ka) compare((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`, diffs);
    return;
  }
  if (a !== b) diffs.push(`${path}: ${JSON.stringify(b)} -> ${JSON.stringify(a)}`);
}

describe('stored documents: every command gives the numbers it gave (regenerate deliberately: node test/regression/cases.mjs)', () => {
  for (const [name, args] of Object.entries(CASES as Record<string, string[]>)) {
    it(`eoc ${args.join(' ')}`, () => {
      const stored = JSON.parse(readFileSync(join(HERE, 'documents', `${name}.json`), 'utf8'));
      const diffs: string[] = [];
      compare(runCase(args), stored, name, diffs);
      expect(diffs).toEqual([]);
    }, 60_000);
  }
});
