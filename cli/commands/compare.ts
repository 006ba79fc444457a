import { archText } from '../../src/network/layers.js';
import { pointArch } from '../../src/sweep/grid.js';
import type { Command } from 'commander';
import { action, log, print } from '../common.js';
import { num, pm, table } from '../format.js';
import { progressBar } from '../progress.js';
import { addOptions } from '../options.js';
import { LN_GRAD_RATIO_LABEL } from '../../src/measure/definitions.js';
import { readOptions } from '../../src/spec/options.js';
import type { CompareDocument } from '../../src/sweep/index.js';
import { configFromOptions } from './sweep.js';

export function compareText(doc: CompareDocument): string {
  const out: string[] = [];
  for (const p of doc.points) {
    out.push(
      `${doc.config.arch ? archText(pointArch(doc.config.arch, 'orthogonal', p.biasStd)) : `${p.activation}, depth ${p.depth}, width ${doc.config.width}`}, sigma_b ${p.biasStd}, q0 ${doc.config.q0}: orthogonal - gaussian on the same ${p.seeds.length} seed(s) (paired: same N(0,1) draws, inputs, errors)`,
    );
    out.push(
      table(
        ['gain', 'rms ln s orth', 'rms ln s gauss', 'Δ rms ln s', 'closer to isometry', 'verdict orth', 'verdict gauss', 'Δ std ln s', 'Δ log10 cond', `Δ ${LN_GRAD_RATIO_LABEL}`],
        p.gains.map((g) => [
          num(g.gain, 6),
          pm(g.orthogonal.rms_log, 4),
          pm(g.gaussian.rms_log, 4),
          pm(g.difference.rms_log, 4),
          g.closer,
          g.verdict.orthogonal,
          g.verdict.gaussian,
          pm(g.difference.std_log, 4),
          pm(g.difference.log10_cond, 4),
          pm(g.difference.lnGradNormRatio, 4),
        ]),
      ),
    );
    out.push('');
  }
  out.push('closer to isometry: smaller rms ln s (0 iff every s = 1), when the paired 95% t-interval of Δ rms ln s (orthogonal - gaussian, mean ± stderr over seeds) excludes 0.');
  out.push(`verdict per scheme (of the means over seeds): ${doc.faithful}; else vanishing, exploding or anisotropic.`);
  out.push(`${LN_GRAD_RATIO_LABEL} = ln(|delta^1|/|delta^L|), a ratio of gradient norms (not squares).`);
  return out.join('\n') + '\n';
}

export function registerCompare(program: Command): void {
  const cmd = program
    .command('compare')
    .description('orthogonal vs Gaussian weights on identical inputs and seeds over the same gains: paired differences in spread, condition number and gradient ratio');
  addOptions(cmd, 'compare').action(
    action(async (raw: Record<string, unknown>) => {
      const o = readOptions('compare', raw);
      const { config, workers } = configFromOptions(o, { inits: ['orthogonal', 'gaussian'], locate: false, spectra: false });
      const [{ compareDocument, runSweep }, { backendLabel }, { toJson }] = await Promise.all([import('../../src/sweep/index.js'), import('../../src/linalg/select.js'), import('../../src/io/json.js')]);
      const t0 = performance.now();
      const run = await runSweep(config, { workers, onProgress: progressBar('compare'), log });
      log(`compare: ${run.computed} task(s) in ${((performance.now() - t0) / 1000).toFixed(1)} s on ${workers} worker(s), ${backendLabel()} backend`);
      const doc = compareDocument(config, run.records);
      print(o.get('json') ? toJson(doc) : compareText(doc));
    }),
  );
}
