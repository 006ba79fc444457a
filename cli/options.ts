import type { Command } from 'commander';
import { COMMAND_OPTIONS, helpText, usageOf, type CommandName, type OptionKey, type ParsedOptions } from '../src/spec/options.js';
import { SpecError } from '../src/spec/errors.js';
import { message } from '../src/log/message.js';

/**
 * The option table (src/spec/options.ts) on commander commands: every command's `.option(...)` list
 * comes from here, and every action reads its values with the table's `readOptions`. No defaults are given to
 * commander, so the table's parser sees exactly what was typed and knows what was given.
 */
export function addOptions(cmd: Command, command: CommandName): Command {
  cmd.allowExcessArguments(false);
  for (const use of COMMAND_OPTIONS[command]) {
    cmd.option(usageOf(use), helpText(use));
  }
  return cmd;
}

/**
 * --arch describes the network: the options that describe a constant-width MLP (and any `extra`
 * ones the command cannot combine with a layer list) are refused beside it, in one line.
 */
export function refuseBesideArch(o: ParsedOptions, extra: readonly OptionKey[] = [], why = 'the layer list gives the depth, the widths and the activations'): void {
  if (!o.get('arch')) return;
  const clash = o.givenFlags(['activation', 'depth', 'width', ...extra]);
  if (clash.length) throw new SpecError(message.conflict('--arch', clash.join(', '), why));
}

/**
 * Make the memory budget the process-wide one: memoryBudget() (src/spec/validate.ts) reads
 * EOC_MAX_MEMORY_MB, and worker threads started afterwards inherit it. A pool of k workers should
 * give each sampleBaseDraws call `{ maxBytes: memoryBudget() / k }`.
 */
export function applyMaxMemory(mb: number | undefined): void {
  if (mb !== undefined) process.env.EOC_MAX_MEMORY_MB = String(mb);
}
