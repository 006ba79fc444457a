import { readFileSync } from 'node:fs';
import { SpecError } from './errors.js';
import { message } from '../log/message.js';
import { INITS, type InitName } from './types.js';
import { parseActivationName } from '../activations/registry.js';
import type { Layer, LayerList, DenseLayer, BranchLayer, ActivationLayer } from '../network/layers.js';
import { resolveResidualScalings } from '../network/residual.js';
import { FS_REASONS, isErrnoError } from '../io/fs-errors.js';

/**
 * `--arch`: a network as a layer list (src/network/layers.ts), from a short grammar or a JSON file.
 *
 * Short grammar (docs/options.md, README "Describing a network"):
 *   arch := item ( '>' item )*
 *   item := WIDTH [ ':' ACTIVATION ] [ 'x' COUNT ]
 * The first item is the input width when it is a bare number ('784 > 512:gelu > 10': input 784,
 * then a dense layer to 512 units followed by GELU, then a linear dense layer to 10). A first item
 * with an activation or a count is a layer whose input has its own width ('256:tanh x 60': sixty
 * tanh layers of width 256 on a 256-wide input). 'x COUNT' repeats the item. Every dense layer takes
 * --init and --bias-std; its gain factor is 1, so --gain (and a sweep's gain) is each layer's gain.
 *
 * JSON file (a path ending in .json):
 *   { "input": 784,
 *     "layers": [ { "type": "dense", "width": 512, "init": "orthogonal", "gain": 1.1, "biasStd": 0.05 },
 *                 { "type": "activation", "name": "gelu" }, { "type": "dense", "width": 10 } ] }
 * init, gain and biasStd are optional (--init, factor 1, --bias-std); "in" (the fan-in) may be
 * given on a dense layer and must then equal the width it receives.
 */
export interface DraftDense {
  kind: 'dense';
  width: number;
  init?: InitName;
  gain?: number;
  biasStd?: number;
}

export interface DraftLayerNorm {
  kind: 'layernorm';
  eps?: number;
}

/** A residual block as written: alpha a number or a scaling preset's name (src/network/residual.ts). */
export interface DraftResidual {
  kind: 'residual';
  alpha?: number | string;
  branch: DraftBranch[];
}

export type DraftBranch = DraftDense | ActivationLayer | DraftLayerNorm;
export type DraftLayer = DraftBranch | DraftResidual;

export interface ArchDraft {
  /** what the user gave: the grammar text or the file path */
  source?: string;
  input: number;
  layers: DraftLayer[];
}

/** Largest number of layers (dense + activation) a description may have. */
export const MAX_ARCH_LAYERS = 20000;
const WIDTH_MAX = 16384;

export function isArchFile(raw: string): boolean {
  return /\.json\s*$/i.test(raw);
}

/** The --arch value: a .json path is read as a file, anything else parsed as the short grammar. */
export function parseArch(raw: string, option = '--arch'): ArchDraft {
  if (raw.trim() === '') throw new SpecError(message.archEmpty(option));
  return isArchFile(raw) ? parseArchFile(raw.trim(), option) : parseArchText(raw, option);
}

function checkWidth(v: unknown, fail: (why: string) => never): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(`a width must be an integer, got ${JSON.stringify(v)}`);
  const w = v as number;
  if (w < 1 || w > WIDTH_MAX) fail(`a width must be 1..${WIDTH_MAX}, got ${w}`);
  return w;
}

/**
 * `text` split at the occurrences of `sep` outside parentheses ('res(8 > 8) > 8' -> 2 items), or
 * null when its parentheses do not balance.
 */
function splitTop(text: string, sep: string): string[] | null {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth < 0) return null;
    } else if (c === sep && depth === 0) {
      out.push(text.slice(from, i));
      from = i + 1;
    }
  }
  if (depth !== 0) return null;
  out.push(text.slice(from));
  return out;
}

/** 'x COUNT' at the end of an item: '256:tanh x 60', '256 x 3', '256x3', '256:relu*4', 'res(...) x 12' */
const REPEAT = /^(.*?)(?:\s*[*\u00d7]\s*|\s+x\s*|(?<=[0-9)])x\s*)([0-9]+)$/is;
/** items that are layers of the block grammar rather than WIDTH[:ACTIVATION] */
const BLOCK_ITEM = /^(?:res(?:idual)?\s*\(|\(|:|(?:ln|layernorm)\s*(?:\(|$))/i;

/** Count of layers in a draft list, residual branches' included (the MAX_ARCH_LAYERS limit). */
function layerCount(layers: readonly DraftLayer[]): number {
  let n = 0;
  for (const l of layers) n += l.kind === 'residual' ? 1 + l.branch.length : 1;
  return n;
}

function cloneDraft(l: DraftLayer): DraftLayer {
  return l.kind === 'residual' ? { ...l, branch: l.branch.map((b) => ({ ...b })) } : { ...l };
}

export function parseArchText(raw: string, option = '--arch'): ArchDraft {
  const items = splitTop(raw, '>');
  if (!items) throw new SpecError(message.archLayer(option, `'${raw.trim()}'`, 'unbalanced parentheses'));
  const layers: DraftLayer[] = [];
  let input: number | undefined;
  items.forEach((itemRaw, i) => {
    const item = itemRaw.trim();
    const fail = (why: string): never => {
      throw new SpecError(message.archItem(option, i + 1, item, why));
    };
    if (item === '') fail("empty item (two '>' in a row, or one at an end)");
    const rep = REPEAT.exec(item);
    const body = (rep ? rep[1] : item).trim();
    const count = rep ? Number(rep[2]) : 1;
    if (rep && !(count >= 1 && count <= MAX_ARCH_LAYERS)) fail(`the count after 'x' must be 1..${MAX_ARCH_LAYERS}, got ${rep[2]}`);
    if (BLOCK_ITEM.test(body)) {
      if (i === 0) fail("the first item is the input width (write e.g. '256 > res(256:relu > 256) x 12')");
      const one = parseBlockItem(body, fail, option, false);
      for (let k = 0; k < count; k++) {
        layers.push(...one.map(cloneDraft));
        if (layerCount(layers) > MAX_ARCH_LAYERS) fail(`more than ${MAX_ARCH_LAYERS} layers in all`);
      }
      return;
    }
    const dense = parseDenseItem(body, fail, `${option} item ${i + 1}`);
    if (i === 0 && dense.act === undefined && !rep) {
      input = dense.width;
      return;
    }
    if (i === 0) input = dense.width;
    for (let k = 0; k < count; k++) {
      layers.push({ kind: 'dense', width: dense.width });
      if (dense.act !== undefined && dense.act !== 'linear') layers.push({ kind: 'activation', name: dense.act });
      if (layerCount(layers) > MAX_ARCH_LAYERS) fail(`more than ${MAX_ARCH_LAYERS} layers in all`);
    }
  });
  if (layers.length === 0) {
    throw new SpecError(message.archLayer(option, `'${raw.trim()}'`, "no layers after the input width (write e.g. '784 > 512:gelu > 10')"));
  }
  return { source: raw.trim(), input: input!, layers };
}

/** WIDTH[:ACTIVATION] (the count already taken off) */
function parseDenseItem(body: string, fail: (why: string) => never, what: string): { width: number; act?: string } {
  const m = /^([^:]*?)\s*(?::\s*(.*))?$/s.exec(body)!;
  const widthText = m[1].trim();
  if (!/^[0-9]+$/.test(widthText)) fail(`expected WIDTH[:ACTIVATION][ x COUNT], like 512:gelu or 256:tanh x 60; '${widthText}' is not a width`);
  const width = checkWidth(Number(widthText), fail);
  const actText = m[2]?.trim();
  if (m[2] !== undefined && actText === '') fail("nothing after ':' (name an activation, like 512:gelu)");
  const act = actText !== undefined ? parseActivationName(actText, what) : undefined;
  return { width, act };
}

/**
 * One item of the block grammar (its count already taken off):
 *   res(BRANCH [, alpha=A])   a residual block x + alpha F(x), BRANCH items joined by '>'
 *   ln | ln(eps=E)            a layernorm
 *   :ACTIVATION               an activation on its own (after ln or a block; first in a branch)
 *   (ITEMS)                   a group, to repeat several items: '(res(256:relu > 256) > ln) x 12'
 */
function parseBlockItem(body: string, fail: (why: string) => never, option: string, inBranch: boolean): DraftLayer[] {
  const res = /^res(?:idual)?\s*\((.*)\)$/is.exec(body);
  if (res) {
    if (inBranch) fail('a residual block inside a residual branch is not supported (write the blocks one after another)');
    const parts = splitTop(res[1], ',')!;
    const branchText = parts[0].trim();
    if (branchText === '') fail("an empty residual branch (write e.g. 'res(256:relu > 256)')");
    const branch = parseSequence(branchText, fail, option, true) as DraftBranch[];
    const block: DraftResidual = { kind: 'residual', branch };
    for (const opt of parts.slice(1)) {
      const kv = /^\s*([a-z]+)\s*=\s*(.*?)\s*$/is.exec(opt);
      if (!kv || kv[1].toLowerCase() !== 'alpha') fail(`unknown residual option '${opt.trim()}' (expected alpha=NUMBER or alpha=PRESET, like alpha=0.5 or alpha=1/sqrt(L))`);
      const v = kv![2];
      block.alpha = /^[-+]?[0-9.]/.test(v) && Number.isFinite(Number(v)) ? Number(v) : v;
    }
    return [block];
  }
  const ln = /^(?:ln|layernorm)\s*(?:\((.*)\))?$/is.exec(body);
  if (ln) {
    const layer: DraftLayerNorm = { kind: 'layernorm' };
    if (ln[1] !== undefined) {
      const kv = /^\s*eps\s*=\s*(.*?)\s*$/is.exec(ln[1]);
      if (!kv) fail(`unknown layernorm option '${ln[1].trim()}' (expected eps=NUMBER, like ln(eps=1e-5))`);
      layer.eps = checkEps(Number(kv![1]), fail);
    }
    return [layer];
  }
  const act = /^:\s*(.*)$/s.exec(body);
  if (act) {
    if (act[1].trim() === '') fail("nothing after ':' (name an activation, like :relu)");
    return [{ kind: 'activation', name: parseActivationName(act[1].trim(), `${option} activation '${body}'`) }];
  }
  const group = /^\((.*)\)$/s.exec(body);
  if (group) {
    if (group[1].trim() === '') fail('an empty group ()');
    return parseSequence(group[1], fail, option, inBranch);
  }
  return fail(`expected WIDTH[:ACTIVATION], ln, res(...) or a group (...)`);
}

/** Items joined by '>' inside a residual branch or a group: every item a layer (no input width). */
function parseSequence(text: string, fail: (why: string) => never, option: string, inBranch: boolean): DraftLayer[] {
  const items = splitTop(text, '>')!;
  const out: DraftLayer[] = [];
  items.forEach((subRaw, j) => {
    const sub = subRaw.trim();
    const inner = (why: string): never => fail(`in '${text.trim()}': item ${j + 1} '${sub}': ${why}`);
    if (sub === '') inner("empty item (two '>' in a row, or one at an end)");
    const rep = REPEAT.exec(sub);
    const body = (rep ? rep[1] : sub).trim();
    const count = rep ? Number(rep[2]) : 1;
    if (rep && !(count >= 1 && count <= MAX_ARCH_LAYERS)) inner(`the count after 'x' must be 1..${MAX_ARCH_LAYERS}, got ${rep[2]}`);
    let one: DraftLayer[];
    if (BLOCK_ITEM.test(body)) one = parseBlockItem(body, inner, option, inBranch);
    else {
      const d = parseDenseItem(body, inner, `${option} '${sub}'`);
      one = [{ kind: 'dense', width: d.width }];
      if (d.act !== undefined && d.act !== 'linear') one.push({ kind: 'activation', name: d.act });
    }
    for (let k = 0; k < count; k++) {
      out.push(...one.map(cloneDraft));
      if (layerCount(out) > MAX_ARCH_LAYERS) inner(`more than ${MAX_ARCH_LAYERS} layers in all`);
    }
  });
  return out;
}

function checkEps(v: number, fail: (why: string) => never): number {
  if (!(v >= 0 && v <= 1)) fail(`a layernorm's eps must be a number in [0, 1], got ${v}`);
  return v;
}

export function parseArchFile(path: string, option = '--arch'): ArchDraft {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SpecError(message.archFile(option, path, `cannot read: ${isErrnoError(e) && e.code ? FS_REASONS[e.code] ?? e.code : (e as Error).message}`));
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new SpecError(message.archFile(option, path, `not valid JSON (${(e as Error).message.split('\n')[0]})`));
  }
  const failAt = (where: string, why: string): never => {
    throw new SpecError(message.archLayer(`${option} ${path}`, where, why));
  };
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) failAt('top level', 'expected an object { "input": N, "layers": [...] }');
  const top = doc as Record<string, unknown>;
  for (const k of Object.keys(top)) if (k !== 'input' && k !== 'layers' && k !== 'schema') failAt(`key '${k}'`, 'unknown key (expected input, layers)');
  if (top.input === undefined) failAt('top level', 'missing "input" (the input width)');
  const input = checkWidth(top.input, (why) => failAt('"input"', why));
  if (!Array.isArray(top.layers)) failAt('top level', '"layers" must be an array of layers');
  const list = top.layers as unknown[];
  if (list.length === 0) failAt('"layers"', 'is empty');
  if (list.length > MAX_ARCH_LAYERS) failAt('"layers"', `has ${list.length} layers, more than the ${MAX_ARCH_LAYERS} allowed`);
  const layers = parseJsonLayers(list, '', input, false, failAt, `${option} ${path}`);
  return { source: path, input, layers };
}

/**
 * The JSON layers of a list or of a residual branch (`prefix` names the block, 'layer 3 branch '),
 * checking each dense layer's "in" against the stream width it receives.
 */
function parseJsonLayers(
  list: unknown[],
  prefix: string,
  width: number,
  inBranch: boolean,
  failAt: (where: string, why: string) => never,
  what: string,
): DraftLayer[] {
  const layers: DraftLayer[] = [];
  let stream = width;
  const kinds = inBranch ? 'dense, activation, layernorm' : 'dense, activation, layernorm, residual';
  list.forEach((entry, i) => {
    const where = `${prefix}layer ${i}`;
    const fail = (why: string): never => failAt(where, why);
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) fail(`expected an object with "type": ${kinds.replace(/, /g, ', ')}`);
    const o = entry as Record<string, unknown>;
    const allowed: Record<string, string[]> = {
      dense: ['type', 'width', 'in', 'init', 'gain', 'biasStd'],
      activation: ['type', 'name'],
      layernorm: ['type', 'eps'],
      ...(inBranch ? {} : { residual: ['type', 'alpha', 'branch'] }),
    };
    const keys = typeof o.type === 'string' && Object.hasOwn(allowed, o.type) ? allowed[o.type] : null;
    if (!keys) {
      if (inBranch && o.type === 'residual') fail('a residual block inside a residual branch is not supported (put the blocks one after another)');
      fail(`unknown layer type ${JSON.stringify(o.type)} (known: ${kinds})`);
    }
    for (const k of Object.keys(o)) if (!keys!.includes(k)) fail(`unknown key '${k}' for a ${o.type} layer (allowed: ${keys!.slice(1).join(', ')})`);
    if (o.type === 'dense') {
      if (o.width === undefined) fail('a dense layer needs "width" (its output units)');
      const w = checkWidth(o.width, fail);
      if (o.in !== undefined && o.in !== stream) fail(`width mismatch: "in" is ${JSON.stringify(o.in)} but the layer before gives ${stream} units`);
      const d: DraftDense = { kind: 'dense', width: w };
      if (o.init !== undefined) {
        if (typeof o.init !== 'string' || !(INITS as readonly string[]).includes(o.init)) fail(`"init" must be one of ${INITS.join(', ')}, got ${JSON.stringify(o.init)}`);
        d.init = o.init as InitName;
      }
      if (o.gain !== undefined) {
        if (typeof o.gain !== 'number' || !(o.gain > 0) || !Number.isFinite(o.gain) || o.gain > 100) fail(`"gain" must be a number in (0, 100], got ${JSON.stringify(o.gain)}`);
        d.gain = o.gain as number;
      }
      if (o.biasStd !== undefined) {
        if (typeof o.biasStd !== 'number' || !(o.biasStd >= 0) || o.biasStd > 100) fail(`"biasStd" must be a number in [0, 100], got ${JSON.stringify(o.biasStd)}`);
        d.biasStd = o.biasStd as number;
      }
      layers.push(d);
      stream = w;
    } else if (o.type === 'activation') {
      if (typeof o.name !== 'string') fail('an activation layer needs "name" (like "gelu" or "leaky-relu(0.2)")');
      const prev = layers[layers.length - 1];
      if (!prev && !inBranch) fail('an activation must follow a dense layer (the first layer is dense)');
      if (prev?.kind === 'activation') fail('two activations in a row: put a dense layer between them');
      layers.push({ kind: 'activation', name: parseActivationName(o.name as string, `${what} ${where}`) });
    } else if (o.type === 'layernorm') {
      const ln: DraftLayerNorm = { kind: 'layernorm' };
      if (o.eps !== undefined) {
        if (typeof o.eps !== 'number') fail(`"eps" must be a number in [0, 1], got ${JSON.stringify(o.eps)}`);
        ln.eps = checkEps(o.eps as number, fail);
      }
      layers.push(ln);
    } else {
      if (!Array.isArray(o.branch) || o.branch.length === 0) fail('a residual layer needs "branch": a non-empty array of layers');
      const block: DraftResidual = { kind: 'residual', branch: parseJsonLayers(o.branch as unknown[], `${where} branch `, stream, true, failAt, what) as DraftBranch[] };
      if (o.alpha !== undefined) {
        if (typeof o.alpha !== 'number' && typeof o.alpha !== 'string') fail(`"alpha" must be a number or a scaling preset's name, got ${JSON.stringify(o.alpha)}`);
        block.alpha = o.alpha as number | string;
      }
      layers.push(block);
    }
  });
  return layers;
}

/**
 * Fill the dense layers' defaults (--init, gain factor 1, --bias-std), resolve each residual block's
 * alpha (a number or a scaling preset, src/network/residual.ts) and check the blocks' widths: a
 * residual branch must return to the width of the stream it joins.
 */
export function resolveArch(draft: ArchDraft | LayerList, defaults: { init: InitName; biasStd: number }, option = '--arch'): LayerList {
  const dense = (l: DraftDense | DenseLayer): DenseLayer => ({ kind: 'dense', width: l.width, init: l.init ?? defaults.init, gain: l.gain ?? 1, biasStd: l.biasStd ?? defaults.biasStd });
  const branchLayer = (l: DraftBranch | BranchLayer): BranchLayer =>
    l.kind === 'dense' ? dense(l) : l.kind === 'layernorm' ? { kind: 'layernorm', eps: l.eps ?? 0 } : { kind: 'activation', name: l.name };
  const layers: Layer[] = [];
  let stream = draft.input;
  draft.layers.forEach((l, i) => {
    if (l.kind !== 'residual') {
      layers.push(branchLayer(l));
      if (l.kind === 'dense') stream = l.width;
      return;
    }
    const branch = l.branch.map(branchLayer);
    let w = stream;
    for (const b of branch) if (b.kind === 'dense') w = b.width;
    if (w !== stream) {
      throw new SpecError(message.archLayer(option, `residual block ${layers.filter((x) => x.kind === 'residual').length + 1} (layer ${i})`, `its branch ends at ${w} units but the stream it joins is ${stream} wide (a residual branch must return to the stream's width)`));
    }
    // a resolved block keeps its alpha and the preset that chose it; a draft's preset is resolved below
    const scaling = 'scaling' in l && typeof l.scaling === 'string' ? l.scaling : typeof l.alpha === 'string' ? l.alpha : undefined;
    const alpha = l.alpha === undefined ? 1 : typeof l.alpha === 'number' ? l.alpha : NaN;
    layers.push({ kind: 'residual', alpha, branch, ...(scaling !== undefined ? { scaling } : {}) });
  });
  return resolveResidualScalings({ input: draft.input, layers }, option);
}
