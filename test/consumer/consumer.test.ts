import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { ROOT } from '../cli/run.js';

/**
 * The package as a user's project sees it: its built declarations (npm test builds first) through
 * package.json's `exports`, type-checked with `"types": []` (no @types/node) and no DOM lib, and
 * docs/api.md's worked example compiled and run against it. Each tsc costs a few seconds.
 */
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

function tsc(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [TSC, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** The fenced ts block after the `<!-- example: ... -->` marker in docs/api.md. */
function apiExample(): string {
  const md = readFileSync(join(ROOT, 'docs', 'api.md'), 'utf8');
  const m = /<!-- example: test\/consumer\/consumer\.test\.ts -->\s*```ts\n([\s\S]*?)\n```/.exec(md);
  if (!m) throw new Error('docs/api.md: no ```ts block after <!-- example: test/consumer/consumer.test.ts -->');
  return m[1];
}

/** Every name src/index.ts exports (values and types), from its declaration file. */
function indexExports(): string[] {
  const file = join(ROOT, 'dist', 'src', 'index.d.ts');
  const program = ts.createProgram([file], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: [], noEmit: true });
  const checker = program.getTypeChecker();
  return checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(file)!)!).map((s) => s.name);
}

describe('the package for a consumer', () => {
  it("package.json exports '.' (types first) and './package.json'", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.exports['.'])).toEqual(['types', 'default']);
    expect(pkg.exports['.']).toEqual({ types: './dist/src/index.d.ts', default: './dist/src/index.js' });
    expect(pkg.exports['./package.json']).toBe('./package.json');
  });

  it("test/consumer/consumer.ts type-checks against 'edge-of-chaos' without @types/node (tsc --noEmit)", () => {
    const tsconfig = JSON.parse(readFileSync(join(ROOT, 'test', 'consumer', 'tsconfig.json'), 'utf8'));
    expect(tsconfig.compilerOptions.types).toEqual([]);
    expect(tsconfig.compilerOptions.skipLibCheck).toBe(false);
    const r = tsc(['--noEmit', '-p', join(ROOT, 'test', 'consumer', 'tsconfig.json')]);
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });

  it('docs/api.md documents every export of src/index.ts', () => {
    const md = readFileSync(join(ROOT, 'docs', 'api.md'), 'utf8');
    const documented = new Set([...md.matchAll(/^- `(?:(?:async |abstract )?(?:function|const|class|interface|type|let) )?([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]));
    const missing = indexExports().filter((n) => !documented.has(n));
    expect(missing).toEqual([]);
  });

  it("docs/api.md's worked example type-checks the same way and runs: spectrum, located gain, critical gain", () => {
    // a separate project with the package installed (a symlink, as `npm link` makes)
    const dir = mkdtempSync(join(tmpdir(), 'eoc-consumer-'));
    try {
      mkdirSync(join(dir, 'node_modules'));
      symlinkSync(ROOT, join(dir, 'node_modules', 'edge-of-chaos'), 'dir');
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
      writeFileSync(join(dir, 'example.ts'), apiExample());
      // the example's own need (a script's console), not the package's: still no @types/node
      writeFileSync(join(dir, 'console.d.ts'), 'declare const console: { log(...data: unknown[]): void };\n');
      const options = JSON.parse(readFileSync(join(ROOT, 'test', 'consumer', 'tsconfig.json'), 'utf8')).compilerOptions;
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...options, noEmit: false, outDir: 'out' }, files: ['console.d.ts', 'example.ts'] }));
      const c = tsc(['-p', join(dir, 'tsconfig.json')], dir);
      expect(c.out).toBe('');
      expect(c.code).toBe(0);
      const r = spawnSync(process.execPath, [join(dir, 'out', 'example.js')], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines, r.stdout).toHaveLength(3);
      // depth 30 tanh at g = 1.05: m1 with its standard error, and the spread of ln s
      const m = /^m1 = (\d+\.\d{3}) ± (\d+\.\d{3}), std ln s = \d+\.\d{3}$/.exec(lines[0]);
      expect(m, lines[0]).not.toBeNull();
      // vanishing means ln m1 < -ln 2 on the mean over seeds
      expect(Number(m![1]), lines[0]).toBeLessThan(0.5);
      // at depth 30 (sigma_b = 0, q0 = 1) q^l decays, so m1 = 1 needs a gain well above 1.05:
      // the verdict is vanishing, and the measured and mean-field m1 = 1 gains lie in (1.1, 1.4)
      const g = /^(faithful|vanishing|exploding|anisotropic) at g = 1\.05; m1 = 1 at g = (\d\.\d{4}) ± (\d\.\d{4}) \(mean field (\d\.\d{4})\)$/.exec(lines[1]);
      expect(g, lines[1]).not.toBeNull();
      expect(g![1], lines[1]).toBe('vanishing');
      for (const v of [Number(g![2]), Number(g![4])]) expect(v > 1.1 && v < 1.4, lines[1]).toBe(true);
      // docs/science.md section 8: tanh at sigma_b = 0.05
      expect(lines[2]).toBe('edge of chaos at sigma_b = 0.05: sigma_w = 1.122539');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
