import { SpecError } from '../src/spec/errors.js';
import { setBackend, backendInfo, type BackendInfo } from '../src/linalg/select.js';

/** The global `--backend js|wasm|native|auto` option and the backend line of `eoc --version`. */
export function applyBackendOption(name: string | undefined): BackendInfo {
  if (name !== undefined && !['js', 'wasm', 'native', 'auto'].includes(name)) {
    throw new SpecError(`--backend: unknown backend "${name}" (expected js, wasm, native or auto)`);
  }
  const info = setBackend(name as Parameters<typeof setBackend>[0]);
  // worker threads start from process.env: make them load the same backend
  if (name !== undefined && name !== 'auto') process.env.EOC_BACKEND = name;
  return info;
}

/** e.g. "backend: native (OpenBLAS SkylakeX, libopenblas.so.0)" or "backend: wasm (requested native: ...)" */
export function backendVersionLine(): string {
  const i = backendInfo();
  const detail = i.native ? ` (OpenBLAS ${i.native.corename}, ${i.native.library})` : '';
  const fb = i.fallback ? ` [requested ${i.requested}; ${i.fallback}]` : '';
  return `backend: ${i.name}${detail}${fb}`;
}
