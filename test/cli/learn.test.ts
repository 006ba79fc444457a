import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { eoc, BIN, ROOT } from './run.js';

/** `eoc learn` (issue 16) on a small configuration: its folder, its JSON, resuming, bad input. */
describe('eoc learn', () => {
  const small = ['learn', '--levels', '3', '--features', '8', '--width', '6', '--depth', '2,4', '--gains', '0.9,1.4', '--epochs', '400', '--max-epochs', '2000', '--seeds', '2'];

  it('writes the folder (json, Vega-Lite spec, svg, png, page); the same options give byte-identical JSON', () => {
    const root = mkdtempSync(join(tmpdir(), 'eoc-learn-'));
    try {
      const a = eoc([...small, '--out', root, '--json']);
      expect(a.code, a.stderr).toBe(0);
      const b = eoc([...small, '--out', root, '--name', 'again', '--json']);
      expect(b.code, b.stderr).toBe(0);
      expect(a.stdout).toBe(b.stdout);
      const doc = JSON.parse(a.stdout) as { schema: string; depthRows: { init: string; k: number }[]; gainRows: unknown[]; trajectories: { exact: unknown }[]; locatedGain: { gain: number } | null };
      expect(doc.schema).toBe('eoc.learn/1');
      expect(doc.depthRows.map((r) => `${r.init}@${r.k}`)).toEqual(['gaussian@2', 'gaussian@4', 'orthogonal@2', 'orthogonal@4', 'balanced@2', 'balanced@4']);
      expect(doc.gainRows.length).toBe(4);
      expect(doc.trajectories.map((t) => t.exact !== null)).toEqual([true, false, true, false]);
      expect(doc.locatedGain!.gain).toBeGreaterThan(1);
      for (const f of ['learn.json', 'learn.vl.json', 'learn.svg', 'learn.png', 'index.html']) expect(existsSync(join(root, 'learn', f)), f).toBe(true);
      expect(readFileSync(join(root, 'learn', 'index.html'), 'utf8')).toMatch(/<svg[\s\S]*Learning time vs depth/);
      // the resume file is gone once the folder is written
      expect(readdirSync(root).filter((f) => f.endsWith('.learn.jsonl'))).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('--resume after an interruption gives the JSON of an uninterrupted run', async () => {
    const root = mkdtempSync(join(tmpdir(), 'eoc-learn-'));
    try {
      const args = [...small, '--out', root, '--json'];
      const whole = eoc(args);
      expect(whole.code, whole.stderr).toBe(0);
      // interrupt a second run once some units are in the resume file
      const file = join(root, '.cut.learn.jsonl');
      await new Promise<void>((resolve) => {
        const p = spawn(process.execPath, [BIN, ...args, '--name', 'cut'], { cwd: ROOT, stdio: 'ignore' });
        const timer = setInterval(() => {
          if (existsSync(file) && readFileSync(file, 'utf8').split('\n').length > 4) {
            clearInterval(timer);
            p.kill('SIGKILL');
          }
        }, 20);
        p.on('exit', () => {
          clearInterval(timer);
          resolve();
        });
      });
      expect(existsSync(file)).toBe(true);
      const resumed = eoc([...args, '--name', 'cut', '--resume']);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toMatch(/learn: resuming, \d+ run\(s\) already in/);
      expect(resumed.stdout).toBe(whole.stdout);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 120000);

  it('bad input: one line on stderr, exit 2, nothing written', () => {
    const root = mkdtempSync(join(tmpdir(), 'eoc-learn-'));
    try {
      for (const [extra, re] of [
        [['--task', 'npy'], /--task npy needs --x and --y/],
        [['--task', 'singular', '--levels', '3'], /--levels: not an option of --task singular/],
        [['--task', 'singular', '--singular-values', '3,2,1', '--in-dim', '2'], /--singular-values: 3 values, but a 8 x 2 map/],
        [['--width', '2'], /--width 2: the balanced init of the trajectories needs every hidden width >= the task's \d+ modes/],
        [['--depth', '300'], /--depth: at most 200 weight layers/],
        [['--flip', '0.7'], /flip/],
        [['--init', 'xavier'], /xavier/],
        [['--task', 'npy', '--x', join(root, 'nope.npy'), '--y', join(root, 'nope.npy')], /nope\.npy/],
      ] as [string[], RegExp][]) {
        const out = join(root, 'out');
        const r = eoc(['learn', '--width', '16', '--depth', '2', '--gains', '1', '--epochs', '10', '--max-epochs', '10', '--seeds', '1', ...extra, '--out', out]);
        expect(r.code, `${extra.join(' ')}: ${r.stderr}`).toBe(2);
        expect(r.stderr.trim().split('\n').length, r.stderr).toBe(1);
        expect(r.stderr).toMatch(re);
        expect(existsSync(join(out, 'learn')), extra.join(' ')).toBe(false);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
