import { describe, it, expect } from 'vitest';
import { trainableContour } from '../../src/report/theory.js';
import { correlationFixedPoint } from '../../src/theory/correlation.js';
import { findCriticalPoint } from '../../src/theory/critical.js';

/**
 * The phase figure's trainable-depth contour 6 xi_c = L (issue 12). Each point is a root found to
 * 1e-3 in sigma_w; xi_c varies by at most ~10% per 1e-3 of sigma_w near the contour here, so 6 xi_c
 * is within 10% of L at the point, and the sides lie on the right of the critical gain.
 */
describe('trainable-depth contour (tanh, L = 100)', () => {
  const sbs = [0.05, 0.2, 0.4];
  const pts = trainableContour('tanh', 100, 0.5, 2.5, sbs);
  it('one point per side and sigma_b where the crossing lies in the plotted range', () => {
    expect(pts.filter((p) => p.side === 'ordered').map((p) => p.sigmaB)).toEqual(sbs);
    expect(pts.filter((p) => p.side === 'chaotic').map((p) => p.sigmaB)).toEqual(sbs);
  });
  it('6 xi_c = 100 within 10% at every point, ordered points below the critical gain and chaotic ones above', () => {
    for (const p of pts) {
      const c = correlationFixedPoint('tanh', { sigmaW: p.sigmaW, sigmaB: p.sigmaB });
      if (c.kind !== 'point') throw new Error('expected a fixed point');
      expect(Math.abs(c.trainableDepth / 100 - 1), `${p.side} at sigma_b ${p.sigmaB}`).toBeLessThan(0.1);
      const crit = findCriticalPoint('tanh', p.sigmaB);
      if (!crit.exists) throw new Error('expected a critical point');
      expect(p.side === 'ordered' ? p.sigmaW < crit.point.sigmaW : p.sigmaW > crit.point.sigmaW).toBe(true);
    }
  });
});
