/**
 * End-to-end: spawn `node bin/eoc.js` (npm test builds dist first; workers run dist/src/sweep/worker.js).
 * Small nets (width 64, depth 60) so each (point, seed) task takes ~0.1-0.3 s: long enough to kill a run
 * mid-sweep, short enough to keep the file fast.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify } from '../../src/measure/definitions.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin/eoc.js');

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function eoc(args: string[], opts: { killWhen?: () => boolean } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, EOC_DEBUG: '1' } });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let timer: NodeJS.Timeout | undefined;
    if (opts.killWhen) {
      timer = setInterval(() => {
        if (opts.killWhen!()) {
          clearInterval(timer);
          child.kill('SIGKILL');
        }
      }, 10);
    }
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearInterval(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const GRID = ['--activation', 'tanh', '--init', 'orthogonal,gaussian', '--depth', '60', '--width', '64', '--gains', '0.9:1.3:0.1', '--seeds', '4'];

let dir: string;
const files = (d: string) => ({ jsonl: readFileSync(join(d, 'sweep.jsonl'), 'utf8'), json: readFileSync(join(d, 'sweep.json'), 'utf8') });
let reference: { jsonl: string; json: string };
let referenceStdout: string;

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/src/sweep/worker.js'))) throw new Error('run `npm run build` first (npm test does)');
  dir = mkdtempSync(join(tmpdir(), 'eoc-sweep-'));
  // the reference: an uninterrupted run on 2 workers
  const r = await eoc(['sweep', ...GRID, '--workers', '2', '--out', join(dir, 'w2'), '--json']);
  expect(r.code, r.stderr).toBe(0);
  reference = files(join(dir, 'w2'));
  referenceStdout = r.stdout;
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('eoc sweep', () => {
  it('writes a complete eoc.sweep/3 document and one JSONL line per (point, seed)', () => {
    const doc = JSON.parse(referenceStdout);
    expect(doc.schema).toBe('eoc.sweep/3');
    expect(doc.complete).toBe(true);
    expect(doc.points).toHaveLength(2);
    expect(doc.config.gains).toEqual([0.9, 1, 1.1, 1.2, 1.3]);
    expect(reference.jsonl.trim().split('\n')).toHaveLength(8);
    expect(reference.json).toBe(referenceStdout);
    const p = doc.points[0];
    expect(p.gains[0].stats.m1.n).toBe(4);
    expect(['found', 'partial', 'none']).toContain(p.located.m1.status);
    expect(p.located.meanField.gain).toBeGreaterThan(1);
    expect(doc.faithful).toContain('faithful = |ln m1| <= ln 2 and std ln s <= ln 2');
    for (const g of p.gains) {
      // the verdict column follows the one definition, of the means over seeds
      expect(g.verdict).toBe(classify(g.stats.ln_m1.mean, g.stats.std_log.mean));
      // s_min and s_max are geometric means over seeds
      expect(Math.log(g.stats.s_min.mean)).toBeCloseTo(g.stats.ln_s_min.mean, 10);
      expect(Math.log(g.stats.s_max.mean)).toBeCloseTo(g.stats.ln_s_max.mean, 10);
      expect(g.stats.lnGradNormRatio.n).toBe(4);
    }
  });

  it('1 worker gives byte-identical results to 2 workers', async () => {
    const r = await eoc(['sweep', ...GRID, '--workers', '1', '--out', join(dir, 'w1'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(referenceStdout);
    expect(files(join(dir, 'w1'))).toEqual(reference);
  }, 60_000);

  it('a run killed mid-sweep (with a truncated last line) resumes to the uninterrupted result', async () => {
    const out = join(dir, 'killed');
    const path = join(out, 'sweep.jsonl');
    const lines = () => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').length - 1 : 0);
    const killed = await eoc(['sweep', ...GRID, '--workers', '1', '--out', out], { killWhen: () => lines() >= 2 });
    expect(killed.signal).toBe('SIGKILL');
    const before = lines();
    expect(before).toBeGreaterThanOrEqual(2);
    expect(before).toBeLessThan(8);
    // the killed sweep's lock stays behind; its pid is dead, so the next writer takes it over
    expect(existsSync(join(out, '.eoc.lock'))).toBe(true);
    // a kill during a write leaves a partial line: simulate one
    appendFileSync(path, '{"schema":"eoc.sweep-record/2","config":{"gains":[0.9,');
    const again = await eoc(['sweep', ...GRID, '--workers', '2', '--out', out]);
    expect(again.code).toBe(2); // refuses to overwrite without --resume
    expect(again.stderr).toMatch(/--resume/);
    expect(again.stderr).toMatch(/taking over a stale lock \(pid \d+ is no longer running\)/);
    const resumed = await eoc(['sweep', ...GRID, '--workers', '2', '--out', out, '--resume', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/dropped 1 incomplete line/);
    expect(resumed.stderr).toMatch(new RegExp(`${before} of 8 tasks already finished`));
    expect(resumed.stdout).toBe(referenceStdout);
    expect(files(out)).toEqual(reference);
    expect(readdirSync(out).sort()).toEqual(['sweep.json', 'sweep.jsonl']); // no lock or temporary file left
  }, 60_000);

  it('--shard 0/3..2/3 then eoc merge equals the unsharded run', async () => {
    const shards = await Promise.all(
      [0, 1, 2].map((i) => eoc(['sweep', ...GRID, '--workers', '1', '--shard', `${i}/3`, '--out', join(dir, `shard${i}`)])),
    );
    for (const s of shards) expect(s.code, s.stderr).toBe(0);
    const counts = [0, 1, 2].map((i) => files(join(dir, `shard${i}`)).jsonl.trim().split('\n').length);
    expect(counts).toEqual([3, 3, 2]);
    const m = await eoc(['merge', ...[0, 1, 2].map((i) => join(dir, `shard${i}`, 'sweep.jsonl')), '--out', join(dir, 'merged'), '--json']);
    expect(m.code, m.stderr).toBe(0);
    expect(m.stdout).toBe(referenceStdout);
    expect(files(join(dir, 'merged'))).toEqual(reference);
    // merging a file from another sweep is a user error
    const other = await eoc(['sweep', '--activation', 'linear', '--depth', '3', '--width', '4', '--gains', '0.9:1.1:0.1', '--seeds', '1', '--out', join(dir, 'other')]);
    expect(other.code, other.stderr).toBe(0);
    const bad = await eoc(['merge', join(dir, 'shard0'), join(dir, 'other'), '--out', join(dir, 'bad')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/different sweep/);
  }, 60_000);

  it('bad grid input exits 2 with one line', async () => {
    for (const args of [
      ['--gains', '1.2:0.8:0.1'],
      ['--gains', '1,1.1'],
      ['--shard', '3/3'],
      ['--init', 'uniform'],
      ['--depth', '10,x'],
      ['--resume'],
    ]) {
      const r = await eoc(['sweep', '--width', '4', '--depth', '3', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  }, 60_000);
});

describe('eoc compare', () => {
  it('pairs orthogonal and Gaussian: orthogonal linear nets are exactly isometric at g = 1, Gaussian ones are not', async () => {
    const r = await eoc(['compare', '--activation', 'linear', '--depth', '20', '--width', '32', '--gains', '0.95,1,1.05', '--seeds', '3', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.schema).toBe('eoc.compare/2');
    const at1 = doc.points[0].gains[1];
    expect(at1.gain).toBe(1);
    expect(at1.orthogonal.rms_log.mean).toBeLessThan(1e-10);
    expect(at1.closer).toBe('orthogonal');
    // closer is decided by the paired difference in rms ln s, which is shown
    expect(at1.difference.rms_log.mean).toBeLessThan(0);
    expect(at1.verdict.orthogonal).toBe('faithful');
    expect(doc.points[0].gains[0].verdict.orthogonal).toBe('vanishing'); // ln m1 = 40 ln 0.95 = -2.05
    expect(doc.points[0].gains[2].verdict.orthogonal).toBe('exploding');
    expect(doc.faithful).toContain('faithful = |ln m1| <= ln 2');
    expect(at1.difference.std_log.mean).toBeLessThan(0);
    expect(at1.difference.std_log.n).toBe(3);
  }, 60_000);
});

describe('eoc check', () => {
  it('faithful: exit 0 (orthogonal linear at g = 1 is exactly isometric)', async () => {
    const r = await eoc(['check', '--activation', 'linear', '--init', 'orthogonal', '--depth', '30', '--width', '32', '--gain', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.schema).toBe('eoc.check/3');
    expect(doc.verdict).toBe('faithful');
    expect(doc.faithful).toContain('faithful = |ln m1| <= ln 2 and std ln s <= ln 2');
    expect(doc.recommended.gain.mean).toBeCloseTo(1, 6);
    // the m1 = 1 gain is faithful: no advice, no extra searches
    expect(doc.recommended.verdict).toBe('faithful');
    expect(doc.advice).toBeNull();
    expect(doc.perSeed.every((p: { closest: unknown; probe: unknown }) => p.closest === null && p.probe === null)).toBe(true);
    // ln(|delta^1|/|delta^L|) = (L - 1) ln g = 0 exactly at g = 1
    expect(Math.abs(doc.atGain.lnGradNormRatio.mean)).toBeLessThan(1e-12);
  }, 60_000);

  it('unfaithful: exit 1 for exploding (tanh 5/3 at depth 60, width 256, the issue example) and vanishing gains', async () => {
    const [explode, vanish] = await Promise.all([
      eoc(['check', '--depth', '60', '--width', '256', '--activation', 'tanh', '--init', 'orthogonal', '--gain', '5/3', '--json']),
      eoc(['check', '--depth', '30', '--width', '32', '--activation', 'linear', '--gain', '0.9', '--json']),
    ]);
    expect(explode.code, explode.stderr).toBe(1);
    const e = JSON.parse(explode.stdout);
    expect(e.verdict).toBe('exploding');
    // the recommended m1 = 1 gain is just above 1 (the mean field puts it near 1.19 at L = 60, q0 = 1)
    expect(e.recommended.gain.mean).toBeGreaterThan(1.05);
    expect(e.recommended.gain.mean).toBeLessThan(1.35);
    expect(Math.abs(e.recommended.at.ln_m1.mean)).toBeLessThan(0.05);
    // the m1 = 1 gain is anisotropic here (std ln s ~ 4): check says so and advises
    expect(e.recommended.verdict).toBe('anisotropic');
    const adv = e.advice;
    // the gain closest to isometry (least rms ln s) lies between 1 and the m1 = 1 gain (measured 1.025 +- 0.012)
    expect(adv.closest.criterion).toBe('min rms ln s');
    expect(adv.closest.gain.mean).toBeGreaterThan(0.95);
    expect(adv.closest.gain.mean).toBeLessThan(e.recommended.gain.mean);
    expect(adv.closest.at.rms_log.mean).toBeLessThan(e.recommended.at.rms_log.mean);
    expect(adv.closest.verdict).not.toBe('faithful');
    // mean field: a smaller input variance (q0 ~ 0.043) would pass; one measured evaluation per seed
    // there says it does (measured std ln s 0.558 +- 0.0004 against the threshold ln 2 = 0.693)
    expect(adv.meanField.q0.value).toBeLessThan(0.2);
    expect(adv.meanField.q0.value).toBeGreaterThan(0.005);
    expect(adv.probe.q0).toBe(adv.meanField.q0.value);
    expect(adv.probe.verdict).toBe('faithful');
    expect(vanish.code, vanish.stderr).toBe(1);
    expect(JSON.parse(vanish.stdout).verdict).toBe('vanishing');
    // the advice costs about 5 more network evaluations per seed (N = 256, L = 60): 52 s on 2 shared cores
  }, 120_000);

  it('text: states the definition, and where the m1 = 1 gain is anisotropic the gain closest to isometry and the q0 advice', async () => {
    const r = await eoc(['check', '--depth', '20', '--width', '32']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('faithful = |ln m1| <= ln 2 and std ln s <= ln 2 (m1 within [1/2, 2], typical s within a factor 2 of their geometric mean)');
    expect(r.stdout).toContain('ln |d1|/|dL|');
    expect(r.stdout).toContain('NOT FAITHFUL at the m1 = 1 gain (anisotropic)');
    expect(r.stdout).toMatch(/closest to isometry \(min rms ln s, same networks\): gain 1\.0\d+/);
    expect(r.stdout).toContain('a smaller input variance: mean field puts std ln s at');
    expect(r.stdout).toContain('measured on the same networks at q0');
  }, 60_000);

  it('bad input: exit 2', async () => {
    for (const args of [['--gain', 'nope'], ['--gain', '0'], ['--tol-m1', '-1'], ['--depth', '0']]) {
      const r = await eoc(['check', '--width', '4', '--depth', '3', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
    }
  }, 60_000);
});
