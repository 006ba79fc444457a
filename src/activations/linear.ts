import { define } from './define.js';

export const linear = define({
  family: 'linear',
  name: 'linear',
  phi: (h) => h,
  dphi: () => 1,
  logDerivative: () => 0,
  traits: { odd: true, bounded: false, homogeneous: true, kinks: [], canVanish: false, derivativeSquaredValues: [1], growth: 1 },
  moments: (q) => {
    if (!(q >= 0) || !Number.isFinite(q)) throw new Error(`gaussianMoments: q must be finite and >= 0, got ${q}`);
    return { q, ePhi2: q, mu1: 1, mu2: 1, dEPhi2: 1 };
  },
  torchGain: 1,
  description: 'h (no nonlinearity)',
});
