import { describe, it, expect } from 'vitest';
import { net } from './helpers.js';
import { backprop } from '../../src/gradients/backprop.js';
import { formJacobian } from '../../src/spectrum/naive.js';
import { gemvT, gemv } from '../../src/linalg/gemm.js';
import { norm2 } from '../../src/linalg/vector.js';
import { activation } from '../../src/network/activations.js';
import type { BaseDraws } from '../../src/network/sampler.js';
import type { ScaleParams } from '../../src/network/forward.js';

/** x^L as a function of x^0, straight from the definitions (no shared code with forward()). */
function outputOf(draws: BaseDraws, p: ScaleParams, x0: Float64Array): Float64Array {
  const act = activation(p.activation);
  let x = x0;
  for (let l = 0; l < draws.weights.length; l++) {
    const h = gemv(draws.weights[l], x);
    x = h.map((v, i) => act.phi(p.gain * v + p.biasStd * draws.biases[l][i]));
  }
  return x;
}

describe('backprop', () => {
  for (const act of ['tanh', 'linear', 'hard-tanh'] as const) {
    it(`|J^T e| from the product equals |dE/dx0| from backprop (${act})`, () => {
      const { draws, trace, factors, params } = net('gaussian', 24, 12, 3, act, 1.2, 0.1, 0.7);
      const g = backprop(draws, trace, params.gain);
      const jte = gemvT(formJacobian(factors, params.gain), draws.outputError);
      expect(Math.abs(Math.log(norm2(jte)) - g.logInputGrad)).toBeLessThan(1e-12);
    });
  }

  it('delta^L = D^L e, and |dE/dW^l| = |delta^l| |x^{l-1}|', () => {
    const { draws, trace, params } = net('orthogonal', 16, 5, 9, 'tanh', 1.1);
    const g = backprop(draws, trace, params.gain);
    const dL = draws.outputError.map((e, i) => e * trace.dphi[4][i]);
    expect(g.logDelta[4]).toBeCloseTo(Math.log(norm2(dL)), 12);
    g.logWeightGrad.forEach((lw, l) => expect(lw).toBeCloseTo(g.logDelta[l] + Math.log(trace.xNorm[l]), 12));
  });

  it('the Jacobian matches central finite differences of the forward map', () => {
    const { draws, factors, params } = net('orthogonal', 10, 6, 4, 'tanh', 1.3, 0.2);
    const J = formJacobian(factors, params.gain);
    const n = 10;
    const x0 = draws.inputDirection.map((v) => v * Math.sqrt(n * params.q0));
    const h = 1e-6;
    for (let j = 0; j < n; j++) {
      const xp = Float64Array.from(x0), xm = Float64Array.from(x0);
      xp[j] += h;
      xm[j] -= h;
      const yp = outputOf(draws, params, xp), ym = outputOf(draws, params, xm);
      // central differences: truncation O(h^2 |phi'''|) ~ 1e-12, rounding O(eps/h) ~ 1e-10
      for (let i = 0; i < n; i++) expect(Math.abs((yp[i] - ym[i]) / (2 * h) - J.data[i * n + j])).toBeLessThan(1e-8);
    }
  });
});
