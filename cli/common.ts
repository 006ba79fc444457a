import { SpecError } from '../src/spec/errors.js';
import { userFsError } from '../src/io/fs-errors.js';

/** Exit codes (docs/design.md): 0 ok, 1 check failed, 2 bad input, 3 internal error. */
export const EXIT_OK = 0;
export const EXIT_CHECK_FAILED = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_INTERNAL = 3;

/** One line on stderr, then exit with the code. Never a stack trace for a user error. */
export function fail(message: string, code: number): never {
  process.stderr.write(`eoc: ${message}\n`);
  process.exit(code);
}

/**
 * Wraps a command action: user errors (SpecError) exit 2 with one line; so do file-system errors on
 * the user's paths or of the machine (EEXIST, ENOTDIR, EACCES, EROFS, ENOSPC, ...: src/io/fs-errors.ts),
 * as "cannot write reports/x: not a directory (--out)"; anything else exits 3 (with the stack only
 * when EOC_DEBUG is set). The action may set process.exitCode itself.
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      if (e instanceof SpecError) fail(e.message, EXIT_BAD_INPUT);
      const fsLine = userFsError(e);
      if (fsLine !== null) {
        if (process.env.EOC_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
        fail(fsLine, EXIT_BAD_INPUT);
      }
      const err = e as Error;
      if (process.env.EOC_DEBUG) process.stderr.write(`${err.stack}\n`);
      fail(`internal error: ${err.message ?? String(e)}`, EXIT_INTERNAL);
    }
  };
}

/** Write a result to stdout; JSON documents end with one newline. */
export function printJson(doc: unknown): void {
  process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
}

export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

/** Progress and logs go to stderr, so stdout stays clean for tables and JSON. */
export function log(text: string): void {
  process.stderr.write(text + '\n');
}
