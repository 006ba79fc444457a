import { define } from './define.js';
import { logSigmoid, sigmoid, softplus as sp } from './special.js';

/** ln(1 + e^h) (torch's Softplus with beta = 1, without its linear threshold); phi' = sigmoid(h). */
export const softplus = define({
  family: 'softplus',
  name: 'softplus',
  phi: sp,
  dphi: sigmoid,
  logDerivative: logSigmoid,
  traits: { odd: false, bounded: false, homogeneous: false, kinks: [], canVanish: false, growth: 0.5 },
  evaluate: (h, out) => {
    const s = sigmoid(h);
    out[0] = sp(h);
    out[1] = s;
    out[2] = s * sigmoid(-h);
  },
  torchGain: null,
  description: 'ln(1 + e^h)',
});
