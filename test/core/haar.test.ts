import { describe, it, expect } from 'vitest';
import kstest from '@stdlib/stats-kstest';
import { sampleHaar } from '../../src/linalg/haar.js';
import { gemm } from '../../src/linalg/gemm.js';
import { transpose, identity, maxAbsDiff } from '../../src/linalg/matrix.js';
import { normalStream } from '../../src/random/streams.js';

describe('Haar orthogonal sampling', () => {
  it('is orthogonal to 1e-12', () => {
    for (const n of [1, 2, 7, 64, 200]) {
      const o = sampleHaar(n, normalStream(3, 'weights', n));
      expect(maxAbsDiff(gemm(transpose(o), o), identity(n))).toBeLessThan(1e-12);
    }
  });

  // sqrt(N) O_ij of a Haar matrix is sqrt(N) times a coordinate of a uniform point on the sphere;
  // at N = 64 its law is within ~1e-3 (KS distance) of N(0,1), far below what 1500 samples resolve
  // (KS critical distance at the 1% level is 1.63/sqrt(1500) = 0.042).
  const N = 64;
  const M = 1500;
  function entries(signFix: boolean, i: number, j: number): number[] {
    const out: number[] = [];
    for (let s = 0; s < M; s++) out.push(Math.sqrt(N) * sampleHaar(N, normalStream(1000 + s, 'weights', 0), signFix).data[i * N + j]);
    return out;
  }

  it('has N(0,1) entries after the sign fix (KS test, p > 0.01)', () => {
    for (const [i, j] of [[0, 0], [N - 1, N - 1], [5, 17]]) {
      const p = kstest(entries(true, i, j), 'normal', 0, 1).pValue;
      expect(p).toBeGreaterThan(0.01);
    }
  });

  it('is not Haar without the sign fix (the same KS test rejects, p < 1e-6)', () => {
    const p = kstest(entries(false, 0, 0), 'normal', 0, 1).pValue;
    expect(p).toBeLessThan(1e-6);
  });
});
