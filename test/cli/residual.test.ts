import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { eoc } from './run.js';

/** `eoc residual` (issue 14): the pre-LN / post-LN study on a small grid, its folder and its errors. */
describe('eoc residual', () => {
  const args = ['residual', '--width', '16', '--depth', '2,4', '--seeds', '2'];

  it('writes the folder (json, Vega-Lite spec, svg, png, page) and the same JSON for the same seeds', () => {
    const root = mkdtempSync(join(tmpdir(), 'eoc-residual-'));
    try {
      const a = eoc([...args, '--out', root, '--json']);
      expect(a.code, a.stderr).toBe(0);
      const b = eoc([...args, '--out', root, '--json', '--name', 'again']);
      expect(b.code, b.stderr).toBe(0);
      const strip = (s: string) => s.replace(/"totalMs":[^,}]+/g, '');
      expect(strip(a.stdout)).toBe(strip(b.stdout));
      const doc = JSON.parse(a.stdout) as { schema: string; rows: { stack: string; depth: number; faithfulAlpha: unknown; meanFieldM1: number | null }[] };
      expect(doc.schema).toBe('eoc.residual-study/1');
      expect(doc.rows.map((r) => `${r.stack}@${r.depth}`)).toEqual(['pre-ln@2', 'pre-ln@4', 'post-ln@2', 'post-ln@4', 'pre-ln-sqrt@2', 'pre-ln-sqrt@4', 'post-ln-deepnorm@2', 'post-ln-deepnorm@4']);
      expect(doc.rows.filter((r) => r.faithfulAlpha !== null).map((r) => r.stack)).toEqual(['pre-ln', 'pre-ln', 'post-ln', 'post-ln']);
      for (const f of ['residual.json', 'residual.vl.json', 'residual.svg', 'residual.png', 'index.html']) expect(existsSync(join(root, 'residual', f)), f).toBe(true);
      expect(readFileSync(join(root, 'residual', 'index.html'), 'utf8')).toMatch(/<svg[\s\S]*largest faithful/);
      expect(JSON.parse(readFileSync(join(root, 'residual', 'residual.vl.json'), 'utf8')).$schema).toMatch(/vega-lite/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses bad input with one line and exit 2, leaving nothing behind', () => {
    const root = mkdtempSync(join(tmpdir(), 'eoc-residual-'));
    try {
      const file = join(root, 'f');
      writeFileSync(file, 'x');
      for (const [extra, re] of [
        [['--depth', '0'], /depth/],
        [['--width', '0'], /width/],
        [['--activation', 'gelx'], /unknown activation 'gelx'/],
        [['--out', file], /is not a directory|is a file/],
      ] as [string[], RegExp][]) {
        const r = eoc([...args, '--out', join(root, 'o'), ...extra]);
        expect(r.code, extra.join(' ')).toBe(2);
        expect(r.stderr.trim().split('\n'), extra.join(' ')).toHaveLength(1);
        expect(r.stderr).toMatch(re);
      }
      expect(existsSync(join(root, 'o', 'residual'))).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
