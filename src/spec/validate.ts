import os from 'node:os';
import { SpecError } from './errors.js';
import { INITS, DEFAULT_SPEC, type NetworkSpec } from './types.js';
import { parseActivationName } from '../activations/registry.js';
import { LIMITS, checkFixedPointStart } from './options.js';
import { message } from '../log/message.js';
import type { Range } from './parse.js';
import { resolveArch, type ArchDraft } from './arch.js';
import { allWidthsOf, denseStagesOf, hasBlocks, widthsOf, type LayerList } from '../network/layers.js';

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
/** Bytes one layer-list network needs: every layer's weights plus the working set at its largest width. */
export function layerListBytes(net: LayerList): number {
  const stages = denseStagesOf(net);
  let weights = 0;
  for (const st of stages) weights += 8 * st.width * st.fanIn;
  const m = Math.max(...allWidthsOf(net));
  // a block list also keeps each residual block's and layernorm's explicit Jacobian factor (stream width squared)
  const stream = widthsOf(net);
  const ms = Math.max(...stream);
  const explicit = net.layers.filter((l) => l.kind === 'residual' || l.kind === 'layernorm').length * 8 * ms * ms;
  return weights + explicit + workingSetBytes(m, stages.length) + 8 * m * m;
}

export function resolveSpec(partial: Omit<Partial<NetworkSpec>, 'arch'> & { arch?: ArchDraft | LayerList }, workers = 1): NetworkSpec {
  const { arch: draft, ...rest } = partial;
  const s: NetworkSpec = { ...DEFAULT_SPEC, ...stripUndefined(rest) };
  if (draft) return resolveArchSpec(s, draft, workers);
  // through the registry: any label it parses, stored under its canonical name
  s.activation = parseActivationName(s.activation, 'activation');
  if (!(INITS as readonly string[]).includes(s.init)) throw new SpecError(message.unknownName('init', s.init, 'init scheme', INITS));
  checkInt(s.depth, 'depth', LIMITS.depth);
  checkInt(s.width, 'width', LIMITS.width);
  checkInt(s.seeds, 'seeds', LIMITS.seeds);
  checkInt(s.seed, 'seed', { lo: { value: 0 }, hi: { value: 2 ** 53 - 1 } });
  checkReal(s.gain, 'gain', LIMITS.gain);
  checkReal(s.biasStd, 'bias std', LIMITS.biasStd);
  if (s.q0 !== 'fixed-point') checkReal(s.q0, 'q0', LIMITS.q0);
  checkFixedPointStart(s.activation, s.biasStd, s.q0);
  // weights that do not fit are streamed (regenerated per use): only the streaming minimum must fit
  const need = streamingNetworkBytes(s.width, s.depth) * Math.max(1, workers);
  const have = memoryBudget();
  if (need > have) {
    throw new SpecError(message.tooMuchMemory(s.width, s.depth, gib(need), gib(have), workers));
  }
  return s;
}

/**
 * A spec with --arch: the layer list (defaults from --init and --bias-std) and the summary fields
 * derived from it. Layer lists keep every layer resident, so the whole network must fit the budget.
 */
function resolveArchSpec(base: NetworkSpec, draft: ArchDraft | LayerList, workers: number): NetworkSpec {
  if (!(INITS as readonly string[]).includes(base.init)) throw new SpecError(message.unknownName('init', base.init, 'init scheme', INITS));
  checkInt(base.seeds, 'seeds', LIMITS.seeds);
  checkInt(base.seed, 'seed', { lo: { value: 0 }, hi: { value: 2 ** 53 - 1 } });
  checkReal(base.gain, 'gain', LIMITS.gain);
  checkReal(base.biasStd, 'bias std', LIMITS.biasStd);
  if (base.q0 === 'fixed-point') {
    throw new SpecError(message.conflict('--arch', '--q0 fixed-point', 'a layer list has no single fixed point to start at; give --q0 a number'));
  }
  checkReal(base.q0, 'q0', LIMITS.q0);
  const arch = resolveArch(draft, { init: base.init, biasStd: base.biasStd });
  const stages = denseStagesOf(arch);
  if (stages.length === 0) throw new SpecError(message.archLayer('--arch', 'the layer list', 'has no dense layer (a network needs at least one)'));
  if (stages.length > LIMITS.depth.hi.value) {
    throw new SpecError(message.archLayer('--arch', `${stages.length} dense layers`, `more than the ${LIMITS.depth.hi.value} allowed`));
  }
  const need = layerListBytes(arch) * Math.max(1, workers);
  const have = memoryBudget();
  if (need > have) throw new SpecError(message.archTooLarge('--arch', stages.length, gib(need), gib(have)));
  // the label: the activation every nonlinear layer shares (linear read-outs aside), or 'mixed'
  const acts = new Set(stages.map((st) => st.activation).filter((a) => a !== 'linear'));
  return {
    ...base,
    depth: stages.length,
    width: Math.max(...(hasBlocks(arch) ? allWidthsOf(arch) : widthsOf(arch))),
    activation: acts.size === 0 ? 'linear' : acts.size === 1 ? [...acts][0] : 'mixed',
    arch,
  };
}

function checkInt(v: number, what: string, r: Range): void {
  if (!Number.isInteger(v)) throw new SpecError(message.notAnInteger(what, String(v)));
  checkReal(v, what, r);
}

function checkReal(v: number, what: string, r: Range): void {
  if (!Number.isFinite(v)) throw new SpecError(message.notFinite(what, String(v)));
  const low = r.lo.open ? !(v > r.lo.value) : !(v >= r.lo.value);
  const high = r.hi.open ? !(v < r.hi.value) : !(v <= r.hi.value);
  if (low || high) throw new SpecError(message.outOfRange(what, v, r.lo, r.hi, r.why));
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
