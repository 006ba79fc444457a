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
