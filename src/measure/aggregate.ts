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
