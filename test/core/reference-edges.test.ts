import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { net } from './helpers.js';
import { stableLogSingularValues, DEAD_GAP } from '../../src/spectrum/stable-product.js';
import { defaultBlockSize, measureNetwork, logDetCheck } from '../../src/measure/network.js';
import { undefinedStatReason } from '../../src/measure/stats.js';
import type { ActivationName, InitName } from '../../src/spec/types.js';

/**
 * The spectrum at the edges of the input bounds against references in 250+ digits
 * (test/fixtures/mp-reference-*.json, made by
 * `node test/fixtures/dump-factors.mjs INIT N L SEED GAIN BIAS_STD ACTIVATION Q0 | python3 test/fixtures/mp_reference.py`
 * from eoc's own weights and pre-activations; mpmath evaluates phi'(h) itself).
 *
 * Tolerance: max_i |ln s_i - ref_i| <= 1e-12 * scale, scale = max(1, ln s_max - ln s_min,
 * max_i |ln s_i|): ln s to ~1e-12 relative to the spread it has to resolve. Measured errors are
 * 3e-14 to 3e-12 (scale 59 to 563). The same for ln m1 against ln(|J|_F^2 / N) in mpmath.
 */
interface Ref {
  init: InitName; N: number; L: number; seed: number; gain: number; biasStd: number;
  activation: ActivationName; q0: number; lnM1: number | string; lnS: (number | string)[];
}
const load = (name: string): Ref => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));
const num = (v: number | string) => Number(v);

function spreadOf(ref: Ref): number {
  const fin = ref.lnS.map(num).filter(Number.isFinite);
  return fin.length ? fin[0] - fin[fin.length - 1] : 0;
}

function scaleOf(ref: Ref): number {
  const fin = ref.lnS.map(num).filter(Number.isFinite);
  if (fin.length === 0) return 1;
  return Math.max(1, fin[0] - fin[fin.length - 1], ...fin.map(Math.abs));
}

const CASES: [string, string][] = [
  ['mp-reference-tanh-q0-100.json', 'tanh at q0 = 100: tanh\' far below 1e-16 in the first layer (was rank 27, std ln s 9.44 vs 14.94)'],
  ['mp-reference-saturated-orthogonal.json', 'gain 5, sigma_b 2: ln s down to -549 (was mean ln s -132.96 vs -148.13)'],
  ['mp-reference-saturated-gaussian.json', 'Gaussian gain 4, sigma_b 1 (was off by up to 21 in ln s)'],
  ['mp-reference-gain-0.01.json', 'tanh at gain 0.01, depth 100: ln m1 = -921'],
  ['mp-reference-relu-rank2.json', 'relu with rank 2 of 8'],
];

for (const [file, what] of CASES) {
  const ref = load(file);
  describe(`${what} (${ref.init}, N = ${ref.N}, L = ${ref.L}, seed ${ref.seed}) vs ${file}`, () => {
    const { draws, params, factors, trace } = net(ref.init, ref.N, ref.L, ref.seed, ref.activation, ref.gain, ref.biasStd, ref.q0);
    const tol = 1e-12 * scaleOf(ref);
    const sample = measureNetwork(draws, params);

    it(`measureNetwork gets every nonzero ln s and ln m1 to 1e-12 x ${scaleOf(ref).toFixed(0)}, with the right rank`, () => {
      const want = ref.lnS.map(num);
      expect(sample.rank).toBe(want.filter(Number.isFinite).length);
      want.forEach((v, i) => {
        if (Number.isFinite(v)) expect(Math.abs(sample.logSingularValues[i] - v)).toBeLessThan(tol);
        else expect(sample.logSingularValues[i]).toBe(-Infinity);
      });
      expect(Math.abs(sample.stats.ln_m1 - num(ref.lnM1))).toBeLessThan(tol);
    });

    it('passes its own log-det self-check, a number within its tolerance', () => {
      expect(typeof sample.logDetResidual).toBe('number');
      expect(Math.abs(sample.logDetResidual!)).toBeLessThanOrEqual(sample.logDetTolerance!);
      expect(sample.trusted).toBe(true);
    });

    if (ref.activation === 'tanh' && spreadOf(ref) > 400) {
      it('where one un-split block product is wrong by more than 1 in ln s, and the residual says so', () => {
        // the test has teeth: without the spread limit (every blockSize layers multiplied out)
        // the small rows of D are rounded away; the log-det residual sees it
        const lnS = stableLogSingularValues(factors, ref.gain, defaultBlockSize(ref.init) * 2, undefined, { spreadLimit: Infinity });
        const err = Math.max(...ref.lnS.map((v, i) => Math.abs(lnS[i] - num(v))));
        expect(err).toBeGreaterThan(1);
        const c = logDetCheck(draws, trace, ref.gain, lnS, undefined);
        expect(Math.abs(c.residual)).toBeGreaterThan(c.tolerance);
      });
    }
  });
}

describe('J = 0 exactly (relu, width 3, depth 50: a layer with every unit dead)', () => {
  const ref = load('mp-reference-relu-zero.json');
  const { draws, params } = net(ref.init, ref.N, ref.L, ref.seed, ref.activation, ref.gain, ref.biasStd, ref.q0);
  const s = measureNetwork(draws, params);

  it('has rank 0, every ln s = -inf and m1 = 0, as the reference', () => {
    expect(ref.lnS.every((v) => v === '-Infinity')).toBe(true);
    expect(s.rank).toBe(0);
    expect(Array.from(s.logSingularValues).every((v) => v === -Infinity)).toBe(true);
    expect(s.stats.m1).toBe(0);
    expect(s.stats.ln_m1).toBe(-Infinity);
    expect(s.stats.s_max).toBe(0);
  });

  it('reports var_sq_norm, s_min and the log statistics as undefined with a reason (not var_sq_norm = 1)', () => {
    for (const k of ['var_sq_norm', 's_min', 'mean_log', 'std_log', 'rms_log', 'log10_cond'] as const) {
      expect(Number.isNaN(s.stats[k])).toBe(true);
      expect(undefinedStatReason(k, 0)).toMatch(/^J = 0/);
    }
    expect(undefinedStatReason('m1', 0)).toBeNull();
    expect(undefinedStatReason('var_sq_norm', 1)).toBeNull();
  });

  it(`still checks the product (J_eps, phi' = 0 as e^-${DEAD_GAP}) by the log-det identity`, () => {
    expect(Math.abs(s.logDetResidual!)).toBeLessThanOrEqual(s.logDetTolerance!);
  });
});

describe('linear orthogonal net at gain 0.01, depth 100 (known answer: every s = g^L)', () => {
  it('ln m1 = 2 L ln g = -921.03 to 1e-12 relative, not m1 = 0', () => {
    const { draws, params } = net('orthogonal', 100, 100, 0, 'linear', 0.01);
    const s = measureNetwork(draws, params);
    const exact = 2 * 100 * Math.log(0.01);
    expect(Math.abs(s.stats.ln_m1 - exact)).toBeLessThan(1e-12 * Math.abs(exact));
    for (const v of s.logSingularValues) expect(Math.abs(v - exact / 2)).toBeLessThan(1e-12 * Math.abs(exact));
    expect(s.stats.m1).toBe(0); // e^-921 is below float64: the log is the number to print
    expect(Math.abs(s.logDetResidual!)).toBeLessThanOrEqual(s.logDetTolerance!);
  });
});

describe('the log-det self-check on every kind of network', () => {
  for (const [init, activation, gain, bias] of [
    ['gaussian', 'tanh', 1.2, 0.1],
    ['orthogonal', 'relu', 1.4, 0.1],
    ['gaussian', 'hard-tanh', 2, 0.5],
    ['orthogonal', 'tanh', 100, 100],
  ] as const) {
    it(`${init} ${activation} gain ${gain} sigma_b ${bias}: a number within its tolerance`, () => {
      const { draws, params } = net(init, 24, 24, 3, activation, gain, bias, gain === 100 ? 1e4 : 1);
      const s = measureNetwork(draws, params);
      expect(s.logDetResidual).not.toBeNull();
      expect(Math.abs(s.logDetResidual!)).toBeLessThanOrEqual(s.logDetTolerance!);
      expect(s.logDetTolerance!).toBeLessThan(1e-3);
    });
  }

  it('catches an error of 1e-6 in a single ln s (tolerance: 1e-10 per e-fold of the spectrum)', () => {
    const { draws, params, trace } = net('orthogonal', 24, 24, 3, 'tanh', 3, 1);
    const good = measureNetwork(draws, params);
    expect(good.trusted).toBe(true);
    const bad = Float64Array.from(good.logSingularValues);
    bad[12] += 1e-6;
    const c = logDetCheck(draws, trace, params.gain, bad, undefined);
    expect(c.finite).toBe(true);
    expect(Math.abs(c.residual)).toBeGreaterThan(c.tolerance);
    bad[12] = NaN;
    expect(logDetCheck(draws, trace, params.gain, bad, undefined).finite).toBe(false);
  });
});
