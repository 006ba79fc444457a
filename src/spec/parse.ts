import { SpecError } from './errors.js';
import { ACTIVATIONS, INITS, type ActivationName, type InitName } from './types.js';

/**
 * Parsers for user-typed values. Each takes the raw string and the option name (for the message)
 * and either returns a valid value or throws SpecError with one line that says what was wrong.
 */

/** A finite real number: "1.5", "-0.2", "1e-3", or a fraction "5/3". */
export function parseReal(raw: string, what: string): number {
  const s = raw.trim();
  const frac = /^([+-]?[0-9.eE+-]+)\/([0-9.eE+-]+)$/.exec(s);
  let v: number;
  if (frac) {
    const num = strictNumber(frac[1]);
    const den = strictNumber(frac[2]);
    v = den === 0 ? NaN : num / den;
  } else {
    v = strictNumber(s);
  }
  if (!Number.isFinite(v)) throw new SpecError(`${what} must be a finite number, got '${raw}'`);
  return v;
}

function strictNumber(s: string): number {
  // Number('') is 0 and Number('0x10') is 16: accept only decimal literals.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return NaN;
  return Number(s);
}

export function parseNonNegative(raw: string, what: string): number {
  const v = parseReal(raw, what);
  if (v < 0) throw new SpecError(`${what} must be >= 0, got ${raw}`);
  return v;
}

export function parsePositive(raw: string, what: string): number {
  const v = parseReal(raw, what);
  if (v <= 0) throw new SpecError(`${what} must be > 0, got ${raw}`);
  return v;
}

export function parseInteger(raw: string, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const s = raw.trim();
  if (!/^[+-]?\d+$/.test(s)) throw new SpecError(`${what} must be an integer, got '${raw}'`);
  const v = Number(s);
  if (v < min) throw new SpecError(`${what} must be >= ${min}, got ${raw}`);
  if (v > max) throw new SpecError(`${what} must be <= ${max}, got ${raw}`);
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

/** A gain: a number, a fraction ("5/3") or a preset ("torch:tanh"). Must be > 0. */
export function parseGain(raw: string, what = '--gain'): number {
  const key = raw.trim().toLowerCase();
  if (key in GAIN_PRESETS) return GAIN_PRESETS[key];
  if (/^[+-]?(nan|inf|infinity)$/.test(key)) throw new SpecError(`${what} must be a finite number > 0, got '${raw}'`);
  if (/^[a-z]/.test(key)) {
    throw new SpecError(
      `${what}: unknown preset '${raw}' (known: ${Object.keys(GAIN_PRESETS).join(', ')}; or a number like 1.1 or 5/3)`,
    );
  }
  return parsePositive(raw, what);
}

/**
 * A list of values: "a,b,c" or a range "start:stop:step" (inclusive of stop within rounding),
 * or a mix "0.8:1.2:0.1,1.5". Values are rounded to 12 significant digits so 0.1 steps print cleanly.
 */
export function parseRealList(raw: string, what: string, item: (s: string) => number): number[] {
  const out: number[] = [];
  for (const part of raw.split(',')) {
    const p = part.trim();
    if (p === '') throw new SpecError(`${what}: empty item in '${raw}'`);
    const bits = p.split(':');
    if (bits.length === 1) {
      out.push(item(p));
    } else if (bits.length === 3) {
      const [a, b, step] = bits.map((x) => parseReal(x, what));
      if (step <= 0) throw new SpecError(`${what}: range step must be > 0 in '${p}'`);
      if (b < a) throw new SpecError(`${what}: range end is below its start in '${p}'`);
      const n = Math.floor((b - a) / step + 1e-9);
      if (n > 100000) throw new SpecError(`${what}: range '${p}' has more than 100000 values`);
      for (let i = 0; i <= n; i++) out.push(item(String(Number((a + i * step).toPrecision(12)))));
    } else {
      throw new SpecError(`${what}: '${p}' is neither a value nor a range start:stop:step`);
    }
  }
  return out;
}

export function parseActivation(raw: string): ActivationName {
  const v = raw.trim().toLowerCase().replace('hardtanh', 'hard-tanh');
  if ((ACTIVATIONS as readonly string[]).includes(v)) return v as ActivationName;
  throw new SpecError(`--activation: unknown activation '${raw}' (known: ${ACTIVATIONS.join(', ')})`);
}

export function parseInit(raw: string): InitName {
  const v = raw.trim().toLowerCase().replace('haar', 'orthogonal').replace('normal', 'gaussian');
  if ((INITS as readonly string[]).includes(v)) return v as InitName;
  throw new SpecError(`--init: unknown init scheme '${raw}' (known: ${INITS.join(', ')})`);
}
