/**
 * Probabilists' Gauss-Hermite quadrature: nodes z_i and weights w_i with
 * sum_i w_i f(z_i) = E[f(z)], z ~ N(0,1), exact for polynomials of degree < 2n.
 *
 * Nodes: the eigenvalues of the Jacobi matrix of He_k (zero diagonal, off-diagonal sqrt(k)),
 * each located independently by Sturm-sequence bisection (robust: no root can be skipped or found
 * twice, which asymptotic initial guesses + Newton do at n ~ 300), then polished by Newton on the
 * orthonormal recurrence psi_{k+1} = (z psi_k - sqrt(k) psi_{k-1}) / sqrt(k+1), psi_n' = sqrt(n) psi_{n-1}.
 * Weights: w_i = 1 / (n psi_{n-1}(z_i)^2) (= n! / (n He_{n-1}(z_i))^2), accurate in relative terms
 * even for the outer weights (~1e-250 at n = 300) where eigenvector-based weights are not.
 * psi_k(z) grows like e^{z^2/4}: at the largest node for n = 300 (33.8) that is ~1e124, still finite.
 */
export interface QuadratureRule {
  nodes: Float64Array;
  weights: Float64Array;
}

const cache = new Map<number, QuadratureRule>();

/** Number of eigenvalues of the Jacobi matrix below x (negative pivots of T - x I). */
function sturmCount(n: number, x: number): number {
  // an exact zero pivot (x on an eigenvalue of a leading block, e.g. x = 0 for odd sizes; note
  // -0 < 0 is false) is replaced by a tiny negative one before it is counted, as in LAPACK's dstebz
  const tiny = 1e-300;
  let count = 0;
  let d = -x;
  if (d === 0) d = -tiny;
  if (d < 0) count++;
  for (let i = 1; i < n; i++) {
    d = -x - i / d;
    if (d === 0) d = -tiny;
    if (d < 0) count++;
  }
  return count;
}

/** psi_n(z) and psi_{n-1}(z) of the orthonormal probabilists' Hermite recurrence. */
function hermitePair(n: number, z: number): [number, number] {
  let prev = 0;
  let cur = 1;
  for (let k = 0; k < n; k++) {
    const next = (z * cur - Math.sqrt(k) * prev) / Math.sqrt(k + 1);
    prev = cur;
    cur = next;
  }
  return [cur, prev];
}

export function gaussHermite(n: number): QuadratureRule {
  const hit = cache.get(n);
  if (hit) return hit;
  if (!Number.isInteger(n) || n < 1 || n > 400) throw new Error(`gaussHermite: n must be an integer in [1, 400], got ${n}`);
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  const bound = 2 * Math.sqrt(n) + 1; // Gershgorin
  for (let k = 0; k < n; k++) {
    // the k-th smallest eigenvalue: count(lo) <= k < count(hi)
    let lo = -bound;
    let hi = bound;
    for (let it = 0; it < 200 && hi - lo > 1e-12 * Math.max(1, Math.abs(lo)); it++) {
      const mid = 0.5 * (lo + hi);
      if (sturmCount(n, mid) > k) hi = mid;
      else lo = mid;
    }
    let z = 0.5 * (lo + hi);
    for (let it = 0; it < 5; it++) {
      const [pn, pn1] = hermitePair(n, z);
      const step = pn / (Math.sqrt(n) * pn1);
      if (!Number.isFinite(step) || Math.abs(step) > 1e-9 * Math.max(1, Math.abs(z))) break; // bisection was already closer
      z -= step;
      if (Math.abs(step) <= 1e-16 * Math.max(1, Math.abs(z))) break;
    }
    const pn1 = hermitePair(n, z)[1];
    nodes[k] = z;
    weights[k] = 1 / (n * pn1 * pn1);
  }
  // exact symmetry: average mirrored pairs so odd moments vanish to rounding
  for (let k = 0; k < Math.floor(n / 2); k++) {
    const z = 0.5 * (nodes[n - 1 - k] - nodes[k]);
    const w = 0.5 * (weights[k] + weights[n - 1 - k]);
    nodes[k] = -z;
    nodes[n - 1 - k] = z;
    weights[k] = w;
    weights[n - 1 - k] = w;
  }
  if (n % 2 === 1) nodes[(n - 1) / 2] = 0;
  const rule = { nodes, weights };
  cache.set(n, rule);
  return rule;
}
