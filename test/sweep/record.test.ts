import { describe, expect, it } from 'vitest';
import { readNumber, readNumbers, toJson } from '../../src/io/json.js';
import {
  DEFAULT_LOCATE,
  DEFAULT_REFINE,
  RECORD_SCHEMA,
  SeedNetwork,
  makeConfig,
  parseRecordLine,
  recordLine,
  refinedGains,
  refineTasks,
  runSweep,
  runSweepTask,
  enumerateTasks,
} from '../../src/sweep/index.js';
import { SpecError } from '../../src/spec/errors.js';

describe('reading non-finite numbers back', () => {
  it('readNumber maps what toJson writes (and null) back to numbers', () => {
    const text = toJson({ a: [1.5, Infinity, -Infinity, NaN, null] }, 0);
    expect(text).toBe('{"a":[1.5,"Infinity","-Infinity","NaN",null]}');
    const back = readNumbers(JSON.parse(text).a);
    expect(back.slice(0, 3)).toEqual([1.5, Infinity, -Infinity]);
    expect(Number.isNaN(back[3]) && Number.isNaN(back[4])).toBe(true);
    expect(Number.isNaN(readNumber('x'))).toBe(true);
  });

  it('indented documents keep arrays of numbers on one line and carry the same numbers', () => {
    const doc = { a: { b: [1, 2, -Infinity], c: [{ x: 1, y: 'z' }] } };
    const pretty = toJson(doc);
    expect(pretty).toContain('"b": [1,2,"-Infinity"]');
    expect(pretty).toContain('{"x":1,"y":"z"}');
    expect(JSON.parse(pretty)).toEqual(JSON.parse(toJson(doc, 0)));
  });
});

describe('eoc.sweep-record/2', () => {
  const config = makeConfig({
    gains: [0.9, 1, 1.1],
    activations: ['relu'],
    inits: ['gaussian'],
    biasStds: [0],
    depths: [5],
    width: 6,
    q0: 1,
    seeds: [0],
    locate: DEFAULT_LOCATE,
  });

  it('records ln s and ln |dE/dW^l| per gain; structural zeros (relu) survive the round trip as -Infinity', () => {
    const line = recordLine(runSweepTask(config, enumerateTasks(config)[0]));
    const r = parseRecordLine(line)!;
    expect(r.schema).toBe(RECORD_SCHEMA);
    expect(r.pass).toBe(1);
    for (const c of r.curve) {
      expect(c.logS).toHaveLength(6);
      expect(c.logWeightGradNorm).toHaveLength(5);
      for (const v of c.logS!) expect(typeof v).toBe('number');
      expect(c.logS!.filter((v) => v === -Infinity).length).toBe(6 - c.rank);
    }
    const without = runSweepTask({ ...config, spectra: false }, enumerateTasks(config)[0]);
    expect(without.curve[0].logS).toBeUndefined();
  });

  it('readers are strict about the version: a /1 line is an error, not a dropped line', () => {
    const line = recordLine(runSweepTask(config, enumerateTasks(config)[0]));
    expect(() => parseRecordLine(line.replace(RECORD_SCHEMA, 'eoc.sweep-record/1'))).toThrow(SpecError);
    expect(() => parseRecordLine(line.replace(RECORD_SCHEMA, 'eoc.sweep-record/1'))).toThrow(/does not read that version/);
    expect(() => parseRecordLine('{"schema":"eoc.spectrum/1"}')).toThrow(SpecError);
    // an incomplete line (a kill mid-write) is not an error: it is dropped
    expect(parseRecordLine(line.slice(0, 100))).toBeNull();
  });
});

describe('homogeneous nets: measured once at g = 1 and rescaled', () => {
  for (const activation of ['linear', 'relu'] as const) {
    it(`${activation}: the rescaled network equals a fresh measurement, with one evaluation for every gain`, () => {
      const point = { activation, init: 'gaussian' as const, biasStd: 0, depth: 6 };
      const fast = new SeedNetwork(point, 10, 3, 1);
      expect(fast.homogeneous).toBe(true);
      // sigma_b = 1e-300 switches the shortcut off (it needs sigma_b = 0 exactly) without changing any number
      const slow = new SeedNetwork({ ...point, biasStd: 1e-300 }, 10, 3, 1);
      expect(slow.homogeneous).toBe(false);
      for (const g of [0.7, 1.3, 2]) {
        const a = fast.at(g), b = slow.at(g);
        expect(a.rank).toBe(b.rank);
        for (let i = 0; i < a.rank; i++) expect(a.logSingularValues[i]).toBeCloseTo(b.logSingularValues[i], 9);
        for (let l = 0; l < 6; l++) {
          expect(a.layers[l].q / b.layers[l].q).toBeCloseTo(1, 9);
          expect(a.layers[l].logGradNorm).toBeCloseTo(b.layers[l].logGradNorm, 9);
          expect(a.layers[l].weightGradNorm / b.layers[l].weightGradNorm).toBeCloseTo(1, 9);
        }
        expect(a.logInputGrad).toBeCloseTo(b.logInputGrad, 9);
        expect(a.stats.ln_m1).toBeCloseTo(b.stats.ln_m1, 9);
      }
      expect(fast.evaluations).toBe(1);
      expect(slow.evaluations).toBe(3);
    });
  }

  it('tanh and q0 = fixed-point are never rescaled', () => {
    expect(new SeedNetwork({ activation: 'tanh', init: 'orthogonal', biasStd: 0, depth: 3 }, 4, 0, 1).homogeneous).toBe(false);
  });
});

describe('refinement pass', () => {
  it('extra gains around the located ones, the same for every init and seed, listed on every pass-2 line', async () => {
    const config = makeConfig({
      gains: [0.8, 1, 1.2, 1.4],
      activations: ['tanh'],
      inits: ['orthogonal', 'gaussian'],
      biasStds: [0],
      depths: [10],
      width: 8,
      q0: 1,
      seeds: [0, 1],
      locate: DEFAULT_LOCATE,
      refine: DEFAULT_REFINE,
    });
    const run = await runSweep(config, { workers: 1 });
    const pass2 = run.records.filter((r) => r.pass === 2);
    expect(pass2).toHaveLength(4);
    const extra = refinedGains(config, run.records).get(JSON.stringify(['tanh', 0, 10]))!;
    expect(extra.length).toBeGreaterThan(0);
    for (const g of extra) {
      expect(g > 0.8 && g < 1.4 && !config.gains.includes(g)).toBe(true);
      expect(Math.abs(g / DEFAULT_REFINE.quantum - Math.round(g / DEFAULT_REFINE.quantum))).toBeLessThan(1e-6);
    }
    for (const r of pass2) expect(r.curve.map((c) => c.gain)).toEqual(extra);
    expect(refineTasks(config, refinedGains(config, run.records)).map((t) => t.index)).toEqual(pass2.map((r) => r.index));
    // the summary aggregates grid and extra gains together, marks the extra ones, and is complete
    expect(run.document.complete).toBe(true);
    const p = run.document.points[0];
    expect(p.gains.map((g) => g.gain)).toEqual([...config.gains, ...extra].sort((a, b) => a - b));
    expect(p.gains.filter((g) => g.refined).map((g) => g.gain)).toEqual(extra);
    // dropping a pass-2 line makes the document incomplete
    const { sweepDocument } = await import('../../src/sweep/index.js');
    expect(sweepDocument(config, run.records.slice(0, -1)).complete).toBe(false);
  });

  it('refinement needs the whole grid: not with --shard', async () => {
    const config = makeConfig({ gains: [0.9, 1, 1.1], activations: ['linear'], inits: ['orthogonal'], biasStds: [0], depths: [2], width: 3, q0: 1, seeds: [0], locate: DEFAULT_LOCATE, refine: DEFAULT_REFINE });
    await expect(runSweep(config, { workers: 1, shard: { index: 0, count: 2 } })).rejects.toThrow(/shard/);
  });
});
