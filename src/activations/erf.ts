import { erf as erfFn } from '../numeric/erf.js';
import { define } from './define.js';

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const LN_TWO_OVER_SQRT_PI = Math.log(TWO_OVER_SQRT_PI);

/**
 * erf(h), with closed-form moments (Williams 1997): E erf(h)^2 = (2/pi) asin(2q/(1+2q))
 * = (2/pi) atan(2q/sqrt(1+4q)); phi' = (2/sqrt pi) e^{-h^2} so mu_1 = 4/(pi sqrt(1+4q)),
 * mu_2 = 16/(pi^2 sqrt(1+8q)); d/dq E phi^2 = 4/(pi (1+2q) sqrt(1+4q)).
 */
export const erf = define({
  family: 'erf',
  name: 'erf',
  phi: erfFn,
  dphi: (h) => TWO_OVER_SQRT_PI * Math.exp(-h * h),
  logDerivative: (h) => LN_TWO_OVER_SQRT_PI - h * h,
  traits: { odd: true, bounded: true, homogeneous: false, kinks: [], canVanish: false, growth: 0 },
  moments: (q) => {
    if (!(q >= 0) || !Number.isFinite(q)) throw new Error(`gaussianMoments: q must be finite and >= 0, got ${q}`);
    const r = Math.sqrt(1 + 4 * q);
    return {
      q,
      ePhi2: (2 / Math.PI) * Math.atan((2 * q) / r),
      mu1: 4 / (Math.PI * r),
      mu2: 16 / (Math.PI * Math.PI * Math.sqrt(1 + 8 * q)),
      dEPhi2: 4 / (Math.PI * (1 + 2 * q) * r),
    };
  },
  torchGain: null,
  description: 'erf(h), the Gauss error function',
});
