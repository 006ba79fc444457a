import os from 'node:os';
import { SpecError } from './errors.js';
import { message, rangeText } from '../log/message.js';
import { INITS, DEFAULT_SPEC, type ActivationName, type InitName } from './types.js';
import { ACTIVATION_FAMILIES, DEFAULT_ACTIVATION_NAMES, tryActivation } from '../activations/registry.js';
import type { LocateMethod, Shard } from '../sweep/grid.js';
import { parseArch, type ArchDraft } from './arch.js';
import { LAYOUTS, type Layout } from '../audit/mapping.js';
import { LEARN_INITS, LEARN_TASKS, type LearnInit, type LearnTaskKind } from '../learn/schemes.js';
import { GAIN_PRESETS, parseActivation, parseGain, parseGainList, parseInit, parseInteger, parseMemorySize, parseReal, parseRealList, parseChoice, type Range } from './parse.js';

/**
 * The one option table (issue 9): every option of every command, its kind, bounds, default and
 * help text. The CLI adds options to its commands from it (cli/options.ts), parses every value
 * with it (readOptions) and docs/options.md is generated from it (optionsMarkdown). Per-command
 * differences (check's 2 seeds, report's coarser grid) are entries here, stated in the help.
 */

export const COMMANDS = ['spectrum', 'theory', 'gains', 'sweep', 'compare', 'check', 'report', 'residual', 'audit', 'learn', 'merge'] as const;
export type CommandName = (typeof COMMANDS)[number];

export const METHODS = ['dense', 'matrix-free', 'auto'] as const;
/** --locate: how each seed's faithful gain is found on its curve (src/sweep/locate.ts) */
export const LOCATE_CHOICES: readonly LocateMethod[] = ['curve', 'brent'];
export type Method = (typeof METHODS)[number];

export const BACKENDS = ['native', 'compiled', 'wasm', 'js', 'auto'] as const;


/** The parsed type of every option. */
export interface OptionTypes {
  activation: ActivationName;
  init: InitName;
  depth: number;
  width: number;
  gain: number;
  gains: number[];
  biasStd: number;
  q0: number | 'fixed-point';
  seeds: number;
  seed: number;
  workers: number;
  maxMemory: number | undefined;
  method: Method;
  tolM1: number;
  tolSpread: number;
  maxEvaluations: number;
  criticalLine: boolean;
  biasStdRange: number[];
  density: boolean;
  out: string | undefined;
  resume: boolean;
  shard: Shard | undefined;
  spectra: boolean;
  refine: boolean;
  locate: LocateMethod;
  from: string | undefined;
  name: string | undefined;
  title: string | undefined;
  json: boolean;
  arch: ArchDraft | undefined;
  c0: number | undefined;
  alphas: number[] | undefined;
  layout: Layout;
  inputs: string | undefined;
  ideal: boolean;
  task: LearnTaskKind;
  inDim: number;
  outDim: number;
  singularValues: number[];
  levels: number;
  flip: number;
  features: number;
  xFile: string | undefined;
  yFile: string | undefined;
  learnInit: LearnInit;
  initScale: number;
  lr: number;
  lrMax: number;
  threshold: number;
  maxEpochs: number;
  trajectoryEpochs: number;
  trajectoryDepth: number;
  gainDepth: number;
}
export type OptionKey = keyof OptionTypes;

/** How a value is read. Numeric kinds carry their range; lists are per command (OptionUse.list). */
export type Kind =
  | { type: 'real'; range: Range }
  | { type: 'gain'; range: Range }
  | { type: 'gains'; range: Range; maxValues: number; digits: number }
  | { type: 'reals'; range: Range; maxValues: number }
  | { type: 'q0'; range: Range }
  | { type: 'integer'; range: Range }
  | { type: 'choice'; names: readonly string[]; noun: string }
  /** a registry label (src/activations/registry.ts): a family, with parameters in parentheses */
  | { type: 'activation' }
  | { type: 'size' }
  | { type: 'text' }
  | { type: 'shard' }
  | { type: 'arch' }
  | { type: 'flag' };

export interface OptionDef {
  /** the long flag, e.g. --bias-std */
  flag: string;
  /** the argument's name in help, e.g. <s>; none for flags */
  arg?: string;
  kind: Kind;
  help: string;
  /** the default (a function when it depends on the machine); undefined: not set unless given */
  default?: unknown;
  /** the default as help and docs print it */
  defaultText: string;
}

/** An option's use by one command: the table's entry with this command's differences. */
export interface OptionUse {
  key: OptionKey;
  /** a comma list of values ('items'), also with start:stop:step ranges ('ranges') */
  list?: 'items' | 'ranges';
  /** this command's bounds, default and help, when they differ */
  range?: Range;
  default?: unknown;
  defaultText?: string;
  help?: string;
  /** a negated flag (--no-refine): the value is true unless given */
  negated?: boolean;
  /** report: the option describes a new study (refused with --from) */
  study?: boolean;
  /** --q0 here takes a number only: why */
  numericOnly?: string;
}

const r = (lo: number, hi: number, why?: string, open: { lo?: boolean; hi?: boolean } = {}): Range => ({
  lo: { value: lo, open: open.lo },
  hi: { value: hi, open: open.hi },
  why,
});

/** Bounds that keep every command answering in seconds (issue 9). */
export const LIMITS = {
  gain: r(1e-4, 100, 'beyond it every statistic over- or underflows; no network is trained there'),
  biasStd: r(0, 100, 'larger sigma_b saturates every unit'),
  q0: r(1e-8, 1e4, 'larger inputs saturate every unit, smaller ones are a zero input'),
  c0: r(-1, 1, 'a correlation'),
  depth: r(1, 10000, 'the sampled and the mean-field products are O(depth)'),
  /** theory --density: the free-probability solver's cost grows with depth */
  densityDepth: r(1, 500, 'the free-probability density solves a depth-degree equation'),
  width: r(1, 16384, 'one N x N matrix per layer'),
  seeds: r(1, 10000),
  reportSeeds: r(2, 10000, 'a report needs >= 2 seeds for its standard errors and 95% intervals'),
  seed: r(0, 2 ** 32 - 1, 'a 32-bit seed'),
  workers: r(1, 256),
  tol: r(0, Infinity, 'a tolerance', { lo: true, hi: true }),
  maxEvaluations: r(1, 100, 'network evaluations per seed'),
  gainsCount: 100000,
  biasStdCount: 1000,
  /** gains are printed with 6 significant digits: a grid finer than that would print alike */
  gainDigits: 6,
} as const;

export const DEFAULT_GAINS = '0.8:1.6:0.02';
/** eoc gains: the sigma_b of its second edge-of-chaos column (docs/science.md section 8 tabulates tanh there) */
export const GAINS_BIAS_STD = 0.05;
export const REPORT_DEFAULT_GAINS = '0.8:1.6:0.05';
export const DEFAULT_BIAS_STD_RANGE = '0:0.5:0.05';

const presets = Object.keys(GAIN_PRESETS).join(', ');

/** Every option, once. */
export const OPTIONS: { [K in OptionKey]: OptionDef } = {
  activation: { flag: '--activation', arg: '<name>', kind: { type: 'activation' }, help: 'activation function phi', default: DEFAULT_SPEC.activation, defaultText: DEFAULT_SPEC.activation },
  init: { flag: '--init', arg: '<scheme>', kind: { type: 'choice', names: INITS, noun: 'init scheme' }, help: 'weight scheme: W = g O with O Haar-orthogonal, or W_ij ~ N(0, g^2/N)', default: DEFAULT_SPEC.init, defaultText: DEFAULT_SPEC.init },
  depth: { flag: '--depth', arg: '<L>', kind: { type: 'integer', range: LIMITS.depth }, help: 'number of layers', default: DEFAULT_SPEC.depth, defaultText: String(DEFAULT_SPEC.depth) },
  width: { flag: '--width', arg: '<N>', kind: { type: 'integer', range: LIMITS.width }, help: 'units per layer', default: DEFAULT_SPEC.width, defaultText: String(DEFAULT_SPEC.width) },
  gain: { flag: '--gain', arg: '<g>', kind: { type: 'gain', range: LIMITS.gain }, help: 'sigma_w, the weight scale', default: DEFAULT_SPEC.gain, defaultText: String(DEFAULT_SPEC.gain) },
  gains: {
    flag: '--gains',
    arg: '<list>',
    kind: { type: 'gains', range: LIMITS.gain, maxValues: LIMITS.gainsCount, digits: LIMITS.gainDigits },
    help: `gains g = sigma_w: a list (1,1.1,5/3,torch:tanh) or ranges start:stop:step; each gain in ${rangeText(LIMITS.gain.lo, LIMITS.gain.hi)}, at most ${LIMITS.gainsCount} gains, distinct in ${LIMITS.gainDigits} significant digits`,
    default: DEFAULT_GAINS,
    defaultText: DEFAULT_GAINS,
  },
  biasStd: { flag: '--bias-std', arg: '<s>', kind: { type: 'real', range: LIMITS.biasStd }, help: 'bias standard deviation sigma_b', default: DEFAULT_SPEC.biasStd, defaultText: String(DEFAULT_SPEC.biasStd) },
  q0: { flag: '--q0', arg: '<q>', kind: { type: 'q0', range: LIMITS.q0 }, help: "input variance |x0|^2/N, or 'fixed-point' (start at q*)", default: DEFAULT_SPEC.q0, defaultText: String(DEFAULT_SPEC.q0) },
  seeds: { flag: '--seeds', arg: '<k>', kind: { type: 'integer', range: LIMITS.seeds }, help: 'number of independent networks', default: DEFAULT_SPEC.seeds, defaultText: String(DEFAULT_SPEC.seeds) },
  seed: { flag: '--seed', arg: '<s>', kind: { type: 'integer', range: LIMITS.seed }, help: 'first seed (seeds are s, s+1, ...)', default: DEFAULT_SPEC.seed, defaultText: String(DEFAULT_SPEC.seed) },
  workers: { flag: '--workers', arg: '<k>', kind: { type: 'integer', range: LIMITS.workers }, help: 'threads doing the work (this one and k - 1 more); results do not depend on it', default: () => Math.min(os.availableParallelism(), LIMITS.workers.hi.value), defaultText: 'one per core' },
  maxMemory: { flag: '--max-memory', arg: '<size>', kind: { type: 'size' }, help: 'memory budget for all workers; base draws beyond it are regenerated layer by layer', defaultText: '80% of RAM, or EOC_MAX_MEMORY_MB' },
  method: { flag: '--method', arg: '<m>', kind: { type: 'choice', names: METHODS, noun: 'method' }, help: 'spectrum method: dense (every singular value), matrix-free (Hutchinson m1, Lanczos, SLQ) or auto (by cost)', default: 'dense', defaultText: 'dense' },
  tolM1: { flag: '--tol-m1', arg: '<t>', kind: { type: 'real', range: LIMITS.tol }, help: 'faithful needs |ln m1| <= t', default: Math.LN2, defaultText: 'ln 2 = 0.6931' },
  tolSpread: { flag: '--tol-spread', arg: '<t>', kind: { type: 'real', range: LIMITS.tol }, help: 'faithful needs std(ln s) <= t', default: Math.LN2, defaultText: 'ln 2 = 0.6931' },
  maxEvaluations: { flag: '--max-evaluations', arg: '<k>', kind: { type: 'integer', range: LIMITS.maxEvaluations }, help: 'network evaluations per seed for the recommended-gain search', default: 5, defaultText: '5' },
  criticalLine: { flag: '--critical-line', kind: { type: 'flag' }, help: 'print the edge of chaos over --bias-std-range instead', default: false, defaultText: 'off' },
  biasStdRange: {
    flag: '--bias-std-range',
    arg: '<r>',
    kind: { type: 'reals', range: LIMITS.biasStd, maxValues: LIMITS.biasStdCount },
    help: `sigma_b values for --critical-line: a list or start:stop:step, at most ${LIMITS.biasStdCount}`,
    default: DEFAULT_BIAS_STD_RANGE,
    defaultText: DEFAULT_BIAS_STD_RANGE,
  },
  density: { flag: '--density', kind: { type: 'flag' }, help: `also compute the free-probability spectral density of JJ^T at q* for --init (depth <= ${LIMITS.densityDepth.hi.value})`, default: false, defaultText: 'off' },
  out: { flag: '--out', arg: '<dir>', kind: { type: 'text' }, help: 'output folder', defaultText: 'none' },
  resume: { flag: '--resume', kind: { type: 'flag' }, help: 'continue the sweep in --out: skip (point, seed) lines already there', default: false, defaultText: 'off' },
  shard: { flag: '--shard', arg: '<i/n>', kind: { type: 'shard' }, help: 'compute only shard i of n (tasks whose canonical index is i mod n); join shards with eoc merge', defaultText: 'all' },
  spectra: { flag: '--spectra', kind: { type: 'flag' }, help: "record each network's N singular values in the JSONL", default: true, defaultText: 'on' },
  refine: { flag: '--refine', kind: { type: 'flag' }, help: 'a second pass: 5 extra gains 0.01 apart around each located m1 = 1 and min rms_log gain, for every init and seed', default: false, defaultText: 'off' },
  locate: {
    flag: '--locate',
    arg: '<m>',
    kind: { type: 'choice', names: LOCATE_CHOICES, noun: 'locate method' },
    help: "how each seed's faithful gain is found: curve (m1 = 1 and min rms_log from local cubics through the measured grid, polished with 1-2 fresh evaluations where the curve is smooth on the grid's scale, Brent finishing where it is not) or brent (Brent's root finder and minimizer on fresh evaluations only, 4-8 each); the frac_within_2 plateau's edges: cells predicted on interpolated spectra and checked by 1-2 fresh evaluations each (curve) or 4 fresh bisections each (brent)",
    default: 'curve',
    defaultText: 'curve',
  },
  from: { flag: '--from', arg: '<path>', kind: { type: 'text' }, help: 'build from saved results without recomputing: a sweep.jsonl, an eoc sweep --out folder, or a report folder', defaultText: 'measure now' },
  name: { flag: '--name', arg: '<name>', kind: { type: 'text' }, help: "study name (the folder's name)", defaultText: "'default', or 'custom' with study options" },
  title: { flag: '--title', arg: '<text>', kind: { type: 'text' }, help: "the page's heading", defaultText: 'from the study' },
  json: { flag: '--json', kind: { type: 'flag' }, help: 'print the JSON document instead of text', default: false, defaultText: 'off' },
  alphas: {
    flag: '--alphas',
    arg: '<list>',
    kind: { type: 'reals', range: { lo: { value: 0 }, hi: { value: 100 } }, maxValues: 64 },
    help: "multiples of the --arch list's residual alphas, one point each (a list or start:stop:step; every block's alpha times the value, or the value itself where the blocks start at 0): the alpha axis, with the largest faithful multiple located at each gain",
    defaultText: 'off',
  },
  layout: {
    flag: '--layout',
    arg: '<l>',
    kind: { type: 'choice', names: LAYOUTS, noun: 'weight layout' },
    help: "how the file's 2-D weights are laid out: out-in (torch's nn.Linear.weight, fan-out x fan-in) or in-out (a Keras/Flax kernel, transposed on reading)",
    default: 'out-in',
    defaultText: 'out-in',
  },
  task: { flag: '--task', arg: '<kind>', kind: { type: 'choice', names: LEARN_TASKS, noun: 'learning task' }, help: "what the nets learn: hierarchical (the paper's items from a binary tree), singular (whitened inputs, a target map with --singular-values) or npy (--x, --y)", default: 'hierarchical', defaultText: 'hierarchical' },
  inDim: { flag: '--in-dim', arg: '<n>', kind: { type: 'integer', range: r(1, 1024, 'the task is trained by full-batch descent on every layer') }, help: 'singular task: input dimension N_0', default: 8, defaultText: '8' },
  outDim: { flag: '--out-dim', arg: '<n>', kind: { type: 'integer', range: r(1, 1024, 'the task is trained by full-batch descent on every layer') }, help: 'singular task: output dimension', default: 8, defaultText: '8' },
  singularValues: { flag: '--singular-values', arg: '<list>', kind: { type: 'reals', range: r(0, 1e3, 'a target singular value', { lo: true }), maxValues: 1024 }, help: 'singular task: the target map\'s singular values s_a (at most min(in, out) of them)', default: [3, 2, 1, 0.5], defaultText: '3,2,1,0.5' },
  levels: { flag: '--levels', arg: '<n>', kind: { type: 'integer', range: r(2, 10, 'the items are the 2^(levels-1) leaves') }, help: 'hierarchical task: levels of the binary tree', default: 4, defaultText: '4' },
  flip: { flag: '--flip', arg: '<p>', kind: { type: 'real', range: r(0, 0.5, 'a probability (above 1/2 the tree is anti-correlated)') }, help: "hierarchical task: a feature's flip probability at each branch", default: 0.1, defaultText: '0.1' },
  features: { flag: '--features', arg: '<n>', kind: { type: 'integer', range: r(1, 10000, 'the output dimension') }, help: 'hierarchical task: features per item (the output dimension)', default: 30, defaultText: '30' },
  xFile: { flag: '--x', arg: '<file.npy>', kind: { type: 'text' }, help: 'npy task: inputs, shape (P, N_0)', defaultText: 'none' },
  yFile: { flag: '--y', arg: '<file.npy>', kind: { type: 'text' }, help: 'npy task: targets, shape (P, N_out)', defaultText: 'none' },
  learnInit: { flag: '--init', arg: '<schemes>', kind: { type: 'choice', names: LEARN_INITS, noun: 'learning init scheme' }, help: 'initial conditions for the learning time vs depth: gaussian (N(0, 1/fan_in)), orthogonal (end-to-end scale 1), balanced (decoupled, every mode at --init-scale), pretrained (greedy layer-wise linear autoencoders)', default: 'gaussian', defaultText: 'gaussian' },
  initScale: { flag: '--init-scale', arg: '<u0>', kind: { type: 'real', range: r(0, 10, 'an initial mode strength', { lo: true }) }, help: "the initial mode strength u0 of the trajectories (small: the paper's plateau) and of the balanced init", default: 0.001, defaultText: '0.001' },
  lr: { flag: '--lr', arg: '<rate>', kind: { type: 'real', range: r(0, 10, 'a learning rate', { lo: true }) }, help: 'learning rate of the trajectories (small, so that descent follows the continuous-time solutions; tau = 1/rate)', default: 0.005, defaultText: '0.005' },
  lrMax: { flag: '--lr-max', arg: '<rate>', kind: { type: 'real', range: r(0, 100, 'a learning rate', { lo: true }) }, help: 'the largest rate of the learning-time searches (the grid is lr-max 2^(-j/2))', default: 2, defaultText: '2' },
  threshold: { flag: '--threshold', arg: '<f>', kind: { type: 'real', range: r(0, 1, 'a fraction of the learnable loss', { lo: true, hi: true }) }, help: 'learned when L - L* <= f (L(0) - L*), L* the best linear loss, L(0) the zero map\'s', default: 0.01, defaultText: '0.01' },
  maxEpochs: { flag: '--max-epochs', arg: '<n>', kind: { type: 'integer', range: r(1, 1e7, 'epochs of full-batch descent') }, help: 'epochs at most per training run', default: 10000, defaultText: '10000' },
  trajectoryDepth: { flag: '--trajectory-depth', arg: '<k>', kind: { type: 'integer', range: r(1, 200, 'each is trained by full-batch descent') }, help: 'weight layers k of the mode-strength trajectories (k = 2: Eq. 12; deeper: Eqs. 15-16)', default: 2, defaultText: '2' },
  gainDepth: { flag: '--gain-depth', arg: '<k>', kind: { type: 'integer', range: r(2, 200, 'each is trained by full-batch descent') }, help: 'weight layers k of the nonlinear net of the training time vs gain', default: 9, defaultText: '9' },
  trajectoryEpochs: { flag: '--epochs', arg: '<n>', kind: { type: 'integer', range: r(1, 1e7, 'epochs of full-batch descent') }, help: 'epochs of the mode-strength trajectories', default: 6000, defaultText: '6000' },
  inputs: {
    flag: '--inputs',
    arg: '<file.npy>',
    kind: { type: 'text' },
    help: 'measure at these inputs instead of random ones of variance --q0: an .npy array of shape (B, N_0) (one input per row, at most 1000) or (N_0)',
    defaultText: 'random inputs of variance q0',
  },
  ideal: {
    flag: '--ideal',
    kind: { type: 'flag' },
    help: 'measure the ideally initialized model beside it (the same layers, orthogonal, no bias, at the m1 = 1 gain)',
    default: true,
    defaultText: 'on',
  },
  c0: {
    flag: '--c0',
    arg: '<c>',
    kind: { type: 'real', range: LIMITS.c0 },
    help: 'also propagate two inputs of correlation c0 (both of variance q0) and report their correlation c^l per layer beside the mean-field correlation map',
    defaultText: 'off',
  },
  arch: {
    flag: '--arch',
    arg: '<layers>',
    kind: { type: 'arch' },
    help: "the network as a layer list instead of --depth/--width/--activation: '784 > 512:gelu > 256:gelu > 10', '256:tanh x 60', '256 > res(ln > 1024:gelu > 256, alpha=1/sqrt(L)) x 12 > ln', or a .json file (README \"Describing a network\", \"Residual blocks and layernorm\"); --init and --bias-std apply to every dense layer, --gain multiplies each layer's gain",
    defaultText: 'the MLP of --depth x --width',
  },
};

const NETWORK: OptionUse[] = [{ key: 'activation' }, { key: 'init' }, { key: 'depth' }, { key: 'width' }, { key: 'gain' }, { key: 'biasStd' }, { key: 'q0' }, { key: 'seeds' }, { key: 'seed' }];

const GRID: OptionUse[] = [
  { key: 'gains' },
  { key: 'activation', list: 'items', help: 'activation functions' },
  { key: 'init', list: 'items', help: 'weight schemes' },
  { key: 'depth', list: 'items', help: 'numbers of layers' },
  { key: 'width' },
  { key: 'biasStd', list: 'ranges', help: 'bias standard deviations sigma_b' },
  { key: 'q0' },
  { key: 'seeds', help: 'independent networks per point' },
  { key: 'seed' },
  { key: 'workers' },
  { key: 'maxMemory' },
];

/** Every command's options, in help order. */
export const COMMAND_OPTIONS: { [C in CommandName]: OptionUse[] } = {
  spectrum: [...NETWORK, { key: 'arch' }, { key: 'c0' }, { key: 'maxMemory' }, { key: 'method' }, { key: 'workers', help: 'threads doing the work (this one and k - 1 more), one seed each; results do not depend on it' }, { key: 'json', help: 'print the eoc.spectrum/2 JSON document' }],
  theory: [
    { key: 'activation' },
    { key: 'init', help: 'weight scheme for --density (var_sq_norm is predicted for both)' },
    { key: 'gain' },
    { key: 'biasStd' },
    { key: 'depth', help: 'number of layers for the finite-depth predictions' },
    { key: 'q0' },
    { key: 'criticalLine' },
    { key: 'biasStdRange' },
    { key: 'density' },
    { key: 'arch', help: "the network as a layer list (as for eoc spectrum): the trajectory through its layers, per layer q^l, chi_l and ln |delta^l|, with m1; --init and --bias-std are its dense layers' defaults" },
    { key: 'json', help: 'print a JSON document (eoc.theory/2, eoc.layer-theory/1 with --arch, or eoc.critical-line/1)' },
  ],
  gains: [
    {
      key: 'activation',
      list: 'items',
      default: DEFAULT_ACTIVATION_NAMES.join(','),
      defaultText: 'every registered family at its default parameters',
      help: 'activations, one row each',
    },
    {
      key: 'biasStd',
      default: GAINS_BIAS_STD,
      defaultText: String(GAINS_BIAS_STD),
      help: 'sigma_b of the second edge-of-chaos column (the first is always sigma_b = 0)',
    },
    { key: 'json', help: 'print the eoc.gains/1 JSON document' },
  ],
  sweep: [
    ...GRID,
    { key: 'out', help: 'write dir/sweep.jsonl (one line per point and seed, appended as they finish) and dir/sweep.json' },
    { key: 'resume' },
    { key: 'shard' },
    { key: 'spectra', negated: true, help: "leave each network's N singular values out of the JSONL (smaller files; eoc report --from then cannot draw the spectra)" },
    { key: 'refine', help: 'a second pass: 5 extra gains 0.01 apart around each located m1 = 1 and min rms_log gain, measured for every init and seed (as eoc report does); not with --shard' },
    { key: 'locate' },
    { key: 'arch', help: "the network as a layer list (as for eoc spectrum) instead of --activation, --depth, --width; the gain multiplies every dense layer's, --init sets every dense layer's scheme and --bias-std fills the layers without their own" },
    { key: 'c0', help: 'also propagate two inputs of correlation c0 and record their correlation c^l per layer at every gain (eoc report measures it at c0 = 0.5: its correlation figure)' },
    { key: 'alphas' },
    { key: 'json', help: 'print the eoc.sweep/3 JSON document (eoc.sweep/4 with --arch)' },
  ],
  compare: [
    ...GRID.filter((u) => u.key !== 'init'),
    { key: 'arch', help: "the network as a layer list (as for eoc spectrum), measured with both schemes at every gain; the gain multiplies every dense layer's" },
    { key: 'json', help: 'print the eoc.compare/2 JSON document (eoc.compare/3 with --arch)' },
  ],
  check: [
    ...NETWORK.map((u): OptionUse => (u.key === 'seeds' ? { key: 'seeds', default: 2, defaultText: '2', help: 'number of independent networks (2 here: one per core keeps the default check under 10 s)' } : u)),
    { key: 'arch' },
    { key: 'maxMemory' },
    { key: 'tolM1' },
    { key: 'tolSpread' },
    { key: 'maxEvaluations' },
    { key: 'workers' },
    { key: 'json', help: 'print the eoc.check/3 JSON document' },
  ],
  report: [
    { key: 'from' },
    { key: 'out', default: 'reports', defaultText: 'reports', help: 'output root; the report goes to <dir>/<name>/' },
    { key: 'name' },
    { key: 'title' },
    { key: 'activation', list: 'items', study: true, default: 'tanh,linear', defaultText: 'tanh,linear', help: 'activations' },
    { key: 'init', list: 'items', study: true, default: 'orthogonal,gaussian', defaultText: 'orthogonal,gaussian', help: 'weight schemes' },
    { key: 'depth', study: true },
    { key: 'width', study: true },
    { key: 'gains', study: true, default: REPORT_DEFAULT_GAINS, defaultText: REPORT_DEFAULT_GAINS, help: `the coarse gain grid (coarser than eoc sweep's ${DEFAULT_GAINS}: the report refines around the located gains); values and start:stop:step ranges, at least 3` },
    { key: 'biasStd', study: true },
    {
      key: 'q0',
      study: true,
      numericOnly: 'its mean-field curves and data need one input variance for every gain',
      help: 'input variance |x0|^2/N: a number (the report draws mean-field curves for one input variance at every gain, so not fixed-point)',
    },
    { key: 'arch', study: true, help: "the network as a layer list (as for eoc spectrum) instead of --activation, --depth, --width; its figures show the measurements with the layer-list mean field (no free-probability density or phase diagram: those are for identical layers)" },
    { key: 'seeds', study: true, range: LIMITS.reportSeeds, help: 'independent networks per point (at least 2: the report prints standard errors)' },
    { key: 'seed', study: true },
    { key: 'refine', negated: true, study: true, default: true, defaultText: 'on', help: 'measure the coarse grid only (no refined gains around the located ones)' },
    { key: 'locate', study: true },
    { key: 'workers', study: true },
    { key: 'maxMemory', study: true },
  ],
  residual: [
    { key: 'width', default: 128, defaultText: '128', help: 'the stream width N (every block is N:ACTIVATION > N)' },
    { key: 'depth', list: 'items', default: '6,12,24,48', defaultText: '6,12,24,48', help: 'numbers of residual blocks, one point each' },
    { key: 'activation', default: 'gelu', defaultText: 'gelu', help: "the branch's activation" },
    { key: 'init' },
    { key: 'gain', help: "sigma_w of every dense layer (the scalings' own factors multiply it)" },
    { key: 'q0', numericOnly: 'a layer list has no single fixed point to start at' },
    { key: 'seeds', default: 2, defaultText: '2', help: 'independent networks per point' },
    { key: 'seed' },
    { key: 'tolM1' },
    { key: 'tolSpread' },
    { key: 'out', default: 'reports', defaultText: 'reports', help: 'output root; the study goes to <dir>/<name>/ (residual.json, residual.vl.json, .svg, .png, index.html)' },
    { key: 'name', default: 'residual', defaultText: 'residual', help: "the folder's name" },
    { key: 'json', help: 'print the eoc.residual-study/1 JSON document' },
  ],
  audit: [
    { key: 'arch', help: "the model's layer list, as for eoc spectrum (safetensors, .npz, .npy: required, the file holds no activations; an .onnx file gives its own). The file's weights fill its dense layers in order (README \"eoc audit\"); --init, --gain and --bias-std do not apply" },
    { key: 'layout' },
    { key: 'q0', numericOnly: 'a real model has no single fixed point to start at', help: 'variance |x|^2/N_0 of the random inputs' },
    { key: 'inputs' },
    { key: 'seeds', default: 2, defaultText: '2', help: 'number of random input directions (and of the ideal model\'s networks)' },
    { key: 'seed', help: 'first seed of the input directions, output errors and the ideal model\'s draws' },
    { key: 'method', default: 'auto', defaultText: 'auto', help: 'spectrum method: dense (every singular value), matrix-free (Hutchinson m1 and Lanczos s_max, through the real layers) or auto (dense up to about N = 1024 at 12 layers, matrix-free beyond: AUDIT_DENSE_COST)' },
    { key: 'ideal', negated: true, help: 'skip the ideally initialized model (faster: no gain search)' },
    { key: 'tolM1' },
    { key: 'tolSpread' },
    { key: 'maxEvaluations', help: "network evaluations per seed for the ideal model's m1 = 1 gain search" },
    { key: 'out', help: 'also write a report folder <dir>/<name>/ (audit.json, audit.vl.json, audit.svg, audit.png, index.html)' },
    { key: 'name', defaultText: "audit-<the file's stem>", help: "the report folder's name" },
    { key: 'workers' },
    { key: 'maxMemory' },
    { key: 'json', help: 'print the eoc.audit/1 JSON document' },
  ],
  learn: [
    { key: 'task' },
    { key: 'levels' },
    { key: 'flip' },
    { key: 'features' },
    { key: 'inDim' },
    { key: 'outDim' },
    { key: 'singularValues' },
    { key: 'xFile' },
    { key: 'yFile' },
    { key: 'width', default: 8, defaultText: '8', help: 'hidden width of every net (at least the number of modes for --init balanced)' },
    { key: 'depth', list: 'items', default: '2,3,5,9,17,33', defaultText: '2,3,5,9,17,33', help: 'weight layers k of the learning time vs depth (the paper\'s N_l = k + 1 layers of units)' },
    { key: 'learnInit', list: 'items', default: 'gaussian,orthogonal,balanced', defaultText: 'gaussian,orthogonal,balanced', help: 'init schemes of the learning time vs depth: gaussian (scaled, N(0, 1/fan_in)), orthogonal (W_tot orthogonal), balanced (decoupled, every mode at --init-scale), pretrained (greedy layer-wise linear autoencoders, a Gaussian read-out)' },
    { key: 'initScale' },
    { key: 'trajectoryDepth', list: 'items', default: '2,5', defaultText: '2,5', help: 'weight layers k of the mode-strength trajectories, one panel each (k = 2: Eq. 12; deeper: Eqs. 15-16)' },
    { key: 'lr' },
    { key: 'trajectoryEpochs' },
    { key: 'lrMax' },
    { key: 'threshold' },
    { key: 'maxEpochs' },
    { key: 'activation', help: 'the nonlinear net of the training time vs gain (hidden layers; the read-out is linear)' },
    { key: 'gainDepth' },
    { key: 'gains', default: '0.7:1.5:0.1', defaultText: '0.7:1.5:0.1', help: 'gains of the nonlinear net, orthogonal and Gaussian' },
    { key: 'seeds', default: 2, defaultText: '2', help: 'independent initializations per point' },
    { key: 'seed' },
    { key: 'out', default: 'reports', defaultText: 'reports', help: 'output root; the study goes to <dir>/<name>/ (learn.json, learn.vl.json, .svg, .png, index.html); finished runs stream to <dir>/.<name>.learn.jsonl until the folder is written' },
    { key: 'name', default: 'learn', defaultText: 'learn', help: "the folder's name" },
    { key: 'resume', help: 'skip the runs already in <dir>/.<name>.learn.jsonl (an interrupted eoc learn with the same options)' },
    { key: 'json', help: 'print the eoc.learn/1 JSON document' },
  ],
  merge: [
    { key: 'out', help: 'write dir/sweep.jsonl and dir/sweep.json (the same files one unsharded eoc sweep --out writes)' },
    { key: 'json', help: 'print the eoc.sweep/3 JSON document' },
  ],
};

/** The use of an option by a command, or undefined. */
export function optionUse(command: CommandName, key: OptionKey): OptionUse | undefined {
  return COMMAND_OPTIONS[command].find((u) => u.key === key);
}

export function rangeOf(use: OptionUse): Range | undefined {
  const k = OPTIONS[use.key].kind;
  return use.range ?? ('range' in k ? k.range : undefined);
}

/** commander's attribute name of a flag: --bias-std -> biasStd. */
export function attributeOf(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The flag as the command takes it: --no-refine for a negated use. */
export function flagOf(use: OptionUse): string {
  const f = OPTIONS[use.key].flag;
  return use.negated ? f.replace(/^--/, '--no-') : f;
}

/** What the option accepts, for help and docs ("1..10000", "tanh | linear ...", "a size"). */
export function acceptsText(use: OptionUse): string {
  const def = OPTIONS[use.key];
  const k = def.kind;
  const range = rangeOf(use);
  let s: string;
  switch (k.type) {
    case 'choice':
      s = k.names.join(' | ');
      break;
    case 'activation':
      s = `${ACTIVATION_FAMILIES.map((f) => (f.params.length ? `${f.family}(${f.params.map((p) => p.name).join(',')})` : f.family)).join(' | ')}; parameters default to ${ACTIVATION_FAMILIES.filter((f) => f.params.length)
        .map((f) => `${f.family}(${f.params.map((p) => String(p.default)).join(',')})`)
        .join(', ')}`;
      break;
    case 'q0':
      s = use.numericOnly ? rangeText(range!.lo, range!.hi) : `${rangeText(range!.lo, range!.hi)} or fixed-point`;
      break;
    case 'gain':
      s = `${rangeText(range!.lo, range!.hi)}, a fraction (5/3) or a preset (${presets})`;
      break;
    case 'gains':
      s = `gains in ${rangeText(range!.lo, range!.hi)}, <= ${k.maxValues} values`;
      break;
    case 'reals':
      s = `${rangeText(range!.lo, range!.hi)}, <= ${k.maxValues} values`;
      break;
    case 'real':
    case 'integer':
      s = rangeText(range!.lo, range!.hi);
      if (k.type === 'integer') s = `integer ${s}`;
      break;
    case 'size':
      s = 'a size > 0: MiB, or with a unit (512M, 4G)';
      break;
    case 'text':
      s = 'non-empty text';
      break;
    case 'shard':
      s = 'i/n, 0 <= i < n';
      break;
    case 'arch':
      s = 'WIDTH[:ACTIVATION][ x COUNT], ln, res(...) items joined by >, or a .json file';
      break;
    case 'flag':
      s = 'flag';
      break;
  }
  if (use.list === 'items') s += ', comma-separated';
  if (use.list === 'ranges') s += ', comma-separated or start:stop:step';
  return s;
}

export function defaultTextOf(use: OptionUse): string {
  return use.defaultText ?? OPTIONS[use.key].defaultText;
}

/** One line of help: what it is, what it accepts, the default. */
export function helpText(use: OptionUse): string {
  const def = OPTIONS[use.key];
  const help = use.help ?? def.help;
  if (def.kind.type === 'flag') return use.negated || defaultTextOf(use) === 'off' ? help : `${help} (default ${defaultTextOf(use)})`;
  if (def.kind.type === 'text') return `${help} (default ${defaultTextOf(use)})`;
  return `${help} (${acceptsText(use)}; default ${defaultTextOf(use)})`;
}

/** The option's flag and argument as help prints it: --depth <L>, --depth <list>, --no-refine. */
export function usageOf(use: OptionUse): string {
  const def = OPTIONS[use.key];
  return `${flagOf(use)}${def.arg ? ` ${use.list ? '<list>' : def.arg}` : ''}`;
}

function defaultRaw(use: OptionUse): unknown {
  const d = use.default !== undefined ? use.default : OPTIONS[use.key].default;
  return typeof d === 'function' ? (d as () => unknown)() : d;
}

/** Parse one raw string as one value of the option's kind (list items go through here one by one). */
function parseOne(use: OptionUse, raw: string): unknown {
  const def = OPTIONS[use.key];
  const what = def.flag;
  const k = def.kind;
  const range = rangeOf(use);
  switch (k.type) {
    case 'real':
      return parseReal(raw, what, range);
    case 'gain':
      return parseGain(raw, what, range);
    case 'integer':
      return parseInteger(raw, what, range!.lo.value, range!.hi.value, range!.why);
    case 'q0': {
      const s = raw.trim().toLowerCase();
      if (s === 'fixed-point') {
        if (use.numericOnly) throw new SpecError(message.notForCommand(what, raw.trim(), use.numericOnly));
        return 'fixed-point';
      }
      return parseReal(raw, what, range);
    }
    case 'activation':
      return parseActivation(raw, what);
    case 'choice':
      if (use.key === 'init') return parseInit(raw, what);
      return parseChoice(raw, what, k.names, k.noun);
    case 'gains': {
      const gains = parseGainList(raw, what, range, k.maxValues);
      checkDistinct(gains, what, k.digits);
      return gains;
    }
    case 'reals':
      return parseRealList(raw, what, (s) => parseReal(s, what, range), k.maxValues);
    case 'size':
      return parseMemorySize(raw, what);
    case 'text':
      if (raw.trim() === '') throw new SpecError(message.noValue(what));
      return raw;
    case 'shard': {
      const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw);
      if (!m) throw new SpecError(message.badShard(what, raw));
      const index = Number(m[1]),
        count = Number(m[2]);
      if (count < 1 || index >= count) throw new SpecError(message.badShard(what, raw));
      return { index, count };
    }
    case 'arch':
      return parseArch(raw, what);
    case 'flag':
      throw new Error(`internal: ${what} is a flag`);
  }
}

/** Distinct gains must stay distinct where they are printed (6 significant digits). */
function checkDistinct(gains: number[], what: string, digits: number): void {
  const sorted = [...new Set(gains)].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) {
    if (Number(sorted[i].toPrecision(digits)) === Number(sorted[i - 1].toPrecision(digits))) {
      throw new SpecError(message.indistinct(what, sorted[i - 1], sorted[i], digits));
    }
  }
}

function parseUse(use: OptionUse, raw: string): unknown {
  if (use.list === 'items') {
    const what = OPTIONS[use.key].flag;
    if (raw.trim() === '') throw new SpecError(message.noValue(what));
    const parts = raw.split(',').map((s) => s.trim());
    if (parts.some((p) => p === '')) throw new SpecError(message.emptyItem(what, raw));
    return parts.map((p) => parseOne(use, p));
  }
  if (use.list === 'ranges') {
    const what = OPTIONS[use.key].flag;
    return parseRealList(raw, what, (s) => parseOne(use, s) as number, LIMITS.biasStdCount);
  }
  return parseOne(use, raw);
}

/** The parsed options of one command: every option it takes, given or defaulted. */
export class ParsedOptions {
  constructor(
    readonly command: CommandName,
    private readonly values: Map<OptionKey, unknown>,
    private readonly givenKeys: ReadonlySet<OptionKey>,
  ) {}

  private use(key: OptionKey, list: boolean): void {
    const u = optionUse(this.command, key);
    if (!u) throw new Error(`internal: ${this.command} has no option ${key}`);
    if ((u.list !== undefined) !== list) throw new Error(`internal: ${this.command} ${key} is ${u.list ? '' : 'not '}a list`);
  }

  /** The value of a single-valued option. */
  get<K extends OptionKey>(key: K): OptionTypes[K] {
    this.use(key, false);
    return this.values.get(key) as OptionTypes[K];
  }

  /** The values of a comma-list option (its default as a one-item list). */
  list<K extends OptionKey>(key: K): OptionTypes[K][] {
    this.use(key, true);
    return this.values.get(key) as OptionTypes[K][];
  }

  /** Whether the user gave the option. */
  given(key: OptionKey): boolean {
    return this.givenKeys.has(key);
  }

  /** The flags of the given options among keys, e.g. for a conflict message. */
  givenFlags(keys: readonly OptionKey[]): string[] {
    return keys.filter((k) => this.given(k)).map((k) => flagOf(optionUse(this.command, k)!));
  }
}

/**
 * Parse a command's raw options (strings as typed, booleans for flags; undefined when not given):
 * every value through its kind and bounds, defaults from the table.
 */
export function readOptions(command: CommandName, raw: Record<string, unknown>): ParsedOptions {
  const values = new Map<OptionKey, unknown>();
  const given = new Set<OptionKey>();
  for (const use of COMMAND_OPTIONS[command]) {
    const def = OPTIONS[use.key];
    // commander's attribute: the flag in camelCase (the key itself, but where two keys share a flag:
    // learn's --init takes its own schemes, key learnInit)
    const v = raw[attributeOf(def.flag)];
    if (def.kind.type === 'flag') {
      const on = use.negated ? v !== false : v === true;
      if (use.negated ? v === false : v === true) given.add(use.key);
      values.set(use.key, on);
      continue;
    }
    if (v === undefined) {
      const d = defaultRaw(use);
      values.set(use.key, d === undefined ? undefined : typeof d === 'string' && def.kind.type !== 'text' ? parseUse(use, d) : use.list && !Array.isArray(d) ? [d] : d);
      continue;
    }
    if (typeof v !== 'string') throw new Error(`internal: ${def.flag} is not a string`);
    given.add(use.key);
    values.set(use.key, parseUse(use, v));
  }
  return new ParsedOptions(command, values, given);
}

/**
 * Positively homogeneous nets (linear, relu, leaky-relu: traits.homogeneous) are unbounded: at
 * sigma_b = 0 a fixed point is q* = 0 (a zero input) or, at one gain, every q; --q0 fixed-point has
 * nothing to start at.
 */
export function checkFixedPointStart(activation: ActivationName, biasStd: number, q0: number | 'fixed-point'): void {
  if (q0 !== 'fixed-point' || biasStd !== 0) return;
  const def = tryActivation(activation);
  if (!def || !def.traits.homogeneous) return;
  if (activation === 'linear') {
    throw new SpecError(message.noFixedPointStart('linear', 'has V(q) = g^2 q: every q is a fixed point at g = 1 and only q* = 0 (a zero input) elsewhere'));
  }
  if (activation === 'relu') {
    throw new SpecError(message.noFixedPointStart('relu', 'has V(q) = g^2 q / 2: q* = 0 (a zero input, every measurement n/a), or every q is a fixed point at g = sqrt 2'));
  }
  const c = def.moments(1).ePhi2;
  throw new SpecError(
    message.noFixedPointStart(activation, `has V(q) = ${c} g^2 q: q* = 0 (a zero input, every measurement n/a), or every q is a fixed point at g = ${Math.sqrt(1 / c)}`),
  );
}

/** Environment variables eoc reads: refuse what it cannot use instead of ignoring it. */
export function checkEnvironment(env: NodeJS.ProcessEnv = process.env): void {
  const mb = env.EOC_MAX_MEMORY_MB;
  if (mb !== undefined && mb !== '') {
    const v = /^\s*(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(mb) ? Number(mb) : NaN;
    if (!(v > 0) || !Number.isFinite(v)) throw new SpecError(message.badEnvironment('EOC_MAX_MEMORY_MB', mb, 'a memory budget in MiB (a number > 0, e.g. 4096)'));
  }
  const b = env.EOC_BACKEND;
  if (b !== undefined && b !== '' && b !== 'default' && !(BACKENDS as readonly string[]).includes(b)) {
    throw new SpecError(message.badEnvironment('EOC_BACKEND', b, `a backend (${BACKENDS.join(', ')})`));
  }
}

/** The global --backend option. */
export function parseBackend(raw: string | undefined): (typeof BACKENDS)[number] | undefined {
  if (raw === undefined) return undefined;
  return parseChoice(raw, '--backend', BACKENDS, 'backend');
}

/** docs/options.md: every command's options with what they accept and their defaults. */
export function optionsMarkdown(): string {
  const out: string[] = [
    '# eoc options',
    '',
    '<!-- generated from src/spec/options.ts by optionsMarkdown(); test/cli/options.test.ts checks it -->',
    '',
    'Every option of every command, with what it accepts and its default. A value outside its range',
    'is refused with one line on stderr and exit code 2. Numeric values accept decimals, exponents and',
    'fractions (5/3); gains also accept the presets ' + presets + '.',
    '',
    '| global option | accepts | default | meaning |',
    '|---|---|---|---|',
    `| \`--backend <name>\` | ${BACKENDS.join(' \\| ')} | EOC_BACKEND, else native when OpenBLAS is found, else compiled when built, else wasm | linear-algebra backend |`,
    '| `-V, --version` | flag (no command) | | print the version and the backend that runs |',
    '',
    'Environment: `EOC_MAX_MEMORY_MB` (a number > 0, MiB) sets the default memory budget; `EOC_BACKEND` the default backend.',
    '',
  ];
  for (const c of COMMANDS) {
    out.push(`## eoc ${c}`, '', '| option | accepts | default | meaning |', '|---|---|---|---|');
    for (const use of COMMAND_OPTIONS[c]) {
      const def = OPTIONS[use.key];
      const flag = usageOf(use);
      const cell = (s: string) => s.replace(/\|/g, '\\|');
      out.push(`| \`${flag}\` | ${cell(acceptsText(use))} | ${cell(def.kind.type === 'flag' && use.negated ? 'on' : defaultTextOf(use))} | ${cell(use.help ?? def.help)} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
