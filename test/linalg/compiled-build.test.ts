import { describe, it, expect, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../cli/run.js';
import { compiledRequirement } from '../support/compiled.js';
import { describeRequiring } from '../support/requirements.js';

/**
 * native/build.mjs, the `npm install` step, on a copy of native/ (the repository's own build is
 * left alone): it never fails the install, and prints exactly one line, the built one or
 * `eoc: compiled kernels not built (<reason>); eoc will use the wasm backend`.
 */
const work = mkdtempSync(join(tmpdir(), 'eoc-build-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function copy(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const f of ['build.mjs', 'binding.gyp', 'src']) cpSync(join(ROOT, 'native', f), join(dir, 'native', f), { recursive: true });
  return join(dir, 'native');
}

function build(dir: string, env: Record<string, string | undefined>) {
  const full: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...env })) if (v !== undefined) full[k] = v;
  const r = spawnSync(process.execPath, [join(dir, 'build.mjs')], { encoding: 'utf8', env: full, timeout: 240_000 });
  return { code: r.status, lines: r.stdout.split('\n').filter(Boolean), stderr: r.stderr };
}

const NOT_BUILT = /^eoc: compiled kernels not built \((.+)\); eoc will use the wasm backend$/;

describe('native/build.mjs never fails the install', () => {
  it('EOC_NO_COMPILE=1: one line, exit 0, no binary', () => {
    const dir = copy('skip');
    const r = build(dir, { EOC_NO_COMPILE: '1' });
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(NOT_BUILT);
    expect(NOT_BUILT.exec(r.lines[0])![1]).toBe('EOC_NO_COMPILE is set');
    expect(existsSync(join(dir, 'build', 'Release', 'eoc_kernels.node'))).toBe(false);
  });

  it('no Python, make or compiler on PATH: one line naming the reason, exit 0', () => {
    const dir = copy('nopath');
    const empty = join(work, 'empty-bin');
    mkdirSync(empty, { recursive: true });
    const r = build(dir, { PATH: empty, EOC_NO_COMPILE: undefined, PYTHON: undefined, npm_config_python: undefined });
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(NOT_BUILT);
    expect(r.lines[0]).toMatch(/no Python 3 for node-gyp/);
    expect(existsSync(join(dir, 'build', 'eoc-build.log'))).toBe(true);
  });
});

// a real build needs what npm install needs: where the repository's own build exists, this machine has it
const req = compiledRequirement();
describeRequiring(req, 'native/build.mjs on a machine with a compiler', () => {
  it('builds eoc_kernels.node and says so in one line naming the gemm paths', () => {
    const dir = copy('build');
    const r = build(dir, { EOC_NO_COMPILE: undefined });
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/^eoc: compiled kernels built: .*eoc_kernels\.node \(gemm paths [a-z0-9, ]*baseline; this CPU uses (avx512|avx2|baseline)\)$/);
    expect(existsSync(join(dir, 'build', 'Release', 'eoc_kernels.node'))).toBe(true);
  });
});
