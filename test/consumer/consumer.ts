/**
 * A library consumer, type-checked by test/consumer/consumer.test.ts with `tsc --noEmit` against the
 * built declarations (dist/src/index.d.ts, through package.json's `exports`) and `"types": []`:
 * no @types/node, no DOM lib. It imports by package name, as a user's project would.
 */
import {
  EOC_VERSION,
  resolveSpec,
  resolveQ0,
  runSpectrum,
  runCheck,
  criticalPoint,
  meanFieldPoint,
  DEFAULT_THRESHOLDS,
  DEFAULT_CHECK_SEARCH,
  SpecError,
  backendInfo,
  type NetworkSpec,
  type SpectrumRun,
  type CheckResult,
  type Verdict,
} from 'edge-of-chaos';
import type { BuildResult, SweepDocument } from 'edge-of-chaos';
import pkg from 'edge-of-chaos/package.json' with { type: 'json' };

const spec: NetworkSpec = resolveSpec({ activation: 'tanh', init: 'orthogonal', depth: 30, width: 64, gain: 1.05, seeds: 2 });
const run: SpectrumRun = runSpectrum(spec, resolveQ0(spec));
const m1: number = run.summary.m1.mean;
const critical: number = criticalPoint('tanh', 0.05).sigmaW;
const phase: string | null = meanFieldPoint('tanh', { sigmaW: 1.2, sigmaB: 0 }).phase;

export async function verdict(): Promise<Verdict> {
  const check: CheckResult = await runCheck(spec, { thresholds: DEFAULT_THRESHOLDS, workers: 1, ...DEFAULT_CHECK_SEARCH });
  return check.verdict;
}

export function describe(doc: SweepDocument, report: BuildResult): string {
  return `${EOC_VERSION} (${pkg.version}) on ${backendInfo().name}: ${doc.schema}, report ${report.dir}, m1 ${m1}, critical ${critical}, ${phase}`;
}

export function isUserError(e: unknown): e is SpecError {
  return e instanceof SpecError;
}
