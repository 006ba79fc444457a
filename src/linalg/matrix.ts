/**
 * Dense matrices are flat row-major Float64Arrays with explicit dimensions: the layout every kernel
 * in src/linalg works on, so a faster backend can take the same buffers.
 */
export interface Mat {
  rows: number;
  cols: number;
  data: Float64Array;
}

export function zeros(rows: number, cols: number): Mat {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

export function identity(n: number): Mat {
  const m = zeros(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

export function fromRows(rows: number[][]): Mat {
  const r = rows.length;
  const c = r === 0 ? 0 : rows[0].length;
  const m = zeros(r, c);
  rows.forEach((row, i) => {
    if (row.length !== c) throw new Error('fromRows: ragged rows');
    m.data.set(row, i * c);
  });
  return m;
}

export function toRows(m: Mat): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++) out.push(Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  return out;
}

export function transpose(m: Mat): Mat {
  const t = zeros(m.cols, m.rows);
  const { rows, cols, data } = m;
  // blocked so both reads and writes stay in cache for large matrices
  const B = 32;
  for (let i0 = 0; i0 < rows; i0 += B) {
    for (let j0 = 0; j0 < cols; j0 += B) {
      const i1 = Math.min(i0 + B, rows);
      const j1 = Math.min(j0 + B, cols);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) t.data[j * rows + i] = data[i * cols + j];
    }
  }
  return t;
}

export function copy(m: Mat): Mat {
  return { rows: m.rows, cols: m.cols, data: Float64Array.from(m.data) };
}

/** max_ij |a_ij - b_ij| */
export function maxAbsDiff(a: Mat, b: Mat): number {
  if (a.rows !== b.rows || a.cols !== b.cols) throw new Error('maxAbsDiff: shape mismatch');
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}
