import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { BIN, ROOT } from './run.js';

/** Spawn the CLI asynchronously (so the cases run concurrently), killed after `ms`. */
function eoc(args: string[], ms = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), ms);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Issue 9: at the edges of the option table every command answers, with numbers or words, never NaN. */
describe('answers at the bounds of the option table', () => {
  it('check --gain 100 --depth 10 --width 16: every unit saturated, ln m1 finite from the log-space derivatives; vanishing, and the search starts from the mean field', async () => {
    const r = await eoc(['check', '--gain', '100', '--depth', '10', '--width', '16', '--json']);
    expect(r.code, r.stderr).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.verdict).toBe('vanishing');
    // tanh' is carried as ln tanh' (issue 10), so the saturated net's ln m1 is a finite number
    // (about -248 here), not the -inf of 1 - tanh^2 = 0
    expect(Number.isFinite(doc.atGain.ln_m1.mean)).toBe(true);
    expect(doc.atGain.ln_m1.mean).toBeLessThan(-100);
    expect(doc.reason).toMatch(/ln m1 = -\d/);
    // the recommendation comes from a search started at the mean-field gain (1.38 at L = 10), not from
    // the clamp of the search range (20) where it ended before
    expect(doc.recommended.gain.mean).toBeGreaterThan(1);
    expect(doc.recommended.gain.mean).toBeLessThan(2);
    expect(Math.abs(doc.recommended.at.ln_m1.mean)).toBeLessThan(doc.thresholds.tolM1);
    const text = await eoc(['check', '--gain', '100', '--depth', '10', '--width', '16']);
    expect(text.stdout).not.toMatch(/NaN/);
  }, 120_000);

  it('theory at the corners of gain, q0 and sigma_b: exit 0, no NaN, within the timeout', async () => {
    const corners = [
      ['--gain', '100', '--q0', '10000', '--bias-std', '100'],
      ['--gain', '1e-4', '--q0', '1e-8'],
      ['--activation', 'relu', '--gain', '100', '--q0', '10000'],
      ['--activation', 'hard-tanh', '--gain', '1e-4', '--bias-std', '100'],
    ];
    const runs = await Promise.all(corners.map((a) => eoc(['theory', ...a], 60_000)));
    runs.forEach((r, i) => {
      expect(r.code, `${corners[i].join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stdout, corners[i].join(' ')).not.toMatch(/NaN/);
    });
  }, 120_000);
});
