import { writeFileSync } from 'node:fs';

/**
 * A float64 safetensors file, written from the format's description (8-byte little-endian header
 * length, JSON header with dtype/shape/data_offsets, raw little-endian C-order bytes): the tests'
 * way to hand eoc's own draws to eoc audit as a model file.
 */
export function writeSafetensorsF64(path: string, tensors: { name: string; shape: number[]; data: ArrayLike<number> }[]): void {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let off = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: 'F64', shape: t.shape, data_offsets: [off, off + 8 * t.data.length] };
    off += 8 * t.data.length;
  }
  let h = Buffer.from(JSON.stringify(header));
  if (h.length % 8) h = Buffer.concat([h, Buffer.alloc(8 - (h.length % 8), 0x20)]);
  const out = Buffer.alloc(8 + h.length + off);
  out.writeBigUInt64LE(BigInt(h.length), 0);
  h.copy(out, 8);
  let p = 8 + h.length;
  for (const t of tensors) for (let i = 0; i < t.data.length; i++, p += 8) out.writeDoubleLE(t.data[i], p);
  writeFileSync(path, out);
}
