/**
 * --out checked before any work, and file-system errors mapped to one plain line with exit 2.
 * Real cases (as root, which ignores permission bits): an existing file, a path under a file, an
 * empty name, /proc and /sys, an immutable folder (chattr +i: EPERM even for root; skipped where the
 * file system or the container refuses chattr), EEXIST/ENOTDIR/EISDIR from real calls, a folder where
 * a file must go (through the CLI). EACCES, EROFS, ENOSPC, EMFILE are synthetic errno errors: root
 * cannot provoke them without mounting file systems.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../cli/run.js';
import { prepareOutDir, pseudoFileSystem } from '../../src/io/out-dir.js';
import { registerUserPath, userFsError } from '../../src/io/fs-errors.js';
import { writeFileAtomic } from '../../src/io/json.js';
import { SpecError } from '../../src/spec/errors.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'eoc-outdir-'));
  writeFileSync(join(dir, 'afile'), 'x');
});
afterAll(() => {
  if (dir) {
    spawnSync('chattr', ['-i', join(dir, 'immutable')]);
    rmSync(dir, { recursive: true, force: true });
  }
});

function refused(raw: string): string {
  try {
    prepareOutDir(raw, '--out');
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    return (e as Error).message;
  }
  throw new Error(`${raw} was accepted`);
}

const errno = (code: string, syscall: string, path?: string) => Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, errno: -1, ...(path ? { path } : {}) });

describe('prepareOutDir', () => {
  it('accepts an existing folder and a path still to create, and creates nothing', () => {
    expect(prepareOutDir(dir)).toBe(dir);
    expect(prepareOutDir(join(dir, 'new', 'deeper'))).toBe(join(dir, 'new', 'deeper'));
    expect(existsSync(join(dir, 'new'))).toBe(false);
    expect(readdirSync(dir)).toEqual(['afile']); // the write probe is gone
  });

  it('refuses an empty name, an existing file, a path under a file', () => {
    expect(refused('')).toBe('--out: give a directory (got an empty string)');
    expect(refused('  ')).toMatch(/^--out: give a directory/);
    expect(refused(join(dir, 'afile'))).toBe(`cannot write ${join(dir, 'afile')}: it exists and is not a directory (--out)`);
    expect(refused(join(dir, 'afile', 'x', 'y'))).toBe(`cannot write ${join(dir, 'afile', 'x', 'y')}: ${join(dir, 'afile')} is a file, not a directory (--out)`);
    expect(refused('/dev/null')).toMatch(/^cannot write \/dev\/null: it exists and is not a directory/);
  });

  it('refuses /proc and /sys (pseudo file systems, where a write fails or blocks)', () => {
    expect(pseudoFileSystem('/proc')).toBe('proc');
    expect(pseudoFileSystem('/sys')).toBe('sysfs');
    expect(pseudoFileSystem(dir)).toBeNull();
    expect(refused('/proc/eoc-out')).toBe('cannot write /proc/eoc-out: /proc is on the proc pseudo file system, not a place for files (--out)');
    expect(refused('/proc/self/x')).toMatch(/^cannot write \/proc\/self\/x: \/proc\/self is on the proc pseudo file system/);
    expect(refused('/sys/kernel/eoc')).toMatch(/sysfs pseudo file system/);
  });

  it('refuses a folder where no file can be created (immutable: EPERM even for root)', (ctx) => {
    const imm = join(dir, 'immutable');
    mkdirSync(imm);
    if (spawnSync('chattr', ['+i', imm]).status !== 0) ctx.skip();
    try {
      expect(refused(imm)).toBe(`cannot write ${imm}: operation not permitted (--out)`);
      expect(refused(join(imm, 'sub'))).toBe(`cannot write ${imm}: operation not permitted (--out)`);
    } finally {
      spawnSync('chattr', ['-i', imm]);
    }
  });
});

describe('userFsError: errno errors as one line', () => {
  it('real errors on a registered --out path: EEXIST, ENOTDIR, EISDIR', () => {
    const out = registerUserPath(join(dir, 'reg'), '--out');
    mkdirSync(out);
    const caught = (f: () => void) => {
      try {
        f();
      } catch (e) {
        return userFsError(e);
      }
      throw new Error('no error');
    };
    expect(caught(() => mkdirSync(out))).toBe(`cannot write ${out}: already exists (--out)`);
    writeFileSync(join(out, 'f'), '');
    expect(caught(() => mkdirSync(join(out, 'f', 'g')))).toBe(`cannot write ${join(out, 'f', 'g')}: not a directory (a part of the path is a file) (--out)`);
    expect(caught(() => writeFileSync(out, 'x'))).toBe(`cannot open ${out}: is a directory, not a file (--out)`);
  });

  it('synthetic errors: the reason, the verb from the call, the option; paths relative to the working folder', () => {
    const out = registerUserPath('reports-for-test', '--out');
    expect(out).toBe(join(process.cwd(), 'reports-for-test'));
    expect(userFsError(errno('EACCES', 'mkdir', join(out, 'x')))).toBe('cannot write reports-for-test/x: permission denied (--out)');
    expect(userFsError(errno('EROFS', 'rename', join(out, 'x')))).toBe('cannot write reports-for-test/x: read-only file system (--out)');
    expect(userFsError(errno('EPERM', 'unlink', out))).toBe('cannot write reports-for-test: operation not permitted (--out)');
    expect(userFsError(errno('ENAMETOOLONG', 'open', join(out, 'x')))).toBe('cannot open reports-for-test/x: name too long (--out)');
    expect(userFsError(errno('ELOOP', 'stat', join(out, 'x')))).toBe('cannot read reports-for-test/x: too many levels of symbolic links (--out)');
  });

  it("the machine's failures are bad input whatever the path; a failure on eoc's own files is not", () => {
    expect(userFsError(errno('ENOSPC', 'write', join(ROOT, 'dist', 'x')))).toBe(`cannot write ${join(ROOT, 'dist', 'x').replace(process.cwd() + '/', '')}: no space left on the device`);
    expect(userFsError(errno('EMFILE', 'open'))).toBe('cannot open: too many open files');
    // eoc's installation (dist/, node_modules/...): a bug of eoc's, exit 3
    expect(userFsError(errno('ENOENT', 'open', join(ROOT, 'dist', 'src', 'sweep', 'worker.js')))).toBeNull();
    expect(userFsError(errno('EACCES', 'open', join(ROOT, 'node_modules', 'x')))).toBeNull();
    // a path no option named, outside eoc: the user's file (a --from file, say)
    expect(userFsError(errno('EACCES', 'open', '/somewhere/else.jsonl'))).toBe('cannot open /somewhere/else.jsonl: permission denied');
    // not a file-system error, or an unknown code: not ours to explain
    expect(userFsError(new Error('boom'))).toBeNull();
    expect(userFsError(errno('EWHATEVER', 'open', '/x'))).toBeNull();
  });
});

describe('writeFileAtomic', () => {
  it('replaces the content whole and leaves no temporary file; a failed rename leaves the target and no temporary file', () => {
    const d = join(dir, 'atomic');
    writeFileAtomic(join(d, 'a.json'), 'one');
    writeFileAtomic(join(d, 'a.json'), 'two');
    expect(readFileSync(join(d, 'a.json'), 'utf8')).toBe('two');
    mkdirSync(join(d, 'b.json'));
    expect(() => writeFileAtomic(join(d, 'b.json'), 'x')).toThrow(/EISDIR/);
    expect(readdirSync(d).sort()).toEqual(['a.json', 'b.json']);
  });
});

describe('the CLI: exit 2 and one line, before any computation', () => {
  const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  const GRID = ['--activation', 'tanh', '--depth', '4', '--width', '8', '--gains', '0.9:1.1:0.1', '--seeds', '2'];

  it('sweep --out naming a file, a path under it, /proc; report --out whose report folder is a file', () => {
    for (const [out, msg] of [
      ['afile', 'eoc: cannot write afile: it exists and is not a directory (--out)\n'],
      ['afile/sub', 'eoc: cannot write afile/sub: afile is a file, not a directory (--out)\n'],
      ['/proc/eoc', 'eoc: cannot write /proc/eoc: /proc is on the proc pseudo file system, not a place for files (--out)\n'],
    ]) {
      const r = run(['sweep', ...GRID, '--out', out]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toBe(msg);
    }
    mkdirSync(join(dir, 'root'));
    writeFileSync(join(dir, 'root', 'kt'), '');
    const r = run(['report', ...GRID.slice(2), '--no-refine', '--out', 'root', '--name', 'kt']);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toBe('eoc: cannot write root/kt: it exists and is not a directory (--out)\n');
  }, 60_000);

  it('merge --out where sweep.json is a folder: the real EISDIR of the final rename, as one line, exit 2', () => {
    const s = run(['sweep', ...GRID, '--workers', '1', '--out', 'sw']);
    expect(s.status, s.stderr).toBe(0);
    mkdirSync(join(dir, 'blocked', 'sweep.json'), { recursive: true });
    const r = run(['merge', 'sw', '--out', 'blocked']);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toBe('eoc: cannot write blocked/sweep.json: is a directory, not a file (--out)\n');
  }, 60_000);
});
