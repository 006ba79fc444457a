import { SpecError } from '../../spec/errors.js';

/**
 * A named tensor read from a weight file (src/io/weights/): its stored dtype, its shape (C order,
 * outermost first) and its values as float64 (every dtype eoc reads converts exactly: f16, bf16 and
 * f32 are subsets of f64, and so are the integers up to 2^53).
 */
export interface Tensor {
  name: string;
  dtype: string;
  shape: number[];
  data: Float64Array;
}

/** A weight file's tensors in file order, with what the format says of itself. */
export interface TensorFile {
  format: 'safetensors' | 'npy' | 'npz';
  path: string;
  tensors: Tensor[];
  /** safetensors' __metadata__ (strings), when present */
  metadata?: Record<string, string>;
}

/** One line naming the file and what is wrong with it (exit 2 at the CLI). */
export function weightFileError(path: string, why: string): SpecError {
  return new SpecError(`${path}: ${why}`);
}

/** IEEE 754 half precision to float64 (exact). */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f === 0 ? s * Infinity : NaN;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** bfloat16 to float64 (exact): the top 16 bits of a float32. */
export function bf16ToFloat(b: number): number {
  const buf = new DataView(new ArrayBuffer(4));
  buf.setUint32(0, b << 16, false);
  return buf.getFloat32(0, false);
}

/** Element size in bytes and a reader for the little- or big-endian element at a byte offset. */
export interface ElementType {
  bytes: number;
  read(view: DataView, offset: number, littleEndian: boolean): number;
}

export const ELEMENT_TYPES: Readonly<Record<string, ElementType>> = {
  F64: { bytes: 8, read: (v, o, le) => v.getFloat64(o, le) },
  F32: { bytes: 4, read: (v, o, le) => v.getFloat32(o, le) },
  F16: { bytes: 2, read: (v, o, le) => halfToFloat(v.getUint16(o, le)) },
  BF16: { bytes: 2, read: (v, o, le) => bf16ToFloat(v.getUint16(o, le)) },
  I64: { bytes: 8, read: (v, o, le) => Number(v.getBigInt64(o, le)) },
  I32: { bytes: 4, read: (v, o, le) => v.getInt32(o, le) },
  I16: { bytes: 2, read: (v, o, le) => v.getInt16(o, le) },
  I8: { bytes: 1, read: (v, o) => v.getInt8(o) },
  U64: { bytes: 8, read: (v, o, le) => Number(v.getBigUint64(o, le)) },
  U32: { bytes: 4, read: (v, o, le) => v.getUint32(o, le) },
  U16: { bytes: 2, read: (v, o, le) => v.getUint16(o, le) },
  U8: { bytes: 1, read: (v, o) => v.getUint8(o) },
  BOOL: { bytes: 1, read: (v, o) => (v.getUint8(o) ? 1 : 0) },
};

/** The values of `count` elements of `type` at `offset` of `bytes`, as float64. */
export function decode(bytes: Uint8Array, offset: number, count: number, type: ElementType, littleEndian = true): Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = type.read(view, offset + i * type.bytes, littleEndian);
  return out;
}

/** The number of elements of a shape, or null when it is not a list of non-negative safe integers. */
export function elementCount(shape: unknown): number | null {
  if (!Array.isArray(shape)) return null;
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) return null;
    n *= d;
    if (!Number.isSafeInteger(n)) return null;
  }
  return n;
}
