/** Small dense-vector kernels on Float64Array slices (offsets let them address matrix rows). */

export function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += a[ao + i] * b[bo + i];
    s1 += a[ao + i + 1] * b[bo + i + 1];
    s2 += a[ao + i + 2] * b[bo + i + 2];
    s3 += a[ao + i + 3] * b[bo + i + 3];
  }
  for (; i < n; i++) s0 += a[ao + i] * b[bo + i];
  return s0 + s1 + (s2 + s3);
}

/** y[yo..] += alpha * x[xo..] */
export function axpy(alpha: number, x: Float64Array, xo: number, y: Float64Array, yo: number, n: number): void {
  for (let i = 0; i < n; i++) y[yo + i] += alpha * x[xo + i];
}

/**
 * Euclidean norm without overflow or underflow (scaled sum of squares, as in LAPACK's dnrm2),
 * because rows here can hold values near the ends of the float64 range.
 */
export function norm2(a: Float64Array, ao = 0, n = a.length - ao): number {
  let scale = 0;
  for (let i = 0; i < n; i++) {
    const v = Math.abs(a[ao + i]);
    if (v > scale) scale = v;
  }
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let ss = 0;
  const inv = 1 / scale;
  for (let i = 0; i < n; i++) {
    const v = a[ao + i] * inv;
    ss += v * v;
  }
  return scale * Math.sqrt(ss);
}

export function scale(alpha: number, a: Float64Array, ao = 0, n = a.length - ao): void {
  for (let i = 0; i < n; i++) a[ao + i] *= alpha;
}
