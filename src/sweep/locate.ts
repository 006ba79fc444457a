import { brentMin, brentRoot } from '../numeric/roots.js';
import { KnownCurve, nearestWindow, polynomialAt } from '../numeric/interpolate.js';
import { spectrumStats } from '../measure/stats.js';
import type { LocateOptions } from './grid.js';

/**
 * Where one seed's curve puts the faithful gain by one criterion, or why it puts it nowhere.
 * `gain` is null when the criterion has no root/optimum strictly inside the searched range; `note`
 * then says what the curve does instead (e.g. "no root in [0.8, 1.6]: ln m1 > 0 everywhere").
 */
export interface Location {
  gain: number | null;
  /** the criterion's statistic at the located gain (ln m1, rms_log or frac_within_2) */
  value: number | null;
  /** network evaluations spent beyond the grid */
  evaluations: number;
  note: string;
}

/** Evaluate one statistic of this seed's network at a new gain (same base draws). */
export type CurveProbe = (gain: number) => number;

function range(gains: readonly number[]): string {
  return `[${gains[0]}, ${gains[gains.length - 1]}]`;
}

function none(note: string): Location {
  return { gain: null, value: null, evaluations: 0, note };
}

/**
 * (a) m1 = 1: the root of ln m1(g). The grid brackets it (first sign change from below). How the
 * root is found inside the bracket is `o.method`: 'curve' (the default) puts it on the local cubic
 * through the curve's nearest known points and polishes it with at most `o.polishEvaluations`
 * fresh evaluations, each added to the curve (polishM1Root); 'brent' runs Brent's method on fresh
 * evaluations to `rootTolerance` in g (every sweep before the curve method, and configs without
 * `method`).
 */
export function locateM1Root(gains: readonly number[], lnM1: readonly number[], probe: CurveProbe, o: LocateOptions): Location {
  const ok = lnM1.map(Number.isFinite);
  for (let i = 0; i + 1 < gains.length; i++) {
    if (!ok[i] || !ok[i + 1]) continue;
    if (lnM1[i] === 0) return { gain: gains[i], value: 0, evaluations: 0, note: '' };
    if (lnM1[i] * lnM1[i + 1] < 0) {
      const changes = countSignChanges(lnM1);
      const note = changes > 1 ? `ln m1 changes sign ${changes} times on the grid; the lowest root is reported` : '';
      if (locateMethod(o) === 'curve') return { ...polishM1Root(gains, lnM1, i, probe, o), note };
      const r = brentRoot(probe, gains[i], gains[i + 1], lnM1[i], lnM1[i + 1], o.rootTolerance);
      return { gain: r.x, value: 0, evaluations: r.evaluations, note };
    }
  }
  const last = lnM1.length - 1;
  if (ok[last] && lnM1[last] === 0) return { gain: gains[last], value: 0, evaluations: 0, note: '' };
  const finite = lnM1.filter(Number.isFinite);
  if (finite.length === 0) return none(`no root in ${range(gains)}: ln m1 is not finite at any gain`);
  if (finite.every((v) => v > 0)) return none(`no root in ${range(gains)}: ln m1 > 0 everywhere (gradients explode; the m1 = 1 gain is below the range)`);
  return none(`no root in ${range(gains)}: ln m1 < 0 everywhere (gradients vanish; the m1 = 1 gain is above the range)`);
}

/** 'curve' unless the config says 'brent' or predates the curve method (no `method`: Brent). */
export function locateMethod(o: LocateOptions): 'curve' | 'brent' {
  return o.method === 'curve' ? 'curve' : 'brent';
}

/**
 * The curve method's root: the root of the cubic through the bracket's ends and the two nearest
 * other known points; one fresh evaluation there; the point joins the curve, the bracket shrinks
 * to the known neighbours of opposite sign, and the refitted cubic's root is the next estimate.
 * When that moves the estimate by less than `rootTolerance`, the refitted root is reported (value
 * 0, as Brent's: the root of the curve through the measured points; on a smooth curve its error is
 * far below the step, ~1e-8 at a grid step of 0.05); else the estimate is evaluated in turn, for
 * at most `polishEvaluations` evaluations. A curve that is not smooth on the grid's scale (a
 * chaotic network's) may still want to move after those: Brent's method then finishes on the
 * shrunken bracket to 1e-8, with more evaluations, rather than report an unconverged gain.
 */
function polishM1Root(gains: readonly number[], lnM1: readonly number[], i: number, probe: CurveProbe, o: LocateOptions): Omit<Location, 'note'> {
  const curve = new KnownCurve(gains, lnM1);
  let a = curve.xs.indexOf(gains[i]), b = a + 1;
  const rootOf = (): number => {
    const p = curve.local(0.5 * (curve.xs[a] + curve.xs[b]), [a, b]);
    return brentRoot(p, curve.xs[a], curve.xs[b], curve.ys[a], curve.ys[b], 0, 200).x;
  };
  let x = rootOf(), evaluations = 0;
  const budget = Math.max(1, o.polishEvaluations ?? 2);
  for (;;) {
    const fx = probe(x);
    evaluations++;
    if (fx === 0) return { gain: x, value: 0, evaluations };
    if (!Number.isFinite(fx)) break;
    const j = curve.insert(x, fx);
    if (j > 0 && fx * curve.ys[j - 1] < 0) [a, b] = [j - 1, j];
    else [a, b] = [j, j + 1];
    const next = rootOf();
    if (Math.abs(next - x) < o.rootTolerance) return { gain: next, value: 0, evaluations };
    if (evaluations >= budget) break;
    x = next;
  }
  // not converged on the curve: Brent on the bracket the fresh points made
  const r = brentRoot(probe, curve.xs[a], curve.xs[b], curve.ys[a], curve.ys[b], BRENT_ROOT_TOLERANCE);
  return { gain: r.x, value: 0, evaluations: evaluations + r.evaluations };
}

/** the Brent fallback's tolerance in g (BRENT_LOCATE's) */
const BRENT_ROOT_TOLERANCE = 1e-8;

function countSignChanges(v: readonly number[]): number {
  let n = 0;
  for (let i = 0; i + 1 < v.length; i++) if (Number.isFinite(v[i]) && Number.isFinite(v[i + 1]) && v[i] * v[i + 1] < 0) n++;
  return n;
}

/**
 * (b) minimum of rms_log(g): the grid's lowest point brackets it (a lowest point at an end of the
 * grid means no interior minimum).
 * - 'curve' with the spectra (`spectra`): rms_log is a square root of a mean of squares, sharply
 *   curved at its minimum on a grid's scale, but each sorted ln s_k(g) is smooth (shared draws); so
 *   rms_log between known gains is computed from local cubics of the ln s_k (through the lowest
 *   known gain, its neighbours and the next nearest with `minWindow: 'lowest'`; through the four
 *   known gains nearest each g otherwise), minimized without evaluations, and polished with at most
 *   `polishEvaluations` fresh evaluations, each adding its spectrum to the curve, until the next
 *   step moves the gain by less than `minTolerance`. Not converged by then (a curve that is not
 *   smooth on the grid's scale): Brent's minimizer finishes on the bracket the fresh points made.
 *   Reported: the evaluated gain with the lowest measured rms_log.
 * - 'brent' (or no spectra): Brent's minimizer (golden section with parabolic steps) on fresh
 *   evaluations to `minTolerance` in g.
 */
export function locateMinRms(gains: readonly number[], rms: readonly number[], probe: CurveProbe, o: LocateOptions, spectra?: SpectrumSource): Location {
  let best = -1;
  for (let i = 0; i < gains.length; i++) if (Number.isFinite(rms[i]) && (best < 0 || rms[i] < rms[best])) best = i;
  if (best < 0) return none(`no minimum in ${range(gains)}: rms_log is not finite at any gain`);
  if (best === 0) return none(`no minimum in ${range(gains)}: rms_log is lowest at the lower end (${gains[0]}); the minimum is below the range`);
  if (best === gains.length - 1) {
    return none(`no minimum in ${range(gains)}: rms_log is lowest at the upper end (${gains[best]}); the minimum is above the range`);
  }
  const curve = locateMethod(o) === 'curve' && spectra ? SpectraCurve.of(gains, spectra) : null;
  if (curve) return { ...polishMinimum(curve, gains[best], rms[best], probe, spectra!, o), note: '' };
  const r = brentMin(probe, gains[best - 1], gains[best], gains[best + 1], rms[best], o.minTolerance);
  return { gain: r.x, value: r.fx, evaluations: r.evaluations, note: '' };
}

/**
 * Where a seed's spectra come from: the grid's (already measured) and a fresh evaluation's (the
 * network's cache makes the spectrum of a gain just probed free).
 */
export interface SpectrumSource {
  grid(gridIndex: number): ArrayLike<number>;
  at(gain: number): ArrayLike<number>;
}

function polishMinimum(curve: SpectraCurve, x0: number, y0: number, probe: CurveProbe, spectra: SpectrumSource, o: LocateOptions): Omit<Location, 'note'> {
  let bx = x0, by = y0;
  let last: number | null = null;
  let evaluations = 0;
  const budget = Math.max(1, o.polishEvaluations ?? 2);
  const fixed = o.minWindow === 'lowest';
  for (;;) {
    const j = curve.xs.indexOf(bx);
    if (j <= 0 || j >= curve.xs.length - 1) break;
    const lo = curve.xs[j - 1], hi = curve.xs[j + 1];
    const window = fixed ? nearestWindow(curve.xs, bx, 4, [j - 1, j, j + 1]) : undefined;
    const objective = (g: number) => rmsLog(curve.at(g, window));
    const m = brentMin(objective, lo, bx, hi, objective(bx), 1e-9, 200);
    const step = Math.abs(m.x - (last ?? bx));
    if (last !== null && step < o.minTolerance) return { gain: bx, value: by, evaluations };
    if (evaluations >= budget || curve.xs.includes(m.x)) {
      // not converged on the curve: Brent's minimizer on the bracket around the lowest known point
      const r = brentMin(probe, lo, bx, hi, by, o.minTolerance);
      evaluations += r.evaluations;
      if (r.fx < by) [bx, by] = [r.x, r.fx];
      return { gain: bx, value: by, evaluations };
    }
    const y = probe(m.x);
    evaluations++;
    if (!Number.isFinite(y)) break;
    curve.insert(m.x, spectra.at(m.x));
    last = m.x;
    if (y < by) [bx, by] = [m.x, y];
  }
  return { gain: bx, value: by, evaluations };
}

/** rms of the finite ln s (as spectrumStats: over the rank, exact zeros left out) */
function rmsLog(logS: ArrayLike<number>): number {
  let ss = 0, k = 0;
  for (let i = 0; i < logS.length; i++) {
    const v = logS[i];
    if (Number.isFinite(v)) {
      ss += v * v;
      k++;
    }
  }
  return k > 0 ? Math.sqrt(ss / k) : NaN;
}

/**
 * A seed's sorted spectra at its known gains (ascending), and ln s_k at any gain in between on the
 * local cubic through the four nearest known gains, each k on its own. null (of) when the spectra
 * differ in length or an ln s_k is finite at some gains and not at others (an exact zero
 * singular value that is zero at every gain stays -Infinity).
 */
export class SpectraCurve {
  readonly xs: number[] = [];
  private readonly spectra: ArrayLike<number>[] = [];

  private constructor(readonly length: number) {}

  static of(gains: readonly number[], source: SpectrumSource): SpectraCurve | null {
    const spectra = gains.map((_, i) => source.grid(i));
    const len = spectra[0]?.length ?? 0;
    if (!len || spectra.some((s) => s.length !== len)) return null;
    const c = new SpectraCurve(len);
    for (let i = 0; i < gains.length; i++) if (!c.insert(gains[i], spectra[i])) return null;
    return c;
  }

  /** false when the spectrum does not fit the others (length, finiteness pattern) */
  insert(x: number, logS: ArrayLike<number>): boolean {
    if (logS.length !== this.length) return false;
    if (this.spectra.length) {
      const ref = this.spectra[0];
      for (let k = 0; k < this.length; k++) if (Number.isFinite(ref[k]) !== Number.isFinite(logS[k])) return false;
    }
    let i = 0;
    while (i < this.xs.length && this.xs[i] < x) i++;
    if (this.xs[i] === x) this.spectra[i] = logS;
    else {
      this.xs.splice(i, 0, x);
      this.spectra.splice(i, 0, logS);
    }
    return true;
  }

  /**
   * ln s_k at g on the cubics through the known gains of `window` (indices into xs), or, without
   * one, through the four known gains nearest g (the window then changes at each known gain).
   */
  at(g: number, window?: readonly number[]): Float64Array {
    let i = 0;
    while (i + 2 < this.xs.length && this.xs[i + 1] < g) i++;
    const w = window ?? nearestWindow(this.xs, g, 4, [i, Math.min(i + 1, this.xs.length - 1)]);
    const xs = w.map((j) => this.xs[j]);
    const ys = new Array<number>(w.length);
    const out = new Float64Array(this.length);
    for (let k = 0; k < this.length; k++) {
      if (!Number.isFinite(this.spectra[w[0]][k])) {
        out[k] = this.spectra[w[0]][k];
        continue;
      }
      for (let t = 0; t < w.length; t++) ys[t] = this.spectra[w[t]][k];
      out[k] = polynomialAt(xs, ys, g);
    }
    return out;
  }
}

/**
 * (c) maximum of frac_within_2(g). The statistic is a step function of g (it counts singular values
 * in [1/2, 2], steps of 1/N), so its maximizer is an interval, not a point. Estimator: take the
 * grid maximum M and the longest run of grid points that attain it (the first if tied); refine each
 * edge of that run to a cell of width step / 2^k (k = `plateauBisections`) of the dyadic grid
 * between the last grid point outside (frac < M) and the first inside (frac >= M), with a fresh
 * evaluation at each cell end that is not a grid point showing frac < M on the outer end and
 * frac >= M on the inner one; report the midpoint of the two cells. Its error from the grid is at
 * most step / 2^(k+1). A run that touches an end of the grid has no interior maximum.
 * How the cell is found is `o.plateau`:
 * - 'bisection' (and configs without `plateau`): k bisections on fresh evaluations;
 * - 'predicted' (with the spectra): the same k bisections run on frac_within_2 of the spectra
 *   interpolated between known gains (SpectraCurve, free), predicting the cell; fresh evaluations
 *   then check its ends (the outer first), and where one disagrees, bisection goes on on fresh
 *   evaluations from the interval it leaves. Where frac(g) >= M is monotone on the edge's interval
 *   both give the same cell (the one cell where the predicate changes); otherwise each gives a cell
 *   where it changes. Interpolated spectra alone would not do: between grid gains their count
 *   steps up and down around M at other places than the measured one (up to 0.02 in g apart at
 *   N = 64, L = 30 to 100, grid step 0.05), which is why the prediction is only ever a guess to check.
 */
export function locateMaxFrac(gains: readonly number[], frac: readonly number[], probe: CurveProbe, o: LocateOptions, spectra?: SpectrumSource): Location {
  const n = gains.length;
  let M = -Infinity;
  for (const f of frac) if (Number.isFinite(f) && f > M) M = f;
  if (!(M > 0)) return none(`no maximum in ${range(gains)}: frac_within_2 = 0 at every gain`);
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < n; ) {
    if (frac[i] === M) {
      let j = i;
      while (j + 1 < n && frac[j + 1] === M) j++;
      if (j - i + 1 > bestLen) {
        bestStart = i;
        bestLen = j - i + 1;
      }
      i = j + 1;
    } else i++;
  }
  const a = bestStart, b = bestStart + bestLen - 1;
  if (a === 0 || b === n - 1) {
    const where = a === 0 && b === n - 1 ? 'at every gain' : a === 0 ? `at the lower end (${gains[0]})` : `at the upper end (${gains[n - 1]})`;
    return none(`no interior maximum in ${range(gains)}: frac_within_2 reaches its largest value ${M} ${where}`);
  }
  const k = o.plateauBisections;
  const curve = o.plateau === 'predicted' && spectra ? SpectraCurve.of(gains, spectra) : null;
  let evaluations = 0;
  // the edge between grid gains `outside` (frac < M) and `inside` (frac >= M): bisected on fresh
  // evaluations, or on the dyadic points x_j = outside + j (inside - outside) / 2^k from the
  // predicted cell (lo, hi: indices known to be outside and inside)
  const bisect = (outside: number, inside: number): number => {
    let out = outside, ins = inside;
    for (let i = 0; i < k; i++) {
      const mid = 0.5 * (out + ins);
      evaluations++;
      if (probe(mid) >= M) ins = mid;
      else out = mid;
    }
    return 0.5 * (out + ins);
  };
  const predicted = (outside: number, inside: number): number => {
    const cells = 2 ** k;
    const at = (j: number): number => (j === cells ? inside : outside + (j / cells) * (inside - outside));
    const fresh = (j: number): boolean => {
      evaluations++;
      return probe(at(j)) >= M;
    };
    let plo = 0, phi = cells;
    while (phi - plo > 1) {
      const mid = (plo + phi) >> 1;
      const logS = curve!.at(at(mid));
      if (spectrumStats(logS, logS.length).frac_within_2 >= M) phi = mid;
      else plo = mid;
    }
    // check the predicted cell's outer end, then its inner one
    let lo = 0, hi = cells;
    if (plo > 0 && fresh(plo)) hi = plo;
    else {
      lo = plo;
      if (phi < cells && !fresh(phi)) lo = phi;
      else hi = phi;
    }
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (fresh(mid)) hi = mid;
      else lo = mid;
    }
    return 0.5 * (at(lo) + at(hi));
  };
  const edge = curve ? predicted : bisect;
  const lo = edge(gains[a - 1], gains[a]);
  const hi = edge(gains[b + 1], gains[b]);
  return { gain: 0.5 * (lo + hi), value: M, evaluations, note: '' };
}

/**
 * A bracket a < m < c of a minimum of f with f(m) <= f(a), f(c), from x0 (f(x0) = f0 known): a
 * step of h downhill (down first), growing by the golden ratio while f keeps falling. Spends at most
 * `maxEvaluations` evaluations; without a bracket by then it returns the lowest point seen (a
 * minimum at or beyond the last step). Used by eoc check, which cannot afford a grid.
 */
export function bracketMinimum(
  f: (x: number) => number,
  x0: number,
  f0: number,
  h: number,
  maxEvaluations: number,
): { bracket: [{ x: number; y: number }, { x: number; y: number }, { x: number; y: number }] | null; best: { x: number; y: number }; evaluations: number } {
  let evaluations = 0;
  const at = (x: number) => {
    evaluations++;
    return { x, y: f(x) };
  };
  const p0 = { x: x0, y: f0 };
  if (maxEvaluations < 1) return { bracket: null, best: p0, evaluations };
  const down = at(x0 - h);
  let dir: number, prev: { x: number; y: number }, cur: { x: number; y: number };
  if (down.y < p0.y) {
    dir = -1;
    prev = p0;
    cur = down;
  } else {
    if (evaluations >= maxEvaluations) return { bracket: null, best: p0, evaluations };
    const up = at(x0 + h);
    if (!(up.y < p0.y)) return { bracket: [down, p0, up], best: p0, evaluations };
    dir = 1;
    prev = p0;
    cur = up;
  }
  let step = h;
  while (evaluations < maxEvaluations) {
    step *= 1.618033988749895;
    const next = at(cur.x + dir * step);
    if (!(next.y < cur.y)) {
      const [a, c] = dir < 0 ? [next, prev] : [prev, next];
      return { bracket: [a, cur, c], best: cur, evaluations };
    }
    prev = cur;
    cur = next;
  }
  return { bracket: null, best: cur, evaluations };
}
