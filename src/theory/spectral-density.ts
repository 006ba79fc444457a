import { SpecError } from '../spec/errors.js';
import type { ActivationName, InitName } from '../spec/types.js';
import { type Complex, abs, add, complex, div, log, mul, wrapAngle } from './complex.js';
import {
  DEFAULT_TANH_BINS,
  lawIsPointMass,
  lawMassAtZero,
  lawMax,
  lawMoment,
  mTransform,
  squaredDerivativeLaw,
  type SquaredDerivativeLaw,
} from './squared-derivative-law.js';

/**
 * Free-probability density of the eigenvalues lambda = s^2 of JJ^T for a depth-L network whose
 * layers all sit at the same variance q (docs/science.md section 6, Pennington et al. 2017/2018).
 *
 * With m = M_{JJ^T}(z) = M_{D^2}(x) the multiplicativity of S-transforms becomes one equation in x:
 *   orthogonal: z = sigma_w^{2L} x^L (m/(1+m))^{L-1}
 *   Gaussian:   z = sigma_w^{2L} x^L (1+m) m^{L-1}
 * solved in y = ln x as F(y) = ln(rhs) - ln z = 0 (mod 2 pi i; logs taken term by term and the
 * imaginary part wrapped, so nothing overflows at large L), by Newton with continuation from above
 * the support downwards. The density follows from rho(lambda) = -Im m / (pi lambda); on a log grid the
 * natural quantity is the density of u = ln lambda, p(u) = lambda rho(lambda) = -Im m / pi.
 *
 * Branch selection: for Im z > 0 the physical m has Im m <= 0, and x lies in the upper half plane
 * (M maps it into Im m < 0). Above the support x is real and > max d; where the real branch turns
 * (z'(x) = 0 at x_c, the square-root top edge) it splits into a conjugate pair and we follow the
 * one with Im x > 0. Every step keeps the root nearest the extrapolation of the previous two.
 *
 * eta: z = lambda (1 + i eta). eta only breaks the real symmetry so the upper root is selected;
 * it smooths the density by a Poisson kernel of relative width eta, an O(eta) = 1e-9 effect on any
 * moment, far below the grid error. It is not needed for convergence: M of the laws used here stays
 * finite up to the real axis (see squared-derivative-law.ts).
 */
export const DEFAULT_ETA = 1e-9;
/**
 * Deepest network the density is computed for. Checked over tanh (ordered, critical, chaotic;
 * orthogonal and Gaussian), hard-tanh at its critical point and relu at sigma_w^2 = 2: up to
 * L = 500 the mass is 1 within 1e-5 and ln m1 = L ln chi_1 within 2e-5 (the tanh histogram's
 * per-layer bias); at L = 1000 the continuation loses the root for some of them (61% of the mass
 * missing for orthogonal tanh at sigma_w = 1.3, sigma_b = 0.3) or finds no start above the edge.
 */
export const DENSITY_MAX_DEPTH = 500;
/** A density on the default grid that misses more than this much mass is refused rather than returned. */
export const DENSITY_MASS_TOLERANCE = 1e-3;
/**
 * Grid points below the top edge. Two-atom laws (linear, relu, hard-tanh) cost a few operations per
 * M evaluation, so they get a fine grid (their continuous parts can have inner edges that a coarse
 * grid integrates to only ~1e-5); the tanh histogram costs one complex log per bin, so 2000.
 */
export const DEFAULT_DENSITY_POINTS = { atoms: 8000, histogram: 2000 };

export interface DensityOptions {
  activation: ActivationName;
  init: InitName;
  depth: number;
  sigmaW: number;
  /** the stationary pre-activation variance (q* of the configuration) */
  q: number;
  /** number of grid points below the top edge */
  points?: number;
  /** how many units of ln(lambda) below the top edge the grid reaches; default 20 (L+1) + 20 */
  lnRange?: number;
  eta?: number;
  /** bins of the tanh D^2 histogram */
  tanhBins?: number;
}

export interface SpectralDensityGrid {
  kind: 'density';
  init: InitName;
  depth: number;
  sigmaW: number;
  q: number;
  eta: number;
  /** top of the support (where the top atom sits, if any) */
  lambdaTop: number;
  lnLambdaTop: number;
  /** how the continuous part ends: 'square-root' at a turning point of the real branch */
  topEdge: 'square-root' | 'support-end';
  /**
   * ln of the continuous part's top edge: lnLambdaTop, or below it where a top atom is separated
   * from the continuous part by a gap (orthogonal hard-tanh: the atom at g^(2L), the bulk below)
   */
  lnContinuousTop: number;
  /** P(lambda = 0): JJ^T inherits the atom of D^2 at 0 (rank of the product = rank of one D) */
  atomAtZero: number;
  /**
   * P(lambda = lambdaTop): orthogonal nets whose D^2 has an atom at its maximum (hard-tanh, relu:
   * d = 1 with probability p) keep the common invariant subspace of all layers, of dimension
   * max(0, 1 - L(1 - p)) N, where J acts as sigma_w^L times an isometry (exact: orthogonalTopAtom).
   * 0 otherwise.
   */
  atomAtTop: number;
  /** ascending in lambda */
  lnLambda: number[];
  lambda: number[];
  /** rho(lambda) */
  density: number[];
  /** density of ln(lambda): lambda rho(lambda) */
  densityLnLambda: number[];
  /** density of ln s (s = sqrt(lambda)): 2 lambda rho */
  densityLnS: number[];
  /** density of log10 s: 2 ln(10) lambda rho */
  densityLog10S: number[];
  /** P(Lambda <= lambda), accumulated down from the top edge (so it includes the atom and any mass below the grid) */
  cdf: number[];
  /** integral of rho over the grid, plus the atoms: 1 up to the mass below the grid's bottom */
  massOnGrid: number;
  /**
   * ln(lambda) where the continuation lost the physical root and the grid was cut short (null when
   * the grid reached its planned bottom). Everything above it is valid; cdf[0] bounds what lies below.
   */
  stoppedAtLnLambda: number | null;
  /** E[lambda], E[lambda^2] by integrating the density (the atom at 0 contributes nothing) */
  m1: number;
  m2: number;
  /** ln m1, finite where m1 over- or underflows */
  lnM1: number;
  /** the D^2 law's own E[d], E[d^2] (equal to mu_1, mu_2 for kinked activations; histogram values for tanh) */
  lawMu1: number;
  lawMu2: number;
}

export interface SpectralPointMass {
  kind: 'point-mass';
  init: InitName;
  depth: number;
  /** every eigenvalue of JJ^T equals this */
  lambda: number;
  lnLambda: number;
  reason: string;
}

export type SpectralDensity = SpectralDensityGrid | SpectralPointMass;

interface Equation {
  law: SquaredDerivativeLaw;
  init: InitName;
  depth: number;
  lnW2: number;
}

/** F(y) = ln rhs(e^y) - ln z, Im wrapped to (-pi, pi], with dF/dy, and the m it used. */
function residual(eq: Equation, y: Complex, lnZ: Complex): { f: Complex; df: Complex; m: Complex } {
  const x = { re: Math.exp(y.re) * Math.cos(y.im), im: Math.exp(y.re) * Math.sin(y.im) };
  const { m, onePlusM, dm } = mTransform(eq.law, x);
  const lnM = log(m);
  const ln1M = log(onePlusM);
  const L = eq.depth;
  // dm/dy = x dM/dx
  const dmdy = mul(x, dm);
  const invM = div(complex(1), m);
  const inv1M = div(complex(1), onePlusM);
  let fr: number;
  let fi: number;
  let dlog: Complex; // d/dm of the m-dependent log terms
  if (eq.init === 'orthogonal') {
    fr = L * eq.lnW2 + L * y.re + (L - 1) * (lnM.re - ln1M.re) - lnZ.re;
    fi = L * y.im + (L - 1) * (lnM.im - ln1M.im) - lnZ.im;
    dlog = { re: (L - 1) * (invM.re - inv1M.re), im: (L - 1) * (invM.im - inv1M.im) };
  } else {
    fr = L * eq.lnW2 + L * y.re + ln1M.re + (L - 1) * lnM.re - lnZ.re;
    fi = L * y.im + ln1M.im + (L - 1) * lnM.im - lnZ.im;
    dlog = { re: inv1M.re + (L - 1) * invM.re, im: inv1M.im + (L - 1) * invM.im };
  }
  const df = add(complex(L), mul(dlog, dmdy));
  return { f: { re: fr, im: wrapAngle(fi) }, df, m };
}

interface Root {
  y: Complex;
  m: Complex;
}

const NEWTON_TOL = 1e-12;
const NEWTON_MAX = 80;

/** Damped Newton from y0; undefined when it fails to converge. */
function newton(eq: Equation, y0: Complex, lnZ: Complex): Root | undefined {
  let y = y0;
  for (let it = 0; it < NEWTON_MAX; it++) {
    const { f, df, m } = residual(eq, y, lnZ);
    if (!Number.isFinite(f.re) || !Number.isFinite(f.im)) return undefined;
    if (abs(f) < NEWTON_TOL) return { y, m };
    let step = div(f, df);
    const size = abs(step);
    if (!Number.isFinite(size)) return undefined;
    if (size > 0.5) step = { re: (step.re * 0.5) / size, im: (step.im * 0.5) / size }; // stay on the local branch
    y = { re: y.re - step.re, im: y.im - step.im };
  }
  return undefined;
}

/** Physical: x in the closed upper half plane (Im y in [0, pi]) and Im m <= 0, up to rounding. */
function isPhysical(r: Root): boolean {
  const tol = 1e-9;
  return r.y.im >= -tol && r.y.im <= Math.PI + tol && r.m.im <= tol * Math.max(1, abs(r.m));
}

const dist = (a: Complex, b: Complex): number => Math.hypot(a.re - b.re, a.im - b.im);

function continueRootOrNothing(eq: Equation, lnZ: Complex, prev: Complex, pred: Complex, lastStep: number): Root | undefined {
  try {
    return continueRoot(eq, lnZ, prev, pred, lastStep);
  } catch {
    return undefined;
  }
}

/** One continuation step: the physical root nearest the prediction. */
function continueRoot(eq: Equation, lnZ: Complex, prev: Complex, pred: Complex, lastStep: number): Root {
  const first = newton(eq, pred, lnZ);
  // fast path: converged close to the extrapolation (the usual case inside the bulk and above the edge)
  if (first && isPhysical(first) && dist(first.y, pred) <= 2 * lastStep + 1e-9) return first;
  const starts: Complex[] = [prev];
  for (const d of [1e-4, 1e-3, 1e-2, 0.1, 0.3, 1]) {
    starts.push({ re: pred.re, im: pred.im + d });
    starts.push({ re: prev.re, im: prev.im + d });
  }
  let best = first && isPhysical(first) ? first : undefined;
  for (const s of starts) {
    const r = newton(eq, s, lnZ);
    if (!r || !isPhysical(r)) continue;
    if (!best) {
      best = r;
      continue;
    }
    const db = dist(best.y, pred);
    const dr = dist(r.y, pred);
    // nearest wins; near-ties go to the larger Im y (the upper member of a conjugate pair)
    if (dr < db - 1e-7 || (Math.abs(dr - db) <= 1e-7 && r.y.im > best.y.im)) best = r;
  }
  if (!best) throw new Error(`spectral density: continuation lost the root at ln(lambda) = ${lnZ.re}`);
  return best;
}

/**
 * The top edge: follow the real branch x > max(d) down from large x. ln z(x) first decreases;
 * where it turns (dF/dy = 0) is the square-root edge. If it never turns before x reaches max(d),
 * the support ends at z(max d+); then, if D^2 has an atom at max(d), m -> infinity there and
 * JJ^T has an atom at the top of mass lim (z - lambdaTop) m / lambdaTop (m ~ lambda w/(z - lambda)
 * near an atom of weight w), evaluated at x = max(d) (1 + 1e-8): relative error O(1e-8).
 */
function topEdge(eq: Equation): TopEdge {
  const dMax = lawMax(eq.law);
  const zero = complex(0);
  const lnZOf = (v: number): number => {
    const y = complex(Math.log(dMax + Math.exp(v)));
    return residual(eq, y, zero).f.re;
  };
  const slopeOf = (v: number): number => {
    const y = complex(Math.log(dMax + Math.exp(v)));
    return residual(eq, y, zero).df.re;
  };
  const vEnd = Math.log(dMax) - 36;
  const topAtom = orthogonalTopAtom(eq);
  if (topAtom !== undefined && topAtom.mass > 0) {
    // The atom is exact (see orthogonalTopAtom) and sits at (sigma_w^2 dMax)^L. Near x = dMax+ the
    // real branch has d ln z / d ln x -> L - (L-1)/p > 0 exactly when the atom exists, so it never
    // turns above dMax (a scan there finds only rounding noise next to x = dMax: that is how the
    // atom used to be missed). The continuous part ends below the atom, across a gap: on the real
    // branch between the atoms (x in (dMax (1-p), dMax), m real) z falls from the atom as x
    // decreases, turns (the continuous part's square-root edge), then grows again. For the law
    // {0: 1-p, dMax: p}, m/(1+m) = p dMax/(x - dMax(1-p)), so d ln z/d ln x = L - (L-1) x/(x - dMax(1-p))
    // vanishes at x_c = L (1-p) dMax, i.e. 1 - x_c/dMax = 1 - L(1-p) = the atom's mass, exactly.
    const lnAtom = eq.depth * (eq.lnW2 + Math.log(dMax));
    const twoAtoms = eq.law.binLo.length === 0 && Array.from(eq.law.atomValue).every((v) => v === 0 || v === dMax);
    if (twoAtoms && eq.depth >= 2) {
      const yOfGap = (v: number): number => Math.log(dMax * -Math.expm1(v));
      const vc = Math.log(topAtom.mass);
      const yc = yOfGap(vc);
      const lnEdge = residual(eq, complex(yc), zero).f.re;
      return { lnTop: lnEdge, yTop: yc, kind: 'square-root', atom: topAtom.mass, lnAtom, gap: { vc, yOf: yOfGap } };
    }
    // no turn (L = 1: z = sigma_w^2 x, D^2 itself): no continuous part, only the atoms
    return { lnTop: lnAtom, yTop: Math.log(dMax + Math.exp(vEnd)), kind: 'support-end', atom: topAtom.mass, lnAtom };
  }
  const vStart = Math.log(Math.max(1, dMax)) + 12;
  const dv = 0.02;
  let prevV = vStart;
  for (let v = vStart - dv; v >= vEnd; v -= dv) {
    if (slopeOf(v) <= 0) {
      // turning point between v and prevV: bisect on the slope
      let lo = v;
      let hi = prevV;
      for (let i = 0; i < 100 && hi - lo > 1e-15 * Math.max(1, Math.abs(hi)); i++) {
        const mid = 0.5 * (lo + hi);
        if (slopeOf(mid) <= 0) lo = mid;
        else hi = mid;
      }
      const vc = 0.5 * (lo + hi);
      const lnTop = lnZOf(vc);
      return { lnTop, yTop: Math.log(dMax + Math.exp(vc)), kind: 'square-root', atom: 0, lnAtom: lnTop };
    }
    prevV = v;
  }
  const lnTop = lnZOf(vEnd);
  let atom = 0;
  if (topAtom === undefined && Array.from(eq.law.atomValue).includes(dMax)) {
    const xA = dMax * (1 + 1e-8);
    const r = residual(eq, complex(Math.log(xA)), complex(lnTop));
    atom = Math.min(1, Math.max(0, Math.expm1(r.f.re) * r.m.re));
  }
  return { lnTop, yTop: Math.log(dMax + Math.exp(vEnd)), kind: 'support-end', atom, lnAtom: lnTop };
}

/**
 * The atom of JJ^T at the top for orthogonal weights when D^2 has an atom at its maximum dMax with
 * probability p (hard-tanh, relu: d = phi'^2 in {0, 1}). JJ^T = sigma_w^{2L} times a product of L
 * free copies of D^2 / dMax^... : on the intersection of the L subspaces where d = dMax (each of
 * codimension (1 - p) N, in general position by the Haar rotations) J acts as (sigma_w^2 dMax)^{L/2}
 * times an isometry, and nowhere else does |J v| reach that bound. So the atom at (sigma_w^2 dMax)^L
 * has mass max(0, 1 - L (1 - p)), exactly (the dimension count of generic subspaces). Undefined when
 * the law has no atom at its maximum or the weights are Gaussian (no invariant subspace).
 */
export function orthogonalTopAtom(eq: { law: SquaredDerivativeLaw; init: InitName; depth: number }): { mass: number; p: number } | undefined {
  if (eq.init !== 'orthogonal') return undefined;
  const dMax = lawMax(eq.law);
  let p = 0;
  for (let i = 0; i < eq.law.atomValue.length; i++) if (eq.law.atomValue[i] === dMax) p += eq.law.atomMass[i];
  if (p === 0) return undefined;
  return { mass: Math.max(0, 1 - eq.depth * (1 - p)), p };
}

interface TopEdge {
  /** top of the continuous part */
  lnTop: number;
  yTop: number;
  kind: 'square-root' | 'support-end';
  /** mass of the atom at the top of the support, and where it sits (= lnTop unless there is a gap) */
  atom: number;
  lnAtom: number;
  /** set when the continuous part ends below the atom: its edge is a turn of the real branch between atoms */
  gap?: { vc: number; yOf: (v: number) => number };
}

/** One walk down the t grid: ln(lambda) and the density of ln(lambda) at each point. */
interface GridWalk {
  u: number[];
  pU: number[];
  stoppedAt: number | null;
  dt: number;
}

/** Integrand in t of the continuous density (du = 2 t dt), with f(0) handled per edge kind. */
function tIntegrand(grid: GridWalk, edgeKind: TopEdge['kind']): number[] {
  const f = grid.pU.map((p, j) => 2 * j * grid.dt * p);
  // At a square-root edge f(0) = 0. At a support end the density of lambda may diverge like
  // (lambdaTop - lambda)^{-1/2} (tanh at L = 1: the law of sech^4 near 1), so f tends to a nonzero
  // constant that 2 * 0 * p(u(0)) would miss: there f(0) is extrapolated linearly from f(dt), f(2dt).
  if (edgeKind === 'support-end' && f.length > 2) f[0] = Math.max(0, 2 * f[1] - f[2]);
  return f;
}

/** The lowest ln(lambda) of the grid above which all but `tail` of the continuous mass lies. */
function massBottom(grid: GridWalk, tail: number): number {
  const f = tIntegrand(grid, 'square-root');
  let total = 0;
  for (let j = 1; j < f.length; j++) total += 0.5 * grid.dt * (f[j - 1] + f[j]);
  let below = total;
  for (let j = 1; j < f.length; j++) {
    below -= 0.5 * grid.dt * (f[j - 1] + f[j]);
    if (below < tail * total) return grid.u[j];
  }
  return grid.u[grid.u.length - 1];
}

function walkGrid(eq: Equation, edge: TopEdge, eta: number, lnRange: number, points: number): GridWalk {
  const lnEta = Math.log1p(eta * eta) / 2;
  const argEta = Math.atan(eta);
  const lnZAt = (u: number): Complex => ({ re: u + lnEta, im: argEta });

  // approach the edge from above along the real branch (x > x_c), then walk the t grid downwards
  let yPrev: Complex;
  let yPrevPrev: Complex;
  let root: Root | undefined;
  let lastStep = 0.1;
  const approach = 40;
  if (edge.gap) {
    // inside the gap below a top atom: the real branch between the atoms gives exact roots
    // (z real), sampled towards the turn at vc with the same quadratic spacing
    const { vc, yOf } = edge.gap;
    const at = (k: number): Complex => complex(yOf(vc - 3 * (1 - k / approach) ** 2));
    yPrevPrev = at(approach - 1);
    yPrev = at(approach);
    lastStep = dist(yPrev, yPrevPrev);
  } else {
    // Above the edge ln z grows like L y, so the root for lnTop + 2 lies about 2/L above yTop: a
    // start at yTop + 2 is ~2L too high in ln z, and Newton (damped to steps of 0.5) may not get
    // back from it at large L. The first start is the one eoc has always used (same numbers).
    for (const dy of [2, 2 / eq.depth, 2 / Math.sqrt(eq.depth)]) {
      root = newton(eq, complex(edge.yTop + dy), lnZAt(edge.lnTop + 2));
      if (root && Math.abs(root.y.im) < 1e-6 && root.y.re > edge.yTop) break;
      root = undefined;
    }
    if (!root) throw new Error('spectral density: no real-branch root above the support');
    yPrev = root.y;
    yPrevPrev = yPrev;
    for (let k = 1; k <= approach; k++) {
      const u = edge.lnTop + 2 * (1 - k / approach) ** 2; // quadratic spacing: dense next to the edge
      const pred = { re: 2 * yPrev.re - yPrevPrev.re, im: 2 * yPrev.im - yPrevPrev.im };
      root = continueRoot(eq, lnZAt(u), yPrev, k === 1 ? yPrev : pred, lastStep);
      lastStep = dist(root.y, yPrev);
      yPrevPrev = yPrev;
      yPrev = root.y;
    }
  }
  // grid: u = lnTop - t^2, t uniform in [0, tMax]. Near a square-root edge rho ~ t, so the integrand
  // rho dlambda ~ t^2 dt is smooth and even in t and the trapezoid rule keeps its high order.
  // An atom of weight w at lambdaTop adds w z/(z - lambdaTop) to m; at z = lambda (1 + i eta) its
  // imaginary part is a Lorentzian of width eta lambda that would leak O(eta/(1 - lambda/lambdaTop)^2)
  // into the continuous density next to the edge. It is known exactly, so it is subtracted.
  const atomTopIm = (uj: number): number => {
    if (edge.atom === 0) return 0;
    const lz = Math.exp(uj);
    const zr = lz;
    const zi = lz * eta;
    const v = div({ re: edge.atom * zr, im: edge.atom * zi }, { re: zr - Math.exp(edge.lnAtom), im: zi });
    return v.im;
  };
  const tMax = Math.sqrt(lnRange);
  const dt = tMax / points;
  const n = points + 1;
  const u = new Array<number>(n);
  const pU = new Array<number>(n);
  let stoppedAt: number | null = null;
  for (let j = 0; j < n; j++) {
    const t = j * dt;
    u[j] = edge.lnTop - t * t;
    const pred = { re: 2 * yPrev.re - yPrevPrev.re, im: 2 * yPrev.im - yPrevPrev.im };
    const next = continueRootOrNothing(eq, lnZAt(u[j]), yPrev, pred, lastStep);
    if (!next) {
      // Deep in the lower tail (orthogonal tanh, far below the bulk) x runs into the histogram's
      // smallest bins and the root can be lost. Stop there rather than guess: the grid ends, and
      // massOnGrid / cdf[0] say how much mass lies below it.
      stoppedAt = u[j];
      u.length = j;
      pU.length = j;
      break;
    }
    root = next;
    lastStep = dist(root.y, yPrev);
    yPrevPrev = yPrev;
    yPrev = root.y;
    pU[j] = Math.max(0, -(root.m.im - atomTopIm(u[j])) / Math.PI);
  }
  return { u, pU, stoppedAt, dt };
}

export function spectralDensity(options: DensityOptions): SpectralDensity {
  const { activation, init, depth, sigmaW, q } = options;
  if (!Number.isInteger(depth) || depth < 1) throw new SpecError(`--depth must be an integer >= 1, got ${depth}`);
  if (depth > DENSITY_MAX_DEPTH) {
    throw new SpecError(
      `--density needs --depth <= ${DENSITY_MAX_DEPTH}, got ${depth}: beyond it the free-probability solver is not reliable (it loses the spectrum's lower part)`,
    );
  }
  if (!(sigmaW > 0)) throw new SpecError(`--gain must be > 0, got ${sigmaW}`);
  const eta = options.eta ?? DEFAULT_ETA;
  const lnRange = options.lnRange ?? 20 * (depth + 1) + 20;
  const law = squaredDerivativeLaw(activation, q, options.tanhBins ?? DEFAULT_TANH_BINS);
  const points = options.points ?? (law.binLo.length === 0 ? DEFAULT_DENSITY_POINTS.atoms : DEFAULT_DENSITY_POINTS.histogram);
  const lnW2 = 2 * Math.log(sigmaW);
  if (init === 'orthogonal' && lawIsPointMass(law)) {
    const lnLambda = depth * (lnW2 + Math.log(law.atomValue[0]));
    return {
      kind: 'point-mass',
      init,
      depth,
      lambda: Math.exp(lnLambda),
      lnLambda,
      reason: 'phi\'(h)^2 is deterministic, so JJ^T = (sigma_w^2 d)^L I for orthogonal weights: every singular value is equal',
    };
  }
  const eq: Equation = { law, init, depth, lnW2 };
  const edge = topEdge(eq);
  const walk = (range: number, pts: number): GridWalk => walkGrid(eq, edge, eta, range, pts);
  let grid = walk(lnRange, points);
  if (options.lnRange === undefined) {
    // Second pass: the default range is generous (it must hold Gaussian nets' heavy lower tails).
    // When nearly all the mass sits far above the bottom (orthogonal nets: a lower edge, then an
    // exponentially thin tail) the uniform t grid is coarse there, and an inner edge costs accuracy.
    // Re-walk a range ending where the continuous mass below drops under 1e-12, with the same points.
    const bottom = massBottom(grid, 1e-12);
    const tight = 1.25 * (edge.lnTop - bottom) + 2;
    if (tight < 0.5 * lnRange) grid = walk(tight, points);
  }
  const { u, pU, stoppedAt, dt } = grid;
  const n = u.length;
  // integrate from the top: du = 2 t dt, so the integrand in t is f(t) = 2 t p(u(t))
  const atomAtZero = lawMassAtZero(law);
  const atomAtTop = edge.atom;
  const f = tIntegrand(grid, edge.kind);
  const above = new Array<number>(n).fill(atomAtTop);
  let mass = atomAtTop;
  let m1 = atomAtTop * Math.exp(edge.lnAtom);
  // the same sum relative to the top, for ln m1 where m1 itself leaves float64 (relu at gain 100)
  let m1Rel = atomAtTop;
  let m2 = atomAtTop * Math.exp(2 * edge.lnAtom);
  for (let j = 1; j < n; j++) {
    const fa = f[j - 1];
    const fb = f[j];
    mass += 0.5 * dt * (fa + fb);
    m1 += 0.5 * dt * (fa * Math.exp(u[j - 1]) + fb * Math.exp(u[j]));
    m1Rel += 0.5 * dt * (fa * Math.exp(u[j - 1] - edge.lnAtom) + fb * Math.exp(u[j] - edge.lnAtom));
    m2 += 0.5 * dt * (fa * Math.exp(2 * u[j - 1]) + fb * Math.exp(2 * u[j]));
    above[j] = mass;
  }
  // (only for the default range: a caller's own lnRange may cut the grid short on purpose)
  if (options.lnRange === undefined && !(Math.abs(mass + lawMassAtZero(law) - 1) <= DENSITY_MASS_TOLERANCE)) {
    throw new SpecError(
      `--density: the solver accounts for mass ${(mass + lawMassAtZero(law)).toPrecision(6)} instead of 1 ` +
        `(${stoppedAt === null ? 'the grid misses the rest' : `continuation lost the root at ln(lambda) = ${stoppedAt.toPrecision(6)}`}); no density is printed for this configuration`,
    );
  }
  // ascending order for output
  const order = Array.from({ length: n }, (_, i) => n - 1 - i);
  const LN10 = Math.log(10);
  return {
    kind: 'density',
    init,
    depth,
    sigmaW,
    q,
    eta,
    lambdaTop: Math.exp(edge.lnAtom),
    lnLambdaTop: edge.lnAtom,
    topEdge: edge.kind,
    lnContinuousTop: edge.lnTop,
    atomAtZero,
    atomAtTop,
    lnLambda: order.map((j) => u[j]),
    lambda: order.map((j) => Math.exp(u[j])),
    density: order.map((j) => (pU[j] > 0 ? Math.exp(Math.log(pU[j]) - u[j]) : 0)),
    densityLnLambda: order.map((j) => pU[j]),
    densityLnS: order.map((j) => 2 * pU[j]),
    densityLog10S: order.map((j) => 2 * LN10 * pU[j]),
    cdf: order.map((j) => 1 - above[j]),
    massOnGrid: mass + atomAtZero,
    stoppedAtLnLambda: stoppedAt,
    m1,
    lnM1: edge.lnAtom + Math.log(m1Rel),
    m2,
    lawMu1: lawMoment(law, 1),
    lawMu2: lawMoment(law, 2),
  };
}
