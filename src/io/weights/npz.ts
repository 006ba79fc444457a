import { inflateRawSync } from 'node:zlib';
import { readNpy } from './npy.js';
import { weightFileError, type TensorFile } from './tensor.js';

/**
 * NumPy's .npz (numpy.savez: stored; numpy.savez_compressed: deflate): a zip archive of .npy
 * members, read through its central directory (end-of-central-directory record within the last
 * 64 KiB + 22 bytes, each entry's local header, method 0 or 8, sizes checked). ZIP64 archives
 * (members of 4 GiB and more) and other compression methods are refused with one line.
 */
const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export function readNpz(bytes: Uint8Array, path: string): TensorFile {
  const fail = (why: string): never => {
    throw weightFileError(path, `not a valid .npz archive: ${why}`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail('no end-of-central-directory record (truncated, or not a zip file)');
  const entries = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  if (entries === 0xffff || cdOffset === 0xffffffff) fail('a ZIP64 archive (eoc reads archives under 4 GiB)');
  if (cdOffset + cdSize > eocd) fail('its central directory lies outside the file (truncated)');
  const tensors = [];
  let p = cdOffset;
  for (let e = 0; e < entries; e++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== CENTRAL) fail(`central directory entry ${e} is damaged`);
    const method = view.getUint16(p + 10, true);
    const compSize = view.getUint32(p + 20, true);
    const size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    const localOffset = view.getUint32(p + 42, true);
    const member = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;
    if (compSize === 0xffffffff || size === 0xffffffff || localOffset === 0xffffffff) fail(`member '${member}' needs ZIP64 (eoc reads members under 4 GiB)`);
    if (localOffset + 30 > bytes.length || view.getUint32(localOffset, true) !== LOCAL) fail(`member '${member}': its local header is damaged`);
    const dataStart = localOffset + 30 + view.getUint16(localOffset + 26, true) + view.getUint16(localOffset + 28, true);
    if (dataStart + compSize > bytes.length) fail(`member '${member}' runs past the end of the file (truncated)`);
    const raw = bytes.subarray(dataStart, dataStart + compSize);
    let content: Uint8Array;
    if (method === 0) content = raw;
    else if (method === 8) {
      try {
        content = inflateRawSync(raw);
      } catch (err) {
        return fail(`member '${member}' does not inflate (${(err as Error).message})`);
      }
    } else return fail(`member '${member}' uses compression method ${method} (eoc reads stored and deflate)`);
    if (content.length !== size) fail(`member '${member}' is ${content.length} bytes, its header says ${size}`);
    const name = member.endsWith('.npy') ? member.slice(0, -4) : member;
    tensors.push(readNpy(content, path, name));
  }
  return { format: 'npz', path, tensors };
}
