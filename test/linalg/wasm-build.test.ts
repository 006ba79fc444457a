import { it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The committed .wasm files (the plain and the relaxed-SIMD build, and their base64 embedding) are
 * what asm/linalg.ts builds to, byte for byte.
 */
it('rebuilding asm/linalg.ts reproduces the committed wasm bytes (plain and relaxed SIMD)', () => {
  const root = new URL('../../', import.meta.url).pathname;
  const dir = mkdtempSync(join(tmpdir(), 'eoc-wasm-'));
  try {
    execFileSync(process.execPath, [join(root, 'asm', 'build.mjs'), dir], { stdio: 'pipe' });
    for (const file of ['linalg.wasm', 'linalg-relaxed.wasm']) {
      const rebuilt = readFileSync(join(dir, file));
      expect(rebuilt.equals(readFileSync(join(root, 'asm', 'build', file))), file).toBe(true);
    }
    expect(readFileSync(join(dir, 'linalg-wasm.generated.ts'), 'utf8'))
      .toBe(readFileSync(join(root, 'src', 'linalg', 'backends', 'linalg-wasm.generated.ts'), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
