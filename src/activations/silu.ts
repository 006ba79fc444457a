import { define } from './define.js';
import { logSigmoid, sigmoid } from './special.js';

/** silu(h) = swish(h) = h sigmoid(h); phi' = s(h)(1 + h s(-h)) < 0 for h < -1.2785. */
export const silu = define({
  family: 'silu',
  name: 'silu',
  phi: (h) => h * sigmoid(h),
  dphi: (h) => sigmoid(h) * (1 + h * sigmoid(-h)),
  logDerivative: (h) => logSigmoid(h) + Math.log(Math.abs(1 + h * sigmoid(-h))),
  traits: { odd: false, bounded: false, homogeneous: false, kinks: [], canVanish: false, growth: 0.5 },
  evaluate: (h, out) => {
    const s = sigmoid(h);
    const m = sigmoid(-h);
    out[0] = h * s;
    out[1] = s * (1 + h * m);
    out[2] = s * m * (2 + h * (m - s));
  },
  torchGain: null,
  description: 'h sigmoid(h) (swish)',
});
