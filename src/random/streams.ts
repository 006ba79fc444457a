import normal from '@stdlib/random-base-normal';

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

export type NormalStream = () => number;

export function normalStream(seed: number, purpose: StreamPurpose, index = 0): NormalStream {
  const key = [seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0, STREAM[purpose], index >>> 0];
  const draw = normal.factory(0, 1, { seed: key });
  return () => draw();
}

/** Fill `out` with i.i.d. N(0, 1) draws from the stream. */
export function fillNormal(out: Float64Array, stream: NormalStream): Float64Array {
  for (let i = 0; i < out.length; i++) out[i] = stream();
  return out;
}
