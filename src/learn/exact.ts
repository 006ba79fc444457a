/**
 * Exact learning dynamics of deep linear networks: Saxe, McClelland & Ganguli (2014), "Exact solutions
 * to the nonlinear dynamics of learning in deep linear neural networks", arXiv:1312.6120. Equation
 * numbers are the paper's (as used in /work/shared/SCIENCE.md section 11); docs/learn-formulas.md is
 * the short reference.
 *
 * Conventions, everywhere in this file:
 * - One decoupled input-output mode of strength s > 0 (a singular value of Sigma_31 = U S V^T) with
 *   whitened inputs (Sigma_11 = I). The mode's end-to-end strength is u = product of the per-layer
 *   scalar strengths; the per-mode loss is E = (1/2)(s - u)^2 per iteration (batch sum of squared
 *   errors with the paper's 1/2), so gradient descent with learning rate lambda is
 *   a_i <- a_i + lambda (s - u) prod_{j != i} a_j.
 * - tau = 1/lambda, and t counts iterations (= epochs of batch gradient descent): the small-step
 *   limit of the update above is tau da_i/dt = (s - u) prod_{j != i} a_j. tau multiplies the time
 *   derivative on the left; the factors 2 (Eq. 10) and N_l - 1 (Eq. 15) are on the right.
 * - Depth: the paper's N_l counts layers of units, so a net has N_l - 1 weight matrices. Here every
 *   depth argument is `nWeights` = N_l - 1 (the number of weight matrices in the chain): nWeights = 2
 *   is the paper's three-layer net y = W32 W21 x (N_l = 3); nWeights = 1 is plain linear regression.
 * - "Balanced"/equal-strength: all per-layer strengths equal, a_i = u^{1/nWeights} (the three-layer
 *   a = b case). Gradient descent keeps equal strengths equal, so this is an exact invariant
 *   submanifold, not an approximation. The unequal three-layer case (a != b) is threeLayerUnequal*.
 *
 * Pure numerics: Float64, no I/O. Every function throws a plain Error outside its stated domain.
 */
import { brentRootIn } from '../numeric/roots.js';

function requireFinite(name: string, x: number): void {
  if (!Number.isFinite(x)) throw new Error(`${name} must be a finite number, got ${x}`);
}

function requirePositive(name: string, x: number): void {
  if (!(Number.isFinite(x) && x > 0)) throw new Error(`${name} must be a finite number > 0, got ${x}`);
}

function requireTime(name: string, t: number): void {
  if (!(Number.isFinite(t) && t >= 0)) throw new Error(`${name} must be a finite number >= 0, got ${t}`);
}

function requireWeights(nWeights: number): void {
  if (!(Number.isInteger(nWeights) && nWeights >= 1)) {
    throw new Error(`nWeights (= N_l - 1, the number of weight matrices) must be an integer >= 1, got ${nWeights}`);
  }
}

/**
 * Start and end strengths on one side of the fixed point s (both in (0, s), or both above s), as the
 * learning-time formulas need: the flow never crosses s, and reaching s takes infinite time.
 */
function requireSameSide(s: number, u0: number, uf: number): void {
  requirePositive('u0', u0);
  requirePositive('uf', uf);
  if (u0 === uf) return;
  if (u0 === s || uf === s) {
    throw new Error(`u0 = ${u0} and uf = ${uf}: the fixed point u = s = ${s} is reached only as t -> infinity`);
  }
  if (u0 < s !== uf < s) throw new Error(`u0 = ${u0} and uf = ${uf} must lie on the same side of s = ${s}`);
}

/**
 * u(t) of a monotone flow from its (signed, increasing-in-|u - u0|) time function `time(u)`, by a
 * bracketed Brent root of time(u) - t on [u0, s) or (s, u0]. The bracket end is moved towards s by
 * halving the gap until time(end) >= t; if that end rounds to s, u(t) equals s to double precision.
 */
function invertTime(time: (u: number) => number, u0: number, s: number, t: number): number {
  if (t === 0 || u0 === s) return u0;
  const gap = s - u0; // > 0 below s (u rises), < 0 above s (u falls)
  let end = u0;
  for (let m = 1; ; m++) {
    const next = s - gap * 2 ** -m;
    if (next === s || m > 1100) return s;
    end = next;
    if (time(end) >= t) break;
  }
  const f = (u: number): number => time(u) - t;
  return gap > 0 ? brentRootIn(f, u0, end) : brentRootIn(f, end, u0);
}

// ---------------------------------------------------------------------------------------------------
// Three-layer net, equal strengths a = b (Eqs. 10-12)
// ---------------------------------------------------------------------------------------------------

/**
 * Eq. 12: the mode strength u(t) = a(t) b(t) of the three-layer net (nWeights = 2, N_l = 3) with
 * a = b, solving Eq. 10, tau du/dt = 2u(s - u):
 *
 *     u(t) = s e^{2st/tau} / (e^{2st/tau} - 1 + s/u0),
 *
 * evaluated as s / (1 + (s/u0 - 1) e^{-2st/tau}) (numerator and denominator divided by e^{2st/tau}),
 * which cannot overflow for large st/tau.
 *
 * Domain: s > 0, tau > 0, t >= 0, u0 > 0. For 0 < u0 < s, u rises sigmoidally to s; for u0 > s it
 * decays monotonically to s; u0 = s is the fixed point. u0 <= 0 is rejected: a = b forces u = a^2 >= 0
 * (u0 = 0 is the unstable fixed point), and for u0 < 0 Eq. 12 blows up in finite time, which is not a
 * gradient-descent trajectory (a = -b has u -> 0^-, see threeLayerUnequalMode).
 */
export function threeLayerMode(s: number, u0: number, t: number, tau: number): number {
  requirePositive('s', s);
  requirePositive('u0', u0);
  requireTime('t', t);
  requirePositive('tau', tau);
  if (u0 === s) return s;
  return s / (1 + (s / u0 - 1) * Math.exp((-2 * s * t) / tau));
}

/**
 * Eq. 11: the time (iterations) the three-layer equal-strength mode takes from u0 to uf,
 *
 *     t = (tau / 2s) ln[ u_f (s - u0) / (u0 (s - u_f)) ],
 *
 * evaluated as (tau/2s) [log1p((uf - u0)/u0) + log1p((uf - u0)/(s - uf))] so that it stays accurate
 * when uf is close to u0. The time is signed: negative when uf lies before u0 on the trajectory.
 *
 * Domain: s > 0, tau > 0, u0 > 0, uf > 0 on the same side of s (both below or both above); uf = s
 * (reached only as t -> infinity) is rejected.
 */
export function threeLayerLearningTime(s: number, u0: number, uf: number, tau: number): number {
  requirePositive('s', s);
  requirePositive('tau', tau);
  requireSameSide(s, u0, uf);
  if (u0 === uf) return 0;
  const d = uf - u0;
  return (tau / (2 * s)) * (Math.log1p(d / u0) + Math.log1p(d / (s - uf)));
}

// ---------------------------------------------------------------------------------------------------
// N_l layers, equal strengths (Eqs. 15-17)
// ---------------------------------------------------------------------------------------------------

/**
 * Eq. 15 right-hand side: du/dt for the equal-strength chain of nWeights = N_l - 1 weight matrices,
 *
 *     tau du/dt = (N_l - 1) u^{2 - 2/(N_l - 1)} (s - u),   i.e.   du/dt = (k/tau) u^{2 - 2/k} (s - u), k = nWeights.
 *
 * It follows from tau da/dt = a^{k-1}(s - a^k) with u = a^k. k = 2 gives Eq. 10's 2u(s - u)/tau;
 * k = 1 gives (s - u)/tau (linear regression).
 *
 * Domain: u >= 0 (equal strengths of a chain with u < 0 need odd k and negative a; not covered),
 * s > 0, tau > 0, nWeights integer >= 1.
 */
export function deepModeRate(u: number, s: number, nWeights: number, tau: number): number {
  requireFinite('u', u);
  if (u < 0) throw new Error(`u must be >= 0, got ${u}`);
  requirePositive('s', s);
  requireWeights(nWeights);
  requirePositive('tau', tau);
  const k = nWeights;
  return (k / tau) * Math.pow(u, 2 - 2 / k) * (s - u);
}

/** The domain of the deep learning times: s, tau > 0, nWeights an integer >= 1, u0 and uf on the same side of s. */
function requireDeepDomain(s: number, u0: number, uf: number, tau: number, nWeights: number): void {
  requirePositive('s', s);
  requirePositive('tau', tau);
  requireWeights(nWeights);
  requireSameSide(s, u0, uf);
}

/**
 * Eq. 16: the time (iterations) for the equal-strength N_l-layer mode to go from u0 to uf,
 *
 *     t = tau/(N_l - 1) * integral_{u0}^{uf} du / (u^{2 - 2/(N_l - 1)} (s - u)).
 *
 * Evaluated in closed form (derived here; the paper leaves Eq. 16 as an integral). With k = nWeights,
 * a = u^{1/k} (the per-layer strength), a* = s^{1/k} and x = a/a*, the integral becomes
 *
 *     t = tau * integral da / (a^{k-1} (s - a^k)) = (tau/s) [ integral a^{1-k} da + a*^{2-k} integral x dx/(1 - x^k) ],
 *
 * using 1/(a^{k-1}(s - a^k)) = (1/s)[a^{1-k} + a/(s - a^k)]. The first integral is elementary; the second
 * has the partial fractions x/(1 - x^k) = -(1/k) sum_j w_j^2 / (x - w_j) over the k-th roots of unity
 * w_j (k >= 2), giving real logarithms for w = 1 (and w = -1, k even) and a log plus an arctangent for
 * each conjugate pair w = e^{+-i theta}. Every difference F(xf) - F(x0) is formed from xf - x0 directly
 * (log1p, and atan2 of the product (xf - w) conj(x0 - w)), so short intervals keep full relative
 * accuracy. k = 1 is tau ln((s - u0)/(s - uf)); k = 2 reproduces Eq. 11. Accuracy: <= 1e-15 relative
 * measured against 40-digit quadrature (tests: known answers at 1e-14, adaptive Gauss-Legendre at 1e-10); for u0 > s the two pieces cancel and
 * the relative error grows like 1e-16 * u0/s. Cost O(k).
 *
 * Domain: as threeLayerLearningTime (u0, uf > 0, same side of s, signed result), nWeights integer >= 1.
 */
export function deepLearningTime(s: number, u0: number, uf: number, tau: number, nWeights: number): number {
  requireDeepDomain(s, u0, uf, tau, nWeights);
  if (u0 === uf) return 0;
  const k = nWeights;
  const d = uf - u0;
  if (k === 1) return tau * Math.log1p(d / (s - uf));
  const lnRatio = Math.log1p(d / u0); // ln(uf/u0)
  // integral_{a0}^{af} a^{1-k} da, a = u^{1/k}
  const i1 = k === 2 ? lnRatio / 2 : (-Math.pow(u0, (2 - k) / k) * Math.expm1(((2 - k) / k) * lnRatio)) / (k - 2);
  // x = (u/s)^{1/k}; dx = xf - x0; g = 1 - x, accurate near x = 1
  const x0 = Math.pow(u0 / s, 1 / k);
  const xf = x0 * Math.exp(lnRatio / k);
  const dx = x0 * Math.expm1(lnRatio / k);
  const gf = -Math.expm1(Math.log1p((uf - s) / s) / k);
  // J = integral_{x0}^{xf} x dx / (1 - x^k)
  let j = Math.log1p(dx / gf) / k; // root w = 1: -(1/k)[ln|xf - 1| - ln|x0 - 1|] = (1/k) ln(g0/gf), g0 = gf + dx
  if (k % 2 === 0) j -= Math.log1p(dx / (x0 + 1)) / k; // root w = -1
  const pairs = Math.ceil(k / 2) - 1;
  for (let p = 1; p <= pairs; p++) {
    const theta = (2 * Math.PI * p) / k;
    const c = Math.cos(theta);
    const sn = Math.sin(theta);
    const q0 = (x0 - c) * (x0 - c) + sn * sn; // |x0 - w|^2
    const dLnQ = Math.log1p((dx * (xf + x0 - 2 * c)) / q0);
    const dArg = Math.atan2(sn * dx, (xf - c) * (x0 - c) + sn * sn);
    j -= (Math.cos(2 * theta) * dLnQ - 2 * Math.sin(2 * theta) * dArg) / k;
  }
  return (tau / s) * (i1 + Math.pow(s, (2 - k) / k) * j);
}

/**
 * Eq. 15 integrated: u(t) for the equal-strength chain of nWeights weight matrices at each time in
 * `times` (iterations, >= 0), by inverting the monotone Eq. 16 time function (deepLearningTime) with a
 * bracketed Brent root finder at full double precision in u. Accuracy: |u - u_exact| is the time
 * error of deepLearningTime (~1e-14 relative) times du/dt plus a few ulps of u; measured 5e-16
 * relative against Eq. 12 for nWeights = 2. Returns a plain number[] (doubles), one per time.
 *
 * Domain: s > 0, u0 > 0 (u0 = s stays at s), tau > 0, nWeights integer >= 1, every time finite >= 0.
 */
export function deepModeTrajectory(s: number, u0: number, tau: number, nWeights: number, times: readonly number[]): number[] {
  requirePositive('s', s);
  requirePositive('u0', u0);
  requirePositive('tau', tau);
  requireWeights(nWeights);
  for (const t of times) requireTime('time', t);
  const out = new Array<number>(times.length);
  const time = (u: number): number => deepLearningTime(s, u0, u, tau, nWeights);
  for (let i = 0; i < times.length; i++) out[i] = invertTime(time, u0, s, times[i]!);
  return out;
}

/**
 * Eq. 17, the large-depth form of Eq. 16: for N_l -> infinity, u^{2 - 2/(N_l - 1)} -> u^2, and
 *
 *     t ~ tau/(N_l - 1) * integral du/(u^2 (s - u))
 *       = tau/(N_l - 1) * [ (1/s)(1/u0 - 1/uf) + (1/s^2) ln( uf (s - u0) / (u0 (s - uf)) ) ].
 *
 * The prefactor is written with nWeights = N_l - 1 (the limit is the same with N_l); then
 * deepLearningTime / largeDepthLearningTime = 1 + O(1/nWeights) for fixed u0, uf. The depth enters
 * only through tau/nWeights: at fixed tau the deep net looks faster, which is undone by the optimal
 * learning rate falling like 1/N_l (optimalLearningRate).
 *
 * Domain: as deepLearningTime.
 */
export function largeDepthLearningTime(s: number, u0: number, uf: number, tau: number, nWeights: number): number {
  requireDeepDomain(s, u0, uf, tau, nWeights);
  if (u0 === uf) return 0;
  const d = uf - u0;
  const ln = Math.log1p(d / u0) + Math.log1p(d / (s - uf));
  return (tau / nWeights) * (d / (u0 * uf * s) + ln / (s * s));
}

// ---------------------------------------------------------------------------------------------------
// Learning rate and depth
// ---------------------------------------------------------------------------------------------------

/**
 * Largest Hessian eigenvalue of the per-mode loss E = (1/2)(s - prod_i a_i)^2 at the equal-strength
 * minimum a_i = s^{1/k} (k = nWeights): the Hessian there is a*^{2k-2} times the all-ones matrix, so
 *
 *     lambda_max = k s^{2 - 2/k} = (N_l - 1) s^{(2 N_l - 4)/(N_l - 1)},
 *
 * (other eigenvalues 0). This is the curvature behind the paper's statement that the optimal learning
 * rate falls like 1/N_l (O(1/(N_l s^2)) for large depth). Exact; domain s > 0, nWeights >= 1.
 */
export function topHessianEigenvalue(s: number, nWeights: number): number {
  requirePositive('s', s);
  requireWeights(nWeights);
  return nWeights * Math.pow(s, 2 - 2 / nWeights);
}

/**
 * The learning rate 1/lambda_max (topHessianEigenvalue): the step that takes the stiff, all-ones
 * direction to the minimum in one step (discrete gradient descent diverges for rates above
 * 2/lambda_max). The paper states only the scaling (optimal rate ~ 1/N_l); the constant here is this
 * convention. With it, tau = 1/rate = k s^{2-2/k} and the time in iterations
 * (learningIterationsAtOptimalRate) stays finite as the depth grows.
 */
export function optimalLearningRate(s: number, nWeights: number): number {
  return 1 / topHessianEigenvalue(s, nWeights);
}

/**
 * Eq. 16 at the learning rate optimalLearningRate(s, nWeights): iterations from u0 to uf,
 * s^{2-2/k} * integral du / (u^{2-2/k} (s - u)). For k = 2 this is ln[uf(s - u0)/(u0(s - uf))]; as
 * k -> infinity it tends to s/u0 - s/uf + ln[uf(s - u0)/(u0(s - uf))]: finite, depth independent.
 * Domain: as deepLearningTime.
 */
export function learningIterationsAtOptimalRate(s: number, u0: number, uf: number, nWeights: number): number {
  return deepLearningTime(s, u0, uf, 1 / optimalLearningRate(s, nWeights), nWeights);
}

/**
 * The extra iterations infinite depth costs over the three-layer net, both at their optimal rates:
 * lim_{k -> infinity} learningIterationsAtOptimalRate(k) - learningIterationsAtOptimalRate(2)
 * = s/u0 - s/uf. Finite when u0 = O(1); it diverges like s/u0 when the initial end-to-end strength
 * is small (e.g. u0 = a0^{N_l - 1} for per-layer a0 < 1). Domain: as deepLearningTime.
 */
export function infiniteDepthDelay(s: number, u0: number, uf: number): number {
  requirePositive('s', s);
  requireSameSide(s, u0, uf);
  return (s * (uf - u0)) / (u0 * uf);
}

// ---------------------------------------------------------------------------------------------------
// Three-layer net, unequal strengths a0 != b0 (conserved a^2 - b^2)
// ---------------------------------------------------------------------------------------------------

interface Unequal {
  c: number;
  u0: number;
  r: number;
}

function unequalSetup(s: number, a0: number, b0: number, tau: number): Unequal {
  requirePositive('s', s);
  requireFinite('a0', a0);
  requireFinite('b0', b0);
  requirePositive('tau', tau);
  const c = (a0 - b0) * (a0 + b0);
  const u0 = a0 * b0;
  if (c === 0 && !(u0 > 0)) {
    throw new Error(`a0 = ${a0}, b0 = ${b0}: with a0^2 = b0^2 and a0 b0 <= 0 the mode never learns (u -> 0)`);
  }
  return { c, u0, r: Math.hypot(2 * s, c) };
}

/** ln G(u) for the unequal three-layer time function t = (tau/R) [ln G]_{u0}^{u}. */
function unequalLogG(s: number, c: number, r: number, u: number): number {
  const root = Math.hypot(2 * u, c);
  const lin = 4 * s * u + c * c;
  const dist = Math.abs(s - u);
  // G = (lin + R root)/|s - u|; when lin < 0 use the equal form 4c^2 |s - u| / (R root - lin)
  return lin >= 0 ? Math.log(lin + r * root) - Math.log(dist) : Math.log(4 * c * c * dist) - Math.log(r * root - lin);
}

/**
 * The three-layer mode from unequal strengths a0 != b0 (the paper's appendix A setting, where
 * a^2 - b^2 is conserved). From tau da/dt = b(s - ab), tau db/dt = a(s - ab), c = a^2 - b^2 is
 * constant and u = ab obeys
 *
 *     tau du/dt = (a^2 + b^2)(s - u) = sqrt(4u^2 + c^2) (s - u),
 *
 * whose integral is (derived here, R = sqrt(4s^2 + c^2))
 *
 *     t = (tau/R) ln[ G(uf) / G(u0) ],   G(u) = (4su + c^2 + R sqrt(4u^2 + c^2)) / |s - u|.
 *
 * c = 0 reduces to Eq. 11. Domain: s > 0, tau > 0, finite a0, b0 with u0 = a0 b0 != s; uf on the same
 * side of s as u0 (u may start negative and pass through 0 when c != 0); if c = 0, u0 and uf must be
 * > 0. Signed like threeLayerLearningTime.
 */
export function threeLayerUnequalLearningTime(s: number, a0: number, b0: number, uf: number, tau: number): number {
  const { c, u0, r } = unequalSetup(s, a0, b0, tau);
  requireFinite('uf', uf);
  if (uf === u0) return 0;
  if (u0 === s || uf === s) throw new Error(`u = s = ${s} is reached only as t -> infinity`);
  if (u0 < s !== uf < s) throw new Error(`u0 = ${u0} and uf = ${uf} must lie on the same side of s = ${s}`);
  if (c === 0 && !(uf > 0)) throw new Error(`with a0 = b0, uf must be > 0, got ${uf}`);
  return (tau / r) * (unequalLogG(s, c, r, uf) - unequalLogG(s, c, r, u0));
}

/**
 * u(t), a(t), b(t) of the unequal three-layer mode (see threeLayerUnequalLearningTime), u by a
 * bracketed Brent inversion of the closed-form time function (full double precision in u), then
 * a^2 = (sqrt(4u^2 + c^2) + c)/2, b^2 = (sqrt(4u^2 + c^2) - c)/2 (the larger one formed directly, the
 * other as u^2 over it). The larger-magnitude weight never changes sign; the other has the sign of u
 * times it. Domain: as threeLayerUnequalLearningTime, t finite >= 0.
 */
export function threeLayerUnequalMode(s: number, a0: number, b0: number, t: number, tau: number): { u: number; a: number; b: number } {
  const { c, u0 } = unequalSetup(s, a0, b0, tau);
  requireTime('t', t);
  if (t === 0) return { u: u0, a: a0, b: b0 };
  const u = invertTime((v) => threeLayerUnequalLearningTime(s, a0, b0, v, tau), u0, s, t);
  const root = Math.hypot(2 * u, c);
  const su = Math.sign(u);
  if (c >= 0) {
    const a2 = (root + c) / 2;
    const sa = Math.sign(a0) || 1;
    return { u, a: sa * Math.sqrt(a2), b: su * sa * (a2 > 0 ? Math.abs(u) / Math.sqrt(a2) : 0) };
  }
  const b2 = (root - c) / 2;
  const sb = Math.sign(b0) || 1;
  return { u, a: su * sb * (Math.abs(u) / Math.sqrt(b2)), b: sb * Math.sqrt(b2) };
}
