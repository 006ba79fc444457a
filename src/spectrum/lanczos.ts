import { normalStream, fillNormal } from '../random/streams.js';
import { golubKahan, bidiagonalSVD } from './golub-kahan.js';
import type { LinearOperator } from './jacobian-operator.js';

/**
 * The largest singular values of J by Golub-Kahan-Lanczos with full reorthogonalization from one
 * seeded random start. Extreme singular values converge first (Kaniel-Paige); `steps` Lanczos steps
 * give the top few to high accuracy when steps is a few times the number wanted plus the spread of
 * the spectrum's edge. As a convergence gauge we report how much the wanted values moved over the
 * last 10 steps (cheap: the SVD of a smaller bidiagonal), not a residual bound.
 */
export interface TopSingularValues {
  /** ln s, descending, `count` of them */
  logS: Float64Array;
  steps: number;
  /** max |change in ln s| of the reported values between steps - 10 and steps (convergence gauge) */
  change: number;
}

export function topSingularValues(op: LinearOperator, count: number, steps: number, seed: number): TopSingularValues {
  const n = op.n;
  const start = fillNormal(new Float64Array(n), normalStream(seed, 'probe', 1));
  const { runs, lnScale } = golubKahan(op, { rows: 1, cols: n, data: start }, steps);
  const run = runs[0];
  const full = bidiagonalSVD(run).sigma;
  const logS = Float64Array.from(full.subarray(0, count), (s) => Math.log(s) + lnScale);
  let change = NaN;
  if (run.steps > 10) {
    const earlier = bidiagonalSVD({ alpha: run.alpha.slice(0, run.steps - 10), beta: run.beta.slice(0, run.steps - 11), steps: run.steps - 10 }).sigma;
    change = 0;
    for (let i = 0; i < Math.min(count, earlier.length); i++) change = Math.max(change, Math.abs(Math.log(earlier[i]) + lnScale - logS[i]));
  }
  return { logS, steps: run.steps, change };
}
