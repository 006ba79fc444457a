/**
 * eoc as a library: the same engine the CLI runs, as typed ESM. Re-exports only; each folder's
 * index (or module) owns its part of the data flow spec -> sampler -> propagate -> spectrum ->
 * gradients -> measure -> sweep -> theory -> report.
 */
export { EOC_VERSION } from './version.js';

// spec: types, defaults, validation, user-input parsers
export { ACTIVATIONS, INITS, DEFAULT_SPEC, type ActivationName, type InitName, type NetworkSpec } from './spec/types.js';
export { SpecError } from './spec/errors.js';
export { resolveSpec, networkBytes, memoryBudget } from './spec/validate.js';
export { parseGain, parseRealList, GAIN_PRESETS } from './spec/parse.js';
export { parseArch, resolveArch, type ArchDraft } from './spec/arch.js';

// networks as layer lists, and the activation registry
export {
  stagesOf,
  widthsOf,
  mlpLayers,
  archText,
  jacobianSize,
  isConstantWidth,
  hasBlocks,
  denseStagesOf,
  type LayerList,
  type Layer,
  type DenseLayer,
  type ActivationLayer,
  type LayerNormLayer,
  type ResidualLayer,
  type BranchLayer,
  type Stage,
} from './network/layers.js';
export { RESIDUAL_SCALINGS, type ResidualScaling } from './network/residual.js';
export { sampleBlockDraws, forwardBlocks, blockJacobian, backpropBlocks, type BlockTrace, type BlockGradients } from './network/blocks.js';
export { measureBlockNetwork } from './measure/block-network.js';
export { blockTrajectory, type BlockTrajectory, type BlockTheory } from './theory/block-trajectory.js';
export {
  activation,
  parseActivationName,
  ACTIVATION_FAMILIES,
  DEFAULT_ACTIVATION_NAMES,
  type ActivationDef,
  type ActivationTraits,
  type ActivationFamily,
} from './activations/registry.js';

// sampling and one network
export { normalStream, type NormalStream } from './random/streams.js';
export { sampleBaseDraws, sampleStageDraws, sampleDenseWeights, type BaseDraws } from './network/sampler.js';
export { forward, type ScaleParams, type LayerScale, type ForwardTrace } from './network/forward.js';
export { type Activation } from './network/activations.js';
export { backprop, type GradientProfile } from './gradients/backprop.js';
export { stableLogSingularValues, type JacobianFactor } from './spectrum/stable-product.js';
export { measureNetwork, type NetworkSample, type LayerRecord, type MeasureOptions } from './measure/network.js';
export { spectrumStats, STAT_NAMES, type SpectrumStats } from './measure/stats.js';
export { estimate, geometricEstimate, GEOMETRIC_STATS, type Estimate } from './measure/aggregate.js';
export {
  classify,
  verdictOf,
  faithfulRule,
  faithfulMargin,
  FAITHFUL_RULE,
  DEFAULT_THRESHOLDS,
  lnGradNormRatio,
  LN_GRAD_RATIO_LABEL,
  type Verdict,
  type CheckThresholds,
} from './measure/definitions.js';
export { runSpectrum, specDraws, specParams, type SpectrumRun } from './measure/run-spectrum.js';
export { analyzeSpectrum, resolveQ0, theoryBlock } from './measure/analyze.js';
export { spectrumDocument, SPECTRUM_SCHEMA, SPECTRUM_SCHEMA_LAYERS } from './io/spectrum-document.js';
export { toJson, readNumber, writeFileAtomic } from './io/json.js';

// linear algebra backends
export { setBackend, backend, backendInfo, type BackendInfo } from './linalg/select.js';

// theory, sweeps, reports
export * from './theory/index.js';
export * from './sweep/index.js';
// (report/render.ts stays internal: its compileSpec and svgToPng signatures carry vega's DOM-typed
// Spec and Node's Buffer, and the public types must check without @types/node or the DOM lib;
// buildReport renders every figure)
export { defaultStudy, runStudy, gainGrid, studyConfig, DEFAULT_AXES, type Study, type StudyAxes, type StudyRun, type StudyRunOptions } from './report/study.js';
export { buildReport, studySlug, reportFolder, type BuildInput, type BuildResult } from './report/build.js';
export { loadSaved, samplesOf, studyOf, describeStudy, checkReportable, type SavedSweep, type SampleRecord, type StudyDefinition } from './report/data.js';
export { buildModel, type ReportModel } from './report/model.js';
export { escapeHtml, jsonForScript } from './report/html.js';
export { FIGURES, INTERACTIVE } from './report/figures/index.js';

// eoc audit: a real model's weight file, layer by layer and end to end (src/audit/)
export { readWeightFile, readOnnxFile, readOnnx, ONNX_OPERATORS, WEIGHT_FORMATS, type Tensor, type TensorFile, type OnnxModel, type OnnxDense } from './io/weights/index.js';
export { mapWeights, naturalCompare, LAYOUTS, type Layout, type DenseWeights, type MappedWeights } from './audit/mapping.js';
export { modelFromTensors, modelFromOnnx, modelDraws, readInputs, type AuditModel } from './audit/model.js';
export { denseFindings, orthogonalityDefect, type DenseFindings, type DenseFlag } from './audit/findings.js';
export { BROKEN_FLAGS, flagText, type AuditFlag } from './audit/flags.js';
export { runAudit, auditDocument, layerFindings, auditMethod, AUDIT_SCHEMA, AUDIT_DENSE_COST, SCALE_OUTLIER_FACTOR, type AuditResult, type AuditOptions, type AuditLayer, type AuditIdeal, type AuditVerdict } from './audit/run.js';

// eoc learn: the learning dynamics of Saxe, McClelland & Ganguli 2014 (src/learn/)
export { singularTask, hierarchicalTask, npyTask, modeStrengths, taskLoss, type LearnTask, type TaskCorrelations } from './learn/tasks.js';
export { initialWeights, pretrainedWeights, PRETRAIN, LEARN_INITS, type LearnInit } from './learn/init.js';
export { trainLinear, trainNonlinear, type TrainOptions, type TrainResult, type TrainRecord } from './learn/train.js';
export { threeLayerMode, threeLayerLearningTime, deepModeRate, deepLearningTime, deepModeTrajectory, largeDepthLearningTime, optimalLearningRate } from './learn/exact.js';
export { modeTrajectory, learningTime, gainTime, bestRate, type Trajectory, type RateGrid, type RateSearch, type LearningTimeRow, type GainTimeRow } from './learn/experiments.js';
export { learnUnits, runLearnUnit, assembleStudy, LEARN_SCHEMA, type LearnConfig, type LearnStudy, type LearnUnit, type TaskSpec } from './learn/study.js';
