import { ACTIVATION_FAMILIES, tryActivation } from '../activations/registry.js';
import {
  meanFieldTrajectory,
  meanFieldPoint,
  findCriticalPoint,
  fixedPoint,
  spectralDensity,
  DENSITY_MAX_DEPTH,
} from '../theory/index.js';
import type { ActivationName, InitName } from '../spec/types.js';
import type { StudyDefinition } from './data.js';
import { correlationFixedPoint, correlationTrajectory } from '../theory/correlation.js';
import { brentRootIn } from '../numeric/roots.js';
import type { ArchDraft } from '../spec/arch.js';
import { stagesOf } from '../network/layers.js';
import { pointArch } from '../sweep/grid.js';
import { layerTrajectory, layerCorrelation, effectiveSigma2 } from '../theory/layer-trajectory.js';

/** Everything the figures overlay from theory; a pure function of the study and the slot gains. */
export interface TheoryData {
  /** mean-field ln m1 = sum_l ln chi_l along the trajectory from q0, on a fine gain grid */
  m1Curve: { activation: ActivationName; gain: number; lnM1: number }[];
  /** mean-field q^l at the slot gains */
  qCurves: { activation: ActivationName; gain: number; layer: number; q: number }[];
  /** mean-field c^l of two inputs of correlation study.c0 at the slot gains (empty without c0) */
  cCurves: { activation: ActivationName; gain: number; layer: number; c: number }[];
  /**
   * free-probability density of ln s at the fixed point q*, on the theory's own grid (its tails,
   * below P = 1e-4 and where it vanishes, left out); point masses as their location
   */
  densities: { activation: ActivationName; init: InitName; gain: number; q: number; lnS: number; density: number }[];
  pointMasses: { activation: ActivationName; init: InitName; gain: number; lnS: number }[];
  /** where the density holds its mass: ln s at P = 0.005 and 0.995 (lo = hi for a point mass) */
  densityRanges: { activation: ActivationName; init: InitName; gain: number; lo: number; hi: number }[];
  /** chi_1 = sigma_w^2 mu_1(q*) on a (sigma_w, sigma_b) grid, and the critical line chi_1 = 1 */
  phase: { activation: ActivationName; sigmaW: number; sigmaB: number; chi1: number }[];
  criticalLine: { activation: ActivationName; sigmaW: number; sigmaB: number }[];
  /**
   * The trainable-depth contour 6 xi_c = the study's depth (Schoenholz et al. 2017), one line on
   * each side of the critical line: between them a net of this depth keeps two inputs' correlation
   * distinguishable (xi_c = -1/ln chi_c, src/theory/correlation.ts)
   */
  trainableLine: { activation: ActivationName; side: 'ordered' | 'chaotic'; sigmaW: number; sigmaB: number }[];
  phaseGrid: { sigmaW: number[]; sigmaB: number[] };
  notes: string[];
}

/** grid points per free-probability density (below its top edge) */
const DENSITY_POINTS = 600;

const range = (lo: number, hi: number, n: number) => Array.from({ length: n + 1 }, (_, k) => +(lo + ((hi - lo) * k) / n).toFixed(10));

/**
 * Activations whose phase diagram has a critical line to draw: bounded odd phi (tanh, hard-tanh, erf),
 * whose edge of chaos runs through the drawn sigma_w range for every sigma_b. (sigmoid's lies near
 * sigma_w = 10, far outside it; unbounded phi have divergent regions and often no critical point.)
 */
export function hasPhaseDiagram(a: ActivationName): boolean {
  const def = tryActivation(a);
  return def !== undefined && def.traits.bounded && def.traits.odd;
}

/** The families hasPhaseDiagram accepts, for the report's note. */
export function phaseDiagramFamilies(): string[] {
  return ACTIVATION_FAMILIES.map((f) => f.family).filter((f) => hasPhaseDiagram(f));
}

/**
 * The theory of a layer-list study: the mean-field m1 and q^l through its layers (layerTrajectory,
 * for the first init's effective sigma^2; a note says when the other init's differs: orthogonal
 * layers that widen). No free-probability density (identical stationary layers only) and no phase
 * diagram (a per-activation picture of identical layers).
 */
function layerListTheory(study: StudyDefinition & { arch: ArchDraft }, slots: { activation: ActivationName; gains: number[] }[]): TheoryData {
  const lo = Math.min(...study.gains), hi = Math.max(...study.gains);
  const activation = study.activations[0];
  const stagesFor = (init: InitName) => stagesOf(pointArch(study.arch, init, study.biasStd));
  const stages = stagesFor(study.inits[0]);
  const m1Curve = range(lo, hi, 80).map((gain) => ({ activation, gain, lnM1: layerTrajectory(stages, gain, study.q0).lnM1 }));
  const qCurves: TheoryData['qCurves'] = [];
  const cCurves: TheoryData['cCurves'] = [];
  for (const { gains } of slots)
    for (const gain of gains) {
      layerTrajectory(stages, gain, study.q0).q.forEach((q, l) => qCurves.push({ activation, gain, layer: l + 1, q }));
      if (study.c0 !== undefined) layerCorrelation(stages, gain, study.q0, study.c0).forEach((c, l) => cCurves.push({ activation, gain, layer: l + 1, c }));
    }
  const notes = ['free-probability densities are for identical stationary layers: not drawn for a layer list', 'the phase diagram is for identical layers of one activation: not drawn for a layer list'];
  const other = study.inits.slice(1).find((init) => stagesFor(init).some((st, l) => effectiveSigma2(st, 1) !== effectiveSigma2(stages[l], 1)));
  if (other) notes.push(`the mean-field curves are for ${study.inits[0]} weights; ${other} weights give widening layers sigma^2 = g^2 instead of g^2 fan_in/fan_out`);
  return { m1Curve, qCurves, cCurves, densities: [], pointMasses: [], densityRanges: [], phase: [], criticalLine: [], trainableLine: [], phaseGrid: { sigmaW: [], sigmaB: [] }, notes };
}

/**
 * Where 6 xi_c(sigma_w, sigma_b) = depth, at each sigma_b, on either side of the critical gain:
 * xi_c grows without bound toward the critical line and is small far from it, so each side has at
 * most one crossing inside [wLo, wHi] (found by Brent to 1e-3 in sigma_w, the figure's
 * resolution); a side without one (the whole side trainable, or none of it) adds no point.
 */
export function trainableContour(activation: ActivationName, depth: number, wLo: number, wHi: number, sigmaBs: readonly number[]): TheoryData['trainableLine'] {
  const out: TheoryData['trainableLine'] = [];
  const lnL = Math.log(depth);
  for (const sb of sigmaBs) {
    const crit = findCriticalPoint(activation, sb);
    if (!crit.exists) continue;
    const wc = crit.point.sigmaW;
    const f = (sw: number): number => {
      const c = correlationFixedPoint(activation, { sigmaW: sw, sigmaB: sb });
      if (c.kind === 'none') return Number.NaN;
      return Number.isFinite(c.trainableDepth) ? Math.log(c.trainableDepth) - lnL : Infinity;
    };
    for (const [side, a, b] of [
      ['ordered', wLo, wc * (1 - 1e-4)],
      ['chaotic', wc * (1 + 1e-4), wHi],
    ] as const) {
      if (!(b > a)) continue;
      const fa = f(a), fb = f(b);
      // a sign change (NaN where there is no fixed point fails both tests: no crossing drawn)
      if (!((fa < 0 && fb > 0) || (fa > 0 && fb < 0))) continue;
      const g = (x: number): number => Math.min(50, f(x)); // +Infinity at criticality, kept finite for Brent
      out.push({ activation, side, sigmaW: brentRootIn(g, a, b, { xTolerance: 1e-3 }), sigmaB: sb });
    }
  }
  return out;
}

export function theoryData(study: StudyDefinition, slots: { activation: ActivationName; gains: number[] }[]): TheoryData {
  if (study.arch) return layerListTheory({ ...study, arch: study.arch }, slots);
  const notes: string[] = [];
  const lo = Math.min(...study.gains), hi = Math.max(...study.gains);
  const m1Curve: TheoryData['m1Curve'] = [];
  const qCurves: TheoryData['qCurves'] = [];
  const cCurves: TheoryData['cCurves'] = [];
  for (const activation of study.activations) {
    for (const gain of range(lo, hi, 80)) {
      const t = meanFieldTrajectory({ activation, sigmaW: gain, sigmaB: study.biasStd, depth: study.depth, q0: study.q0 });
      m1Curve.push({ activation, gain, lnM1: t.lnM1 });
    }
  }
  const densities: TheoryData['densities'] = [];
  const pointMasses: TheoryData['pointMasses'] = [];
  const densityRanges: TheoryData['densityRanges'] = [];
  for (const { activation, gains } of slots) {
    for (const gain of gains) {
      const t = meanFieldTrajectory({ activation, sigmaW: gain, sigmaB: study.biasStd, depth: study.depth, q0: study.q0 });
      t.q.forEach((q, l) => qCurves.push({ activation, gain, layer: l + 1, q }));
      if (study.c0 !== undefined) {
        correlationTrajectory(activation, { sigmaW: gain, sigmaB: study.biasStd }, study.depth, study.q0, study.c0).c.forEach((c, l) => cCurves.push({ activation, gain, layer: l + 1, c }));
      }
      const fp = fixedPoint(activation, { sigmaW: gain, sigmaB: study.biasStd });
      // homogeneous phi (linear, relu, leaky-relu) at sigma_b = 0 keep q^l = g^(2l) q0: no stationary q*,
      // but D^2 does not depend on q
      const q = fp.kind === 'point' ? fp.q : tryActivation(activation)?.traits.homogeneous ? 1 : NaN;
      if (!Number.isFinite(q)) {
        notes.push(`no free-probability density for ${activation} at g = ${gain}: ${fp.kind === 'divergent' ? fp.reason : 'no fixed point'}`);
        continue;
      }
      for (const init of study.inits) {
        if (study.depth > DENSITY_MAX_DEPTH) {
          notes.push(`no free-probability density for depth ${study.depth} > ${DENSITY_MAX_DEPTH} (the solver's limit)`);
          continue;
        }
        // the default range (two passes: wide enough for Gaussian nets' lower tails, then tight
        // around an orthogonal net's mass), so each density is resolved on its own support
        const d = spectralDensity({ activation, init, depth: study.depth, sigmaW: gain, q, points: DENSITY_POINTS });
        if (d.kind === 'point-mass') {
          pointMasses.push({ activation, init, gain, lnS: d.lnLambda / 2 });
          densityRanges.push({ activation, init, gain, lo: d.lnLambda / 2, hi: d.lnLambda / 2 });
          continue;
        }
        // a density whose grid holds visibly less (or more) than all the mass (its atoms included)
        // is not drawn: its shape would mislead
        if (!(Math.abs(d.massOnGrid - 1) <= 0.01)) {
          notes.push(`free-probability density for ${activation}, ${init} weights at g = ${gain} not drawn: its grid holds ${(100 * d.massOnGrid).toPrecision(3)}% of the mass`);
          continue;
        }
        // orthogonal kinked nets (hard-tanh, relu): the exact atom at the top edge (its mass is
        // the fraction of singular values at g^L) is drawn as a point mass beside the continuous part
        if (d.atomAtTop >= 1e-3) pointMasses.push({ activation, init, gain, lnS: d.lnLambdaTop / 2 });
        // cdf is P(lambda <= grid point), ascending over the continuous part; the top atom sits
        // above the grid's last point, so a quantile the grid does not reach is the atom's
        const at = (p: number) => {
          const i = d.cdf.findIndex((c) => c >= p);
          return (i < 0 ? d.lnLambdaTop : d.lnLambda[i]) / 2;
        };
        densityRanges.push({ activation, init, gain, lo: at(0.005), hi: at(0.995) });
        d.lnLambda.forEach((u, k) => {
          if (d.cdf[k] >= 1e-4 && d.densityLnS[k] > 0 && Number.isFinite(d.densityLnS[k])) densities.push({ activation, init, gain, q, lnS: u / 2, density: d.densityLnS[k] });
        });
      }
    }
  }
  const sigmaW = range(0.5, 2.5, 100);
  const sigmaB = range(0, 0.6, 30);
  const phase: TheoryData['phase'] = [];
  const criticalLine: TheoryData['criticalLine'] = [];
  const trainableLine: TheoryData['trainableLine'] = [];
  for (const activation of study.activations.filter(hasPhaseDiagram)) {
    for (const sb of sigmaB)
      for (const sw of sigmaW) {
        const p = meanFieldPoint(activation, { sigmaW: sw, sigmaB: sb });
        if (p.chi1 !== null) phase.push({ activation, sigmaW: sw, sigmaB: sb, chi1: p.chi1 });
      }
    for (const sb of range(0, 0.6, 60)) {
      const c = findCriticalPoint(activation, sb);
      if (c.exists && c.point.sigmaW <= 2.5) criticalLine.push({ activation, sigmaW: c.point.sigmaW, sigmaB: sb });
    }
    trainableLine.push(...trainableContour(activation, study.depth, sigmaW[0], sigmaW[sigmaW.length - 1], range(0, 0.6, 12)));
  }
  return { m1Curve, qCurves, cCurves, densities, pointMasses, densityRanges, phase, criticalLine, trainableLine, phaseGrid: { sigmaW, sigmaB }, notes };
}
