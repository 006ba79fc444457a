import { describe, expect, it } from 'vitest';
import {
  deepLearningTime,
  deepModeRate,
  deepModeTrajectory,
  infiniteDepthDelay,
  largeDepthLearningTime,
  learningIterationsAtOptimalRate,
  optimalLearningRate,
  threeLayerLearningTime,
  threeLayerMode,
  threeLayerUnequalLearningTime,
  threeLayerUnequalMode,
  topHessianEigenvalue,
} from '../../src/learn/exact.js';
import { gaussLegendre } from '../../src/numeric/gauss-legendre.js';

const rel = (x: number, y: number): number => Math.abs(x - y) / Math.abs(y);

// Independent reference for Eq. 16: adaptive 20-point Gauss-Legendre (bisect until the two halves
// agree with the whole to 1e-15 relative) of tau * integral da / (a^{k-1} (s - a^k)), a = u^{1/k}.
const GL = gaussLegendre(20);
function glPanel(f: (x: number) => number, a: number, b: number): number {
  const m = (a + b) / 2;
  const r = (b - a) / 2;
  let sum = 0;
  for (let i = 0; i < GL.x.length; i++) sum += GL.w[i]! * f(m + r * GL.x[i]!);
  return sum * r;
}
function adaptive(f: (x: number) => number, a: number, b: number, depth = 0): number {
  const whole = glPanel(f, a, b);
  const mid = (a + b) / 2;
  const halves = glPanel(f, a, mid) + glPanel(f, mid, b);
  if (Math.abs(halves - whole) <= 1e-15 * Math.abs(halves) || depth > 30) return halves;
  return adaptive(f, a, mid, depth + 1) + adaptive(f, mid, b, depth + 1);
}
function quadLearningTime(s: number, u0: number, uf: number, tau: number, k: number): number {
  const f = (a: number): number => 1 / (Math.pow(a, k - 1) * (s - Math.pow(a, k)));
  return tau * adaptive(f, Math.pow(u0, 1 / k), Math.pow(uf, 1 / k));
}

describe('three-layer net, a = b (Eqs. 10-12)', () => {
  const s = 2;
  const tau = 50;

  it('Eq. 11 known answer: s = 1, u0 = 1e-4, uf = 1 - 1e-4, tau = 1 gives ln 9999', () => {
    // (1/2) ln[(1 - 1e-4)^2 / 1e-8] = ln(9999); only rounding separates them (tolerance 1e-14)
    expect(rel(threeLayerLearningTime(1, 1e-4, 1 - 1e-4, 1), Math.log(9999))).toBeLessThan(1e-14);
  });

  it('Eq. 12 at t = 0 is u0, tends to s for large t without overflow, and decays to s from above', () => {
    for (const u0 of [1e-6, 0.3, 1.9, 3, 40]) expect(rel(threeLayerMode(s, u0, 0, tau), u0)).toBeLessThan(1e-15);
    // e^{2st/tau} = e^{4e6} overflows; the divided form gives s exactly
    expect(threeLayerMode(s, 1e-3, 1e8, tau)).toBe(s);
    expect(threeLayerMode(s, 40, 1e8, tau)).toBe(s);
    const down = [0, 5, 10, 20, 40].map((t) => threeLayerMode(s, 40, t, tau));
    for (let i = 1; i < down.length; i++) {
      expect(down[i]!).toBeLessThan(down[i - 1]!);
      expect(down[i]!).toBeGreaterThan(s);
    }
    expect(threeLayerMode(s, s, 17, tau)).toBe(s);
  });

  it('Eq. 12 satisfies Eq. 10 (central differences, 1e-6 relative)', () => {
    // step h = 1e-4 tau/s: truncation h^2 |u'''/u'| / 6 <= 1e-7 (largest for u0 > s, where Eq. 12 has a
    // pole at t < 0 about 7 time units away), rounding eps u / (h u') <= 1e-9 (at t = 90, s - u ~ 1e-3)
    const h = (1e-4 * tau) / s;
    for (const u0 of [1e-3, 0.5, 5]) {
      for (const t of [1, 10, 30, 60, 90]) {
        const du = (threeLayerMode(s, u0, t + h, tau) - threeLayerMode(s, u0, t - h, tau)) / (2 * h);
        const u = threeLayerMode(s, u0, t, tau);
        expect(rel(du, (2 * u * (s - u)) / tau)).toBeLessThan(1e-6);
      }
    }
  });

  it('Eq. 11 inverts Eq. 12 (1e-12 relative)', () => {
    // the error is eps * tau / (2 (s - u) t) from the rounding of u; keep s - u >= 1e-2 s
    let worst = 0;
    for (const u0 of [1e-3, 0.5]) {
      for (const t of [0.5, 5, 20, 50, 80]) {
        const u = threeLayerMode(s, u0, t, tau);
        if (s - u < 1e-2 * s) continue;
        worst = Math.max(worst, rel(threeLayerLearningTime(s, u0, u, tau), t));
      }
    }
    for (const t of [0.5, 5, 20]) worst = Math.max(worst, rel(threeLayerLearningTime(s, 6, threeLayerMode(s, 6, t, tau), tau), t));
    expect(worst).toBeLessThan(1e-12);
  });
});

describe('N_l layers, equal strengths (Eqs. 15-17); nWeights = N_l - 1', () => {
  it('nWeights = 2 (N_l = 3) reduces to the three-layer equations', () => {
    const s = 1.7;
    const tau = 20;
    for (const u of [0, 1e-5, 0.4, 1.7, 3]) {
      expect(Math.abs(deepModeRate(u, s, 2, tau) - (2 * u * (s - u)) / tau)).toBeLessThanOrEqual(1e-15 * Math.abs((2 * u * (s - u)) / tau));
    }
    // Eq. 16 closed form at k = 2 vs Eq. 11, 1e-10 (both are rounding-limited, ~1e-15)
    for (const [u0, uf] of [[1e-3, 1.6], [0.2, 0.21], [1e-8, 1e-3], [5, 1.8], [3, 2.9]] as const) {
      expect(rel(deepLearningTime(s, u0, uf, tau, 2), threeLayerLearningTime(s, u0, uf, tau))).toBeLessThan(1e-10);
    }
    // Eq. 15 integrated at k = 2 vs Eq. 12, 1e-9
    const times = [0, 1, 5, 10, 20, 40, 100];
    for (const u0 of [1e-4, 0.9, 4]) {
      const traj = deepModeTrajectory(s, u0, tau, 2, times);
      times.forEach((t, i) => expect(rel(traj[i]!, threeLayerMode(s, u0, t, tau))).toBeLessThan(1e-9));
    }
  });

  it('nWeights = 1 is linear regression: t = tau ln((s - u0)/(s - uf))', () => {
    expect(rel(deepLearningTime(1, 0.1, 0.9, 3, 1), 3 * Math.log(0.9 / 0.1))).toBeLessThan(1e-14);
  });

  it('Eq. 16 known answer for nWeights = 4 (elementary closed form)', () => {
    // k = 4: integral x/(1 - x^4) dx = (1/4) ln((1 + x^2)/(1 - x^2)), integral a^{-3} da = (a0^-2 - af^-2)/2
    const s = 1.3;
    const tau = 7;
    const u0 = 0.02;
    const uf = 1.25;
    const y0 = Math.sqrt(u0 / s);
    const yf = Math.sqrt(uf / s);
    const expected = (tau / s) * (0.5 * (1 / Math.sqrt(u0) - 1 / Math.sqrt(uf)) + (0.25 / Math.sqrt(s)) * Math.log(((1 + yf) * (1 - y0)) / ((1 - yf) * (1 + y0))));
    expect(rel(deepLearningTime(s, u0, uf, tau, 4), expected)).toBeLessThan(1e-13);
  });

  it('Eq. 16 known answers (40-digit mpmath quadrature of Eq. 16, 1e-14 relative)', () => {
    // reference values: tau/k * mpmath.quad(u^{-(2-2/k)} / (s - u), [u0, uf]) at mp.dps = 40; the
    // closed form is rounding-limited (measured <= 1e-15), 1e-14 leaves room for the O(k) sums
    const cases: [number, number, number, number, number, number][] = [
      [1.0, 0.01, 0.95, 3.0, 3, 14.522927260270504217],
      [2.5, 0.3, 2.2, 3.0, 10, 0.50852991911375931692],
      [1.0, 3.0, 1.05, 3.0, 5, 1.3397122525233608739],
      [0.7, 1.4, 0.8, 3.0, 64, 0.096586796793526015038],
      [1.0, 1e-6, 0.999, 1.0, 7, 3862.6164245820573676],
      [1.0, 0.5, 0.5001, 3.0, 25, 0.000090813180784656317628],
    ];
    for (const [s, u0, uf, tau, k, ref] of cases) expect(rel(deepLearningTime(s, u0, uf, tau, k), ref)).toBeLessThan(1e-14);
  });

  it('Eq. 16 closed form matches adaptive Gauss-Legendre quadrature to 1e-10', () => {
    // the quadrature reference itself is good to ~1e-11 (measured worst 1.9e-11, on the short interval)
    let worst = 0;
    for (const k of [3, 4, 5, 6, 9, 10, 25, 64]) {
      for (const [s, u0, uf] of [[1, 0.01, 0.95], [2.5, 0.3, 2.2], [1, 0.5, 0.5001], [1, 3, 1.05], [0.7, 1.4, 0.8]] as const) {
        const t = deepLearningTime(s, u0, uf, 3, k);
        worst = Math.max(worst, rel(t, quadLearningTime(s, u0, uf, 3, k)));
        expect(t).toBeGreaterThan(0);
      }
    }
    expect(worst).toBeLessThan(1e-10);
  });

  it('deepModeTrajectory satisfies Eq. 15 (central differences, 1e-6) for N_l = 4, 6, 10', () => {
    const s = 1.5;
    const tau = 10;
    for (const k of [3, 5, 9]) {
      const h = (1e-4 * tau) / (k * s * s); // truncation ~ (h * rate)^2 ~ 1e-8, rounding ~ 1e-11
      for (const u0 of [0.02, 3]) {
        const ts = [0.5, 2, 5, 10, 20].map((x) => (x * tau) / (k * s));
        for (const t of ts) {
          const [um, u, up] = deepModeTrajectory(s, u0, tau, k, [t - h, t, t + h]);
          const du = (up! - um!) / (2 * h);
          if (Math.abs(s - u!) < 1e-6 * s) continue; // converged: the rate is below the difference's noise
          expect(rel(du, deepModeRate(u!, s, k, tau))).toBeLessThan(1e-6);
        }
      }
    }
  });

  it('the learning time of the trajectory is the time (deepLearningTime inverts deepModeTrajectory)', () => {
    const times = [3, 30, 90];
    const traj = deepModeTrajectory(1, 0.05, 40, 6, times);
    times.forEach((t, i) => expect(rel(deepLearningTime(1, 0.05, traj[i]!, 40, 6), t)).toBeLessThan(1e-11));
  });

  it('direct gradient descent on the scalar chain matches Eq. 15 up to the O(lr) Euler error', () => {
    // Loss per iteration E = (1/2)(s - prod w)^2, w_i <- w_i + lr (s - prod w) prod_{j != i} w_j, tau = 1/lr.
    // Equal initial w_i stay equal, so this is Euler's method with step lr on tau da/dt = f(a) =
    // a^{k-1}(s - a^k) (t in iterations). Backward error analysis (modified equation a' = f - (lr/2) f' f)
    // gives: iteration n reaches the state a_n at n = t(a_n) + (1/2) ln(f(a_n)/f(a_0)) + O(lr * t/tau),
    // i.e. the Euler run is the exact trajectory shifted by half a log of the rate, in iterations.
    const s = 1;
    const lr = 1e-4;
    const tau = 1 / lr;
    for (const k of [2, 3, 5]) {
      const u0 = 0.05;
      const a0 = Math.pow(u0, 1 / k);
      const w = new Array<number>(k).fill(a0);
      const f = (a: number): number => Math.pow(a, k - 1) * (s - Math.pow(a, k));
      const checkpoints: { n: number; u: number; a: number }[] = [];
      const stride = 500;
      for (let n = 1; ; n++) {
        let prod = 1;
        for (const x of w) prod *= x;
        const err = s - prod;
        const next = w.map((_, i) => {
          let others = 1;
          for (let j = 0; j < k; j++) if (j !== i) others *= w[j]!;
          return w[i]! + lr * err * others;
        });
        for (let i = 0; i < k; i++) w[i] = next[i]!;
        if (n % stride === 0) {
          let u = 1;
          for (const x of w) u *= x;
          checkpoints.push({ n, u, a: w[0]! });
          if (u > 0.99 * s) break;
        }
      }
      expect(w.every((x) => x === w[0])).toBe(true);
      // (1) time-shift form, sharp: the residual is O(lr * t/tau) iterations (t/tau <= 4 here, so ~4e-4;
      // measured 3e-5 to 7e-5); tolerance 1e-3 iterations. A wrong factor in Eq. 15 (2 vs N_l - 1, tau
      // on the other side) would miss by thousands of iterations.
      let worstShift = 0;
      let maxLogShift = 0;
      for (const c of checkpoints) {
        const logShift = 0.5 * Math.log(f(c.a) / f(a0));
        maxLogShift = Math.max(maxLogShift, Math.abs(logShift));
        worstShift = Math.max(worstShift, Math.abs(c.n - (deepLearningTime(s, u0, c.u, tau, k) + logShift)));
      }
      expect(worstShift).toBeLessThan(1e-3);
      // (2) u(t) form: |u_sim(n) - u(n)| <= max du/dn * (max |shift| + 1e-3), du/dn = Eq. 15 rate
      const traj = deepModeTrajectory(s, u0, tau, k, checkpoints.map((c) => c.n));
      let maxRate = 0;
      for (let u = u0; u < s; u += 1e-3) maxRate = Math.max(maxRate, deepModeRate(u, s, k, tau));
      const bound = maxRate * (maxLogShift + 1e-3);
      let worstU = 0;
      checkpoints.forEach((c, i) => (worstU = Math.max(worstU, Math.abs(c.u - traj[i]!))));
      expect(worstU).toBeLessThan(bound);
      expect(bound).toBeLessThan(1e-3); // the O(lr) scale: max rate ~ lr * k s^2 / 4 times O(1) iterations
    }
  });

  it('Eq. 17: deepLearningTime approaches the large-depth limit like 1/nWeights', () => {
    const s = 1;
    const tau = 5;
    const u0 = 0.1;
    const uf = 0.9;
    const errs = [10, 100, 1000, 10000].map((k) => rel(deepLearningTime(s, u0, uf, tau, k), largeDepthLearningTime(s, u0, uf, tau, k)));
    expect(errs[3]!).toBeLessThan(1e-3);
    for (let i = 1; i < errs.length; i++) {
      const ratio = errs[i - 1]! / errs[i]!;
      expect(ratio).toBeGreaterThan(8);
      expect(ratio).toBeLessThan(12);
    }
  });
});

describe('learning rate and depth', () => {
  it('topHessianEigenvalue is the top eigenvalue of the finite-difference Hessian of (1/2)(s - prod a)^2', () => {
    for (const [s, k] of [[2, 2], [1.5, 3], [0.8, 5]] as const) {
      const aStar = Math.pow(s, 1 / k);
      const E = (a: number[]): number => 0.5 * (s - a.reduce((p, x) => p * x, 1)) ** 2;
      const h = 1e-4;
      // Hessian times the all-ones vector / k via a second difference along (1,...,1)/sqrt(k)
      const dir = 1 / Math.sqrt(k);
      const along = (e: number): number => E(new Array<number>(k).fill(aStar + e * dir));
      const curvature = (along(h) - 2 * along(0) + along(-h)) / (h * h);
      expect(rel(curvature, topHessianEigenvalue(s, k))).toBeLessThan(1e-5); // O(h^2) + rounding eps/h^2
    }
  });

  it('gradient descent near the optimum is stable just below 2 / lambda_max and diverges just above', () => {
    const s = 1.2;
    for (const k of [3, 7]) {
      const run = (rate: number): number => {
        let a = Math.pow(s, 1 / k) * 1.001;
        for (let n = 0; n < 2000; n++) a += rate * Math.pow(a, k - 1) * (s - Math.pow(a, k));
        return Math.abs(Math.pow(a, k) - s);
      };
      expect(run(1.9 * optimalLearningRate(s, k))).toBeLessThan(1e-10);
      expect(run(2.1 * optimalLearningRate(s, k))).toBeGreaterThan(1e-3);
    }
  });

  it('at the optimal rate the learning time (iterations) stays finite with depth; the extra cost is s/u0 - s/uf', () => {
    const s = 1;
    const u0 = 0.2;
    const uf = 0.9;
    const t3 = learningIterationsAtOptimalRate(s, u0, uf, 2);
    expect(rel(t3, Math.log((uf * (s - u0)) / (u0 * (s - uf))))).toBeLessThan(1e-13);
    const delay = infiniteDepthDelay(s, u0, uf);
    expect(rel(delay, s / u0 - s / uf)).toBeLessThan(1e-15);
    const errs = [100, 1000, 10000].map((k) => Math.abs(learningIterationsAtOptimalRate(s, u0, uf, k) - t3 - delay) / delay);
    expect(errs[2]!).toBeLessThan(1e-3);
    expect(errs[0]! / errs[1]!).toBeGreaterThan(8); // O(1/k) approach
  });
});

describe('three-layer net, unequal strengths a0 != b0', () => {
  const s = 1.5;
  const tau = 8;

  it('a0 = b0 reduces to Eqs. 11 and 12', () => {
    const a0 = 0.1;
    for (const t of [0, 2, 10, 25]) {
      const m = threeLayerUnequalMode(s, a0, a0, t, tau);
      expect(rel(m.u, threeLayerMode(s, a0 * a0, t, tau))).toBeLessThan(1e-12);
      expect(rel(m.a, m.b)).toBeLessThan(1e-12);
    }
    expect(rel(threeLayerUnequalLearningTime(s, a0, a0, 1.2, tau), threeLayerLearningTime(s, a0 * a0, 1.2, tau))).toBeLessThan(1e-13);
  });

  it('matches an RK4 integration of tau a\' = b(s - ab), tau b\' = a(s - ab) and conserves a^2 - b^2', () => {
    // RK4 with step tau/2000: global error ~ (step rate)^4 * t ~ 1e-13; tolerance 1e-9
    for (const [a0, b0] of [[0.3, 0.01], [0.05, -0.4], [2, 0.1], [-0.2, 0.6], [1.1, 1.9]] as const) {
      const rhs = (a: number, b: number): [number, number] => [(b * (s - a * b)) / tau, (a * (s - a * b)) / tau];
      let a = a0;
      let b = b0;
      const dt = tau / 2000;
      let t = 0;
      for (const target of [5, 20, 60]) {
        while (t < target - 1e-12) {
          const [k1a, k1b] = rhs(a, b);
          const [k2a, k2b] = rhs(a + (dt / 2) * k1a, b + (dt / 2) * k1b);
          const [k3a, k3b] = rhs(a + (dt / 2) * k2a, b + (dt / 2) * k2b);
          const [k4a, k4b] = rhs(a + dt * k3a, b + dt * k3b);
          a += (dt / 6) * (k1a + 2 * k2a + 2 * k3a + k4a);
          b += (dt / 6) * (k1b + 2 * k2b + 2 * k3b + k4b);
          t += dt;
        }
        const m = threeLayerUnequalMode(s, a0, b0, target, tau);
        expect(Math.abs(m.a - a)).toBeLessThan(1e-9);
        expect(Math.abs(m.b - b)).toBeLessThan(1e-9);
        expect(Math.abs(m.a * m.a - m.b * m.b - (a0 * a0 - b0 * b0))).toBeLessThan(1e-12);
      }
    }
  });

  it('the time function inverts the trajectory, also through u = 0 from a negative start', () => {
    const a0 = 0.05;
    const b0 = -0.4; // u0 = -0.02 < 0, c = -0.1575
    for (const t of [1, 10, 30]) {
      const m = threeLayerUnequalMode(s, a0, b0, t, tau);
      expect(rel(threeLayerUnequalLearningTime(s, a0, b0, m.u, tau), t)).toBeLessThan(1e-11);
    }
    expect(threeLayerUnequalMode(s, a0, b0, 30, tau).u).toBeGreaterThan(0);
  });
});

describe('domain errors', () => {
  it('throw plain Errors outside the stated domains', () => {
    expect(() => threeLayerMode(1, -0.1, 1, 1)).toThrow(/u0/);
    expect(() => threeLayerMode(1, 0, 1, 1)).toThrow(/u0/);
    expect(() => threeLayerMode(0, 0.1, 1, 1)).toThrow(/s must/);
    expect(() => threeLayerMode(1, 0.1, -1, 1)).toThrow(/t must/);
    expect(() => threeLayerMode(1, 0.1, 1, 0)).toThrow(/tau/);
    expect(() => threeLayerLearningTime(1, 0.1, 1.5, 1)).toThrow(/same side/);
    expect(() => threeLayerLearningTime(1, 0.1, 1, 1)).toThrow(/infinity/);
    expect(() => deepLearningTime(1, 0.1, 0.5, 1, 0)).toThrow(/nWeights/);
    expect(() => deepLearningTime(1, 0.1, 0.5, 1, 2.5)).toThrow(/nWeights/);
    expect(() => deepLearningTime(1, 2, 0.5, 1, 3)).toThrow(/same side/);
    expect(() => deepModeRate(-1, 1, 3, 1)).toThrow(/u must/);
    expect(() => deepModeTrajectory(1, 0.1, 1, 3, [1, Number.NaN])).toThrow(/time/);
    expect(() => largeDepthLearningTime(1, 0.1, 1, 1, 5)).toThrow(/infinity/);
    expect(() => threeLayerUnequalMode(1, 0.3, -0.3, 1, 1)).toThrow(/never learns/);
    expect(() => threeLayerUnequalLearningTime(1, 0.3, 0.1, 2, 1)).toThrow(/same side/);
  });
});
