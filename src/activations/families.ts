/**
 * The activation families eoc knows, with their parameters: data only (no numerics), so that help
 * text, docs and src/spec/types.ts can list them without loading the registry's functions.
 */
export interface ActivationFamily {
  family: string;
  /** declared parameters with their defaults (leaky-relu: slope 0.01, torch's) */
  params: readonly { name: string; default: number; rule: string }[];
  /** other spellings accepted on the command line */
  aliases: readonly string[];
}

export const ACTIVATION_FAMILIES: readonly ActivationFamily[] = [
  { family: 'tanh', params: [], aliases: [] },
  { family: 'linear', params: [], aliases: ['identity'] },
  { family: 'relu', params: [], aliases: [] },
  { family: 'hard-tanh', params: [], aliases: ['hardtanh', 'hard_tanh'] },
  { family: 'leaky-relu', params: [{ name: 'slope', default: 0.01, rule: 'a finite number >= 0 other than 1 (1 is linear)' }], aliases: ['leakyrelu', 'leaky_relu', 'lrelu'] },
  { family: 'erf', params: [], aliases: [] },
  { family: 'sigmoid', params: [], aliases: ['logistic'] },
  { family: 'softplus', params: [], aliases: [] },
  { family: 'gelu', params: [], aliases: [] },
  { family: 'gelu-tanh', params: [], aliases: ['gelu_tanh'] },
  { family: 'silu', params: [], aliases: ['swish'] },
  { family: 'selu', params: [], aliases: [] },
  { family: 'elu', params: [{ name: 'alpha', default: 1, rule: 'a finite number > 0' }], aliases: [] },
  { family: 'mish', params: [], aliases: [] },
];

/** A family's label at its default parameters: 'tanh', 'leaky-relu(0.01)', 'elu(1)'. */
export function defaultLabel(f: ActivationFamily): string {
  return f.params.length ? `${f.family}(${f.params.map((p) => String(p.default)).join(',')})` : f.family;
}

/** Every family at its default parameters, in the table's order. */
export const DEFAULT_ACTIVATION_NAMES: readonly string[] = ACTIVATION_FAMILIES.map(defaultLabel);

/** "tanh, linear, relu, hard-tanh, leaky-relu(slope=0.01), ..." for help and messages. */
export function familiesText(): string {
  return ACTIVATION_FAMILIES.map((f) => (f.params.length ? `${f.family}(${f.params.map((p) => `${p.name}=${p.default}`).join(',')})` : f.family)).join(', ');
}
