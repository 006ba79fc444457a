import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zeros, type Mat } from '../matrix.js';
import { prepareJacobiRows, jacobiTolerance, descendingLogs } from '../jacobi.js';
import { checkGemmShapes, type LinalgBackend } from '../backend.js';
import type { ExactQR } from './wasm.js';

/**
 * The compiled backend: C kernels (native/src, N-API) that `npm install` builds with npm's own
 * node-gyp (native/build.mjs; a machine without a compiler just skips it). gemm, gemv, the
 * triangular product, the blocked Householder QR, the blocked application of Q (compact WY on
 * that gemm; forming Q is Q applied to I) and the log-scaled Jacobi sweeps (the wasm module's
 * algorithm) run in C on the Float64Arrays themselves, no copies. The gemm, dot and rotation
 * kernels are compiled for AVX-512, AVX2+FMA and a baseline; the best the CPU supports is picked
 * once at load (`info.isa`). `exact` is a C port of the TS reference householderQR/formQt
 * (native/src/exact_qr.c, the wasm module's exact port widened to AVX-512/AVX2): bitwise equal to
 * the reference on every path, for the base draws (select.ts drawsQR).
 */
export type CompiledIsa = 'avx512' | 'avx2' | 'baseline';

export interface CompiledInfo {
  /** the .node file loaded: relative to the package root when inside it (so reports carry no local paths) */
  path: string;
  /** the gemm path in use */
  isa: CompiledIsa;
}

/** The addon's exports (native/src/addon.c). */
export interface CompiledKernels {
  gemm(m: number, n: number, k: number, a: Float64Array, b: Float64Array, transB: boolean, c: Float64Array): void;
  gemv(trans: boolean, m: number, n: number, a: Float64Array, x: Float64Array, y: Float64Array): void;
  trmmUpperLeft(n: number, p: number, M: Float64Array, B: Float64Array): void;
  ormqrRight(n: number, gt: Float64Array, tau: Float64Array, c: Float64Array): void;
  householderQR(n: number, gt: Float64Array, tau: Float64Array): void;
  /** the reference householderQR bit for bit (absent from binaries built before exact_qr.c) */
  exactHouseholderQR?(n: number, gt: Float64Array, tau: Float64Array): void;
  /** the reference formQt bit for bit: qt := Q^T row-major */
  exactFormQt?(n: number, gt: Float64Array, tau: Float64Array, qt: Float64Array): void;
  /** gemm.ts gemv (trans false) / gemvT (trans true) bit for bit (absent from older binaries) */
  exactGemv?(trans: boolean, m: number, n: number, a: Float64Array, x: Float64Array, y: Float64Array): void;
  /** haar.ts's sign-fixed W = Q diag(sign R_jj), row-major, bit for bit (absent from older binaries) */
  exactHaar?(n: number, gt: Float64Array, tau: Float64Array, w: Float64Array): void;
  /** householderQRThin / formQThin bit for bit, gt and qt k x m (absent from binaries built before them) */
  exactHouseholderQRThin?(m: number, k: number, gt: Float64Array, tau: Float64Array): void;
  exactFormQThin?(m: number, k: number, gt: Float64Array, tau: Float64Array, qt: Float64Array): void;
  /** c := c diag(d), then |c_ij| < tiny -> 0 (absent from binaries built before scale.c) */
  scaleColumns?(m: number, n: number, c: Float64Array, d: Float64Array, tiny: number): void;
  /** the stable product's bookkeeping (stratify.c), bitwise jsStratify (absent from binaries built before it) */
  rowNorms?(n: number, a: Float64Array, out: Float64Array): void;
  gatherRows?(n: number, g: Float64Array, perm: Int32Array, rowPerm: Int32Array | null, t: Float64Array, lnd: Float64Array, gp: Float64Array, tP: Float64Array, lndP: Float64Array): void;
  transpose?(n: number, a: Float64Array, out: Float64Array, cols: Int32Array | null): void;
  formM?(n: number, tile: number, gp: Float64Array, ea: Float64Array, eb: Float64Array, fac: Uint8Array, mt: Float64Array): void;
  jacobiSweeps(y: Float64Array, e: Float64Array, m: number, n: number, maxSweeps: number, tol: number): number;
  isa(): CompiledIsa;
  setIsa(name: CompiledIsa): CompiledIsa;
  compiledIsas(): CompiledIsa[];
  supportedIsas(): CompiledIsa[];
}

/** The package root: the nearest folder above this module with eoc's package.json (src/ and dist/src/ alike). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'edge-of-chaos') return dir;
      } catch {
        // not ours: keep going up
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('compiled kernels: the package root (package.json) was not found');
    dir = up;
  }
}

/** Where the addon is: EOC_COMPILED_KERNELS when set, else native/build/Release/eoc_kernels.node. */
export function compiledKernelsPath(): string {
  const override = process.env.EOC_COMPILED_KERNELS?.trim();
  return override ? resolve(override) : join(packageRoot(), 'native', 'build', 'Release', 'eoc_kernels.node');
}

let addon: { path: string; kernels: CompiledKernels } | undefined;

/**
 * Load the addon (once per thread). Throws with the reason when it is not built or does not load.
 * EOC_COMPILED_KERNELS=none simulates a machine where it was not built; EOC_COMPILED_ISA names a
 * lower gemm path to use instead of the best one (avx2, baseline).
 */
export function loadCompiledKernels(): { path: string; kernels: CompiledKernels } {
  if (process.env.EOC_COMPILED_KERNELS?.trim() === 'none') throw new Error('compiled kernels not used (EOC_COMPILED_KERNELS=none)');
  const path = compiledKernelsPath();
  if (addon && addon.path === path) return addon;
  if (!existsSync(path)) throw new Error(`compiled kernels not built (${path} missing; \`npm install\` builds them when a C compiler is present)`);
  let kernels: CompiledKernels;
  try {
    kernels = createRequire(import.meta.url)(path) as CompiledKernels;
  } catch (err) {
    throw new Error(`compiled kernels do not load (${path}: ${(err as Error).message.split('\n')[0]})`);
  }
  const want = process.env.EOC_COMPILED_ISA?.trim();
  if (want) {
    if (!(kernels.compiledIsas() as string[]).includes(want)) throw new Error(`EOC_COMPILED_ISA=${want}: this build has ${kernels.compiledIsas().join(', ')}`);
    if (!(kernels.supportedIsas() as string[]).includes(want)) throw new Error(`EOC_COMPILED_ISA=${want}: this CPU supports ${kernels.supportedIsas().join(', ')}`);
    kernels.setIsa(want as CompiledIsa);
  }
  addon = { path, kernels };
  return addon;
}

/** The backend on the addon's kernels (all of LinalgBackend's, the optional ones included). */
export function loadCompiledBackend(): LinalgBackend & { info: CompiledInfo; exact?: ExactQR } {
  const { path, kernels: k } = loadCompiledKernels();
  const rel = relative(packageRoot(), path);
  const info: CompiledInfo = { path: rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path, isa: k.isa() };
  const qr = k.exactHouseholderQR, fq = k.exactFormQt;
  // the draws' QR, bitwise the reference's (an older binary without it leaves the draws to wasm)
  const exact: ExactQR | undefined =
    qr && fq
      ? {
          householderQR(gt, n, tau = new Float64Array(n)) {
            qr.call(k, n, gt, tau);
            return tau;
          },
          formQt(gt, tau, n, qt = new Float64Array(n * n)) {
            fq.call(k, n, gt, tau, qt);
            return qt;
          },
          ...(k.exactGemv
            ? {
                gemv(A: Mat, x: Float64Array, y = new Float64Array(A.rows)) {
                  k.exactGemv!(false, A.rows, A.cols, A.data, x, y);
                  return y;
                },
                gemvT(A: Mat, x: Float64Array, y = new Float64Array(A.cols)) {
                  k.exactGemv!(true, A.rows, A.cols, A.data, x, y);
                  return y;
                },
              }
            : {}),
          ...(k.exactHaar
            ? {
                haarQ(gt: Float64Array, tau: Float64Array, n: number) {
                  const w = new Float64Array(n * n);
                  k.exactHaar!(n, gt, tau, w);
                  return w;
                },
              }
            : {}),
          ...(k.exactHouseholderQRThin && k.exactFormQThin
            ? {
                householderQRThin(gt: Float64Array, m: number, kk: number, tau = new Float64Array(kk)) {
                  k.exactHouseholderQRThin!(m, kk, gt, tau);
                  return tau;
                },
                formQThin(gt: Float64Array, tau: Float64Array, m: number, kk: number, qt = new Float64Array(kk * m)) {
                  k.exactFormQThin!(m, kk, gt, tau, qt);
                  return qt;
                },
              }
            : {}),
        }
      : undefined;
  return {
    name: 'compiled',
    info,
    ...(exact ? { exact } : {}),
    ...(k.scaleColumns
      ? {
          scaleColumns(C: Mat, d: Float64Array, tiny: number) {
            if (d.length < C.cols) throw new Error(`scaleColumns: d has ${d.length} entries, C has ${C.cols} columns`);
            k.scaleColumns!(C.rows, C.cols, C.data, d, tiny);
          },
        }
      : {}),
    ...(k.rowNorms && k.gatherRows && k.transpose && k.formM
      ? {
          stratify: {
            rowNorms: (a, n, out) => k.rowNorms!(n, a, out),
            gatherRows: (n, g, perm, rowPerm, t, lnd, gp, tP, lndP) => k.gatherRows!(n, g, perm, rowPerm, t, lnd, gp, tP, lndP),
            transpose: (a, n, out, cols) => k.transpose!(n, a, out, cols),
            formM: (n, tile, gp, ea, eb, fac, mt) => k.formM!(n, tile, gp, ea, eb, fac, mt),
          },
        }
      : {}),
    gemmNT(A, B, C = zeros(A.rows, B.rows)) {
      checkGemmShapes('gemmNT', A.rows, B.rows, A.cols, B.cols, C);
      k.gemm(A.rows, B.rows, A.cols, A.data, B.data, true, C.data);
      return C;
    },
    gemm(A, B, C = zeros(A.rows, B.cols)) {
      checkGemmShapes('gemm', A.rows, B.cols, A.cols, B.rows, C);
      k.gemm(A.rows, B.cols, A.cols, A.data, B.data, false, C.data);
      return C;
    },
    gemv(A, x, y = new Float64Array(A.rows)) {
      k.gemv(false, A.rows, A.cols, A.data, x, y);
      return y;
    },
    gemvT(A, x, y = new Float64Array(A.cols)) {
      k.gemv(true, A.rows, A.cols, A.data, x, y);
      return y;
    },
    householderQR(gt, n, tau = new Float64Array(n)) {
      k.householderQR(n, gt, tau);
      return tau;
    },
    formQt(gt, tau, n, qt = new Float64Array(n * n)) {
      // Q^T row-major is Q column-stored: I Q with I column-major
      qt.fill(0, 0, n * n);
      for (let i = 0; i < n; i++) qt[i * n + i] = 1;
      k.ormqrRight(n, gt, tau, qt);
      return qt;
    },
    ormqrRight(gt, tau, n, c) {
      k.ormqrRight(n, gt, tau, c);
    },
    trmmUpperLeft(M, B) {
      if (M.rows !== M.cols || M.cols !== B.rows) throw new Error('trmmUpperLeft: shape mismatch');
      k.trmmUpperLeft(B.rows, B.cols, M.data, B.data);
    },
    logScaledJacobi(y, e, m, n, maxSweeps = 80) {
      prepareJacobiRows(y, e, m, n);
      k.jacobiSweeps(y, e, m, n, maxSweeps, jacobiTolerance(n));
      return descendingLogs(e, m);
    },
  };
}
