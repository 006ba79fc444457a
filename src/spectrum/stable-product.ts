import { norm2 } from '../linalg/vector.js';
import { preconditionedLogSvd } from '../linalg/jacobi.js';
import { backend } from '../linalg/select.js';
import type { LinalgBackend, StratifyKernels } from '../linalg/backend.js';
import type { Mat } from '../linalg/matrix.js';

/** One layer's contribution D^l W^l to J, with W^l = gain * base. */
export interface JacobianFactor {
  base: Mat;
  dphi: Float64Array;
  /**
   * ln dphi (exact where dphi under- or overflows: saturated tanh units); when absent, ln |dphi|.
   * The stable product takes D's scale from here, so a saturated layer loses no precision.
   */
  lnDphi?: Float64Array;
}

/**
 * How the stable product treats D (all in e-folds, ln units):
 *  - `spreadLimit`: a block of layers is multiplied out before the QR only while the sum over its
 *    layers of (max - min ln d) stays below this; past it the block ends early (down to one layer),
 *    because a matrix product mixes rows of very different scale and rounds the small ones away.
 *    Within one layer the row scaling is exact and the row-sorted QR keeps it (Cox & Higham 1998).
 *  - `band`: a single layer whose ln d spans more than this is applied as several row scalings of
 *    at most `band` e-folds each (diagonal matrices commute), each followed by a QR, so no scaled
 *    row underflows whatever the saturation (rows stay above e^-300 ~ 1e-130; entries of G below
 *    TINY, negligible against their row by 1e-70 and more, are set to 0 so the QR never meets a
 *    subnormal number, where 1/(alpha - beta) would overflow).
 *  - `deadGap`: phi' = 0 (relu, hard-tanh) is replaced by e^-deadGap (below the layer's largest
 *    phi' = 1) when set: the product is then that of the full-rank J_eps, whose top rank(J)
 *    singular values equal J's to relative e^-deadGap (times the condition number), and for which
 *    the log-det identity holds exactly. Unset, dead rows are exact zeros (J itself, rank-deficient).
 */
export interface ScalingOptions {
  spreadLimit?: number;
  band?: number;
  deadGap?: number;
}

/**
 * Defaults, from 250-digit references (test/core/reference.test.ts): with the limit at 10 e-folds the
 * saturated references are right to ~1e-12; at 20 they lose up to 1e-5. Near criticality a layer's
 * ln d spans ~0.1-2 e-folds, so the default blocks are not cut short there.
 */
export const SPREAD_LIMIT = 10;
export const BAND = 300;
/** J_eps for kinked activations: e^-300 ~ 5e-131 relative */
export const DEAD_GAP = 300;

/** ln d of a factor, dead units as -deadGap (or -Infinity when deadGap is unset). */
function factorLogs(f: JacobianFactor, deadGap: number | undefined): Float64Array {
  const src = f.lnDphi;
  const n = f.dphi.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = src ? src[i] : Math.log(Math.abs(f.dphi[i]));
    out[i] = v > -Infinity ? v : deadGap === undefined ? -Infinity : -deadGap;
  }
  return out;
}

/**
 * One row scaling of the product: G <- diag(scale) (layer? base : I) G, times exp(shift) (the gain
 * and the layer's largest ln d, kept in the log-scale diagonal). scale is in [e^-band, 1] or 0.
 */
interface Step {
  layer: number | null;
  scale: Float64Array;
  /** ln of scale (-Infinity for exact zeros) */
  lnScale: Float64Array;
  shift: number;
  /** max - min of the finite lnScale */
  spread: number;
  /** -min of the finite lnScale (how far below 1 the scale reaches) */
  depth: number;
}

function layerSteps(l: number, f: JacobianFactor, band: number, deadGap: number | undefined): Step[] {
  const lnd = factorLogs(f, deadGap);
  const n = lnd.length;
  let mx = -Infinity, mn = Infinity;
  for (let i = 0; i < n; i++) {
    const v = lnd[i];
    if (v > -Infinity) {
      if (v > mx) mx = v;
      if (v < mn) mn = v;
    }
  }
  if (mx === -Infinity) {
    // every unit has phi' = 0 exactly: J = 0 (the scale only has to be finite)
    return [{ layer: l, scale: new Float64Array(n), lnScale: lnd, shift: 0, spread: 0, depth: 0 }];
  }
  if (mx - mn <= band && mn > -ORDINARY && mx < ORDINARY) {
    // ordinary layer: phi' itself is the row scaling, exactly as it always was
    const scale = new Float64Array(n);
    for (let i = 0; i < n; i++) scale[i] = f.dphi[i] !== 0 || lnd[i] === -Infinity ? f.dphi[i] : Math.exp(lnd[i]);
    return [{ layer: l, scale, lnScale: lnd, shift: 0, spread: mx - mn, depth: Math.max(0, -mn) }];
  }
  const steps: Step[] = [];
  const count = Math.max(1, Math.ceil((mx - mn) / band));
  for (let k = 0; k < count; k++) {
    const lnScale = new Float64Array(n);
    const scale = new Float64Array(n);
    let lo = 0, hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const a = lnd[i] - mx;
      // a = sum over k < count of clamp(a + k band, -band, 0); exact zeros stay zero in the first step
      const b = a === -Infinity ? (k === 0 ? -Infinity : 0) : count === 1 ? a : Math.max(-band, Math.min(0, a + k * band));
      lnScale[i] = b;
      // phi' < 0 (gelu, silu, mish on part of the line): the sign rides on the layer's first step,
      // read from dphi, which keeps it even where |phi'| underflows (-0)
      const negative = k === 0 && (f.dphi[i] < 0 || Object.is(f.dphi[i], -0));
      scale[i] = negative ? -Math.exp(b) : Math.exp(b);
      if (b > -Infinity) {
        if (b < lo) lo = b;
        if (b > hi) hi = b;
      }
    }
    steps.push({ layer: k === 0 ? l : null, scale, lnScale, shift: k === 0 ? mx : 0, spread: hi > -Infinity ? hi - lo : 0, depth: -lo });
  }
  return steps;
}

/**
 * A layer whose ln phi' all lie in (-ORDINARY, ORDINARY) scales rows by phi' itself; a block of
 * such layers ends before its product of scales could leave float64 (see `floor` in stableProduct).
 */
const ORDINARY = 30;
/** a block's scales stay above e^-FLOOR: normal float64 with room to spare */
const FLOOR = 300;
/** see ScalingOptions.band; only a step reaching this deep (e^-100) can produce such entries */
const TINY = 1e-200;
const TINY_CHECK_DEPTH = 100;

/**
 * ln of the singular values of J = D^L W^L ... D^1 W^1 (descending), accurate to high relative
 * precision even when they span hundreds of orders of magnitude (docs/science.md section 4).
 *
 * The product is kept as J_l = U diag(d) T (U orthogonal, d > 0 held as ln d, T well-conditioned),
 * the "pre-pivoted" stratification of Bai, Lee, Li & Xu (2011). Every `blockSize` layers:
 *   G = D W ... D W U                 (well scaled: d stays outside)
 *   P sorts the columns by |g_j| d_j  (pre-pivoting, so the grading decreases down the diagonal)
 *   G P = Q R                         (Householder; then G P diag(d') = Q R diag(d'))
 *   d_new = |R_ii| d'_i,  T_new = diag(1/d_new) R diag(d') P^T T
 * Entries of T_new are R_ij d'_j / (|R_ii| d'_i) with d'_j <~ d'_i, so T never grows. The singular
 * values of J are those of diag(d) T, which one-sided Jacobi on T^T diag(d) (log-scaled columns)
 * computes to high relative accuracy, after a QR preconditioning step (jacobi.ts
 * preconditionedLogSvd; the native backend runs LAPACK's dgesvj when the scales fit float64).
 * Backends with ormqrRight/trmmUpperLeft (native, compiled, wasm) keep U as reflectors and use the triangular
 * product for the T update. The gain enters only as L ln g (W = g * base), so one set of
 * base draws serves every gain. D's scale comes from ln phi' (JacobianFactor.lnDphi) and lives in the
 * logs too: ScalingOptions says how saturated layers are applied. The O(n^3) steps (products, QR, Q, T update, Jacobi) run on the
 * linear-algebra backend `be` (the current one by default).
 */
export function stableLogSingularValues(
  factors: JacobianFactor[],
  gain: number,
  blockSize: number,
  be: LinalgBackend = backend(),
  scaling: ScalingOptions = {},
): Float64Array {
  const { t, lnd, n } = stableProduct(factors, gain, blockSize, be, scaling);
  // J = U diag(d) T  ->  singular values of T^T diag(d): columns are rows of T scaled by d
  return preconditionedLogSvd(t, lnd, n, n, be);
}

/** The stratified product J = U diag(d) T without U: T (n x n row-major) and ln d. */
export interface StableProduct {
  n: number;
  t: Float64Array;
  lnd: Float64Array;
}

/**
 * ln m1 = ln(|J|_F^2 / N) exactly (to rounding), from the stable product without any SVD:
 * |J|_F^2 = |U diag(d) T|_F^2 = |diag(d) T|_F^2 = sum_j d_j^2 |row_j(T)|^2 (U orthogonal). O(n^2)
 * after the product, summed in logs so it neither overflows nor underflows.
 */
export function lnM1FromProduct(p: StableProduct): number {
  const { n, t, lnd } = p;
  const terms = new Float64Array(n);
  let mx = -Infinity;
  for (let j = 0; j < n; j++) {
    terms[j] = 2 * (lnd[j] + Math.log(norm2(t, j * n, n)));
    if (terms[j] > mx) mx = terms[j];
  }
  if (mx === -Infinity) return -Infinity;
  let s = 0;
  for (let j = 0; j < n; j++) s += Math.exp(terms[j] - mx);
  return mx + Math.log(s) - Math.log(n);
}

/** ln m1 of J exactly (to rounding) by the stable product, skipping the O(n^3)-per-sweep SVD. */
export function stableLnM1(factors: JacobianFactor[], gain: number, blockSize: number, be: LinalgBackend = backend()): number {
  return lnM1FromProduct(stableProduct(factors, gain, blockSize, be));
}

/** The QR-stabilized product (see stableLogSingularValues): J = U diag(d) T. */
export function stableProduct(
  factors: JacobianFactor[],
  gain: number,
  blockSize: number,
  be: LinalgBackend = backend(),
  scaling: ScalingOptions = {},
): StableProduct {
  const n = factors[0].base.rows;
  const spreadLimit = scaling.spreadLimit ?? SPREAD_LIMIT;
  const band = scaling.band ?? BAND;
  let ut: Float64Array = new Float64Array(n * n); // U^T, row-major: row j = column j of U
  for (let i = 0; i < n; i++) ut[i * n + i] = 1;
  let lnd: Float64Array = new Float64Array(n);
  let t: Float64Array = new Float64Array(n * n);
  for (let i = 0; i < n; i++) t[i * n + i] = 1;
  const tau = new Float64Array(n);
  let g: Mat = { rows: n, cols: n, data: new Float64Array(n * n) };
  let scratch: Mat = { rows: n, cols: n, data: new Float64Array(n * n) };
  const lnGain = Math.log(gain);
  // U kept as Householder reflectors when the backend can apply them (native: dormqr; compiled, wasm), else explicit
  const uFactored = be.ormqrRight !== undefined;
  let uGt: Float64Array = new Float64Array(uFactored ? n * n : 0);
  const uTau = new Float64Array(n);
  let first = true; // U = I still
  // U = P_r^T Q when the last block's rows were sorted: uRowPerm[k] = the row of G that became row k
  let uRowPerm: Int32Array | null = null;
  // work buffers reused by every block
  const key = new Float64Array(n);
  const perm = new Int32Array(n);
  const rowPerm = new Int32Array(n);
  const rowLog = new Float64Array(n);
  const lndP = new Float64Array(n);
  let tP: Float64Array = new Float64Array(n * n);
  const lnAbsRii = new Float64Array(n);
  const rowShift = new Float64Array(n);
  // the bookkeeping around each QR: the backend's compiled loops when it has them, else these (bitwise the same)
  const st = be.stratify ?? jsStratify;
  const norms = new Float64Array(n);
  const work = factorWork(n);

  // the row scalings, layer by layer (a saturated layer may give several)
  let pending: Step[] = [];
  let nextLayer = 0;
  const peek = (): Step | undefined => {
    while (pending.length === 0 && nextLayer < factors.length) {
      pending = layerSteps(nextLayer, factors[nextLayer], band, scaling.deadGap);
      nextLayer++;
    }
    return pending[0];
  };

  while (peek() !== undefined) {
    // G^T = U^T W^T D ... : row j of G^T is column j of G.
    let layers = 0, extraShift = 0, spread = 0, steps = 0, floor = 0;
    rowLog.fill(0);
    for (let step = peek(); step !== undefined; step = peek()) {
      if (steps > 0 && ((step.layer !== null && spread > spreadLimit) || floor + step.depth > FLOOR || (step.layer !== null && layers >= blockSize))) break;
      pending.shift();
      const sd = scratch.data;
      if (steps === 0) {
        if (step.layer === null) {
          // no weights: G = U
          if (first) {
            sd.fill(0);
            for (let i = 0; i < n; i++) sd[i * n + i] = 1;
          } else if (uFactored) {
            sd.fill(0);
            for (let k = 0; k < n; k++) sd[k * n + (uRowPerm ? uRowPerm[k] : k)] = 1;
            be.ormqrRight!(uGt, uTau, n, sd);
          } else sd.set(ut);
        } else if (uFactored && !first) {
          // U^T W^T = (W U)^T, whose row-major buffer is W U column-major: W column-major (= W^T
          // row-major) times Q from the right, Q applied from its reflectors (no explicit U);
          // W P_r^T first when the rows were sorted (its column k is W's column uRowPerm[k])
          st.transpose(factors[step.layer].base.data, n, sd, uRowPerm);
          be.ormqrRight!(uGt, uTau, n, sd);
        } else be.gemmNT({ rows: n, cols: n, data: ut }, factors[step.layer].base, scratch);
      } else if (step.layer !== null) be.gemmNT(g, factors[step.layer].base, scratch);
      else sd.set(g.data);
      const f = step.scale;
      (be.scaleColumns ?? scaleColumns)(scratch, f, step.depth > TINY_CHECK_DEPTH ? TINY : 0);
      for (let i = 0; i < n; i++) rowLog[i] += step.lnScale[i];
      [g, scratch] = [scratch, g];
      if (step.layer !== null) layers++;
      extraShift += step.shift;
      spread += step.spread;
      floor += step.depth;
      steps++;
    }
    const lnScaleBlock = layers * lnGain + extraShift;

    // pre-pivot: order columns by ln|g_j| + ln d_j, descending
    st.rowNorms(g.data, n, norms);
    for (let j = 0; j < n; j++) key[j] = Math.log(norms[j]) + lnd[j];
    for (let j = 0; j < n; j++) perm[j] = j;
    perm.sort((a, b) => key[b] - key[a] || a - b);
    // rows sorted by their scale (largest first) when D grades them: Householder QR is then
    // row-wise backward stable (Cox & Higham 1998), so small rows keep their relative accuracy
    const sortRows = spread > ROW_SORT_SPREAD;
    if (sortRows) {
      for (let i = 0; i < n; i++) rowPerm[i] = i;
      rowPerm.sort((a, b) => rowLog[b] - rowLog[a] || a - b);
    }
    const gp = scratch.data;
    st.gatherRows(n, g.data, perm, sortRows ? rowPerm : null, t, lnd, gp, tP, lndP);

    be.householderQR(gp, n, tau);
    // R_ij = gp[j*n + i] for j >= i
    const newLnd = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      // a column that is exactly dependent (relu, hard-tanh without deadGap) gives R_ii = 0: keep it
      // finite and tiny, the caller drops such directions by the structural rank
      lnAbsRii[i] = Math.log(Math.max(Math.abs(gp[i * n + i]), 1e-300));
      newLnd[i] = lnAbsRii[i] + lndP[i] + lnScaleBlock;
      rowShift[i] = lndP[i] + lnAbsRii[i];
    }
    // T_new = M tP, M upper triangular (triangularFactor): one backend trmm/gemm
    const mt = g.data;
    triangularFactor(n, gp, lndP, rowShift, st, work, mt);
    if (be.trmmUpperLeft) {
      // M is triangular: half the flops of a gemm, in place on tP, which becomes T
      be.trmmUpperLeft(g, { rows: n, cols: n, data: tP });
      [t, tP] = [tP, t];
    } else be.gemm(g, { rows: n, cols: n, data: tP }, { rows: n, cols: n, data: t });
    lnd = newLnd;
    first = false;
    if (peek() !== undefined) {
      // U for the next block (the last block's U is not needed: J's singular values are diag(d) T's)
      if (uFactored) {
        [uGt, scratch.data] = [gp, uGt];
        uTau.set(tau);
        uRowPerm = sortRows ? Int32Array.from(rowPerm) : null;
      } else {
        ut = be.formQt(gp, tau, n, ut);
        if (sortRows) {
          // U = P_r^T Q: U^T = Q^T P_r, column rowPerm[r] of U^T is column r of Q^T
          const tmp = tP;
          for (let j = 0; j < n; j++) {
            const o = j * n;
            for (let r = 0; r < n; r++) tmp[o + rowPerm[r]] = ut[o + r];
          }
          ut.set(tmp);
        }
      }
    }
  }
  return { n, t, lnd };
}

/** C := C diag(d), then entries below `tiny` in magnitude set to 0 (LinalgBackend.scaleColumns where a backend has none) */
function scaleColumns(C: Mat, d: Float64Array, tiny: number): void {
  const { rows, cols, data } = C;
  for (let j = 0; j < rows; j++) {
    const o = j * cols;
    for (let i = 0; i < cols; i++) data[o + i] *= d[i];
  }
  if (tiny > 0) for (let i = 0; i < rows * cols; i++) if (Math.abs(data[i]) < tiny) data[i] = 0;
}

/** Rows are sorted before the QR once the block's D spans more than this many e-folds. */
const ROW_SORT_SPREAD = 8;

/** the tile of the T update's triangular factor (triangularFactor) */
const TB = 32;

interface FactorWork {
  tiles: number;
  ea: Float64Array;
  eb: Float64Array;
  fac: Uint8Array;
}

function factorWork(n: number): FactorWork {
  const tiles = Math.ceil(n / TB);
  return { tiles, ea: new Float64Array(n), eb: new Float64Array(tiles * n), fac: new Uint8Array(tiles * tiles) };
}

/**
 * mt = M, the T update's upper triangular factor (T_new = M tP) from the block's R (gp by columns:
 * R_ij = gp[j*n + i]): M_ii = sgn(R_ii), M_ij = R_ij d'_j / (|R_ii| d'_i) for j > i, where
 * ln d'_j = lndP[j] and ln d'_i + ln|R_ii| = rowShift[i]. In TB x TB tiles (R read by columns, M
 * written by rows); within a tile exp(ln d'_j - ln d'_i - ln|R_ii|) factors as exp(a_j - c)
 * exp(c - b_i) (64 exps instead of 1024) when both stay far from float64's limits, and st.formM
 * multiplies those tiles out; the others take one exp (or the all-log form) per entry, here. Its
 * own function (not inlined in stableProduct's loop) so V8 optimizes each part quickly.
 */
function triangularFactor(n: number, gp: Float64Array, lndP: Float64Array, rowShift: Float64Array, st: StratifyKernels, w: FactorWork, mt: Float64Array): void {
  const { tiles, ea, eb, fac } = w;
  for (let jt = 0, j0 = 0; j0 < n; jt++, j0 += TB) {
    const j1 = Math.min(j0 + TB, n);
    let c = -Infinity, aMin = Infinity;
    for (let j = j0; j < j1; j++) {
      c = Math.max(c, lndP[j]);
      aMin = Math.min(aMin, lndP[j]);
    }
    for (let j = j0; j < j1; j++) ea[j] = Math.exp(lndP[j] - c);
    for (let it = 0, i0 = 0; i0 <= j0; it++, i0 += TB) {
      const i1 = Math.min(i0 + TB, n);
      let bMin = Infinity, bMax = -Infinity;
      for (let i = i0; i < i1; i++) {
        bMin = Math.min(bMin, rowShift[i]);
        bMax = Math.max(bMax, rowShift[i]);
      }
      const factored = c - aMin < 600 && c - bMin < 600 && c - bMax > -600;
      fac[jt * tiles + it] = factored ? 1 : 0;
      if (factored) for (let i = i0; i < i1; i++) eb[jt * n + i] = Math.exp(c - rowShift[i]);
    }
  }
  st.formM(n, TB, gp, ea, eb, fac, mt);
  for (let jt = 0, j0 = 0; j0 < n; jt++, j0 += TB) {
    for (let it = 0, i0 = 0; i0 <= j0; it++, i0 += TB) {
      if (fac[jt * tiles + it]) continue;
      const j1 = Math.min(j0 + TB, n), i1 = Math.min(i0 + TB, n);
      for (let j = j0; j < j1; j++) {
        const cj = j * n;
        const lj = lndP[j];
        for (let i = i0; i < i1 && i < j; i++) {
          const rij = gp[cj + i];
          if (rij === 0) continue;
          const x = lj - rowShift[i];
          mt[i * n + j] = x < 700 ? rij * Math.exp(x) : Math.sign(rij) * Math.exp(Math.log(Math.abs(rij)) + x);
        }
      }
    }
  }
}

/**
 * StratifyKernels in TS: the reference the compiled loops (native/src/stratify.c) equal bit for bit
 * (test/spectrum/stratify.test.ts), and what every backend without them runs.
 */
export const jsStratify: StratifyKernels = {
  rowNorms(a, n, out) {
    for (let j = 0; j < n; j++) out[j] = norm2(a, j * n, n);
  },
  gatherRows(n, g, perm, rowPerm, t, lnd, gp, tP, lndP) {
    for (let dst = 0; dst < n; dst++) {
      const src = perm[dst];
      if (rowPerm) {
        const so = src * n, d0 = dst * n;
        for (let r = 0; r < n; r++) gp[d0 + r] = g[so + rowPerm[r]];
      } else gp.set(g.subarray(src * n, src * n + n), dst * n);
      lndP[dst] = lnd[src];
      tP.set(t.subarray(src * n, src * n + n), dst * n);
    }
  },
  transpose(a, n, out, cols) {
    if (cols) {
      for (let k = 0; k < n; k++) {
        const c = cols[k], o = k * n;
        for (let i = 0; i < n; i++) out[o + i] = a[i * n + c];
      }
      return;
    }
    const B = 32;
    for (let i0 = 0; i0 < n; i0 += B) {
      const i1 = Math.min(i0 + B, n);
      for (let j0 = 0; j0 < n; j0 += B) {
        const j1 = Math.min(j0 + B, n);
        for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) out[j * n + i] = a[i * n + j];
      }
    }
  },
  formM(n, tile, gp, ea, eb, fac, mt) {
    const tiles = Math.ceil(n / tile);
    mt.fill(0);
    for (let jt = 0, j0 = 0; j0 < n; jt++, j0 += tile) {
      const j1 = Math.min(j0 + tile, n);
      for (let it = 0, i0 = 0; i0 <= j0; it++, i0 += tile) {
        if (!fac[jt * tiles + it]) continue;
        const i1 = Math.min(i0 + tile, n);
        for (let j = j0; j < j1; j++) {
          const cj = j * n, aj = ea[j], eo = jt * n;
          for (let i = i0; i < i1 && i < j; i++) {
            const rij = gp[cj + i];
            if (rij === 0) continue;
            mt[i * n + j] = rij * aj * eb[eo + i];
          }
        }
      }
    }
    for (let i = 0; i < n; i++) mt[i * n + i] = gp[i * n + i] < 0 ? -1 : 1;
  },
};
