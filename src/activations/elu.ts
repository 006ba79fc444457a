import { define } from './define.js';
import type { ActivationDef } from './types.js';

/**
 * elu(alpha): h for h > 0, alpha (e^h - 1) otherwise. phi' jumps at 0 (from alpha to 1) unless
 * alpha = 1; phi(0) = 0, so the jump adds no Dirac term to E[phi phi''].
 */
export function elu(alpha: number): ActivationDef {
  const lnA = Math.log(alpha);
  return define({
    family: 'elu',
    params: { alpha },
    name: `elu(${String(alpha)})`,
    phi: (h) => (h > 0 ? h : alpha * Math.expm1(h)),
    dphi: (h) => (h > 0 ? 1 : alpha * Math.exp(h)),
    logDerivative: (h) => (h > 0 ? 0 : lnA + h),
    traits: { odd: false, bounded: false, homogeneous: false, kinks: alpha === 1 ? [] : [0], canVanish: false, growth: 0.5 },
    breakpoints: [0],
    evaluate: (h, out) => {
      if (h > 0) {
        out[0] = h;
        out[1] = 1;
        out[2] = 0;
      } else {
        const e = alpha * Math.exp(h);
        out[0] = alpha * Math.expm1(h);
        out[1] = e;
        out[2] = e;
      }
    },
    torchGain: null,
    description: `h for h > 0, ${String(alpha)} (e^h - 1) otherwise`,
  });
}

/** torch's SELU constants (Klambauer et al. 2017). */
export const SELU_LAMBDA = 1.0507009873554804934193349852946;
export const SELU_ALPHA = 1.6732632423543772848170429916717;

export const selu = define({
  family: 'selu',
  name: 'selu',
  phi: (h) => (h > 0 ? SELU_LAMBDA * h : SELU_LAMBDA * SELU_ALPHA * Math.expm1(h)),
  dphi: (h) => (h > 0 ? SELU_LAMBDA : SELU_LAMBDA * SELU_ALPHA * Math.exp(h)),
  logDerivative: (h) => (h > 0 ? Math.log(SELU_LAMBDA) : Math.log(SELU_LAMBDA * SELU_ALPHA) + h),
  traits: { odd: false, bounded: false, homogeneous: false, kinks: [0], canVanish: false, growth: (SELU_LAMBDA * SELU_LAMBDA) / 2 },
  evaluate: (h, out) => {
    if (h > 0) {
      out[0] = SELU_LAMBDA * h;
      out[1] = SELU_LAMBDA;
      out[2] = 0;
    } else {
      const e = SELU_LAMBDA * SELU_ALPHA * Math.exp(h);
      out[0] = SELU_LAMBDA * SELU_ALPHA * Math.expm1(h);
      out[1] = e;
      out[2] = e;
    }
  },
  torchGain: 0.75,
  description: 'lambda elu(alpha) with lambda = 1.0507, alpha = 1.6733 (self-normalizing)',
});
