import { describe, it, expect } from 'vitest';
import { FIGURES, INTERACTIVE } from '../../src/report/figures/index.js';
import { compileSpec, renderSvg, RenderWarnings } from '../../src/report/render.js';
import { markName } from '../../src/report/style.js';
import { fixture, markItems } from './fixture.js';

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
