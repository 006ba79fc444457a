import { describe, expect, it } from 'vitest';
import { eoc } from '../cli/run.js';

/** End-to-end: the real binary (bin/eoc.js -> dist/cli/main.js, built by `npm test`). */
describe('eoc theory (built binary)', () => {
  it('prints the table for tanh at sigma_b = 0.05 with the critical gain', () => {
    const r = eoc(['theory', '--activation', 'tanh', '--bias-std', '0.05']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('sigma_w = 1.122539');
    expect(r.stdout).toContain('var_sq_norm orthogonal');
  });

  it('--json is an eoc.theory/3 document with the resolved inputs', () => {
    const r = eoc(['theory', '--activation', 'hard-tanh', '--bias-std', '0.05', '--gain', '5/3', '--depth', '20', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.schema).toBe('eoc.theory/3');
    expect(doc.inputs).toMatchObject({ activation: 'hard-tanh', gain: 5 / 3, biasStd: 0.05, depth: 20, q0: 1 });
    expect(doc.critical.sigmaW).toBeCloseTo(1.008853, 6);
    expect(doc.trajectory.chi).toHaveLength(20);
  });

  it('--critical-line prints the table and JSON', () => {
    const r = eoc(['theory', '--critical-line', '--activation', 'tanh', '--bias-std-range', '0:0.5:0.05']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(3 + 11);
    const j = JSON.parse(eoc(['theory', '--critical-line', '--activation', 'tanh', '--json']).stdout);
    expect(j.schema).toBe('eoc.critical-line/1');
    expect(j.points).toHaveLength(11);
  });

  it('bad input: one line on stderr, exit 2', () => {
    for (const args of [
      ['theory', '--gain', 'abc'],
      ['theory', '--critical-line', '--activation', 'relu', '--bias-std-range', '0.1'],
      ['theory', '--depth', '1.5'],
    ]) {
      const r = eoc(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
  });
});
