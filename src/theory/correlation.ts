import { gaussLegendre } from '../numeric/gauss-legendre.js';
import { activation as activationDef } from '../activations/registry.js';
import type { ActivationDef } from '../activations/types.js';
import { SpecError } from '../spec/errors.js';
import type { ActivationName } from '../spec/types.js';
import { brentRootIn as brentRoot } from '../numeric/roots.js';
import { fixedPoint } from './fixed-point.js';
import { gaussianMoments } from './gaussian-moments.js';
import { checkScales, type Scales } from './length-map.js';
import { classifyPhase, type Phase } from './phase.js';
import { meanFieldTrajectory } from './trajectory.js';

/**
 * The correlation map of two inputs (Poole et al. 2016, arXiv 1606.05340; Schoenholz et al. 2017,
 * arXiv 1611.01232; docs/science.md section 10). Two pre-activations with the same variance q and
 * correlation c: u1 = sqrt(q) z1, u2 = sqrt(q) (c z1 + sqrt(1 - c^2) z2), z1, z2 iid N(0, 1).
 *
 * THE 2-D GAUSSIAN EXPECTATION. Everything is computed as a deficit from c = 1, which is exact
 * there and keeps its relative accuracy as c -> 1 (where C(c) - c, the function whose root is c*,
 * is the difference of two numbers near 1):
 *   E[phi(u1) phi(u2)]   = E[phi^2](q) - (1/2) E[(phi(u1) - phi(u2))^2],
 *   E[phi'(u1) phi'(u2)] = mu_1(q)     - (1/2) E[(phi'(u1) - phi'(u2))^2],
 * with E[phi^2] and mu_1 the registry's 1-D moments (the ones the length map and chi_1 use, so
 * C(1) = 1 and C'(1) = chi_1 hold to rounding). Closed forms (linear; relu and leaky-relu: the
 * arc-cosine kernel, Cho & Saul 2009; erf: Williams 1997) are used where they exist; the others go
 * through the generic rule (pairExpectationQuadrature):
 *  - rotate to x = (u1 + u2)/2 ~ N(0, q(1+c)/2) and y = (u1 - u2)/2 ~ N(0, q(1-c)/2), independent,
 *    u1 = x + y, u2 = x - y. The wider of the two is the outer variable t, the narrower the inner r
 *    (c >= 0: t = x, r = y; c < 0: t = y, r = x), so as c -> +-1 the inner Gaussian shrinks to a
 *    point instead of a 1-D delta function having to be resolved in z2. f = g = phi makes the
 *    integrand even in r (c >= 0) or in t (c < 0): that axis is folded onto [0, Z_CUT];
 *  - the inner integral is split where u1 or u2 crosses a kink of phi' (traits.kinks, plus 0 for
 *    elu, whose phi'' jumps there even at alpha = 1): positions that move with t;
 *  - the outer integrand is then analytic except (a) where two of those moving kinks meet (t = (k +
 *    k')/2 for c >= 0, |k - k'|/2 for c < 0): split there; and (b) near t = k (resp. |k|), where a
 *    kink crosses the centre of the narrow inner Gaussian: a smoothed kink of width sigma_inner.
 *    Around each such point the outer panels are graded geometrically (widths eps, eps, 2 eps, 4 eps,
 *    ... in units of the outer standard deviation, eps = sigma_inner / sigma_outer);
 *  - both axes are cut at |z| = Z_CUT = 9 (Gaussian mass beyond: 2e-19, integrands growing like h^2
 *    lose ~1e-17 relative) and covered by 20-point Gauss-Legendre panels no wider than 3 in z and 3
 *    in h. The smooth activations are analytic in |Im h| < pi/2 (tanh, the nearest singularity),
 *    which gives each panel an error ~2.5^-40 ~ 1e-16.
 * Measured accuracy (test/theory/correlation.test.ts): against the relu, leaky-relu and erf closed
 * forms <= 1e-13 absolute (relative, for the deficits), including c = 0.999999 and c = -0.9; against
 * mpmath (30 digits, test/fixtures/correlation_reference.json) for tanh, hard-tanh, gelu, silu and
 * elu <= 1e-13. Cost: ~7e3 integrand evaluations for smooth phi (~0.3 ms), up to ~5e4 for kinked phi
 * with c within 1e-6 of 1 (the graded panels).
 */

export interface PairExpectation {
  /** E[phi(u1) phi(u2)] */
  phiPhi: number;
  /** E[phi'(u1) phi'(u2)] */
  dphiDphi: number;
  /** (1/2) E[(phi(u1) - phi(u2))^2] = E[phi^2] - E[phi(u1) phi(u2)] >= 0 */
  phiDeficit: number;
  /** (1/2) E[(phi'(u1) - phi'(u2))^2] = mu_1 - E[phi'(u1) phi'(u2)] >= 0 */
  dphiDeficit: number;
}

const NG = 20;
const Z_CUT = 9;
const PANEL_Z = 3;
const PANEL_H = 3;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);


const GL = gaussLegendre(NG);

/** Where phi' or phi'' jumps: traits.kinks, plus 0 for elu (continuous phi' at alpha = 1, but phi'' jumps). */
function breakpointsOf(def: ActivationDef): number[] {
  const k = [...def.traits.kinks];
  if (def.family === 'elu' && !k.includes(0)) k.push(0);
  return k;
}

function checkQC(q: number, c: number): void {
  if (!(q >= 0) || !Number.isFinite(q)) throw new Error(`correlation: q must be finite and >= 0, got ${q}`);
  if (!(c >= -1 && c <= 1)) throw new Error(`correlation: c must be in [-1, 1], got ${c}`);
}

/**
 * Nodes and weights (Gaussian density included) of a panel rule on [a, b] in z-units with the given
 * breakpoints and maximal panel width; appended to the arrays.
 */
function panelRule(edges: number[], width: number, zs: number[], ws: number[], factor: number): void {
  edges.sort((u, v) => u - v);
  for (let e = 0; e + 1 < edges.length; e++) {
    const a = edges[e];
    const b = edges[e + 1];
    if (!(b > a)) continue;
    const n = Math.ceil((b - a) / width);
    const dz = (b - a) / n;
    for (let k = 0; k < n; k++) {
      const mid = a + (k + 0.5) * dz;
      for (let g = 0; g < NG; g++) {
        const z = mid + 0.5 * dz * GL.x[g];
        zs.push(z);
        ws.push(factor * 0.5 * dz * GL.w[g] * INV_SQRT_2PI * Math.exp(-0.5 * z * z));
      }
    }
  }
}

/** The generic 2-D rule (see the file comment), whatever closed forms exist: the deficits only. */
function quadratureDeficits(def: ActivationDef, q: number, c: number, withDphi = true): { phi: number; dphi: number } {
  if (q === 0 || c === 1) return { phi: 0, dphi: 0 };
  const sq = Math.sqrt(q);
  const positive = c >= 0;
  const sigX = sq * Math.sqrt((1 + c) / 2);
  const sigY = sq * Math.sqrt((1 - c) / 2);
  const so = positive ? sigX : sigY;
  const si = positive ? sigY : sigX;
  const kinks = breakpointsOf(def);
  const { phi, dphi } = def;

  // outer rule (z-units of the outer variable t = so * z)
  const edges: number[] = positive ? [-Z_CUT, Z_CUT] : [0, Z_CUT];
  const lo = edges[0];
  const add = (z: number): void => {
    if (z > lo && z < Z_CUT) edges.push(z);
  };
  const outerWidth = Math.min(PANEL_Z, PANEL_H / so);
  const eps = si / so;
  for (const k of kinks) {
    for (const k2 of kinks) add((positive ? (k + k2) / 2 : Math.abs(k - k2) / 2) / so);
    const features = positive ? [k] : [Math.abs(k)];
    for (const f of features) {
      const p = f / so;
      add(p);
      for (let d = eps; d > 0 && d < outerWidth; d *= 2) {
        add(p - d);
        add(p + d);
      }
    }
  }
  const zs: number[] = [];
  const ws: number[] = [];
  panelRule(edges, outerWidth, zs, ws, positive ? 1 : 2);

  const innerWidth = si > 0 ? Math.min(PANEL_Z, PANEL_H / si) : PANEL_Z;
  const innerLo = positive ? 0 : -Z_CUT;
  const innerFactor = positive ? 2 : 1;
  const iEdges = new Float64Array(2 + 2 * kinks.length);
  let sPhi = 0;
  let sDphi = 0;
  for (let i = 0; i < zs.length; i++) {
    const t = so * zs[i];
    let aPhi = 0;
    let aDphi = 0;
    if (si === 0) {
      // c = -1: u2 = -u1, no inner integral
      const d1 = phi(t) - phi(-t);
      const d2 = withDphi ? dphi(t) - dphi(-t) : 0;
      aPhi = d1 * d1;
      aDphi = d2 * d2;
    } else {
      // inner breakpoints in w-units (r = si * w)
      let m = 0;
      iEdges[m++] = innerLo;
      iEdges[m++] = Z_CUT;
      for (const k of kinks) {
        const b1 = positive ? Math.abs(t - k) / si : (k - t) / si;
        const b2 = positive ? Number.NaN : (t + k) / si;
        if (b1 > innerLo && b1 < Z_CUT) iEdges[m++] = b1;
        if (b2 > innerLo && b2 < Z_CUT) iEdges[m++] = b2;
      }
      const ie = iEdges.subarray(0, m).sort();
      for (let e = 0; e + 1 < m; e++) {
        const a = ie[e];
        const b = ie[e + 1];
        if (!(b > a)) continue;
        const n = Math.ceil((b - a) / innerWidth);
        const dw = (b - a) / n;
        for (let k = 0; k < n; k++) {
          const mid = a + (k + 0.5) * dw;
          for (let g = 0; g < NG; g++) {
            const w = mid + 0.5 * dw * GL.x[g];
            const wt = 0.5 * dw * GL.w[g] * Math.exp(-0.5 * w * w);
            const r = si * w;
            // c >= 0: u1 = t + r, u2 = t - r; c < 0: u1 = r + t, u2 = r - t
            const u1 = t + r;
            const u2 = positive ? t - r : r - t;
            const d1 = phi(u1) - phi(u2);
            const d2 = withDphi ? dphi(u1) - dphi(u2) : 0;
            aPhi += wt * d1 * d1;
            aDphi += wt * d2 * d2;
          }
        }
      }
      aPhi *= innerFactor * INV_SQRT_2PI;
      aDphi *= innerFactor * INV_SQRT_2PI;
    }
    sPhi += ws[i] * aPhi;
    sDphi += ws[i] * aDphi;
  }
  return { phi: 0.5 * sPhi, dphi: 0.5 * sDphi };
}

/** acos(c) and sqrt(1 - c^2) without cancellation near c = +-1. */
function angle(c: number): { theta: number; s: number } {
  const s = Math.sqrt((1 - c) * (1 + c));
  return { theta: Math.atan2(s, c), s };
}

/**
 * Closed-form deficits where they exist (undefined otherwise), at variance q:
 *  - linear: E[u1 u2] = q c, E[1] = 1;
 *  - relu (arc-cosine kernel of degree 1 and 0, theta = acos c): E[relu relu] = q (s + (pi - theta) c)/(2 pi),
 *    E[relu' relu'] = (pi - theta)/(2 pi); deficits q (pi (1 - c) + theta c - s)/(2 pi) and theta/(2 pi);
 *  - leaky-relu(a) = a h + (1 - a) relu(h): E[phi phi] = a q c + (1 - a)^2 E[relu relu],
 *    E[phi' phi'] = a + (1 - a)^2 (pi - theta)/(2 pi);
 *  - erf (Williams 1997), with A = 2q/(1 + 2q): E[erf erf] = (2/pi) asin(A c),
 *    E[erf' erf'] = (4/pi) / sqrt((1 + 2q)^2 - 4 q^2 c^2); deficits in cancellation-free forms.
 */
function closedFormDeficits(def: ActivationDef, q: number, c: number): { phi: number; dphi: number } | undefined {
  const relu = (): { phi: number; dphi: number } => {
    const { theta, s } = angle(c);
    return { phi: (q * (Math.PI * (1 - c) + theta * c - s)) / (2 * Math.PI), dphi: theta / (2 * Math.PI) };
  };
  switch (def.family) {
    case 'linear':
      return { phi: q * (1 - c), dphi: 0 };
    case 'relu':
      return relu();
    case 'leaky-relu': {
      const a = def.params.slope;
      const r = relu();
      return { phi: a * q * (1 - c) + (1 - a) * (1 - a) * r.phi, dphi: (1 - a) * (1 - a) * r.dphi };
    }
    case 'erf': {
      const A = (2 * q) / (1 + 2 * q);
      const rootA = Math.sqrt(1 + 4 * q); // sqrt(1 - A^2) = rootA / (1 + 2q)
      // asin(A) - asin(A c): for c >= 1/2 as asin(A (1 - c^2) / (sqrt(1 - A^2 c^2) + c sqrt(1 - A^2)))
      const phi =
        c >= 0.5
          ? (2 / Math.PI) * Math.asin((A * (1 - c) * (1 + c)) / (Math.sqrt((1 - A * c) * (1 + A * c)) + (c * rootA) / (1 + 2 * q)))
          : (2 / Math.PI) * (Math.asin(A) - Math.asin(A * c));
      const B = rootA * rootA + 4 * q * q * (1 - c) * (1 + c); // (1 + 2q)^2 - 4 q^2 c^2
      const rootB = Math.sqrt(B);
      const dphi = (4 / Math.PI) * ((4 * q * q * (1 - c) * (1 + c)) / (rootA * rootB * (rootA + rootB)));
      return { phi, dphi };
    }
    default:
      return undefined;
  }
}

function assemble(def: ActivationDef, q: number, d: { phi: number; dphi: number }): PairExpectation {
  const m = def.moments(q);
  return { phiPhi: m.ePhi2 - d.phi, dphiDphi: m.mu1 - d.dphi, phiDeficit: d.phi, dphiDeficit: d.dphi };
}

/** The generic 2-D rule for any registered activation (also those with closed forms: for tests). */
export function pairExpectationQuadrature(name: ActivationName, q: number, c: number): PairExpectation {
  checkQC(q, c);
  const def = activationDef(name);
  return assemble(def, q, quadratureDeficits(def, q, c));
}

/** The closed form (linear, relu, leaky-relu, erf), or undefined for activations without one. */
export function pairExpectationClosedForm(name: ActivationName, q: number, c: number): PairExpectation | undefined {
  checkQC(q, c);
  const def = activationDef(name);
  const d = closedFormDeficits(def, q, c);
  if (!d) return undefined;
  const out = assemble(def, q, d);
  // the direct forms of E[phi phi] (no subtraction from E[phi^2]) where they are as accurate
  if (def.family === 'relu') {
    const { theta, s } = angle(c);
    out.phiPhi = (q * (s + (Math.PI - theta) * c)) / (2 * Math.PI);
    out.dphiDphi = (Math.PI - theta) / (2 * Math.PI);
  } else if (def.family === 'linear') {
    out.phiPhi = q * c;
    out.dphiDphi = 1;
  } else if (def.family === 'erf') {
    out.phiPhi = (2 / Math.PI) * Math.asin(((2 * q) / (1 + 2 * q)) * c);
    out.dphiDphi = 4 / Math.PI / Math.sqrt((1 + 2 * q) * (1 + 2 * q) - 4 * q * q * c * c);
  }
  return out;
}

/** withDphi = false skips phi' (dphi is then 0): the root search for c* needs C only. */
function deficits(def: ActivationDef, q: number, c: number, withDphi = true): { phi: number; dphi: number } {
  return closedFormDeficits(def, q, c) ?? quadratureDeficits(def, q, c, withDphi);
}

/**
 * E[phi(u1) phi(u2)] and E[phi'(u1) phi'(u2)] at variance q and correlation c: the closed form where
 * one exists, the generic 2-D rule otherwise (accuracy in the file comment). Also the deficits from
 * c = 1 (accurate as c -> 1, where phiPhi -> E[phi^2] and dphiDphi -> mu_1).
 */
export function gaussianPairExpectation(name: ActivationName, q: number, c: number): PairExpectation {
  return pairExpectationClosedForm(name, q, c) ?? pairExpectationQuadrature(name, q, c);
}

/**
 * The correlation map at variance q (q need not be q*):
 *   C(c) = (sigma_w^2 E[phi(u1) phi(u2)] + sigma_b^2) / (sigma_w^2 E[phi^2] + sigma_b^2),
 * i.e. the denominator is the next layer's variance V(q), not q, so C(1) = 1 for every q (the
 * correlation of the next layer's pre-activations when both inputs have variance q). At q = q*
 * it is the map of Poole/Schoenholz. `slope` is dC/dc = sigma_w^2 q E[phi'(u1) phi'(u2)] / V(q)
 * (Price's theorem), which at q = q* is chi_c(c) = sigma_w^2 E[phi'(u1) phi'(u2)], and chi_1 at c = 1.
 * Computed as C = 1 - sigma_w^2 (E[phi^2] - E[phi phi]) / V(q), accurate near c = 1.
 * q = 0 with V(0) = 0 (sigma_b = 0, phi(0) = 0) is the limit q -> 0+: homogeneous phi have a
 * q-independent map (taken at q = 1), the others linearize, C(c) = c with slope 1.
 */
export function correlationMap(name: ActivationName, scales: Scales, q: number, c: number): { c: number; slope: number } {
  checkScales(scales);
  checkQC(q, c);
  const def = activationDef(name);
  const w2 = scales.sigmaW * scales.sigmaW;
  const b2 = scales.sigmaB * scales.sigmaB;
  let qe = q;
  let den = w2 * def.moments(q).ePhi2 + b2;
  if (den === 0) {
    if (!def.traits.homogeneous) return { c, slope: 1 };
    qe = 1;
    den = w2 * def.moments(1).ePhi2;
  }
  const d = deficits(def, qe, c);
  const mu1 = def.moments(qe).mu1;
  const out = Math.max(-1, 1 - (w2 * d.phi) / den);
  return { c: out, slope: (w2 * qe * (mu1 - d.dphi)) / den };
}

export type CorrelationFixedPoint =
  | {
      kind: 'point';
      /** the length map's fixed point q* the correlation map is taken at (1 for 'any': the map does not depend on q) */
      q: number;
      /** the stable fixed point of C: 1 in the ordered phase and at criticality, < 1 in the chaotic phase */
      cStar: number;
      /** chi_c = C'(c*) = sigma_w^2 E[phi'(u1) phi'(u2)] at c*; = chi_1 when c* = 1 */
      chiC: number;
      /** chi_1 = sigma_w^2 mu_1(q*) and the phase it gives (PHASE_TOLERANCE) */
      chi1: number;
      phase: Phase;
      /** xi_c = -1/ln chi_c (both phases); Infinity at criticality (|chi_1 - 1| <= PHASE_TOLERANCE) */
      xiC: number;
      /** 6 xi_c: the depth to which a net still trains (Schoenholz et al. 2017, Fig. 5) */
      trainableDepth: number;
      /**
       * true where C(c) = c for every c (linear at sigma_b = 0; any phi with q* = 0, in the limit):
       * every correlation is kept, cStar = 1 by convention and chi_c = 1, xi_c = Infinity
       */
      everyCorrelationFixed?: true;
    }
  | { kind: 'none'; reason: string };

/** How close to 1 the search for c* < 1 starts: C(c) - c < 0 is looked for at c = 1 - 2^-k, k = 1..MAX_HALVINGS. */
const MAX_HALVINGS = 50;
/** Brent's bracket on c* (absolute): far below the ~1e-15 the map itself is known to. */
const C_TOLERANCE = 1e-14;

/**
 * The stable fixed point c* of the correlation map at q* (Schoenholz et al. 2017), its slope chi_c
 * and xi_c = -1/ln chi_c.
 *  - no q* (fixedPoint divergent): kind 'none';
 *  - 'any' (linear at sigma_w = 1, relu at sigma_w^2 = 2, sigma_b = 0): the map does not depend on q
 *    (taken at q = 1): linear C(c) = c (every c fixed), relu C(c) = (s + (pi - acos c) c)/pi, whose
 *    stable point is c* = 1 with chi_c = 1 (approached algebraically): xi_c = Infinity;
 *  - q* = 0 (sigma_b = 0, phi(0) = 0, V'(0) <= 1): both signals shrink to 0, where phi is linear
 *    and C(c) -> c; reported as everyCorrelationFixed with chi_c = 1, xi_c = Infinity. chi_1 =
 *    sigma_w^2 phi'(0)^2 < 1 still makes GRADIENTS vanish (meanFieldPoint's xiGrad);
 *  - ordered (chi_1 < 1) and critical: c* = 1, chi_c = chi_1, xi_c = -1/ln chi_1 (Infinity when
 *    critical);
 *  - chaotic: c* is the root of C(c) - c in [0, 1). C is convex on [0, 1] (its Hermite expansion
 *    has nonnegative coefficients), C(0) = (sigma_w^2 E[phi]^2 + sigma_b^2)/q* >= 0, C(1) = 1 and
 *    C'(1) = chi_1 > 1, so that root is unique and attracting; c* = 0 exactly for odd phi at
 *    sigma_b = 0. A point with C(c) < c is found at c = 1 - 2^-k, then Brent to full precision.
 */
export function correlationFixedPoint(name: ActivationName, scales: Scales): CorrelationFixedPoint {
  checkScales(scales);
  const def = activationDef(name);
  const w2 = scales.sigmaW * scales.sigmaW;
  const b2 = scales.sigmaB * scales.sigmaB;
  const fp = fixedPoint(name, scales);
  if (fp.kind === 'divergent') return { kind: 'none', reason: `the length map has no fixed point q*: ${fp.reason}` };
  const point = (q: number, cStar: number, chiC: number, chi1: number, phase: Phase, identity = false): CorrelationFixedPoint => {
    const xiC = phase === 'critical' || chiC === 1 ? Infinity : -1 / Math.log(chiC);
    const out: CorrelationFixedPoint = { kind: 'point', q, cStar, chiC, chi1, phase, xiC, trainableDepth: 6 * xiC };
    if (identity) out.everyCorrelationFixed = true;
    return out;
  };
  if (fp.kind === 'any') {
    const chi1 = w2 * def.moments(1).mu1;
    // relu's C(c) > c for c < 1 (its stable point is 1); linear's is the identity
    return point(1, 1, 1, chi1, classifyPhase(chi1), def.family === 'linear');
  }
  const q = fp.q;
  const chi1 = w2 * gaussianMoments(name, q).mu1;
  const phase = classifyPhase(chi1);
  if (q === 0) return point(0, 1, 1, chi1, phase, true);
  if (phase !== 'chaotic') return point(q, 1, chi1, chi1, phase);
  const den = w2 * def.moments(q).ePhi2 + b2; // = q* to rounding
  const f = (c: number): number => 1 - c - (w2 * deficits(def, q, c, false).phi) / den; // C(c) - c
  let cStar: number;
  if (def.traits.odd && b2 === 0) {
    cStar = 0;
  } else {
    let lo = 0;
    let hi = Number.NaN;
    for (let k = 1; k <= MAX_HALVINGS; k++) {
      const c = 1 - 2 ** -k;
      if (f(c) < 0) {
        hi = c;
        break;
      }
      lo = c;
    }
    if (Number.isNaN(hi)) {
      // chi_1 - 1 > PHASE_TOLERANCE, so C(c) < c within ~1e-6 of 1: reaching here is a numerical failure
      throw new Error(`correlationFixedPoint: no c < 1 with C(c) < c found for ${name} at sigma_w = ${scales.sigmaW}, sigma_b = ${scales.sigmaB}`);
    }
    cStar = f(lo) <= 0 ? lo : brentRoot(f, lo, hi, { xTolerance: C_TOLERANCE });
  }
  const d = deficits(def, q, cStar);
  const chiC = w2 * (def.moments(q).mu1 - d.dphi);
  return point(q, cStar, chiC, chi1, phase);
}

/**
 * c^l for two inputs with |x|^2/N = q0 and correlation c0, l = 1..depth (c[l-1] = c^l, the
 * correlation of the layer-l pre-activations h^l), with q[l-1] = q^l from meanFieldTrajectory.
 * The input is not passed through phi (as in src/theory/trajectory.ts): q^1 = sigma_w^2 q0 + sigma_b^2,
 * c^1 = (sigma_w^2 q0 c0 + sigma_b^2)/q^1; then c^{l+1} = correlationMap(q^l, c^l).c, i.e.
 * (sigma_w^2 E[phi phi]_{q^l, c^l} + sigma_b^2)/q^{l+1}.
 */
export function correlationTrajectory(name: ActivationName, scales: Scales, depth: number, q0: number, c0: number): { q: number[]; c: number[] } {
  checkScales(scales);
  if (!(c0 >= -1 && c0 <= 1)) throw new SpecError(`c0 must be in [-1, 1], got ${c0}`);
  const t = meanFieldTrajectory({ activation: name, sigmaW: scales.sigmaW, sigmaB: scales.sigmaB, depth, q0 });
  const w2 = scales.sigmaW * scales.sigmaW;
  const q1 = w2 * q0 + scales.sigmaB * scales.sigmaB;
  const c: number[] = [q1 > 0 ? 1 - (w2 * q0 * (1 - c0)) / q1 : c0];
  let prev: { q: number; c: number; next: number } | undefined;
  for (let l = 1; l < depth; l++) {
    const ql = t.q[l - 1];
    const cl = c[l - 1];
    const next = prev && prev.q === ql && prev.c === cl ? prev.next : correlationMap(name, scales, ql, cl).c;
    prev = { q: ql, c: cl, next };
    c.push(next);
  }
  return { q: t.q, c };
}
