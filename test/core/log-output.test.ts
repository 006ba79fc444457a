import { describe, it, expect } from 'vitest';
import { numFromLog, outOfRange, pmPositive } from '../../cli/format.js';
import { spectrumText } from '../../cli/commands/spectrum.js';
import { runSpectrum } from '../../src/measure/run-spectrum.js';
import { spectrumDocument } from '../../src/io/spectrum-document.js';
import { toJson } from '../../src/io/json.js';
import { DEFAULT_SPEC, type NetworkSpec } from '../../src/spec/types.js';

describe('values beyond float64 print from their logs, never as 0', () => {
  it('numFromLog writes e^ln as a decimal with its log (known answers)', () => {
    expect(numFromLog(-400 * Math.LN10)).toBe('1.0000e-400 (ln -921.03)');
    expect(numFromLog(Math.log(2.5) + 1000 * Math.LN10)).toBe('2.5000e+1000 (ln 2303.5)');
    expect(numFromLog(Math.log(9.99999)  - 500 * Math.LN10)).toBe('1.0000e-499 (ln -1149)');
    expect(numFromLog(-Infinity)).toBe('0');
    expect(numFromLog(NaN)).toBe('n/a');
  });

  it('outOfRange is true exactly where exp leaves the normal float64 range', () => {
    expect(outOfRange(-700)).toBe(false);
    expect(outOfRange(-709)).toBe(true);
    expect(outOfRange(710)).toBe(true);
    expect(outOfRange(-Infinity)).toBe(false);
  });

  it('pmPositive keeps the linear form in range and switches to the log form out of it', () => {
    const lin = { mean: 0.5, stderr: 0.1, n: 2 };
    expect(pmPositive(lin, [Math.log(0.4), Math.log(0.6)], { mean: -0.7, stderr: 0.2, n: 2 })).toBe('0.5 ± 0.1');
    expect(pmPositive({ mean: 0, stderr: 0, n: 2 }, [-921, -921.1], { mean: -921.05, stderr: 0.05, n: 2 })).toBe('9.8416e-401 (ln -921.05 ± 0.05)');
  });
});

describe('eoc spectrum text and JSON at the edges (in-process)', () => {
  const spec = (over: Partial<NetworkSpec>): NetworkSpec => ({ ...DEFAULT_SPEC, seeds: 1, ...over });

  it('m1 = e^-921 (linear, gain 0.01, depth 100) prints as 1.0000e-400, the log-det check with its tolerance', () => {
    const run = runSpectrum(spec({ activation: 'linear', gain: 0.01, depth: 100, width: 20 }), 1);
    const text = spectrumText(run);
    const m1Row = text.split('\n').find((l) => l.trim().startsWith('m1 '))!;
    expect(m1Row).toContain('1.0000e-400 (ln -921.03)');
    expect(text).toMatch(/log-det self-check: max \|residual\| \S+ over 1 seed \(tolerance \S+\): passed/);
    const doc = JSON.parse(toJson(spectrumDocument(run)));
    expect(doc.trust).toBe(true);
    expect(doc.warnings).toEqual([]);
    expect(typeof doc.samples[0].logDetResidual).toBe('number');
    expect(typeof doc.samples[0].logDetTolerance).toBe('number');
  });

  it('J = 0 (relu, width 3, depth 50): n/a with the reason, a numeric residual for relu', () => {
    const run = runSpectrum(spec({ activation: 'relu', width: 3, depth: 50 }), 1);
    expect(run.samples[0].rank).toBe(0);
    const text = spectrumText(run);
    expect(text.split('\n').find((l) => l.trim().startsWith('var_sq_norm'))).toContain('n/a (J = 0');
    expect(text.split('\n').find((l) => l.trim().startsWith('s_min'))).toContain('n/a (J = 0');
    const doc = JSON.parse(toJson(spectrumDocument(run)));
    expect(typeof doc.samples[0].logDetResidual).toBe('number');
    expect(doc.samples[0].undefinedStats.var_sq_norm).toMatch(/^J = 0/);
  });
});
