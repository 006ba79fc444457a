import { parseBackend } from '../src/spec/options.js';
import type { BackendInfo } from '../src/linalg/select.js';

/**
 * The global `--backend js|wasm|compiled|native|auto` option. The name is checked by the option table;
 * the backend itself (koffi, OpenBLAS, the compiled addon, the wasm module) loads only here, when a
 * command needs it.
 */
export async function applyBackendOption(raw: string | undefined): Promise<BackendInfo | undefined> {
  const name = parseBackend(raw);
  if (name === undefined) return undefined;
  const { setBackend } = await import('../src/linalg/select.js');
  const info = setBackend(name);
  // worker threads start from process.env: make them load the same backend
  if (name !== 'auto') process.env.EOC_BACKEND = name;
  return info;
}

/**
 * e.g. "backend: native (OpenBLAS SkylakeX, libopenblas.so.0)", "backend: compiled (avx512 kernels,
 * /.../eoc_kernels.node)" or "backend: wasm [requested native; ...]"
 */
export async function backendVersionLine(): Promise<string> {
  const { backendInfo } = await import('../src/linalg/select.js');
  const i = backendInfo();
  const detail = i.native ? ` (OpenBLAS ${i.native.corename}, ${i.native.library})` : i.compiled ? ` (${i.compiled.isa} kernels, ${i.compiled.path})` : '';
  const fb = i.fallback ? ` [requested ${i.requested}; ${i.fallback}]` : '';
  return `backend: ${i.name}${detail}${fb}`;
}
