import { describe, it, expect } from 'vitest';
import { parseArch, resolveArch } from '../../src/spec/arch.js';
import { archText, denseStagesOf, stagesOf, type LayerList } from '../../src/network/layers.js';
import { sampleBlockDraws, forwardBlocks, blockJacobian, backpropBlocks } from '../../src/network/blocks.js';
import { sampleStageDraws, type BaseDraws } from '../../src/network/sampler.js';
import { layerNormForward, layerNormJacobian, layerNormVjp, layerNormApplyLeft } from '../../src/network/layernorm.js';
import { measureBlockNetwork, measureBlockM1 } from '../../src/measure/block-network.js';
import { BlockJacobianOperator } from '../../src/network/blocks.js';
import { denseSingularValues } from '../../src/spectrum/naive.js';
import { gemm } from '../../src/linalg/gemm.js';
import { identity, type Mat } from '../../src/linalg/matrix.js';
import { norm2 } from '../../src/linalg/vector.js';
import { SpecError } from '../../src/spec/errors.js';
import { rng } from '../support/rng.js';

const defaults = { init: 'orthogonal' as const, biasStd: 0 };
const net = (text: string, d: { init: 'orthogonal' | 'gaussian'; biasStd: number } = defaults): LayerList => resolveArch(parseArch(text), d);

/** The network's output for the input x (the forward map alone: what finite differences differentiate). */
function outputAt(n: LayerList, draws: BaseDraws, gain: number, x: Float64Array): Float64Array {
  const r = norm2(x);
  const d = { ...draws, inputDirection: Float64Array.from(x, (v) => v / r) };
  return forwardBlocks(n, d, { gain, q0: (r * r) / x.length }).output;
}

/** J by central differences of the forward map, step h (error O(h^2) of the third derivatives). */
function finiteDifferenceJacobian(n: LayerList, draws: BaseDraws, gain: number, q0: number, h = 1e-5): Mat {
  const n0 = n.input;
  const x0 = Float64Array.from(draws.inputDirection, (v) => v * Math.sqrt(n0 * q0));
  const out0 = outputAt(n, draws, gain, x0);
  const rows = out0.length;
  const data = new Float64Array(rows * n0);
  for (let j = 0; j < n0; j++) {
    const xp = Float64Array.from(x0), xm = Float64Array.from(x0);
    xp[j] += h;
    xm[j] -= h;
    const fp = outputAt(n, draws, gain, xp), fm = outputAt(n, draws, gain, xm);
    for (let i = 0; i < rows; i++) data[i * n0 + j] = (fp[i] - fm[i]) / (2 * h);
  }
  return { rows, cols: n0, data };
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('residual and layernorm grammar', () => {
  it('parses blocks, groups, presets and layernorm, and prints a text that parses back to the same list', () => {
    const texts = [
      '64 > res(64:relu > 64, alpha=0.5) x 8',
      '64 > (res(64:tanh > 64) > ln) x 6 > 10',
      '32 > 48:tanh > res(ln > 64:gelu > 48, alpha=1/sqrt(L)) x 3 > ln(eps=1e-5) > 16',
      '16 > res(16:relu > 16 > :relu > 16, alpha=fixup) x 2',
      '16 > res(:relu > 16, alpha=-0.25)',
    ];
    for (const t of texts) {
      const a = net(t);
      expect(resolveArch(parseArch(archText(a)), defaults), t).toEqual(a);
    }
    const a = net('64 > res(64:relu > 64, alpha=0.5) x 8');
    expect(a.layers).toHaveLength(8);
    expect(a.layers[0]).toEqual({ kind: 'residual', alpha: 0.5, branch: [
      { kind: 'dense', width: 64, init: 'orthogonal', gain: 1, biasStd: 0 },
      { kind: 'activation', name: 'relu' },
      { kind: 'dense', width: 64, init: 'orthogonal', gain: 1, biasStd: 0 },
    ] });
    expect(archText(net('64 > (res(64:tanh > 64) > ln) x 6 > 10'))).toBe('64 > (res(64:tanh > 64) > ln) x 6 > 10');
  });

  it('resolves the scaling presets with L the number of blocks', () => {
    const alphas = (t: string) => net(t).layers.flatMap((l) => (l.kind === 'residual' ? [l.alpha] : []));
    expect(alphas('8 > res(8:tanh > 8, alpha=1/sqrt(L)) x 16')).toEqual(new Array(16).fill(0.25));
    expect(alphas('8 > res(8:tanh > 8, alpha=1/L) x 4')).toEqual(new Array(4).fill(0.25));
    expect(alphas('8 > res(8:tanh > 8, alpha=skipinit) x 3')).toEqual([0, 0, 0]);
    // fixup, m = 2 dense layers, L = 4 blocks: first dense gain 4^(-1/2), last dense 0
    const fix = net('8 > res(8:relu > 8, alpha=fixup) x 4').layers[0];
    expect(fix.kind === 'residual' && fix.branch.filter((b) => b.kind === 'dense').map((b) => (b as { gain: number }).gain)).toEqual([0.5, 0]);
    // deepnorm, L = 2: alpha = (2L)^(-1/4) = 1/sqrt(2), branch gains (8L)^(-1/4) = 1/2, the next ln's eps / a^2
    const dn = net('8 > (res(8:relu > 8, alpha=deepnorm) > ln(eps=1e-4)) x 2').layers;
    expect(dn[0].kind === 'residual' && dn[0].alpha).toBeCloseTo(Math.SQRT1_2, 15);
    expect(dn[0].kind === 'residual' && dn[0].branch.filter((b) => b.kind === 'dense').map((b) => (b as { gain: number }).gain)).toEqual([0.5, 0.5]);
    expect(dn[1].kind === 'layernorm' && dn[1].eps).toBeCloseTo(1e-4 / 2, 18);
  });

  it('refuses malformed blocks with one line naming the block', () => {
    const cases: [string, RegExp][] = [
      ['64 > res(64:relu > 32)', /residual block 1 \(layer 0\): its branch ends at 32 units but the stream it joins is 64 wide/],
      ['64 > res(res(64))', /a residual block inside a residual branch is not supported/],
      ['64 > res(64, alpha=banana)', /unknown alpha 'banana'/],
      ['64 > res(64, beta=2)', /unknown residual option 'beta=2'/],
      ['64 > res(64:relu > 64, alpha=deepnorm)', /deepnorm is a post-LN scaling/],
      ['64 > res(64:relu, alpha=fixup)', /fixup scales a branch of m >= 2 dense layers/],
      ['64 > res(64, alpha=1000)', /alpha must be a number in \[-100, 100\]/],
      ['64 > ln(eps=-1)', /eps must be a number in \[0, 1\]/],
      ['64 > ln(gamma=2)', /unknown layernorm option/],
      ['64 > res()', /an empty residual branch/],
      ['64 > res(64 > > 64)', /item 2 'res\(64 > > 64\)': in '64 > > 64': item 2 '': empty item/],
      ['64 > res(64:relu > 64', /unbalanced parentheses/],
      ['res(64) > 64', /the first item is the input width/],
      ['64 > res(64:gelx > 64)', /unknown activation 'gelx'/],
    ];
    for (const [t, re] of cases) {
      expect(() => net(t), t).toThrow(SpecError);
      expect(() => net(t), t).toThrow(re);
    }
  });

  it('reads residual and layernorm layers from a JSON layer list', () => {
    const draft = { input: 8, layers: [{ kind: 'dense' as const, width: 8 }, { kind: 'residual' as const, alpha: 'skipinit', branch: [{ kind: 'dense' as const, width: 8 }] }, { kind: 'layernorm' as const, eps: 1e-5 }] };
    const a = resolveArch(draft, defaults);
    expect(a.layers[1]).toMatchObject({ kind: 'residual', alpha: 0, scaling: 'skipinit' });
    expect(a.layers[2]).toEqual({ kind: 'layernorm', eps: 1e-5 });
  });
});

describe('draws of a block list', () => {
  it("number dense layers in forward order; a list's first dense layers draw what a plain list's draw", () => {
    const a = net('16 > 16:tanh > res(16:relu > 16) > 16');
    expect(denseStagesOf(a).map((s) => [s.fanIn, s.width, s.activation])).toEqual([[16, 16, 'tanh'], [16, 16, 'relu'], [16, 16, 'linear'], [16, 16, 'linear']]);
    const plain = net('16 > 16:tanh > 16:relu > 16 > 16');
    const db = sampleBlockDraws(a, 3), dp = sampleStageDraws(stagesOf(plain), 16, 3);
    for (let k = 0; k < 4; k++) expect(db.weights[k].data).toEqual(dp.weights[k].data);
    expect(db.inputDirection).toEqual(dp.inputDirection);
  });
});

describe('layernorm: the exact Jacobian', () => {
  it('matches central differences of the forward map (eps 0 and 1e-5) to 1e-8, and its products and vjp are J A and J v', () => {
    const r = rng(7);
    for (const eps of [0, 1e-5]) {
      const n = 12;
      const x = Float64Array.from({ length: n }, () => 0.3 + 2 * r());
      const st = layerNormForward(x, eps);
      const J = layerNormJacobian(st);
      const h = 1e-6;
      for (let j = 0; j < n; j++) {
        const xp = Float64Array.from(x), xm = Float64Array.from(x);
        xp[j] += h;
        xm[j] -= h;
        const yp = layerNormForward(xp, eps).y, ym = layerNormForward(xm, eps).y;
        for (let i = 0; i < n; i++) expect(Math.abs((yp[i] - ym[i]) / (2 * h) - J.data[i * n + j])).toBeLessThan(1e-8);
      }
      // structure: J 1 = 0 exactly; J y = (1/s)(1 - |y|^2/N) y
      const ones = new Float64Array(n).fill(1);
      expect(norm2(layerNormVjp(st, ones))).toBeLessThan(1e-14);
      const jy = layerNormVjp(st, st.y);
      const yy = norm2(st.y) ** 2 / n;
      for (let i = 0; i < n; i++) expect(jy[i]).toBeCloseTo(((1 - yy) / st.s) * st.y[i], 12);
      const A = { rows: n, cols: 5, data: Float64Array.from({ length: n * 5 }, () => r()) };
      const JA = gemm(J, A);
      layerNormApplyLeft(st, A);
      expect(maxAbs(A.data, JA.data)).toBeLessThan(1e-14);
    }
  });
});

describe('block networks: known answers', () => {
  it('alpha = 0 (and skipinit, fixup) is the identity: every ln s is 0, m1 = 1', () => {
    for (const t of ['32 > res(32:tanh > 32, alpha=0) x 5', '32 > res(32:relu > 32, alpha=skipinit) x 5', '32 > res(32:relu > 32 > :relu > 32, alpha=fixup) x 5']) {
      const a = net(t);
      const s = measureBlockNetwork(a, sampleBlockDraws(a, 1), { gain: 1.3, q0: 1 });
      expect(s.rank).toBe(32);
      expect(Math.max(...Array.from(s.logSingularValues, Math.abs)), t).toBeLessThan(1e-14);
      expect(s.stats.m1).toBeCloseTo(1, 14);
      expect(s.trusted).toBe(true);
    }
  });

  it('one linear block x + a O x with O orthogonal: m1 = 1 + a^2 + 2a tr(O)/N exactly, and s_i against a direct SVD', () => {
    const a = net('24 > res(24, alpha=0.7)');
    const draws = sampleBlockDraws(a, 5);
    const s = measureBlockNetwork(a, draws, { gain: 1, q0: 1 });
    const O = draws.weights[0];
    let tr = 0;
    for (let i = 0; i < 24; i++) tr += O.data[i * 24 + i];
    expect(Math.abs(s.stats.m1 - (1 + 0.49 + (2 * 0.7 * tr) / 24))).toBeLessThan(1e-13);
    const M = identity(24);
    for (let i = 0; i < M.data.length; i++) M.data[i] += 0.7 * O.data[i];
    const direct = denseSingularValues(M);
    expect(maxAbs(Array.from(s.logSingularValues, Math.exp), direct)).toBeLessThan(1e-12);
  });

  it('a deep linear residual net with orthogonal branches: the stable spectrum against the product formed directly', () => {
    const a = net('20 > res(20, alpha=0.4) x 12');
    const draws = sampleBlockDraws(a, 2);
    let J = identity(20);
    for (let l = 0; l < 12; l++) {
      const B = identity(20);
      for (let i = 0; i < B.data.length; i++) B.data[i] += 0.4 * 1.1 * draws.weights[l].data[i];
      J = gemm(B, J);
    }
    const s = measureBlockNetwork(a, draws, { gain: 1.1, q0: 1 });
    const direct = denseSingularValues(J);
    const mine = Array.from(s.logSingularValues, Math.exp);
    for (let i = 0; i < 20; i++) expect(Math.abs(mine[i] - direct[i]) / direct[i]).toBeLessThan(1e-11);
    expect(s.trusted).toBe(true);
    expect(Math.abs(s.logDetResidual!)).toBeLessThan(1e-11);
  });

  it('pre-LN, post-LN and rectangular block nets: J against central differences of the forward map, gradients against J^T e', () => {
    const cases: [string, 'orthogonal' | 'gaussian', number][] = [
      ['12 > res(ln > 16:gelu > 12, alpha=0.6) x 3 > ln', 'orthogonal', 0],
      ['12 > (res(12:tanh > 12) > ln(eps=1e-3)) x 3', 'gaussian', 0.1],
      ['10 > 14:tanh > res(ln > 20:silu > 14, alpha=1/sqrt(L)) x 2 > :tanh > 6', 'orthogonal', 0.05],
    ];
    for (const [t, init, biasStd] of cases) {
      const a = net(t, { init, biasStd });
      const draws = sampleBlockDraws(a, 11);
      const gain = 1.2, q0 = 0.8;
      const trace = forwardBlocks(a, draws, { gain, q0 });
      const J = blockJacobian(trace, draws);
      const fd = finiteDifferenceJacobian(a, draws, gain, q0);
      expect(maxAbs(J.data, fd.data), t).toBeLessThan(1e-7);
      // the spectrum's singular values are J's (rank: a layernorm's structural zeros dropped)
      const s = measureBlockNetwork(a, draws, { gain, q0 });
      const direct = denseSingularValues(J);
      // the direct SVD (ml-matrix) is accurate to ~1e-16 s_max in absolute terms only
      for (let i = 0; i < s.rank; i++) expect(Math.abs(Math.exp(s.logSingularValues[i]) - direct[i]), `${t} s_${i}`).toBeLessThan(1e-10 * direct[i] + 1e-14 * direct[0]);
      for (let i = s.rank; i < direct.length; i++) expect(direct[i] / direct[0], `${t} structural zero ${i}`).toBeLessThan(1e-12);
      // backprop: ln |J^T e|
      const jte = new Float64Array(J.cols);
      for (let i = 0; i < J.rows; i++) for (let j = 0; j < J.cols; j++) jte[j] += J.data[i * J.cols + j] * draws.outputError[i];
      expect(backpropBlocks(trace, draws).logInputGrad).toBeCloseTo(Math.log(norm2(jte)), 12);
      // m1 without the SVD: the mean of s^2 over min(N_0, N_L) values
      let frob = 0;
      for (const v of J.data) frob += v * v;
      const m1 = frob / Math.min(J.rows, J.cols);
      expect(measureBlockM1(a, draws, { gain, q0 }).lnM1).toBeCloseTo(Math.log(m1), 12);
    }
  });

  it('post-LN with eps = 0 has rank N - 2; eps > 0 rank N - 1 (the scale direction keeps a small singular value)', () => {
    const a0 = net('16 > (res(16:tanh > 16) > ln) x 3');
    expect(measureBlockNetwork(a0, sampleBlockDraws(a0, 0), { gain: 1, q0: 1 }).rank).toBe(14);
    const a1 = net('16 > (res(16:tanh > 16) > ln(eps=1e-5)) x 3');
    expect(measureBlockNetwork(a1, sampleBlockDraws(a1, 0), { gain: 1, q0: 1 }).rank).toBe(15);
  });

  it("deepnorm's x + G/a followed by ln(eps/a^2) is LN(a x + G(x)) with eps, to rounding", () => {
    const a = net('16 > (res(16:relu > 16, alpha=deepnorm) > ln(eps=1e-2)) x 3');
    const draws = sampleBlockDraws(a, 4);
    const mine = forwardBlocks(a, draws, { gain: 1, q0: 1 }).output;
    // direct: a = (2L)^(1/4), G's dense gains b = (8L)^(-1/4), L = 3
    const A = 6 ** 0.25, b = 24 ** -0.25;
    let x = Float64Array.from(draws.inputDirection, (v) => v * 4);
    for (let l = 0; l < 3; l++) {
      const W1 = draws.weights[2 * l], W2 = draws.weights[2 * l + 1];
      const h = new Float64Array(16), g = new Float64Array(16);
      for (let i = 0; i < 16; i++) for (let j = 0; j < 16; j++) h[i] += b * W1.data[i * 16 + j] * x[j];
      for (let i = 0; i < 16; i++) h[i] = Math.max(0, h[i]);
      for (let i = 0; i < 16; i++) for (let j = 0; j < 16; j++) g[i] += b * W2.data[i * 16 + j] * h[j];
      x = layerNormForward(Float64Array.from(x, (v, i) => A * v + g[i]), 1e-2).y;
    }
    expect(maxAbs(mine, x)).toBeLessThan(1e-13);
  });
});

describe('block networks: matrix-free', () => {
  it('the operator is J (and J^T) to rounding, embedded at the largest stream width', () => {
    for (const t of ['12 > res(ln > 16:gelu > 12, alpha=0.6) x 3 > ln', '10 > 14:tanh > res(ln > 20:silu > 14, alpha=0.5) x 2 > :tanh > 6']) {
      const a = net(t);
      const draws = sampleBlockDraws(a, 3);
      const trace = forwardBlocks(a, draws, { gain: 1.1, q0: 1 });
      const J = blockJacobian(trace, draws);
      const op = new BlockJacobianOperator(trace, draws);
      const M = op.n;
      const eye = identity(M);
      const fwd = op.apply(eye), back = op.applyT(eye);
      // row i of apply(I) is (J e_i)^T padded: J's column i; row i of applyT(I) is J's row i
      for (let i = 0; i < M; i++) {
        for (let j = 0; j < M; j++) {
          const jij = i < J.rows && j < J.cols ? J.data[i * J.cols + j] : 0;
          expect(Math.abs(Math.exp(fwd.logScale) * fwd.rows.data[j * M + i] - jij), t).toBeLessThan(1e-13);
          expect(Math.abs(Math.exp(back.logScale) * back.rows.data[i * M + j] - jij), t).toBeLessThan(1e-13);
        }
      }
    }
  });

  it('Hutchinson m1 within 4 standard errors of the dense m1; Lanczos s_max to 1e-8', () => {
    const a = net('96 > res(ln > 128:gelu > 96, alpha=0.8) x 4 > ln');
    const draws = sampleBlockDraws(a, 8);
    const dense = measureBlockNetwork(a, draws, { gain: 1, q0: 1 });
    const mf = measureBlockNetwork(a, draws, { gain: 1, q0: 1 }, { method: 'matrix-free', matrixFree: { probes: 64, lanczosSteps: 60 } });
    expect(mf.method).toBe('matrix-free');
    expect(Math.abs(mf.stats.m1 - dense.stats.m1)).toBeLessThan(4 * mf.matrixFree!.m1Stderr);
    expect(Math.abs(mf.stats.ln_s_max - dense.stats.ln_s_max)).toBeLessThan(1e-8);
    expect(Number.isNaN(mf.stats.std_log)).toBe(true);
    expect(mf.rank).toBe(dense.rank);
    const h = measureBlockM1(a, draws, { gain: 1, q0: 1 }, { method: 'hutchinson', probes: 64 });
    expect(Math.abs(h.m1 - dense.stats.m1)).toBeLessThan(4 * h.m1 * h.lnM1Stderr);
  });
});

describe('block lists in sweeps and comparisons', () => {
  it("a point's init reaches every dense layer, a residual branch's included (compare pairs the two schemes there too)", async () => {
    const { pointArch } = await import('../../src/sweep/grid.js');
    // a resolved list (as a sweep's config stores it) with orthogonal layers, taken to the Gaussian point
    const a = pointArch(net('16 > res(16:tanh > 16) x 2 > 8'), 'gaussian', 0.1);
    expect(denseStagesOf(a).map((s) => s.init)).toEqual(new Array(5).fill('gaussian'));
  });
});
