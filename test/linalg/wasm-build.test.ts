import { it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The committed .wasm (and its base64 embedding) is what asm/linalg.ts builds to, byte for byte. */
it('rebuilding asm/linalg.ts reproduces the committed wasm bytes', () => {
  const root = new URL('../../', import.meta.url).pathname;
  const dir = mkdtempSync(join(tmpdir(), 'eoc-wasm-'));
  try {
    execFileSync(process.execPath, [join(root, 'asm', 'build.mjs'), dir], { stdio: 'pipe' });
    const rebuilt = readFileSync(join(dir, 'linalg.wasm'));
    expect(rebuilt.equals(readFileSync(join(root, 'asm', 'build', 'linalg.wasm')))).toBe(true);
    expect(readFileSync(join(dir, 'linalg-wasm.generated.ts'), 'utf8'))
      .toBe(readFileSync(join(root, 'src', 'linalg', 'backends', 'linalg-wasm.generated.ts'), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
