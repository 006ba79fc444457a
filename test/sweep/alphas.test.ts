import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { eoc } from '../cli/run.js';
import { parseArch, resolveArch } from '../../src/spec/arch.js';
import { sampleBlockDraws } from '../../src/network/blocks.js';
import { measureBlockNetwork } from '../../src/measure/block-network.js';
import { alphaBase, scaleAlphas } from '../../src/network/residual.js';
import { classify, DEFAULT_THRESHOLDS } from '../../src/measure/definitions.js';
import { estimate } from '../../src/measure/aggregate.js';

/** eoc sweep --alphas (issue 14): the residual alphas as a sweep axis, the largest faithful multiple per gain. */
const ARCH = '32 > res(32:tanh > 32) x 6';

interface Doc {
  schema: string;
  config: { alphas: number[]; gains: number[]; locate: unknown };
  points: { point: { alphaScale: number }; gains: { gain: number; verdict: string }[] }[];
  alphaEdges: { gain: number; scale: number | null; next: number | null; alpha: number[] | null }[];
}

describe('eoc sweep --alphas', () => {
  it('one point per multiple; the edge is where the verdict of the means over seeds stops being faithful, recomputed directly', () => {
    const r = eoc(['sweep', '--arch', ARCH, '--alphas', '0.2:1.4:0.2', '--seeds', '2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout) as Doc;
    expect(d.schema).toBe('eoc.sweep/4');
    expect(d.config.gains).toEqual([1]);
    expect(d.config.locate).toBeNull();
    expect(d.points.map((p) => p.point.alphaScale)).toEqual([0.2, 0.4, 0.6, 0.8, 1, 1.2, 1.4]);
    const net = resolveArch(parseArch(ARCH), { init: 'orthogonal', biasStd: 0 });
    const verdicts = d.points.map((p) => {
      const samples = [0, 1].map((seed) => measureBlockNetwork(scaleAlphas(net, alphaBase(net), p.point.alphaScale), sampleBlockDraws(net, seed), { gain: 1, q0: 1 }).stats);
      return classify(estimate(samples.map((s) => s.ln_m1)).mean, estimate(samples.map((s) => s.std_log)).mean, DEFAULT_THRESHOLDS);
    });
    expect(d.points.map((p) => p.gains[0].verdict)).toEqual(verdicts);
    const edge = d.alphaEdges[0];
    const firstBad = verdicts.findIndex((v) => v !== 'faithful');
    expect(firstBad).toBeGreaterThan(0);
    expect(edge.scale).toBe(d.points[firstBad - 1].point.alphaScale);
    expect(edge.next).toBe(d.points[firstBad].point.alphaScale);
    expect(edge.alpha).toEqual(new Array(6).fill(edge.scale));
  });

  it('resumes an --out sweep to the same document, and refuses --alphas without residual blocks or beyond alpha 100', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eoc-alphas-'));
    try {
      const args = ['sweep', '--arch', ARCH, '--alphas', '0.5,1', '--gains', '0.9,1', '--seeds', '2', '--out', dir];
      expect(eoc(args).code).toBe(0);
      const first = readFileSync(join(dir, 'sweep.json'), 'utf8');
      const again = eoc([...args, '--resume']);
      expect(again.code, again.stderr).toBe(0);
      expect(readFileSync(join(dir, 'sweep.json'), 'utf8')).toBe(first);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    for (const [args, re] of [
      [['sweep', '--arch', '32 > 32:tanh x 4', '--alphas', '0.5,1'], /--alphas needs --arch with residual blocks/],
      [['sweep', '--alphas', '0.5,1'], /--alphas needs --arch with residual blocks/],
      [['sweep', '--arch', '32 > res(32, alpha=50) x 2', '--alphas', '1,3'], /--alphas \(times the largest alpha of the list\)/],
    ] as [string[], RegExp][]) {
      const r = eoc(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(re);
    }
  });
});
