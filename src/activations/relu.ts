import { define } from './define.js';

export const relu = define({
  family: 'relu',
  name: 'relu',
  phi: (h) => (h > 0 ? h : 0),
  dphi: (h) => (h > 0 ? 1 : 0),
  logDerivative: (h) => (h > 0 ? 0 : -Infinity),
  traits: { odd: false, bounded: false, homogeneous: true, kinks: [0], canVanish: true, derivativeSquaredValues: [0, 1], growth: 0.5 },
  // phi'(h)^2 = 1{h > 0}: probability 1/2 for every q > 0; q = 0 is taken as the limit q -> 0+.
  moments: (q) => {
    if (!(q >= 0) || !Number.isFinite(q)) throw new Error(`gaussianMoments: q must be finite and >= 0, got ${q}`);
    return { q, ePhi2: q / 2, mu1: 0.5, mu2: 0.5, dEPhi2: 0.5 };
  },
  torchGain: Math.SQRT2,
  description: 'max(h, 0)',
});
