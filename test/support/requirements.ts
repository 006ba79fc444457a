import { describe, beforeEach } from 'vitest';
import { findChromium } from '../report/cdp.js';
import { loadBackend } from '../../src/linalg/select.js';

/**
 * Optional system packages some tests need (README "Optional system packages"): Chromium for the
 * report page in a real browser, OpenBLAS (libopenblas0 + liblapack3) for the native backend.
 * Without CI set, a test that needs a missing one is skipped (vitest counts it as skipped) and the
 * reason is printed once per run (test/support/global-setup.ts). With CI set, a missing one makes
 * every test that needs it FAIL with the reason, so CI can never pass without having run them.
 */
export interface Requirement {
  /** what the tests need, as the reason line names it */
  name: string;
  available: boolean;
  /** why it is missing and how to get it ('' when available) */
  reason: string;
  /** the tests that need it */
  usedBy: string;
}

/** CI=true (or any value but '', 0, false): missing requirements fail instead of skipping. */
export function isCI(): boolean {
  const v = (process.env.CI ?? '').trim().toLowerCase();
  return v !== '' && v !== '0' && v !== 'false';
}

export function chromiumRequirement(): Requirement {
  const exe = findChromium();
  return {
    name: 'Chromium',
    available: exe !== null,
    reason: exe ? '' : 'Chromium not found (EOC_CHROMIUM, or chromium / chromium-browser on PATH): apt-get install chromium',
    usedBy: 'the browser test (test/report/browser.test.ts)',
  };
}

export function openblasRequirement(): Requirement {
  let reason = '';
  try {
    loadBackend('native');
  } catch (err) {
    const message = (err as Error).message;
    // the loader's message per candidate path is long: name the search instead
    const why = message.startsWith('OpenBLAS not found') ? 'OpenBLAS not found (libopenblas.so.0 and the paths of src/linalg/backends/native.ts)' : message;
    reason = `${why}: apt-get install libopenblas0 liblapack3`;
  }
  return {
    name: 'OpenBLAS',
    available: reason === '',
    reason,
    usedBy: 'the native backend tests (test/linalg/backends.test.ts, native-extras.test.ts)',
  };
}

/**
 * describe() for tests that need `req`: run when it is available; skipped (and counted as skipped)
 * when it is missing and CI is not set; when it is missing under CI, every test in it fails with
 * the reason. Hooks the body registers must not touch the missing dependency before a test runs.
 */
export function describeRequiring(req: Requirement, title: string, body: () => void): void {
  describe.skipIf(!req.available && !isCI())(title, () => {
    if (!req.available) {
      beforeEach(() => {
        throw new Error(`${req.reason} (CI is set, so a missing ${req.name} is a failure, not a skip)`);
      });
    }
    body();
  });
}
