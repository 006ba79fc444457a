import { backend } from '../linalg/select.js';
import { identity, type Mat } from '../linalg/matrix.js';
import { dot, norm2 } from '../linalg/vector.js';
import { activation } from './activations.js';
import { denseStagesOf, type Layer, type LayerList } from './layers.js';
import { logAbsDetBase, sampleStageDraws, type BaseDraws } from './sampler.js';
import { logAbsDet } from '../linalg/qr.js';
import { layerNormApplyLeft, layerNormForward, layerNormJacobian, layerNormParamGradNorm, layerNormProjector, layerNormRank, layerNormVjp, type LayerNormState } from './layernorm.js';
import type { JacobianFactor } from '../spectrum/stable-product.js';
import { renormalize, type LinearOperator, type ScaledBlock } from '../spectrum/jacobian-operator.js';

/**
 * The engine of layer lists with residual blocks or layernorm layers (src/network/layers.ts
 * hasBlocks). The list's top level is cut into units: a dense layer (with the activation after it), a
 * residual block, a layernorm; an activation after a block or a layernorm belongs to that unit. Each
 * unit's Jacobian is one factor of the stable product (src/spectrum/stable-product.ts):
 *   dense:     D (g W), kept as the row scaling D g of the base W, exactly as a plain list's layer
 *   residual:  I + alpha J_F, formed explicitly (J_F multiplied out through the branch's layers)
 *   layernorm: (1/s) P (P = I - 1 1^T/N - y y^T/N, src/network/layernorm.ts)
 * so the product of units is as stable as a plain network's product of layers; inside one block
 * the explicit I + alpha J_F is exact to rounding relative to its own norm.
 * Dense layers draw their weights from streams (seed, 'weights', k), k counting dense layers in the
 * order the forward pass meets them (denseStagesOf), so a branch's dense layers have streams of
 * their own and a list without blocks draws what it always drew.
 */

/** The draws of a block list: its dense layers in forward order (denseStagesOf). */
export function sampleBlockDraws(net: LayerList, seed: number): BaseDraws {
  const stages = denseStagesOf(net);
  if (stages.length === 0) throw new Error('sampleBlockDraws: a network needs at least one dense layer (resolveArch checks this)');
  return sampleStageDraws(stages, net.input, seed);
}

type Op =
  | { kind: 'dense'; k: number; gain: number; xNorm: number; nIn: number; nOut: number }
  | { kind: 'activation'; d: Float64Array; lnd: Float64Array; active: number }
  | { kind: 'layernorm'; st: LayerNormState; eps: number }
  | { kind: 'residual'; alpha: number; branch: Op[] };

/** One top-level unit after the forward pass. */
export interface BlockUnit {
  kind: 'dense' | 'residual' | 'layernorm';
  ops: Op[];
  /** stream width into and out of the unit */
  nIn: number;
  nOut: number;
  /** |x|^2 / N of the stream after the unit */
  q: number;
}

export interface BlockTrace {
  units: BlockUnit[];
  /** stream widths N_0 (input), then after each unit */
  widths: number[];
  /** |x^0| */
  inputNorm: number;
  /** the network's output x^out */
  output: Float64Array;
}

/** The network's gain, the parameter the sweep varies: it multiplies every dense layer's own gain factor. */
export interface BlockParams {
  gain: number;
  q0: number;
}

/** The forward pass: every unit's ops, with what the Jacobian and the backward pass need. */
export function forwardBlocks(net: LayerList, draws: BaseDraws, p: BlockParams): BlockTrace {
  const n0 = net.input;
  let x: Float64Array = new Float64Array(n0);
  const r0 = Math.sqrt(n0 * p.q0);
  for (let i = 0; i < n0; i++) x[i] = r0 * draws.inputDirection[i];
  const inputNorm = norm2(x);
  let k = 0;
  const run = (layer: Layer, xin: Float64Array, ops: Op[]): Float64Array => {
    switch (layer.kind) {
      case 'dense': {
        const w = draws.weights[k];
        const b = draws.biases[k];
        const g = p.gain * layer.gain;
        const h = backend().gemv(w, xin);
        for (let i = 0; i < h.length; i++) h[i] = g * h[i] + layer.biasStd * b[i];
        ops.push({ kind: 'dense', k, gain: g, xNorm: norm2(xin), nIn: xin.length, nOut: h.length });
        k++;
        return h;
      }
      case 'activation': {
        const n = xin.length;
        const out = new Float64Array(n), d = new Float64Array(n), lnd = new Float64Array(n);
        activation(layer.name).apply(xin, out, d, lnd);
        let active = 0;
        for (let i = 0; i < n; i++) if (lnd[i] > -Infinity) active++;
        ops.push({ kind: 'activation', d, lnd, active });
        return out;
      }
      case 'layernorm': {
        const st = layerNormForward(xin, layer.eps);
        ops.push({ kind: 'layernorm', st, eps: layer.eps });
        return st.y;
      }
      case 'residual': {
        const branch: Op[] = [];
        let f = xin;
        for (const b of layer.branch) f = run(b, f, branch);
        const out = new Float64Array(xin.length);
        for (let i = 0; i < out.length; i++) out[i] = xin[i] + layer.alpha * f[i];
        ops.push({ kind: 'residual', alpha: layer.alpha, branch });
        return out;
      }
    }
  };
  const units: BlockUnit[] = [];
  const widths = [n0];
  for (const layer of net.layers) {
    const nIn = x.length;
    const last = units[units.length - 1];
    if (layer.kind === 'activation' && !last) throw new Error('forwardBlocks: an activation must follow a layer (parseArch checks this)');
    const ops: Op[] = layer.kind === 'activation' ? last.ops : [];
    x = run(layer, x, ops);
    if (layer.kind === 'activation') {
      last.q = dot(x, 0, x, 0, x.length) / x.length;
      continue;
    }
    units.push({ kind: layer.kind, ops, nIn, nOut: x.length, q: dot(x, 0, x, 0, x.length) / x.length });
    widths.push(x.length);
  }
  return { units, widths, inputNorm, output: x };
}

/** A := J_op A for the ops in order (A null: the identity, formed only when needed). */
function applyOpsLeft(ops: readonly Op[], draws: BaseDraws, a: Mat | null, n: number): Mat {
  let m = a;
  for (const op of ops) {
    if (op.kind === 'dense') {
      const w = draws.weights[op.k];
      if (m === null) {
        m = { rows: w.rows, cols: w.cols, data: Float64Array.from(w.data, (v) => op.gain * v) };
      } else {
        m = backend().gemm(w, m);
        for (let i = 0; i < m.data.length; i++) m.data[i] *= op.gain;
      }
    } else if (op.kind === 'activation') {
      if (m === null) m = identity(op.d.length);
      const c = m.cols;
      for (let i = 0; i < m.rows; i++) {
        const di = op.d[i];
        for (let j = 0; j < c; j++) m.data[i * c + j] *= di;
      }
    } else if (op.kind === 'layernorm') {
      if (m === null) m = layerNormJacobian(op.st);
      else layerNormApplyLeft(op.st, m);
    } else {
      m = residualMatrix(op, draws, m, n);
    }
  }
  return m ?? identity(n);
}

/** (I + alpha J_F) A, or I + alpha J_F when A is null. */
function residualMatrix(op: Extract<Op, { kind: 'residual' }>, draws: BaseDraws, a: Mat | null, n: number): Mat {
  const jf = applyOpsLeft(op.branch, draws, a === null ? null : { rows: a.rows, cols: a.cols, data: Float64Array.from(a.data) }, n);
  const out = a === null ? identity(n) : { rows: a.rows, cols: a.cols, data: Float64Array.from(a.data) };
  for (let i = 0; i < out.data.length; i++) out.data[i] += op.alpha * jf.data[i];
  return out;
}

/**
 * One Jacobian factor per unit (diag(dphi) base, the product taking gain 1), with the unit's
 * structural rank and, where the factor is square and of full rank, ln|det| for the log-det check
 * (null otherwise; computed by one Householder QR of an explicit factor, from ln|det W| = 0 for an
 * orthogonal W, by a QR of W for a Gaussian one). `factors: false` gives the ranks alone, forming no
 * explicit factor (the matrix-free path).
 */
export function blockFactors(trace: BlockTrace, draws: BaseDraws, opts: { logDets?: boolean; factors?: boolean } = {}): { factors: JacobianFactor[]; ranks: number[]; logDets: (number | null)[] } {
  const form = opts.factors ?? true;
  const factors: JacobianFactor[] = [];
  const ranks: number[] = [];
  const logDets: (number | null)[] = [];
  for (const u of trace.units) {
    // the activation after the unit's first op scales its rows: D of the factor
    const head = u.ops[0];
    const tail = u.ops.length > 1 && u.ops[u.ops.length - 1].kind === 'activation' ? (u.ops[u.ops.length - 1] as Extract<Op, { kind: 'activation' }>) : null;
    const dphi = new Float64Array(u.nOut).fill(1);
    const lnDphi = new Float64Array(u.nOut);
    if (tail) {
      dphi.set(tail.d);
      lnDphi.set(tail.lnd);
    }
    let rank = Math.min(u.nIn, u.nOut);
    if (tail) rank = Math.min(rank, tail.active);
    let logDet: number | null = null;
    if (head.kind === 'dense') {
      const g = head.gain;
      const lng = Math.log(g);
      for (let i = 0; i < u.nOut; i++) {
        dphi[i] *= g;
        lnDphi[i] += lng;
      }
      const k = head.k;
      factors.push({
        get base() {
          return draws.weights[k];
        },
        dphi,
        lnDphi,
      });
      if (opts.logDets && u.nIn === u.nOut && rank === u.nOut && g > 0) logDet = logAbsDetBase(draws, k) + sum(lnDphi);
    } else {
      if (head.kind === 'layernorm') {
        rank = Math.min(rank, layerNormRank(u.nOut, head.eps));
        const lns = Math.log(head.st.s);
        for (let i = 0; i < u.nOut; i++) {
          dphi[i] /= head.st.s;
          lnDphi[i] -= lns;
        }
        if (form) factors.push({ base: layerNormProjector(head.st), dphi, lnDphi });
      } else {
        if (form) {
          const base = residualMatrix(head as Extract<Op, { kind: 'residual' }>, draws, null, u.nIn);
          factors.push({ base, dphi, lnDphi });
          if (opts.logDets && rank === u.nOut) logDet = logAbsDet(base.data, base.rows, (gt, n) => backend().householderQR(gt, n)) + sum(lnDphi);
        }
      }
    }
    ranks.push(rank);
    logDets.push(logDet);
  }
  return { factors, ranks, logDets };
}

function sum(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += x;
  return s;
}

/** The input-output Jacobian explicitly, by multiplying out every unit (tests and small nets). */
export function blockJacobian(trace: BlockTrace, draws: BaseDraws): Mat {
  let m: Mat | null = null;
  for (const u of trace.units) m = applyOpsLeft(u.ops, draws, m, u.nIn);
  return m!;
}

/** Per-unit gradients of the loss E = e . x^out (src/gradients/backprop.ts's convention), in logs. */
export interface BlockGradients {
  /** ln |dE/dx^u| of the stream after unit u (u = 1..U, index u - 1): the last is ln |e| = 0 */
  logStreamGrad: number[];
  /** ln of the norm of the unit's own parameter gradients (its dense weights, a layernorm's weight and bias) */
  logParamGrad: number[];
  /** ln |dE/dx^0| = ln |J^T e| */
  logInputGrad: number;
}

/**
 * Backward through the units: dense v -> g W^T (D v), layernorm v -> J v, residual
 * v -> v + J_F^T (alpha v). The vector is renormalized after each unit and its scale carried in logs.
 */
export function backpropBlocks(trace: BlockTrace, draws: BaseDraws): BlockGradients {
  const U = trace.units.length;
  const logStreamGrad = new Array<number>(U);
  const logParamGrad = new Array<number>(U);
  let v: Float64Array = Float64Array.from(draws.outputError);
  let logScale = 0;
  for (let u = U - 1; u >= 0; u--) {
    const nrm0 = norm2(v);
    logStreamGrad[u] = logScale + Math.log(nrm0);
    const params = { ss: 0 };
    v = backOps(trace.units[u].ops, draws, v, params);
    logParamGrad[u] = logScale + 0.5 * Math.log(params.ss);
    const nrm = norm2(v);
    if (nrm > 0 && Number.isFinite(nrm)) {
      for (let i = 0; i < v.length; i++) v[i] /= nrm;
      logScale += Math.log(nrm);
    } else if (nrm === 0) logScale = -Infinity;
  }
  return { logStreamGrad, logParamGrad, logInputGrad: logScale + Math.log(norm2(v)) };
}

/** v (the gradient at the ops' output) back through the ops; adds the squared parameter gradients to params.ss. */
function backOps(ops: readonly Op[], draws: BaseDraws, vOut: Float64Array, params: { ss: number }): Float64Array {
  let v = vOut;
  for (let i = ops.length - 1; i >= 0; i--) {
    const op = ops[i];
    if (op.kind === 'activation') {
      const d = op.d;
      v = Float64Array.from(v, (x, j) => x * d[j]);
    } else if (op.kind === 'dense') {
      const nv = norm2(v);
      params.ss += (nv * op.xNorm) ** 2;
      v = backend().gemvT(draws.weights[op.k], v);
      for (let j = 0; j < v.length; j++) v[j] *= op.gain;
    } else if (op.kind === 'layernorm') {
      const pg = layerNormParamGradNorm(op.st, v);
      params.ss += pg * pg;
      v = layerNormVjp(op.st, v);
    } else {
      const inner = Float64Array.from(v, (x) => op.alpha * x);
      const back = backOps(op.branch, draws, inner, params);
      v = Float64Array.from(v, (x, j) => x + back[j]);
    }
  }
  return v;
}

/**
 * J of a block list applied to blocks of row vectors without forming it (the matrix-free estimators'
 * operator): each unit's ops in turn, V <- V (g W)^T for a dense layer, V diag(d) for an
 * activation, (V - mean 1^T - (V y) y^T / N) / s for a layernorm (symmetric), V + alpha F'(V) for
 * a residual block; J^T the same ops in reverse with W for W^T. O(k (sum of the dense layers' sizes))
 * for k vectors. A stream whose width changes is embedded at its largest width M (inputs read from
 * the first N_0 columns, outputs padded with zeros), so J is the top-left block of an M x M operator,
 * as the dense product embeds it. The block is renormalized after every unit (logScale).
 */
export class BlockJacobianOperator implements LinearOperator {
  readonly n: number;
  constructor(
    private readonly trace: BlockTrace,
    private readonly draws: BaseDraws,
  ) {
    this.n = Math.max(...trace.widths);
  }

  apply(block: Mat): ScaledBlock {
    const widths = this.trace.widths;
    let v = resize(block, widths[0]);
    let logScale = 0;
    for (const u of this.trace.units) {
      v = rowOps(u.ops, this.draws, v, false);
      logScale += renormalize(v);
    }
    return { rows: resize(v, this.n), logScale };
  }

  applyT(block: Mat): ScaledBlock {
    const widths = this.trace.widths;
    let v = resize(block, widths[widths.length - 1]);
    let logScale = 0;
    for (let i = this.trace.units.length - 1; i >= 0; i--) {
      v = rowOps(this.trace.units[i].ops, this.draws, v, true);
      logScale += renormalize(v);
    }
    return { rows: resize(v, this.n), logScale };
  }
}

/** The first `cols` columns of m, or m padded with zero columns to `cols` (a copy either way). */
function resize(m: Mat, cols: number): Mat {
  const out = { rows: m.rows, cols, data: new Float64Array(m.rows * cols) };
  const c = Math.min(cols, m.cols);
  for (let i = 0; i < m.rows; i++) out.data.set(m.data.subarray(i * m.cols, i * m.cols + c), i * cols);
  return out;
}

/** The ops applied to the rows of v (J_ops v_i, or J_ops^T v_i when transposed: the ops in reverse). */
function rowOps(ops: readonly Op[], draws: BaseDraws, v: Mat, transposed: boolean): Mat {
  let m = v;
  for (let idx = 0; idx < ops.length; idx++) {
    const op = ops[transposed ? ops.length - 1 - idx : idx];
    if (op.kind === 'dense') {
      const w = draws.weights[op.k];
      m = transposed ? backend().gemm(m, w) : backend().gemmNT(m, w);
      for (let i = 0; i < m.data.length; i++) m.data[i] *= op.gain;
    } else if (op.kind === 'activation') {
      const c = m.cols;
      const out = { rows: m.rows, cols: c, data: new Float64Array(m.data.length) };
      for (let i = 0; i < m.rows; i++) for (let j = 0; j < c; j++) out.data[i * c + j] = m.data[i * c + j] * op.d[j];
      m = out;
    } else if (op.kind === 'layernorm') {
      const c = m.cols;
      const out = { rows: m.rows, cols: c, data: new Float64Array(m.data.length) };
      for (let i = 0; i < m.rows; i++) out.data.set(layerNormVjp(op.st, m.data.subarray(i * c, (i + 1) * c)), i * c);
      m = out;
    } else {
      const f = rowOps(op.branch, draws, m, transposed);
      const out = { rows: m.rows, cols: m.cols, data: Float64Array.from(m.data) };
      for (let i = 0; i < out.data.length; i++) out.data[i] += op.alpha * f.data[i];
      m = out;
    }
  }
  return m;
}
