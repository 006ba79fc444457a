import { normalStream, fillNormal } from '../random/streams.js';
import { golubKahan, bidiagonalSVD } from './golub-kahan.js';
import type { LinearOperator } from './jacobian-operator.js';

/**
 * Stochastic Lanczos quadrature for the density of ln s (Ubaru, Chen & Saad 2017). For a unit
 * random probe v, k Golub-Kahan steps give a k-point Gauss rule for v's spectral measure of J^T J,
 * sum_i (v . v_i)^2 delta(s - s_i): nodes s_j of B_k and weights (first components of B_k's right
 * singular vectors)^2. Averaged over probes it estimates the spectral density (1/N) sum_i
 * delta(s - s_i). All probes share the block operator applications.
 *
 * The quadrature's nodes come from B_k's SVD (absolute accuracy ~1e-16 s_max), so this density is
 * meant for the bulk; the far lower tail of very ill-conditioned J needs the dense stable product.
 */
export interface SpectralDensity {
  /** ln s of all quadrature nodes, ascending */
  logS: Float64Array;
  /** their weights, summing to 1 */
  weights: Float64Array;
  probes: number;
  steps: number;
}

export function slqDensity(op: LinearOperator, probes: number, steps: number, seed: number): SpectralDensity {
  const n = op.n;
  const starts = fillNormal(new Float64Array(probes * n), normalStream(seed, 'probe', 2));
  const { runs, lnScale } = golubKahan(op, { rows: probes, cols: n, data: starts }, steps);
  const nodes: { x: number; w: number }[] = [];
  for (const run of runs) {
    const { sigma, weights } = bidiagonalSVD(run);
    for (let j = 0; j < sigma.length; j++) {
      // a node at s = 0 (rank-deficient J) carries its weight to ln s = -Infinity
      if (weights[j] > 0) nodes.push({ x: Math.log(sigma[j]) + lnScale, w: weights[j] / runs.length });
    }
  }
  nodes.sort((a, b) => a.x - b.x);
  let total = 0;
  for (const q of nodes) total += q.w;
  return {
    logS: Float64Array.from(nodes, (q) => q.x),
    weights: Float64Array.from(nodes, (q) => q.w / total),
    probes,
    steps: Math.max(...runs.map((r) => r.steps)),
  };
}

/** CDF of ln s under the quadrature measure, at x (jumps counted half at the node: midpoint rule) */
export function densityCdf(d: SpectralDensity, x: number): number {
  let c = 0;
  for (let i = 0; i < d.logS.length; i++) {
    if (d.logS[i] < x) c += d.weights[i];
    else if (d.logS[i] === x) c += d.weights[i] / 2;
    else break;
  }
  return c;
}

/** N values of ln s, descending, at the quantiles (i + 1/2)/N of the quadrature measure */
export function densityQuantiles(d: SpectralDensity, count: number): Float64Array {
  const out = new Float64Array(count);
  let j = 0, c = 0;
  for (let i = 0; i < count; i++) {
    const target = (i + 0.5) / count;
    while (j < d.logS.length - 1 && c + d.weights[j] < target) c += d.weights[j++];
    out[count - 1 - i] = d.logS[j];
  }
  return out;
}
