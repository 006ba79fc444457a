import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';

/**
 * The one font every figure is drawn with. Vega writes the family into the SVG; resvg (the PNG
 * rasterizer) must then find that family or it silently drops the text. A fresh Debian machine may
 * have no fonts at all, so we never rely on system fonts: the font ships in npm
 * (@fontsource/dejavu-sans, whose "latin" file is the whole DejaVu Sans with Greek and math
 * symbols: sigma, chi, partial, plus-minus) and resvg is told to load only it.
 */
export const FONT_FAMILY = 'DejaVu Sans';
/** What SVG/HTML viewers fall back to when DejaVu Sans is not installed: metrics are close. */
export const FONT_STACK = `${FONT_FAMILY}, Verdana, Arial, sans-serif`;

const require = createRequire(import.meta.url);

/**
 * WOFF 1.0 -> sfnt (TrueType). resvg's font database reads TrueType/OpenType only, and the npm
 * package ships WOFF; WOFF is just the sfnt tables, each zlib-compressed, behind a 44-byte header
 * and a 20-byte-per-table directory (W3C WOFF 1.0, sections 3-5). The rebuilt file keeps the
 * original table order and checksums; padding to 4 bytes as sfnt requires.
 */
export function woffToSfnt(woff: Uint8Array): Buffer {
  const src = Buffer.from(woff.buffer, woff.byteOffset, woff.byteLength);
  if (src.readUInt32BE(0) !== 0x774f4646) throw new Error('not a WOFF 1.0 file (signature wOFF missing)');
  const flavor = src.readUInt32BE(4);
  const numTables = src.readUInt16BE(12);
  const tables: { tag: number; checksum: number; data: Buffer }[] = [];
  for (let i = 0; i < numTables; i++) {
    const e = 44 + 20 * i;
    const tag = src.readUInt32BE(e);
    const offset = src.readUInt32BE(e + 4);
    const compLength = src.readUInt32BE(e + 8);
    const origLength = src.readUInt32BE(e + 12);
    const checksum = src.readUInt32BE(e + 16);
    const raw = src.subarray(offset, offset + compLength);
    const data = compLength < origLength ? inflateSync(raw) : Buffer.from(raw);
    if (data.length !== origLength) throw new Error(`WOFF table ${i}: expected ${origLength} bytes, got ${data.length}`);
    tables.push({ tag, checksum, data });
  }
  let searchRange = 1;
  let entrySelector = 0;
  while (searchRange * 2 <= numTables) {
    searchRange *= 2;
    entrySelector++;
  }
  searchRange *= 16;
  const headerSize = 12 + 16 * numTables;
  const total = headerSize + tables.reduce((a, t) => a + ((t.data.length + 3) & ~3), 0);
  const out = Buffer.alloc(total);
  out.writeUInt32BE(flavor, 0);
  out.writeUInt16BE(numTables, 4);
  out.writeUInt16BE(searchRange, 6);
  out.writeUInt16BE(entrySelector, 8);
  out.writeUInt16BE(numTables * 16 - searchRange, 10);
  let offset = headerSize;
  tables.forEach((t, i) => {
    const d = 12 + 16 * i;
    out.writeUInt32BE(t.tag, d);
    out.writeUInt32BE(t.checksum, d + 4);
    out.writeUInt32BE(offset, d + 8);
    out.writeUInt32BE(t.data.length, d + 12);
    t.data.copy(out, offset);
    offset += (t.data.length + 3) & ~3;
  });
  return out;
}

let cached: string[] | undefined;

/**
 * Paths of TrueType files for resvg (regular and bold DejaVu Sans). resvg-js takes font *paths*, so
 * the decoded fonts are written once to a content-addressed file in the temp folder; a second
 * process finds the same file, and a half-written file is impossible (temp + rename).
 */
export function reportFontFiles(): string[] {
  if (cached) return cached;
  const dir = join(tmpdir(), 'eoc-fonts');
  mkdirSync(dir, { recursive: true });
  cached = ['400', '700'].map((weight) => {
    const woffPath = require.resolve(`@fontsource/dejavu-sans/files/dejavu-sans-latin-${weight}-normal.woff`);
    const woff = readFileSync(woffPath);
    const hash = createHash('sha256').update(woff).digest('hex').slice(0, 16);
    const out = join(dir, `dejavu-sans-${weight}-${hash}.ttf`);
    if (!existsSync(out)) {
      const tmp = `${out}.${process.pid}.tmp`;
      writeFileSync(tmp, woffToSfnt(woff));
      renameSync(tmp, out);
    }
    return out;
  });
  return cached;
}
