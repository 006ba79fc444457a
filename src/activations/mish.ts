import { define } from './define.js';
import { logSigmoid, sigmoid } from './special.js';

/**
 * mish(h) = h tanh(softplus(h)). With m = sigmoid(-h), r = m^2: t = tanh(softplus h) = (1-r)/(1+r)
 * = sigmoid(h)(1+m)/(1+r) and sech^2 = 4r/(1+r)^2, all without cancellation.
 * phi' = t + h sech^2 sigmoid(h) = sigmoid(h) [(1+m)/(1+r) + h sech^2]: its log is exact in both tails.
 */
function parts(h: number): { s: number; m: number; t: number; sech2: number; lead: number } {
  const s = sigmoid(h);
  const m = sigmoid(-h);
  const r = m * m;
  const lead = (1 + m) / (1 + r);
  const t = s * lead;
  const sech2 = (4 * r) / ((1 + r) * (1 + r));
  return { s, m, t, sech2, lead };
}

export const mish = define({
  family: 'mish',
  name: 'mish',
  phi: (h) => h * parts(h).t,
  dphi: (h) => {
    // sigmoid(h) factored out: where it underflows the product is a signed zero (-0 for h < -1.19)
    const p = parts(h);
    return p.s * (p.lead + h * p.sech2);
  },
  logDerivative: (h) => {
    const p = parts(h);
    return logSigmoid(h) + Math.log(Math.abs(p.lead + h * p.sech2));
  },
  traits: { odd: false, bounded: false, homogeneous: false, kinks: [], canVanish: false, growth: 0.5 },
  evaluate: (h, out) => {
    const { s, m, t, sech2 } = parts(h);
    out[0] = h * t;
    out[1] = t + h * sech2 * s;
    out[2] = 2 * sech2 * s + h * sech2 * s * (m - 2 * t * s);
  },
  torchGain: null,
  description: 'h tanh(ln(1 + e^h))',
});
