/** Mean-field and free-probability theory of gradient propagation (docs/science.md sections 5-7). */
export { gaussHermite, type QuadratureRule } from './hermite.js';
export { smoothGaussianExpectations, HERMITE_MAX_Q, HERMITE_NODES } from './smooth-expectation.js';
export { gaussianMoments, type GaussianMoments } from './gaussian-moments.js';
export { lengthMap, lengthMapSlope, chiAt, type Scales } from './length-map.js';
export { fixedPoint, type FixedPoint } from './fixed-point.js';
export {
  meanFieldPoint,
  classifyPhase,
  PHASE_TOLERANCE,
  type MeanFieldPoint,
  type Phase,
  type GradientScaleKind,
} from './phase.js';
export {
  findCriticalPoint,
  criticalPoint,
  criticalLine,
  CRITICAL_Q_MAX,
  type CriticalPoint,
  type CriticalSearch,
} from './critical.js';
export {
  meanFieldTrajectory,
  fixedPointInput,
  S1,
  type MeanFieldTrajectory,
  type TrajectoryInput,
} from './trajectory.js';
export {
  squaredDerivativeLaw,
  mTransform,
  lawMoment,
  DEFAULT_TANH_BINS,
  type SquaredDerivativeLaw,
} from './squared-derivative-law.js';
export {
  spectralDensity,
  DEFAULT_ETA,
  DEFAULT_DENSITY_POINTS,
  DENSITY_MAX_DEPTH,
  DENSITY_MASS_TOLERANCE,
  orthogonalTopAtom,
  type DensityOptions,
  type SpectralDensity,
  type SpectralDensityGrid,
  type SpectralPointMass,
} from './spectral-density.js';
export { gainTable, gainRow, gainsDocument, GAINS_SCHEMA, type GainRow, type GainTable } from './gains.js';
export { layerTrajectory, layerCorrelation, effectiveSigma2, type LayerTrajectory } from './layer-trajectory.js';
export {
  correlationMap,
  correlationFixedPoint,
  correlationTrajectory,
  gaussianPairExpectation,
  type CorrelationFixedPoint,
  type PairExpectation,
} from './correlation.js';
