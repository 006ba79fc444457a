import { archText, denseStagesOf, type Layer, type LayerList } from '../network/layers.js';
import { resolveArch, type ArchDraft } from '../spec/arch.js';
import { alphaBase, scaleAlphas } from '../network/residual.js';
import { createHash } from 'node:crypto';
import type { ActivationName, InitName } from '../spec/types.js';

/**
 * How the faithful gain is located on each seed's curve (see locate.ts). Part of the sweep's
 * identity: two runs with different settings do not merge.
 */
export interface LocateOptions {
  /**
   * 'curve' (the default since issue 13): each criterion's gain from the local cubic through the
   * curve the grid already measured, polished with at most `polishEvaluations` fresh evaluations;
   * 'brent': Brent's root finder and minimizer and fresh plateau bisections on fresh evaluations
   * only (7-8 evaluations per criterion). Absent in configs written before the curve method: Brent.
   */
  method?: LocateMethod;
  /** fresh evaluations per criterion for the curve method */
  polishEvaluations?: number;
  /** absolute tolerance in g of the m1 = 1 root (Brent); the curve method stops polishing when its step is below it */
  rootTolerance: number;
  /** absolute tolerance in g of the rms_log minimum (Brent's minimizer; the curve method stops polishing below it) */
  minTolerance: number;
  /** bisections of each edge of the frac_within_2 plateau on fresh evaluations (edge error <= grid step / 2^k) */
  plateauBisections: number;
  /**
   * 'predicted' (the default since issue 13's second step): each plateau edge's cell of width
   * step / 2^plateauBisections is predicted by bisecting frac_within_2 on the interpolated spectra
   * and verified by fresh evaluations of its ends (usually 1-2), bisection continuing from what
   * they show when the prediction is wrong; 'bisection' (or absent: every config before it) bisects
   * on fresh evaluations only. Same resolution, same estimator.
   */
  plateau?: 'predicted' | 'bisection';
  /**
   * How the curve method interpolates rms_log between known gains while it polishes the minimum:
   * 'lowest' (the default since issue 13's fourth step): on each step, every ln s_k on one cubic
   * through the lowest known gain, its two known neighbours and the next nearest, so the objective
   * is smooth across the bracket; 'moving' (or absent: every config before it): the cubic through
   * the four known gains nearest each g, whose window changes at every known gain and can put a
   * kink, and a false minimum, at the lowest one (Brent then finishes on fresh evaluations).
   */
  minWindow?: 'lowest' | 'moving';
}

export type LocateMethod = 'curve' | 'brent';
export const LOCATE_METHODS: readonly LocateMethod[] = ['curve', 'brent'];

export const DEFAULT_LOCATE: LocateOptions = { method: 'curve', polishEvaluations: 2, rootTolerance: 1e-4, minTolerance: 1e-4, plateauBisections: 4, plateau: 'predicted', minWindow: 'lowest' };

/**
 * Brent's method on fresh evaluations: `--locate brent`. No `method` key: this is the exact
 * config every sweep wrote before the curve method, so those sweeps resume and merge with it.
 */
export const BRENT_LOCATE: LocateOptions = { rootTolerance: 1e-8, minTolerance: 1e-4, plateauBisections: 4 };

/** The located-gain settings of a --locate choice. */
export function locateOptions(method: LocateMethod): LocateOptions {
  return method === 'brent' ? { ...BRENT_LOCATE } : { ...DEFAULT_LOCATE };
}

/**
 * A second pass of extra gains around the located ones (see refine.ts). For each (activation,
 * sigma_b, depth) and each init, the located m1 = 1 and min rms_log gains are averaged over seeds;
 * each centre plus each offset, rounded to a multiple of `quantum`, strictly inside the grid and not
 * on it, is an extra gain; the union over inits is measured for every init and seed, so orthogonal
 * and Gaussian stay paired at every gain. The extra gains are a pure function of the pass-1
 * records, and every pass-2 line lists the gains it measured.
 */
export interface RefineOptions {
  offsets: number[];
  quantum: number;
}

/** Five extra gains 0.01 apart around each located gain, on multiples of 0.005. */
export const DEFAULT_REFINE: RefineOptions = { offsets: [-0.02, -0.01, 0, 0.01, 0.02], quantum: 0.005 };

/**
 * A resolved sweep: every axis is an explicit list, so the config printed in a document (and
 * repeated on every JSONL line) reproduces the run. Gains are ascending and distinct; the other
 * axes keep the order given (duplicates removed).
 */
export interface SweepConfig {
  gains: number[];
  activations: ActivationName[];
  inits: InitName[];
  biasStds: number[];
  depths: number[];
  width: number;
  q0: number | 'fixed-point';
  seeds: number[];
  /** null: evaluate the grid only (eoc compare) */
  locate: LocateOptions | null;
  /** record every network's ln s (N numbers per gain; the report's density figures need them) */
  spectra: boolean;
  /** a second pass of extra gains near the located ones (needs locate), or null */
  refine: RefineOptions | null;
  /**
   * --arch: the layer list every point measures (its dense layers' missing bias stds are filled
   * from the point's sigma_b; the point's init sets every dense layer's scheme). activations,
   * depths and width then hold its summary: the shared activation (or 'mixed'), its number of
   * dense layers and its largest width. Absent for constant-width MLPs (and in their records).
   */
  arch?: ArchDraft;
  /**
   * Also propagate a pair of inputs of correlation c0 and record c^l per layer at every gain (the
   * report's correlation figure); absent: not measured (and absent from the records)
   */
  c0?: number;
  /**
   * --alphas: multiples of the --arch list's residual alphas (src/network/residual.ts alphaBase),
   * one point each, innermost in the point order; absent: the list's alphas as given (and absent
   * from the records)
   */
  alphas?: number[];
}

/** The layer list of a point of an --arch sweep: the config's, at the point's init and sigma_b. */
export function pointArch(draft: ArchDraft, init: InitName, biasStd: number): LayerList {
  const net = resolveArch(draft, { init, biasStd });
  // every dense layer, a residual branch's included
  const withInit = <L extends Layer>(l: L): L => (l.kind === 'dense' ? { ...l, init } : l.kind === 'residual' ? { ...l, branch: l.branch.map(withInit) } : l);
  return { input: net.input, layers: net.layers.map(withInit) };
}

/** One point of the grid minus the gain: the networks of one seed at this point share base draws. */
export interface SweepPoint {
  activation: ActivationName;
  init: InitName;
  biasStd: number;
  depth: number;
  /**
   * A layer list (eoc check --arch): the network itself; activation, depth and biasStd then
   * summarize it (src/spec/types.ts NetworkSpec.arch) and the gain multiplies every layer's.
   */
  arch?: LayerList;
  /** with config.alphas: this point's multiple of the list's residual alphas (arch holds the scaled list) */
  alphaScale?: number;
}

/**
 * A unit of work: one point, one seed, every gain of the grid (pass 1), or the given extra gains
 * (pass 2: `gains` set). `index` is its place in the canonical order: pass-1 tasks are 0..T-1,
 * the pass-2 task of pass-1 task i is T + i.
 */
export interface SweepTask {
  index: number;
  point: SweepPoint;
  seed: number;
  gains?: number[];
}

export function uniqueInOrder<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

/** Normalize the lists (gains ascending, duplicates out) without validating them. */
export function makeConfig(c: Omit<SweepConfig, 'spectra' | 'refine'> & { spectra?: boolean; refine?: RefineOptions | null }): SweepConfig {
  return {
    gains: uniqueInOrder(c.gains).sort((a, b) => a - b),
    activations: uniqueInOrder(c.activations),
    inits: uniqueInOrder(c.inits),
    biasStds: uniqueInOrder(c.biasStds),
    depths: uniqueInOrder(c.depths),
    width: c.width,
    q0: c.q0,
    seeds: uniqueInOrder(c.seeds),
    locate: c.locate === null ? null : { ...c.locate },
    spectra: c.spectra ?? true,
    refine: c.refine ? { offsets: [...c.refine.offsets], quantum: c.refine.quantum } : null,
    ...(c.arch ? { arch: { input: c.arch.input, layers: c.arch.layers.map((l) => ({ ...l })) } } : {}),
    ...(c.c0 !== undefined ? { c0: c.c0 } : {}),
    ...(c.alphas ? { alphas: uniqueInOrder(c.alphas).sort((a, b) => a - b) } : {}),
  };
}

/** Points in canonical order: activation, then init, then sigma_b, then depth (each as listed). */
export function enumeratePoints(c: SweepConfig): SweepPoint[] {
  const out: SweepPoint[] = [];
  for (const activation of c.activations)
    for (const init of c.inits)
      for (const biasStd of c.biasStds)
        for (const depth of c.depths) {
          if (!c.arch) out.push({ activation, init, biasStd, depth });
          else if (!c.alphas) out.push({ activation, init, biasStd, depth, arch: pointArch(c.arch, init, biasStd) });
          else {
            const arch = pointArch(c.arch, init, biasStd);
            const base = alphaBase(arch);
            for (const t of c.alphas) out.push({ activation, init, biasStd, depth, arch: scaleAlphas(arch, base, t), alphaScale: t });
          }
        }
  return out;
}

/** Every task in canonical order: point-major, seed-minor. The order results are written in. */
export function enumerateTasks(c: SweepConfig): SweepTask[] {
  const tasks: SweepTask[] = [];
  for (const point of enumeratePoints(c)) for (const seed of c.seeds) tasks.push({ index: tasks.length, point, seed });
  return tasks;
}

export interface Shard {
  index: number;
  count: number;
}

/**
 * The tasks of shard i of n: those whose canonical index is i mod n. The assignment depends only on
 * the task's place in the grid, never on which other shards run or in what order, so the n shards
 * are disjoint, cover the grid, and are balanced to within one task.
 */
export function shardTasks(tasks: readonly SweepTask[], shard?: Shard): SweepTask[] {
  if (!shard) return [...tasks];
  return tasks.filter((t) => t.index % shard.count === shard.index);
}

/** A short stable identity of a config (sha256 of its canonical JSON), for messages and file checks. */
export function configId(c: SweepConfig): string {
  return createHash('sha256').update(JSON.stringify(c)).digest('hex').slice(0, 16);
}

export function pointLabel(p: SweepPoint, width?: number): string {
  if (p.arch) return `${archText(p.arch)} (${denseStagesOf(p.arch).length} dense layers${p.alphaScale === undefined ? '' : `, alpha x ${p.alphaScale}`}), ${p.init}, sigma_b ${p.biasStd}`;
  return `${p.activation} ${p.init}, depth ${p.depth}${width === undefined ? '' : `, width ${width}`}, sigma_b ${p.biasStd}`;
}
