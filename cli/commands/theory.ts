import type { Command } from 'commander';
import { SpecError } from '../../src/spec/errors.js';
import { message } from '../../src/log/message.js';
import { checkFixedPointStart, LIMITS, readOptions, type ParsedOptions } from '../../src/spec/options.js';
import type { ActivationName, InitName } from '../../src/spec/types.js';
import type { LayerList } from '../../src/network/layers.js';
import type { CriticalPoint, SpectralDensity, meanFieldPoint, findCriticalPoint, meanFieldTrajectory, CorrelationFixedPoint } from '../../src/theory/index.js';
import { action, print } from '../common.js';
import { decimalFromLog, table } from '../format.js';
import { addOptions, refuseBesideArch } from '../options.js';
import { LN_GRAD_RATIO_LABEL } from '../../src/measure/definitions.js';

/** The options that describe one point; --critical-line scans --bias-std-range instead. */
const POINT_OPTIONS = ['gain', 'biasStd', 'depth', 'q0', 'density'] as const;

/** `eoc theory`: mean-field and free-probability numbers; `--critical-line` for the edge of chaos. */
export function registerTheory(program: Command): void {
  const cmd = program
    .command('theory')
    .description('mean-field theory (q*, chi_1, phase, depth scales, critical gain) and free-probability predictions');
  addOptions(cmd, 'theory').action(action(async (raw: Record<string, unknown>) => runTheory(readOptions('theory', raw))));
}

async function runTheory(o: ParsedOptions): Promise<void> {
  if (o.get('arch')) return runLayerTheory(o);
  const activation = o.get('activation');
  if (o.get('criticalLine')) {
    const given = o.givenFlags(POINT_OPTIONS);
    if (given.length) throw new SpecError(message.conflict('--critical-line', given[0], 'the critical line scans --bias-std-range and finds the gain at each sigma_b'));
  } else if (o.given('biasStdRange')) {
    throw new SpecError(message.needs('--bias-std-range', '--critical-line', 'it is the range the critical line scans'));
  }
  const depth = o.get('depth');
  const density = o.get('density');
  const dd = LIMITS.densityDepth;
  if (density && depth > dd.hi.value) throw new SpecError(message.outOfRange('--depth', depth, dd.lo, dd.hi, `with --density: ${dd.why}`));
  const sigmaB = o.get('biasStd');
  if (!o.get('criticalLine')) checkFixedPointStart(activation, sigmaB, o.get('q0'));
  const [{ EOC_VERSION }, theory, { toJson }] = await Promise.all([import('../../src/version.js'), import('../../src/theory/index.js'), import('../../src/io/json.js')]);
  const { criticalLine, findCriticalPoint, meanFieldPoint, meanFieldTrajectory, PHASE_TOLERANCE, spectralDensity } = theory;
  if (o.get('criticalLine')) {
    const line = criticalLine(activation, o.get('biasStdRange'));
    if (o.get('json')) print(toJson({ schema: 'eoc.critical-line/1', eocVersion: EOC_VERSION, activation, points: line }));
    else print(criticalLineTable(activation, line));
    return;
  }
  const init = o.get('init');
  const sigmaW = o.get('gain');
  const q0 = o.get('q0');
  const scales = { sigmaW, sigmaB };
  const point = meanFieldPoint(activation, scales);
  const critical = findCriticalPoint(activation, sigmaB);
  const correlation = theory.correlationFixedPoint(activation, scales);
  const trajectory = meanFieldTrajectory({ activation, sigmaW, sigmaB, depth, q0 });
  let densityResult: SpectralDensity | undefined;
  if (density) {
    const homogeneous = (await import('../../src/activations/registry.js')).activation(activation).traits.homogeneous;
    if (point.fixedPoint.kind !== 'point' && !homogeneous) {
      throw new SpecError(message.needs('--density', 'a fixed point q*', `${activation} has none at sigma_w = ${sigmaW}, sigma_b = ${sigmaB}`));
    }
    // homogeneous phi (linear, relu, leaky-relu): the law of phi'^2 does not depend on q, so any q serves
    const q = point.fixedPoint.kind === 'point' ? point.fixedPoint.q : 1;
    densityResult = spectralDensity({ activation, init, depth, sigmaW, q });
  }
  const inputs = {
    activation,
    init,
    gain: sigmaW,
    gainSquared: sigmaW * sigmaW,
    biasStd: sigmaB,
    biasVariance: sigmaB * sigmaB,
    depth,
    q0: q0 === 'fixed-point' ? 'fixed-point' : trajectory.q0,
    q0Resolved: trajectory.q0,
  };
  if (o.get('json')) {
    print(
      toJson({
        // version 3: meanField.xiGrad (1/|ln chi_1|, version 2's xiC) and correlation (c*, chi_c,
        // the literature's xi_c = -1/ln chi_c and the trainable depth 6 xi_c); version 2:
        // trajectory.lnGradNormProfile = ln(|delta^l|/|delta^L|) (norms)
        schema: 'eoc.theory/3',
        eocVersion: EOC_VERSION,
        inputs,
        meanField: { ...point, phaseTolerance: PHASE_TOLERANCE },
        correlation,
        critical: critical.exists ? { exists: true, ...critical.point } : critical,
        trajectory,
        ...(densityResult ? { density: densityResult } : {}),
      }),
    );
    return;
  }
  print(theoryTable(activation, init, sigmaW, sigmaB, depth, point, critical, trajectory, densityResult, PHASE_TOLERANCE, correlation));
}

/**
 * `eoc theory --arch`: the mean-field trajectory through a layer list (src/theory/layer-trajectory.ts).
 * The options that describe one identical stationary layer (--activation, --depth, --critical-line,
 * --bias-std-range, --density) do not apply to a list of different layers.
 */
async function runLayerTheory(o: ParsedOptions): Promise<void> {
  refuseBesideArch(o, ['criticalLine', 'biasStdRange', 'density'], 'a layer list gives its own layers; the critical line and the density are for identical stationary layers');
  const q0 = o.get('q0');
  if (q0 === 'fixed-point') throw new SpecError(message.conflict('--arch', '--q0 fixed-point', 'a layer list has no single fixed point to start at; give --q0 a number'));
  const [{ EOC_VERSION }, { layerTrajectory }, { toJson }, { resolveArch }, layers] = await Promise.all([
    import('../../src/version.js'),
    import('../../src/theory/layer-trajectory.js'),
    import('../../src/io/json.js'),
    import('../../src/spec/arch.js'),
    import('../../src/network/layers.js'),
  ]);
  const arch = resolveArch(o.get('arch')!, { init: o.get('init'), biasStd: o.get('biasStd') });
  const gain = o.get('gain');
  if (layers.hasBlocks(arch)) return runBlockTheory(o, arch, gain, q0);
  const stages = layers.stagesOf(arch);
  const t = layerTrajectory(stages, gain, q0);
  const perLayer = stages.map((st, l) => ({
    layer: l + 1,
    width: st.width,
    fanIn: st.fanIn,
    init: st.init,
    activation: st.activation,
    gain: gain * st.gain,
    biasStd: st.biasStd,
    sigma2: t.sigma2[l],
    q: t.q[l],
    chi: t.chi[l],
    logGradNorm: t.logGradNorm[l],
  }));
  if (o.get('json')) {
    // eoc.layer-theory/1: the trajectory of a layer list (inputs.arch), per layer; no single fixed point or phase
    print(toJson({ schema: 'eoc.layer-theory/1', eocVersion: EOC_VERSION, inputs: { arch, gain, q0 }, trajectory: t, layers: perLayer }));
    return;
  }
  const rows = perLayer.map((r) => [
    r.layer,
    `${r.fanIn} > ${r.width}`,
    r.init,
    r.activation,
    num(r.gain, 5),
    num(r.biasStd, 4),
    num(r.sigma2, 5),
    num(r.q, 5),
    num(r.chi, 5),
    num(r.logGradNorm, 5),
  ]);
  const head =
    `mean-field trajectory of ${layers.archText(arch)}, gain ${num(gain)}, q0 ${num(q0)} ` +
    `(sigma^2 = g^2, or g^2 fan_in/fan_out for an orthogonal layer that widens; chi_l = sigma^2 E[phi'(h)^2], h ~ N(0, q^l))`;
  const foot = [
    `predicted m1 = (N_L / min(N_0, N_L)) prod chi_l = ${numFromLn(t.lnM1)}  (ln m1 = ${num(t.lnM1)})`,
    `var_sq_norm = ${t.varSqNorm === null ? 'n/a (rectangular layers: the free-probability sum needs square ones)' : num(t.varSqNorm)}`,
  ];
  print(`${head}\n${table(['layer', 'shape', 'init', 'activation', 'gain', 'sigma_b', 'sigma^2', 'q^l', 'chi_l', 'ln |delta^l|'], rows)}\n${foot.join('\n')}`);
}

/** `eoc theory --arch` on a list with residual blocks or layernorm layers: the unit-by-unit trajectory (src/theory/block-trajectory.ts). */
async function runBlockTheory(o: ParsedOptions, arch: LayerList, gain: number, q0: number): Promise<void> {
  const [{ EOC_VERSION }, { blockTrajectory }, { toJson }, layers] = await Promise.all([
    import('../../src/version.js'),
    import('../../src/theory/block-trajectory.js'),
    import('../../src/io/json.js'),
    import('../../src/network/layers.js'),
  ]);
  const b = blockTrajectory(arch, gain, q0);
  if (!b.ok) throw new SpecError(message.noBlockTheory(layers.archText(arch), b.reason));
  const t = b.trajectory;
  const kinds = arch.layers.filter((l) => l.kind !== 'activation').map((l) => (l.kind === 'residual' ? `residual (alpha ${num(l.alpha, 5)})` : l.kind));
  const perUnit = t.q.map((q, u) => ({ unit: u + 1, kind: kinds[u], q, chi: t.chi[u], logGradNorm: t.logGradNorm[u] }));
  if (o.get('json')) {
    // eoc.block-theory/1: the unit-by-unit trajectory of a residual/layernorm list (inputs.arch)
    print(toJson({ schema: 'eoc.block-theory/1', eocVersion: EOC_VERSION, inputs: { arch, gain, q0 }, trajectory: t, units: perUnit }));
    return;
  }
  const head =
    `mean-field trajectory of ${layers.archText(arch)}, gain ${num(gain)}, q0 ${num(q0)}, unit by unit ` +
    `(residual: m' = m + alpha^2 V(m), chi = 1 + alpha^2 chi_F; layernorm: m' = v/(v + eps), chi = 1/(v + eps); dense: as a plain layer list)`;
  const rows = perUnit.map((r) => [r.unit, r.kind, num(r.q, 5), num(r.chi, 5), num(r.logGradNorm, 5)]);
  print(`${head}\n${table(['unit', 'kind', 'q (stream after it)', 'chi', 'ln |dE/dx|'], rows)}\npredicted m1 = (N_L / min(N_0, N_L)) prod chi = ${numFromLn(t.lnM1)}  (ln m1 = ${num(t.lnM1)})\nvar_sq_norm = n/a (no free-probability sum for residual blocks yet)`);
}

const num = (x: number | null, digits = 7): string => {
  if (x === null) return 'n/a';
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? 'inf' : '-inf';
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-6 || a >= 1e15)) return x.toExponential(digits - 1).replace(/\.?0+e/, 'e');
  return Number(x.toPrecision(digits)).toString();
};

/**
 * A positive quantity given by its natural log, printed in decimal even where exp(ln) leaves
 * float64 (m1 = e^-138155 at gain 1e-300 is 1.6e-60000, not 0): mantissa and exponent come from
 * ln / ln 10. -Infinity (an exact zero) prints as 0.
 */
export function numFromLn(ln: number, digits = 7): string {
  if (ln === -Infinity) return '0';
  if (!Number.isFinite(ln)) return num(ln);
  const x = Math.exp(ln);
  if (x >= 1e-300 && x <= 1e300) return num(x, digits);
  const d = decimalFromLog(ln, digits);
  return `${Number(d.mantissa)}e${d.exponent}`;
}

function criticalLineTable(activation: ActivationName, line: CriticalPoint[]): string {
  const rows = line.map((p) => [num(p.sigmaB), num(p.sigmaB2), num(p.sigmaW), num(p.sigmaW2), typeof p.q === 'number' ? num(p.q) : p.q]);
  return `critical line (chi_1 = 1 at the fixed point), ${activation}\n${table(['sigma_b', 'sigma_b^2', 'sigma_w', 'sigma_w^2', 'q*'], rows)}`;
}

function theoryTable(
  activation: ActivationName,
  init: InitName,
  sigmaW: number,
  sigmaB: number,
  depth: number,
  point: ReturnType<typeof meanFieldPoint>,
  critical: ReturnType<typeof findCriticalPoint>,
  t: ReturnType<typeof meanFieldTrajectory>,
  density: SpectralDensity | undefined,
  PHASE_TOLERANCE: number,
  corr: CorrelationFixedPoint,
): string {
  const fp = point.fixedPoint;
  const fpText =
    fp.kind === 'point'
      ? `q* = ${num(fp.q)}  (V'(q*) = ${num(fp.slope)})${fp.unstableAbove !== undefined ? `; repelling fixed point at q = ${num(fp.unstableAbove)}: q^l diverges from above it` : ''}`
      : fp.kind === 'any'
        ? 'every q is a fixed point (V(q) = q)'
        : `none: ${fp.reason}`;
  const xiGrad =
    point.xiGradKind === 'infinite'
      ? 'inf (critical)'
      : point.xiGradKind === null
        ? 'n/a'
        : `${num(point.xiGrad)} layers (1/|ln chi_1|: the gradient ${point.xiGradKind} length)`;
  const crit = critical.exists
    ? `sigma_w = ${num(critical.point.sigmaW)}  (sigma_w^2 = ${num(critical.point.sigmaW2)}), q* = ${
        typeof critical.point.q === 'number' ? num(critical.point.q) : critical.point.q
      }`
    : `none: ${critical.reason}`;
  const rows = [
    ['activation', activation],
    ['sigma_w (gain)', `${num(sigmaW)}  (sigma_w^2 = ${num(sigmaW * sigmaW)})`],
    ['sigma_b', `${num(sigmaB)}  (sigma_b^2 = ${num(sigmaB * sigmaB)})`],
    ['fixed point', fpText],
    ['chi_1', `${point.lnChi1 === null ? 'n/a' : numFromLn(point.lnChi1)}  phase: ${point.phase ?? 'n/a'} (critical when |chi_1 - 1| <= ${PHASE_TOLERANCE})`],
    ['xi_q', point.xiQ === null ? 'n/a' : `${num(point.xiQ)} layers`],
    ['xi_grad', xiGrad],
    ['correlation c*', corr.kind === 'none' ? `n/a: ${corr.reason}` : corr.everyCorrelationFixed ? 'every c is a fixed point (C(c) = c)' : `${num(corr.cStar)}  (chi_c = C'(c*) = ${num(corr.chiC)})`],
    [
      'xi_c',
      corr.kind === 'none'
        ? 'n/a'
        : corr.everyCorrelationFixed
          ? 'inf (C(c) = c: every correlation is kept)'
          : corr.xiC === Infinity
            ? 'inf (critical: correlations approach c* = 1 algebraically, not exponentially)'
          : `${num(corr.xiC)} layers (-1/ln chi_c, the correlation depth scale); trainable to about 6 xi_c = ${num(corr.trainableDepth, 4)} layers${depth > corr.trainableDepth ? ` (depth ${depth} exceeds it)` : ''}`,
    ],
    [`critical gain at sigma_b = ${num(sigmaB)}`, crit],
    [`depth L = ${depth}, q0 = ${num(t.q0)}`, `q^L = ${numFromLn(t.lnQ[depth - 1])}, chi_L = ${numFromLn(t.lnChi[depth - 1])}`],
    ['predicted m1', `${numFromLn(t.lnM1)}  (ln m1 = ${num(t.lnM1)})`],
    ['gradient norm ratio |delta^1|/|delta^L|', `${numFromLn(t.lnGradNormRatio)}  (${LN_GRAD_RATIO_LABEL} = ${num(t.lnGradNormRatio)})`],
    ['var_sq_norm orthogonal', num(t.varSqNorm.orthogonal)],
    ['var_sq_norm gaussian', num(t.varSqNorm.gaussian)],
  ];
  if (density?.kind === 'point-mass') {
    rows.push([`density (${init})`, `point mass at lambda = ${numFromLn(density.lnLambda)}: ${density.reason}`]);
  } else if (density) {
    rows.push([
      `density (${init})`,
      (density.atomAtTop > 0
        ? `top lambda = ${numFromLn(density.lnLambdaTop)}: an atom of mass ${num(density.atomAtTop)}` +
          (density.lnContinuousTop < density.lnLambdaTop
            ? ` (continuous part below, ${density.topEdge} edge at lambda = ${numFromLn(density.lnContinuousTop)})`
            : '') +
          ', '
        : `top edge lambda = ${numFromLn(density.lnLambdaTop)} (${density.topEdge}), `) +
        `atom at 0 = ${num(density.atomAtZero)}, ` +
        `mass on grid = ${num(density.massOnGrid)}, m1 = ${numFromLn(density.lnM1)}`,
    ]);
  }
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}
