import { FONT_STACK } from './fonts.js';
import type { InitName } from '../spec/types.js';

/**
 * One visual language for every figure. Colours are Okabe-Ito (distinguishable under the common
 * colour-vision deficiencies): orthogonal is always blue, Gaussian always vermillion, theory always
 * black and dashed. Sizes target a slide: 13-16 px text on ~450 px panels.
 */
export const INIT_COLORS: Record<InitName, string> = { orthogonal: '#0072B2', gaussian: '#D55E00' };
export const INIT_LABELS: Record<InitName, string> = { orthogonal: 'orthogonal', gaussian: 'Gaussian' };
export const THEORY_COLOR = '#000000';
export const CRITERION_DASH: Record<string, number[]> = {
  'm1 = 1': [1, 0],
  'min rms_log': [6, 3],
  'max frac_within_2': [2, 2],
};
export const CRITERION_LABEL: Record<string, string> = {
  'm1 = 1': 'm₁ = 1',
  'min rms_log': 'min rms ln s',
  'max frac_within_2': 'max frac in [½, 2]',
};

/** The legend label of the mean-field theory curves (black, dashed) in the figures that draw them. */
export const THEORY_LABEL = 'mean-field theory';
export const THEORY_DASH = [6, 4];

/**
 * The colour encoding every figure uses for the weight scheme. With `theory`, the scale gets one
 * more entry, `theory` -> black, drawn in the legend as a dashed stroke: a layer encoding
 * `color: { datum: theory }` then appears in the same legend as the measured schemes.
 */
export function initColor(inits: InitName[], title = 'weights', theory?: string) {
  const domain = inits.map((i) => INIT_LABELS[i]);
  const range = inits.map((i) => INIT_COLORS[i]);
  if (theory) {
    domain.push(theory);
    range.push(THEORY_COLOR);
  }
  return {
    field: 'initLabel',
    type: 'nominal' as const,
    title,
    scale: { domain, range },
    legend: {
      orient: 'top' as const,
      direction: 'horizontal' as const,
      ...(theory
        ? {
            symbolType: 'stroke',
            symbolSize: 400,
            labelLimit: 300,
            encode: { symbols: { strokeDash: { signal: `datum.value === ${JSON.stringify(theory)} ? [${THEORY_DASH}] : [1, 0]` } } },
          }
        : {}),
    },
  };
}

/** The same colour encoding for a layer that draws one fixed entry of its scale (the theory curve). */
export function colorDatum(color: ReturnType<typeof initColor>, datum: string) {
  const { field: _field, ...rest } = color;
  return { ...rest, datum };
}

export const PANEL = { width: 420, height: 260 };

export const CONFIG = {
  font: FONT_STACK,
  // per-item ARIA labels triple the SVG size; the page gives each figure a caption instead
  aria: false,
  background: 'white',
  padding: 12,
  view: { stroke: '#bbbbbb' },
  title: { fontSize: 18, fontWeight: 'bold', anchor: 'start', offset: 10, subtitleFontSize: 13, subtitleColor: '#444444' },
  axis: { labelFontSize: 13, titleFontSize: 14, titleFontWeight: 'normal', grid: true, gridColor: '#e6e6e6', tickColor: '#888888', domainColor: '#888888' },
  legend: { labelFontSize: 13, titleFontSize: 13, titleFontWeight: 'normal', symbolStrokeWidth: 3 },
  header: { labelFontSize: 15, titleFontSize: 15, labelFontWeight: 'bold' },
  line: { strokeWidth: 2 },
  text: { fontSize: 12 },
} as const;

/**
 * Text broken into lines of at most `chars` characters at spaces. Headless vega has no canvas to
 * measure text, so it estimates 0.8 em per character (about 1.5 times the real width): one long
 * subtitle line would set the canvas width and leave the charts in a corner of a wide blank image.
 */
export function wrapText(text: string, chars: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line && line.length + 1 + word.length > chars) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * Vega-Lite's top-level boilerplate for a figure. The subtitle is wrapped to `wrap` characters per
 * line (default 90, ~940 px by vega's estimate): narrower than any figure's charts, so the charts
 * set the width.
 */
export function figure(title: string, subtitle: string, body: Record<string, unknown>, opts: { wrap?: number } = {}): Record<string, unknown> {
  const lines = wrapText(subtitle, opts.wrap ?? 90);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle: lines.length === 1 ? lines[0] : lines },
    config: CONFIG,
    ...(withoutEmptyLayers(body) as Record<string, unknown>),
  };
}

/**
 * Every layer whose inline data is empty is left out (the first layer of a stack stays, for the
 * axes): vega warns of an infinite extent on an empty layer's scale field, which fails the figure.
 * Empty layers are what a study without something to mark gives: no located gain in the range, a
 * theory that is a point mass only, one weight scheme.
 */
export function withoutEmptyLayers(o: unknown): unknown {
  if (Array.isArray(o)) return o.map(withoutEmptyLayers);
  if (!o || typeof o !== 'object') return o;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
    if (k === 'layer' && Array.isArray(v)) {
      const isEmpty = (l: unknown) => {
        const values = (l as { data?: { values?: unknown } }).data?.values;
        return Array.isArray(values) && values.length === 0;
      };
      out[k] = v.filter((l, i) => i === 0 || !isEmpty(l)).map(withoutEmptyLayers);
    } else out[k] = withoutEmptyLayers(v);
  }
  return out;
}

/** Numbers on the page: fixed significant digits, no float noise in the JSON the specs carry. */
export function round(x: number, digits = 5): number {
  if (!Number.isFinite(x) || x === 0) return x;
  return +x.toPrecision(digits);
}

/**
 * Mark names must be unique in a figure: vega binds data to marks by name, and two panels with a
 * layer of the same name silently draw one panel's data in the other.
 */
export function markName(...parts: (string | number)[]): string {
  return parts.map((p) => String(p).replace(/[^A-Za-z0-9]+/g, '_')).join('_');
}

/**
 * Tick values for a log axis: powers of ten across [min, max], thinned to at most ~8 labels. Vega's
 * default log ticks add unlabelled 2..9 grid lines when few decades are shown, which reads as noise.
 */
export function decadeTicks(values: number[]): number[] {
  const v = values.filter((x) => Number.isFinite(x) && x > 0);
  if (v.length === 0) return [1];
  const lo = Math.floor(Math.log10(Math.min(...v)));
  const hi = Math.ceil(Math.log10(Math.max(...v)));
  const step = Math.max(1, Math.ceil((hi - lo) / 8));
  const out: number[] = [];
  for (let k = lo; k <= hi; k += step) out.push(Number(`1e${k}`));
  return out;
}
