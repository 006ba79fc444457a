import { runStudy, gainGrid, studyConfig, REPORT_C0 } from '../../src/report/study.js';
import { buildModel, type ReportModel } from '../../src/report/model.js';
import { samplesOf, studyOf, type StudyDefinition } from '../../src/report/data.js';
import { parseRecordLine, sweepDocument, type SweepConfig } from '../../src/sweep/index.js';

/** A small real study (depth 8, width 12): every figure gets data of the real shape in ~1 s. */
export function smallConfig(): SweepConfig {
  return studyConfig({
    activations: ['tanh', 'linear'],
    inits: ['orthogonal', 'gaussian'],
    depth: 8,
    width: 12,
    gains: gainGrid(0.8, 1.6, 0.1),
    biasStd: 0,
    q0: 1,
    seeds: [0, 1, 2],
    refine: true,
    c0: REPORT_C0,
  });
}

let cached: { name: string; title: string; config: SweepConfig; lines: string[]; study: StudyDefinition; model: ReportModel } | undefined;

export async function fixture() {
  if (!cached) {
    const config = smallConfig();
    const { lines } = await runStudy(config, { workers: 1 });
    const records = lines.map((l) => parseRecordLine(l)!);
    const study = studyOf(config, 'fixture', 'Fixture fixture');
    cached = { name: study.name, title: study.title, config, lines, study, model: buildModel(study, sweepDocument(config, records), samplesOf(records)) };
  }
  return cached;
}

/**
 * Items drawn by the mark named `name` (vega's group class "role-mark <name>_marks"): the elements
 * of the given tag inside every such group. Mark groups hold only their items, so the group ends at
 * its first closing tag.
 */
export function markItems(svg: string, name: string, tag: 'path' | 'line' | 'text'): number {
  let count = 0;
  const needle = ` ${name}_marks"`;
  let at = svg.indexOf(needle);
  while (at >= 0) {
    const end = svg.indexOf('</g>', at);
    const body = svg.slice(at, end);
    count += body.split(`<${tag}`).length - 1;
    at = svg.indexOf(needle, end);
  }
  return count;
}
