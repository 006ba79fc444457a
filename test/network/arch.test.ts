import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { parseArch, resolveArch } from '../../src/spec/arch.js';
import { stagesOf, widthsOf, archText, mlpLayers, jacobianSize } from '../../src/network/layers.js';
import { SpecError } from '../../src/spec/errors.js';
import { ROOT } from '../cli/run.js';

const FIX = join(ROOT, 'test/fixtures/arch');
const defaults = { init: 'orthogonal' as const, biasStd: 0.05 };

describe('--arch short grammar', () => {
  it("'784 > 512:gelu > 256:gelu > 10': input 784, two GELU layers, a linear read-out", () => {
    const net = resolveArch(parseArch('784 > 512:gelu > 256:gelu > 10'), defaults);
    expect(widthsOf(net)).toEqual([784, 512, 256, 10]);
    const st = stagesOf(net);
    expect(st.map((s) => s.activation)).toEqual(['gelu', 'gelu', 'linear']);
    expect(st.map((s) => s.fanIn)).toEqual([784, 512, 256]);
    expect(st.every((s) => s.init === 'orthogonal' && s.gain === 1 && s.biasStd === 0.05)).toBe(true);
    expect(jacobianSize(net)).toBe(10);
    expect(archText(net)).toBe('784 > 512:gelu > 256:gelu > 10');
  });

  it("'256:tanh x 60' is sixty tanh layers on a 256-wide input, the MLP's layer list exactly", () => {
    const net = resolveArch(parseArch('256:tanh x 60'), defaults);
    expect(net).toEqual(mlpLayers({ width: 256, depth: 60, activation: 'tanh', init: 'orthogonal', biasStd: 0.05 }));
    expect(archText(net)).toBe('256 > 256:tanh x 60');
    // the printed form parses back to the same list
    expect(resolveArch(parseArch(archText(net)), defaults)).toEqual(net);
  });

  it('repeat forms: x with or without spaces, * and ×; parameterized activations; case and spaces', () => {
    for (const t of ['32 > 16:relu x 3 > 4', '32>16:relu*3>4', '32 > 16:RELU ×3 > 4', ' 32 >16 : relu x3> 4 ']) {
      expect(widthsOf(resolveArch(parseArch(t), defaults))).toEqual([32, 16, 16, 16, 4]);
    }
    const st = stagesOf(resolveArch(parseArch('8 > 8:leaky-relu(0.2) x 2'), defaults));
    expect(st.map((s) => s.activation)).toEqual(['leaky-relu(0.2)', 'leaky-relu(0.2)']);
    // a bare number after the input is a linear dense layer
    expect(stagesOf(resolveArch(parseArch('8 > 4'), defaults))[0].activation).toBe('linear');
  });

  it('refuses malformed items with the item named', () => {
    const bad: [string, RegExp][] = [
      ['', /--arch is empty/],
      ['8 >', /item 2 '': empty item/],
      ['8 > 4:', /nothing after ':'/],
      ['8 > four', /'four' is not a width/],
      ['8 > 4.5', /'4.5' is not a width/],
      ['8 > 4:nope', /unknown activation 'nope'/],
      ['8', /no layers after the input width/],
      ['8 > 20000', /a width must be 1\.\.16384/],
      ['8 > 4 x 30000', /the count after 'x' must be 1\.\.20000/],
    ];
    for (const [t, re] of bad) {
      let err: unknown;
      try {
        parseArch(t);
      } catch (e) {
        err = e;
      }
      expect(err, t).toBeInstanceOf(SpecError);
      expect((err as Error).message, t).toMatch(re);
    }
  });
});

describe('--arch JSON file', () => {
  it('reads the documented form; per-layer init, gain and bias override the defaults', () => {
    const net = resolveArch(parseArch(join(FIX, 'mixed.json')), defaults);
    const st = stagesOf(net);
    expect(widthsOf(net)).toEqual([64, 96, 48, 32]);
    expect(st.map((s) => [s.init, s.gain, s.biasStd, s.activation])).toEqual([
      ['gaussian', 1.2, 0.1, 'tanh'],
      ['orthogonal', 1.5, 0.05, 'relu'],
      ['orthogonal', 1, 0.05, 'linear'],
    ]);
  });

  it('the JSON form and the short form of the same network are the same layer list', () => {
    expect(resolveArch(parseArch(join(FIX, 'mlp.json')), defaults)).toEqual(resolveArch(parseArch('784 > 512:gelu > 256:gelu > 10'), defaults));
  });

  it('refuses bad files with one line naming the file and the layer', () => {
    const cases: [string, RegExp][] = [
      ['mismatch.json', /layer 1: width mismatch/],
      ['not-json.json', /not valid JSON/],
      ['activation-first.json', /layer 0: an activation must follow a dense layer/],
      ['unknown-activation.json', /unknown activation 'swoosh'/],
      ['absent.json', /cannot read: no such file or directory/],
    ];
    for (const [f, re] of cases) {
      expect(() => parseArch(join(FIX, f)), f).toThrow(re);
    }
  });
});
