import { ZigguratNormal } from './ziggurat.js';

/**
 * Seeded N(0,1) streams. Every draw eoc makes comes from a stream named by (seed, purpose, index),
 * seeded as a Mersenne-Twister key array, so the base draws of a network depend only on its seed:
 * not on the gain, the order of evaluation or the number of workers (W(g) = g * O for the same O).
 */
export const STREAM = {
  weights: 1,
  biases: 2,
  input: 3,
  outputError: 4,
  probe: 5,
  /** the second input of a correlated pair (src/measure/correlation.ts) */
  pair: 6,
} as const;
export type StreamPurpose = keyof typeof STREAM;

/** One draw per call; `fill` (eoc's own streams) draws a whole array at once, the same values in the same order. */
export type NormalStream = (() => number) & { fill?: (out: Float64Array) => Float64Array };

/**
 * The stream's values are @stdlib/random-base-normal's (factory(0, 1, { seed: key })), bitwise:
 * src/random/ziggurat.ts is the same generator as one loop (test/core/normals.test.ts).
 */
export function normalStream(seed: number, purpose: StreamPurpose, index = 0): NormalStream {
  const key = [seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0, STREAM[purpose], index >>> 0];
  const gen = new ZigguratNormal(key);
  const draw = (() => gen.next()) as NormalStream;
  draw.fill = (out) => gen.fill(out);
  return draw;
}

/** Fill `out` with i.i.d. N(0, 1) draws from the stream. */
export function fillNormal(out: Float64Array, stream: NormalStream): Float64Array {
  if (stream.fill) return stream.fill(out);
  for (let i = 0; i < out.length; i++) out[i] = stream();
  return out;
}
