import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT } from './run.js';

const FIXTURES = join(ROOT, 'test/fixtures/arch');

/**
 * Issue 9's fuzz of bad input: every case must be refused with exit 2, exactly one line on stderr
 * starting with "eoc: ", no stack trace, nothing on stdout and nothing left in the working folder.
 * Each case runs in its own empty temp folder, 8 processes at a time (a refusal loads no numerics).
 */
interface Case {
  args: string[];
  env?: Record<string, string>;
  /** what the one line must say */
  says?: RegExp;
}

const CASES: Case[] = [
  // the list: exit 3, hangs, wrong output and silently ignored input
  { args: ['spectrum', '--gain', '1e308'], says: /--gain must be <= 100 \(allowed: 1e-4\.\.100/ },
  { args: ['spectrum', '--bias-std', '1e300'], says: /--bias-std must be <= 100/ },
  { args: ['theory', '--density', '--depth', '1000'], says: /--depth must be <= 500 .*--density/ },
  { args: ['spectrum', '--q0', '1e300'], says: /--q0 must be <= 10000/ },
  { args: ['theory', '--q0', '1e16'], says: /--q0 must be <= 10000/ },
  { args: ['theory', '--q0', '1e14'] },
  { args: ['theory', '--gain', '1e6'], says: /--gain must be <= 100/ },
  { args: ['theory', '--gain', '1e10'] },
  { args: ['theory', '--q0', '1e20'] },
  { args: ['theory', '--bias-std', '1e8'] },
  { args: ['spectrum', '--width', '10', '--depth', '2', '--q0', '1e20'] },
  { args: ['check', '--gain', '1e10', '--depth', '10', '--width', '16'] },
  { args: ['check', '--max-evaluations', '0'], says: /--max-evaluations must be >= 1/ },
  { args: ['sweep', '--gains', '1:1.0001:0.0000001'], says: /same to the 6 significant digits/ },
  { args: ['report', '--from', 'd', '--depth', '50'], says: /report --from .*--depth describes a new study/ },
  { args: ['report', '--from', 'd', '--workers', '2', '--no-refine'], says: /--no-refine, --workers describe/ },
  { args: ['spectrum'], env: { EOC_MAX_MEMORY_MB: 'abc' }, says: /EOC_MAX_MEMORY_MB='abc'/ },
  { args: ['theory'], env: { EOC_BACKEND: 'bogus' }, says: /EOC_BACKEND='bogus'/ },
  { args: ['sweep', '--out', ''], says: /--out needs a value/ },
  { args: ['report', '--out', ''], says: /--out needs a value/ },
  { args: ['merge', 'a.jsonl', '--out', ''], says: /--out needs a value/ },
  { args: ['--version', 'spectrum'], says: /--version takes no command/ },
  { args: ['spectrum', '--activation', 'relu', '--q0', 'fixed-point'], says: /relu at sigma_b = 0 .*q\* = 0.*--q0 1/ },
  { args: ['check', '--activation', 'linear', '--q0', 'fixed-point'], says: /every q is a fixed point.*--q0 1/ },
  { args: ['sweep', '--activation', 'tanh,relu', '--q0', 'fixed-point'], says: /relu at sigma_b = 0/ },
  { args: ['spectrum', '--gian', '2'], says: /^eoc: unknown option '--gian' \(did you mean --gain\?\)$/ },
  { args: ['theory', '--densty'], says: /did you mean --density\?/ },
  { args: ['spectrm'], says: /unknown command 'spectrm' \(did you mean spectrum\?\)/ },
  // each option: empty, not a number, NaN, Infinity, negative, zero, too large, x/0, unknown names
  { args: ['spectrum', '--gain', ''], says: /--gain needs a value/ },
  { args: ['spectrum', '--gain', 'abc'], says: /unknown preset 'abc'/ },
  { args: ['spectrum', '--gain', 'NaN'], says: /--gain must be a finite number/ },
  { args: ['spectrum', '--gain', 'Infinity'], says: /--gain must be a finite number/ },
  { args: ['spectrum', '--gain', '-1'], says: /--gain must be >= 1e-4/ },
  { args: ['spectrum', '--gain', '0'] },
  { args: ['spectrum', '--gain', '1/0'], says: /--gain must be a finite number, got '1\/0'/ },
  { args: ['check', '--gain', '5/0'] },
  { args: ['spectrum', '--gain', '101'] },
  { args: ['spectrum', '--gain', '0x10'], says: /--gain must be a number/ },
  { args: ['spectrum', '--depth', ''] },
  { args: ['spectrum', '--depth', '0'], says: /--depth must be >= 1 \(allowed: 1\.\.10000/ },
  { args: ['spectrum', '--depth', '10001'] },
  { args: ['spectrum', '--depth', '1.5'], says: /--depth must be an integer/ },
  { args: ['spectrum', '--depth', '-3'] },
  { args: ['spectrum', '--width', '0'] },
  { args: ['spectrum', '--width', '16385'], says: /--width must be <= 16384/ },
  { args: ['spectrum', '--width', 'abc'] },
  { args: ['spectrum', '--seeds', '0'] },
  { args: ['spectrum', '--seeds', '10001'], says: /--seeds must be <= 10000/ },
  { args: ['spectrum', '--seed', '-1'] },
  { args: ['spectrum', '--seed', '4294967296'], says: /--seed must be <= 4294967295/ },
  { args: ['spectrum', '--workers', '0'] },
  { args: ['check', '--workers', '257'], says: /--workers must be <= 256/ },
  { args: ['spectrum', '--q0', '0'], says: /--q0 must be >= 1e-8/ },
  { args: ['spectrum', '--q0', '-1'] },
  { args: ['theory', '--q0', 'NaN'] },
  { args: ['theory', '--q0', 'fixed'], says: /--q0 must be a number/ },
  { args: ['spectrum', '--bias-std', '-0.1'], says: /--bias-std must be >= 0/ },
  { args: ['theory', '--bias-std', 'Infinity'] },
  { args: ['spectrum', '--activation', 'sigmoidal'], says: /--activation: unknown activation 'sigmoidal' \(known: tanh, linear, relu, hard-tanh, leaky-relu\(slope=0.01\), erf, .*mish; parameters in parentheses/ },
  { args: ['spectrum', '--init', 'xavier'], says: /unknown init scheme 'xavier'/ },
  { args: ['spectrum', '--method', 'fast'], says: /--method: unknown method 'fast'/ },
  { args: ['spectrum', '--max-memory', 'lots'], says: /--max-memory must be a size/ },
  { args: ['spectrum', '--max-memory', '0'] },
  { args: ['check', '--tol-m1', '0'], says: /--tol-m1 must be > 0/ },
  { args: ['check', '--tol-m1', '-1'] },
  { args: ['check', '--tol-spread', 'Infinity'] },
  { args: ['check', '--max-evaluations', '101'] },
  { args: ['--backend', 'bogus', 'spectrum'], says: /--backend: unknown backend 'bogus'/ },
  // lists and ranges
  { args: ['sweep', '--gains', ''] },
  { args: ['sweep', '--gains', '1,,2'], says: /--gains: empty item/ },
  { args: ['sweep', '--gains', '1,1.1'], says: /give at least 3/ },
  { args: ['sweep', '--gains', '1.2:0.8:0.1'], says: /end is below the start/ },
  { args: ['sweep', '--gains', '0.8:1.2:0'], says: /step must be > 0/ },
  { args: ['sweep', '--gains', '0:1:0.1'], says: /--gains must be >= 1e-4/ },
  { args: ['sweep', '--gains', '1:100:0.0001'], says: /more than the 100000 allowed/ },
  { args: ['sweep', '--gains', '1:2'], says: /neither a value nor a range/ },
  { args: ['compare', '--gains', 'torch:tanhh'], says: /unknown preset 'torch:tanhh'/ },
  { args: ['sweep', '--depth', '10,x'], says: /--depth must be an integer, got 'x'/ },
  { args: ['sweep', '--activation', 'tanh,,relu'], says: /--activation: empty item/ },
  { args: ['sweep', '--bias-std', '0:1:0'] },
  { args: ['sweep', '--bias-std', '0,-1'] },
  { args: ['theory', '--critical-line', '--bias-std-range', '0:200:1'] },
  { args: ['theory', '--critical-line', '--bias-std-range', '0:100:0.01'], says: /more than the 1000 allowed/ },
  // conflicting or missing combinations
  { args: ['sweep', '--resume'], says: /--resume needs --out/ },
  { args: ['sweep', '--shard', '3/3'], says: /--shard must look like i\/n/ },
  { args: ['sweep', '--refine', '--shard', '0/2'], says: /--shard: a refined sweep places its extra gains from every seed/ },
  { args: ['theory', '--critical-line', '--gain', '2'], says: /--critical-line and --gain cannot be used together/ },
  { args: ['theory', '--bias-std-range', '0:0.1:0.05'], says: /--bias-std-range needs --critical-line/ },
  { args: ['compare', '--init', 'gaussian'], says: /unknown option '--init'/ },
  { args: ['report', '--seeds', '1'], says: /--seeds must be >= 2 .*report needs >= 2 seeds/ },
  { args: ['report', '--q0', 'fixed-point'], says: /--q0 fixed-point is not accepted here/ },
  { args: ['report', '--gains', '1,1.1'] },
  { args: ['theory', '--depth', '0'] },
  { args: ['spectrum', 'extra'] },
  { args: ['spectrum', '--seeds'], says: /argument missing/ },
  { args: ['merge'], says: /missing required argument/ },
  // --arch (issue 11): malformed strings and files, unknown activations, width mismatches, too large
  { args: ['spectrum', '--arch', ''], says: /--arch is empty/ },
  { args: ['spectrum', '--arch', '784 > > 10'], says: /--arch: item 2 '': empty item/ },
  { args: ['spectrum', '--arch', '784 > abc:gelu'], says: /--arch: item 2 'abc:gelu': .*'abc' is not a width/ },
  { args: ['spectrum', '--arch', '784 > 512:gelx > 10'], says: /unknown activation 'gelx'/ },
  { args: ['spectrum', '--arch', '784 > 512: > 10'], says: /nothing after ':'/ },
  { args: ['spectrum', '--arch', '784'], says: /no layers after the input width/ },
  { args: ['spectrum', '--arch', '784 > 0'], says: /a width must be 1\.\.16384, got 0/ },
  { args: ['spectrum', '--arch', '16 > 16:tanh x 0'], says: /the count after 'x' must be/ },
  { args: ['spectrum', '--arch', '16 > 16:leaky-relu(abc)'], says: /leaky-relu/ },
  { args: ['spectrum', '--arch', 'missing.json'], says: /--arch missing\.json: cannot read: no such file/ },
  { args: ['spectrum', '--arch', `${FIXTURES}/not-json.json`], says: /not valid JSON/ },
  { args: ['spectrum', '--arch', `${FIXTURES}/mismatch.json`], says: /layer 1: width mismatch: "in" is 500 but the layer before gives 512 units/ },
  { args: ['spectrum', '--arch', `${FIXTURES}/activation-first.json`], says: /layer 0: an activation must follow a dense layer/ },
  { args: ['spectrum', '--arch', `${FIXTURES}/unknown-activation.json`], says: /unknown activation 'swoosh'/ },
  { args: ['spectrum', '--arch', '16 > 16:tanh', '--depth', '3'], says: /--arch and --depth cannot be used together/ },
  { args: ['spectrum', '--arch', '16 > 16:tanh', '--q0', 'fixed-point'], says: /--arch and --q0 fixed-point cannot be used together/ },
  { args: ['theory', '--arch', '16 > 16:tanh', '--density'], says: /--arch and --density cannot be used together/ },
  { args: ['theory', '--arch', '16 > 8:tanh', '--q0', 'fixed-point'], says: /--arch and --q0 fixed-point cannot be used together/ },
  { args: ['check', '--arch', '16 > 8:gelu(2)'], says: /gelu/ },
  { args: ['sweep', '--arch', '16 > 16:tanh', '--width', '32'], says: /--arch and --width cannot be used together/ },
  { args: ['compare', '--arch', '16 > 16:tanh', '--q0', 'fixed-point'], says: /--arch and --q0 fixed-point cannot be used together/ },
  { args: ['report', '--arch', '16 > 16:tanh', '--depth', '5'], says: /--arch and --depth cannot be used together/ },
  { args: ['report', '--from', 'd', '--arch', '16 > 16:tanh'], says: /report --from .*--arch describes a new study/ },
  // residual blocks and layernorm (issue 14)
  { args: ['spectrum', '--arch', '64 > res(64:relu > 32)'], says: /residual block 1 \(layer 0\): its branch ends at 32 units but the stream it joins is 64 wide/ },
  { args: ['spectrum', '--arch', '64 > res(64:relu > 64, alpha=deepnorm)'], says: /deepnorm is a post-LN scaling/ },
  { args: ['spectrum', '--arch', '64 > res(64:relu > 64'], says: /unbalanced parentheses/ },
  { args: ['spectrum', '--arch', '16 > res(16)', '--c0', '0.5'], says: /--c0 cannot be used together/ },
  { args: ['theory', '--arch', '32 > 32:relu > ln'], says: /no mean-field prediction for this list: a layernorm right after an activation/ },
  { args: ['report', '--arch', '16 > res(16) x 2'], says: /report's theory figures are drawn for plain layer lists/ },
  { args: ['spectrum', '--arch', '16384 > 16384:tanh x 40'], env: { EOC_MAX_MEMORY_MB: '1024' }, says: /the 40-layer network needs about .* of memory, more than the 1\.0 GiB available/ },
];

/** Run `node bin/eoc.js args` in cwd; resolve with the exit code and both streams. */
function run(c: Case, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...c.args], { cwd, env: { ...process.env, ...c.env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Map with at most `k` promises in flight. */
async function pool<T, R>(items: T[], k: number, f: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(k, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await f(items[i]);
      }
    }),
  );
  return out;
}

describe('bad input: one line, exit 2, nothing else (issue 9)', () => {
  let root: string;
  let results: { code: number | null; stdout: string; stderr: string; left: string[] }[];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'eoc-bad-inputs-'));
    results = await pool(CASES, 8, async (c) => {
      const cwd = mkdtempSync(join(root, 'case-'));
      const r = await run(c, cwd);
      return { ...r, left: readdirSync(cwd) };
    });
  }, 300_000);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('has at least 60 cases', () => expect(CASES.length).toBeGreaterThanOrEqual(60));

  CASES.forEach((c, i) => {
    const label = [...Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${v}`), 'eoc', ...c.args.map((a) => (a === '' ? "''" : a))].join(' ');
    it(label, () => {
      const r = results[i];
      expect(r.code, `${label}\n${r.stderr}`).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^eoc: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stderr).not.toMatch(/internal error/);
      if (c.says) expect(lines[0]).toMatch(c.says);
      expect(r.left).toEqual([]);
    });
  });
});
