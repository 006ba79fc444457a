#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { EOC_VERSION } from '../src/version.js';
import { EXIT_BAD_INPUT, action, fail } from './common.js';
import { applyBackendOption, backendVersionLine } from './backend.js';
import { registerSpectrum } from './commands/spectrum.js';
import { registerTheory } from './commands/theory.js';
import { registerReport } from './commands/report.js';
import { registerSweep } from './commands/sweep.js';
import { registerCompare } from './commands/compare.js';
import { registerCheck } from './commands/check.js';
import { registerMerge } from './commands/merge.js';

const program = new Command();
program
  .name('eoc')
  .description('edge-of-chaos gradient propagation analyzer: Jacobian spectra and faithful gains for deep nets')
  .option('-V, --version', 'print the version and the linear-algebra backend that runs')
  .option('--backend <name>', 'linear-algebra backend: native (system OpenBLAS), wasm, js or auto (default: EOC_BACKEND, else native when OpenBLAS is found, else wasm)')
  .showHelpAfterError(false)
  .exitOverride()
  .configureOutput({
    // commander's own parse errors become our one-line, exit-2 errors
    writeErr: (s) => {
      if (!s.startsWith('error:')) process.stderr.write(s);
    },
  });

// the backend is chosen before any command runs (and passed to worker threads through EOC_BACKEND)
program.hook('preAction', action(() => {
  applyBackendOption(program.opts().backend as string | undefined);
}));
program.action(
  action(() => {
    if (program.opts().version) {
      process.stdout.write(`eoc ${EOC_VERSION}\n${backendVersionLine()}\n`);
      return;
    }
    program.help();
  }),
);

registerSpectrum(program);
registerTheory(program);
registerReport(program);
registerSweep(program);
registerCompare(program);
registerCheck(program);
registerMerge(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    if (e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version') process.exit(0);
    fail(e.message.replace(/^error: /, ''), EXIT_BAD_INPUT);
  }
  throw e;
}
