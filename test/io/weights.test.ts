import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ROOT } from '../cli/run.js';
import { readWeightFile, readSafetensors, readNpz, readNpy } from '../../src/io/weights/index.js';
import { halfToFloat, bf16ToFloat } from '../../src/io/weights/tensor.js';
import { SpecError } from '../../src/spec/errors.js';

/**
 * The weight-file readers (issue 15, first step) against files numpy wrote (and a safetensors file
 * written by hand in Python from the format's description): test/fixtures/weights/make_weights.py,
 * with every tensor's values in expected.json. Exact: every dtype converts to float64 exactly.
 */
const DIR = join(ROOT, 'test/fixtures/weights');
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Record<string, { shape: number[]; values: number[] }>;
const NUMPY_NAMES = ['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'scale', 'steps', 'mask', 'bytes'];

describe('weight files', () => {
  it('safetensors: every tensor (F32, F64, F16, BF16, I32, BOOL, U8) and the metadata, exactly', () => {
    const f = readWeightFile(join(DIR, 'small.safetensors'));
    expect(f.format).toBe('safetensors');
    expect(f.metadata).toEqual({ format: 'pt' });
    expect(f.tensors.map((t) => t.name)).toEqual([...NUMPY_NAMES, 'bf16']);
    for (const t of f.tensors) {
      expect(t.shape, t.name).toEqual(expected[t.name].shape);
      expect(Array.from(t.data), t.name).toEqual(expected[t.name].values);
    }
  });

  it('.npz, stored and deflate-compressed, and .npy (C order, Fortran order, big-endian): exactly numpy\'s values', () => {
    for (const file of ['small.npz', 'small_compressed.npz']) {
      const f = readWeightFile(join(DIR, file));
      expect(f.tensors.map((t) => t.name).sort(), file).toEqual([...NUMPY_NAMES].sort());
      for (const t of f.tensors) {
        expect(t.shape, `${file} ${t.name}`).toEqual(expected[t.name].shape);
        expect(Array.from(t.data), `${file} ${t.name}`).toEqual(expected[t.name].values);
      }
    }
    expect(Array.from(readWeightFile(join(DIR, 'f8.npy')).tensors[0].data)).toEqual(expected['layers.1.weight'].values);
    expect(Array.from(readWeightFile(join(DIR, 'big_endian.npy')).tensors[0].data)).toEqual(expected['layers.1.weight'].values);
    const fo = readWeightFile(join(DIR, 'fortran.npy')).tensors[0];
    expect(fo.shape).toEqual([4, 3]);
    expect(Array.from(fo.data)).toEqual(expected['layers.0.weight'].values);
  });

  it('half and bfloat16 conversions: known bit patterns', () => {
    expect([0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x8000].map(halfToFloat)).toEqual([1, -2, 65504, 2 ** -24, Infinity, -0]);
    expect(Number.isNaN(halfToFloat(0x7e00))).toBe(true);
    expect([0x3f80, 0xbf00, 0x4049].map(bf16ToFloat)).toEqual([1, -0.5, 3.140625]);
  });

  it('truncated, corrupt or unsupported files: one SpecError line naming the file', () => {
    const st = new Uint8Array(readFileSync(join(DIR, 'small.safetensors')));
    const npz = new Uint8Array(readFileSync(join(DIR, 'small.npz')));
    const npy = new Uint8Array(readFileSync(join(DIR, 'f8.npy')));
    const header = (json: string) => {
      const h = new TextEncoder().encode(json);
      const out = new Uint8Array(8 + h.length + 16);
      new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
      out.set(h, 8);
      return out;
    };
    const cases: [() => unknown, RegExp][] = [
      [() => readSafetensors(st.subarray(0, 5), 'a'), /a: not a valid safetensors file: 5 bytes/],
      [() => readSafetensors(st.subarray(0, 100), 'a'), /the header says \d+ bytes but the file has 92/],
      [() => readSafetensors(st.subarray(0, st.length - 4), 'a'), /tensor 'bf16' ends at byte \d+ of the data, which has \d+ \(truncated\)/],
      [() => readSafetensors(header('{"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}'), 'a'), /tensor 'x' has 4 bytes for shape \[2\] of F32 \(8 expected\)/],
      [() => readSafetensors(header('{"x": {"dtype": "C64", "shape": [1], "data_offsets": [0, 8]}}'), 'a'), /tensor 'x' has dtype "C64"/],
      [() => readSafetensors(header('{"x": {"dtype": "U8", "shape": [4], "data_offsets": [0, 4]}, "y": {"dtype": "U8", "shape": [4], "data_offsets": [2, 6]}}'), 'a'), /tensors 'x' and 'y' overlap/],
      [() => readSafetensors(header('{"x": '), 'a'), /its header is not JSON/],
      [() => readNpz(npz.subarray(0, npz.length - 30), 'b'), /b: not a valid .npz archive: no end-of-central-directory record/],
      [() => readNpz(npz.subarray(200), 'b'), /not a valid .npz archive/],
      [() => readNpy(npy.subarray(0, npy.length - 1), 'c'), /c: not a valid .npy array: \d+ bytes of data for shape \(2, 4\) of <f8 \(64 expected: truncated\)/],
      [() => readNpy(new TextEncoder().encode('not numpy at all'), 'c'), /does not start with the .npy magic/],
    ];
    for (const [f, re] of cases) {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(err, String(re)).toBeInstanceOf(SpecError);
      expect((err as Error).message, String(re)).toMatch(re);
      expect((err as Error).message.includes('\n')).toBe(false);
    }
    const tmp = mkdtempSync(join(tmpdir(), 'eoc-weights-'));
    try {
      expect(() => readWeightFile(join(tmp, 'missing.safetensors'))).toThrow(/missing.safetensors: cannot read: /);
      writeFileSync(join(tmp, 'model.pt'), 'x');
      expect(() => readWeightFile(join(tmp, 'model.pt'))).toThrow(/unknown weight format \(eoc reads .safetensors, .npz, .npy, and .onnx models\): a torch pickle\? write it with safetensors\.torch\.save_file/);
      // an object array (a pickle) is refused
      const obj = readFileSync(join(DIR, 'f8.npy')).toString('latin1').replace("'descr': '<f8'", "'descr': '|O8'");
      writeFileSync(join(tmp, 'obj.npy'), Buffer.from(obj, 'latin1'));
      expect(() => readWeightFile(join(tmp, 'obj.npy'))).toThrow(/dtype '\|O8'/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
