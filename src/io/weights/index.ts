import { readFileSync, statSync } from 'node:fs';
import { FS_REASONS, isErrnoError } from '../fs-errors.js';
import { memoryBudget } from '../../spec/validate.js';
import { readSafetensors } from './safetensors.js';
import { readNpy } from './npy.js';
import { readNpz } from './npz.js';
import { weightFileError, type TensorFile } from './tensor.js';
import { readOnnx, type OnnxModel } from './onnx.js';

export { type Tensor, type TensorFile } from './tensor.js';
export { readSafetensors } from './safetensors.js';
export { readNpy } from './npy.js';
export { readNpz } from './npz.js';
export { readOnnx, ONNX_OPERATORS, type OnnxModel, type OnnxDense } from './onnx.js';

/** The weight formats eoc reads, by file name ending. */
export const WEIGHT_FORMATS = { '.safetensors': 'safetensors', '.npz': 'npz', '.npy': 'npy' } as const;

/**
 * A weight file's tensors (safetensors, .npz, .npy by its name's ending), read whole and checked:
 * a missing or unreadable file, an unknown ending, a file larger than an eighth of the memory budget
 * (its float64 copy is 2-8 times its size) or one that fails its format's checks is one SpecError
 * line naming the file.
 */
export function readWeightFile(path: string): TensorFile {
  const ending = Object.keys(WEIGHT_FORMATS).find((e) => path.toLowerCase().endsWith(e)) as keyof typeof WEIGHT_FORMATS | undefined;
  if (!ending) {
    const pickle = /\.(pt|pth|bin|ckpt)$/i.test(path) ? ': a torch pickle? write it with safetensors.torch.save_file(model.state_dict(), ...) or torch.onnx.export' : '';
    throw weightFileError(path, `unknown weight format (eoc reads ${Object.keys(WEIGHT_FORMATS).join(', ')}, and .onnx models)${pickle}`);
  }
  const bytes = readWhole(path);
  const format = WEIGHT_FORMATS[ending];
  if (format === 'safetensors') return readSafetensors(bytes, path);
  if (format === 'npz') return readNpz(bytes, path);
  return { format: 'npy', path, tensors: [readNpy(bytes, path, 'array')] };
}

/** An .onnx model file (src/io/weights/onnx.ts), read whole under the same checks as readWeightFile. */
export function readOnnxFile(path: string): OnnxModel {
  return readOnnx(readWhole(path), path);
}

/**
 * A file's bytes: a missing or unreadable file, or one larger than an eighth of the memory budget
 * (its float64 copy is 2-8 times its size), is one SpecError line naming the file.
 */
function readWhole(path: string): Uint8Array {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw weightFileError(path, 'not a regular file');
    size = st.size;
  } catch (e) {
    if (isErrnoError(e)) throw weightFileError(path, `cannot read: ${e.code ? FS_REASONS[e.code] ?? e.code : e.message}`);
    throw e;
  }
  const budget = memoryBudget() / 8;
  if (size > budget) throw weightFileError(path, `${(size / 2 ** 30).toFixed(2)} GiB, more than the ${(budget / 2 ** 30).toFixed(2)} GiB eoc reads whole (an eighth of the memory budget: the float64 copy is larger than the file)`);
  return new Uint8Array(readFileSync(path));
}
