import { describe, it, expect } from 'vitest';
import { parseArch } from '../../src/spec/arch.js';
import { resolveSpec } from '../../src/spec/validate.js';
import { recommendAlpha } from '../../src/sweep/check-alpha.js';
import { scaleAlphas } from '../../src/network/residual.js';
import { DEFAULT_THRESHOLDS, classify } from '../../src/measure/definitions.js';
import { measureNetwork } from '../../src/measure/network.js';
import { scaleParams } from '../../src/network/forward.js';
import { sampleBlockDraws } from '../../src/network/blocks.js';
import { blockTrajectory } from '../../src/theory/block-trajectory.js';
import type { LayerList } from '../../src/network/layers.js';

const specOf = (text: string, seeds = 2) => {
  const s = resolveSpec({ arch: parseArch(text), seeds, seed: 0 });
  return { ...s, arch: s.arch! };
};
const verdictAt = (spec: ReturnType<typeof specOf>, seed: number, base: number[], t: number) => {
  const st = measureNetwork(sampleBlockDraws(spec.arch, seed), scaleParams({ ...spec, arch: scaleAlphas(spec.arch, base, t) }, spec.gain, 1)).stats;
  return classify(st.ln_m1, st.std_log, DEFAULT_THRESHOLDS);
};

describe('eoc check on residual stacks: the largest faithful alpha', () => {
  it('is the edge: faithful at the recommended scale, not faithful one bisection step (2^(1/32)) above it, on each seed', () => {
    const spec = specOf('64 > res(64:tanh > 64) x 8', 1);
    const r = recommendAlpha(spec, DEFAULT_THRESHOLDS, 1);
    expect(r.status).toBe('found');
    const t = r.scale!.mean;
    expect(verdictAt(spec, 0, new Array(8).fill(1), t)).toBe('faithful');
    expect(verdictAt(spec, 0, new Array(8).fill(1), t * 2 ** (1 / 32) * 1.0001)).not.toBe('faithful');
    expect(r.alpha).toEqual(new Array(8).fill(t));
  });

  it('agrees with the mean field where m1 is the binding limit: ln m1(alpha*) = ln 2 within 10% in alpha', () => {
    const spec = specOf('256 > res(256 > :tanh > 256, alpha=0.5) x 6');
    const r = recommendAlpha(spec, DEFAULT_THRESHOLDS, 1);
    expect(r.status).toBe('found');
    // the binding constraint here is ln m1 (std ln s stays below ln 2 at the edge)
    expect(r.at!.ln_m1.mean).toBeGreaterThan(0.6);
    // mean field: bisect t in ln m1(t) = ln 2
    let lo = 0.01, hi = 10;
    const lnM1 = (t: number) => {
      const b = blockTrajectory(scaleAlphas(spec.arch, new Array(6).fill(0.5), t) as LayerList, spec.gain, 1);
      if (!b.ok) throw new Error(b.reason);
      return b.trajectory.lnM1;
    };
    for (let k = 0; k < 60; k++) {
      const mid = Math.sqrt(lo * hi);
      if (lnM1(mid) < Math.LN2) lo = mid;
      else hi = mid;
    }
    expect(Math.abs(Math.log(r.scale!.mean / lo))).toBeLessThan(0.1);
  });

  it('searches alpha itself when every block starts at 0 (skipinit), and says when even tiny branches are not faithful', () => {
    const spec = specOf('32 > res(32:tanh > 32, alpha=skipinit) x 4', 1);
    const r = recommendAlpha(spec, DEFAULT_THRESHOLDS, 1);
    expect(r.status).toBe('found');
    expect(r.alpha![0]).toBeGreaterThan(0.1);
    // a linear read-out at gain 0.1 makes m1 = 0.01 whatever the blocks do
    const bad = specOf('32 > res(32:tanh > 32) x 2 > 32', 1);
    const lowGain = { ...bad, gain: 0.1 };
    expect(recommendAlpha(lowGain, DEFAULT_THRESHOLDS, 1).status).toBe('not-faithful-near-zero');
  });
});
