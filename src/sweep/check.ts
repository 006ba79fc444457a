import { estimate, type Estimate } from '../measure/aggregate.js';
import { EOC_VERSION } from '../version.js';
import { meanFieldM1Gain, type MeanFieldGain } from './mean-field.js';
import { brentRoot } from '../numeric/roots.js';
import { SpecError } from '../spec/errors.js';
import { runPool } from './pool.js';
import type { NetworkSpec } from '../spec/types.js';
import { summarizeStats, type CheckSeedResult, type CheckStats, type CheckSummary } from './check-seed.js';
import type { Job } from './jobs.js';
import { classify, faithfulRule, verdictOf, type CheckThresholds, type Verdict } from '../measure/definitions.js';
import { meanFieldTrajectory } from '../theory/index.js';
import type { InitName } from '../spec/types.js';
import type { SweepPoint } from './grid.js';
import { layerTrajectory } from '../theory/layer-trajectory.js';
import { correlationFixedPoint } from '../theory/correlation.js';
import { hasBlocks, stagesOf } from '../network/layers.js';
import { recommendAlpha, type AlphaRecommendation } from './check-alpha.js';

/**
 * Version 2: the gradient ratio is `lnGradNormRatio` = ln(|delta^1|/|delta^L|) (version 1 called it
 * gradRatio); the document states the `faithful` rule; `advice` says, where the m1 = 1 gain is not
 * faithful, the gain closest to isometry and what else would help; perSeed has `closest`, `probe`.
 */
/**
 * Version 3: `trainability` (the mean-field correlation depth scale xi_c at the checked gain and
 * whether the depth exceeds about 6 xi_c, Schoenholz et al. 2017), and for a layer list (eoc check
 * --arch) spec.arch, with min(N_0, N_L) singular values per seed.
 */
export const CHECK_SCHEMA = 'eoc.check/3';

export type { Verdict, CheckThresholds } from '../measure/definitions.js';
export { DEFAULT_THRESHOLDS, verdictOf } from '../measure/definitions.js';

export interface CheckOptions {
  thresholds: CheckThresholds;
  workers: number;
  /** stop the per-seed m1 = 1 search at |ln m1| below this (default 0.01: m1 within 1%) */
  lnM1Tolerance: number;
  /** network evaluations per seed for that search (default 5: ~1 s each at N = 256, L = 60) */
  maxEvaluations: number;
  /**
   * full network evaluations per seed for the gain closest to isometry, spent only where the
   * m1 = 1 gain is not faithful (default 4); 0 skips that search
   */
  closestEvaluations?: number;
}

export const DEFAULT_CHECK_SEARCH = { lnM1Tolerance: 0.01, maxEvaluations: 5, closestEvaluations: 4 };

export type { CheckSummary } from './check-seed.js';

export interface CheckResult {
  schema: typeof CHECK_SCHEMA;
  eocVersion: string;
  spec: NetworkSpec;
  thresholds: CheckThresholds;
  /** the definition the verdicts use, in words */
  faithful: string;
  verdict: Verdict;
  reason: string;
  atGain: CheckSummary;
  recommended: {
    criterion: 'm1 = 1';
    why: string;
    gain: Estimate;
    /** gains with |ln m1| <= tolM1, from the local slope of ln m1 in ln g at the root */
    band: [number, number] | null;
    at: CheckSummary | null;
    converged: boolean;
    meanField: MeanFieldGain;
    /** whether the recommended gain passes the spread threshold too */
    isometric: boolean | null;
    /** the verdict at the m1 = 1 gain (of the means over seeds) */
    verdict: Verdict | null;
  };
  /** null when the m1 = 1 gain is faithful (nothing to add) or was not found */
  advice: CheckAdvice | null;
  /** a list with residual blocks: the largest faithful multiple of the blocks' alphas (src/sweep/check-alpha.ts) */
  recommendedAlpha?: AlphaRecommendation;
  trainability: Trainability;
  perSeed: CheckSeedResult[];
}

/**
 * How deep a net of this configuration can train, by mean field (Schoenholz et al. 2017): about
 * 6 xi_c layers, xi_c = -1/ln chi_c the correlation depth scale at the checked gain. null values
 * with the reason where it does not exist (no fixed point; a layer list, whose layers differ).
 */
export interface Trainability {
  xiC: number | null;
  trainableDepth: number | null;
  /** depth > 6 xi_c */
  exceeds: boolean | null;
  note: string;
}

export function trainability(spec: NetworkSpec): Trainability {
  if (spec.arch) return { xiC: null, trainableDepth: null, exceeds: null, note: 'no correlation depth scale for a layer list (its layers differ; xi_c is a property of identical stationary layers)' };
  const c = correlationFixedPoint(spec.activation, { sigmaW: spec.gain, sigmaB: spec.biasStd });
  if (c.kind === 'none') return { xiC: null, trainableDepth: null, exceeds: null, note: `no correlation depth scale: ${c.reason}` };
  const exceeds = spec.depth > c.trainableDepth;
  const note = !Number.isFinite(c.xiC)
    ? c.everyCorrelationFixed
      ? 'xi_c is infinite here (the correlation map is the identity): no depth limit from correlations'
      : 'xi_c is infinite here (critical): no depth limit from correlations'
    : exceeds
      ? `depth ${spec.depth} exceeds about 6 xi_c = ${c.trainableDepth.toPrecision(4)} layers: two inputs' correlation is lost to within e^-6 of c* = ${c.cStar.toPrecision(4)} before the output, so such a net hardly trains (Schoenholz et al. 2017); move the gain toward the edge of chaos`
      : `depth ${spec.depth} is within about 6 xi_c = ${c.trainableDepth.toPrecision(4)} layers`;
  return { xiC: c.xiC, trainableDepth: c.trainableDepth, exceeds, note };
}

/** What check adds when the m1 = 1 gain is not faithful. */
export interface CheckAdvice {
  /**
   * The gain of least rms ln s (closest to isometry: rms ln s = 0 iff every s = 1), located per seed
   * on the same networks (bracket + Brent's minimizer), mean +- stderr over seeds, the statistics
   * there and their verdict. null when the search was skipped.
   */
  closest: { criterion: 'min rms ln s'; gain: Estimate; at: CheckSummary; verdict: Verdict } | null;
  /** mean-field ESTIMATES (not measurements) of an input variance / a depth at which the test would pass */
  meanField: MeanFieldAdvice;
  /** one measured evaluation per seed at meanField.q0's input variance and gain: does it pass? */
  probe: { q0: number; gain: number; at: CheckSummary; verdict: Verdict } | null;
}

export interface MeanFieldAdvice {
  relation: string;
  /**
   * The predicted std ln s aimed at: half the spread threshold. The margin is needed: var_sq_norm is
   * a moment of s^2 and barely sees the lower tail of ln s, so the measured std ln s has come out
   * 1.6 to 2.1 times this prediction (orthogonal tanh, N = 32..256, L = 20..100).
   */
  target: number;
  /** predicted std ln s of this configuration at its mean-field m1 = 1 gain */
  atSpec: number | null;
  q0: { value: number; gain: number; predictedStdLog: number } | null;
  depth: { value: number; gain: number; predictedStdLog: number } | null;
  note: string;
}

export const MEAN_FIELD_RELATION =
  'std ln s ~ sqrt(ln(1 + var_sq_norm)) / 2 (ln s taken as normal), var_sq_norm from free probability along the ' +
  'mean-field trajectory at the mean-field m1 = 1 gain (orthogonal tanh: var_sq_norm ~ 8 L q*^2, so isometry at depth L needs q* = O(L^-1/2))';

/** Predicted std ln s at the mean-field m1 = 1 gain of a configuration, or null where there is none. */
export function predictedStdLog(point: SweepPoint & { init: InitName }, q0: number | 'fixed-point'): { gain: number; stdLog: number } | null {
  const mf = meanFieldM1Gain(point, q0, GUESS_GRID);
  if (mf.gain === null) return null;
  let vsn: number;
  if (point.arch) {
    if (q0 === 'fixed-point' || hasBlocks(point.arch)) return null; // block lists: no free-probability spread yet
    const v = layerTrajectory(stagesOf(point.arch), mf.gain, q0).varSqNorm;
    if (v === null) return null; // rectangular layers: free probability's sum does not apply
    return { gain: mf.gain, stdLog: Math.sqrt(Math.log1p(Math.max(0, v))) / 2 };
  }
  try {
    vsn = meanFieldTrajectory({ activation: point.activation, sigmaW: mf.gain, sigmaB: point.biasStd, depth: point.depth, q0 }).varSqNorm[point.init];
  } catch (e) {
    if (e instanceof SpecError) return null; // e.g. q0 = fixed-point where there is no fixed point
    throw e;
  }
  // rounding can leave a var_sq_norm of -1e-15 where it is 0
  return { gain: mf.gain, stdLog: Math.sqrt(Math.log1p(Math.max(0, vsn))) / 2 };
}

/**
 * Mean-field estimates of the input variance q0 (at the spec's depth) and of the depth (at the
 * spec's q0) at which the predicted std ln s at the m1 = 1 gain falls to `target`: bisection in
 * ln q0 (Brent) and in integer depth. Cheap (theory only, no networks).
 */
export function meanFieldAdvice(spec: NetworkSpec, tolSpread: number): MeanFieldAdvice {
  const point = checkPoint(spec);
  const target = tolSpread / 2;
  const atSpec = predictedStdLog(point, spec.q0);
  const notes: string[] = [];
  let q0: MeanFieldAdvice['q0'] = null;
  if (spec.q0 === 'fixed-point') notes.push('q0 = fixed-point ties the input variance to q*: a smaller sigma_b lowers q*');
  else if (spec.arch && atSpec === null) notes.push('no mean-field spread estimate for rectangular layers (free probability\'s var_sq_norm needs square ones)');
  else {
    const F = (x: number) => {
      const p = predictedStdLog(point, Math.exp(x));
      return p === null ? NaN : p.stdLog - target;
    };
    const hi = Math.log(spec.q0), lo = hi - 40;
    const fhi = F(hi), flo = F(lo);
    if (!(flo < 0)) notes.push(`no input variance helps in mean field (predicted std ln s >= ${num4(target + flo)} even at q0 = ${num4(Math.exp(lo))})`);
    else if (!(fhi > 0)) notes.push('mean field already predicts a small spread at this q0: the measured spread is a finite-width effect');
    else {
      const r = brentRoot(F, lo, hi, flo, fhi, 1e-3);
      const p = predictedStdLog(point, Math.exp(r.x))!;
      q0 = { value: Math.exp(r.x), gain: p.gain, predictedStdLog: p.stdLog };
    }
  }
  let depth: MeanFieldAdvice['depth'] = null;
  const at = (L: number) => predictedStdLog({ ...point, depth: L }, spec.q0);
  const one = spec.depth > 1 && !spec.arch ? at(1) : null;
  if (spec.arch) notes.push('no depth estimate for a layer list (its depth is its list of layers)');
  else if (spec.depth > 1 && one && one.stdLog <= target) {
    let lo = 1, hi = spec.depth; // std(lo) <= target < std(hi), assuming it grows with depth
    let best = one;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      const p = at(mid);
      if (p && p.stdLog <= target) {
        lo = mid;
        best = p;
      } else hi = mid;
    }
    depth = { value: lo, gain: best.gain, predictedStdLog: best.stdLog };
  } else if (spec.depth > 1) notes.push('no depth helps in mean field (even one layer is predicted too spread)');
  return { relation: MEAN_FIELD_RELATION, target, atSpec: atSpec?.stdLog ?? null, q0, depth, note: notes.join('; ') };
}

const num4 = (v: number) => String(Number(v.toPrecision(4)));


/** A log-spaced gain grid for the mean-field first guess (cheap: no networks are built). */
const GUESS_GRID = Array.from({ length: 61 }, (_, i) => Number((0.1 * 100 ** (i / 60)).toPrecision(6)));

/**
 * Verdict for one configuration at its gain, over spec.seeds networks in parallel, plus the
 * recommended gain: each seed's own m1 = 1 gain (a few secant steps from the mean-field guess on the
 * same base draws), averaged over seeds.
 */
/** The sweep point of a spec (with its layer list when it has one). */
function checkPoint(spec: NetworkSpec): SweepPoint & { init: InitName } {
  const point: SweepPoint & { init: InitName } = { activation: spec.activation, init: spec.init, biasStd: spec.biasStd, depth: spec.depth };
  if (spec.arch) point.arch = spec.arch;
  return point;
}

export async function runCheck(spec: NetworkSpec, o: CheckOptions): Promise<CheckResult> {
  const point = checkPoint(spec);
  const closestEvaluations = o.closestEvaluations ?? DEFAULT_CHECK_SEARCH.closestEvaluations;
  const seeds = Array.from({ length: spec.seeds }, (_, i) => spec.seed + i);
  // the mean-field guess and advice are made while the worker threads start (LazyJobs)
  let meanField!: ReturnType<typeof meanFieldM1Gain>;
  let mfAdvice!: MeanFieldAdvice;
  const build = (): Job[] => {
    meanField = meanFieldM1Gain(point, spec.q0, GUESS_GRID);
    mfAdvice = meanFieldAdvice(spec, o.thresholds.tolSpread);
    return seeds.map((seed) => ({
      kind: 'check',
      input: {
        point,
        width: spec.width,
        seed,
        q0: spec.q0,
        gain: spec.gain,
        guess: meanField.gain,
        lnM1Tolerance: o.lnM1Tolerance,
        maxEvaluations: o.maxEvaluations,
        thresholds: o.thresholds,
        closestEvaluations,
        probe: mfAdvice.q0 && typeof spec.q0 === 'number' ? { q0: mfAdvice.q0.value, gain: mfAdvice.q0.gain } : null,
      },
    }));
  };
  const perSeed: CheckSeedResult[] = new Array(seeds.length);
  await runPool<CheckSeedResult>({ count: seeds.length, build }, o.workers, (i, r) => {
    perSeed[i] = r;
  });
  const atGain = summarizeStats(perSeed.map((r) => r.atGain));
  // a seed whose m1 under- or overflowed (J exactly 0, or infinite) has ln m1 = -inf or +inf and no
  // mean of ln m1: the verdict then reads ln of the mean m1 (-inf: gradients vanish exactly)
  const finite = perSeed.every((r) => Number.isFinite(r.atGain.ln_m1));
  const lnM1 = finite ? atGain.ln_m1.mean : Math.log(atGain.m1.mean);
  // untrusted: some seed's spectrum failed its log-det self-check (src/measure/network.ts), so no
  // verdict is issued on it (exit 1, as any verdict but faithful)
  const untrusted = perSeed.filter((r) => !r.trusted).map((r) => r.seed);
  const { verdict, reason } = untrusted.length
    ? { verdict: 'untrusted' as const, reason: `the spectrum of seed${untrusted.length > 1 ? 's' : ''} ${untrusted.join(', ')} failed its log-det self-check: its numbers cannot be trusted, so no verdict` }
    : verdictOf(lnM1, atGain.std_log.mean, o.thresholds);
  const roots = perSeed.map((r) => r.root).filter((r) => r.gain !== null && r.at !== null);
  const gain = estimate(roots.map((r) => r.gain!));
  const at = roots.length ? summarizeStats(roots.map((r) => r.at!)) : null;
  const slope = estimate(roots.map((r) => r.slope)).mean;
  const band: [number, number] | null =
    roots.length && slope > 0 ? [gain.mean * Math.exp(-o.thresholds.tolM1 / slope), gain.mean * Math.exp(o.thresholds.tolM1 / slope)] : null;
  const recVerdict = at ? classify(at.ln_m1.mean, at.std_log.mean, o.thresholds) : null;
  let advice: CheckAdvice | null = null;
  if (recVerdict !== null && recVerdict !== 'faithful') {
    // over the seeds that have it: the mean stats there and their verdict
    const over = <T extends { at: CheckStats }>(xs: T[]) => {
      const atX = summarizeStats(xs.map((x) => x.at));
      return { at: atX, verdict: classify(atX.ln_m1.mean, atX.std_log.mean, o.thresholds) };
    };
    const cl = perSeed.map((r) => r.closest).filter((c) => c !== null);
    const closest: CheckAdvice['closest'] = cl.length === 0 ? null : { criterion: 'min rms ln s', gain: estimate(cl.map((c) => c.gain)), ...over(cl) };
    const pr = perSeed.map((r) => r.probe).filter((p) => p !== null);
    const probe: CheckAdvice['probe'] = pr.length === 0 ? null : { q0: pr[0].q0, gain: pr[0].gain, ...over(pr) };
    advice = { closest, meanField: mfAdvice, probe };
  }
  return {
    schema: CHECK_SCHEMA,
    eocVersion: EOC_VERSION,
    spec,
    thresholds: o.thresholds,
    faithful: faithfulRule(o.thresholds),
    verdict,
    reason,
    atGain,
    recommended: {
      criterion: 'm1 = 1',
      why:
        'the gain where the mean squared singular value of J is 1, so gradient norms are preserved on average ' +
        'end to end; it is the first-order condition (the m1 threshold above) and is found in a few evaluations. ' +
        'The gain closest to isometry (min rms ln s, shown when the m1 = 1 gain is not faithful) lies between 1 and it for tanh: it trades some vanishing for less spread',
      gain,
      band,
      at,
      converged: roots.length === perSeed.length && roots.every((r) => r.converged),
      meanField,
      isometric: at ? at.std_log.mean <= o.thresholds.tolSpread : null,
      verdict: recVerdict,
    },
    advice,
    ...(spec.arch && spec.arch.layers.some((l) => l.kind === 'residual') && typeof spec.q0 === 'number'
      ? { recommendedAlpha: recommendAlpha({ ...spec, arch: spec.arch }, o.thresholds, spec.q0) }
      : {}),
    trainability: trainability(spec),
    perSeed,
  };
}
