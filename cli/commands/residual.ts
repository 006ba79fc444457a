import type { Command } from 'commander';
import { join, relative } from 'node:path';
import { action, log, print } from '../common.js';
import { progressBar } from '../progress.js';
import { addOptions } from '../options.js';
import { num, pm, table } from '../format.js';
import { prepareOutDir } from '../../src/io/out-dir.js';
import { readOptions } from '../../src/spec/options.js';
import type { ResidualStudy } from '../../src/report/residual.js';

/**
 * `eoc residual`: pre-LN against post-LN residual stacks, at alpha = 1 and with their scalings
 * (1/sqrt(L), DeepNorm), over depths; measured spectra with the mean-field m1 and the largest
 * faithful alpha per depth; a report folder with the figure (src/report/residual.ts).
 */
export function registerResidual(program: Command): void {
  const cmd = program
    .command('residual')
    .description('pre-LN vs post-LN residual stacks over depths (alpha = 1, 1/sqrt(L), DeepNorm): spectra, mean field, the largest faithful alpha per depth; writes a report folder');
  addOptions(cmd, 'residual').action(
    action(async (raw: Record<string, unknown>) => {
      const o = readOptions('residual', raw);
      const t0 = performance.now();
      const outRoot = prepareOutDir(o.get('out')!, '--out');
      const q0 = o.get('q0');
      if (q0 === 'fixed-point') throw new Error('internal: residual --q0 fixed-point passed the option table');
      const [{ runResidualStudy, residualSpec }, { lockReportFolder, reportFolder }, { replaceFolder }, { toJson, writeFileDurable }, { renderSvg, svgToPng }, { resolveSpec }, { parseArch }, { residualPage }] = await Promise.all([
        import('../../src/report/residual.js'),
        import('../../src/report/build.js'),
        import('../../src/io/atomic-dir.js'),
        import('../../src/io/json.js'),
        import('../../src/report/render.js'),
        import('../../src/spec/validate.js'),
        import('../../src/spec/arch.js'),
        import('../../src/report/residual-page.js'),
      ]);
      const depths = [...new Set(o.list('depth'))].sort((a, b) => a - b);
      const config = {
        width: o.get('width'),
        depths,
        activation: o.get('activation'),
        init: o.get('init'),
        gain: o.get('gain'),
        q0,
        seeds: o.get('seeds'),
        seed: o.get('seed'),
        thresholds: { tolM1: o.get('tolM1'), tolSpread: o.get('tolSpread') },
      };
      // every point's network is checked (widths, memory) before anything runs
      resolveSpec({ arch: parseArch(`${config.width} > res(ln > ${config.width}:${config.activation} > ${config.width}) x ${Math.max(...depths)} > ln`), init: config.init, gain: config.gain, q0, seeds: config.seeds, seed: config.seed });
      const name = o.get('name')!;
      const lock = lockReportFolder(outRoot, name);
      try {
        const study = runResidualStudy(config, progressBar('residual'));
        const spec = residualSpec(study);
        const svg = await renderSvg('residual', spec);
        const png = svgToPng(svg).png;
        const command = ['eoc', ...process.argv.slice(2)].join(' ');
        const dir = reportFolder(outRoot, name);
        await replaceFolder(dir, (tmp) => {
          writeFileDurable(join(tmp, 'residual.json'), toJson(study));
          writeFileDurable(join(tmp, 'residual.vl.json'), JSON.stringify(spec, null, 2) + '\n');
          writeFileDurable(join(tmp, 'residual.svg'), svg);
          writeFileDurable(join(tmp, 'residual.png'), png);
          writeFileDurable(join(tmp, 'index.html'), residualPage(study, svg, command));
        });
        if (o.get('json')) print(toJson(study));
        else print(residualText(study) + `\nwritten: ${relative(process.cwd(), dir) || '.'} (index.html, residual.svg, .png, .vl.json, .json)`);
        log(`residual: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      } finally {
        lock.release();
      }
    }),
  );
}

export function residualText(study: ResidualStudy): string {
  const c = study.config;
  const head = `residual stacks of width ${c.width} (blocks ${c.width}:${c.activation} > ${c.width}), ${c.init} weights, gain ${c.gain}, q0 ${c.q0}, ${c.seeds} seeds from ${c.seed}; ${study.faithful}`;
  const rows = study.rows.map((r) => [
    r.label,
    r.depth,
    `${pm(r.m1, 4)}${r.meanFieldM1 === null ? '' : ` (${num(r.meanFieldM1, 4)})`}`,
    pm(r.std_log, 3),
    pm(r.frac_within_2, 3),
    num(Math.exp(r.ln_s_min.mean), 3),
    r.verdict,
    r.faithfulAlpha ? `${pm(r.faithfulAlpha, 3)}${r.faithfulAlphaStatus === 'found' ? '' : ` (${r.faithfulAlphaStatus})`}` : r.faithfulAlphaStatus ?? '',
  ]);
  return `${head}\n${table(['stack', 'L', 'm1 (mean field)', 'std ln s', 'frac in [1/2, 2]', 'smallest s', 'verdict', 'largest faithful alpha'], rows)}`;
}
