/**
 * Statistics of one network's Jacobian spectrum (docs/science.md section 3), computed from ln s so that
 * spectra beyond float64's range still give exact logs. `rank` singular values are nonzero; the rest
 * are structural zeros (relu, hard-tanh: a layer with k dead units caps the rank of J at N - k).
 * Log statistics (mean_log, std_log, rms_log, log10_cond, s_min, ln_s_min) are over the nonzero ones; m1,
 * var_sq and frac_within_2 are over all N (zeros count as lambda = 0, outside [1/2, 2]).
 */
export interface SpectrumStats {
  m1: number;
  ln_m1: number;
  var_sq: number;
  var_sq_norm: number;
  s_max: number;
  s_min: number;
  /** ln s_max and ln s_min, exact from ln s (s_min itself underflows to 0 below ~1e-308) */
  ln_s_max: number;
  ln_s_min: number;
  mean_log: number;
  std_log: number;
  rms_log: number;
  log10_cond: number;
  frac_within_2: number;
}

export const STAT_NAMES: (keyof SpectrumStats)[] = [
  'm1',
  'ln_m1',
  'var_sq',
  'var_sq_norm',
  's_max',
  's_min',
  'ln_s_max',
  'ln_s_min',
  'mean_log',
  'std_log',
  'rms_log',
  'log10_cond',
  'frac_within_2',
];

/** ln(mean_i exp(a_i)) over n values, the first `k` given (the rest are exp(-inf) = 0). */
function logMeanExp(a: ArrayLike<number>, k: number, n: number): number {
  let mx = -Infinity;
  for (let i = 0; i < k; i++) mx = Math.max(mx, a[i]);
  if (!Number.isFinite(mx)) return mx;
  let s = 0;
  for (let i = 0; i < k; i++) s += Math.exp(a[i] - mx);
  return mx + Math.log(s / n);
}

/** `logS` descending, length N; the first `rank` are the nonzero singular values. */
export function spectrumStats(logS: ArrayLike<number>, rank: number): SpectrumStats {
  const n = logS.length;
  const k = Math.max(0, Math.min(rank, n));
  const log2 = new Float64Array(k);
  for (let i = 0; i < k; i++) log2[i] = 2 * logS[i];
  const lnM1 = logMeanExp(log2, k, n);
  // normalized variance from lambda/m1, which is O(1)-ish where it matters and never overflows first;
  // undefined (NaN) when J = 0, where m1 = 0 (see undefinedStatReason)
  let vn = k > 0 ? 0 : NaN;
  for (let i = 0; i < n; i++) {
    const r = i < k ? Math.exp(log2[i] - lnM1) : 0;
    vn += (r - 1) * (r - 1);
  }
  vn /= n;
  let sum = 0, sumSq = 0, within = 0;
  for (let i = 0; i < k; i++) {
    const v = logS[i];
    sum += v;
    sumSq += v * v;
    if (Math.abs(v) <= Math.LN2) within++;
  }
  const meanLog = k > 0 ? sum / k : NaN;
  let ss = 0;
  for (let i = 0; i < k; i++) ss += (logS[i] - meanLog) ** 2;
  return {
    m1: Math.exp(lnM1),
    ln_m1: lnM1,
    var_sq: k > 0 ? vn * Math.exp(2 * lnM1) : 0,
    var_sq_norm: vn,
    s_max: k > 0 ? Math.exp(logS[0]) : 0,
    s_min: k > 0 ? Math.exp(logS[k - 1]) : NaN,
    ln_s_max: k > 0 ? logS[0] : -Infinity,
    ln_s_min: k > 0 ? logS[k - 1] : NaN,
    mean_log: meanLog,
    std_log: k > 0 ? Math.sqrt(ss / k) : NaN,
    rms_log: k > 0 ? Math.sqrt(sumSq / k) : NaN,
    log10_cond: k > 0 ? (logS[0] - logS[k - 1]) / Math.LN10 : NaN,
    frac_within_2: within / n,
  };
}

/**
 * Why a statistic is undefined for a network of this rank, or null when it is defined. rank 0 is
 * J = 0 exactly (a layer with every unit dead, or relu with a zero input): m1 = s_max = 0 and
 * frac_within_2 = 0 stand, but var(s^2)/m1^2, the smallest nonzero s and every log statistic do not
 * exist (they are NaN in SpectrumStats and "n/a" in the text output).
 */
export function undefinedStatReason(stat: keyof SpectrumStats, rank: number): string | null {
  if (rank > 0) return null;
  if (stat === 'var_sq_norm') return 'J = 0: var(s^2)/m1^2 is 0/0';
  if (stat === 's_min' || stat === 'ln_s_min') return 'J = 0: no nonzero singular value';
  if (stat === 'mean_log' || stat === 'std_log' || stat === 'rms_log' || stat === 'log10_cond') return 'J = 0: every ln s is -inf';
  return null;
}
