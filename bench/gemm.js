// GFLOP/s of C = A B^T and of QR + Q (4/3 n^3 + 4/3 n^3 flops) per backend, plus ml-matrix's mmul.
import { loadBackend, drawsQR } from '../dist/src/linalg/select.js';
import { zeros } from '../dist/src/linalg/matrix.js';
import { Matrix } from 'ml-matrix';
import { loadavg } from 'node:os';

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
const backends = ['js', 'wasm', 'compiled', 'native'].flatMap((b) => { try { return [loadBackend(b)]; } catch { return []; } });
const rows = [];
for (const n of [128, 256, 512, 1024]) {
  const A = rand(n), B = rand(n), C = zeros(n, n);
  const row = { n };
  for (const be of backends) {
    if (be.name === 'js' && n > 512) continue;
    row[`${be.name} gemm`] = +((2 * n ** 3) / time(() => be.gemmNT(A, B, C)) / 1e9).toFixed(1);
    const g = A.data.slice(), tau = new Float64Array(n), q = new Float64Array(n * n);
    row[`${be.name} qr+q`] = +((8 / 3) * n ** 3 / time(() => { g.set(A.data); be.householderQR(g, n, tau); be.formQt(g, tau, n, q); }) / 1e9).toFixed(1);
  }
  const ex = drawsQR(), g = A.data.slice();
  row['exact(draws) qr+q'] = +((8 / 3) * n ** 3 / time(() => { g.set(A.data); const t = ex.householderQR(g, n); ex.formQt(g, t, n); }) / 1e9).toFixed(1);
  if (n <= 512) {
    const mA = new Matrix(n, n), mB = new Matrix(n, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { mA.set(i, j, A.data[i * n + j]); mB.set(i, j, B.data[i * n + j]); }
    row['ml-matrix'] = +((2 * n ** 3) / time(() => mA.mmul(mB)) / 1e9).toFixed(1);
  }
  row.load = loadavg()[0].toFixed(1);
  rows.push(row);
}
console.table(rows);
