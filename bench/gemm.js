// GFLOP/s of the TS gemm kernels (C = A B^T) and of ml-matrix's mmul at a few sizes.
import { gemmNT } from '../dist/src/linalg/gemm.js';
import { zeros } from '../dist/src/linalg/matrix.js';
import { Matrix } from 'ml-matrix';

function rand(n) {
  const m = zeros(n, n);
  for (let i = 0; i < m.data.length; i++) m.data[i] = Math.random() - 0.5;
  return m;
}
function time(fn, minMs = 400) {
  fn();
  let reps = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) { fn(); reps++; }
  return (performance.now() - t0) / reps / 1000;
}
const rows = [];
for (const n of [128, 256, 512]) {
  const A = rand(n), B = rand(n), C = zeros(n, n);
  const flops = 2 * n ** 3;
  const tTs = time(() => gemmNT(A, B, C));
  const mA = new Matrix(n, n), mB = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { mA.set(i, j, A.data[i * n + j]); mB.set(i, j, B.data[i * n + j]); }
  const tMl = n <= 512 ? time(() => mA.mmul(mB)) : NaN;
  rows.push({ n, 'ts gemm GFLOP/s': +(flops / tTs / 1e9).toFixed(2), 'ml-matrix mmul GFLOP/s': +(flops / tMl / 1e9).toFixed(2) });
}
console.table(rows);
