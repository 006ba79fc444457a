import type { ActivationName, InitName } from '../spec/types.js';
import type { SweepDocument } from '../sweep/index.js';
import type { SampleRecord, StudyDefinition } from './data.js';
import { analyze, slotGains, type Analysis } from './analysis.js';
import { theoryData, type TheoryData } from './theory.js';

/** A histogram bin of ln s, pooled over seeds, as a density (fraction of singular values per unit ln s). */
export interface HistBin {
  activation: ActivationName;
  init: InitName;
  gain: number;
  x0: number;
  x1: number;
  density: number;
}

export interface Slot {
  activation: ActivationName;
  slot: 'below' | 'at' | 'above';
  gain: number;
}

/** Everything the figures and the page are drawn from: a pure function of the sweep's records. */
export interface ReportModel {
  study: StudyDefinition;
  /** the sweep's summary document (what data/sweep.json holds) */
  sweep: SweepDocument;
  samples: SampleRecord[];
  analysis: Analysis;
  theory: TheoryData;
  slots: Slot[];
  /** per activation: histogram domain of the static density figure's panels, per slot gain */
  slotDomains: { activation: ActivationName; gain: number; lo: number; hi: number }[];
  slotHistograms: HistBin[];
  /**
   * The density figure's zoom on the orthogonal spectrum (per slot gain, both inits binned on it),
   * for activations whose orthogonal ln s spans a small part of the full panel: there the Gaussian
   * spread (hundreds of units of ln s for tanh at depth 100) would squash it into a spike.
   */
  zoomDomains: { activation: ActivationName; gain: number; lo: number; hi: number }[];
  zoomHistograms: HistBin[];
  /** per activation: one domain for every gain (the interactive view keeps its axis fixed) */
  allDomains: { activation: ActivationName; lo: number; hi: number }[];
  allHistograms: HistBin[];
}

function quantile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.round(p * (sorted.length - 1))));
  return sorted[i];
}

/** A padded [lo, hi] holding all but the outer 0.5% of the values on each side. */
export function domainOf(values: number[]): [number, number] {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return [-1, 1];
  let lo = quantile(v, 0.005), hi = quantile(v, 0.995);
  const pad = Math.max(0.5, 0.08 * (hi - lo));
  lo -= pad;
  hi += pad;
  return [Math.floor(lo * 2) / 2, Math.ceil(hi * 2) / 2];
}

export function histogram(samples: SampleRecord[], lo: number, hi: number, bins: number): { x0: number; x1: number; density: number }[] {
  const counts = new Array<number>(bins).fill(0);
  const w = (hi - lo) / bins;
  let n = 0;
  for (const s of samples)
    for (const v of s.logS) {
      if (!Number.isFinite(v)) continue;
      n++;
      const k = Math.floor((v - lo) / w);
      if (k >= 0 && k < bins) counts[k]++;
    }
  return counts.map((c, k) => ({ x0: +(lo + k * w).toFixed(6), x1: +(lo + (k + 1) * w).toFixed(6), density: n ? c / (n * w) : 0 }));
}

export const SLOT_BINS = 60;
export const ALL_BINS = 90;
/** a zoom row is drawn when the orthogonal window is below this fraction of the full panel's */
export const ZOOM_FRACTION = 0.35;

function spread(values: number[]): number {
  const v = values.filter(Number.isFinite);
  if (v.length < 2) return 0;
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
}

export function buildModel(study: StudyDefinition, sweep: SweepDocument, samples: SampleRecord[]): ReportModel {
  const analysis = analyze(sweep, study);
  const slots: Slot[] = [];
  const slotDomains: ReportModel['slotDomains'] = [];
  const slotHistograms: HistBin[] = [];
  const zoomDomains: ReportModel['zoomDomains'] = [];
  const zoomHistograms: HistBin[] = [];
  const allDomains: ReportModel['allDomains'] = [];
  const allHistograms: HistBin[] = [];
  for (const activation of study.activations) {
    const ofAct = samples.filter((s) => s.activation === activation);
    const measured = [...new Set(ofAct.map((s) => s.gain))].sort((a, b) => a - b);
    const zooms: { gain: number; lo: number; hi: number; wanted: boolean }[] = [];
    for (const sg of slotGains(analysis, activation, measured)) {
      slots.push({ activation, ...sg });
      const at = ofAct.filter((s) => s.gain === sg.gain);
      const [lo, hi] = domainOf(at.flatMap((s) => s.logS));
      slotDomains.push({ activation, gain: sg.gain, lo, hi });
      for (const init of study.inits) {
        for (const b of histogram(at.filter((s) => s.init === init), lo, hi, SLOT_BINS)) slotHistograms.push({ activation, init, gain: sg.gain, ...b });
      }
      if (study.inits.includes('orthogonal') && study.inits.length > 1) {
        const orth = at.filter((s) => s.init === 'orthogonal').flatMap((s) => s.logS);
        const [zLo, zHi] = domainOf(orth);
        // a point mass (orthogonal linear nets: every s equal) needs no zoom: its rule says it all
        zooms.push({ gain: sg.gain, lo: zLo, hi: zHi, wanted: spread(orth) > 0.01 && zHi - zLo < ZOOM_FRACTION * (hi - lo) });
      }
    }
    if (zooms.some((z) => z.wanted)) {
      for (const z of zooms) {
        zoomDomains.push({ activation, gain: z.gain, lo: z.lo, hi: z.hi });
        const at = ofAct.filter((s) => s.gain === z.gain);
        for (const init of study.inits) {
          for (const b of histogram(at.filter((s) => s.init === init), z.lo, z.hi, SLOT_BINS)) zoomHistograms.push({ activation, init, gain: z.gain, ...b });
        }
      }
    }
    const [lo, hi] = domainOf(ofAct.flatMap((s) => s.logS));
    allDomains.push({ activation, lo, hi });
    for (const init of study.inits)
      for (const gain of measured) {
        const at = ofAct.filter((s) => s.init === init && s.gain === gain);
        if (at.length) for (const b of histogram(at, lo, hi, ALL_BINS)) allHistograms.push({ activation, init, gain, ...b });
      }
  }
  const theory = theoryData(
    study,
    study.activations.map((activation) => ({ activation, gains: [...new Set(slots.filter((s) => s.activation === activation).map((s) => s.gain))] })),
    (a) => {
      const ds = slotDomains.filter((d) => d.activation === a);
      return [Math.min(...ds.map((d) => d.lo)), Math.max(...ds.map((d) => d.hi))];
    },
    zoomDomains,
  );
  return { study, sweep, samples, analysis, theory, slots, slotDomains, slotHistograms, zoomDomains, zoomHistograms, allDomains, allHistograms };
}
