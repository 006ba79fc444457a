import { decode, elementCount, ELEMENT_TYPES, weightFileError, type Tensor, type TensorFile } from './tensor.js';

/**
 * safetensors (what `save_file` and `model.save_pretrained` write): an 8-byte little-endian header
 * length N, N bytes of JSON { name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?:
 * { string: string } }, then the tensors' little-endian C-order bytes, offsets relative to the byte
 * after the header. Everything is checked before it is used: the header length against the file,
 * the JSON, each dtype, each shape, each range against the data and against its dtype and shape,
 * and the ranges against each other (no overlaps). A file that fails a check is one SpecError line.
 */
export const MAX_HEADER_BYTES = 100 * 2 ** 20;

export function readSafetensors(bytes: Uint8Array, path: string): TensorFile {
  const fail = (why: string): never => {
    throw weightFileError(path, `not a valid safetensors file: ${why}`);
  };
  if (bytes.length < 8) fail(`${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) fail(`a header of ${n} bytes (more than ${MAX_HEADER_BYTES}: truncated or not safetensors)`);
  const headerBytes = Number(n);
  if (8 + headerBytes > bytes.length) fail(`the header says ${headerBytes} bytes but the file has ${bytes.length - 8} after the length (truncated)`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerBytes)));
  } catch (e) {
    return fail(`its header is not JSON (${(e as Error).message.split('\n')[0]})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('its header is not a JSON object');
  const data = bytes.subarray(8 + headerBytes);
  const tensors: Tensor[] = [];
  const ranges: [number, number, string][] = [];
  let metadata: Record<string, string> | undefined;
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Object.values(entry).some((v) => typeof v !== 'string')) fail('__metadata__ must map strings to strings');
      metadata = entry as Record<string, string>;
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const where = `tensor '${name}'`;
    if (typeof e !== 'object' || e === null) fail(`${where} is not an object`);
    const type = typeof e.dtype === 'string' ? ELEMENT_TYPES[e.dtype] : undefined;
    if (!type) fail(`${where} has dtype ${JSON.stringify(e.dtype)} (eoc reads ${Object.keys(ELEMENT_TYPES).join(', ')})`);
    const count = elementCount(e.shape);
    if (count === null) fail(`${where} has shape ${JSON.stringify(e.shape)} (a list of non-negative integers)`);
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((x) => Number.isSafeInteger(x) && x >= 0) || off[1] < off[0]) fail(`${where} has data_offsets ${JSON.stringify(off)}`);
    const [begin, end] = off as [number, number];
    if (end > data.length) fail(`${where} ends at byte ${end} of the data, which has ${data.length} (truncated)`);
    if (end - begin !== count! * type!.bytes) fail(`${where} has ${end - begin} bytes for shape ${JSON.stringify(e.shape)} of ${e.dtype} (${count! * type!.bytes} expected)`);
    ranges.push([begin, end, name]);
    tensors.push({ name, dtype: e.dtype as string, shape: e.shape as number[], data: decode(data, begin, count!, type!) });
  }
  ranges.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) if (ranges[i][0] < ranges[i - 1][1]) fail(`tensors '${ranges[i - 1][2]}' and '${ranges[i][2]}' overlap`);
  // file order: by data offset, as the writers lay tensors out
  const order = new Map(ranges.map((r, i) => [r[2], i]));
  tensors.sort((a, b) => order.get(a.name)! - order.get(b.name)!);
  return { format: 'safetensors', path, tensors, ...(metadata ? { metadata } : {}) };
}
