import type { Command } from 'commander';
import { action, log, print } from '../common.js';
import { addOptions } from '../options.js';
import { readOptions } from '../../src/spec/options.js';
import { sweepText } from './sweep.js';

export function registerMerge(program: Command): void {
  const cmd = program
    .command('merge')
    .description('join sweep JSONL files (e.g. from --shard i/n): same sweep config required, duplicates kept once, canonical order')
    .argument('<files...>', 'sweep.jsonl files, or --out directories of eoc sweep');
  addOptions(cmd, 'merge').action(
    action(async (files: string[], raw: Record<string, unknown>) => {
      const o = readOptions('merge', raw);
      const out = o.get('out');
      const [{ mergeSweeps, writeSweepOutputs }, { toJson }] = await Promise.all([import('../../src/sweep/index.js'), import('../../src/io/json.js')]);
      const m = mergeSweeps(files, log);
      if (out) writeSweepOutputs(out, m.lines, m.document);
      log(`merge: ${m.lines.length} (point, seed) line(s) from ${files.length} file(s)${m.document.complete ? '' : ' (incomplete: some points or seeds are missing)'}`);
      print(o.get('json') ? toJson(m.document) : sweepText(m.document));
    }),
  );
}
