import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import stdErf from '@stdlib/math-base-special-erf';
import stdErfc from '@stdlib/math-base-special-erfc';
import { erf, erfc } from '../../src/numeric/erf.js';

const ROOT = join(__dirname, '..', '..');

describe('erf and erfc, loaded on first use (src/numeric/erf.ts)', () => {
  it("are @stdlib's functions: the same bits at every input, the tails and the special values included", () => {
    const xs = [0, -0, 1e-300, -1e-300, 0.5, -0.5, 0.84375, 1.25, 2.857, 6, 27, 28, -6, -28, Infinity, -Infinity, NaN];
    for (let i = 0; i < 20000; i++) xs.push(Math.sinh((i - 10000) / 1500) * 1.7);
    for (const x of xs) {
      expect(Object.is(erf(x), stdErf(x)), `erf(${x})`).toBe(true);
      expect(Object.is(erfc(x), stdErfc(x)), `erfc(${x})`).toBe(true);
    }
    // known values (erf 1 = 0.8427007929497149, erfc 3 = 2.209049699858544e-5)
    expect(Math.abs(erf(1) - 0.8427007929497149)).toBeLessThan(2e-16);
    expect(Math.abs(erfc(3) / 2.209049699858544e-5 - 1)).toBeLessThan(1e-15);
  });

  it('a tanh network measured through the library does not load them; a GELU one does', () => {
    const probe = (activation: string) => {
      const script = `
        import { createRequire } from 'node:module';
        const { sampleBaseDraws, measureNetwork } = await import(${JSON.stringify(join(ROOT, 'dist', 'src', 'index.js'))});
        const draws = sampleBaseDraws('orthogonal', 16, 5, 1);
        measureNetwork(draws, { activation: '${activation}', gain: 1.1, biasStd: 0.05, q0: 1 });
        const cache = Object.keys(createRequire(import.meta.url).cache);
        console.log(cache.filter((k) => /math-base-special-erfc?[\\/]/.test(k)).length);`;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, EOC_BACKEND: 'js' } });
      expect(r.status, r.stderr).toBe(0);
      return Number(r.stdout.trim());
    };
    expect(probe('tanh')).toBe(0);
    expect(probe('gelu')).toBeGreaterThan(0);
  });
});
