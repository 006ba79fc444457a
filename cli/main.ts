#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { EOC_VERSION } from '../src/version.js';
import { SpecError } from '../src/spec/errors.js';
import { message } from '../src/log/message.js';
import { BACKENDS, checkEnvironment } from '../src/spec/options.js';
import { EXIT_BAD_INPUT, action, fail } from './common.js';
import { applyBackendOption, backendVersionLine } from './backend.js';
// the command modules are light: each loads its numerics (vega, koffi, @stdlib, worker pools)
// with import() inside its action, so --help, --version and every refusal start fast
import { registerSpectrum } from './commands/spectrum.js';
import { registerTheory } from './commands/theory.js';
import { registerGains } from './commands/gains.js';
import { registerReport } from './commands/report.js';
import { registerSweep } from './commands/sweep.js';
import { registerCompare } from './commands/compare.js';
import { registerCheck } from './commands/check.js';
import { registerMerge } from './commands/merge.js';
import { registerResidual } from './commands/residual.js';
import { registerAudit } from './commands/audit.js';
import { registerLearn } from './commands/learn.js';

const program = new Command();
program
  .name('eoc')
  .description('edge-of-chaos gradient propagation analyzer: Jacobian spectra and faithful gains for deep nets')
  .option('-V, --version', 'print the version and the linear-algebra backend that runs (takes no command)')
  .option('--backend <name>', `linear-algebra backend: ${BACKENDS.join(', ')} (default: EOC_BACKEND, else native when OpenBLAS is found, else compiled when built, else wasm)`)
  .showHelpAfterError(false)
  .exitOverride()
  .configureOutput({
    // commander's own parse errors become our one-line, exit-2 errors (below)
    writeErr: (s) => {
      if (!s.startsWith('error:') && !s.startsWith('(Did you mean')) process.stderr.write(s);
    },
  });

// the environment and the backend are checked before any command runs (the backend reaches worker
// threads through EOC_BACKEND); --version is an answer of its own, not an option of a command
program.hook(
  'preAction',
  action(async (_root: Command, command: Command) => {
    if (command !== program && program.opts().version) throw new SpecError(message.versionTakesNoCommand(command.name()));
    checkEnvironment();
    await applyBackendOption(program.opts().backend as string | undefined);
  }),
);
program.allowExcessArguments(true).action(
  action(async () => {
    // a word that is no command reaches the root (it has an action for --version and bare eoc)
    if (program.args.length) {
      const word = program.args[0];
      throw new SpecError(message.unknownCommand(word, closest(word, program.commands.map((c) => c.name()))));
    }
    if (program.opts().version) {
      process.stdout.write(`eoc ${EOC_VERSION}\n${await backendVersionLine()}\n`);
      return;
    }
    // bare `eoc`: the help, on stdout, exit 0
    process.stdout.write(program.helpInformation());
  }),
);

registerSpectrum(program);
registerTheory(program);
registerGains(program);
registerReport(program);
registerSweep(program);
registerCompare(program);
registerCheck(program);
registerResidual(program);
registerAudit(program);
registerLearn(program);
registerMerge(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    if (e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version') process.exit(0);
    fail(oneLine(e), EXIT_BAD_INPUT);
  }
  throw e;
}

/** The known name within edit distance 2 of a misspelt one, if any. */
function closest(word: string, known: string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const cur = [i];
      for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
    return prev[b.length];
  };
  const best = known.map((k) => [k, distance(word, k)] as const).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= 2 ? best[0] : undefined;
}

/** commander's parse errors as the catalog's one-line messages. */
function oneLine(e: CommanderError): string {
  const suggestion = /\(Did you mean (.+?)\?\)/.exec(e.message)?.[1];
  const unknownOption = /unknown option '([^']*)'/.exec(e.message);
  if (e.code === 'commander.unknownOption' && unknownOption) return message.unknownOption(unknownOption[1], suggestion);
  const unknownCommand = /unknown command '([^']*)'/.exec(e.message);
  if (e.code === 'commander.unknownCommand' && unknownCommand) return message.unknownCommand(unknownCommand[1], suggestion);
  return message.commandLine(e.message);
}
