import { describe, it, expect } from 'vitest';
import { Resvg } from '@resvg/resvg-js';
import { FIGURES } from '../../src/report/figures/index.js';
import { renderSvg, svgToPng } from '../../src/report/render.js';
import { FONT_FAMILY, reportFontFiles, woffToSfnt } from '../../src/report/fonts.js';
import { readFileSync } from 'node:fs';
import { fixture } from './fixture.js';

/** Decode a PNG back to RGBA with resvg (an <image> of it), so the test needs no PNG decoder. */
function decode(png: Buffer, width: number, height: number): Uint8Array {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><image width="${width}" height="${height}" href="data:image/png;base64,${png.toString('base64')}"/></svg>`;
  return new Resvg(svg, { font: { loadSystemFonts: false } }).render().pixels;
}

function darkPixels(rgba: Uint8Array, width: number, x0: number, y0: number, x1: number, y1: number): number {
  let n = 0;
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      const i = 4 * (y * width + x);
      if (rgba[i] < 100 && rgba[i + 1] < 100 && rgba[i + 2] < 100 && rgba[i + 3] > 200) n++;
    }
  return n;
}

describe('PNG rendering', () => {
  it('the shipped font decodes from WOFF to a TrueType file', () => {
    const files = reportFontFiles();
    expect(files).toHaveLength(2);
    const ttf = readFileSync(files[0]);
    expect(ttf.readUInt32BE(0)).toBe(0x00010000);
    expect(() => woffToSfnt(new Uint8Array([1, 2, 3, 4]))).toThrow(/WOFF/);
  });

  it('every figure becomes a non-empty PNG of twice the SVG size with text in its title', async () => {
    const { model } = await fixture();
    for (const f of FIGURES) {
      const svg = await renderSvg(f.id, f.build(model)!);
      const w = Number(/width="(\d+(?:\.\d+)?)"/.exec(svg)![1]);
      const h = Number(/height="(\d+(?:\.\d+)?)"/.exec(svg)![1]);
      const { png, width, height } = svgToPng(svg, 2);
      expect(png.subarray(1, 4).toString('latin1'), f.id).toBe('PNG');
      expect(width, f.id).toBe(Math.round(2 * w));
      expect(height, f.id).toBe(Math.round(2 * h));
      const rgba = decode(png, width, height);
      // the title (18 px bold at 2x) sits in the top ~60 px: dark pixels there mean glyphs were drawn
      const title = darkPixels(rgba, width, 0, 0, Math.min(width, 600), 60);
      expect(title, `${f.id}: dark pixels in the title region`).toBeGreaterThan(300);
      // and the image is not one flat colour
      let nonWhite = 0;
      for (let i = 0; i < rgba.length; i += 4) if (rgba[i] < 250 || rgba[i + 1] < 250 || rgba[i + 2] < 250) nonWhite++;
      expect(nonWhite / (width * height), f.id).toBeGreaterThan(0.02);
    }
  });

  it('text disappears without the font, which is why render.ts always loads it', () => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><rect width="200" height="40" fill="white"/><text x="5" y="30" font-family="${FONT_FAMILY}" font-size="24">σ_w χ₁</text></svg>`;
    const without = new Resvg(svg, { font: { loadSystemFonts: false } }).render();
    const withFont = new Resvg(svg, { font: { loadSystemFonts: false, fontFiles: reportFontFiles(), defaultFontFamily: FONT_FAMILY } }).render();
    expect(darkPixels(without.pixels, 200, 0, 0, 200, 40)).toBe(0);
    expect(darkPixels(withFont.pixels, 200, 0, 0, 200, 40)).toBeGreaterThan(50);
  });
});
