/**
 * Every user-facing error message of the option layer, in one place (the vega-lite habit): one
 * function per kind of mistake, each returning one line that names the option and the value. The
 * CLI prefixes "eoc: " and exits 2; callers throw `new SpecError(message.xxx(...))`.
 */

/** A bound of an allowed range; `open` excludes the value itself. */
export interface Bound {
  value: number;
  open?: boolean;
}

const show = (v: number): string => (Number.isInteger(v) || (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e15) ? String(v) : v.toExponential().replace('e+', 'e'));

/** "1..10000", "> 0", "0.0001..100", ">= 2": the allowed range as help and messages print it. */
export function rangeText(lo: Bound, hi: Bound): string {
  const loFinite = Number.isFinite(lo.value);
  const hiFinite = Number.isFinite(hi.value);
  if (loFinite && hiFinite && !lo.open && !hi.open) return `${show(lo.value)}..${show(hi.value)}`;
  const parts: string[] = [];
  if (loFinite) parts.push(`${lo.open ? '>' : '>='} ${show(lo.value)}`);
  if (hiFinite) parts.push(`${hi.open ? '<' : '<='} ${show(hi.value)}`);
  return parts.length ? parts.join(' and ') : 'any finite number';
}

export const message = {
  noValue: (option: string) => `${option} needs a value, got an empty string`,

  notANumber: (option: string, value: string) => `${option} must be a number (like 1.5, 2e-3 or 5/3), got '${value}'`,

  notFinite: (option: string, value: string) => `${option} must be a finite number, got '${value}'`,

  notAnInteger: (option: string, value: string) => `${option} must be an integer, got '${value}'`,

  /** Names the violated side, the whole allowed range and why it is bounded. */
  outOfRange: (option: string, value: string | number, lo: Bound, hi: Bound, why?: string) => {
    const v = typeof value === 'number' ? value : Number(value);
    const below = v < lo.value || (lo.open === true && v === lo.value);
    const side = below ? `${lo.open ? '>' : '>='} ${show(lo.value)}` : `${hi.open ? '<' : '<='} ${show(hi.value)}`;
    return `${option} must be ${side} (allowed: ${rangeText(lo, hi)}${why ? `; ${why}` : ''}), got ${value}`;
  },

  unknownName: (option: string, value: string, what: string, known: readonly string[], hint?: string) =>
    `${option}: unknown ${what} '${value}' (known: ${known.join(', ')}${hint ? `; ${hint}` : ''})`,

  unknownActivation: (option: string, value: string, families: string) =>
    `${option}: unknown activation '${value}' (known: ${families}; parameters in parentheses, e.g. leaky-relu(0.2))`,

  activationTakesNoParameter: (option: string, value: string, family: string) => `${option}: '${value}': ${family} takes no parameter; write ${family}`,

  activationParameterCount: (option: string, value: string, family: string, params: readonly string[]) =>
    `${option}: '${value}': ${family} takes ${params.length} parameter${params.length === 1 ? '' : 's'} (${params.join(', ')})`,

  badActivationParameter: (option: string, value: string, family: string, param: string, got: string, rule: string) =>
    `${option}: '${value}': ${family}'s ${param} must be ${rule}, got '${got}'`,

  emptyItem: (option: string, value: string) => `${option}: empty item in '${value}'`,

  badListItem: (option: string, item: string) => `${option}: '${item}' is neither a value nor a range start:stop:step`,

  badRange: (option: string, item: string, why: string) => `${option}: range '${item}': ${why}`,

  tooManyValues: (option: string, count: number, max: number) => `${option} gives ${count} values, more than the ${max} allowed`,

  tooFewValues: (option: string, count: number, min: number, why: string) => `${option} gives ${count} distinct value${count === 1 ? '' : 's'}; give at least ${min} (${why})`,

  indistinct: (option: string, a: number, b: number, digits: number) =>
    `${option}: ${a} and ${b} are the same to the ${digits} significant digits gains are printed with; use a coarser step or fewer gains`,

  badSize: (option: string, value: string) => `${option} must be a size like 512M or 4G (MiB without a unit), got '${value}'`,

  badShard: (option: string, value: string) => `${option} must look like i/n with 0 <= i < n (e.g. 0/4), got '${value}'`,

  notForCommand: (option: string, value: string, why: string) => `${option} ${value} is not accepted here: ${why}; give a number`,

  conflict: (a: string, b: string, why: string) => `${a} and ${b} cannot be used together: ${why}`,

  needs: (option: string, other: string, why: string) => `${option} needs ${other}: ${why}`,

  notWithFrom: (options: readonly string[]) =>
    `report --from builds a saved study: ${options.join(', ')} ${options.length === 1 ? 'describes' : 'describe'} a new study (or how to measure one) and cannot change a saved one`,

  noFixedPointStart: (activation: string, why: string) => `--q0 fixed-point: ${activation} at sigma_b = 0 ${why}; no fixed point to start at: give a number, e.g. --q0 1`,

  tooMuchMemory: (width: number, depth: number, need: string, have: string, workers: number) =>
    `width ${width} x depth ${depth} needs about ${need} of memory${workers > 1 ? ` (${workers} workers)` : ''}, more than the ${have} available (--max-memory or EOC_MAX_MEMORY_MB set the budget${workers > 1 ? '; fewer --workers need less' : ''})`,

  badEnvironment: (name: string, value: string, expected: string) => `environment variable ${name}='${value}' is not ${expected}`,

  versionTakesNoCommand: (command: string) => `--version takes no command (got '${command}'): run 'eoc --version' alone`,

  unknownOption: (flag: string, suggestion?: string) => `unknown option '${flag}'${suggestion ? ` (did you mean ${suggestion}?)` : ''}`,

  unknownCommand: (name: string, suggestion?: string) => `unknown command '${name}'${suggestion ? ` (did you mean ${suggestion}?)` : ''} (eoc --help lists them)`,

  /** Any other commander message, made one line. */
  commandLine: (text: string) =>
    text
      .replace(/^error: /, '')
      .replace(/\(Did you mean/g, '(did you mean')
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean)
      .join(' '),

  /** --arch: the short grammar or the JSON layer list (src/spec/arch.ts) */
  archEmpty: (option: string) => `${option} is empty: give layers like '784 > 512:gelu > 10' or a .json file`,

  archItem: (option: string, index: number, item: string, why: string) => `${option}: item ${index} '${item}': ${why}`,

  archFile: (option: string, path: string, why: string) => `${option} ${path}: ${why}`,

  archLayer: (option: string, where: string, why: string) => `${option}: ${where}: ${why}`,

  noBlockTheory: (arch: string, why: string) => `theory --arch '${arch}': no mean-field prediction for this list: ${why} (eoc spectrum measures it)`,

  archTooLarge: (option: string, layers: number, need: string, have: string) =>
    `${option}: the ${layers}-layer network needs about ${need} of memory, more than the ${have} available (--max-memory or EOC_MAX_MEMORY_MB set the budget)`,
};
