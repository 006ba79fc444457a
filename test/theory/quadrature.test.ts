import { describe, expect, it } from 'vitest';
import { gaussHermite } from '../../src/theory/hermite.js';
import { gaussianMoments } from '../../src/theory/gaussian-moments.js';
import { HERMITE_MAX_Q, smoothGaussianExpectations, trapezoidGaussianExpectations } from '../../src/theory/smooth-expectation.js';
import type { ActivationName } from '../../src/spec/types.js';
import { activation } from '../../src/network/activations.js';

/** (2k-1)!! = E[z^{2k}] */
const doubleFactorial = (k: number): number => {
  let p = 1;
  for (let j = 2 * k - 1; j > 1; j -= 2) p *= j;
  return p;
};

/**
 * Brute force: composite Simpson in h over [-12 sqrt(q), 12 sqrt(q)] (tail mass < 1e-32), with
 * breakpoints at the kinks (+-1, 0) so kinked integrands are smooth on every panel. 2e5 panels:
 * Simpson's h^4 error is below 1e-14 for these integrands at the q used here.
 */
function bruteForce(f: (h: number) => number, q: number, kinks: number[] = []): number {
  const s = Math.sqrt(q);
  const edges = [-12 * s, ...kinks.filter((k) => Math.abs(k) < 12 * s), 12 * s].sort((a, b) => a - b);
  const pdf = (h: number): number => Math.exp((-0.5 * h * h) / q) / Math.sqrt(2 * Math.PI * q);
  let total = 0;
  for (let e = 0; e + 1 < edges.length; e++) {
    const a = edges[e];
    const b = edges[e + 1];
    const n = 200000;
    const dh = (b - a) / n;
    // endpoints nudged inwards: at a kink the one-sided limit is what the panel integrates
    const fa = f(a + 1e-9 * dh);
    const fb = f(b - 1e-9 * dh);
    let sum = fa * pdf(a) + fb * pdf(b);
    for (let i = 1; i < n; i++) {
      const h = a + i * dh;
      sum += (i % 2 === 1 ? 4 : 2) * f(h) * pdf(h);
    }
    total += (sum * dh) / 3;
  }
  return total;
}

describe('probabilists Gauss-Hermite nodes', () => {
  it.each([1, 2, 3, 10, 50, 300])('n = %i integrates z^{2k} exactly for 2k < 2n (rel 1e-13)', (n) => {
    const { nodes, weights } = gaussHermite(n);
    expect(nodes).toHaveLength(n);
    for (let i = 1; i < n; i++) expect(nodes[i]).toBeGreaterThan(nodes[i - 1]);
    // moments up to z^20 (or degree 2n-1): the sum of positive terms keeps relative accuracy
    for (let k = 0; 2 * k < Math.min(2 * n, 21); k++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += weights[i] * nodes[i] ** (2 * k);
      expect(Math.abs(s / doubleFactorial(k) - 1), `n=${n} k=${k}`).toBeLessThan(1e-13);
    }
  });
});

describe('tanh Gaussian expectations', () => {
  // mpmath (30 digits, adaptive quadrature in h with breakpoints; /tmp reference script) values of
  // E[tanh^2], E[sech^4], E[sech^8] at h ~ N(0, q): an independent implementation.
  const MPMATH: Record<string, [number, number, number]> = {
    '1e-6': [9.99998000005666646e-7, 0.99999800000699996867, 0.99999600002599979734],
    '0.3': [0.19726338750221825097, 0.68587155289605394049, 0.55053927374606789116],
    '4': [0.63526123425693992486, 0.25595044322520891239, 0.17922937117003605745],
    '30': [0.85626860511610121969, 0.096598450662707640409, 0.066436529755140328515],
    '10000': [0.9920214824805130433, 0.0053191446440146221396, 0.0036474463973479085748],
  };
  it.each(Object.keys(MPMATH))('q = %s matches mpmath to 1e-13 (absolute; values are O(1) or ~q)', (key) => {
    const q = Number(key);
    const m = gaussianMoments('tanh', q);
    const [e2, m1, m2] = MPMATH[key];
    // the 1e-13 budget: quadrature error ~1e-17 plus rounding in summing 300-1e4 terms
    expect(Math.abs(m.ePhi2 - e2)).toBeLessThan(1e-13 * Math.max(q, 1e-3) + 1e-19);
    expect(Math.abs(m.mu1 - m1)).toBeLessThan(1e-13);
    expect(Math.abs(m.mu2 - m2)).toBeLessThan(1e-13);
  });

  it('q = 0 exactly: E[tanh^2] = 0, mu_1 = mu_2 = 1, V-slope factor 1', () => {
    expect(gaussianMoments('tanh', 0)).toEqual({ q: 0, ePhi2: 0, mu1: 1, mu2: 1, dEPhi2: 1 });
  });

  it('is accurate for small q in relative terms: E[tanh^2] = q - 2q^2 + (17/3) q^3 - ... (rel 1e-12)', () => {
    // Taylor: tanh^2 h = h^2 - (2/3) h^4 + (17/45) h^6 - ..., E h^{2k} = (2k-1)!! q^k
    for (const q of [1e-12, 1e-8, 1e-5]) {
      const series = q - 2 * q * q + (17 / 3) * q ** 3;
      expect(Math.abs(gaussianMoments('tanh', q).ePhi2 / series - 1)).toBeLessThan(1e-12);
    }
  });

  it.each([0.01, 0.5, 1, 1.01, 2, 4, 9, 100, 2500])('q = %f: brute-force Simpson agrees to 1e-12', (q) => {
    const m = gaussianMoments('tanh', q);
    const t2 = (h: number): number => Math.tanh(h) ** 2;
    const s4 = (h: number): number => (1 - Math.tanh(h) ** 2) ** 2;
    expect(Math.abs(m.ePhi2 - bruteForce(t2, q))).toBeLessThan(1e-12);
    expect(Math.abs(m.mu1 - bruteForce(s4, q))).toBeLessThan(1e-12);
  });

  it('Gauss-Hermite and the z-grid trapezoid agree where Hermite is used (q <= 1) to 1e-14', () => {
    const f = (h: number, out: Float64Array): void => {
      const t = Math.tanh(h);
      out[0] = t * t;
      out[1] = (1 - t * t) ** 2;
    };
    for (const q of [0.05, 0.5, 1]) {
      const gh = smoothGaussianExpectations(q, 2, f);
      const tr = trapezoidGaussianExpectations(q, 2, f, Math.min(0.1, 0.2 / Math.sqrt(q)));
      expect(Math.abs(gh[0] - tr[0])).toBeLessThan(1e-14);
      expect(Math.abs(gh[1] - tr[1])).toBeLessThan(1e-14);
    }
  });

  it('E[tanh^2] is continuous across the quadrature switch at q = HERMITE_MAX_Q (relative 1e-14)', () => {
    const below = gaussianMoments('tanh', HERMITE_MAX_Q).ePhi2;
    const above = gaussianMoments('tanh', HERMITE_MAX_Q * (1 + 1e-15)).ePhi2;
    expect(Math.abs(above / below - 1)).toBeLessThan(1e-14);
  });
});

describe('closed forms against quadrature', () => {
  it.each([0.01, 0.17705, 0.5, 1, 4, 30])('hard-tanh at q = %f: E phi^2, mu_1, mu_2 (1e-12)', (q) => {
    const a = activation('hard-tanh');
    const m = gaussianMoments('hard-tanh', q);
    expect(Math.abs(m.ePhi2 - bruteForce((h) => a.phi(h) ** 2, q, [-1, 1]))).toBeLessThan(1e-12);
    expect(Math.abs(m.mu1 - bruteForce((h) => a.dphi(h) ** 2, q, [-1, 1]))).toBeLessThan(1e-12);
    expect(Math.abs(m.mu2 - bruteForce((h) => a.dphi(h) ** 4, q, [-1, 1]))).toBeLessThan(1e-12);
  });

  it.each(['relu', 'linear'] as ActivationName[])('%s at q = 0.7 against quadrature (1e-12)', (name) => {
    const a = activation(name);
    const m = gaussianMoments(name, 0.7);
    expect(Math.abs(m.ePhi2 - bruteForce((h) => a.phi(h) ** 2, 0.7, [0]))).toBeLessThan(1e-12);
    expect(Math.abs(m.mu1 - bruteForce((h) => a.dphi(h) ** 2, 0.7, [0]))).toBeLessThan(1e-12);
  });

  it.each(['tanh', 'hard-tanh', 'relu', 'linear'] as ActivationName[])(
    '%s: d/dq E phi^2 (Stein) equals a central difference (1e-7: O(dq^2) truncation + 1e-16/dq rounding, dq = 1e-5)',
    (name) => {
      for (const q of [0.05, 0.3, 1, 3, 10]) {
        const dq = 1e-5 * q;
        const fd = (gaussianMoments(name, q + dq).ePhi2 - gaussianMoments(name, q - dq).ePhi2) / (2 * dq);
        expect(Math.abs(gaussianMoments(name, q).dEPhi2 - fd), `q=${q}`).toBeLessThan(1e-7);
      }
    },
  );
});
