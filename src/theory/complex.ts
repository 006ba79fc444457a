/**
 * The few complex operations the free-probability solver needs, on plain {re, im} values.
 * (No dependency: the solver's inner loops are small and this keeps them transparent.)
 */
export interface Complex {
  re: number;
  im: number;
}

export const complex = (re: number, im = 0): Complex => ({ re, im });
export const add = (a: Complex, b: Complex): Complex => ({ re: a.re + b.re, im: a.im + b.im });
export const sub = (a: Complex, b: Complex): Complex => ({ re: a.re - b.re, im: a.im - b.im });
export const mul = (a: Complex, b: Complex): Complex => ({ re: a.re * b.re - a.im * b.im, im: a.re * b.im + a.im * b.re });
export const scale = (a: Complex, s: number): Complex => ({ re: a.re * s, im: a.im * s });
export const abs = (a: Complex): number => Math.hypot(a.re, a.im);

/** a / b, with Smith's scaling so |b| near the overflow/underflow limits stays finite. */
export function div(a: Complex, b: Complex): Complex {
  if (Math.abs(b.re) >= Math.abs(b.im)) {
    const r = b.im / b.re;
    const d = b.re + b.im * r;
    return { re: (a.re + a.im * r) / d, im: (a.im - a.re * r) / d };
  }
  const r = b.re / b.im;
  const d = b.re * r + b.im;
  return { re: (a.re * r + a.im) / d, im: (a.im * r - a.re) / d };
}

/** Principal logarithm, Im in (-pi, pi]. */
export const log = (a: Complex): Complex => ({ re: Math.log(abs(a)), im: Math.atan2(a.im, a.re) });
export function exp(a: Complex): Complex {
  const r = Math.exp(a.re);
  return { re: r * Math.cos(a.im), im: r * Math.sin(a.im) };
}

/** Reduce an angle to (-pi, pi]: used to compare logarithms modulo 2 pi i. */
export function wrapAngle(t: number): number {
  const twoPi = 2 * Math.PI;
  let r = t - twoPi * Math.round(t / twoPi);
  if (r <= -Math.PI) r += twoPi;
  return r;
}
