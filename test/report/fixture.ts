import { runStudy, gainGrid } from '../../src/report/study.js';
import { buildModel, type ReportModel } from '../../src/report/model.js';
import type { SampleRecord, StudyDefinition } from '../../src/report/data.js';

/** A small real study (depth 8, width 12): every figure gets data of the real shape in ~1 s. */
export function smallStudy(name = 'fixture'): StudyDefinition {
  return {
    name,
    title: `Fixture ${name}`,
    activations: ['tanh', 'linear'],
    inits: ['orthogonal', 'gaussian'],
    depth: 8,
    width: 12,
    gains: gainGrid(0.8, 1.6, 0.1),
    refineOffsets: [-0.02, 0, 0.02],
    biasStd: 0,
    q0: 1,
    seeds: [0, 1, 2],
  };
}

let cached: { study: StudyDefinition; samples: SampleRecord[]; model: ReportModel } | undefined;

export async function fixture() {
  if (!cached) {
    const study = smallStudy();
    const { samples } = await runStudy(study, { workers: 1 });
    cached = { study, samples, model: buildModel(study, samples) };
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
