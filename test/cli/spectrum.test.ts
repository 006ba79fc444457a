import { describe, it, expect } from 'vitest';
import { eoc } from './run.js';

describe('eoc spectrum (end to end)', () => {
  it('prints a readable table with statistics and a per-layer summary', () => {
    const r = eoc(['spectrum', '--depth', '20', '--width', '32', '--seeds', '3', '--gain', '1.1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('tanh net, orthogonal weights, depth 20, width 32, gain 1.1');
    for (const k of ['m1', 'var_sq_norm', 'rms_log', 'frac_within_2', 'log10_cond']) expect(r.stdout).toMatch(new RegExp(`\\b${k}\\b.*±`));
    expect(r.stdout).toMatch(/per layer/);
    expect(r.stdout.split('\n').filter((l) => /^\s+20\s/.test(l))).toHaveLength(1); // last layer row
  });

  it('--json prints the eoc.spectrum/2 document with every singular value', () => {
    const r = eoc(['spectrum', '--depth', '10', '--width', '16', '--seeds', '2', '--json', '--activation', 'linear', '--gain', '1.2']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.schema).toBe('eoc.spectrum/2');
    expect(doc.spec).toMatchObject({ activation: 'linear', init: 'orthogonal', depth: 10, width: 16, gain: 1.2, biasStd: 0, q0: 1, seed: 0, seeds: 2 });
    expect(doc.seeds).toEqual([0, 1]);
    expect(doc.samples).toHaveLength(2);
    const s = doc.samples[0];
    expect(s.singularValues).toHaveLength(16);
    for (const v of s.singularValues) expect(v / 1.2 ** 10).toBeCloseTo(1, 10);
    expect(s.layers).toHaveLength(10);
    expect(Object.keys(s.layers[0])).toEqual(expect.arrayContaining(['layer', 'q', 'gradNorm', 'weightGradNorm']));
    expect(doc.summary.m1).toMatchObject({ n: 2 });
  });

  it('puts the mean-field prediction beside the measurement, and resolves --q0 fixed-point', () => {
    const r = eoc(['spectrum', '--depth', '12', '--width', '32', '--seeds', '2', '--bias-std', '0.05', '--gain', '1.122539', '--q0', 'fixed-point', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.spec.q0).toBe('fixed-point');
    // q* = 0.153692 at this critical point, so q0 = (q* - sigma_b^2)/g^2
    expect(doc.spec.q0Resolved).toBeCloseTo((0.153692 - 0.0025) / 1.122539 ** 2, 5);
    expect(doc.theory.m1).toBeCloseTo(1, 4); // critical and started at q*: every chi_l = 1
    expect(doc.theory.q).toHaveLength(12);
    expect(doc.theory.chi).toHaveLength(12);
    expect(doc.theory.logGradNorm).toHaveLength(12);
    expect(eoc(['spectrum', '--activation', 'linear', '--q0', 'fixed-point']).stderr).toMatch(/every q is a fixed point/);
  });

  it('--method matrix-free says which method ran and with what error; --max-memory streams or refuses', () => {
    const mf = JSON.parse(eoc(['spectrum', '--depth', '10', '--width', '48', '--seeds', '1', '--method', 'matrix-free', '--json']).stdout);
    expect(mf.samples[0].method).toBe('matrix-free');
    expect(mf.samples[0].matrixFree.lnM1Stderr).toBeGreaterThan(0);
    const dense = JSON.parse(eoc(['spectrum', '--depth', '10', '--width', '48', '--seeds', '1', '--json']).stdout);
    expect(dense.samples[0].method).toBe('dense');
    // Hutchinson's m1 agrees with the dense one within 4 of its own standard errors (deterministic probes)
    expect(Math.abs(mf.samples[0].ln_m1 - dense.samples[0].ln_m1)).toBeLessThan(4 * mf.samples[0].matrixFree.lnM1Stderr);
    // a budget below the full draws (60 x 48^2 x 8 B = 1.1 MiB) but above the streaming minimum
    // (~0.3 MiB): the draws are regenerated layer by layer, bitwise the same, so the same numbers
    const deep = ['spectrum', '--depth', '60', '--width', '48', '--seeds', '1', '--json'];
    const streamed = JSON.parse(eoc([...deep, '--max-memory', '0.5M']).stdout);
    expect(streamed.samples[0].logSingularValues).toEqual(JSON.parse(eoc(deep).stdout).samples[0].logSingularValues);
    const r = eoc(['spectrum', '--depth', '30', '--width', '256', '--max-memory', '5M', '--workers', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs about 5\.7 MiB of memory, more than the 5\.0 MiB available/);
  });

  it('gives byte-identical JSON for the same spec and seed', () => {
    const args = ['spectrum', '--depth', '15', '--width', '24', '--seeds', '2', '--seed', '42', '--init', 'gaussian', '--bias-std', '0.1', '--json'];
    const a = eoc(args), b = eoc(args);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(eoc([...args.slice(0, -1), '--seed', '43', '--json']).stdout).not.toBe(a.stdout);
    // one seed per worker thread: the same bytes for any number of workers
    expect(eoc([...args, '--workers', '1']).stdout).toBe(a.stdout);
    expect(eoc([...args, '--workers', '2']).stdout).toBe(a.stdout);
  });

  const bad: [string[], RegExp][] = [
    [['--gain', '-1'], /--gain must be >= 1e-4 \(allowed: 1e-4..100/],
    [['--gain', 'NaN'], /--gain must be a finite number/],
    [['--gain', 'abc'], /unknown preset 'abc'/],
    [['--gain', '1/0'], /finite number/],
    [['--depth', '0'], /--depth must be >= 1/],
    [['--width', '0'], /--width must be >= 1/],
    [['--width', '2.5'], /--width must be an integer/],
    [['--activation', 'sigmoidal'], /unknown activation 'sigmoidal'/],
    [['--init', 'xavier'], /unknown init scheme 'xavier'/],
    [['--bias-std', '-0.1'], /--bias-std must be >= 0/],
    [['--q0', '0'], /--q0 must be >= 1e-8/],
    [['--seeds', '0'], /--seeds must be >= 1/],
    [['--width', '16384', '--depth', '10000', '--max-memory', '16G'], /needs about .* GiB of memory( \(\d+ workers\))?, more than/],
    [['--no-such-option'], /unknown option/],
  ];
  for (const [args, msg] of bad) {
    it(`rejects ${args.join(' ')} with one line on stderr and exit 2`, () => {
      const r = eoc(['spectrum', ...args]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  }
});
