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
  /**
   * The density figure's panel per slot gain: x range = the union over weight schemes of each
   * scheme's window (densityWindow: its data's range joined with the theory's mass range).
   */
  slotDomains: { activation: ActivationName; gain: number; lo: number; hi: number }[];
  /** each scheme binned on its own data range (up to SLOT_BINS bins, each at least 1/MAX_PANEL_BINS of the panel wide) */
  slotHistograms: HistBin[];
  /**
   * The density figure's zoom on the orthogonal spectrum (per slot gain: the orthogonal window, both
   * schemes binned on it), for activations whose orthogonal ln s spans a small part of the full
   * panel: there the Gaussian spread (hundreds of units of ln s for tanh at depth 100) would
   * squash it into a spike.
   */
  zoomDomains: { activation: ActivationName; gain: number; lo: number; hi: number }[];
  zoomHistograms: HistBin[];
  /** per activation: one domain for every gain (the interactive view keeps its axis fixed); each (scheme, gain) binned on its own range */
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
/** the narrowest bin a density panel draws: 1/MAX_PANEL_BINS of its x range (about a pixel) */
export const MAX_PANEL_BINS = 300;
export const ALL_BINS = 60;
/** a zoom row is drawn when the orthogonal window is below this fraction of the full panel's */
export const ZOOM_FRACTION = 0.35;

/**
 * The x window of one weight scheme's density: its data's range (domainOf: the central 99% padded)
 * joined with the theory's mass range (P = 0.005 to 0.995, or a point mass's location), the theory
 * clipped to at most half the data's width (and at least 1 unit) beyond either end of the data: a
 * theory far off the measurement (a fixed point q* the finite net has not reached) widens the
 * window enough to show where it lies without shrinking the data to a sliver.
 */
export function densityWindow(data: [number, number], theory: [number, number] | null): [number, number] {
  if (!theory) return data;
  const reach = Math.max(1, 0.5 * (data[1] - data[0]));
  const lo = Math.max(theory[0], data[0] - reach), hi = Math.min(theory[1], data[1] + reach);
  // a theory wholly beyond the reach adds nothing: the window stays the data's
  if (lo > hi) return data;
  return [Math.floor(2 * Math.min(data[0], lo - 0.25)) / 2, Math.ceil(2 * Math.max(data[1], hi + 0.25)) / 2];
}

/**
 * One weight scheme's histogram on its own data range `data` inside a panel `panelWidth` wide: up
 * to `bins` bins, none narrower than 1/MAX_PANEL_BINS of the panel, so a narrow (orthogonal)
 * spectrum keeps its shape beside a wide one; a point mass (every s equal: a spike of any height)
 * becomes one bin of 1/bins of the panel.
 */
function ownHistogram(at: SampleRecord[], values: number[], data: [number, number], panelWidth: number, bins: number) {
  const point = spread(values) <= 0.01;
  const mid = (data[0] + data[1]) / 2, half = point ? panelWidth / bins / 2 : (data[1] - data[0]) / 2;
  const n = point ? 1 : Math.max(1, Math.min(bins, Math.floor((MAX_PANEL_BINS * 2 * half) / panelWidth)));
  return histogram(at, mid - half, mid + half, n);
}

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
    for (const sg of slotGains(analysis, activation, measured)) slots.push({ activation, ...sg });
    const [lo, hi] = domainOf(ofAct.flatMap((s) => s.logS));
    allDomains.push({ activation, lo, hi });
    for (const init of study.inits)
      for (const gain of measured) {
        const at = ofAct.filter((s) => s.init === init && s.gain === gain);
        if (!at.length) continue;
        const values = at.flatMap((s) => s.logS);
        for (const b of ownHistogram(at, values, domainOf(values), hi - lo, ALL_BINS)) allHistograms.push({ activation, init, gain, ...b });
      }
  }
  const theory = theoryData(
    study,
    study.activations.map((activation) => ({ activation, gains: [...new Set(slots.filter((s) => s.activation === activation).map((s) => s.gain))] })),
  );
  for (const activation of study.activations) {
    const ofAct = samples.filter((s) => s.activation === activation);
    const zooms: { gain: number; lo: number; hi: number; wanted: boolean }[] = [];
    for (const sg of slots.filter((s) => s.activation === activation)) {
      const at = ofAct.filter((s) => s.gain === sg.gain);
      const own = study.inits.map((init) => {
        const values = at.filter((s) => s.init === init).flatMap((s) => s.logS);
        const data = domainOf(values);
        const r = theory.densityRanges.find((d) => d.activation === activation && d.init === init && d.gain === sg.gain);
        return { init, values, data, window: densityWindow(data, r ? [r.lo, r.hi] : null) };
      });
      const lo = Math.min(...own.map((o) => o.window[0])), hi = Math.max(...own.map((o) => o.window[1]));
      slotDomains.push({ activation, gain: sg.gain, lo, hi });
      for (const o of own) {
        for (const b of ownHistogram(at.filter((s) => s.init === o.init), o.values, o.data, hi - lo, SLOT_BINS)) slotHistograms.push({ activation, init: o.init, gain: sg.gain, ...b });
      }
      const orth = own.find((o) => o.init === 'orthogonal');
      if (orth && study.inits.length > 1) {
        // a point mass (orthogonal linear nets: every s equal) needs no zoom: its rule says it all
        zooms.push({ gain: sg.gain, lo: orth.window[0], hi: orth.window[1], wanted: spread(orth.values) > 0.01 && orth.window[1] - orth.window[0] < ZOOM_FRACTION * (hi - lo) });
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
  }
  return { study, sweep, samples, analysis, theory, slots, slotDomains, slotHistograms, zoomDomains, zoomHistograms, allDomains, allHistograms };
}
