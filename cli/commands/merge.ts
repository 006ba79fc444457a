import type { Command } from 'commander';
import { action, log, print } from '../common.js';
import { addOptions } from '../options.js';
import { readOptions } from '../../src/spec/options.js';
import { prepareOutDir } from '../../src/io/out-dir.js';
import { acquireLock } from '../../src/io/lock.js';
import { registerUserPath } from '../../src/io/fs-errors.js';
import { sweepText } from './sweep.js';

export function registerMerge(program: Command): void {
  const cmd = program
    .command('merge')
    .description('join sweep JSONL files (e.g. from --shard i/n): same sweep config required, duplicates kept once, canonical order')
    .argument('<files...>', 'sweep.jsonl files, or --out directories of eoc sweep');
  addOptions(cmd, 'merge').action(
    action(async (files: string[], raw: Record<string, unknown>) => {
      const o = readOptions('merge', raw);
      const rawOut = o.get('out');
      const out = rawOut === undefined ? undefined : prepareOutDir(rawOut, '--out');
      for (const f of files) registerUserPath(f, 'input');
      const [{ mergeSweeps, writeSweepOutputs }, { toJson }] = await Promise.all([import('../../src/sweep/index.js'), import('../../src/io/json.js')]);
      const lock = out === undefined ? undefined : acquireLock(out);
      const m = mergeSweeps(files, log);
      if (out !== undefined) writeSweepOutputs(out, m.lines, m.document);
      lock?.release();
      log(`merge: ${m.lines.length} (point, seed) line(s) from ${files.length} file(s)${m.document.complete ? '' : ' (incomplete: some points or seeds are missing)'}`);
      print(o.get('json') ? toJson(m.document) : sweepText(m.document));
    }),
  );
}
