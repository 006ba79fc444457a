import { createRequire } from 'node:module';

/**
 * @stdlib's erf and erfc, loaded on the first call: importing them costs about 0.1 s of each
 * thread's start-up (their module trees), and most runs (a tanh net's evaluations, eoc check's
 * search) never call them. The functions are @stdlib's own, so the values are unchanged.
 */
type Scalar = (x: number) => number;
const require = createRequire(import.meta.url);
let erfImpl: Scalar | null = null;
let erfcImpl: Scalar | null = null;

/** the Gauss error function (@stdlib/math-base-special-erf) */
export function erf(x: number): number {
  return (erfImpl ??= require('@stdlib/math-base-special-erf') as Scalar)(x);
}

/** the complementary error function 1 - erf(x), accurate in the upper tail (@stdlib/math-base-special-erfc) */
export function erfc(x: number): number {
  return (erfcImpl ??= require('@stdlib/math-base-special-erfc') as Scalar)(x);
}
