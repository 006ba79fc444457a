import { estimate, type Estimate } from '../measure/aggregate.js';
import { EOC_VERSION } from '../version.js';
import { meanFieldM1Gain, type MeanFieldGain } from './mean-field.js';
import { runPool } from './pool.js';
import type { NetworkSpec } from '../spec/types.js';
import type { CheckSeedResult, CheckStats } from './check-seed.js';
import type { Job } from './jobs.js';

export const CHECK_SCHEMA = 'eoc.check/1';

/**
 * untrusted: some seed's spectrum failed its log-det self-check (src/measure/network.ts), so no
 * verdict is issued on it (exit 1, as any verdict but faithful).
 */
export type Verdict = 'faithful' | 'vanishing' | 'exploding' | 'anisotropic' | 'untrusted';

/**
 * Thresholds of the verdict (every one a CLI option):
 *  - tolM1: |ln m1| <= tolM1, i.e. the mean squared singular value within [e^-tol, e^tol]. Default
 *    ln 2: the squared gradient norm, averaged over error directions, changes by less than a factor
 *    2 end to end. Below -tol: vanishing; above +tol: exploding.
 *  - tolSpread: std of ln s <= tolSpread. Default ln 2: the typical (one standard deviation)
 *    singular value is within a factor 2 of their geometric mean, so error vectors keep their
 *    angles roughly (dynamical isometry, SCIENCE.md section 1). m1 ok but spread above: anisotropic.
 */
export interface CheckThresholds {
  tolM1: number;
  tolSpread: number;
}

export const DEFAULT_THRESHOLDS: CheckThresholds = { tolM1: Math.LN2, tolSpread: Math.LN2 };

export interface CheckOptions {
  thresholds: CheckThresholds;
  workers: number;
  /** stop the per-seed m1 = 1 search at |ln m1| below this (default 0.01: m1 within 1%) */
  lnM1Tolerance: number;
  /** network evaluations per seed for that search (default 5: ~1 s each at N = 256, L = 60) */
  maxEvaluations: number;
}

export const DEFAULT_CHECK_SEARCH = { lnM1Tolerance: 0.01, maxEvaluations: 5 };

export type CheckSummary = Record<keyof CheckStats, Estimate>;

export interface CheckResult {
  schema: typeof CHECK_SCHEMA;
  eocVersion: string;
  spec: NetworkSpec;
  thresholds: CheckThresholds;
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
  };
  perSeed: CheckSeedResult[];
}

function summarize(xs: CheckStats[]): CheckSummary {
  const keys = Object.keys(xs[0]) as (keyof CheckStats)[];
  return Object.fromEntries(keys.map((k) => [k, estimate(xs.map((x) => x[k]))])) as CheckSummary;
}

export function verdictOf(lnM1: number, stdLog: number, t: CheckThresholds): { verdict: Verdict; reason: string } {
  const f = (v: number) => Number(v.toPrecision(4));
  if (!(lnM1 >= -t.tolM1)) {
    return { verdict: 'vanishing', reason: `ln m1 = ${f(lnM1)} < -${f(t.tolM1)}: exp(ln m1) = ${f(Math.exp(lnM1))}, gradients shrink through the net` };
  }
  if (lnM1 > t.tolM1) {
    return { verdict: 'exploding', reason: `ln m1 = ${f(lnM1)} > ${f(t.tolM1)}: exp(ln m1) = ${f(Math.exp(lnM1))}, gradients grow through the net` };
  }
  if (!(stdLog <= t.tolSpread)) {
    return { verdict: 'anisotropic', reason: `|ln m1| <= ${f(t.tolM1)} but std(ln s) = ${f(stdLog)} > ${f(t.tolSpread)}: norms are kept on average, directions are not` };
  }
  return { verdict: 'faithful', reason: `|ln m1| = ${f(Math.abs(lnM1))} <= ${f(t.tolM1)} and std(ln s) = ${f(stdLog)} <= ${f(t.tolSpread)}` };
}

/** A log-spaced gain grid for the mean-field first guess (cheap: no networks are built). */
const GUESS_GRID = Array.from({ length: 61 }, (_, i) => Number((0.1 * 100 ** (i / 60)).toPrecision(6)));

/**
 * Verdict for one configuration at its gain, over spec.seeds networks in parallel, plus the
 * recommended gain: each seed's own m1 = 1 gain (a few secant steps from the mean-field guess on the
 * same base draws), averaged over seeds.
 */
export async function runCheck(spec: NetworkSpec, o: CheckOptions): Promise<CheckResult> {
  const point = { activation: spec.activation, init: spec.init, biasStd: spec.biasStd, depth: spec.depth };
  const meanField = meanFieldM1Gain(point, spec.q0, GUESS_GRID);
  const seeds = Array.from({ length: spec.seeds }, (_, i) => spec.seed + i);
  const jobs: Job[] = seeds.map((seed) => ({
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
    },
  }));
  const perSeed: CheckSeedResult[] = new Array(seeds.length);
  await runPool<CheckSeedResult>(jobs, o.workers, (i, r) => {
    perSeed[i] = r;
  });
  const atGain = summarize(perSeed.map((r) => r.atGain));
  const untrusted = perSeed.filter((r) => !r.trusted).map((r) => r.seed);
  const { verdict, reason } = untrusted.length
    ? { verdict: 'untrusted' as const, reason: `the spectrum of seed${untrusted.length > 1 ? 's' : ''} ${untrusted.join(', ')} failed its log-det self-check: its numbers cannot be trusted, so no verdict` }
    : verdictOf(atGain.ln_m1.mean, atGain.std_log.mean, o.thresholds);
  const roots = perSeed.map((r) => r.root).filter((r) => r.gain !== null && r.at !== null);
  const gain = estimate(roots.map((r) => r.gain!));
  const at = roots.length ? summarize(roots.map((r) => r.at!)) : null;
  const slope = estimate(roots.map((r) => r.slope)).mean;
  const band: [number, number] | null =
    roots.length && slope > 0 ? [gain.mean * Math.exp(-o.thresholds.tolM1 / slope), gain.mean * Math.exp(o.thresholds.tolM1 / slope)] : null;
  return {
    schema: CHECK_SCHEMA,
    eocVersion: EOC_VERSION,
    spec,
    thresholds: o.thresholds,
    verdict,
    reason,
    atGain,
    recommended: {
      criterion: 'm1 = 1',
      why:
        'the gain where the mean squared singular value of J is 1, so gradient norms are preserved on average ' +
        'end to end; it is the first-order condition (the m1 threshold above) and is found in a few evaluations. ' +
        'The min-rms_log gain (eoc sweep) lies between 1 and it for tanh: it trades some vanishing for less spread',
      gain,
      band,
      at,
      converged: roots.length === perSeed.length && roots.every((r) => r.converged),
      meanField,
      isometric: at ? at.std_log.mean <= o.thresholds.tolSpread : null,
    },
    perSeed,
  };
}
