import type { Command } from 'commander';
import os from 'node:os';
import { parseActivation, parseGain, parseInit, parseInteger, parseNonNegative, parsePositive } from '../src/spec/parse.js';
import { DEFAULT_SPEC, type NetworkSpec } from '../src/spec/types.js';
import { SpecError } from '../src/spec/errors.js';

/** The options every network-level command shares (DESIGN.md "Common options"). */
export function addSpecOptions(cmd: Command, which: { gain?: boolean; seedsDefault?: number } = {}): Command {
  cmd
    .option('--activation <name>', `tanh | linear | relu | hard-tanh (default ${DEFAULT_SPEC.activation})`)
    .option('--init <scheme>', `orthogonal | gaussian (default ${DEFAULT_SPEC.init})`)
    .option('--depth <L>', `number of layers (default ${DEFAULT_SPEC.depth})`)
    .option('--width <N>', `units per layer (default ${DEFAULT_SPEC.width})`);
  if (which.gain !== false) cmd.option('--gain <g>', 'sigma_w: a number, a fraction (5/3) or a preset (torch:tanh, he, xavier) (default 1)');
  cmd
    .option('--bias-std <s>', 'bias standard deviation sigma_b (default 0)')
    .option('--q0 <q>', "input variance |x0|^2/N, or 'fixed-point' (default 1)")
    .option('--seeds <k>', `number of independent networks (default ${which.seedsDefault ?? DEFAULT_SPEC.seeds})`)
    .option('--seed <s>', 'first seed (default 0)');
  return cmd;
}

export interface RawSpecOptions {
  activation?: string;
  init?: string;
  depth?: string;
  width?: string;
  gain?: string;
  biasStd?: string;
  q0?: string;
  seeds?: string;
  seed?: string;
}

/** Parse the raw strings; validation of the combination happens in resolveSpec. */
export function specFromOptions(o: RawSpecOptions): Partial<NetworkSpec> {
  return {
    activation: o.activation === undefined ? undefined : parseActivation(o.activation),
    init: o.init === undefined ? undefined : parseInit(o.init),
    depth: o.depth === undefined ? undefined : parseInteger(o.depth, '--depth', 1),
    width: o.width === undefined ? undefined : parseInteger(o.width, '--width', 1),
    gain: o.gain === undefined ? undefined : parseGain(o.gain),
    biasStd: o.biasStd === undefined ? undefined : parseNonNegative(o.biasStd, '--bias-std'),
    q0: o.q0 === undefined ? undefined : o.q0.trim() === 'fixed-point' ? 'fixed-point' : parsePositive(o.q0, '--q0'),
    seeds: o.seeds === undefined ? undefined : parseInteger(o.seeds, '--seeds', 1, 100000),
    seed: o.seed === undefined ? undefined : parseInteger(o.seed, '--seed', 0, 2 ** 32 - 1),
  };
}

/**
 * Performance options (issue 6): `--max-memory` (the memory budget: base draws are cached per seed
 * while they fit it, else regenerated layer by layer) and `--method` (spectrum method). To wire into
 * a command: `addPerformanceOptions(cmd)`, then in the action, before any work,
 * `const perf = performanceFromOptions(opts); applyMaxMemory(perf.maxMemoryMB);` and pass
 * `perf.method` as measureNetwork's `method` (runSpectrum/sweep options).
 */
export function addPerformanceOptions(cmd: Command, which: { method?: boolean } = {}): Command {
  cmd.option('--max-memory <size>', 'memory budget, in MiB or with a unit (512M, 4G); base draws beyond it are regenerated layer by layer (default 80% of RAM, or EOC_MAX_MEMORY_MB)');
  if (which.method !== false) cmd.option('--method <m>', 'spectrum method: dense (every singular value) | matrix-free (Hutchinson m1, Lanczos, SLQ) | auto (by cost) (default dense)');
  return cmd;
}

export interface RawPerformanceOptions {
  maxMemory?: string;
  method?: string;
}

export interface PerformanceOptions {
  maxMemoryMB?: number;
  method?: 'dense' | 'matrix-free' | 'auto';
}

export function performanceFromOptions(o: RawPerformanceOptions): PerformanceOptions {
  const out: PerformanceOptions = {};
  if (o.maxMemory !== undefined) out.maxMemoryMB = parseMemorySize(o.maxMemory, '--max-memory');
  if (o.method !== undefined) {
    const m = o.method.trim();
    if (m !== 'dense' && m !== 'matrix-free' && m !== 'auto') throw new SpecError(`--method must be dense, matrix-free or auto, got '${o.method}'`);
    out.method = m;
  }
  return out;
}

/** "512", "512M", "512MiB", "4G", "4GB", "1.5g", "800k": MiB */
export function parseMemorySize(raw: string, what: string): number {
  const m = /^\s*([0-9]*\.?[0-9]+)\s*([kmgt]?)(i?b)?\s*$/i.exec(raw);
  if (!m) throw new SpecError(`${what} must be a size like 512M or 4G, got '${raw}'`);
  const scale: Record<string, number> = { '': 1, k: 1 / 1024, m: 1, g: 1024, t: 1024 * 1024 };
  const mb = Number(m[1]) * scale[m[2].toLowerCase()];
  if (!(mb > 0) || !Number.isFinite(mb)) throw new SpecError(`${what} must be positive, got '${raw}'`);
  return mb;
}

/**
 * Make the budget the process-wide one: memoryBudget() (src/spec/validate.ts) reads
 * EOC_MAX_MEMORY_MB, and worker threads started afterwards inherit it. A pool of k workers should
 * give each sampleBaseDraws call `{ maxBytes: memoryBudget() / k }`.
 */
export function applyMaxMemory(mb: number | undefined): void {
  if (mb !== undefined) process.env.EOC_MAX_MEMORY_MB = String(mb);
}

/** --workers: a whole number of threads, by default one per core. */
export function workersFromOptions(raw: string | undefined, fallback = os.availableParallelism()): number {
  return raw === undefined ? fallback : parseInteger(raw, '--workers', 1, 1024);
}
