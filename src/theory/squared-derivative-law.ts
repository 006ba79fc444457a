import { erf, erfc } from '../numeric/erf.js';
import { activation as activationDef } from '../activations/registry.js';
import type { ActivationName } from '../spec/types.js';
import type { Complex } from './complex.js';
import { gaussianMoments } from './gaussian-moments.js';

/**
 * The law of d = phi'(h)^2, h ~ N(0, q): the entries of D^2 at a stationary layer. Free probability
 * needs its M-transform M(x) = E[d/(x - d)] at complex x (docs/science.md section 6).
 *
 * - piecewise-constant phi' (traits.derivativeSquaredValues): linear {1}, relu and hard-tanh {0, 1},
 *   leaky-relu(a) {a^2, 1} (two NONZERO atoms): the law is atoms and M is exact.
 * - tanh: d = sech^4(h) has a continuous law on (0, 1]. A fixed set of quadrature nodes would turn
 *   M into a sum of 300 poles, and the solver's x does come close to (0, 1) (at depth 1, x = z/sigma_w^2
 *   lies on it), where such a sum is a comb, not a density. Instead the law is replaced by a
 *   histogram whose bins carry the EXACT probability P(z_k <= |h|/sqrt(q) < z_{k+1}) (from erf), with
 *   the mass spread uniformly in d over an interval of the bin's width centred on the bin's EXACT
 *   conditional mean E[d | bin] (3-point Gauss-Legendre in z, error ~dz^6). Its M has a closed form
 *   (a complex log per bin) that stays finite up to the real axis, so the density it produces is a
 *   genuine density; its CDF matches the true CDF of d to within one bin, its mean equals mu_1 to
 *   ~5e-9 relative (the top bin is kept inside d <= 1, so it cannot be centred), and its second
 *   moment differs from mu_2 by O(dz^2) (~1e-7 relative at 2000 bins, tested).
 *   Without the centring, E[d] would be off by ~1e-6 per layer, 1e-4 in m1 at L = 100.
 * - every other smooth phi: the same exact-mass histogram. When phi'^2 is even (odd phi: erf; and
 *   sigmoid) the bins run over |z| exactly as tanh's (whose numbers are bitwise the historical ones);
 *   otherwise (gelu, silu, softplus, mish, ...) over the whole z line, each side with half the mass,
 *   with the bin's width the spread of d over the bin (d need not be monotone: gelu's phi' crosses 0),
 *   centred on the exact conditional mean, and each side's tail beyond |z| = 9 an atom at d(+-9).
 *   selu and elu (phi' constant for h > 0) come out as a mixture: the constant side's zero-width bins
 *   are atoms at lambda^2 (resp. 1), the h < 0 side is bins.
 */
export interface SquaredDerivativeLaw {
  /** atoms: value and probability */
  atomValue: Float64Array;
  atomMass: Float64Array;
  /** uniform-density bins [lo, hi] with their probability */
  binLo: Float64Array;
  binHi: Float64Array;
  binMass: Float64Array;
}

/** Bins of the tanh histogram; the |h|/sqrt(q) range they cover (the rest is one last bin). */
export const DEFAULT_TANH_BINS = 2000;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const TANH_Z_RANGE = 9;
/** A bin narrower than this (relative) is stored as an atom: the log formula would lose its digits. */
const MIN_RELATIVE_BIN_WIDTH = 1e-9;

export function squaredDerivativeLaw(activation: ActivationName, q: number, tanhBins = DEFAULT_TANH_BINS): SquaredDerivativeLaw {
  const def = activationDef(activation);
  const values = def.traits.derivativeSquaredValues;
  if (values) {
    if (values.length === 1) return atomsOnly([values[0]], [1]);
    // two values v0 < v1: P(d = v1) from mu_1 = v0 + (v1 - v0) P(d = v1). relu, hard-tanh: {0, 1},
    // so P(d = 1) = mu_1 (kept in that form: the numbers are the historical ones); leaky-relu: {a^2, 1}
    const [v0, v1] = [Math.min(...values), Math.max(...values)];
    const mu1 = gaussianMoments(activation, q).mu1;
    const p = v0 === 0 && v1 === 1 ? mu1 : (mu1 - v0) / (v1 - v0);
    return atomsOnly([v1, v0], [p, 1 - p]);
  }
  if (q === 0) {
    const d0 = def.moments(0).mu1;
    return atomsOnly([d0], [1]);
  }
  const s = Math.sqrt(q);
  const dsq = def.derivativeSquared ?? ((h: number) => {
    const v = def.dphi(h);
    return v * v;
  });
  const d = (z: number): number => dsq(s * z);
  const atomValue: number[] = [];
  const atomMass: number[] = [];
  const binLo: number[] = [];
  const binHi: number[] = [];
  const binMass: number[] = [];
  const push = (lo: number, hi: number, mass: number): void => {
    if (mass <= 0) return;
    if (hi - lo <= MIN_RELATIVE_BIN_WIDTH * hi) {
      atomValue.push(0.5 * (lo + hi));
      atomMass.push(mass);
    } else {
      binLo.push(lo);
      binHi.push(hi);
      binMass.push(mass);
    }
  };
  const dz = TANH_Z_RANGE / tanhBins;
  // 3-point Gauss-Legendre on [-1, 1]
  const glX = [-Math.sqrt(0.6), 0, Math.sqrt(0.6)];
  const glW = [5 / 9, 8 / 9, 5 / 9];
  // phi'^2 even (odd phi, or sigmoid's phi'): bins over |z| carry both signs, as tanh always had;
  // otherwise bins over the whole z line, [-range, range], with one-sided tails
  const even = def.traits.odd || evenDerivative(dsq);
  // even phi'^2 here (tanh, erf, sigmoid) decreases in |z|: its largest value is at z = 0
  const top = d(0);
  const sides = even ? [1] : [-1, 1];
  for (const side of sides) {
    for (let k = 0; k < tanhBins; k++) {
      const z0 = k * dz;
      const z1 = (k + 1) * dz;
      // P(z0 <= |Z| < z1) = erf(z1/sqrt2) - erf(z0/sqrt2); erfc difference in the tail; one side: half
      const both = z0 < 1 ? erf(z1 / Math.SQRT2) - erf(z0 / Math.SQRT2) : erfc(z0 / Math.SQRT2) - erfc(z1 / Math.SQRT2);
      const mass = even ? both : 0.5 * both;
      if (!(mass > 0)) continue;
      // E[d 1{bin}] = (2 or 1) int_{z0}^{z1} n(z) d(+-z) dz
      let md = 0;
      const nodes: number[] = [];
      for (let g = 0; g < 3; g++) {
        const z = 0.5 * (z0 + z1) + 0.5 * dz * glX[g];
        const dv = d(side * z);
        nodes.push(dv);
        md += glW[g] * 0.5 * dz * (even ? 2 : 1) * Math.exp(-0.5 * z * z) * INV_SQRT_2PI * dv;
      }
      const mean = md / mass;
      // the bin edge at z = 0 is evaluated on this side of it (elu, selu: phi' jumps at 0)
      const d0 = d(side * Math.max(z0, 1e-300));
      const d1 = d(side * z1);
      if (even) {
        const half = 0.5 * (d0 - d1);
        // keep the interval inside [0, d(0)] (d(0) = sup d: 1 for tanh; it only matters for the outermost bins)
        const lo = Math.max(0, Math.min(mean - half, top - 2 * half));
        push(lo, lo + 2 * half, mass);
      } else {
        // d need not be monotone on a bin (gelu's phi' crosses 0): the spread of the values seen
        const half = 0.5 * (Math.max(d0, d1, ...nodes) - Math.min(d0, d1, ...nodes));
        const lo = Math.max(0, mean - half);
        push(lo, lo + 2 * half, mass);
      }
    }
    const tail = even ? erfc(TANH_Z_RANGE / Math.SQRT2) : 0.5 * erfc(TANH_Z_RANGE / Math.SQRT2);
    if (even) push(0, d(TANH_Z_RANGE), tail);
    else {
      atomValue.push(d(side * TANH_Z_RANGE));
      atomMass.push(tail);
    }
  }
  return {
    atomValue: Float64Array.from(atomValue),
    atomMass: Float64Array.from(atomMass),
    binLo: Float64Array.from(binLo),
    binHi: Float64Array.from(binHi),
    binMass: Float64Array.from(binMass),
  };
}

/** phi'^2 even (checked at a few points, exactly): sigmoid's phi' is even though phi is not odd. */
function evenDerivative(dsq: (h: number) => number): boolean {
  return [0.3, 1.7, 4.1].every((h) => dsq(h) === dsq(-h));
}

function atomsOnly(values: number[], masses: number[]): SquaredDerivativeLaw {
  const keep = masses.map((m, i) => [values[i], m] as const).filter(([, m]) => m > 0);
  return {
    atomValue: Float64Array.from(keep.map(([v]) => v)),
    atomMass: Float64Array.from(keep.map(([, m]) => m)),
    binLo: new Float64Array(0),
    binHi: new Float64Array(0),
    binMass: new Float64Array(0),
  };
}

/** E[d^k] of the law (k = 1, 2), for checking it against mu_1, mu_2. */
export function lawMoment(law: SquaredDerivativeLaw, k: 1 | 2): number {
  let s = 0;
  for (let i = 0; i < law.atomValue.length; i++) s += law.atomMass[i] * law.atomValue[i] ** k;
  for (let i = 0; i < law.binLo.length; i++) {
    const a = law.binLo[i];
    const b = law.binHi[i];
    s += law.binMass[i] * (k === 1 ? 0.5 * (a + b) : (a * a + a * b + b * b) / 3);
  }
  return s;
}

/** Largest value d can take (the right end of its support): where the real branch of x starts. */
export function lawMax(law: SquaredDerivativeLaw): number {
  let m = 0;
  for (let i = 0; i < law.atomValue.length; i++) if (law.atomValue[i] > m) m = law.atomValue[i];
  for (let i = 0; i < law.binHi.length; i++) if (law.binHi[i] > m) m = law.binHi[i];
  return m;
}

/** Probability that d = 0 exactly: the atom at 0 that JJ^T inherits (rank argument). */
export function lawMassAtZero(law: SquaredDerivativeLaw): number {
  let s = 0;
  for (let i = 0; i < law.atomValue.length; i++) if (law.atomValue[i] === 0) s += law.atomMass[i];
  return s;
}

/** True when d is deterministic: then orthogonal JJ^T is a multiple of the identity. */
export function lawIsPointMass(law: SquaredDerivativeLaw): boolean {
  return law.binLo.length === 0 && law.atomValue.length === 1;
}

/**
 * M(x) = E[d/(x-d)], 1 + M(x) = E[x/(x-d)] and dM/dx at complex x off the support.
 * m and 1 + m are summed separately because each is needed to full relative precision at one end:
 * m -> 0 as x -> infinity (above the spectrum) and 1 + m -> P(d = 0) as x -> 0 (its bottom).
 * A bin [a, b] of mass w contributes w g to E[1/(x-d)] with g = (1/(b-a)) ln((x-a)/(x-b)),
 * w (x g - 1) to m and w (g - x/((x-a)(x-b))) to dM/dx. For a narrow bin (u = (b-a)/(x-b) small)
 * the log is of a number near 1 and x g - 1 cancels, so we use ln(1+u)/u = 1 + S1(u),
 * S1(u) = -u/2 + u^2/3 - ..., giving g = (1 + S1)/(x-b) and x g - 1 = (b + x S1)/(x-b).
 */
export function mTransform(law: SquaredDerivativeLaw, x: Complex): { m: Complex; onePlusM: Complex; dm: Complex } {
  let mr = 0;
  let mi = 0;
  let pr1 = 0; // 1 + m
  let pi1 = 0;
  let dr = 0;
  let di = 0;
  const { atomValue, atomMass, binLo, binHi, binMass } = law;
  for (let i = 0; i < atomValue.length; i++) {
    const v = atomValue[i];
    const w = atomMass[i];
    if (v === 0) {
      pr1 += w; // x/(x - 0) = 1
      continue;
    }
    // r = 1/(x - v)
    const ar = x.re - v;
    const ai = x.im;
    const den = ar * ar + ai * ai;
    const rr = ar / den;
    const ri = -ai / den;
    pr1 += w * (x.re * rr - x.im * ri);
    pi1 += w * (x.re * ri + x.im * rr);
    mr += w * v * rr;
    mi += w * v * ri;
    // -w v r^2
    dr -= w * v * (rr * rr - ri * ri);
    di -= w * v * (2 * rr * ri);
  }
  for (let i = 0; i < binLo.length; i++) {
    const a = binLo[i];
    const b = binHi[i];
    const w = binMass[i];
    const width = b - a;
    // 1/(x-b) and 1/(x-a)
    const br = x.re - b;
    const bi = x.im;
    const bden = br * br + bi * bi;
    const ibr = br / bden;
    const ibi = -bi / bden;
    const ar = x.re - a;
    const ai = x.im;
    const aden = ar * ar + ai * ai;
    const iar = ar / aden;
    const iai = -ai / aden;
    // u = width / (x - b)
    const ur = width * ibr;
    const ui = width * ibi;
    let gr: number;
    let gi: number;
    if (ur * ur + ui * ui < 0.0025) {
      // S1(u) = sum_{n>=1} (-1)^n u^n/(n+1); |u| < 0.05 so 12 terms reach 1e-17
      let sr = 0;
      let si = 0;
      let pr = ur;
      let pi = ui;
      for (let n = 1; n <= 12; n++) {
        const c = (n % 2 === 1 ? -1 : 1) / (n + 1);
        sr += c * pr;
        si += c * pi;
        const t = pr * ur - pi * ui;
        pi = pr * ui + pi * ur;
        pr = t;
      }
      // g = (1 + S1)/(x-b)
      gr = ibr * (1 + sr) - ibi * si;
      gi = ibr * si + ibi * (1 + sr);
      // m += w (b + x S1)/(x-b)
      const nr = b + x.re * sr - x.im * si;
      const ni = x.re * si + x.im * sr;
      mr += w * (nr * ibr - ni * ibi);
      mi += w * (nr * ibi + ni * ibr);
    } else {
      // g = ln((x-a)/(x-b)) / width; for Im x >= 0 the principal log of the ratio is the right branch
      const qr = ar * ibr - ai * ibi;
      const qi = ar * ibi + ai * ibr;
      gr = Math.log(Math.hypot(qr, qi)) / width;
      gi = Math.atan2(qi, qr) / width;
      mr += w * (x.re * gr - x.im * gi - 1);
      mi += w * (x.re * gi + x.im * gr);
    }
    // 1 + m += w x g
    pr1 += w * (x.re * gr - x.im * gi);
    pi1 += w * (x.re * gi + x.im * gr);
    // dm += w (g - x/((x-a)(x-b)))
    const pr2 = iar * ibr - iai * ibi;
    const pi2 = iar * ibi + iai * ibr;
    dr += w * (gr - (x.re * pr2 - x.im * pi2));
    di += w * (gi - (x.re * pi2 + x.im * pr2));
  }
  return { m: { re: mr, im: mi }, onePlusM: { re: pr1, im: pi1 }, dm: { re: dr, im: di } };
}
