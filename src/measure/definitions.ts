/**
 * The shared vocabulary of eoc (docs/design.md: "measure/ ... the shared definitions"): what "faithful"
 * means, the four verdicts, and the one gradient-ratio convention. check, sweep, compare, report and
 * theory all use these and print FAITHFUL_RULE (or faithfulRule(t)) beside their verdicts.
 */

/**
 * The four verdicts of the rule (classify), and `untrusted`: a spectrum that failed its log-det
 * self-check (src/measure/network.ts) gets no verdict on its numbers (eoc check: exit 1).
 */
export type Verdict = 'faithful' | 'vanishing' | 'exploding' | 'anisotropic' | 'untrusted';

/**
 * Thresholds of the verdict (every one an `eoc check` option):
 *  - tolM1: |ln m1| <= tolM1, i.e. the mean squared singular value within [e^-tol, e^tol]. Default
 *    ln 2: the squared gradient norm, averaged over error directions, changes by less than a factor
 *    2 end to end. Below -tol: vanishing; above +tol: exploding.
 *  - tolSpread: std of ln s <= tolSpread. Default ln 2: the typical (one standard deviation)
 *    singular value is within a factor 2 of their geometric mean, so error vectors keep their
 *    angles roughly (dynamical isometry, docs/science.md section 1). m1 ok but spread above: anisotropic.
 * Both comparisons are inclusive (a value exactly at the threshold passes); NaN never passes.
 */
export interface CheckThresholds {
  tolM1: number;
  tolSpread: number;
}

export const DEFAULT_THRESHOLDS: CheckThresholds = { tolM1: Math.LN2, tolSpread: Math.LN2 };

const f4 = (v: number) => String(Number(v.toPrecision(4)));

/** A threshold as text: "ln 2" for ln 2 exactly, else its value. */
function tolText(t: number): string {
  return t === Math.LN2 ? 'ln 2' : f4(t);
}

/**
 * The definition in one line, as every command prints it, e.g. for the defaults
 * "faithful = |ln m1| <= ln 2 and std ln s <= ln 2 (m1 within [1/2, 2], typical s within a factor 2
 * of their geometric mean)".
 */
export function faithfulRule(t: CheckThresholds = DEFAULT_THRESHOLDS): string {
  const m1 = `m1 within [${f4(Math.exp(-t.tolM1))}, ${f4(Math.exp(t.tolM1))}]`.replace('[0.5, 2]', '[1/2, 2]');
  const spread = `typical s within a factor ${f4(Math.exp(t.tolSpread))} of their geometric mean`;
  return `faithful = |ln m1| <= ${tolText(t.tolM1)} and std ln s <= ${tolText(t.tolSpread)} (${m1}, ${spread})`;
}

export const FAITHFUL_RULE = faithfulRule(DEFAULT_THRESHOLDS);

/** The verdict alone (see verdictOf for the reason in words). */
export function classify(lnM1: number, stdLog: number, t: CheckThresholds = DEFAULT_THRESHOLDS): Verdict {
  if (!(lnM1 >= -t.tolM1)) return 'vanishing';
  if (lnM1 > t.tolM1) return 'exploding';
  if (!(stdLog <= t.tolSpread)) return 'anisotropic';
  return 'faithful';
}

/** The verdict and why, in one sentence with the numbers. */
export function verdictOf(lnM1: number, stdLog: number, t: CheckThresholds = DEFAULT_THRESHOLDS): { verdict: Verdict; reason: string } {
  const verdict = classify(lnM1, stdLog, t);
  const f = f4;
  switch (verdict) {
    case 'vanishing':
      if (lnM1 === -Infinity) return { verdict, reason: 'm1 = 0: the Jacobian is exactly 0 in double precision (every unit saturated), no gradient reaches the input' };
      return { verdict, reason: `ln m1 = ${f(lnM1)} < -${f(t.tolM1)}: exp(ln m1) = ${f(Math.exp(lnM1))}, gradients shrink through the net` };
    case 'exploding':
      if (lnM1 === Infinity) return { verdict, reason: 'm1 overflows double precision: gradients grow beyond 1e308 through the net' };
      return { verdict, reason: `ln m1 = ${f(lnM1)} > ${f(t.tolM1)}: exp(ln m1) = ${f(Math.exp(lnM1))}, gradients grow through the net` };
    case 'anisotropic':
      return { verdict, reason: `|ln m1| <= ${f(t.tolM1)} but std(ln s) = ${f(stdLog)} > ${f(t.tolSpread)}: norms are kept on average, directions are not` };
    default:
      return { verdict, reason: `|ln m1| = ${f(Math.abs(lnM1))} <= ${f(t.tolM1)} and std(ln s) = ${f(stdLog)} <= ${f(t.tolSpread)}` };
  }
}

/**
 * How far inside the faithful region a point is: min(tolM1 - |ln m1|, tolSpread - std ln s). >= 0
 * exactly when classify() says faithful (NaN when a statistic is NaN); continuous in the statistics,
 * so the ends of a faithful range of gains can be interpolated where it crosses 0.
 */
export function faithfulMargin(lnM1: number, stdLog: number, t: CheckThresholds = DEFAULT_THRESHOLDS): number {
  return Math.min(t.tolM1 - Math.abs(lnM1), t.tolSpread - stdLog);
}

/**
 * The one gradient-ratio convention: ln(|delta^1| / |delta^L|), a ratio of NORMS (not squares) of
 * the backpropagated error at the first and the last layer. > 0: gradients grow towards the input;
 * < 0: they vanish. JSON fields name it `lnGradNormRatio` (check's atGain, sweep's stats, compare's
 * paired quantities, theory's trajectory); text headers LN_GRAD_RATIO_LABEL.
 * `lnNorms[l-1]` = ln |delta^l| (or any profile of it up to an additive constant), l = 1..L.
 */
export function lnGradNormRatio(lnNorms: ArrayLike<number>): number {
  return lnNorms[0] - lnNorms[lnNorms.length - 1];
}

export const LN_GRAD_RATIO_LABEL = 'ln |d1|/|dL|';
