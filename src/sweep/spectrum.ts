import { runPool } from './pool.js';
import { assembleSpectrumRun, seedList, type SpectrumRun } from '../measure/run-spectrum.js';
import type { MeasureOptions, NetworkSample } from '../measure/network.js';
import type { NetworkSpec } from '../spec/types.js';

/**
 * `eoc spectrum` on worker threads: one job per seed. Each seed's network depends only on its seed,
 * so the run is the same for any number of workers (samples are put back in seed order).
 */
export async function runSpectrumParallel(
  spec: NetworkSpec,
  q0: number,
  workers: number,
  opts: MeasureOptions & { onSample?: (done: number, total: number) => void } = {},
): Promise<SpectrumRun> {
  const t0 = performance.now();
  const { onSample, ...measure } = opts;
  const seeds = seedList(spec);
  const samples: NetworkSample[] = new Array(seeds.length);
  let done = 0;
  await runPool<NetworkSample>(
    seeds.map((seed) => ({ kind: 'spectrum' as const, spec, q0, seed, opts: measure })),
    workers,
    (i, s) => {
      samples[i] = s;
      onSample?.(++done, seeds.length);
    },
  );
  return assembleSpectrumRun(spec, q0, samples, t0, opts.c0);
}
