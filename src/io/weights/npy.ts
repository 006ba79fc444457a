import { decode, elementCount, ELEMENT_TYPES, weightFileError, type Tensor } from './tensor.js';

/**
 * NumPy's .npy format (numpy.lib.format, versions 1.0, 2.0 and 3.0): the magic "\x93NUMPY", a
 * major and minor version byte, the header length (2 bytes little-endian in 1.0, 4 in 2.0 and 3.0),
 * then the header, a Python dict literal { 'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
 * padded with spaces to a 64-byte boundary and ended by a newline, then the data. Read: the numeric
 * and boolean descrs of either byte order ('<', '>', '|', '='); Fortran order is transposed to C order.
 * Object arrays (pickles) and structured dtypes are refused.
 */
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

const DESCR: Record<string, string> = { f8: 'F64', f4: 'F32', f2: 'F16', i8: 'I64', i4: 'I32', i2: 'I16', i1: 'I8', u8: 'U64', u4: 'U32', u2: 'U16', u1: 'U8', b1: 'BOOL' };

export function readNpy(bytes: Uint8Array, path: string, name = ''): Tensor {
  const where = name ? `${path} member '${name}'` : path;
  const fail = (why: string): never => {
    throw weightFileError(where, `not a valid .npy array: ${why}`);
  };
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) fail('it does not start with the .npy magic \\x93NUMPY');
  const major = bytes[6];
  if (major < 1 || major > 3) fail(`format version ${major}.${bytes[7]} (eoc reads 1.0 to 3.0)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) fail('truncated in its header length');
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes;
  if (start + headerLen > bytes.length) fail(`the header says ${headerLen} bytes but the file ends first (truncated)`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) fail(`its header ${JSON.stringify(header.trim())} lacks descr, fortran_order or shape (a structured or object array?)`);
  const m = /^([<>|=])([a-z])(\d+)$/.exec(descr!);
  const dtype = m ? DESCR[`${m[2]}${m[3]}`] : undefined;
  if (!m || !dtype) fail(`dtype '${descr}' (eoc reads the float, int, uint and bool dtypes)`);
  const littleEndian = m![1] !== '>';
  const shape = shapeText!.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  const count = elementCount(shape);
  if (count === null) fail(`shape (${shapeText})`);
  const type = ELEMENT_TYPES[dtype!];
  const dataStart = start + headerLen;
  const need = count! * type.bytes;
  if (bytes.length - dataStart < need) fail(`${bytes.length - dataStart} bytes of data for shape (${shape.join(', ')}) of ${descr} (${need} expected: truncated)`);
  let data = decode(bytes, dataStart, count!, type, littleEndian);
  if (fortran === 'True' && shape.length > 1) data = fortranToC(data, shape);
  return { name, dtype: dtype!, shape, data };
}

/** Column-major (first index fastest) to row-major (last index fastest). */
function fortranToC(f: Float64Array, shape: readonly number[]): Float64Array {
  const n = f.length;
  const out = new Float64Array(n);
  const d = shape.length;
  const idx = new Array<number>(d).fill(0);
  // walk C order, computing each element's Fortran offset
  const fStride = new Array<number>(d);
  fStride[0] = 1;
  for (let k = 1; k < d; k++) fStride[k] = fStride[k - 1] * shape[k - 1];
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let k = 0; k < d; k++) off += idx[k] * fStride[k];
    out[i] = f[off];
    for (let k = d - 1; k >= 0; k--) {
      if (++idx[k] < shape[k]) break;
      idx[k] = 0;
    }
  }
  return out;
}
