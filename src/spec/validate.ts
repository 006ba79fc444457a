import os from 'node:os';
import { SpecError } from './errors.js';
import { ACTIVATIONS, INITS, DEFAULT_SPEC, type NetworkSpec } from './types.js';

const MAX_SEEDS = 100000;

/**
 * Bytes the analysis of one network keeps besides its weights: about ten N x N work matrices (the
 * stable product and the Jacobi SVD) and the O(L N) per-layer vectors.
 */
export function workingSetBytes(width: number, depth: number): number {
  return 8 * (10 * width * width + 4 * depth * width);
}

/** Bytes one network needs with every layer's weights resident (cached mode). */
export function networkBytes(width: number, depth: number): number {
  return workingSetBytes(width, depth) + 8 * depth * width * width;
}

/**
 * Bytes one network needs at least: in streaming mode (base draws regenerated layer by layer when
 * they do not fit, src/network/sampler.ts) only the working set and one layer's weights stay resident.
 */
export function streamingNetworkBytes(width: number, depth: number): number {
  return workingSetBytes(width, depth) + 8 * width * width;
}

/** The memory a run may use: 80% of this machine's RAM unless told otherwise. */
export function memoryBudget(): number {
  const env = Number(process.env.EOC_MAX_MEMORY_MB);
  return Number.isFinite(env) && env > 0 ? env * 2 ** 20 : 0.8 * os.totalmem();
}

function gib(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/**
 * Fill defaults and check every field. The one place user errors about a network are found: all
 * throw SpecError with one line that names the field and the value.
 */
export function resolveSpec(partial: Partial<NetworkSpec>, workers = 1): NetworkSpec {
  const s: NetworkSpec = { ...DEFAULT_SPEC, ...stripUndefined(partial) };
  if (!(ACTIVATIONS as readonly string[]).includes(s.activation)) {
    throw new SpecError(`unknown activation '${s.activation}' (known: ${ACTIVATIONS.join(', ')})`);
  }
  if (!(INITS as readonly string[]).includes(s.init)) throw new SpecError(`unknown init '${s.init}' (known: ${INITS.join(', ')})`);
  checkInt(s.depth, 'depth', 1);
  checkInt(s.width, 'width', 1);
  checkInt(s.seeds, 'seeds', 1, MAX_SEEDS);
  checkInt(s.seed, 'seed', 0, 2 ** 53 - 1);
  if (!(Number.isFinite(s.gain) && s.gain > 0)) throw new SpecError(`gain must be a finite number > 0, got ${s.gain}`);
  if (!(Number.isFinite(s.biasStd) && s.biasStd >= 0)) throw new SpecError(`bias std must be a finite number >= 0, got ${s.biasStd}`);
  if (s.q0 !== 'fixed-point' && !(Number.isFinite(s.q0) && s.q0 > 0)) {
    throw new SpecError(`q0 must be a finite number > 0 or 'fixed-point', got ${s.q0}`);
  }
  // weights that do not fit are streamed (regenerated per use): only the streaming minimum must fit
  const need = streamingNetworkBytes(s.width, s.depth) * Math.max(1, workers);
  const have = memoryBudget();
  if (need > have) {
    throw new SpecError(
      `width ${s.width} x depth ${s.depth} needs about ${gib(need)} of memory${workers > 1 ? ` (${workers} workers)` : ''}, more than the ${gib(have)} available (--max-memory or EOC_MAX_MEMORY_MB set the budget${workers > 1 ? '; fewer --workers need less' : ''})`,
    );
  }
  return s;
}

function checkInt(v: number, what: string, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(v) || v < min || v > max) throw new SpecError(`${what} must be an integer in [${min}, ${max}], got ${v}`);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
