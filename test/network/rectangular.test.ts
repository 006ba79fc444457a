import { describe, it, expect } from 'vitest';
import { sampleStageDraws, sampleBaseDraws, sampleDenseWeights } from '../../src/network/sampler.js';
import { forward, type ScaleParams } from '../../src/network/forward.js';
import { measureNetwork, jacobianFactors } from '../../src/measure/network.js';
import { stableLogSingularValues } from '../../src/spectrum/stable-product.js';
import { denseSingularValues } from '../../src/spectrum/naive.js';
import { gemm } from '../../src/linalg/gemm.js';
import { jsBackend } from '../../src/linalg/backends/js.js';
import { loadWasmBackend } from '../../src/linalg/backends/wasm.js';
import { loadBackend } from '../../src/linalg/select.js';
import { openblasRequirement } from '../support/requirements.js';
import { stagesOf, mlpLayers, type LayerList, type Stage } from '../../src/network/layers.js';
import { transpose, type Mat } from '../../src/linalg/matrix.js';
import type { InitName } from '../../src/spec/types.js';

/**
 * Rectangular dense layers (issue 11 part 3). The log-det identity needs a square J, so the checks
 * here are exact ones: semi-orthogonality of the draws to 1e-14, the known spectrum of
 * semi-orthogonal linear nets (funnels and expansions are exact isometries, a bottleneck is a
 * partial isometry), and the naive product's SVD at shallow depth (where it is accurate to ~1e-14
 * of s_max, so 1e-10 relative in s for s within 1e-3 of s_max).
 */
function net(widths: number[], activation: string, init: InitName = 'orthogonal', biasStd = 0): LayerList {
  const layers: LayerList['layers'] = [];
  for (const w of widths.slice(1)) {
    layers.push({ kind: 'dense', width: w, init, gain: 1, biasStd });
    if (activation !== 'linear') layers.push({ kind: 'activation', name: activation });
  }
  return { input: widths[0], layers };
}

function params(stages: Stage[], gain: number, q0 = 1): ScaleParams {
  return {
    activation: stages[0].activation,
    gain,
    biasStd: stages[0].biasStd,
    q0,
    layers: stages.map((s) => ({ activation: s.activation, gain: s.gain, biasStd: s.biasStd })),
  };
}

function gram(w: Mat, rowsSide: boolean): number {
  // max |W W^T - I| (rowsSide) or |W^T W - I|
  const n = rowsSide ? w.rows : w.cols;
  let err = 0;
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      let s = 0;
      if (rowsSide) for (let j = 0; j < w.cols; j++) s += w.data[a * w.cols + j] * w.data[b * w.cols + j];
      else for (let i = 0; i < w.rows; i++) s += w.data[i * w.cols + a] * w.data[i * w.cols + b];
      err = Math.max(err, Math.abs(s - (a === b ? 1 : 0)));
    }
  }
  return err;
}

describe('rectangular draws', () => {
  it('orthogonal: orthonormal rows when fan-out < fan-in, orthonormal columns when fan-out > fan-in (1e-14)', () => {
    const wide = sampleDenseWeights('orthogonal', 17, 40, 3, 0);
    expect([wide.rows, wide.cols]).toEqual([17, 40]);
    expect(gram(wide, true)).toBeLessThan(1e-14);
    const tall = sampleDenseWeights('orthogonal', 40, 17, 3, 1);
    expect([tall.rows, tall.cols]).toEqual([40, 17]);
    expect(gram(tall, false)).toBeLessThan(1e-14);
  });

  it('gaussian: N(0, 1/fan_in) entries, the same N(0,1) matrix as the orthogonal draw (paired)', () => {
    const g = sampleDenseWeights('gaussian', 300, 200, 5, 0);
    let s2 = 0;
    for (const v of g.data) s2 += v * v;
    // mean of 60000 squares of N(0, 1/200): 1/200 with relative stderr sqrt(2/60000) = 0.0058; 4 stderr
    expect(Math.abs((s2 / g.data.length) * 200 - 1)).toBeLessThan(4 * Math.sqrt(2 / 60000));
    // pairing: the orthogonal draw is the column-orthonormalization of the same matrix, so the
    // first column of each is parallel (Gram-Schmidt keeps the direction of the first column)
    const o = sampleDenseWeights('orthogonal', 300, 200, 5, 0);
    let dot = 0, ng = 0, no = 0;
    for (let i = 0; i < 300; i++) {
      dot += g.data[i * 200] * o.data[i * 200];
      ng += g.data[i * 200] ** 2;
      no += o.data[i * 200] ** 2;
    }
    expect(Math.abs(Math.abs(dot) / Math.sqrt(ng * no) - 1)).toBeLessThan(1e-13);
  });

  it('a constant-width layer list draws bitwise what the MLP draws, and measures bitwise the same', () => {
    const list = mlpLayers({ width: 24, depth: 5, activation: 'tanh', init: 'orthogonal', biasStd: 0.1 });
    const stages = stagesOf(list);
    const a = sampleStageDraws(stages, 24, 7);
    const b = sampleBaseDraws('orthogonal', 24, 5, 7);
    for (let l = 0; l < 5; l++) {
      expect(a.weights[l].data).toEqual(b.weights[l].data);
      expect(a.biases[l]).toEqual(b.biases[l]);
    }
    expect(a.inputDirection).toEqual(b.inputDirection);
    const p: ScaleParams = { activation: 'tanh', gain: 1.3, biasStd: 0.1, q0: 1 };
    const ma = measureNetwork(a, params(stages, 1.3));
    const mb = measureNetwork(b, p);
    expect(Array.from(ma.logSingularValues)).toEqual(Array.from(mb.logSingularValues));
    expect(ma.layers).toEqual(mb.layers);
    expect(ma.logDetResidual).toBe(mb.logDetResidual);
  });
});

describe('rectangular Jacobians: exact spectra of semi-orthogonal linear nets', () => {
  const cases: { widths: number[]; ones: number; k: number; what: string }[] = [
    { widths: [64, 48, 32, 16], ones: 16, k: 16, what: 'a funnel (W W^T = I at every layer): 16 singular values g^L' },
    { widths: [16, 32, 48, 64], ones: 16, k: 16, what: 'an expansion (W^T W = I): 16 singular values g^L' },
    { widths: [64, 16, 64], ones: 16, k: 64, what: 'a bottleneck 64 > 16 > 64: a rank-16 partial isometry, 16 values g^L and 48 zeros' },
  ];
  for (const c of cases) {
    it(c.what, () => {
      const stages = stagesOf(net(c.widths, 'linear'));
      const gain = 1.25;
      const L = stages.length;
      for (const seed of [0, 1]) {
        const s = measureNetwork(sampleStageDraws(stages, c.widths[0], seed), params(stages, gain));
        expect(s.logSingularValues.length).toBe(c.k);
        expect(s.rank).toBe(c.ones);
        for (let i = 0; i < c.ones; i++) expect(Math.abs(s.logSingularValues[i] - L * Math.log(gain))).toBeLessThan(1e-12);
        for (let i = c.ones; i < c.k; i++) expect(s.logSingularValues[i]).toBe(-Infinity);
        // m1 = |J|_F^2 / k exactly
        expect(Math.abs(s.stats.ln_m1 - (2 * L * Math.log(gain) + Math.log(c.ones / c.k)))).toBeLessThan(1e-12);
        expect(s.logDetResidual).toBeNull();
      }
    });
  }
});

/** J formed naively from the layer factors (N_L x N_0), its singular values by ml-matrix. */
function naiveSingularValues(stages: Stage[], draws: ReturnType<typeof sampleStageDraws>, p: ScaleParams): Float64Array {
  const trace = forward(draws, p);
  const f = jacobianFactors(draws, trace, p);
  let j: Mat = { rows: stages[0].fanIn, cols: stages[0].fanIn, data: new Float64Array(stages[0].fanIn ** 2) };
  for (let i = 0; i < j.rows; i++) j.data[i * j.cols + i] = 1;
  f.forEach((fac) => {
    const next = gemm(fac.base, j);
    for (let r = 0; r < next.rows; r++) for (let c = 0; c < next.cols; c++) next.data[r * next.cols + c] *= p.gain * fac.dphi[r];
    j = next;
  });
  // ml-matrix's SVD wants rows >= cols: J and J^T have the same singular values
  return denseSingularValues(j.rows < j.cols ? transpose(j) : j);
}

describe('rectangular Jacobians against the naive product (shallow nets)', () => {
  for (const [widths, act, init] of [
    [[48, 32, 40, 24], 'tanh', 'orthogonal'],
    [[30, 50, 20], 'tanh', 'gaussian'],
    [[40, 25, 25, 60, 10], 'relu', 'orthogonal'],
  ] as [number[], string, InitName][]) {
    it(`${widths.join(' > ')} ${act} ${init}: every singular value within 1e-10 relative of the naive SVD's`, () => {
      const stages = stagesOf(net(widths, act, init, 0.1));
      const draws = sampleStageDraws(stages, widths[0], 11);
      const p = params(stages, 1.4);
      const s = measureNetwork(draws, p);
      const ref = naiveSingularValues(stages, draws, p);
      const k = Math.min(widths[0], widths[widths.length - 1]);
      expect(s.logSingularValues.length).toBe(k);
      for (let i = 0; i < s.rank; i++) {
        const rel = Math.abs(Math.exp(s.logSingularValues[i]) - ref[i]) / ref[0];
        expect(rel).toBeLessThan(1e-10);
      }
      for (let i = s.rank; i < k; i++) expect(ref[i] / ref[0]).toBeLessThan(1e-12);
    });
  }
});

describe('rectangular spectra agree across backends', () => {
  const openblas = openblasRequirement();
  const backends = [
    { name: 'wasm', load: loadWasmBackend },
    ...(openblas.available ? [{ name: 'native', load: () => loadBackend('native') }] : []),
  ];
  const stages = stagesOf(net([96, 64, 80, 32], 'tanh', 'orthogonal', 0.05));
  const draws = sampleStageDraws(stages, 96, 2);
  const p = params(stages, 1.1);
  const trace = forward(draws, p);
  const factors = jacobianFactors(draws, trace, p);
  it('the embedded product gives the same ln s on js and the other backends (1e-10)', async () => {
    const { embedFactors } = await import('../../src/spectrum/embed.js');
    const emb = embedFactors(factors, [96, 64, 80, 32]);
    const ref = stableLogSingularValues(emb, p.gain, 4, jsBackend);
    for (const b of backends) {
      const got = stableLogSingularValues(emb, p.gain, 4, b.load());
      for (let i = 0; i < 32; i++) expect(Math.abs(got[i] - ref[i])).toBeLessThan(1e-10);
    }
  });
});
