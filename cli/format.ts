import type { Estimate } from '../src/measure/aggregate.js';

/** Plain-text tables for the terminal: right-aligned numeric columns, a rule under the header. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? num(c) : c)))];
  const widths = header.map((_, j) => Math.max(...cells.map((r) => String(r[j] ?? '').length)));
  const line = (r: (string | number)[]) => r.map((c, j) => String(c ?? '').padStart(widths[j])).join('  ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** A number in 5 significant digits, switching to exponent form outside [1e-3, 1e5). */
export function num(v: number, digits = 5): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'n/a' : v > 0 ? 'inf' : '-inf';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e5) return Number(v.toPrecision(digits)).toString();
  return v.toExponential(digits - 1);
}

/** "mean ± stderr" (stderr omitted for a single seed). */
export function pm(e: Estimate, digits = 5): string {
  if (e.n === 0) return 'n/a';
  if (!Number.isFinite(e.stderr)) return num(e.mean, digits);
  return `${num(e.mean, digits)} ± ${num(e.stderr, 2)}`;
}

/**
 * e^ln as a decimal mantissa (`digits` significant digits, in [1, 10)) and exponent, without forming
 * e^ln: values beyond float64 (m1 = e^-921) keep their digits. `ln` must be finite.
 */
export function decimalFromLog(ln: number, digits: number): { mantissa: string; exponent: string } {
  const l10 = ln / Math.LN10;
  let e = Math.floor(l10);
  let m = Math.pow(10, l10 - e);
  if (Number(m.toFixed(digits - 1)) >= 10) {
    m /= 10;
    e += 1;
  }
  return { mantissa: m.toFixed(digits - 1), exponent: `${e < 0 ? '-' : '+'}${Math.abs(e)}` };
}

/**
 * e^ln written as a decimal without forming it, so values beyond float64 (m1 = e^-921) print as
 * "1.0000e-400" instead of 0 or inf; `ln` itself is appended: "1.0000e-400 (ln -921.03)".
 */
export function numFromLog(ln: number, digits = 5): string {
  if (!Number.isFinite(ln)) return Number.isNaN(ln) ? 'n/a' : ln > 0 ? 'inf' : '0';
  const d = decimalFromLog(ln, digits);
  return `${d.mantissa}e${d.exponent} (ln ${num(ln, digits)})`;
}

/** true when e^ln is not a normal float64 (so the linear value would print as 0, a subnormal or inf) */
export function outOfRange(ln: number): boolean {
  return Number.isFinite(ln) && (ln < -708 || ln > 709);
}

/**
 * "mean ± stderr" of a positive statistic whose linear value may under- or overflow: the linear
 * estimate when every seed's value is a normal float64, else the log form from the estimate of its
 * logarithm ("1.0000e-400 (ln -921.03 ± 0.12)").
 */
export function pmPositive(linear: Estimate, logs: number[], lnEstimate: Estimate, digits = 5): string {
  if (!logs.some(outOfRange)) return pm(linear, digits);
  if (lnEstimate.n === 0) return 'n/a';
  const s = numFromLog(lnEstimate.mean, digits);
  return Number.isFinite(lnEstimate.stderr) ? s.replace(/\)$/, ` ± ${num(lnEstimate.stderr, 2)})`) : s;
}
