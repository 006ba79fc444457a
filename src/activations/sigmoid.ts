import { define } from './define.js';
import { logSigmoid, sigmoid as sig } from './special.js';

/** The logistic function 1/(1 + e^-h); phi' = s(h) s(-h), ln phi' = -|h| - 2 log1p(e^-|h|). */
export const sigmoid = define({
  family: 'sigmoid',
  name: 'sigmoid',
  phi: sig,
  dphi: (h) => sig(h) * sig(-h),
  logDerivative: (h) => logSigmoid(h) + logSigmoid(-h),
  traits: { odd: false, bounded: true, homogeneous: false, kinks: [], canVanish: false, growth: 0 },
  evaluate: (h, out) => {
    const s = sig(h);
    const m = sig(-h);
    out[0] = s;
    out[1] = s * m;
    out[2] = s * m * (m - s);
  },
  torchGain: 1,
  description: 'logistic 1/(1 + e^-h)',
});
