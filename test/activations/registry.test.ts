import { describe, expect, it } from 'vitest';
import { activation, ACTIVATION_FAMILIES, DEFAULT_ACTIVATION_NAMES, parseActivationName, tryActivation } from '../../src/activations/registry.js';
import { activation as networkActivation } from '../../src/network/activations.js';
import { SpecError } from '../../src/spec/errors.js';
import { ACTIVATIONS } from '../../src/spec/types.js';

describe('activation labels', () => {
  it('canonical names: parameterless bare, parameterized always with the parameter (String(x))', () => {
    expect(parseActivationName('tanh', '--activation')).toBe('tanh');
    expect(parseActivationName(' TANH ', '--activation')).toBe('tanh');
    expect(parseActivationName('leaky-relu', '--activation')).toBe('leaky-relu(0.01)');
    expect(parseActivationName('Leaky-ReLU( 0.2 )', '--activation')).toBe('leaky-relu(0.2)');
    expect(parseActivationName('leaky-relu(2e-1)', '--activation')).toBe('leaky-relu(0.2)');
    expect(parseActivationName('elu', '--activation')).toBe('elu(1)');
    expect(parseActivationName('elu(0.50)', '--activation')).toBe('elu(0.5)');
    expect(parseActivationName('hardtanh', '--activation')).toBe('hard-tanh');
    expect(parseActivationName('swish', '--activation')).toBe('silu');
    expect(parseActivationName('lrelu(0.1)', '--activation')).toBe('leaky-relu(0.1)');
    expect(parseActivationName('gelu_tanh', '--activation')).toBe('gelu-tanh');
  });

  it('memoized: every spelling of one activation is the same object', () => {
    expect(activation('leaky-relu')).toBe(activation('leaky-relu(0.01)'));
    expect(activation('ELU')).toBe(activation('elu(1)'));
    expect(activation('swish')).toBe(activation('silu'));
  });

  it('ACTIVATIONS (src/spec/types.ts) is every family at its default parameters, and each parses to itself', () => {
    expect([...ACTIVATIONS]).toEqual([...DEFAULT_ACTIVATION_NAMES]);
    expect(ACTIVATIONS.slice(0, 4)).toEqual(['tanh', 'linear', 'relu', 'hard-tanh']);
    expect(new Set(ACTIVATION_FAMILIES.map((f) => f.family)).size).toBe(ACTIVATION_FAMILIES.length);
    for (const n of ACTIVATIONS) {
      expect(parseActivationName(n, 'x')).toBe(n);
      expect(activation(n).name).toBe(n);
    }
  });

  it('bad labels: a SpecError of one line naming the parameter and what is wrong', () => {
    const cases: [string, RegExp][] = [
      ['sigmoidal', /^--activation: unknown activation 'sigmoidal' \(known: tanh, linear, relu, hard-tanh, leaky-relu\(slope=0.01\), .*elu\(alpha=1\), mish;/],
      ['', /--activation needs a value/],
      ['tanh(2)', /tanh takes no parameter/],
      ['leaky-relu(-0.1)', /leaky-relu's slope must be a finite number >= 0 other than 1 \(1 is linear\), got '-0.1'/],
      ['leaky-relu(1)', /leaky-relu's slope must be/],
      ['leaky-relu(abc)', /leaky-relu's slope must be .* got 'abc'/],
      ['leaky-relu()', /leaky-relu's slope must be .* got ''/],
      ['elu(0)', /elu's alpha must be a finite number > 0, got '0'/],
      ['elu(Infinity)', /elu's alpha must be/],
      ['elu(1,2)', /elu takes 1 parameter \(alpha\)/],
      ['relu)', /unknown activation/],
    ];
    for (const [raw, re] of cases) {
      let err: unknown;
      try {
        parseActivationName(raw, '--activation');
      } catch (e) {
        err = e;
      }
      expect(err, raw).toBeInstanceOf(SpecError);
      expect((err as Error).message, raw).toMatch(re);
      expect((err as Error).message.includes('\n')).toBe(false);
    }
    expect(tryActivation('mixed')).toBeUndefined();
  });
});

describe('the four original activations are bitwise what src/network/activations.ts always computed', () => {
  // the pre-registry implementation, copied verbatim
  const lnTanhPrime = (h: number): number => {
    const a = Math.abs(h);
    return 2 * Math.LN2 - 2 * a - 2 * Math.log1p(Math.exp(-2 * a));
  };
  const OLD: Record<string, { phi: (h: number) => number; dphi: (h: number) => number; ln: (h: number) => number; canVanish: boolean }> = {
    tanh: {
      phi: Math.tanh,
      dphi: (h) => (Math.abs(h) >= 2 ? Math.exp(lnTanhPrime(h)) : 1 - Math.tanh(h) * Math.tanh(h)),
      ln: (h) => (Math.abs(h) >= 2 ? lnTanhPrime(h) : Math.log(1 - Math.tanh(h) * Math.tanh(h))),
      canVanish: false,
    },
    linear: { phi: (h) => h, dphi: () => 1, ln: () => 0, canVanish: false },
    relu: { phi: (h) => (h > 0 ? h : 0), dphi: (h) => (h > 0 ? 1 : 0), ln: (h) => (h > 0 ? 0 : -Infinity), canVanish: true },
    'hard-tanh': {
      phi: (h) => (h > 1 ? 1 : h < -1 ? -1 : h),
      dphi: (h) => (h > -1 && h < 1 ? 1 : 0),
      ln: (h) => (h > -1 && h < 1 ? 0 : -Infinity),
      canVanish: true,
    },
  };
  const points = [0, -0, 1, -1, 2, -2, 19, -19, 25, 1e-300, -1e-300, 0.5, 1.999999, 1e10, -1e10, Infinity, -Infinity, ...Array.from({ length: 400 }, (_, i) => -25 + i * 0.1251)];
  for (const [name, old] of Object.entries(OLD)) {
    it(name, () => {
      const a = networkActivation(name);
      expect(a.name).toBe(name);
      expect(a.canVanish).toBe(old.canVanish);
      for (const h of points) {
        expect(Object.is(a.phi(h), old.phi(h)), `phi ${h}`).toBe(true);
        expect(Object.is(a.dphi(h), old.dphi(h)), `dphi ${h}`).toBe(true);
        expect(Object.is(a.logDerivative(h), old.ln(h)), `ln ${h}`).toBe(true);
      }
    });
  }
});

describe('traits and torch gains', () => {
  it('torch.nn.init.calculate_gain where torch has one, null elsewhere', () => {
    expect(activation('linear').torchGain).toBe(1);
    expect(activation('sigmoid').torchGain).toBe(1);
    expect(activation('tanh').torchGain).toBe(5 / 3);
    expect(activation('relu').torchGain).toBe(Math.SQRT2);
    expect(activation('leaky-relu').torchGain).toBeCloseTo(Math.sqrt(2 / (1 + 0.01 ** 2)), 15);
    expect(activation('leaky-relu(0.2)').torchGain).toBeCloseTo(Math.sqrt(2 / 1.04), 15);
    expect(activation('selu').torchGain).toBe(0.75);
    for (const n of ['gelu', 'gelu-tanh', 'silu', 'elu', 'softplus', 'mish', 'erf', 'hard-tanh']) expect(activation(n).torchGain).toBeNull();
  });

  it('traits: homogeneous exactly for linear, relu, leaky-relu; bounded for tanh, hard-tanh, erf, sigmoid; odd ones are odd', () => {
    const homogeneous = DEFAULT_ACTIVATION_NAMES.filter((n) => activation(n).traits.homogeneous);
    expect(homogeneous).toEqual(['linear', 'relu', 'leaky-relu(0.01)']);
    const bounded = DEFAULT_ACTIVATION_NAMES.filter((n) => activation(n).traits.bounded);
    expect(bounded).toEqual(['tanh', 'hard-tanh', 'erf', 'sigmoid']);
    for (const n of DEFAULT_ACTIVATION_NAMES) {
      const a = activation(n);
      expect(a.canVanish).toBe(a.traits.canVanish);
      for (const h of [0.3, 1.7, 5.2]) {
        if (a.traits.odd) expect(a.phi(-h)).toBe(-a.phi(h));
        else expect(a.phi(-h)).not.toBe(-a.phi(h));
        if (a.traits.homogeneous) expect(a.phi(3 * h)).toBeCloseTo(3 * a.phi(h), 14);
        if (a.traits.bounded) expect(Math.abs(a.phi(1e6 * h))).toBeLessThanOrEqual(1);
      }
      if (a.traits.derivativeSquaredValues) {
        for (const h of [-3, -0.5, 0.5, 3]) expect(a.traits.derivativeSquaredValues).toContain(a.dphi(h) ** 2);
      }
    }
  });
});
