import { describe, it, expect, afterEach } from 'vitest';
import { setBackend, backendInfo, backend } from '../../src/linalg/select.js';
import { sampleBaseDraws } from '../../src/network/sampler.js';
import { measureNetwork } from '../../src/measure/network.js';

/**
 * Absent backends, simulated with EOC_BACKEND_DISABLE: the chosen backend falls back in the order
 * native -> wasm -> js, says so, and gives bit-for-bit the results of running the fallback directly.
 * Base draws (Haar QR) are bitwise the same on every backend.
 */
const params = { activation: 'tanh' as const, gain: 1.1, biasStd: 0.05, q0: 1 };
function run() {
  const draws = sampleBaseDraws('orthogonal', 24, 12, 5);
  return { draws, sample: measureNetwork(draws, params) };
}
const bytes = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

afterEach(() => {
  delete process.env.EOC_BACKEND_DISABLE;
  setBackend();
});

describe('backend fallback', () => {
  it('with wasm and native absent, native requested runs the reference with identical results', () => {
    setBackend('js');
    const ref = run();
    process.env.EOC_BACKEND_DISABLE = 'wasm,native';
    const info = setBackend('native');
    expect(info.name).toBe('js');
    expect(info.fallback).toMatch(/native.*wasm/);
    expect(backend().name).toBe('js');
    const got = run();
    expect(bytes(got.sample.logSingularValues).equals(bytes(ref.sample.logSingularValues))).toBe(true);
    got.draws.weights.forEach((w, l) => expect(bytes(w.data).equals(bytes(ref.draws.weights[l].data))).toBe(true));
  });

  it('with native absent, native requested runs wasm with the same results as wasm', () => {
    setBackend('wasm');
    const ref = run();
    process.env.EOC_BACKEND_DISABLE = 'native';
    expect(setBackend('native').name).toBe('wasm');
    expect(backendInfo().requested).toBe('native');
    const got = run();
    expect(bytes(got.sample.logSingularValues).equals(bytes(ref.sample.logSingularValues))).toBe(true);
  });

  it('draws are bitwise identical on js and wasm, and the spectra agree to 1e-10 in ln s', () => {
    setBackend('js');
    const a = run();
    setBackend('wasm');
    const b = run();
    b.draws.weights.forEach((w, l) => expect(bytes(w.data).equals(bytes(a.draws.weights[l].data))).toBe(true));
    a.sample.logSingularValues.forEach((v, i) => expect(Math.abs(b.sample.logSingularValues[i] - v)).toBeLessThan(1e-10));
  });

  it('rejects an unknown backend name', () => {
    expect(() => setBackend('cuda' as never)).toThrow(/unknown backend/);
  });
});
