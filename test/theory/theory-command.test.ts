import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerTheory } from '../../cli/commands/theory.js';
import { runInProcess } from '../support/in-process.js';

/** Runs `eoc theory ...` in-process, capturing stdout/stderr and the exit code. */
const run = (args: string[]) => runInProcess(registerTheory, 'theory', args);

afterEach(() => vi.restoreAllMocks());

describe('eoc theory (in-process)', () => {
  it('prints the mean-field table with the critical gain', async () => {
    const r = await run(['--activation', 'tanh', '--bias-std', '0.05']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('sigma_w = 1.122539');
    expect(r.stdout).toContain('sigma_w^2 = 1.260094');
    expect(r.stdout).toContain('phase: ordered');
    expect(r.stdout).toContain('var_sq_norm gaussian');
  });

  it('--json carries the schema, version, resolved inputs and every number', async () => {
    const r = await run(['--activation', 'tanh', '--gain', '1.2', '--depth', '10', '--q0', 'fixed-point', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.schema).toBe('eoc.theory/3');
    expect(typeof doc.eocVersion).toBe('string');
    expect(doc.inputs).toMatchObject({ activation: 'tanh', init: 'orthogonal', gain: 1.2, biasStd: 0, depth: 10, q0: 'fixed-point' });
    // q* = 0.249513 (docs/science.md 8); starting at the fixed point keeps every layer there
    expect(doc.meanField.fixedPoint.q).toBeCloseTo(0.249513, 6);
    expect(doc.trajectory.q).toHaveLength(10);
    for (const q of doc.trajectory.q) expect(q).toBeCloseTo(0.249513, 6);
    expect(doc.trajectory.varSqNorm.gaussian - doc.trajectory.varSqNorm.orthogonal).toBeCloseTo(10, 10);
    expect(doc.critical).toMatchObject({ exists: true, sigmaW: 1, q: 0 });
  });

  it('spells non-finite numbers out in JSON instead of null', async () => {
    const r = await run(['--activation', 'tanh', '--gain', '1', '--json']);
    const doc = JSON.parse(r.stdout);
    expect(doc.meanField.phase).toBe('critical');
    expect(doc.meanField.xiGrad).toBe('Infinity');
    // q* = 0 (tanh, sigma_b = 0, g = 1): C(c) = c, every correlation is kept: xi_c infinite too
    expect(doc.correlation.xiC).toBe('Infinity');
    expect(doc.correlation.everyCorrelationFixed).toBe(true);
  });

  it('--critical-line prints sigma and sigma^2 columns', async () => {
    const r = await run(['--critical-line', '--activation', 'tanh', '--bias-std-range', '0:0.3:0.05']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[1]).toMatch(/sigma_b\s+sigma_b\^2\s+sigma_w\s+sigma_w\^2\s+q\*/);
    expect(r.stdout).toContain('1.395584');
    const j = JSON.parse((await run(['--critical-line', '--activation', 'tanh', '--bias-std-range', '0.05', '--json'])).stdout);
    expect(j.schema).toBe('eoc.critical-line/1');
    expect(j.points[0].sigmaW).toBeCloseTo(1.122539, 6);
  });

  it('relu at sigma_b > 0: the table says there is no critical point, --critical-line exits 2', async () => {
    const t = await run(['--activation', 'relu', '--bias-std', '0.1', '--gain', '1.4']);
    expect(t.code).toBe(0);
    expect(t.stdout).toContain('none: relu at sigma_b = 0.1 > 0 has no critical point');
    const r = await run(['--critical-line', '--activation', 'relu', '--bias-std-range', '0,0.1']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('no critical point');
  });

  it('bad input: one line, exit 2', async () => {
    for (const args of [['--gain', '-1'], ['--activation', 'sigmoidal'], ['--activation', 'leaky-relu(-1)'], ['--activation', 'tanh(2)'], ['--depth', '0'], ['--q0', 'nope'], ['--bias-std', '-0.1']]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    const lin = await run(['--activation', 'linear', '--q0', 'fixed-point']);
    expect(lin.code).toBe(2);
    expect(lin.stderr).toContain('every q is a fixed point');
  });

  it('--density summarises the spectrum; linear orthogonal is a point mass', async () => {
    const r = await run(['--activation', 'linear', '--gain', '1.01', '--depth', '5', '--density']);
    expect(r.stdout).toContain('point mass at lambda = ' + Number((1.01 ** 10).toPrecision(7)));
    const j = JSON.parse((await run(['--activation', 'linear', '--init', 'gaussian', '--depth', '3', '--density', '--json'])).stdout);
    expect(j.density.kind).toBe('density');
    expect(j.density.m1).toBeCloseTo(1, 6);
  });

  it('prints finite logs and their decimal values where they leave float64 (gain 1e-4, the option table\'s bound: ln m1 = 2 L ln g)', async () => {
    // the library answers at gain 1e-300 too (test/theory/edges.test.ts); the CLI refuses gains below 1e-4
    const r = await run(['--activation', 'linear', '--gain', '1e-4', '--depth', '100']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/-?Infinity|-inf|NaN/);
    expect(r.stdout).toContain(`ln m1 = ${Number((200 * Math.log(1e-4)).toPrecision(7))}`);
    expect(r.stdout).toMatch(/predicted m1\s+1e-800/);
  });

  it('--density shows the hard-tanh top atom; depth beyond the density limit is one clear refusal (exit 2)', async () => {
    const r = await run(['--activation', 'hard-tanh', '--gain', '1.0088534851738018', '--bias-std', '0.05', '--q0', 'fixed-point', '--depth', '50', '--density']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/an atom of mass 0\.12627/);
    expect(r.stdout).toMatch(/mass on grid = 1, m1 = 1\b/);
    const deep = await run(['--density', '--depth', '1000']);
    expect(deep.code).toBe(2);
    expect(deep.stderr).toMatch(/--depth must be <= 500 .*--density/);
  });
});
