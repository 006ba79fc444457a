import { describe, it, expect } from 'vitest';
import { eoc } from './run.js';

/**
 * Two inputs through the net (issue 12): eoc spectrum --c0 measures c^l per layer beside the
 * mean-field correlation map. Tolerance: 4 standard errors over seeds plus 0.01 (finite width:
 * O(1/N) per layer; at N = 512, g = 1.5 the differences were -2.35 standard errors at layer 1, whose
 * stderr is tiny, and within 0.6 at the others).
 */
interface Doc {
  schema: string;
  correlation?: { c0: number };
  layers: { c?: { mean: number; stderr: number } }[];
  theory: { c?: number[] };
  samples: { layers: { c?: number }[] }[];
}

function spectrum(args: string[]): Doc {
  const r = eoc(['spectrum', ...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe('eoc spectrum --c0', () => {
  for (const [gain, phase] of [
    ['1.5', 'chaotic'],
    ['0.8', 'ordered'],
  ]) {
    it(`tanh at g = ${gain}, sigma_b = 0.05 (${phase}): measured c^l within 4 stderr + 0.01 of the theory at every layer`, () => {
      const d = spectrum(['--depth', '12', '--width', '512', '--gain', gain, '--bias-std', '0.05', '--c0', '0.5', '--seeds', '6', '--method', 'matrix-free']);
      expect(d.schema).toBe('eoc.spectrum/3');
      expect(d.correlation).toEqual({ c0: 0.5 });
      expect(d.theory.c).toHaveLength(12);
      d.layers.forEach((l, i) => {
        expect(Math.abs(l.c!.mean - d.theory.c![i]), `layer ${i + 1}: ${l.c!.mean} ± ${l.c!.stderr} vs ${d.theory.c![i]}`).toBeLessThan(4 * l.c!.stderr + 0.01);
      });
      // the first layer's correlation is exact up to the shared bias draw: (g^2 q0 c0 + b^2)/q^1
      expect(Math.abs(d.layers[0].c!.mean - d.theory.c![0])).toBeLessThan(0.01);
    });
  }

  it('without --c0 the document is eoc.spectrum/2 and has no c', () => {
    const d = spectrum(['--depth', '3', '--width', '8', '--seeds', '2']);
    expect(d.schema).toBe('eoc.spectrum/2');
    expect(d.layers[0].c).toBeUndefined();
    expect(d.theory.c).toBeUndefined();
  });

  it('a layer list too: c^l through 256 > 512:tanh > 384:relu > 256 beside the layer-list correlation map', () => {
    const d = spectrum(['--arch', '256 > 512:tanh > 384:relu > 256', '--gain', '1.3', '--bias-std', '0.1', '--c0', '0.3', '--seeds', '6']);
    expect(d.theory.c).toHaveLength(3);
    d.layers.forEach((l, i) => expect(Math.abs(l.c!.mean - d.theory.c![i]), `layer ${i + 1}`).toBeLessThan(4 * l.c!.stderr + 0.01));
  });
});
