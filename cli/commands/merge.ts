import type { Command } from 'commander';
import { action, log, print } from '../common.js';
import { toJson } from '../../src/io/json.js';
import { mergeSweeps, writeSweepOutputs } from '../../src/sweep/index.js';
import { sweepText } from './sweep.js';

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('join sweep JSONL files (e.g. from --shard i/n): same sweep config required, duplicates kept once, canonical order')
    .argument('<files...>', 'sweep.jsonl files, or --out directories of eoc sweep')
    .option('--out <dir>', 'write dir/sweep.jsonl and dir/sweep.json (the same files one unsharded eoc sweep --out writes)')
    .option('--json', 'print the eoc.sweep/3 JSON document')
    .action(
      action((files: string[], o: { out?: string; json?: boolean }) => {
        const m = mergeSweeps(files, log);
        if (o.out) writeSweepOutputs(o.out, m.lines, m.document);
        log(`merge: ${m.lines.length} (point, seed) line(s) from ${files.length} file(s)${m.document.complete ? '' : ' (incomplete: some points or seeds are missing)'}`);
        print(o.json ? toJson(m.document) : sweepText(m.document));
      }),
    );
}
