import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'eoc.js');
const eoc = (args: string[], cwd: string) => spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });

/** A plain sweep of tanh, orthogonal weights (depth 10, width 16, 2 seeds) over `gains`, then eoc report --from it: the report folder. */
function sweepThenReport(dir: string, gains: string): string {
  const s = eoc(['sweep', '--depth', '10', '--width', '16', '--seeds', '2', '--gains', gains, '--workers', '1', '--out', 'runs'], dir);
  expect(s.status, s.stderr).toBe(0);
  const r = eoc(['report', '--from', 'runs', '--out', 'out'], dir);
  expect(r.status, r.stderr).toBe(0);
  return join(dir, 'out', 'from-sweep');
}

/**
 * A plain sweep of one init and one activation, drawn with eoc report --from. At tanh g <= 1 with
 * sigma_b = 0 the theory is a point mass (q* = 0) and, with no Gaussian scheme, the density panel had
 * an empty theory layer: vega's "infinite extent" warning made it exit 3. Likewise a grid with no
 * located gain in it (0.5 to 0.7: m1 = 1 lies above) left the isometry figure's rules empty.
 */
describe('eoc report --from a one-init sweep', () => {
  it('draws every figure (exit 0), the density panels without empty layers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eoc-single-init-'));
    try {
      const report = sweepThenReport(dir, '0.9:1.1:0.1');
      expect(existsSync(join(report, 'index.html'))).toBe(true);
      const spec = JSON.parse(readFileSync(join(report, 'specs', 'density.vl.json'), 'utf8'));
      const empty: string[] = [];
      const walk = (o: unknown): void => {
        if (Array.isArray(o)) o.forEach(walk);
        else if (o && typeof o === 'object') {
          const rec = o as Record<string, unknown>;
          for (const l of (rec.layer as { name: string; data?: { values?: unknown[] } }[] | undefined) ?? []) if (l.data?.values?.length === 0) empty.push(l.name);
          Object.values(rec).forEach(walk);
        }
      };
      walk(spec);
      expect(empty).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('draws a grid that locates no gain (exit 0): the isometry figure has no empty rule layer', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eoc-no-located-'));
    try {
      expect(existsSync(join(sweepThenReport(dir, '0.5:0.7:0.1'), 'figures', 'isometry.png'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
