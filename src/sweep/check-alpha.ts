import { measureNetwork } from '../measure/network.js';
import { scaleParams } from '../network/forward.js';
import { sampleBlockDraws } from '../network/blocks.js';
import { ALPHA_MAX, alphaBase, scaleAlphas } from '../network/residual.js';
import { estimate, type Estimate } from '../measure/aggregate.js';
import { classify, type CheckThresholds } from '../measure/definitions.js';
import { sampleStats, summarizeStats, type CheckStats, type CheckSummary } from './check-seed.js';
import type { LayerList } from '../network/layers.js';
import type { NetworkSpec } from '../spec/types.js';

/**
 * `eoc check` on a residual stack (issue 14): the largest branch scale at which it still propagates
 * faithfully. Every residual block's alpha is multiplied by one scale t (t = 1 is the list as given;
 * blocks whose alphas are all 0, skipinit, are searched as alpha = t), at the spec's gain, on each
 * seed's own draws (which do not depend on alpha). As t -> 0 every block tends to the identity, so a
 * pure residual stack is faithful there; the recommendation is the edge: the largest t whose network
 * passes the check's faithful rule (|ln m1| <= tolM1 and std ln s <= tolSpread), by doubling or
 * halving from t = 1 to a bracket and then BISECTIONS bisections in ln t (t to 2^(1/2^BISECTIONS)).
 */
export interface AlphaRecommendation {
  criterion: 'largest faithful alpha';
  why: string;
  /** found: the edge was bracketed on every seed; else why not (the scale is then a bound, or null) */
  status: 'found' | 'faithful-to-the-limit' | 'not-faithful-near-zero';
  /** the multiplier t of every block's alpha (mean ± stderr over the seeds that found one) */
  scale: Estimate | null;
  /** each residual block's alpha at the mean scale */
  alpha: number[] | null;
  /** the check statistics there (means over seeds) and their verdict */
  at: CheckSummary | null;
  /** network evaluations per seed */
  evaluations: number[];
}

const BISECTIONS = 5;
/** the smallest scale tried (below it the branches are negligible against the identity) */
const T_MIN = 2 ** -12;


export function recommendAlpha(spec: NetworkSpec & { arch: LayerList }, thresholds: CheckThresholds, q0: number): AlphaRecommendation {
  const base = alphaBase(spec.arch);
  const maxBase = Math.max(...base.map(Math.abs));
  const tMax = ALPHA_MAX / maxBase;
  const seeds = Array.from({ length: spec.seeds }, (_, i) => spec.seed + i);
  const found: { t: number; at: CheckStats }[] = [];
  const evaluations: number[] = [];
  let status: AlphaRecommendation['status'] = 'found';
  for (const seed of seeds) {
    const draws = sampleBlockDraws(spec.arch, seed);
    let count = 0;
    const cache = new Map<number, CheckStats>();
    const at = (t: number): CheckStats => {
      let s = cache.get(t);
      if (!s) {
        count++;
        s = sampleStats(measureNetwork(draws, scaleParams({ ...spec, arch: scaleAlphas(spec.arch, base, t) }, spec.gain, q0)));
        cache.set(t, s);
      }
      return s;
    };
    const ok = (t: number) => {
      const s = at(t);
      return classify(s.ln_m1, s.std_log, thresholds) === 'faithful';
    };
    let lo: number | null = null, hi: number | null = null;
    if (ok(1)) {
      lo = 1;
      for (let t = 2; t <= tMax * 1.0000001; t *= 2) {
        if (!ok(t)) {
          hi = t;
          break;
        }
        lo = t;
      }
    } else {
      hi = 1;
      for (let t = 0.5; t >= T_MIN; t /= 2) {
        if (ok(t)) {
          lo = t;
          break;
        }
        hi = t;
      }
    }
    if (lo !== null && hi !== null) {
      for (let k = 0; k < BISECTIONS; k++) {
        const mid = Math.sqrt(lo * hi);
        if (ok(mid)) lo = mid;
        else hi = mid;
      }
    }
    evaluations.push(count);
    if (lo === null) status = 'not-faithful-near-zero';
    else {
      if (hi === null && status === 'found') status = 'faithful-to-the-limit';
      found.push({ t: lo, at: at(lo) });
    }
  }
  const scale = found.length ? estimate(found.map((f) => f.t)) : null;
  const atSummary = found.length ? summarizeStats(found.map((f) => f.at)) : null;
  return {
    criterion: 'largest faithful alpha',
    why:
      'every residual block is x + alpha F(x); as alpha -> 0 the stack tends to the identity (faithful, but its branches start silent), ' +
      'and larger branches make m1 and the spread of ln s grow. The recommendation is the edge: the largest common multiple of the ' +
      "blocks' alphas at which the check's faithful rule still holds, measured on each seed's own draws",
    status,
    scale,
    alpha: scale ? base.map((a) => a * scale.mean) : null,
    at: atSummary,
    evaluations,
  };
}
