import { Command } from 'commander';
import { vi } from 'vitest';

/**
 * Runs one eoc command in-process on a fresh commander program (`register` adds it), capturing
 * stdout, stderr and the exit code (process.exit is intercepted).
 */
export async function runInProcess(
  register: (program: Command) => void,
  command: string,
  args: string[],
): Promise<{ stdout: string; stderr: string; code: number }> {
  let stdout = '';
  let stderr = '';
  let code = 0;
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    stdout += String(s);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    stderr += String(s);
    return true;
  });
  vi.spyOn(process, 'exit').mockImplementation(((c?: number) => {
    code = c ?? 0;
    throw new Error('__exit__');
  }) as never);
  const program = new Command().exitOverride();
  register(program);
  try {
    await program.parseAsync(['node', 'eoc', command, ...args]);
  } catch (e) {
    if ((e as Error).message !== '__exit__') throw e;
  } finally {
    vi.restoreAllMocks();
  }
  return { stdout, stderr, code };
}
