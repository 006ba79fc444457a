import exp from '@stdlib/math-base-special-exp';
import ln from '@stdlib/math-base-special-ln';

/**
 * @stdlib/random-base-normal (improved ziggurat, Doornik 2005, on @stdlib's MT19937) at mu = 0,
 * sigma = 1, re-implemented as one tight loop over typed arrays: every value is bitwise the one
 * @stdlib's generator returns for the same seed (test/core/normals.test.ts compares millions of
 * draws, wedges and tails included). @stdlib's closure costs 28-37 ns a draw here (property
 * lookups, a function call per 32-bit word); this one about 15, half of it the twist. What must stay identical:
 *  - the MT19937 state after seeding: @stdlib's key-array init (init_by_array), ported word for
 *    word below (seededState; test/core/normals.test.ts compares it with @stdlib's own state);
 *    @stdlib's generator itself is not loaded (its 60-odd modules cost ~90 ms a thread);
 *  - the twist and the tempering, word for word;
 *  - randu = ((w1 >>> 5) * 2^26 + (w2 >>> 6)) / 2^53, randi = the next word, in that order;
 *  - the block tables X and R, built as @stdlib builds them, with @stdlib's exp and ln (not
 *    Math.exp), which are also the wedge's and the tail's functions.
 */

const N = 624;
const M = 397;
// all as int32 (the same 32 bits), and x >>> k written as (x >> k) & mask: V8 keeps the twist and
// the tempering in integer registers only without uint32 intermediates (measured 4.5 us a twist and
// tempering of the 624 words with them, 1.8 without)
const UPPER_MASK = 0x80000000 | 0;
const LOWER_MASK = 0x7fffffff;
const MATRIX_A = 0x9908b0df | 0;
const TEMPER_1 = 0x9d2c5680 | 0;
const TEMPER_2 = 0xefc60000 | 0;
const TWO_26 = 67108864;
const NORMALIZE = 1 / 9007199254740992;

const BLOCKS = 128;
const R_TAIL = 3.442619855899;
/** (R phi(R) + Pr(X >= R)) sqrt(2 pi): @stdlib's V */
const V = 9.91256303526217e-3;

/** @stdlib's coords_array.js and ratio_array.js, same operations in the same order. */
function tables(): { X: Float64Array; R: Float64Array } {
  let f = exp(-0.5 * R_TAIL * R_TAIL);
  const X: number[] = [V / f, R_TAIL];
  for (let i = 2; i < BLOCKS; i++) {
    X[i] = Math.sqrt(-2.0 * ln(V / X[i - 1] + f));
    f = exp(-0.5 * X[i] * X[i]);
  }
  X.push(0.0);
  const R: number[] = [];
  for (let i = 0; i < X.length - 1; i++) R.push(X[i + 1] / X[i]);
  return { X: Float64Array.from(X), R: Float64Array.from(R) };
}

const { X, R } = tables();
/** X[i]^2, as the wedge test forms it (X[i]*X[i], one rounding) */
const X2 = X.map((x) => x * x);

/**
 * The MT19937 state @stdlib's factory({ seed: key }) starts from (key of two or more uint32 words:
 * its createState with 19650218, then initState, i.e. init_genrand and init_by_array of the
 * reference C code), as int32 words; the first draw twists it (@stdlib's index starts at N).
 */
export function seededState(key: readonly number[]): Int32Array {
  if (key.length < 2 || key.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) {
    throw new Error(`seededState: the key must be two or more uint32 words, got [${key.join(', ')}]`);
  }
  const mt = new Uint32Array(N);
  mt[0] = 19650218;
  for (let i = 1; i < N; i++) {
    const s = mt[i - 1] ^ (mt[i - 1] >>> 30);
    mt[i] = (Math.imul(s, 1812433253) >>> 0) + i;
  }
  const M = key.length;
  let i = 1, j = 0;
  for (let k = Math.max(N, M); k > 0; k--) {
    const s = mt[i - 1] ^ (mt[i - 1] >>> 30);
    mt[i] = ((mt[i] ^ (Math.imul(s, 1664525) >>> 0)) >>> 0) + key[j] + j;
    i++;
    j++;
    if (i >= N) {
      mt[0] = mt[N - 1];
      i = 1;
    }
    if (j >= M) j = 0;
  }
  for (let k = N - 1; k > 0; k--) {
    const s = mt[i - 1] ^ (mt[i - 1] >>> 30);
    mt[i] = ((mt[i] ^ (Math.imul(s, 1566083941) >>> 0)) >>> 0) - i;
    i++;
    if (i >= N) {
      mt[0] = mt[N - 1];
      i = 1;
    }
  }
  mt[0] = 0x80000000;
  return new Int32Array(mt.buffer);
}

export class ZigguratNormal {
  /** the raw MT19937 state (int32 view of @stdlib's uint32 words) */
  private readonly mt = new Int32Array(N);
  /** the tempered words of the current state (as int32: the same bits), consumed from `i` */
  private readonly words = new Int32Array(N);
  private i: number;
  /** draws that left the box fast path (a wedge or tail test, or a twist due): a test's proof the rare paths ran */
  slowDraws = 0;

  constructor(seed: readonly number[]) {
    this.mt.set(seededState(seed));
    this.i = N;
  }

  /** @stdlib's twist, then every word tempered at once */
  private twist(): void {
    const s = this.mt;
    let i = 0;
    for (; i < N - M; i++) {
      const w = (s[i] & UPPER_MASK) | (s[i + 1] & LOWER_MASK);
      s[i] = s[i + M] ^ ((w >> 1) & LOWER_MASK) ^ (-(w & 1) & MATRIX_A);
    }
    for (; i < N - 1; i++) {
      const w = (s[i] & UPPER_MASK) | (s[i + 1] & LOWER_MASK);
      s[i] = s[i - (N - M)] ^ ((w >> 1) & LOWER_MASK) ^ (-(w & 1) & MATRIX_A);
    }
    const w = (s[N - 1] & UPPER_MASK) | (s[0] & LOWER_MASK);
    s[N - 1] = s[M - 1] ^ ((w >> 1) & LOWER_MASK) ^ (-(w & 1) & MATRIX_A);
    this.i = 0;
    this.temper();
  }

  private temper(): void {
    const s = this.mt, t = this.words;
    for (let k = 0; k < N; k++) {
      let r = s[k];
      r ^= (r >> 11) & 0x1fffff; // = r >>> 11
      r ^= (r << 7) & TEMPER_1;
      r ^= (r << 15) & TEMPER_2;
      r ^= (r >> 18) & 0x3fff; // = r >>> 18
      t[k] = r;
    }
  }

  /** the next tempered 32-bit word (as uint32) */
  private word(): number {
    if (this.i >= N) this.twist();
    return this.words[this.i++] >>> 0;
  }

  private uniform(): number {
    const x = this.word() >>> 5;
    const y = this.word() >>> 6;
    return (x * TWO_26 + y) * NORMALIZE;
  }

  /** one N(0, 1) draw */
  next(): number {
    return 0 + this.draw();
  }

  /** out[k] = next() for every k, the common path (a box accept, ~97.2% of draws) inlined */
  fill(out: Float64Array): Float64Array {
    const t = this.words;
    const n = out.length;
    let i = this.i;
    for (let k = 0; k < n; k++) {
      if (i + 3 <= N) {
        const u = 2.0 * (((t[i] >>> 5) * TWO_26 + (t[i + 1] >>> 6)) * NORMALIZE) - 1.0;
        const j = t[i + 2] & 127;
        if (Math.abs(u) < R[j]) {
          i += 3;
          out[k] = 0 + u * X[j];
          continue;
        }
      }
      this.i = i;
      this.slowDraws++;
      out[k] = 0 + this.draw();
      i = this.i;
    }
    this.i = i;
    return out;
  }
  /** @stdlib's improved_ziggurat.js randn, step for step */
  private draw(): number {
    for (;;) {
      const u = 2.0 * this.uniform() - 1.0;
      const i = this.word() & 127;
      if (Math.abs(u) < R[i]) return u * X[i];
      if (i === 0) return this.tail(u < 0.0);
      const x = u * X[i];
      const x2 = x * x;
      const f0 = exp(-0.5 * (X2[i] - x2));
      const f1 = exp(-0.5 * (X2[i + 1] - x2));
      if (f1 + this.uniform() * (f0 - f1) < 1.0) return x;
    }
  }

  /** @stdlib's sample_tail.js */
  private tail(negative: boolean): number {
    let x: number, y: number;
    do {
      x = ln(this.uniform()) / R_TAIL;
      y = ln(this.uniform());
    } while (-2.0 * y < x * x);
    return negative ? x - R_TAIL : R_TAIL - x;
  }
}
