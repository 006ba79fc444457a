import { runSpectrum, type SpectrumRun } from './run-spectrum.js';
import { SpecError } from '../spec/errors.js';
import type { NetworkSpec } from '../spec/types.js';
import type { SpectrumTheoryBlock } from '../io/spectrum-document.js';

/** The numeric input variance for a spec: q0 itself, or the fixed point's (q* - sigma_b^2)/g^2. */
export function resolveQ0(spec: NetworkSpec): number {
  if (spec.q0 !== 'fixed-point') return spec.q0;
  throw new SpecError("--q0 fixed-point needs the theory engine");
}

/** One configuration measured over its seeds, with the mean-field prediction beside it. */
export function analyzeSpectrum(
  spec: NetworkSpec,
  opts: { onSample?: (done: number, total: number) => void; checkLogDet?: boolean } = {},
): { run: SpectrumRun; theory?: SpectrumTheoryBlock } {
  const q0 = resolveQ0(spec);
  const run = runSpectrum(spec, q0, opts);
  return { run };
}
