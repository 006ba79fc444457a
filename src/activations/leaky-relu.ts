import { define } from './define.js';
import type { ActivationDef } from './types.js';

/**
 * leaky-relu(a): h for h > 0, a h otherwise (torch's default slope a = 0.01). Positively homogeneous,
 * so E phi^2 = q (1 + a^2)/2, mu_k = (1 + a^{2k})/2 and d/dq E phi^2 = (1 + a^2)/2 exactly.
 */
export function leakyRelu(a: number): ActivationDef {
  const a2 = a * a;
  const c = (1 + a2) / 2;
  const lnA = Math.log(a);
  return define({
    family: 'leaky-relu',
    params: { slope: a },
    name: `leaky-relu(${String(a)})`,
    phi: (h) => (h > 0 ? h : a * h),
    dphi: (h) => (h > 0 ? 1 : a),
    logDerivative: (h) => (h > 0 ? 0 : lnA),
    traits: { odd: false, bounded: false, homogeneous: true, kinks: [0], canVanish: a === 0, derivativeSquaredValues: [a2, 1], growth: c },
    moments: (q) => {
      if (!(q >= 0) || !Number.isFinite(q)) throw new Error(`gaussianMoments: q must be finite and >= 0, got ${q}`);
      return { q, ePhi2: q * c, mu1: c, mu2: (1 + a2 * a2) / 2, dEPhi2: c };
    },
    torchGain: Math.sqrt(2 / (1 + a2)),
    description: `max(h, 0) + ${String(a)} min(h, 0)`,
  });
}
