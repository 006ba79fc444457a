/**
 * The n-point Gauss-Legendre rule on [-1, 1]: nodes by Newton's method on P_n from Tricomi's
 * initial guesses (converged to 1e-16), weights 2 / ((1 - x^2) P_n'(x)^2). Used by the panel
 * quadratures of the activation registry (src/activations/quadrature.ts) and the correlation map
 * (src/theory/correlation.ts).
 */
export function gaussLegendre(n: number): { x: Float64Array; w: Float64Array } {
  const x = new Float64Array(n);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let t = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    for (let it = 0; it < 100; it++) {
      let p0 = 1;
      let p1 = t;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * t * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      const dp = (n * (t * p1 - p0)) / (t * t - 1);
      const dt = p1 / dp;
      t -= dt;
      if (Math.abs(dt) < 1e-16) break;
    }
    let p0 = 1;
    let p1 = t;
    for (let k = 2; k <= n; k++) {
      const p2 = ((2 * k - 1) * t * p1 - (k - 1) * p0) / k;
      p0 = p1;
      p1 = p2;
    }
    const d = (n * (t * p1 - p0)) / (t * t - 1);
    x[i] = t;
    w[i] = 2 / ((1 - t * t) * d * d);
  }
  return { x, w };
}
