// The stored documents of test/regression/: today's numbers for a few small configurations of every
// command, so that a change that moves them (the layer-list redesign, a faster kernel) is seen.
// Regenerate deliberately, when an issue changes numbers on purpose: `node test/regression/cases.mjs`
// (after `npm run build`), and say so in the commit.
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(HERE, '..', '..');

/** name -> eoc arguments (always --json; the wasm backend, the default on a machine without OpenBLAS) */
export const CASES = {
  'spectrum-tanh': ['spectrum', '--depth', '20', '--width', '32', '--seeds', '2'],
  'spectrum-gaussian': ['spectrum', '--depth', '20', '--width', '32', '--seeds', '2', '--init', 'gaussian', '--gain', '1.2', '--bias-std', '0.1'],
  'spectrum-relu': ['spectrum', '--depth', '20', '--width', '32', '--seeds', '2', '--activation', 'relu', '--gain', '1.4'],
  'spectrum-hard-tanh': ['spectrum', '--depth', '20', '--width', '32', '--seeds', '2', '--activation', 'hard-tanh', '--gain', '1.1', '--bias-std', '0.05'],
  theory: ['theory', '--bias-std', '0.05', '--gain', '1.2', '--depth', '50'],
  sweep: ['sweep', '--depth', '20', '--width', '32', '--seeds', '2', '--gains', '0.9:1.3:0.1', '--workers', '1'],
  compare: ['compare', '--depth', '20', '--width', '32', '--seeds', '2', '--gains', '0.9:1.3:0.1', '--workers', '1'],
  check: ['check', '--depth', '20', '--width', '32', '--gain', '5/3', '--workers', '1'],
};

export function runCase(args) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'eoc.js'), '--backend', 'wasm', ...args, '--json'], { encoding: 'utf8', cwd: ROOT });
  if (r.status !== 0 && r.status !== 1) throw new Error(`eoc ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(join(HERE, 'documents'), { recursive: true });
  for (const [name, args] of Object.entries(CASES)) {
    writeFileSync(join(HERE, 'documents', `${name}.json`), JSON.stringify(runCase(args), null, 2) + '\n');
    process.stdout.write(`${name}\n`);
  }
}
