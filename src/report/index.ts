/** eoc report: Vega-Lite figures, headless rendering and the self-contained HTML page. */
export { defaultStudy, runStudy, gainGrid, studyConfig, DEFAULT_AXES, type Study, type StudyAxes, type StudyRun, type StudyRunOptions } from './study.js';
export { buildReport, lockReportFolder, studySlug, reportFolder, type BuildInput, type BuildResult } from './build.js';
export { loadSaved, samplesOf, studyOf, describeStudy, checkReportable, type SavedSweep, type SampleRecord, type StudyDefinition } from './data.js';
export { buildModel, type ReportModel } from './model.js';
export { renderSvg, svgToPng, compileSpec, RenderWarnings } from './render.js';
export { escapeHtml, jsonForScript } from './html.js';
export { FIGURES, INTERACTIVE } from './figures/index.js';
