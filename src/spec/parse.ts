import { SpecError } from './errors.js';
import { message, type Bound } from '../log/message.js';
import { INITS, type ActivationName, type InitName } from './types.js';
import { parseActivationName } from '../activations/registry.js';

/**
 * Parsers for user-typed values, one per kind (the option table, src/spec/options.ts, says which
 * option is which kind and its bounds). Each takes the raw string and the option name (for the
 * message) and either returns a valid value or throws SpecError with one line from the catalog.
 */

/** The bounds of a numeric option and why it has them (printed with a refusal). */
export interface Range {
  lo: Bound;
  hi: Bound;
  why?: string;
}

const ANY: Range = { lo: { value: -Infinity }, hi: { value: Infinity } };

/** A finite real number: "1.5", "-0.2", "1e-3", or a fraction "5/3". */
export function parseReal(raw: string, what: string, range: Range = ANY): number {
  const s = raw.trim();
  if (s === '') throw new SpecError(message.noValue(what));
  const frac = /^([^/]+)\/([^/]+)$/.exec(s);
  let v: number;
  if (frac) {
    const num = strictNumber(frac[1].trim());
    const den = strictNumber(frac[2].trim());
    if (Number.isNaN(num) || Number.isNaN(den)) throw new SpecError(message.notANumber(what, raw));
    v = num / den;
  } else {
    v = strictNumber(s);
    if (Number.isNaN(v)) {
      if (/^[+-]?(nan|inf|infinity)$/i.test(s)) throw new SpecError(message.notFinite(what, raw));
      throw new SpecError(message.notANumber(what, raw));
    }
  }
  if (!Number.isFinite(v)) throw new SpecError(message.notFinite(what, raw));
  checkRange(v, raw.trim(), what, range);
  return v;
}

function strictNumber(s: string): number {
  // Number('') is 0 and Number('0x10') is 16: accept only decimal literals.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return NaN;
  return Number(s);
}

function checkRange(v: number, shown: string | number, what: string, r: Range): void {
  const low = r.lo.open ? !(v > r.lo.value) : !(v >= r.lo.value);
  const high = r.hi.open ? !(v < r.hi.value) : !(v <= r.hi.value);
  if (low || high) throw new SpecError(message.outOfRange(what, shown, r.lo, r.hi, r.why));
}

export function parseNonNegative(raw: string, what: string): number {
  return parseReal(raw, what, { lo: { value: 0 }, hi: { value: Infinity } });
}

export function parsePositive(raw: string, what: string): number {
  return parseReal(raw, what, { lo: { value: 0, open: true }, hi: { value: Infinity } });
}

/** A whole number in [min, max]. */
export function parseInteger(raw: string, what: string, min: number, max = Number.MAX_SAFE_INTEGER, why?: string): number {
  const s = raw.trim();
  if (s === '') throw new SpecError(message.noValue(what));
  if (!/^[+-]?\d+$/.test(s)) throw new SpecError(message.notAnInteger(what, raw));
  const v = Number(s);
  checkRange(v, s, what, { lo: { value: min }, hi: { value: max }, why });
  return v;
}

/** Framework presets for the gain (sigma_w). torch's calculate_gain values. */
export const GAIN_PRESETS: Record<string, number> = {
  'torch:tanh': 5 / 3,
  'torch:relu': Math.SQRT2,
  'torch:linear': 1,
  'torch:sigmoid': 1,
  'torch:selu': 3 / 4,
  xavier: 1,
  glorot: 1,
  he: Math.SQRT2,
  kaiming: Math.SQRT2,
};

/** The gain bounds when none are given: any finite gain > 0. */
const POSITIVE: Range = { lo: { value: 0, open: true }, hi: { value: Infinity } };

/** A gain: a number, a fraction ("5/3") or a preset ("torch:tanh"), within the range. */
export function parseGain(raw: string, what = '--gain', range: Range = POSITIVE): number {
  const key = raw.trim().toLowerCase();
  if (key in GAIN_PRESETS) return GAIN_PRESETS[key];
  if (/^[a-z]/.test(key) && !/^(nan|inf|infinity)$/.test(key)) {
    throw new SpecError(message.unknownName(what, raw, 'preset', Object.keys(GAIN_PRESETS), 'or a number like 1.1 or 5/3'));
  }
  return parseReal(raw, what, range);
}

/**
 * A list of values: "a,b,c" or a range "start:stop:step" (inclusive of stop within rounding),
 * or a mix "0.8:1.2:0.1,1.5". Range values are rounded to 12 significant digits so 0.1 steps print
 * cleanly; every value passes `item`. At most `maxValues` values in all.
 */
export function parseRealList(raw: string, what: string, item: (s: string) => number, maxValues = 100000): number[] {
  const out: number[] = [];
  if (raw.trim() === '') throw new SpecError(message.noValue(what));
  for (const part of raw.split(',')) {
    const p = part.trim();
    if (p === '') throw new SpecError(message.emptyItem(what, raw));
    const bits = p.split(':');
    if (bits.length === 1) {
      out.push(item(p));
    } else if (bits.length === 3) {
      if (bits.some((b) => b.trim() === '')) throw new SpecError(message.badListItem(what, p));
      const [a, b, step] = bits.map((x) => parseReal(x, what));
      if (step <= 0) throw new SpecError(message.badRange(what, p, 'the step must be > 0'));
      if (b < a) throw new SpecError(message.badRange(what, p, 'the end is below the start'));
      const n = Math.floor((b - a) / step + 1e-9);
      if (out.length + n + 1 > maxValues) throw new SpecError(message.tooManyValues(what, out.length + n + 1, maxValues));
      for (let i = 0; i <= n; i++) out.push(item(String(Number((a + i * step).toPrecision(12)))));
    } else {
      throw new SpecError(message.badListItem(what, p));
    }
    if (out.length > maxValues) throw new SpecError(message.tooManyValues(what, out.length, maxValues));
  }
  return out;
}

/** Gains: a comma list whose items are numbers, fractions, presets (torch:tanh) or ranges a:b:step. */
export function parseGainList(raw: string, what: string, range: Range = POSITIVE, maxValues = 100000): number[] {
  const out: number[] = [];
  if (raw.trim() === '') throw new SpecError(message.noValue(what));
  for (const part of raw.split(',')) {
    const p = part.trim();
    if (p === '') throw new SpecError(message.emptyItem(what, raw));
    if (/^[a-z]/i.test(p)) out.push(parseGain(p, what, range));
    else out.push(...parseRealList(p, what, (s) => parseGain(s, what, range), maxValues - out.length));
  }
  return out;
}

/** One name out of a known list, with aliases ("hardtanh" for "hard-tanh"). */
export function parseChoice<T extends string>(raw: string, what: string, names: readonly T[], noun: string, aliases: Record<string, T> = {}): T {
  const v = raw.trim().toLowerCase();
  if (v === '') throw new SpecError(message.noValue(what));
  if ((names as readonly string[]).includes(v)) return v as T;
  if (v in aliases) return aliases[v];
  throw new SpecError(message.unknownName(what, raw, noun, names));
}

export const INIT_ALIASES: Record<string, InitName> = { haar: 'orthogonal', normal: 'gaussian' };

/** An activation label through the registry: its canonical name ('leaky-relu' -> 'leaky-relu(0.01)'). */
export function parseActivation(raw: string, what = '--activation'): ActivationName {
  return parseActivationName(raw, what);
}

export function parseInit(raw: string, what = '--init'): InitName {
  return parseChoice(raw, what, INITS, 'init scheme', INIT_ALIASES);
}

/** "512", "512M", "512MiB", "4G", "4GB", "1.5g", "800k": MiB, > 0. */
export function parseMemorySize(raw: string, what: string): number {
  if (raw.trim() === '') throw new SpecError(message.noValue(what));
  const m = /^\s*([0-9]*\.?[0-9]+)\s*([kmgt]?)(i?b)?\s*$/i.exec(raw);
  if (!m) throw new SpecError(message.badSize(what, raw));
  const scale: Record<string, number> = { '': 1, k: 1 / 1024, m: 1, g: 1024, t: 1024 * 1024 };
  const mb = Number(m[1]) * scale[m[2].toLowerCase()];
  if (!(mb > 0) || !Number.isFinite(mb)) throw new SpecError(message.outOfRange(what, raw.trim(), { value: 0, open: true }, { value: Infinity }, 'a memory budget in MiB'));
  return mb;
}
