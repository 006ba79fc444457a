import { describe, expect, it } from 'vitest';
import normal from '@stdlib/random-base-normal';
import mt19937 from '@stdlib/random-base-mt19937';
import { ZigguratNormal, seededState } from '../../src/random/ziggurat.js';
import { fillNormal, normalStream } from '../../src/random/streams.js';

/**
 * eoc's normal streams (src/random/ziggurat.ts) against @stdlib/random-base-normal, the generator
 * they re-implement: every value bitwise equal (Object.is, so -0 and +0 differ too), drawn one at a
 * time and in bulk, across MT19937 twists and through the ziggurat's rare paths (wedges, ~1.2% of
 * draws; the tail beyond 3.44, ~0.06%), which the counts below show were taken.
 */
function reference(key: number[]): () => number {
  return normal.factory(0, 1, { seed: key });
}

function firstDifference(a: Float64Array, b: Float64Array): number {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe('normal streams are bitwise @stdlib/random-base-normal', () => {
  it("the seeded MT19937 state is @stdlib's, word for word, for 2000 keys of 2 to 700 words", () => {
    let x = 12345;
    const word = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
    const keys: number[][] = [[0, 0], [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0, 0, 1, 0], Array.from({ length: 700 }, word)];
    for (let k = 0; k < 2000; k++) keys.push(Array.from({ length: 2 + (k % 5) }, word));
    for (const key of keys) {
      // @stdlib's state array: | version | sections | N | ...624 words | 1 | index | seed length | ...seed |
      const full = mt19937.factory({ seed: key }).state as Uint32Array;
      const want = new Int32Array(full.buffer, full.byteOffset + 3 * 4, 624);
      expect(full[624 + 4]).toBe(624); // the first draw twists, as ours
      expect(Buffer.from(seededState(key).buffer).equals(Buffer.from(want.slice().buffer)), `key [${key.slice(0, 4).join(', ')}${key.length > 4 ? ', ...' : ''}]`).toBe(true);
    }
    expect(() => seededState([1])).toThrow(/two or more uint32 words/);
    expect(() => seededState([1, -1])).toThrow(/two or more uint32 words/);
  });

  it('bulk fill, 2e6 draws per key, 4 keys; rare paths taken', () => {
    let tails = 0, slow = 0;
    for (const key of [[0, 0, 1, 0], [7, 0, 2, 3], [123456789, 1, 1, 99], [4294967295, 0, 6, 4294967295]]) {
      const ref = reference(key);
      const want = new Float64Array(2_000_000);
      for (let i = 0; i < want.length; i++) want[i] = ref();
      const gen = new ZigguratNormal(key);
      const got = gen.fill(new Float64Array(want.length));
      expect(firstDifference(got, want)).toBe(-1);
      slow += gen.slowDraws;
      for (const v of want) {
        if (Math.abs(v) > 3.442619855899) tails++;
      }
    }
    // 2 Pr(Z > 3.442619855899) = 5.7614e-4 of 8e6 draws: 4609 expected, stderr 68, 5 stderr allowed
    // (measured 4584): the tail path ran
    expect(Math.abs(tails - 4609)).toBeLessThan(5 * 68);
    // draws off the box path: the box test fails with p = mean_i (1 - X[i+1]/X[i]) = 0.0275596 (the
    // 128 blocks), and a box accept that would cross a twist (3 words not left of the 624) goes the
    // slow way too: 8e6 (p + (1 - p) 3/624) = 257878 expected, binomial stderr ~ 508; 5 stderr allowed
    // (measured 258154)
    expect(Math.abs(slow - 257_878)).toBeLessThan(5 * 508);
  }, 60_000);

  it('single draws, fills of odd lengths and a mix of both keep one sequence', () => {
    const key = [42, 0, 1, 17];
    const ref = reference(key);
    const want = new Float64Array(50_000);
    for (let i = 0; i < want.length; i++) want[i] = ref();
    const s = normalStream(42, 'weights', 17);
    const got = new Float64Array(want.length);
    let k = 0;
    for (const len of [1, 3, 623, 624, 625, 1, 1247, 5000]) {
      got.set(fillNormal(new Float64Array(len), s), k);
      k += len;
      got[k++] = s();
    }
    got.set(fillNormal(new Float64Array(want.length - k), s), k);
    expect(firstDifference(got, want)).toBe(-1);
  });

  it('one draw at a time agrees too', () => {
    const key = [1, 0, 4, 0];
    const ref = reference(key);
    const gen = new ZigguratNormal(key);
    for (let i = 0; i < 100_000; i++) expect(Object.is(gen.next(), ref())).toBe(true);
  });
});
