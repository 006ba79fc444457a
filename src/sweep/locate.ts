import { brentMin, brentRoot } from '../numeric/roots.js';
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
 * (a) m1 = 1: the root of ln m1(g). The grid only brackets it (first sign change from below); the
 * root itself comes from Brent's method on fresh evaluations, to `rootTolerance` in g.
 */
export function locateM1Root(gains: readonly number[], lnM1: readonly number[], probe: CurveProbe, o: LocateOptions): Location {
  const ok = lnM1.map(Number.isFinite);
  for (let i = 0; i + 1 < gains.length; i++) {
    if (!ok[i] || !ok[i + 1]) continue;
    if (lnM1[i] === 0) return { gain: gains[i], value: 0, evaluations: 0, note: '' };
    if (lnM1[i] * lnM1[i + 1] < 0) {
      const r = brentRoot(probe, gains[i], gains[i + 1], lnM1[i], lnM1[i + 1], o.rootTolerance);
      const changes = countSignChanges(lnM1);
      return {
        gain: r.x,
        value: 0,
        evaluations: r.evaluations,
        note: changes > 1 ? `ln m1 changes sign ${changes} times on the grid; the lowest root is reported` : '',
      };
    }
  }
  const last = lnM1.length - 1;
  if (ok[last] && lnM1[last] === 0) return { gain: gains[last], value: 0, evaluations: 0, note: '' };
  const finite = lnM1.filter(Number.isFinite);
  if (finite.length === 0) return none(`no root in ${range(gains)}: ln m1 is not finite at any gain`);
  if (finite.every((v) => v > 0)) return none(`no root in ${range(gains)}: ln m1 > 0 everywhere (gradients explode; the m1 = 1 gain is below the range)`);
  return none(`no root in ${range(gains)}: ln m1 < 0 everywhere (gradients vanish; the m1 = 1 gain is above the range)`);
}

function countSignChanges(v: readonly number[]): number {
  let n = 0;
  for (let i = 0; i + 1 < v.length; i++) if (Number.isFinite(v[i]) && Number.isFinite(v[i + 1]) && v[i] * v[i + 1] < 0) n++;
  return n;
}

/**
 * (b) minimum of rms_log(g): the grid's lowest point brackets it; Brent's minimizer (golden section
 * with parabolic steps) refines it on fresh evaluations to `minTolerance` in g. A lowest point at an
 * end of the grid means no interior minimum.
 */
export function locateMinRms(gains: readonly number[], rms: readonly number[], probe: CurveProbe, o: LocateOptions): Location {
  let best = -1;
  for (let i = 0; i < gains.length; i++) if (Number.isFinite(rms[i]) && (best < 0 || rms[i] < rms[best])) best = i;
  if (best < 0) return none(`no minimum in ${range(gains)}: rms_log is not finite at any gain`);
  if (best === 0) return none(`no minimum in ${range(gains)}: rms_log is lowest at the lower end (${gains[0]}); the minimum is below the range`);
  if (best === gains.length - 1) {
    return none(`no minimum in ${range(gains)}: rms_log is lowest at the upper end (${gains[best]}); the minimum is above the range`);
  }
  const r = brentMin(probe, gains[best - 1], gains[best], gains[best + 1], rms[best], o.minTolerance);
  return { gain: r.x, value: r.fx, evaluations: r.evaluations, note: '' };
}

/**
 * (c) maximum of frac_within_2(g). The statistic is a step function of g (it counts singular values
 * in [1/2, 2], steps of 1/N), so its maximizer is an interval, not a point. Estimator: take the
 * grid maximum M and the longest run of grid points that attain it (the first if tied); bisect each
 * edge of that run `plateauBisections` times on the predicate frac(g) >= M; report the midpoint of
 * the refined interval. Its error from the grid is at most step / 2^(k+1), far below seed scatter.
 * A run that touches an end of the grid has no interior maximum.
 */
export function locateMaxFrac(gains: readonly number[], frac: readonly number[], probe: CurveProbe, o: LocateOptions): Location {
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
  let evaluations = 0;
  const edge = (outside: number, inside: number): number => {
    let out = outside, ins = inside;
    for (let k = 0; k < o.plateauBisections; k++) {
      const mid = 0.5 * (out + ins);
      evaluations++;
      if (probe(mid) >= M) ins = mid;
      else out = mid;
    }
    return 0.5 * (out + ins);
  };
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
