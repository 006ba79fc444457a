import { SpecError } from '../spec/errors.js';
import { message } from '../log/message.js';
import { elu, selu } from './elu.js';
import { erf } from './erf.js';
import { ACTIVATION_FAMILIES, DEFAULT_ACTIVATION_NAMES, familiesText, type ActivationFamily } from './families.js';
import { gelu, geluTanh } from './gelu.js';
import { hardTanh } from './hard-tanh.js';
import { leakyRelu } from './leaky-relu.js';
import { linear } from './linear.js';
import { mish } from './mish.js';
import { relu } from './relu.js';
import { sigmoid } from './sigmoid.js';
import { silu } from './silu.js';
import { softplus } from './softplus.js';
import { tanh } from './tanh.js';
import type { ActivationDef } from './types.js';

export { ACTIVATION_FAMILIES, DEFAULT_ACTIVATION_NAMES, familiesText, type ActivationFamily };
export type { ActivationDef, ActivationTraits } from './types.js';

/**
 * The activation registry: a label ('tanh', 'leaky-relu(0.2)', 'ELU(0.5)', 'swish') -> its
 * ActivationDef. Labels are case-insensitive and spaces are ignored; aliases map to families
 * (ACTIVATION_FAMILIES). The canonical name of a parameterized activation always carries its
 * parameter, written with String(x): 'leaky-relu' is 'leaky-relu(0.01)', 'elu' is 'elu(1)'.
 * Parameterless families are bare ('tanh'). Definitions are memoized by canonical name, so
 * activation('leaky-relu') === activation('leaky-relu(0.01)').
 */

const FIXED: Record<string, ActivationDef> = {
  tanh,
  linear,
  relu,
  'hard-tanh': hardTanh,
  erf,
  sigmoid,
  softplus,
  gelu,
  'gelu-tanh': geluTanh,
  silu,
  selu,
  mish,
};

const BUILDERS: Record<string, (params: number[]) => ActivationDef> = {
  'leaky-relu': ([a]) => leakyRelu(a),
  elu: ([a]) => elu(a),
};

const ALIAS = new Map<string, ActivationFamily>();
for (const f of ACTIVATION_FAMILIES) {
  ALIAS.set(f.family, f);
  for (const a of f.aliases) ALIAS.set(a, f);
}

/** Parameter checks: the failing rule, or undefined when the value is allowed. */
function checkParam(family: string, value: number): boolean {
  if (!Number.isFinite(value)) return false;
  if (family === 'leaky-relu') return value >= 0 && value !== 1;
  if (family === 'elu') return value > 0;
  return true;
}

const byName = new Map<string, ActivationDef>();
const byLabel = new Map<string, ActivationDef>();

/** Parse and validate a label; returns the family and its parameters. Throws SpecError. */
function parseLabel(raw: string, what: string): { family: ActivationFamily; params: number[] } {
  const v = raw.replace(/\s+/g, '').toLowerCase();
  if (v === '') throw new SpecError(message.noValue(what));
  const m = /^([a-z_][a-z0-9_-]*)(?:\((.*)\))?$/.exec(v);
  const family = m ? ALIAS.get(m[1]) : undefined;
  if (!m || !family) throw new SpecError(message.unknownActivation(what, raw.trim(), familiesText()));
  const given = m[2] === undefined ? [] : m[2].split(',');
  if (family.params.length === 0 && m[2] !== undefined) throw new SpecError(message.activationTakesNoParameter(what, raw.trim(), family.family));
  if (given.length > family.params.length) {
    throw new SpecError(message.activationParameterCount(what, raw.trim(), family.family, family.params.map((p) => p.name)));
  }
  const params = family.params.map((p, i) => {
    const text = given[i];
    if (text === undefined) return p.default;
    const x = text === '' ? NaN : Number(text);
    if (!checkParam(family.family, x)) throw new SpecError(message.badActivationParameter(what, raw.trim(), family.family, p.name, text, p.rule));
    return x;
  });
  return { family, params };
}

/**
 * The canonical registry label of a user's spelling, or a SpecError naming the parameter `what`
 * (e.g. '--activation'): unknown families list the known ones; bad parameters name the parameter.
 */
export function parseActivationName(raw: string, what: string): string {
  return activationFrom(raw, what).name;
}

function activationFrom(raw: string, what: string): ActivationDef {
  const hit = byLabel.get(raw);
  if (hit) return hit;
  const { family, params } = parseLabel(raw, what);
  const canonical = params.length ? `${family.family}(${params.map((p) => String(p)).join(',')})` : family.family;
  let def = byName.get(canonical);
  if (!def) {
    def = params.length ? BUILDERS[family.family](params) : FIXED[family.family];
    if (def.name !== canonical) throw new Error(`activation registry: ${family.family} built '${def.name}', expected '${canonical}'`);
    byName.set(canonical, def);
  }
  byLabel.set(raw, def);
  return def;
}

/** The ActivationDef of a label (canonical or any accepted spelling); SpecError for unknown ones. */
export function activation(name: string): ActivationDef {
  return activationFrom(name, 'activation');
}

/** The ActivationDef of a label, or undefined for a name the registry does not know (e.g. 'mixed'). */
export function tryActivation(name: string): ActivationDef | undefined {
  try {
    return activationFrom(name, 'activation');
  } catch (e) {
    if (e instanceof SpecError) return undefined;
    throw e;
  }
}

/** Every registered family at its default parameters. */
export function defaultActivations(): ActivationDef[] {
  return DEFAULT_ACTIVATION_NAMES.map((n) => activation(n));
}
