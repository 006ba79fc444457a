import type { Command } from 'commander';
import { parseActivation, parseGain, parseInit, parseInteger, parseNonNegative, parsePositive } from '../src/spec/parse.js';
import { DEFAULT_SPEC, type NetworkSpec } from '../src/spec/types.js';

/** The options every network-level command shares (DESIGN.md "Common options"). */
export function addSpecOptions(cmd: Command, which: { gain?: boolean; seedsDefault?: number } = {}): Command {
  cmd
    .option('--activation <name>', `tanh | linear | relu | hard-tanh (default ${DEFAULT_SPEC.activation})`)
    .option('--init <scheme>', `orthogonal | gaussian (default ${DEFAULT_SPEC.init})`)
    .option('--depth <L>', `number of layers (default ${DEFAULT_SPEC.depth})`)
    .option('--width <N>', `units per layer (default ${DEFAULT_SPEC.width})`);
  if (which.gain !== false) cmd.option('--gain <g>', 'sigma_w: a number, a fraction (5/3) or a preset (torch:tanh, he, xavier) (default 1)');
  cmd
    .option('--bias-std <s>', 'bias standard deviation sigma_b (default 0)')
    .option('--q0 <q>', "input variance |x0|^2/N, or 'fixed-point' (default 1)")
    .option('--seeds <k>', `number of independent networks (default ${which.seedsDefault ?? DEFAULT_SPEC.seeds})`)
    .option('--seed <s>', 'first seed (default 0)');
  return cmd;
}

export interface RawSpecOptions {
  activation?: string;
  init?: string;
  depth?: string;
  width?: string;
  gain?: string;
  biasStd?: string;
  q0?: string;
  seeds?: string;
  seed?: string;
}

/** Parse the raw strings; validation of the combination happens in resolveSpec. */
export function specFromOptions(o: RawSpecOptions): Partial<NetworkSpec> {
  return {
    activation: o.activation === undefined ? undefined : parseActivation(o.activation),
    init: o.init === undefined ? undefined : parseInit(o.init),
    depth: o.depth === undefined ? undefined : parseInteger(o.depth, '--depth', 1),
    width: o.width === undefined ? undefined : parseInteger(o.width, '--width', 1),
    gain: o.gain === undefined ? undefined : parseGain(o.gain),
    biasStd: o.biasStd === undefined ? undefined : parseNonNegative(o.biasStd, '--bias-std'),
    q0: o.q0 === undefined ? undefined : o.q0.trim() === 'fixed-point' ? 'fixed-point' : parsePositive(o.q0, '--q0'),
    seeds: o.seeds === undefined ? undefined : parseInteger(o.seeds, '--seeds', 1, 100000),
    seed: o.seed === undefined ? undefined : parseInteger(o.seed, '--seed', 0, 2 ** 32 - 1),
  };
}
