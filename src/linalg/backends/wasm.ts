import { setFlagsFromString } from 'node:v8';
import { LINALG_WASM_BASE64 } from './linalg-wasm.generated.js';
import { zeros, type Mat } from '../matrix.js';
import { prepareJacobiRows, jacobiTolerance, descendingLogs } from '../jacobi.js';
import { checkGemmShapes, type LinalgBackend } from '../backend.js';

/**
 * The WebAssembly SIMD backend: asm/linalg.ts compiled by AssemblyScript (f64x2 kernels, blocked
 * gemm, LAPACK-style blocked QR). Operands are copied into the module's linear memory for each
 * call: an O(n^2) memcpy against O(n^3) work, which keeps the interface on plain Float64Arrays.
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
}

export function loadWasmBackend(): LinalgBackend & { exact: ExactQR } {
  // Compile with the optimizing tier up front. V8's default compiles wasm with the baseline (Liftoff)
  // first and swaps in optimized code only for later calls (no on-stack replacement): a single long
  // kernel call, like the first Jacobi of a process, ran 3-4x slower. The module is small.
  setFlagsFromString('--no-liftoff');
  const memory = new WA.Memory({ initial: 32, maximum: 65536 });
  const module = new WA.Module(Buffer.from(LINALG_WASM_BASE64, 'base64'));
  const x = new WA.Instance(module, { env: { memory, hypot: Math.hypot } }).exports as unknown as Exports;
  const arena = new Arena(memory, x.heapBase());
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
      arena.reset();
      const pa = arena.put(gt.subarray(0, n * n)), pt = arena.alloc(n * 8);
      x.householderQRExact(n, pa, pt);
      arena.get(pa, gt.subarray(0, n * n));
      return arena.get(pt, tau);
    },
    formQt(gt, tau, n, qt = new Float64Array(n * n)) {
      arena.reset();
      const pa = arena.put(gt.subarray(0, n * n)), pt = arena.put(tau.subarray(0, n)), pq = arena.alloc(n * n * 8);
      x.formQtExact(n, pa, pt, pq);
      arena.get(pq, qt.subarray(0, n * n));
      return qt;
    },
  };

  return {
    name: 'wasm',
    exact,
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
