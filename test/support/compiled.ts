import { loadCompiledKernels } from '../../src/linalg/backends/compiled.js';
import { isCI, type Requirement } from './requirements.js';

/**
 * The compiled kernels (native/build/Release/eoc_kernels.node, built by `npm install` through
 * native/build.mjs when python3, make and a C compiler are present). Without them their tests are
 * skipped locally (the reason printed once per file) and fail under CI, whose machines have a compiler.
 */
export function compiledRequirement(): Requirement {
  let reason = '';
  try {
    loadCompiledKernels();
  } catch (err) {
    // the loader's message says what is missing and that `npm install` builds it
    reason = (err as Error).message;
  }
  return {
    name: 'the compiled kernels',
    available: reason === '',
    reason,
    usedBy: 'the compiled backend tests (test/linalg/compiled.test.ts, backends.test.ts)',
  };
}

let said = false;
/** Say once per test file why the compiled tests are skipped (or, under CI, that they fail). */
export function announceCompiled(req: Requirement): void {
  if (req.available || said) return;
  said = true;
  const what = isCI() ? `${req.usedBy} FAIL (CI is set)` : `skipping ${req.usedBy}`;
  process.stderr.write(`eoc tests: ${what}: ${req.reason}\n`);
}
