import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { net } from './helpers.js';
import { stableLogSingularValues } from '../../src/spectrum/stable-product.js';
import { defaultBlockSize } from '../../src/measure/network.js';
import { formJacobian, denseSingularValues } from '../../src/spectrum/naive.js';

/**
 * Against 300-digit references: test/fixtures/mp-reference-{gaussian,orthogonal}.json hold ln s of small tanh nets
 * computed with mpmath from the exact float64 factors (regenerate with
 * `node test/fixtures/dump-factors.mjs INIT N L SEED GAIN BIAS_STD | python3 test/fixtures/mp_reference.py`, which now works
 * in 250 digits or more, enough for these); the edge cases are in reference-edges.test.ts).
 * Their singular values span 38 and 52 decades.
 */
interface Ref { init: 'orthogonal' | 'gaussian'; N: number; L: number; seed: number; gain: number; biasStd: number; lnS: number[] }
const load = (name: string): Ref => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));

for (const ref of [load('mp-reference-gaussian.json'), load('mp-reference-orthogonal.json')]) {
  describe(`stable spectrum vs a 300-digit reference (${ref.init}, N = ${ref.N}, L = ${ref.L}, g = ${ref.gain})`, () => {
    const { factors } = net(ref.init, ref.N, ref.L, ref.seed, 'tanh', ref.gain, ref.biasStd);

    it('gets every singular value to 1e-12 relative at the default re-factoring interval and below', () => {
      for (let k = 1; k <= defaultBlockSize(ref.init); k++) {
        const lnS = stableLogSingularValues(factors, ref.gain, k);
        ref.lnS.forEach((v, i) => expect(Math.abs(lnS[i] - v)).toBeLessThan(1e-12));
      }
    });

    it('loses accuracy gracefully, not catastrophically, with much longer blocks', () => {
      // measured: Gaussian k = 10 errs by 2e-6 in ln s_min (the block product's condition number
      // grows like e^(3k)); that is why the default is 2 for Gaussian and 4 for orthogonal
      const lnS = stableLogSingularValues(factors, ref.gain, 10);
      ref.lnS.forEach((v, i) => expect(Math.abs(lnS[i] - v)).toBeLessThan(1e-4));
    });

    it('where the naive float64 product is wrong for all but the largest', () => {
      const naive = denseSingularValues(formJacobian(factors, ref.gain));
      expect(Math.abs(Math.log(naive[0]) - ref.lnS[0])).toBeLessThan(1e-12);
      // the smallest true s is below the float64 floor 1e-16 * s_max
      expect(ref.lnS[0] - ref.lnS[ref.N - 1]).toBeGreaterThan(37);
      expect(Math.abs(Math.log(Math.max(naive[ref.N - 1], 1e-320)) - ref.lnS[ref.N - 1])).toBeGreaterThan(10);
    });
  });
}
