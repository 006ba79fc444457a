import { describe, it, expect } from 'vitest';
import { FIGURES, INTERACTIVE } from '../../src/report/figures/index.js';
import { compileSpec, renderSvg, RenderWarnings } from '../../src/report/render.js';
import { THEORY_DASH, THEORY_LABEL, markName } from '../../src/report/style.js';
import { chiBands } from '../../src/report/figures/phase.js';
import { densityWindow } from '../../src/report/model.js';
import { fixture, markItems } from './fixture.js';
import type { ReportModel } from '../../src/report/model.js';

describe('figure specs', () => {
  it('every spec compiles without warnings and renders to SVG', async () => {
    const { model } = await fixture();
    for (const f of [...FIGURES, INTERACTIVE]) {
      const spec = f.build(model);
      expect(spec, f.id).not.toBeNull();
      compileSpec(f.id, spec!);
      const svg = await renderSvg(f.id, spec!);
      expect(svg.startsWith('<svg'), f.id).toBe(true);
    }
  });

  it('a spec that makes vega-lite warn is rejected', () => {
    const bad = { data: { values: [{ a: 1 }] }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' }, shape: { field: 'a', type: 'quantitative' } } };
    expect(() => compileSpec('bad', bad)).toThrow(RenderWarnings);
  });

  it('isometry: one line per weight scheme, a point per measured gain, a rule per located gain', async () => {
    const { model, study } = await fixture();
    const svg = await renderSvg('isometry', FIGURES.find((f) => f.id === 'isometry')!.build(model)!);
    for (const a of study.activations) {
      expect(markItems(svg, markName('m1', a), 'path')).toBe(study.inits.length);
      expect(markItems(svg, markName('mean_field', a), 'path')).toBe(1);
      const located = model.analysis.located.filter((l) => l.activation === a && l.mean !== null).length;
      expect(located).toBeGreaterThan(0);
      expect(markItems(svg, markName('located', a), 'line')).toBe(located);
    }
    // points overlaid on the m1 and mean ln s lines: one per (activation, init, gain) in each row
    const points = (svg.match(/class="mark-symbol role-mark [^"]*"[^>]*>(.*?)<\/g>/gs) ?? []).join('').split('<path').length - 1;
    expect(points).toBe(model.analysis.summaries.filter((s) => s.stats.m1.mean > 0).length * 2);
  });

  it('density: one bar per non-empty bin, a theory curve or point mass per weight scheme', async () => {
    const { model, study } = await fixture();
    const svg = await renderSvg('density', FIGURES.find((f) => f.id === 'density')!.build(model)!);
    for (const s of model.slots) {
      const bins = model.slotHistograms.filter((b) => b.activation === s.activation && b.gain === s.gain && b.density > 0).length;
      expect(bins).toBeGreaterThan(0);
      expect(markItems(svg, markName('histogram', s.activation, s.slot), 'path')).toBe(bins);
      const curves = markItems(svg, markName('theory', s.activation, s.slot), 'path');
      const masses = markItems(svg, markName('point_mass', s.activation, s.slot), 'line');
      expect(curves + masses).toBe(study.inits.length);
    }
    // zoom rows: every slot of a zoomed activation has its own panel with both schemes binned on it
    for (const z of model.zoomDomains) {
      const s = model.slots.find((x) => x.activation === z.activation && x.gain === z.gain)!;
      const bins = model.zoomHistograms.filter((b) => b.activation === z.activation && b.gain === z.gain && b.density > 0).length;
      expect(markItems(svg, markName('zoom_histogram', s.activation, s.slot), 'path')).toBe(bins);
    }
  });

  it('density: tanh at depth 100 gets a zoom row on the orthogonal spectrum; orthogonal linear (a point mass) does not', async () => {
    const { buildModel } = await import('../../src/report/model.js');
    const { model } = await fixture();
    // synthetic spectra of the real shape: orthogonal ln s within a few units, Gaussian over hundreds
    const samples = model.samples.map((x) => ({
      ...x,
      logS: x.logS.map((_, i) => (x.activation === 'linear' && x.init === 'orthogonal' ? 0 : x.init === 'orthogonal' ? -0.5 * i : -20 * i)),
    }));
    const m = buildModel(model.study, model.sweep, samples);
    expect(new Set(m.zoomDomains.map((d) => d.activation))).toEqual(new Set(['tanh']));
    for (const d of m.zoomDomains) expect(d.hi - d.lo).toBeLessThan(0.35 * (m.slotDomains.find((x) => x.activation === d.activation && x.gain === d.gain)!.hi - m.slotDomains.find((x) => x.activation === d.activation && x.gain === d.gain)!.lo));
    const svg = await renderSvg('density', FIGURES.find((f) => f.id === 'density')!.build(m)!);
    for (const s of m.slots.filter((x) => x.activation === 'tanh')) expect(markItems(svg, markName('zoom_histogram', s.activation, s.slot), 'path')).toBeGreaterThan(0);
    expect(svg).toContain('zoom on the orthogonal spectrum');
  });

  it('gradients: one line per coarse gain in every panel; heatmap: one cell per (gain, layer)', async () => {
    const { model, study } = await fixture();
    const svg = await renderSvg('gradients', FIGURES.find((f) => f.id === 'gradients')!.build(model)!);
    for (const a of study.activations) for (const i of study.inits) expect(markItems(svg, markName('grad', a, i), 'path')).toBe(study.gains.length);
    const heat = await renderSvg('heatmap', FIGURES.find((f) => f.id === 'heatmap')!.build(model)!);
    const cells = (heat.match(/class="mark-rect role-mark [^"]*"[^>]*>(.*?)<\/g>/gs) ?? []).join('').split('<path').length - 1;
    expect(cells).toBe(model.analysis.summaries.length * study.depth);
  });

  it('phase diagram: a cell per grid point, the critical line, the measured gains and the located gain', async () => {
    const { model } = await fixture();
    const svg = await renderSvg('phase', FIGURES.find((f) => f.id === 'phase')!.build(model)!);
    const g = model.theory.phaseGrid;
    expect(markItems(svg, 'chi_tanh', 'path')).toBe(g.sigmaW.length * g.sigmaB.length);
    expect(markItems(svg, 'critical_tanh', 'path')).toBe(1);
    expect(markItems(svg, 'measured_tanh', 'path')).toBe(new Set(model.samples.filter((s) => s.activation === 'tanh').map((s) => s.gain)).size);
    expect(markItems(svg, 'faithful_tanh', 'path')).toBe(1);
    expect(markItems(svg, 'phase_label_tanh', 'text')).toBe(2);
  });

  it('q profile: measured line per weight scheme and one mean-field line per panel', async () => {
    const { model, study } = await fixture();
    const svg = await renderSvg('q-profile', FIGURES.find((f) => f.id === 'q-profile')!.build(model)!);
    for (const s of model.slots) {
      expect(markItems(svg, markName('measured', s.activation, s.slot), 'path')).toBe(study.inits.length);
      expect(markItems(svg, markName('mean_field', s.activation, s.slot), 'path')).toBe(1);
    }
  });

  it('interactive: the read-out and both views show the nearest measured gain for both schemes', async () => {
    const { model, study } = await fixture();
    const svg = await renderSvg('interactive', INTERACTIVE.build(model)!);
    expect(markItems(svg, 'view_readout', 'text')).toBe(study.inits.length);
    expect(markItems(svg, 'view_gradients', 'path')).toBe(study.inits.length);
    expect(markItems(svg, 'view_spectrum', 'path')).toBeGreaterThan(0);
  });
});

type Spec = Record<string, any>;
/** Every single-view panel of a composed spec (the leaves of vconcat/hconcat), in order. */
function panels(spec: Spec): Spec[] {
  if (spec.vconcat) return spec.vconcat.flatMap(panels);
  if (spec.hconcat) return spec.hconcat.flatMap(panels);
  return [spec];
}
/**
 * The fixture's networks with synthetic spectra of the depth-100 shape: orthogonal ln s a few units
 * wide and off zero (like tanh at g = 1, where the theory is a point mass at 0), Gaussian over
 * hundreds of units; orthogonal linear nets a point mass. Built once (buildModel recomputes theory).
 */
let syntheticModel: ReportModel | undefined;
async function synthetic(): Promise<ReportModel> {
  if (!syntheticModel) {
    const { buildModel } = await import('../../src/report/model.js');
    const { model } = await fixture();
    const samples = model.samples.map((x) => ({
      ...x,
      logS: x.logS.map((_, i) => (x.activation === 'linear' && x.init === 'orthogonal' ? 0 : x.init === 'orthogonal' ? -2 - 0.6 * i : -20 * i)),
    }));
    syntheticModel = buildModel(model.study, model.sweep, samples);
  }
  return syntheticModel;
}
const layerIndex = (p: Spec, prefix: string) => (p.layer as Spec[]).findIndex((l) => String(l.name).startsWith(prefix));
function percentile(values: number[], p: number): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  return v[Math.round(p * (v.length - 1))];
}

describe('figure specs: what a reader must be able to see', () => {
  it('isometry: the mean-field m1 curve is drawn after (over) the data, dashed, and named in the colour legend', async () => {
    const { model, study } = await fixture();
    const spec = FIGURES.find((f) => f.id === 'isometry')!.build(model)! as Spec;
    const tops = panels(spec).filter((p) => p.layer?.some((l: Spec) => String(l.name).startsWith('mean_field')));
    expect(tops).toHaveLength(study.activations.length);
    for (const p of tops) {
      const mf = layerIndex(p, 'mean_field'), data = layerIndex(p, 'm1');
      expect(data).toBeGreaterThanOrEqual(0);
      expect(mf).toBeGreaterThan(data);
      expect(p.layer[mf].mark.strokeDash).toEqual(THEORY_DASH);
      expect(p.layer[mf].encoding.color.datum).toBe(THEORY_LABEL);
      expect(p.layer[data].encoding.color.scale.domain).toContain(THEORY_LABEL);
    }
  });

  it('q profile: the measurement (line and markers) is drawn after the dashed theory', async () => {
    const { model } = await fixture();
    const spec = FIGURES.find((f) => f.id === 'q-profile')!.build(model)! as Spec;
    const ps = panels(spec);
    expect(ps).toHaveLength(model.slots.length);
    for (const p of ps) {
      const mf = layerIndex(p, 'mean_field');
      expect(mf).toBe(0);
      expect(p.layer[mf].mark.strokeDash).toEqual(THEORY_DASH);
      expect(layerIndex(p, 'measured_points')).toBe(p.layer.length - 1);
      expect(layerIndex(p, 'measured')).toBeGreaterThan(mf);
    }
  });

  it('phase diagram: the colour bands cover every plotted chi_1 without clamping, split at chi_1 = 1, blue below and orange above', async () => {
    const { model } = await fixture();
    const spec = FIGURES.find((f) => f.id === 'phase')!.build(model)! as Spec;
    const chis = model.theory.phase.filter((p) => p.activation === 'tanh').map((p) => p.chi1);
    const bands = chiBands(Math.min(...chis), Math.max(...chis));
    expect(bands.domain).toContain(1);
    expect(bands.range).toHaveLength(bands.domain.length + 1);
    for (const [k, c] of bands.range.entries()) {
      const [r, , b] = [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
      // bands below the threshold 1 are blue, from 1 up orange
      if (k < bands.domain.indexOf(1) + 1) expect(b, c).toBeGreaterThan(r);
      else expect(r, c).toBeGreaterThan(b);
    }
    const chi = panels(spec)[0].layer[0];
    expect(chi.encoding.color.scale.domain).toHaveLength(bands.labels.length);
    // every cell's band holds its chi_1: the outer bands end at the plotted extremes (nothing clamped)
    const edges = (label: string) => label.split(' – ').map(Number);
    for (const cell of chi.data.values as Spec[]) {
      const [lo, hi] = edges(cell.band);
      expect(cell.chi1, cell.band).toBeGreaterThanOrEqual(lo * (1 - 1e-3));
      expect(cell.chi1, cell.band).toBeLessThanOrEqual(hi * (1 + 1e-3));
      expect(hi <= 1 || lo >= 1, cell.band).toBe(true);
    }
  });

  it('phase diagram: the blue/orange edge (chi_1 = 1 on the colour grid) lies within a cell of the plotted critical line', async () => {
    const { model } = await fixture();
    const spec = FIGURES.find((f) => f.id === 'phase')!.build(model)! as Spec;
    const [chi, line] = panels(spec)[0].layer as Spec[];
    const cells = chi.data.values as Spec[];
    const step = model.theory.phaseGrid.sigmaW[1] - model.theory.phaseGrid.sigmaW[0];
    let checked = 0;
    for (const sb of model.theory.phaseGrid.sigmaB) {
      const row = model.theory.phase.filter((p) => p.activation === 'tanh' && Math.abs(p.sigmaB - sb) < 1e-9).sort((a, b) => a.sigmaW - b.sigmaW);
      const k = row.findIndex((p) => p.chi1 >= 1);
      const crit = (line.data.values as Spec[]).find((c) => Math.abs(c.sigmaB - sb) < 1e-9);
      if (k <= 0 || !crit) continue;
      // the first orange cell and the last blue cell straddle the line
      expect(row[k].sigmaW).toBeGreaterThanOrEqual(crit.sigmaW - 1e-6);
      expect(row[k - 1].sigmaW).toBeLessThanOrEqual(crit.sigmaW + 1e-6);
      expect(row[k].sigmaW - row[k - 1].sigmaW).toBeLessThan(step * 1.01);
      const band = cells.find((c) => Math.abs(c.w0 + step / 2 - row[k].sigmaW) < 1e-6 && Math.abs(c.b0 - Math.max(0, sb - step / 2)) < 1e-6);
      if (band) expect(Number(band.band.split(' – ')[0])).toBeGreaterThanOrEqual(1);
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('densityWindow: the data range joined with the theory mass, clipped to half the data width beyond it', () => {
    // the tanh g = 1 case: data at [-10, -1], the theory a point mass at 0 (q* = 0) -> inside
    const w = densityWindow([-10, -1], [0, 0]);
    expect(w[0]).toBeLessThanOrEqual(-10);
    expect(w[1]).toBeGreaterThan(0);
    // a long theory tail is clipped: at most half the data width (4.5) beyond the data, plus rounding
    const t = densityWindow([-10, -1], [-400, 3]);
    expect(t[0]).toBeGreaterThanOrEqual(-15);
    expect(t[0]).toBeLessThanOrEqual(-14.5);
    expect(t[1]).toBeGreaterThan(3);
    // a theory wholly out of reach leaves the data's window
    expect(densityWindow([-10, -1], [-1000, -900])).toEqual([-10, -1]);
    expect(densityWindow([-10, -1], null)).toEqual([-10, -1]);
  });

  it('density: every panel x-domain holds its schemes\' 1st-99th percentile of ln s and the theory mass within reach', async () => {
    const { model } = await fixture();
    // real fixture spectra, and synthetic ones of the depth-100 shape: the latter get zoom rows
    let zoomPanels = 0;
    for (const m of [model, await synthetic()]) {
      const spec = FIGURES.find((f) => f.id === 'density')!.build(m)! as Spec;
      for (const p of panels(spec)) {
        const hist = p.layer[0];
        const zoom = String(hist.name).startsWith('zoom_');
        const [lo, hi] = hist.encoding.x.scale.domain as number[];
        const slot = m.slots.find((s) => String(hist.name) === markName(`${zoom ? 'zoom_' : ''}histogram`, s.activation, s.slot))!;
        expect(slot, hist.name).toBeDefined();
        const inits = zoom ? (['orthogonal'] as const) : m.study.inits;
        for (const init of inits) {
          const v = m.samples.filter((s) => s.activation === slot.activation && s.gain === slot.gain && s.init === init).flatMap((s) => s.logS);
          const [p1, p99] = [percentile(v, 0.01), percentile(v, 0.99)];
          expect(lo, `${hist.name} ${init}`).toBeLessThanOrEqual(p1);
          expect(hi, `${hist.name} ${init}`).toBeGreaterThanOrEqual(p99);
          const r = m.theory.densityRanges.find((d) => d.activation === slot.activation && d.gain === slot.gain && d.init === init);
          if (!r) continue;
          const reach = Math.max(1, 0.5 * (p99 - p1));
          // the theory's mass inside the reach of the data is inside the window
          if (r.lo >= p1 - reach && r.lo <= p99 + reach) expect(lo, `${hist.name} ${init} theory`).toBeLessThanOrEqual(r.lo);
          if (r.hi >= p1 - reach && r.hi <= p99 + reach) expect(hi, `${hist.name} ${init} theory`).toBeGreaterThanOrEqual(r.hi);
        }
        if (zoom) zoomPanels++;
      }
    }
    expect(zoomPanels).toBeGreaterThan(0);
  });

  it('density: a narrow orthogonal spectrum is binned on its own range, finer than the wide Gaussian one', async () => {
    const m = await synthetic();
    for (const s of m.slots.filter((x) => x.activation === 'tanh')) {
      const bins = (init: string) => m.slotHistograms.filter((b) => b.activation === s.activation && b.gain === s.gain && b.init === init);
      const ow = bins('orthogonal')[0].x1 - bins('orthogonal')[0].x0, gw = bins('gaussian')[0].x1 - bins('gaussian')[0].x0;
      expect(ow).toBeLessThan(gw / 2);
      // the orthogonal spectrum spans several bars, not one
      expect(bins('orthogonal').filter((b) => b.density > 0).length, `${s.activation} ${s.gain}`).toBeGreaterThan(5);
    }
  });
});

describe('theory overlay', () => {
  it('a free-probability density with a top atom (hard-tanh orthogonal, nearly every d = 1) draws the atom at g^L as a point mass, inside its range', async () => {
    const { theoryData } = await import('../../src/report/theory.js');
    const study = { name: 't', title: 't', activations: ['hard-tanh' as const], inits: ['orthogonal' as const, 'gaussian' as const], depth: 30, width: 32, gains: [0.9, 1, 1.1], biasStd: 0.1, q0: 1, seeds: [0] };
    const t = theoryData(study, [{ activation: 'hard-tanh', gains: [0.9] }]);
    expect(t.notes).toEqual([]);
    // the atom sits at s = g^L exactly: ln s = 30 ln 0.9 (it holds 99.98% of the mass here)
    const atom = t.pointMasses.find((p) => p.init === 'orthogonal' && p.gain === 0.9)!;
    expect(atom.lnS).toBeCloseTo(30 * Math.log(0.9), 10);
    const o = t.densityRanges.find((d) => d.init === 'orthogonal')!;
    expect(o.lo).toBeLessThanOrEqual(atom.lnS);
    expect(o.hi).toBeGreaterThanOrEqual(atom.lnS);
    expect(o.hi - o.lo).toBeLessThan(10);
    // the Gaussian density there is drawn, its mass range ordered and its density finite
    const g = t.densityRanges.find((d) => d.init === 'gaussian')!;
    expect(g.lo).toBeLessThan(g.hi);
    expect(t.densities.filter((d) => d.init === 'gaussian').every((d) => Number.isFinite(d.density) && d.density > 0)).toBe(true);
  });
});
