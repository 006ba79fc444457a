/** Mean and standard error over independent seeds. */
export interface Estimate {
  mean: number;
  stderr: number;
  n: number;
}

/**
 * Sample mean and its standard error (sample std with n-1, over sqrt n). Non-finite values (a
 * statistic that does not exist for some network, e.g. log10_cond of a rank-0 Jacobian) are left out
 * and n counts only the finite ones.
 */
export function estimate(values: number[]): Estimate {
  const v = values.filter(Number.isFinite);
  const n = v.length;
  if (n === 0) return { mean: NaN, stderr: NaN, n: 0 };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, stderr: NaN, n };
  const ss = v.reduce((a, b) => a + (b - mean) ** 2, 0);
  return { mean, stderr: Math.sqrt(ss / (n - 1) / n), n };
}

/**
 * The geometric mean over seeds of a positive statistic given by its logs (s_min, s_max): exp of the
 * mean of ln x, never an arithmetic mean of values that span decades (2.3e-66 +- 2.3e-66 says
 * nothing). `stderr` is the delta-method standard error exp(mean ln) * stderr(ln); summaries keep
 * the log's own estimate beside it (ln_s_min, ln_s_max), which is what to print with it.
 */
export function geometricEstimate(lnValues: number[]): Estimate {
  const ln = estimate(lnValues);
  const mean = Math.exp(ln.mean);
  return { mean, stderr: mean * ln.stderr, n: ln.n };
}

/**
 * The statistics whose summary over seeds is a geometric mean (geometricEstimate of the named log
 * statistic); log10_cond is already a log, so its arithmetic mean is the geometric mean of cond.
 */
export const GEOMETRIC_STATS = { s_min: 'ln_s_min', s_max: 'ln_s_max' } as const;
