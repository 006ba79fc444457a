import { describe, it, expect } from 'vitest';
import { parseArch, resolveArch } from '../../src/spec/arch.js';
import { blockTrajectory, type BlockTrajectory } from '../../src/theory/block-trajectory.js';
import { sampleBlockDraws } from '../../src/network/blocks.js';
import { measureBlockNetwork } from '../../src/measure/block-network.js';
import { estimate } from '../../src/measure/aggregate.js';
import type { LayerList } from '../../src/network/layers.js';

const net = (t: string, init: 'orthogonal' | 'gaussian' = 'orthogonal', biasStd = 0): LayerList => resolveArch(parseArch(t), { init, biasStd });
function ok(t: ReturnType<typeof blockTrajectory>): BlockTrajectory {
  if (!t.ok) throw new Error(t.reason);
  return t.trajectory;
}

describe('block mean field: exact cases', () => {
  it('alpha = 0: the stream keeps q0 and every chi is 1', () => {
    const t = ok(blockTrajectory(net('64 > res(64:tanh > 64, alpha=0) x 5'), 1.7, 0.6));
    expect(t.q).toEqual(new Array(5).fill(0.6));
    expect(t.lnChi).toEqual(new Array(5).fill(0));
  });

  it('a linear residual block: m and chi grow by 1 + alpha^2 g^2 per block', () => {
    const t = ok(blockTrajectory(net('64 > res(64, alpha=0.5) x 4'), 1.2, 2));
    const f = 1 + 0.25 * 1.44;
    t.q.forEach((q, u) => expect(q).toBeCloseTo(2 * f ** (u + 1), 13));
    expect(t.lnM1).toBeCloseTo(4 * Math.log(f), 14);
    expect(t.logGradNorm[0]).toBeCloseTo(1.5 * Math.log(f), 14);
  });

  it('a layernorm: m -> v/(v + eps), chi = 1/(v + eps) (infinite width)', () => {
    const t = ok(blockTrajectory(net('50 > 50 > ln'), 2, 1));
    expect(t.q).toEqual([4, 1]);
    expect(t.chi[1]).toBe(0.25);
    const e = ok(blockTrajectory(net('50 > 50 > ln(eps=0.5)'), 2, 1));
    expect(e.q[1]).toBeCloseTo(4 / 4.5, 15);
    expect(e.chi[1]).toBeCloseTo(1 / 4.5, 15);
  });

  it('says where it has no prediction', () => {
    const a = blockTrajectory(net('32 > 32:relu > ln'), 1, 1);
    expect(a.ok === false && a.reason).toMatch(/layernorm right after an activation with a nonzero mean/);
    const b = blockTrajectory(net('32 > res(32:tanh) x 2'), 1, 1);
    expect(b.ok === false && b.reason).toMatch(/does not end with a dense layer/);
  });
});

describe('block mean field against sampled networks', () => {
  // tolerance: 4 standard errors over seeds plus the O(1/N) finite-width bias, 4/N relative
  const cases: [string, 'orthogonal' | 'gaussian', number, number][] = [
    ['128 > res(128:tanh > 128, alpha=0.5) x 8', 'orthogonal', 1.1, 1],
    ['128 > res(ln > 128:gelu > 128, alpha=0.7) x 8', 'gaussian', 1, 1.5],
    // post-LN DeepNorm: layernorms in the stream
    ['128 > (res(128:gelu > 128, alpha=deepnorm) > ln) x 8', 'gaussian', 1, 1],
  ];
  for (const [t, init, gain, q0] of cases) {
    it(`${t} (${init}, gain ${gain}, q0 ${q0}): the residual length map and ln m1 within 4 SE + 4/N`, () => {
      const a = net(t, init);
      const th = ok(blockTrajectory(a, gain, q0));
      const samples = Array.from({ length: 12 }, (_, i) => measureBlockNetwork(a, sampleBlockDraws(a, 100 + i), { gain, q0 }));
      const n = 128;
      for (let u = 0; u < th.q.length; u++) {
        const e = estimate(samples.map((s) => s.layers[u].q));
        expect(Math.abs(e.mean - th.q[u]), `unit ${u + 1} q`).toBeLessThan(4 * e.stderr + (4 / n) * th.q[u]);
      }
      const m1 = estimate(samples.map((s) => s.stats.m1));
      expect(Math.abs(m1.mean - th.m1), 'm1').toBeLessThan(4 * m1.stderr + (4 / n) * th.m1);
    });
  }
});
