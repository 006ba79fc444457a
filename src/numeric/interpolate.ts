/**
 * Local polynomial interpolation of a curve known at a few points: the sweep locates each seed's
 * faithful gain on the curve it already measured (src/sweep/locate.ts), and this is the curve
 * between the measured gains. A local cubic through the four known points nearest the place of
 * interest: error O(h^4 f'''') for a smooth curve sampled every h, so the located gain needs only
 * one or two fresh evaluations to polish it.
 */

/** The value at x of the polynomial through (xs[i], ys[i]) (Neville's scheme; xs distinct). */
export function polynomialAt(xs: readonly number[], ys: readonly number[], x: number): number {
  const n = xs.length;
  const p = ys.slice();
  for (let k = 1; k < n; k++) {
    for (let i = 0; i + k < n; i++) {
      p[i] = ((x - xs[i + k]) * p[i] + (xs[i] - x) * p[i + 1]) / (xs[i] - xs[i + k]);
    }
  }
  return p[0];
}

/**
 * Indices (ascending) of the `count` points of the ascending list xs nearest to `at` that include
 * `must` (indices that have to be in the set, e.g. the two ends of a bracket): the set grows from
 * `must` one neighbour at a time toward whichever side is nearer to `at`.
 */
export function nearestWindow(xs: readonly number[], at: number, count: number, must: readonly number[]): number[] {
  let lo = Math.min(...must), hi = Math.max(...must);
  while (hi - lo + 1 < Math.min(count, xs.length)) {
    const left = lo > 0 ? Math.abs(at - xs[lo - 1]) : Infinity;
    const right = hi < xs.length - 1 ? Math.abs(xs[hi + 1] - at) : Infinity;
    if (left <= right) lo--;
    else hi++;
  }
  const out: number[] = [];
  for (let i = lo; i <= hi; i++) out.push(i);
  return out;
}

/** Sorted known points of a curve: insert keeps them ascending in x and distinct. */
export class KnownCurve {
  readonly xs: number[] = [];
  readonly ys: number[] = [];

  constructor(xs: readonly number[], ys: readonly number[]) {
    for (let i = 0; i < xs.length; i++) if (Number.isFinite(ys[i])) this.insert(xs[i], ys[i]);
  }

  insert(x: number, y: number): number {
    let i = 0;
    while (i < this.xs.length && this.xs[i] < x) i++;
    if (this.xs[i] === x) {
      this.ys[i] = y;
      return i;
    }
    this.xs.splice(i, 0, x);
    this.ys.splice(i, 0, y);
    return i;
  }

  /** The local interpolant (degree <= 3) through the 4 known points nearest `at`, including `must`. */
  local(at: number, must: readonly number[], count = 4): (x: number) => number {
    const w = nearestWindow(this.xs, at, count, must);
    const xs = w.map((i) => this.xs[i]), ys = w.map((i) => this.ys[i]);
    return (x) => polynomialAt(xs, ys, x);
  }
}
