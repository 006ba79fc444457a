#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { EOC_VERSION } from '../src/version.js';
import { EXIT_BAD_INPUT, fail } from './common.js';
import { registerSpectrum } from './commands/spectrum.js';
import { registerTheory } from './commands/theory.js';

const program = new Command();
program
  .name('eoc')
  .description('edge-of-chaos gradient propagation analyzer: Jacobian spectra and faithful gains for deep nets')
  .version(EOC_VERSION, '-V, --version')
  .showHelpAfterError(false)
  .exitOverride()
  .configureOutput({
    // commander's own parse errors become our one-line, exit-2 errors
    writeErr: (s) => {
      if (!s.startsWith('error:')) process.stderr.write(s);
    },
  });

registerSpectrum(program);
registerTheory(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    if (e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version') process.exit(0);
    fail(e.message.replace(/^error: /, ''), EXIT_BAD_INPUT);
  }
  throw e;
}
