/**
 * The one set of scalar solvers in eoc (Brent 1973): the theory's fixed points and critical lines,
 * the sweep's per-seed located gains and mean-field gains all go through here. In a sweep each
 * evaluation of f is a full network analysis (O(L N^3)), so both solvers count their evaluations
 * and reuse the values already known at the bracket.
 */

/**
 * Brent's root finder (zeroin) on [a, b] with f(a), f(b) of opposite signs, already evaluated.
 * Stops when the bracket is below `xTol` (absolute, in x) or f is exactly 0.
 */
export function brentRoot(
  f: (x: number) => number,
  a: number,
  b: number,
  fa: number,
  fb: number,
  xTol: number,
  maxEval = 100,
): { x: number; evaluations: number; converged: boolean } {
  if (fa === 0) return { x: a, evaluations: 0, converged: true };
  if (fb === 0) return { x: b, evaluations: 0, converged: true };
  if (!(fa * fb < 0)) throw new Error(`brentRoot: [${a}, ${b}] does not bracket a root`);
  let c = a, fc = fa, d = b - a, e = d;
  let evaluations = 0;
  for (;;) {
    if (fb * fc > 0) {
      c = a; fc = fa; d = b - a; e = d;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b; b = c; c = a;
      fa = fb; fb = fc; fc = fa;
    }
    const tol = 2 * Number.EPSILON * Math.abs(b) + 0.5 * xTol;
    const m = 0.5 * (c - b);
    if (Math.abs(m) <= tol || fb === 0) return { x: b, evaluations, converged: true };
    if (evaluations >= maxEval) return { x: b, evaluations, converged: false };
    if (Math.abs(e) >= tol && Math.abs(fa) > Math.abs(fb)) {
      const s = fb / fa;
      let p: number, q: number;
      if (a === c) {
        p = 2 * m * s;
        q = 1 - s;
      } else {
        const qq = fa / fc, r = fb / fc;
        p = s * (2 * m * qq * (qq - r) - (b - a) * (r - 1));
        q = (qq - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (2 * p < Math.min(3 * m * q - Math.abs(tol * q), Math.abs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = m; e = m;
      }
    } else {
      d = m; e = m;
    }
    a = b; fa = fb;
    b += Math.abs(d) > tol ? d : m > 0 ? tol : -tol;
    fb = f(b);
    evaluations++;
  }
}

/**
 * brentRoot on [lo, hi], evaluating f at both ends first; throws when [lo, hi] does not bracket a
 * root or Brent does not converge in `maxIterations` evaluations (in the theory a bad bracket is a
 * bug we want to hear about loudly). `xTolerance` 0 (the default) means full double precision.
 */
export function brentRootIn(f: (x: number) => number, lo: number, hi: number, options: { xTolerance?: number; maxIterations?: number } = {}): number {
  const fa = f(lo);
  const fb = f(hi);
  if (!(fa === 0 || fb === 0 || fa * fb < 0)) throw new Error(`brentRoot: [${lo}, ${hi}] does not bracket a root (f = ${fa}, ${fb})`);
  const r = brentRoot(f, lo, hi, fa, fb, options.xTolerance ?? 0, options.maxIterations ?? 200);
  if (!r.converged) throw new Error('brentRoot: no convergence');
  return r.x;
}

/**
 * Brent's minimizer (fmin: golden section with parabolic steps) on the bracket a < x < c with
 * f(x) below f(a) and f(c); fx is already known. Stops when x is known to within `xTol`.
 */
export function brentMin(
  f: (x: number) => number,
  a: number,
  x: number,
  c: number,
  fx: number,
  xTol: number,
  maxEval = 100,
): { x: number; fx: number; evaluations: number } {
  const golden = 0.381966011250105;
  let lo = a, hi = c;
  let w = x, v = x, fw = fx, fv = fx;
  let d = 0, e = 0;
  let evaluations = 0;
  for (;;) {
    const xm = 0.5 * (lo + hi);
    const tol1 = Math.sqrt(Number.EPSILON) * Math.abs(x) * 1e-4 + xTol / 3;
    const tol2 = 2 * tol1;
    if (Math.abs(x - xm) <= tol2 - 0.5 * (hi - lo) || evaluations >= maxEval) return { x, fx, evaluations };
    let useGolden = true;
    if (Math.abs(e) > tol1) {
      const r = (x - w) * (fx - fv);
      let q = (x - v) * (fx - fw);
      let p = (x - v) * q - (x - w) * r;
      q = 2 * (q - r);
      if (q > 0) p = -p;
      q = Math.abs(q);
      const eTmp = e;
      e = d;
      if (!(Math.abs(p) >= Math.abs(0.5 * q * eTmp) || p <= q * (lo - x) || p >= q * (hi - x))) {
        d = p / q;
        const u = x + d;
        if (u - lo < tol2 || hi - u < tol2) d = xm - x >= 0 ? tol1 : -tol1;
        useGolden = false;
      }
    }
    if (useGolden) {
      e = x >= xm ? lo - x : hi - x;
      d = golden * e;
    }
    const u = Math.abs(d) >= tol1 ? x + d : x + (d >= 0 ? tol1 : -tol1);
    const fu = f(u);
    evaluations++;
    if (fu <= fx) {
      if (u >= x) lo = x;
      else hi = x;
      v = w; fv = fw;
      w = x; fw = fx;
      x = u; fx = fu;
    } else {
      if (u < x) lo = u;
      else hi = u;
      if (fu <= fw || w === x) {
        v = w; fv = fw;
        w = u; fw = fu;
      } else if (fu <= fv || v === x || v === w) {
        v = u; fv = fu;
      }
    }
  }
}
