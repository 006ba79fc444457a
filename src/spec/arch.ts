import { readFileSync } from 'node:fs';
import { SpecError } from './errors.js';
import { message } from '../log/message.js';
import { INITS, type InitName } from './types.js';
import { parseActivationName } from '../activations/registry.js';
import type { Layer, LayerList, DenseLayer } from '../network/layers.js';
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

export interface ArchDraft {
  /** what the user gave: the grammar text or the file path */
  source?: string;
  input: number;
  layers: (DraftDense | Extract<Layer, { kind: 'activation' }>)[];
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

export function parseArchText(raw: string, option = '--arch'): ArchDraft {
  const items = raw.split('>');
  const layers: ArchDraft['layers'] = [];
  let input: number | undefined;
  items.forEach((itemRaw, i) => {
    const item = itemRaw.trim();
    const fail = (why: string): never => {
      throw new SpecError(message.archItem(option, i + 1, item, why));
    };
    if (item === '') fail("empty item (two '>' in a row, or one at an end)");
    // 'x COUNT' at the end: '256:tanh x 60', '256 x 3', '256x3', '256:relu*4'
    const rep = /^(.*?)(?:\s*[*\u00d7]\s*|\s+x\s*|(?<=[0-9)])x\s*)([0-9]+)$/i.exec(item);
    const body = (rep ? rep[1] : item).trim();
    const count = rep ? Number(rep[2]) : 1;
    if (rep && !(count >= 1 && count <= MAX_ARCH_LAYERS)) fail(`the count after 'x' must be 1..${MAX_ARCH_LAYERS}, got ${rep[2]}`);
    const m = /^([^:]*?)\s*(?::\s*(.*))?$/.exec(body)!;
    const widthText = m[1].trim();
    if (!/^[0-9]+$/.test(widthText)) fail(`expected WIDTH[:ACTIVATION][ x COUNT], like 512:gelu or 256:tanh x 60; '${widthText}' is not a width`);
    const width = checkWidth(Number(widthText), fail);
    const actText = m[2]?.trim();
    if (m[2] !== undefined && actText === '') fail("nothing after ':' (name an activation, like 512:gelu)");
    const act = actText !== undefined ? parseActivationName(actText, `${option} item ${i + 1}`) : undefined;
    if (i === 0 && act === undefined && !rep) {
      input = width;
      return;
    }
    if (i === 0) input = width;
    for (let k = 0; k < count; k++) {
      layers.push({ kind: 'dense', width });
      if (act !== undefined && act !== 'linear') layers.push({ kind: 'activation', name: act });
      if (layers.length > MAX_ARCH_LAYERS) fail(`more than ${MAX_ARCH_LAYERS} layers in all`);
    }
  });
  if (layers.length === 0) {
    throw new SpecError(message.archLayer(option, `'${raw.trim()}'`, "no layers after the input width (write e.g. '784 > 512:gelu > 10')"));
  }
  return { source: raw.trim(), input: input!, layers };
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
  const layers: ArchDraft['layers'] = [];
  let stream = input;
  list.forEach((entry, i) => {
    const where = `layer ${i}`;
    const fail = (why: string): never => failAt(where, why);
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) fail('expected an object with "type": "dense" or "activation"');
    const o = entry as Record<string, unknown>;
    const allowed = o.type === 'dense' ? ['type', 'width', 'in', 'init', 'gain', 'biasStd'] : o.type === 'activation' ? ['type', 'name'] : null;
    if (!allowed) fail(`unknown layer type ${JSON.stringify(o.type)} (known: dense, activation)`);
    for (const k of Object.keys(o)) if (!allowed!.includes(k)) fail(`unknown key '${k}' for a ${o.type} layer (allowed: ${allowed!.slice(1).join(', ')})`);
    if (o.type === 'dense') {
      if (o.width === undefined) fail('a dense layer needs "width" (its output units)');
      const width = checkWidth(o.width, fail);
      if (o.in !== undefined && o.in !== stream) fail(`width mismatch: "in" is ${JSON.stringify(o.in)} but the layer before gives ${stream} units`);
      const d: DraftDense = { kind: 'dense', width };
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
      stream = width;
    } else {
      if (typeof o.name !== 'string') fail('an activation layer needs "name" (like "gelu" or "leaky-relu(0.2)")');
      const prev = layers[layers.length - 1];
      if (!prev) fail('an activation must follow a dense layer (the first layer is dense)');
      if (prev.kind === 'activation') fail('two activations in a row: put a dense layer between them');
      layers.push({ kind: 'activation', name: parseActivationName(o.name as string, `${option} ${path} layer ${i}`) });
    }
  });
  return { source: path, input, layers };
}

/** Fill the dense layers' defaults (--init, gain factor 1, --bias-std). */
export function resolveArch(draft: ArchDraft | LayerList, defaults: { init: InitName; biasStd: number }): LayerList {
  return {
    input: draft.input,
    layers: draft.layers.map((l) =>
      l.kind === 'dense'
        ? ({ kind: 'dense', width: l.width, init: l.init ?? defaults.init, gain: l.gain ?? 1, biasStd: l.biasStd ?? defaults.biasStd } satisfies DenseLayer)
        : l,
    ),
  };
}
