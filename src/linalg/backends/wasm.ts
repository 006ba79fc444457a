import { setFlagsFromString } from 'node:v8';
import { LINALG_WASM_BASE64, LINALG_RELAXED_WASM_BASE64 } from './linalg-wasm.generated.js';
import { zeros, type Mat } from '../matrix.js';
import { prepareJacobiRows, jacobiTolerance, descendingLogs } from '../jacobi.js';
import { checkGemmShapes, type LinalgBackend } from '../backend.js';

/**
 * The WebAssembly SIMD backend: asm/linalg.ts compiled by AssemblyScript (f64x2 kernels, blocked
 * gemm, LAPACK-style blocked QR, and the stable product's optional dormqr/dtrmm-style kernels).
 * Operands are copied into the module's linear memory for each call: an O(n^2) memcpy against
 * O(n^3) work, which keeps the interface on plain Float64Arrays.
 *
 * Two builds of the same source: the plain module (baseline SIMD, runs everywhere) and a relaxed-SIMD
 * one whose gemm micro-kernel uses f64x2.relaxed_madd (fused multiply-add where the CPU has FMA:
 * about 17% faster gemm on an AVX-512 Xeon). Node 20's V8 has relaxed SIMD behind
 * --experimental-wasm-relaxed-simd, which the loader sets when the module does not validate
 * without it; the relaxed module then runs every kernel but the exact draws QR (always the plain
 * module's, so base draws stay bitwise the reference's). If it still does not validate or compile,
 * the plain module runs everything. EOC_WASM_RELAXED=0 keeps to the plain module;
 * EOC_WASM_FACTORED=0 hides ormqrRight/trmmUpperLeft (the stable product then forms U explicitly).
 */
interface Exports {
  heapBase(): number;
  gemmWorkBytes(): number;
  qrWorkBytes(m: number, n: number): number;
  gemm(tA: number, tB: number, m: number, n: number, k: number, alpha: number, a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number, work: number): void;
  gemv(m: number, n: number, a: number, lda: number, x: number, y: number): void;
  gemvT(m: number, n: number, a: number, lda: number, x: number, y: number): void;
  geqrf(m: number, n: number, a: number, lda: number, tau: number, work: number): void;
  orgqr(m: number, n: number, a: number, lda: number, tau: number, q: number, ldq: number, work: number): void;
  householderQRExact(n: number, a: number, tau: number): void;
  formQtExact(n: number, a: number, tau: number, qt: number): void;
  ormqrWorkBytes(n: number): number;
  ormqrRight(n: number, a: number, tau: number, c: number, work: number): void;
  trmmWorkBytes(n: number, ncols: number): number;
  trmmUpperLeft(n: number, ncols: number, m: number, b: number, work: number): void;
  jacobiSweeps(y: number, e: number, m: number, n: number, maxSweeps: number, tol: number): number;
}

// tsconfig's lib (ES2022, no DOM) has no WebAssembly types: declare the little used here
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (d: { initial: number; maximum: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: unknown };
  validate(bytes: Uint8Array): boolean;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const PAGE = 65536;

/** Bump allocator over linear memory, reset per call: no call keeps wasm memory alive. */
class Arena {
  private memory: WasmMemory;
  private base: number;
  private top: number;
  constructor(memory: WasmMemory, base: number) {
    this.memory = memory;
    this.base = (base + 15) & ~15;
    this.top = this.base;
  }
  reset(): void {
    this.top = this.base;
  }
  /** Reserve bytes (16-aligned for v128 loads), growing memory when needed. */
  alloc(bytes: number): number {
    const p = this.top;
    this.top = (p + bytes + 15) & ~15;
    const need = this.top - this.memory.buffer.byteLength;
    if (need > 0) this.memory.grow(Math.ceil(need / PAGE));
    return p;
  }
  /** Reserve and copy an array in. */
  put(a: Float64Array): number {
    const p = this.alloc(a.length * 8);
    this.f64().set(a, p / 8);
    return p;
  }
  get(p: number, out: Float64Array): Float64Array {
    out.set(this.f64().subarray(p / 8, p / 8 + out.length));
    return out;
  }
  /** a fresh view each time: growing memory detaches the old buffer */
  f64(): Float64Array {
    return new Float64Array(this.memory.buffer);
  }
}

/** Householder QR and Q^T that reproduce the TS reference bit for bit (for the Haar draws). */
export interface ExactQR {
  householderQR(gt: Float64Array, n: number, tau?: Float64Array): Float64Array;
  formQt(gt: Float64Array, tau: Float64Array, n: number, qt?: Float64Array): Float64Array;
  /**
   * optional (compiled): the Haar draw's W = Q diag(sign R_jj) row-major from householderQR's
   * output, bitwise what sampleHaar makes from formQt (its sign fix and transpose), in one step
   */
  haarQ?(gt: Float64Array, tau: Float64Array, n: number): Float64Array;
  /** optional (compiled): gemm.ts gemv and gemvT bit for bit (the forward pass and backprop) */
  gemv?(A: Mat, x: Float64Array, y?: Float64Array): Float64Array;
  gemvT?(A: Mat, x: Float64Array, y?: Float64Array): Float64Array;
  /** optional (compiled): qr.ts householderQRThin bit for bit, G m x k stored by columns (gt k x m) */
  householderQRThin?(gt: Float64Array, m: number, k: number, tau?: Float64Array): Float64Array;
  /** optional (compiled): qr.ts formQThin bit for bit */
  formQThin?(gt: Float64Array, tau: Float64Array, m: number, k: number, qt?: Float64Array): Float64Array;
}

export interface WasmOptions {
  /**
   * Offer the optional ormqrRight/trmmUpperLeft kernels, so the stable product keeps U as
   * reflectors and updates T by a triangular product (default: on unless EOC_WASM_FACTORED=0).
   */
  factored?: boolean;
  /** Run the relaxed-SIMD module when the host takes it (default: yes unless EOC_WASM_RELAXED=0). */
  relaxed?: boolean;
}

/** Which module variant runs and which optional kernels are offered. */
export interface WasmInfo {
  relaxedSimd: boolean;
  factored: boolean;
}

interface Kernels {
  x: Exports;
  arena: Arena;
}

function instantiate(bytes: Uint8Array): Kernels {
  const memory = new WA.Memory({ initial: 32, maximum: 65536 });
  const module = new WA.Module(bytes);
  const x = new WA.Instance(module, { env: { memory, hypot: Math.hypot } }).exports as unknown as Exports;
  return { x, arena: new Arena(memory, x.heapBase()) };
}

/** The relaxed-SIMD module, when this V8 validates and compiles it (with the flag if needed). */
function instantiateRelaxed(): Kernels | undefined {
  try {
    const bytes = Buffer.from(LINALG_RELAXED_WASM_BASE64, 'base64');
    if (!WA.validate(bytes)) {
      setFlagsFromString('--experimental-wasm-relaxed-simd');
      if (!WA.validate(bytes)) return undefined;
    }
    return instantiate(bytes);
  } catch {
    return undefined;
  }
}

export function loadWasmBackend(opts: WasmOptions = {}): LinalgBackend & { exact: ExactQR; info: WasmInfo } {
  const factored = opts.factored ?? process.env.EOC_WASM_FACTORED?.trim() !== '0';
  const wantRelaxed = opts.relaxed ?? process.env.EOC_WASM_RELAXED?.trim() !== '0';
  // Compile with the optimizing tier up front. V8's default compiles wasm with the baseline (Liftoff)
  // first and swaps in optimized code only for later calls (no on-stack replacement): a single long
  // kernel call, like the first Jacobi of a process, ran 3-4x slower. The module is small.
  setFlagsFromString('--no-liftoff');
  // the plain module: the exact draws QR always, everything when the relaxed one is not used
  const plain = instantiate(Buffer.from(LINALG_WASM_BASE64, 'base64'));
  const relaxed = wantRelaxed ? instantiateRelaxed() : undefined;
  const { x, arena } = relaxed ?? plain;
  const info: WasmInfo = { relaxedSimd: relaxed !== undefined, factored };
  const gemmWork = x.gemmWorkBytes();

  function gemmCall(tB: number, A: Mat, B: Mat, C: Mat): Mat {
    arena.reset();
    const m = A.rows, k = A.cols;
    const n = C.cols;
    const pa = arena.put(A.data), pb = arena.put(B.data);
    const pc = arena.alloc(m * n * 8);
    const work = arena.alloc(gemmWork);
    x.gemm(0, tB, m, n, k, 1, pa, k, pb, B.cols, 0, pc, n, work);
    arena.get(pc, C.data);
    return C;
  }

  const exact: ExactQR = {
    householderQR(gt, n, tau = new Float64Array(n)) {
      plain.arena.reset();
      const pa = plain.arena.put(gt.subarray(0, n * n)), pt = plain.arena.alloc(n * 8);
      plain.x.householderQRExact(n, pa, pt);
      plain.arena.get(pa, gt.subarray(0, n * n));
      return plain.arena.get(pt, tau);
    },
    formQt(gt, tau, n, qt = new Float64Array(n * n)) {
      plain.arena.reset();
      const pa = plain.arena.put(gt.subarray(0, n * n)), pt = plain.arena.put(tau.subarray(0, n)), pq = plain.arena.alloc(n * n * 8);
      plain.x.formQtExact(n, pa, pt, pq);
      plain.arena.get(pq, qt.subarray(0, n * n));
      return qt;
    },
  };

  // the stable product's optional kernels (dormqr side R, dtrmm left upper), as native.ts has them
  const optional: Pick<LinalgBackend, 'ormqrRight' | 'trmmUpperLeft'> = {
    ormqrRight(gt, tau, n, c) {
      arena.reset();
      const pa = arena.put(gt.subarray(0, n * n)), pt = arena.put(tau.subarray(0, n)), pc = arena.put(c.subarray(0, n * n));
      x.ormqrRight(n, pa, pt, pc, arena.alloc(x.ormqrWorkBytes(n)));
      arena.get(pc, c.subarray(0, n * n));
    },
    trmmUpperLeft(M, B) {
      if (M.rows !== M.cols || M.cols !== B.rows) throw new Error('trmmUpperLeft: shape mismatch');
      if (!(B.rows && B.cols)) return;
      arena.reset();
      const pm = arena.put(M.data.subarray(0, M.rows * M.cols)), pb = arena.put(B.data.subarray(0, B.rows * B.cols));
      x.trmmUpperLeft(B.rows, B.cols, pm, pb, arena.alloc(x.trmmWorkBytes(B.rows, B.cols)));
      arena.get(pb, B.data.subarray(0, B.rows * B.cols));
    },
  };

  return {
    name: 'wasm',
    exact,
    info,
    ...(factored ? optional : {}),
    gemmNT(A, B, C) {
      checkGemmShapes('gemmNT', A.rows, B.rows, A.cols, B.cols, C);
      return gemmCall(1, A, B, C ?? zeros(A.rows, B.rows));
    },
    gemm(A, B, C) {
      checkGemmShapes('gemm', A.rows, B.cols, A.cols, B.rows, C);
      return gemmCall(0, A, B, C ?? zeros(A.rows, B.cols));
    },
    gemv(A, v, y = new Float64Array(A.rows)) {
      arena.reset();
      const pa = arena.put(A.data), pv = arena.put(v), py = arena.alloc(A.rows * 8);
      x.gemv(A.rows, A.cols, pa, A.cols, pv, py);
      return arena.get(py, y);
    },
    gemvT(A, v, y = new Float64Array(A.cols)) {
      arena.reset();
      const pa = arena.put(A.data), pv = arena.put(v), py = arena.alloc(A.cols * 8);
      x.gemvT(A.rows, A.cols, pa, A.cols, pv, py);
      return arena.get(py, y);
    },
    householderQR(gt, n, tau = new Float64Array(n)) {
      arena.reset();
      const pa = arena.put(gt.subarray(0, n * n)), pt = arena.alloc(n * 8);
      x.geqrf(n, n, pa, n, pt, arena.alloc(x.qrWorkBytes(n, n)));
      arena.get(pa, gt.subarray(0, n * n));
      return arena.get(pt, tau);
    },
    formQt(gt, tau, n, qt = new Float64Array(n * n)) {
      arena.reset();
      const pa = arena.put(gt.subarray(0, n * n)), pt = arena.put(tau.subarray(0, n)), pq = arena.alloc(n * n * 8);
      x.orgqr(n, n, pa, n, pt, pq, n, arena.alloc(x.qrWorkBytes(n, n)));
      arena.get(pq, qt.subarray(0, n * n));
      return qt;
    },
    logScaledJacobi(y, e, m, n, maxSweeps = 80) {
      prepareJacobiRows(y, e, m, n);
      arena.reset();
      const py = arena.put(y.subarray(0, m * n)), pe = arena.put(e.subarray(0, m));
      x.jacobiSweeps(py, pe, m, n, maxSweeps, jacobiTolerance(n));
      arena.get(py, y.subarray(0, m * n));
      arena.get(pe, e.subarray(0, m));
      return descendingLogs(e, m);
    },
  };
}
