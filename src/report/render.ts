import * as vl from 'vega-lite';
import * as vega from 'vega';
import { Resvg } from '@resvg/resvg-js';
import { FONT_FAMILY, reportFontFiles } from './fonts.js';

/** Warnings from vega-lite's compiler or vega's runtime: a figure with any is treated as broken. */
export class RenderWarnings extends Error {
  constructor(readonly figure: string, readonly warnings: string[]) {
    super(`${figure}: ${warnings.join('; ')}`);
  }
}

/** A logger that records every message at warning level or above. */
function collectingLogger(sink: string[]) {
  let level = 2;
  const logger = {
    level(l?: number) {
      if (l === undefined) return level;
      level = l;
      return logger;
    },
    warn: (...a: unknown[]) => (sink.push(a.map(String).join(' ')), logger),
    error: (...a: unknown[]) => (sink.push('error: ' + a.map(String).join(' ')), logger),
    info: () => logger,
    debug: () => logger,
  };
  return logger;
}

/** Vega-Lite -> Vega; throws RenderWarnings if the compiler warned. */
export function compileSpec(name: string, spec: Record<string, unknown>): vega.Spec {
  const warnings: string[] = [];
  const out = vl.compile(spec as unknown as vl.TopLevelSpec, { logger: collectingLogger(warnings) as never });
  if (warnings.length) throw new RenderWarnings(name, warnings);
  return out.spec as vega.Spec;
}

/**
 * Headless SVG: vega's dataflow runs with no renderer, then serializes the scenegraph. Vega's
 * runtime warnings (e.g. an infinite extent from a log scale fed a zero) fail the figure too.
 */
export async function renderSvg(name: string, spec: Record<string, unknown>): Promise<string> {
  const warnings: string[] = [];
  const view = new vega.View(vega.parse(compileSpec(name, spec)), {
    renderer: 'none',
    logger: collectingLogger(warnings) as never,
    logLevel: vega.Warn,
  });
  try {
    const svg = await view.toSVG();
    if (warnings.length) throw new RenderWarnings(name, warnings);
    return compactSvg(svg);
  } finally {
    view.finalize();
  }
}

/** PNG at `scale` x the SVG's size, with the shipped font only (see fonts.ts): text never vanishes. */
export function svgToPng(svg: string, scale = 2): { png: Buffer; width: number; height: number } {
  const r = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: false, fontFiles: reportFontFiles(), defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
  });
  const img = r.render();
  return { png: img.asPng(), width: img.width, height: img.height };
}

/**
 * Round geometry in an SVG to 0.01 px (vega writes up to 15 digits): invisible at any zoom a
 * reader uses, and it halves the size of the figures the page inlines. Only geometry attributes are
 * touched, never text content (a label "g = 1.050" keeps its digits).
 */
export function compactSvg(svg: string): string {
  return svg.replace(/(\s(?:d|transform|x|y|x1|x2|y1|y2|width|height|points)=")([^"]*)"/g, (_m, head: string, value: string) => {
    const v = value.replace(/-?\d+\.\d{3,}(?:e-?\d+)?/g, (num) => {
      const r = Math.round(Number(num) * 100) / 100;
      return String(r === 0 ? 0 : r);
    });
    return `${head}${v}"`;
  });
}
