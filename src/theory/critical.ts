import { activation as activationDef } from '../activations/registry.js';
import { SpecError } from '../spec/errors.js';
import type { ActivationName } from '../spec/types.js';
import { fixedPoint, SCAN_Q_MIN } from './fixed-point.js';
import { gaussianMoments } from './gaussian-moments.js';
import { brentRootIn as brentRoot } from '../numeric/roots.js';

/** A point on the edge of chaos: chi_1 = sigma_w^2 mu_1(q*) = 1 at the fixed point q* (docs/science.md 5). */
export interface CriticalPoint {
  activation: ActivationName;
  sigmaB: number;
  sigmaB2: number;
  sigmaW: number;
  sigmaW2: number;
  /** q* at criticality; 'any' where the length map is the identity (linear, relu at sigma_b = 0) */
  q: number | 'any';
}

export type CriticalSearch = { exists: true; point: CriticalPoint } | { exists: false; reason: string };

/**
 * Largest q* the critical search looks at. The Gaussian expectations are validated to q = 1e8
 * (test/theory/quadrature.test.ts), which covers every sigma_b <= 100 the CLI accepts
 * (q* ~ sigma_b^2 + 0.75 sqrt(2 pi) sigma_b for tanh: 1.02e4 at sigma_b = 100).
 */
export const CRITICAL_Q_MAX = 1e8;

/**
 * The critical gain for a given sigma_b, or the reason there is none. Every non-homogeneous
 * activation is parametrized by q*: sigma_w^2 = 1/mu_1(q*), sigma_b^2 = B(q*) = q* - E[phi^2]/mu_1(q*),
 * and B(q*) = sigma_b^2 is solved for q*.
 *  - homogeneous phi (linear, relu, leaky-relu): chi does not depend on q; critical only at
 *    sigma_b = 0, where V is the identity ('any');
 *  - odd bounded phi (tanh, hard-tanh, erf): B(0) = 0 and B grows without bound, so [0, hi]
 *    brackets it; at sigma_b = 0 the point is q* = 0, sigma_w^2 = 1/phi'(0)^2;
 *  - the others (sigmoid, softplus, gelu, gelu-tanh, silu, selu, elu, mish): B need not be monotone
 *    (or even reach sigma_b^2), and a root of B is critical only if q* is the attracting fixed point
 *    at that sigma_w. B - sigma_b^2 is scanned on a log grid of q (ratio CRIT_SCAN_RATIO) and each
 *    root is checked against fixedPoint(); the first that passes is returned, else the reason.
 */
export function findCriticalPoint(activation: ActivationName, sigmaB: number): CriticalSearch {
  if (!(sigmaB >= 0) || !Number.isFinite(sigmaB)) throw new SpecError(`--bias-std must be a finite number >= 0, got ${sigmaB}`);
  const def = activationDef(activation);
  const b2 = sigmaB * sigmaB;
  const point = (sigmaW2: number, q: number | 'any'): CriticalSearch => ({
    exists: true,
    point: { activation, sigmaB, sigmaB2: b2, sigmaW: Math.sqrt(sigmaW2), sigmaW2, q },
  });
  if (def.traits.homogeneous) {
    const mu1 = def.moments(1).mu1;
    if (b2 === 0) return point(1 / mu1, 'any');
    return { exists: false, reason: homogeneousReason(activation, sigmaB, mu1) };
  }
  if (def.traits.odd && def.traits.bounded) {
    if (b2 === 0) return point(1 / gaussianMoments(activation, 0).mu1, 0);
    // B(q) = q - E[phi^2]/mu_1 < q, so the critical q* exceeds sigma_b^2: refuse before evaluating
    if (!(b2 < CRITICAL_Q_MAX)) {
      throw new SpecError(
        `--bias-std ${sigmaB} is too large: the critical q* would exceed sigma_b^2 = ${b2} > ${CRITICAL_Q_MAX}, beyond the validated range`,
      );
    }
    const biasOfCritical = (q: number): number => {
      const m = gaussianMoments(activation, q);
      return q - m.ePhi2 / m.mu1;
    };
    let hi = Math.max(1, 4 * b2);
    while (biasOfCritical(hi) <= b2) {
      if (hi >= CRITICAL_Q_MAX) {
        throw new SpecError(
          `--bias-std ${sigmaB} is too large: the critical q* would exceed ${CRITICAL_Q_MAX}, beyond the validated range`,
        );
      }
      hi = Math.min(CRITICAL_Q_MAX, hi * 4);
    }
    const q = brentRoot((x) => biasOfCritical(x) - b2, 0, hi);
    return point(1 / gaussianMoments(activation, q).mu1, q);
  }
  return scanCriticalPoint(activation, sigmaB);
}

function homogeneousReason(activation: ActivationName, sigmaB: number, mu1: number): string {
  if (activation === 'linear') {
    return (
      `linear at sigma_b = ${sigmaB} > 0 has no edge of chaos: chi = sigma_w^2 does not depend on q, and at ` +
      `sigma_w = 1 (chi = 1) the length map q -> q + sigma_b^2 has no fixed point (q^l grows by sigma_b^2 per layer). ` +
      `Gradients are preserved at sigma_w = 1 for any sigma_b; there is no finite q*`
    );
  }
  const chi = activation === 'relu' ? 'sigma_w^2/2' : `sigma_w^2 * ${mu1}`;
  const w2 = activation === 'relu' ? '2' : String(1 / mu1);
  return (
    `${activation} at sigma_b = ${sigmaB} > 0 has no critical point: chi = ${chi} does not depend on q, and at ` +
    `sigma_w^2 = ${w2} (chi = 1) the length map q -> q + sigma_b^2 has no fixed point (q^l grows without bound); ` +
    `below it gradients vanish, above it they explode`
  );
}

const CRIT_SCAN_RATIO = 1.25;

/** The generic search (see findCriticalPoint): roots of B(q) = sigma_b^2 that are attracting fixed points. */
function scanCriticalPoint(activation: ActivationName, sigmaB: number): CriticalSearch {
  const def = activationDef(activation);
  const b2 = sigmaB * sigmaB;
  const B = (q: number): number => {
    const m = def.moments(q);
    return q - m.ePhi2 / m.mu1;
  };
  const rejected: string[] = [];
  const accept = (q: number): CriticalSearch | undefined => {
    const m = def.moments(q);
    const w2 = 1 / m.mu1;
    const sigmaW = Math.sqrt(w2);
    const fp = fixedPoint(activation, { sigmaW, sigmaB });
    const slope = w2 * m.dEPhi2;
    const same = fp.kind === 'point' && (fp.q === q || Math.abs(fp.q - q) <= 1e-7 * Math.max(q, 1e-12));
    if (same && slope <= 1 + 1e-9) return { exists: true, point: { activation, sigmaB, sigmaB2: b2, sigmaW, sigmaW2: w2, q } };
    const at = `chi_1 = 1 at q* = ${q.toPrecision(6)}, sigma_w = ${sigmaW.toPrecision(7)}`;
    if (slope > 1 + 1e-9) rejected.push(`${at}, but that fixed point repels (V'(q*) = ${slope.toPrecision(4)} > 1)`);
    else if (fp.kind === 'point') rejected.push(`${at}, but from small inputs the length map settles at q* = ${fp.q.toPrecision(6)} instead`);
    else rejected.push(`${at}, but q^l ${fp.kind === 'divergent' ? 'diverges' : 'is not attracted to it'} there`);
    return undefined;
  };
  // q* = 0 at sigma_b = 0 (phi(0) = 0): sigma_w^2 = 1/phi'(0)^2, V'(0) = 1; attracting iff V(q) < q just above 0
  if (b2 === 0 && def.phi(0) === 0) {
    const m0 = def.moments(0);
    const w2 = 1 / m0.mu1;
    const sigmaW = Math.sqrt(w2);
    const qs = 1e-6;
    if ((w2 * def.moments(qs).ePhi2) / qs - 1 < 0) return { exists: true, point: { activation, sigmaB, sigmaB2: b2, sigmaW, sigmaW2: w2, q: 0 } };
    rejected.push(
      `chi_1 = 1 at q* = 0, sigma_w = ${sigmaW.toPrecision(7)}, but q* = 0 repels there (V(q) > q for small q > 0: ` +
        `sigma_w^2 E[phi^2] grows faster than q)`,
    );
  }
  let prev = SCAN_Q_MIN;
  let fPrev = B(prev) - b2;
  for (let q = SCAN_Q_MIN * CRIT_SCAN_RATIO; q <= CRITICAL_Q_MAX * CRIT_SCAN_RATIO; q *= CRIT_SCAN_RATIO) {
    const fq = B(q) - b2;
    if ((fPrev < 0 && fq >= 0) || (fPrev > 0 && fq <= 0)) {
      const root = fq === 0 ? q : brentRoot((x) => B(x) - b2, prev, q, { xTolerance: 0 });
      const hit = accept(root);
      if (hit) return hit;
    }
    prev = q;
    fPrev = fq;
  }
  if (rejected.length) return { exists: false, reason: `${activation} at sigma_b = ${sigmaB} has no edge of chaos: ${rejected.join('; ')}` };
  return {
    exists: false,
    reason:
      `${activation} at sigma_b = ${sigmaB} has no edge of chaos: B(q) = q - E[phi^2]/mu_1(q) never equals sigma_b^2 = ${Number(b2.toPrecision(6))} ` +
      `for q in [${SCAN_Q_MIN}, ${CRITICAL_Q_MAX}], so chi_1 = 1 holds at no fixed point`,
  };
}

/** The critical point, or a SpecError carrying the reason it does not exist. */
export function criticalPoint(activation: ActivationName, sigmaB: number): CriticalPoint {
  const r = findCriticalPoint(activation, sigmaB);
  if (!r.exists) throw new SpecError(r.reason);
  return r.point;
}

/** The critical line over a list of sigma_b values (e.g. parsed from 0:0.5:0.05). */
export function criticalLine(activation: ActivationName, sigmaBs: readonly number[]): CriticalPoint[] {
  return sigmaBs.map((sb) => criticalPoint(activation, sb));
}
