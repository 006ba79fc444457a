import { SpecError } from '../spec/errors.js';
import type { ActivationName } from '../spec/types.js';
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
 * The critical gain for a given sigma_b, or the reason there is none. tanh and hard-tanh are
 * parametrized by q*: sigma_w^2 = 1/mu_1(q*), sigma_b^2 = B(q*) = q* - E[phi^2]/mu_1(q*), and
 * B(q*) = sigma_b^2 is solved for q*. B(0) = 0 and B grows without bound, so [0, hi] brackets it.
 */
export function findCriticalPoint(activation: ActivationName, sigmaB: number): CriticalSearch {
  if (!(sigmaB >= 0) || !Number.isFinite(sigmaB)) throw new SpecError(`--bias-std must be a finite number >= 0, got ${sigmaB}`);
  const b2 = sigmaB * sigmaB;
  const point = (sigmaW2: number, q: number | 'any'): CriticalSearch => ({
    exists: true,
    point: { activation, sigmaB, sigmaB2: b2, sigmaW: Math.sqrt(sigmaW2), sigmaW2, q },
  });
  switch (activation) {
    case 'linear':
      if (b2 === 0) return point(1, 'any');
      return {
        exists: false,
        reason:
          `linear at sigma_b = ${sigmaB} > 0 has no edge of chaos: chi = sigma_w^2 does not depend on q, and at ` +
          `sigma_w = 1 (chi = 1) the length map q -> q + sigma_b^2 has no fixed point (q^l grows by sigma_b^2 per layer). ` +
          `Gradients are preserved at sigma_w = 1 for any sigma_b; there is no finite q*`,
      };
    case 'relu':
      if (b2 === 0) return point(2, 'any');
      return {
        exists: false,
        reason:
          `relu at sigma_b = ${sigmaB} > 0 has no critical point: chi = sigma_w^2/2 does not depend on q, and at ` +
          `sigma_w^2 = 2 (chi = 1) the length map q -> q + sigma_b^2 has no fixed point (q^l grows without bound); ` +
          `below it gradients vanish, above it they explode`,
      };
    case 'tanh':
    case 'hard-tanh': {
      if (b2 === 0) return point(1, 0);
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
  }
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
