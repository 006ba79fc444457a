import type { Command } from 'commander';
import { action, log, print } from '../common.js';
import { toJson } from '../../src/io/json.js';
import { mergeSweeps, writeSweepOutputs } from '../../src/sweep/index.js';
import { prepareOutDir } from '../../src/io/out-dir.js';
import { acquireLock } from '../../src/io/lock.js';
import { registerUserPath } from '../../src/io/fs-errors.js';
import { sweepText } from './sweep.js';

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('join sweep JSONL files (e.g. from --shard i/n): same sweep config required, duplicates kept once, canonical order')
    .argument('<files...>', 'sweep.jsonl files, or --out directories of eoc sweep')
    .option('--out <dir>', 'write dir/sweep.jsonl and dir/sweep.json (the same files one unsharded eoc sweep --out writes)')
    .option('--json', 'print the eoc.sweep/2 JSON document')
    .action(
      action((files: string[], o: { out?: string; json?: boolean }) => {
        const out = o.out === undefined ? undefined : prepareOutDir(o.out, '--out');
        for (const f of files) registerUserPath(f, 'input');
        const lock = out === undefined ? undefined : acquireLock(out);
        const m = mergeSweeps(files, log);
        if (out !== undefined) writeSweepOutputs(out, m.lines, m.document);
        lock?.release();
        log(`merge: ${m.lines.length} (point, seed) line(s) from ${files.length} file(s)${m.document.complete ? '' : ' (incomplete: some points or seeds are missing)'}`);
        print(o.json ? toJson(m.document) : sweepText(m.document));
      }),
    );
}
