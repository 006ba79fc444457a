/**
 * One writer per output folder: two sweeps into one --out at once (one proceeds, the other is
 * refused at once with exit 2 naming the folder and the holder's pid), stale locks of dead
 * processes taken over (also after SIGTERM, which ends eoc at once), and a race of several processes for one stale
 * lock (exactly one wins). Resume after a kill (which takes over the killed sweep's lock) is covered
 * in test/sweep/cli.test.ts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../cli/run.js';
import { acquireLock, FOLDER_LOCK, lockHolder, lockIsStale, pidAlive } from '../../src/io/lock.js';

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  pid: number;
}

function eoc(args: string[], opts: { onStart?: (kill: (s: NodeJS.Signals) => void) => void } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    opts.onStart?.((s) => child.kill(s));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, pid: child.pid! }));
  });
}

/** ~1-3 s of work on one worker: long enough that a second sweep started with it meets its lock */
const GRID = ['--activation', 'tanh', '--init', 'orthogonal', '--depth', '60', '--width', '64', '--gains', '0.9:1.3:0.1', '--seeds', '3', '--workers', '1'];

/** A pid that ran and has exited (reaped): no process has it now (pids are not reused this quickly). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const pid = Number(r.stdout);
  expect(pidAlive(pid)).toBe(false);
  return pid;
}

function writeLock(path: string, pid: number, host = hostname()): string {
  const text = JSON.stringify({ schema: 'eoc.lock/1', pid, host, startedAt: '2026-01-01T00:00:00.000Z', command: 'eoc sweep (test)', token: 'feedfeedfeedfeed' }) + '\n';
  writeFileSync(path, text);
  return text;
}

let dir: string;
beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/src/sweep/worker.js'))) throw new Error('run `npm run build` first (npm test does)');
  dir = mkdtempSync(join(tmpdir(), 'eoc-lock-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const LOCKED = /^eoc: (\S+) is in use by another eoc \(pid (\d+)\D.*\); wait for it to finish or choose another --out\n$/;

describe('output folder locks', () => {
  it('two sweeps into one --out at once: exactly one proceeds, the other exits 2 at once naming the folder and its pid', async () => {
    const [a, b] = await Promise.all([eoc(['sweep', ...GRID, '--out', 'both', '--json']), eoc(['sweep', ...GRID, '--out', 'both', '--json'])]);
    const codes = [a.code, b.code].sort();
    expect(codes, a.stderr + b.stderr).toEqual([0, 2]);
    const [winner, loser] = a.code === 0 ? [a, b] : [b, a];
    const m = LOCKED.exec(loser.stderr);
    expect(m, loser.stderr).not.toBeNull();
    expect(m![1]).toBe('both');
    expect(Number(m![2])).toBe(winner.pid);
    expect(loser.stdout).toBe('');
    // the winner's files are whole, and its lock is gone
    expect(JSON.parse(readFileSync(join(dir, 'both', 'sweep.json'), 'utf8')).complete).toBe(true);
    expect(existsSync(join(dir, 'both', FOLDER_LOCK))).toBe(false);
  }, 120_000);

  it("a live holder's lock refuses sweep, merge and report at once; the lock file is left alone", async () => {
    mkdirSync(join(dir, 'held'));
    const text = writeLock(join(dir, 'held', FOLDER_LOCK), process.pid);
    const t0 = performance.now();
    const s = await eoc(['sweep', ...GRID, '--out', 'held']);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(LOCKED);
    expect(s.stderr).toContain(`held is in use by another eoc (pid ${process.pid}, since 2026-01-01T00:00:00.000Z: eoc sweep (test))`);
    expect(performance.now() - t0).toBeLessThan(30_000); // refused before any computation (start-up only)
    const m = await eoc(['merge', join(dir, 'both'), '--out', 'held']);
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(LOCKED);
    expect(readFileSync(join(dir, 'held', FOLDER_LOCK), 'utf8')).toBe(text);
    // a report folder's lock sits beside it: <out>/.<name>.lock
    mkdirSync(join(dir, 'reports'));
    writeLock(join(dir, 'reports', '.kt.lock'), process.pid);
    const r = await eoc(['report', '--from', join(dir, 'both'), '--out', 'reports', '--name', 'kt']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^eoc: reports\/kt is in use by another eoc \(pid \d+/);
    expect(existsSync(join(dir, 'reports', 'kt'))).toBe(false);
  }, 120_000);

  it('a stale lock (its pid is dead on this host) is taken over with a note, and released at the end', async () => {
    mkdirSync(join(dir, 'stale'));
    const pid = deadPid();
    writeLock(join(dir, 'stale', FOLDER_LOCK), pid);
    const r = await eoc(['merge', join(dir, 'both'), '--out', 'stale']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`eoc: stale: taking over a stale lock (pid ${pid} is no longer running)`);
    expect(readFileSync(join(dir, 'stale', 'sweep.jsonl'), 'utf8')).toBe(readFileSync(join(dir, 'both', 'sweep.jsonl'), 'utf8'));
    expect(existsSync(join(dir, 'stale', FOLDER_LOCK))).toBe(false);
  }, 60_000);

  it('SIGTERM while a sweep holds the lock: it dies at once (no handler defers it), and --resume takes the lock over', async () => {
    const lock = join(dir, 'term', FOLDER_LOCK);
    let seen = false;
    let sentAt = 0;
    const r = await eoc(['sweep', ...GRID, '--out', 'term'], {
      onStart: (kill) => {
        const t = setInterval(() => {
          if (lockHolder(lock)) {
            seen = true;
            clearInterval(t);
            sentAt = performance.now();
            kill('SIGTERM');
          }
        }, 5);
      },
    });
    const diedIn = performance.now() - sentAt;
    expect(seen).toBe(true);
    expect(r.signal).toBe('SIGTERM');
    expect(diedIn).toBeLessThan(2000);
    const pid = lockHolder(lock)!.pid;
    expect(pidAlive(pid)).toBe(false);
    const resumed = await eoc(['sweep', ...GRID, '--out', 'term', '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`eoc: term: taking over a stale lock (pid ${pid} is no longer running)`);
    expect(existsSync(lock)).toBe(false);
  }, 120_000);

  it('several processes racing for one stale lock: exactly one takes it, the others are refused', () => {
    const folder = join(dir, 'race');
    mkdirSync(folder);
    writeLock(join(folder, FOLDER_LOCK), deadPid());
    const lockModule = pathToFileURL(join(ROOT, 'dist/src/io/lock.js')).href;
    // each racer starts at the same wall-clock moment, tries once, and holds what it got for 1.5 s
    const at = Date.now() + 1500;
    const script = `
      const { acquireLock } = await import(${JSON.stringify(lockModule)});
      while (Date.now() < ${at}) {}
      try { acquireLock(${JSON.stringify(folder)}, { log: () => {} }); process.stdout.write('won'); await new Promise((r) => setTimeout(r, 1500)); }
      catch (e) { process.stdout.write(e.name === 'SpecError' && /in use by another eoc/.test(e.message) ? 'refused' : 'error ' + e.message); }`;
    const racers = Array.from({ length: 4 }, () => spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] }));
    return Promise.all(
      racers.map(
        (c) =>
          new Promise<string>((resolve) => {
            let out = '';
            c.stdout!.on('data', (d) => (out += d));
            c.on('close', () => resolve(out));
          }),
      ),
    ).then((outs) => {
      expect(outs.sort()).toEqual(['refused', 'refused', 'refused', 'won']);
      expect(existsSync(join(folder, FOLDER_LOCK))).toBe(false);
    });
  }, 60_000);

  it('in one process: re-entrant, released once by the last holder, and only if still ours', () => {
    const folder = join(dir, 'inproc');
    const a = acquireLock(folder);
    const b = acquireLock(folder);
    const file = join(folder, FOLDER_LOCK);
    expect(lockHolder(file)?.pid).toBe(process.pid);
    a.release();
    expect(existsSync(file)).toBe(true);
    b.release();
    b.release();
    expect(existsSync(file)).toBe(false);
    // a lock replaced behind our back (not ours any more) is not removed by our release
    const c = acquireLock(folder);
    const foreign = writeLock(file, process.pid);
    c.release();
    expect(readFileSync(file, 'utf8')).toBe(foreign);
    rmSync(file);
  });

  it("another host's lock is never taken over: refused, with the file to delete if that process is gone", () => {
    const folder = join(dir, 'remote');
    mkdirSync(folder);
    const text = writeLock(join(folder, FOLDER_LOCK), deadPid(), 'another-host');
    expect(() => acquireLock(folder, { log: () => {} })).toThrow(/is in use by another eoc \(pid \d+ on another-host, .*\(if it is gone, delete .*remote\/\.eoc\.lock\)$/);
    expect(readFileSync(join(folder, FOLDER_LOCK), 'utf8')).toBe(text);
  });

  it('staleness: dead pid on this host, unreadable and older than 2 s; never another host or a live pid', () => {
    const dead = deadPid();
    const lock = (pid: number, host = hostname()) => JSON.stringify({ pid, host });
    expect(lockIsStale(lock(dead), 0)).toBe(true);
    expect(lockIsStale(lock(process.ppid), 0)).toBe(false);
    expect(lockIsStale(lock(dead, 'another-host'), 0)).toBe(false);
    expect(lockIsStale('', 100)).toBe(false);
    expect(lockIsStale('{"pid": 12', 3000)).toBe(true);
  });
});
