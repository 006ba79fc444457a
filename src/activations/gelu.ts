import { define } from './define.js';
import { LN_SQRT_2PI, logSigmoid, millsRatio, normalCdf, normalPdf, sigmoid } from './special.js';

/**
 * gelu(h) = h Phi(h) (the exact, erf form; torch's GELU(approximate='none')). phi' = Phi(h) + h n(h)
 * is negative for h < -0.7518 and underflows below h ~ -38; there ln|phi'| = ln n(h) + ln(x - m(x))
 * with x = -h and m the Mills ratio (Phi(h) = m(x) n(h)).
 */
/** ln|phi'(h)| for h < -30: ln n(h) + ln(x - m(x)), x = -h (phi' < 0 there). */
function lnAbsGeluPrimeTail(h: number): number {
  const x = -h;
  return -0.5 * x * x - LN_SQRT_2PI + Math.log(x - millsRatio(x));
}

export const gelu = define({
  family: 'gelu',
  name: 'gelu',
  phi: (h) => h * normalCdf(h),
  // below -30, -|phi'| from its log: keeps the sign where phi' underflows (-0, not +0)
  dphi: (h) => (h >= -30 ? normalCdf(h) + h * normalPdf(h) : -Math.exp(lnAbsGeluPrimeTail(h))),
  logDerivative: (h) => (h >= -30 ? Math.log(Math.abs(normalCdf(h) + h * normalPdf(h))) : lnAbsGeluPrimeTail(h)),
  traits: { odd: false, bounded: false, homogeneous: false, kinks: [], canVanish: false, growth: 0.5 },
  evaluate: (h, out) => {
    const n = normalPdf(h);
    const c = normalCdf(h);
    out[0] = h * c;
    out[1] = c + h * n;
    out[2] = n * (2 - h * h);
  },
  torchGain: null,
  description: 'h Phi(h), Phi the standard normal CDF',
});

const C = Math.sqrt(2 / Math.PI);
const K = 0.044715;

/**
 * gelu-tanh(h) = (h/2)(1 + tanh(u)), u = sqrt(2/pi)(h + 0.044715 h^3) (torch's
 * GELU(approximate='tanh')) = h s with s = sigmoid(2u). phi' = s (1 + 2 h u' sigmoid(-2u)),
 * u' = sqrt(2/pi)(1 + 3 * 0.044715 h^2), so ln|phi'| = ln sigmoid(2u) + ln|1 + 2 h u' sigmoid(-2u)|.
 */
export const geluTanh = define({
  family: 'gelu-tanh',
  name: 'gelu-tanh',
  phi: (h) => h * sigmoid(2 * C * (h + K * h * h * h)),
  dphi: (h) => {
    const u = C * (h + K * h * h * h);
    const du = C * (1 + 3 * K * h * h);
    return sigmoid(2 * u) * (1 + 2 * h * du * sigmoid(-2 * u));
  },
  logDerivative: (h) => {
    const u = C * (h + K * h * h * h);
    const du = C * (1 + 3 * K * h * h);
    return logSigmoid(2 * u) + Math.log(Math.abs(1 + 2 * h * du * sigmoid(-2 * u)));
  },
  traits: { odd: false, bounded: false, homogeneous: false, kinks: [], canVanish: false, growth: 0.5 },
  evaluate: (h, out) => {
    const u = C * (h + K * h * h * h);
    const du = C * (1 + 3 * K * h * h);
    const ddu = 6 * C * K * h;
    const s = sigmoid(2 * u);
    const m = sigmoid(-2 * u);
    out[0] = h * s;
    out[1] = s * (1 + 2 * h * du * m);
    // phi'' = 2 s' + h s'', s' = 2u' s m, s'' = 2u'' s m + 4u'^2 s m (m - s)
    out[2] = s * m * (4 * du + h * (2 * ddu + 4 * du * du * (m - s)));
  },
  torchGain: null,
  description: "(h/2)(1 + tanh(sqrt(2/pi)(h + 0.044715 h^3))), torch's tanh approximation of gelu",
});
