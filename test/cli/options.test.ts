import { describe, it, expect } from 'vitest';
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { ROOT } from './run.js';
import { COMMANDS, COMMAND_OPTIONS, LIMITS, OPTIONS, flagOf, optionsMarkdown, rangeOf, readOptions, attributeOf, checkEnvironment, type CommandName } from '../../src/spec/options.js';
import { SpecError } from '../../src/spec/errors.js';
import { registerSpectrum } from '../../cli/commands/spectrum.js';
import { registerTheory } from '../../cli/commands/theory.js';
import { registerSweep } from '../../cli/commands/sweep.js';
import { registerCompare } from '../../cli/commands/compare.js';
import { registerCheck } from '../../cli/commands/check.js';
import { registerReport } from '../../cli/commands/report.js';
import { registerMerge } from '../../cli/commands/merge.js';
import { registerGains } from '../../cli/commands/gains.js';
import { registerResidual } from '../../cli/commands/residual.js';
import { registerAudit } from '../../cli/commands/audit.js';
import { registerLearn } from '../../cli/commands/learn.js';
import { DEFAULT_CHECK_SEARCH, DEFAULT_THRESHOLDS } from '../../src/sweep/index.js';
import { DEFAULT_AXES } from '../../src/report/index.js';

function program(): Command {
  const p = new Command();
  for (const r of [registerSpectrum, registerTheory, registerSweep, registerCompare, registerCheck, registerReport, registerMerge, registerGains, registerResidual, registerAudit, registerLearn]) r(p);
  return p;
}

const threw = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    return (e as Error).message;
  }
  return '';
};

describe('the option table', () => {
  it("every command's options are exactly the table's, with the table's help", () => {
    const p = program();
    expect(p.commands.map((c) => c.name()).sort()).toEqual([...COMMANDS].sort());
    for (const c of p.commands) {
      const uses = COMMAND_OPTIONS[c.name() as CommandName];
      expect(c.options.map((o) => o.long), c.name()).toEqual(uses.map(flagOf));
      for (const o of c.options) expect(o.description.length, `${c.name()} ${o.long}`).toBeGreaterThan(10);
    }
  });

  it('every numeric option accepts its bounds and refuses just beyond them, naming option, value and range', () => {
    let checked = 0;
    for (const command of COMMANDS) {
      for (const use of COMMAND_OPTIONS[command]) {
        const range = rangeOf(use);
        const type = OPTIONS[use.key].kind.type;
        if (!range || type === 'gains' || type === 'reals' || use.list) continue;
        const { lo, hi } = range;
        const integer = type === 'integer';
        if (Number.isFinite(lo.value) && !lo.open) expect(readOptions(command, { [attributeOf(OPTIONS[use.key].flag)]: String(lo.value) }).get(use.key)).toBe(lo.value);
        if (Number.isFinite(hi.value) && !hi.open) expect(readOptions(command, { [attributeOf(OPTIONS[use.key].flag)]: String(hi.value) }).get(use.key)).toBe(hi.value);
        const below = lo.open ? lo.value : integer ? lo.value - 1 : lo.value - Math.abs(lo.value) * 1e-9 - 1e-12;
        const m = threw(() => readOptions(command, { [attributeOf(OPTIONS[use.key].flag)]: String(below) }));
        expect(m, `${command} ${use.key} ${below}`).toMatch(new RegExp(`^${OPTIONS[use.key].flag} must be >`));
        expect(m).toContain('allowed: ');
        expect(m).toContain(`got ${below}`);
        if (Number.isFinite(hi.value)) {
          const above = integer ? hi.value + 1 : hi.value * (1 + 1e-9);
          expect(threw(() => readOptions(command, { [attributeOf(OPTIONS[use.key].flag)]: String(above) })), `${command} ${use.key}`).toMatch(/must be </);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(30);
  });

  it('the limits of issue 9', () => {
    expect([LIMITS.gain.lo.value, LIMITS.gain.hi.value]).toEqual([1e-4, 100]);
    expect([LIMITS.biasStd.lo.value, LIMITS.biasStd.hi.value]).toEqual([0, 100]);
    expect([LIMITS.q0.lo.value, LIMITS.q0.hi.value]).toEqual([1e-8, 1e4]);
    expect([LIMITS.depth.hi.value, LIMITS.densityDepth.hi.value, LIMITS.width.hi.value]).toEqual([10000, 500, 16384]);
    expect([LIMITS.seeds.hi.value, LIMITS.reportSeeds.lo.value, LIMITS.seed.hi.value, LIMITS.workers.hi.value]).toEqual([10000, 2, 2 ** 32 - 1, 256]);
    expect(LIMITS.gainsCount).toBe(100000);
  });

  it('per-command defaults come from the table: check 2 seeds, report coarse grid, one worker per core everywhere', () => {
    expect(readOptions('spectrum', {}).get('seeds')).toBe(4);
    expect(readOptions('check', {}).get('seeds')).toBe(2);
    expect(readOptions('sweep', {}).get('gains')).toHaveLength(41);
    expect(readOptions('report', {}).get('gains')).toEqual(DEFAULT_AXES.gains);
    const r = readOptions('report', {});
    expect([r.list('activation'), r.list('init'), r.get('depth'), r.get('width'), r.get('biasStd'), r.get('q0'), r.get('seeds'), r.get('refine')]).toEqual([
      DEFAULT_AXES.activations,
      DEFAULT_AXES.inits,
      DEFAULT_AXES.depth,
      DEFAULT_AXES.width,
      DEFAULT_AXES.biasStd,
      DEFAULT_AXES.q0,
      DEFAULT_AXES.seeds.length,
      DEFAULT_AXES.refine,
    ]);
    const c = readOptions('check', {});
    expect({ tolM1: c.get('tolM1'), tolSpread: c.get('tolSpread') }).toEqual(DEFAULT_THRESHOLDS);
    expect(c.get('maxEvaluations')).toBe(DEFAULT_CHECK_SEARCH.maxEvaluations);
    for (const command of ['spectrum', 'sweep', 'compare', 'check', 'report'] as const) {
      expect(readOptions(command, {}).get('workers')).toBe(Math.min(256, os.availableParallelism()));
    }
  });

  it('--q0 fixed-point is accepted wherever --q0 is, except report (which says why)', () => {
    for (const command of ['spectrum', 'theory', 'sweep', 'compare', 'check'] as const) expect(readOptions(command, { q0: 'Fixed-Point' }).get('q0')).toBe('fixed-point');
    expect(threw(() => readOptions('report', { q0: 'fixed-point' }))).toMatch(/not accepted here: .*one input variance/);
  });

  it('parses lists, ranges, presets and fractions; knows what was given', () => {
    const o = readOptions('sweep', { gains: '0.9:1.1:0.1,5/3,torch:tanh', activation: 'tanh,hardtanh', depth: '10,20', biasStd: '0:0.1:0.05' });
    expect(o.get('gains')).toEqual([0.9, 1, 1.1, 5 / 3, 5 / 3]);
    expect(o.list('activation')).toEqual(['tanh', 'hard-tanh']);
    expect(o.list('depth')).toEqual([10, 20]);
    expect(o.list('biasStd')).toEqual([0, 0.05, 0.1]);
    expect(o.list('init')).toEqual(['orthogonal']);
    expect(o.given('gains') && !o.given('width')).toBe(true);
    const r = readOptions('report', { refine: false, depth: '50' });
    expect(r.get('refine')).toBe(false);
    expect(r.givenFlags(['depth', 'refine', 'width'])).toEqual(['--depth', '--no-refine']);
    expect(readOptions('sweep', { spectra: false }).get('spectra')).toBe(false);
    expect(readOptions('sweep', {}).get('spectra')).toBe(true);
  });

  it('refuses a bad environment', () => {
    expect(threw(() => checkEnvironment({ EOC_MAX_MEMORY_MB: 'abc' }))).toMatch(/EOC_MAX_MEMORY_MB='abc'/);
    expect(threw(() => checkEnvironment({ EOC_MAX_MEMORY_MB: '-5' }))).toMatch(/EOC_MAX_MEMORY_MB/);
    expect(threw(() => checkEnvironment({ EOC_BACKEND: 'bogus' }))).toMatch(/EOC_BACKEND='bogus'/);
    expect(() => checkEnvironment({ EOC_MAX_MEMORY_MB: '4096', EOC_BACKEND: 'wasm' })).not.toThrow();
  });

  it('docs/options.md is the table (regenerate: node -e "import(\'./dist/src/spec/options.js\').then(m => process.stdout.write(m.optionsMarkdown()))" > docs/options.md)', () => {
    expect(readFileSync(join(ROOT, 'docs', 'options.md'), 'utf8')).toBe(optionsMarkdown());
  });
});
