import type { BackendName, LinalgBackend } from './backend.js';
import { SpecError } from '../spec/errors.js';
import { jsBackend } from './backends/js.js';
import { gemv as refGemv, gemvT as refGemvT } from './gemm.js';
import type { Mat } from './matrix.js';
import { loadWasmBackend, type ExactQR } from './backends/wasm.js';
import { loadNativeBackend, type NativeInfo } from './backends/native.js';
import { loadCompiledBackend, type CompiledInfo } from './backends/compiled.js';

/**
 * Which backend runs. `EOC_BACKEND=js|wasm|compiled|native` (or setBackend) forces one; by default
 * the system OpenBLAS (native) when it is found, else the compiled kernels when `npm install` built
 * them, else wasm (DEFAULT_ORDER). Backends agree to rounding; base draws are bitwise identical on
 * all of them (drawsQR). A forced backend that cannot load falls back (native -> wasm -> js,
 * compiled -> wasm -> js) and says why in backendInfo(), which reports and `eoc --version` print.
 * `EOC_BACKEND_DISABLE=wasm,compiled,native` simulates absent backends (tests of the fallback).
 */
export interface BackendInfo {
  /** the backend in use */
  name: BackendName;
  /** what was asked for ('default' when nothing was) */
  requested: BackendName | 'default';
  /** why a faster backend was not used, when it was not */
  fallback?: string;
  native?: NativeInfo;
  compiled?: CompiledInfo;
}

const ORDER: Record<BackendName | 'default', BackendName[]> = {
  // measured on the stable product (README "Backends"): OpenBLAS ahead of the compiled kernels
  default: ['native', 'compiled', 'wasm', 'js'],
  native: ['native', 'wasm', 'js'],
  compiled: ['compiled', 'wasm', 'js'],
  wasm: ['wasm', 'js'],
  js: ['js'],
};

let current: { backend: LinalgBackend; info: BackendInfo } | undefined;
const loaded = new Map<BackendName, LinalgBackend>();

function disabled(): Set<string> {
  return new Set((process.env.EOC_BACKEND_DISABLE ?? '').split(',').map((s) => s.trim()).filter(Boolean));
}

/** Load one backend by name (cached); throws when it is unavailable or disabled. */
export function loadBackend(name: BackendName): LinalgBackend {
  if (disabled().has(name)) throw new Error(`${name} backend disabled by EOC_BACKEND_DISABLE`);
  const hit = loaded.get(name);
  if (hit) return hit;
  const b =
    name === 'js' ? jsBackend
    : name === 'wasm' ? loadWasmBackend()
    : name === 'compiled' ? loadCompiledBackend()
    : loadNativeBackend(tryLoad('wasm') ?? jsBackend);
  loaded.set(name, b);
  return b;
}

function tryLoad(name: BackendName): LinalgBackend | undefined {
  try {
    return loadBackend(name);
  } catch {
    return undefined;
  }
}

function parseName(s: string | undefined): BackendName | undefined {
  if (s === undefined || s === '' || s === 'auto' || s === 'default') return undefined;
  if (s === 'js' || s === 'wasm' || s === 'compiled' || s === 'native') return s;
  throw new SpecError(`unknown backend "${s}" (expected js, wasm, compiled, native or auto)`);
}

/** Choose the backend (by name, or from EOC_BACKEND when omitted) and make it current. */
export function setBackend(requested?: BackendName | 'auto'): BackendInfo {
  const want = parseName(requested ?? process.env.EOC_BACKEND);
  const reasons: string[] = [];
  for (const name of ORDER[want ?? 'default']) {
    try {
      const backend = loadBackend(name);
      const info: BackendInfo = { name, requested: want ?? 'default' };
      if (reasons.length) info.fallback = reasons.join('; ');
      if (name === 'native') info.native = (backend as LinalgBackend & { info: NativeInfo }).info;
      if (name === 'compiled') info.compiled = { ...(backend as LinalgBackend & { info: CompiledInfo }).info };
      current = { backend, info };
      return info;
    } catch (err) {
      reasons.push(`${name}: ${(err as Error).message}`);
    }
  }
  throw new Error(`no linear-algebra backend loads: ${reasons.join('; ')}`);
}

/** The current backend, chosen on first use. */
export function backend(): LinalgBackend {
  if (!current) setBackend();
  return current!.backend;
}

export function backendInfo(): BackendInfo {
  if (!current) setBackend();
  return current!.info;
}

/** The backend's name for log lines: the compiled one with its gemm path, e.g. "compiled (avx512)". */
export function backendLabel(info: BackendInfo = backendInfo()): string {
  return info.compiled ? `${info.name} (${info.compiled.isa})` : info.name;
}

/**
 * QR kernels for the base draws (Haar matrices): bitwise equal to the TS reference whatever the
 * backend, so a seed means the same network everywhere (the blocked QR, the native LAPACK and the
 * reference round differently, and a chaotic network amplifies that). The compiled kernels carry an
 * exact C port (native/src/exact_qr.c), the wasm module an exact SIMD port: the compiled one when
 * it loads (whichever backend runs the rest; EOC_BACKEND_DISABLE=compiled skips it), else wasm's,
 * else the reference itself.
 */
export function drawsQR(): ExactQR {
  const compiled = tryLoad('compiled') as (LinalgBackend & { exact?: ExactQR }) | undefined;
  if (compiled?.exact) return compiled.exact;
  const wasm = tryLoad('wasm') as (LinalgBackend & { exact?: ExactQR }) | undefined;
  return wasm?.exact ?? jsBackend;
}

/**
 * gemv and gemvT bitwise gemm.ts's (the forward pass, backprop and the correlation pass: the
 * network's pre-activations are the same numbers on every backend): the compiled kernels' port
 * when they load and have it (~10x the TS loops at N = 256), else gemm.ts itself.
 */
export function exactGemv(): { gemv(A: Mat, x: Float64Array, y?: Float64Array): Float64Array; gemvT(A: Mat, x: Float64Array, y?: Float64Array): Float64Array } {
  const exact = drawsQR();
  return exact.gemv && exact.gemvT ? (exact as Required<Pick<ExactQR, 'gemv' | 'gemvT'>>) : { gemv: refGemv, gemvT: refGemvT };
}
