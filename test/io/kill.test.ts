/**
 * A report rebuilt over an existing one and SIGKILLed at seeded random moments: after every kill the
 * folder holds exactly the old report or exactly the new one (same file list, same bytes), never a
 * mix. Old and new differ in their title (study.json, the page, the figures' provenance), so a mix
 * would show.
 *
 * Bytes: provenance.json and its copy on the page carry the run's timings and clock time, which no
 * two runs share; those values (and only those) are masked before comparing. Every other byte of
 * every file is compared.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../cli/run.js';
import { recoverFolder } from '../../src/io/atomic-dir.js';
import { gainGrid, runStudy, studyConfig } from '../../src/report/study.js';

type Snapshot = Map<string, string>;

/** Every file under `dir` (relative path -> content, with the run-specific values masked). */
function snapshot(dir: string): Snapshot {
  const out: Snapshot = new Map();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), mask(readFileSync(p).toString('latin1')));
    }
  };
  walk(dir);
  return out;
}

/** Timings ("...Ms": 123) and ISO clock times vary run to run; nothing else may. */
function mask(text: string): string {
  return text.replace(/(Ms(?:"|&quot;)\s*:\s*)\d+/g, '$1#').replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '#');
}

function same(a: Snapshot, b: Snapshot): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/** mulberry32: seeded delays, so a failure can be replayed */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let dir: string;
let source: string;
const NAME = 'kt';
const rebuild = (title: string) => ['report', '--from', source, '--out', 'out', '--name', NAME, '--title', title];

function runSync(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  return r;
}

/** Start `eoc` and SIGKILL it after `delayMs` (or when `when()` first holds, then after `delayMs`); resolves when it is gone. */
function killAfter(args: string[], delayMs: number, when?: () => boolean): Promise<{ killed: boolean; ms: number }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: 'ignore' });
    let timer: NodeJS.Timeout | undefined;
    let poll: NodeJS.Timeout | undefined;
    const arm = () => (timer = setTimeout(() => child.kill('SIGKILL'), delayMs));
    if (when) {
      poll = setInterval(() => {
        if (when()) {
          clearInterval(poll);
          arm();
        }
      }, 2);
    } else arm();
    child.on('close', (_code, signal) => {
      clearTimeout(timer);
      clearInterval(poll);
      resolve({ killed: signal === 'SIGKILL', ms: performance.now() - t0 });
    });
  });
}

let oldReport: Snapshot;
let newReport: Snapshot;
let oldCopy: string;
/** one rebuild's duration here (the machine may be loaded), and its writing phase (temporary folder to exit) */
let runMs: number;
let writeMs: number;
const target = () => join(dir, 'out', NAME);
const tmpExists = () => readdirSync(join(dir, 'out')).some((n) => n.startsWith(`.${NAME}.tmp-`));

function restoreOld(): void {
  rmSync(target(), { recursive: true, force: true });
  cpSync(oldCopy, target(), { recursive: true });
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/src/sweep/worker.js'))) throw new Error('run `npm run build` first (npm test does)');
  dir = mkdtempSync(join(tmpdir(), 'eoc-kill-'));
  // a tiny study, measured here (under a second): the rebuilds' time goes to writing the report
  const config = studyConfig({ activations: ['tanh', 'linear'], inits: ['orthogonal', 'gaussian'], depth: 4, width: 8, gains: gainGrid(0.9, 1.1, 0.1), biasStd: 0, q0: 1, seeds: [0, 1], refine: false });
  const { lines } = await runStudy(config, { workers: 1 });
  source = join(dir, 'tiny.jsonl');
  writeFileSync(source, lines.map((l) => l + '\n').join(''));
  // the two known-good builds, by the very command the killed runs use
  runSync(rebuild('Old report'));
  oldReport = snapshot(target());
  oldCopy = join(dir, 'old-copy');
  cpSync(target(), oldCopy, { recursive: true });
  let tmpAt = 0;
  const t0 = performance.now();
  const r = await killAfter(rebuild('New report'), 1e9, () => {
    if (!tmpAt && tmpExists()) tmpAt = performance.now();
    return false;
  });
  runMs = r.ms;
  writeMs = runMs - (tmpAt - t0);
  newReport = snapshot(target());
  expect(tmpAt).toBeGreaterThan(0);
  expect(same(oldReport, newReport)).toBe(false);
  expect(oldReport.get('data/study.json')).toMatch(/Old report/);
  expect(newReport.get('data/study.json')).toMatch(/New report/);
  restoreOld();
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a report killed while it is rebuilt', () => {
  it('leaves the old report or the new one, never a mix (10 seeded kills over the whole run)', async () => {
    const random = rng(20261202);
    const outcomes = { old: 0, new: 0, restored: 0, killedWhileWriting: 0 };
    for (let i = 0; i < 10; i++) {
      // even kills: anywhere in the run (start-up, loading, writing, swapping); odd kills: once the
      // temporary folder exists, anywhere in the writing phase and a little past it (the swap)
      const writing = i % 2 === 1;
      const r = writing ? await killAfter(rebuild('New report'), random() * writeMs * 1.1, tmpExists) : await killAfter(rebuild('New report'), random() * runMs);
      if (r.killed && tmpExists()) outcomes.killedWhileWriting++;
      // killed exactly between the two renames, the old folder waits under its dotted name; the
      // next run (or recoverFolder) puts it back: that is the state a reader sees after recovery
      if (!existsSync(target())) {
        expect(recoverFolder(target())).toBe(true);
        outcomes.restored++;
      }
      const now = snapshot(target());
      const isOld = same(now, oldReport);
      const isNew = same(now, newReport);
      expect(isOld || isNew, `kill ${i} after ${r.ms.toFixed(0)} ms (killed: ${r.killed}) left a mixed folder`).toBe(true);
      if (isNew) {
        outcomes.new++;
        restoreOld();
      } else outcomes.old++;
    }
    // the kills did land while the new report was half written
    expect(outcomes.killedWhileWriting).toBeGreaterThan(0);

    // the next run cleans up after the killed ones: its report, and no stale lock, temp or old folder
    runSync(rebuild('New report'));
    expect(same(snapshot(target()), newReport)).toBe(true);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual([NAME]);
    console.log(`kill test: ${JSON.stringify(outcomes)}; a rebuild takes ${runMs.toFixed(0)} ms, writing ${writeMs.toFixed(0)} ms of it`);
  }, 300_000);
});
