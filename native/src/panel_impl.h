/*
 * The unblocked Householder QR of one panel (LAPACK dgeqr2) for one CPU path of lapack.c, included
 * once per path as gemm_impl.h is by gemm.c:
 *   SFX      a suffix for the function names
 *   TARGET   the function attribute for that path (empty for the baseline)
 *   VBYTES   the path's vector width in bytes (64, 32, 16)
 * Each reflector's update of a trailing column is a dot (gemm.c's eoc_ddot, the same path's) and an
 * axpy, both on the path's vectors, so the panel, half of a 256 x 256 QR's time on the baseline loops,
 * runs at the vector width. Rounding differs from the baseline's (vector partial sums, FMA), as a
 * gemm's does; the reflector convention is qr.ts's.
 */
#define PCAT2_(a, b) a##_##b
#define PCAT2(a, b) PCAT2_(a, b)
#define PFN(name) PCAT2(name, SFX)

/* vector.ts norm2's scaling (max |x_i|, then the sum of squares of x_i / max), on the path's vectors */
TARGET static double PFN(panel_nrm2)(int n, const double *restrict x) {
  typedef double vd __attribute__((vector_size(VBYTES)));
  enum { W = VBYTES / 8 };
  vd mx = {0};
  int i = 0;
  for (; i + W <= n; i += W) {
    vd v;
    memcpy(&v, x + i, VBYTES);
    for (int q = 0; q < W; q++) {
      const double a = v[q] < 0 ? -v[q] : v[q];
      mx[q] = a > mx[q] ? a : mx[q];
    }
  }
  double scale = 0;
  for (int q = 0; q < W; q++) scale = mx[q] > scale ? mx[q] : scale;
  for (; i < n; i++) {
    const double a = fabs(x[i]);
    if (a > scale) scale = a;
  }
  if (scale == 0 || !isfinite(scale)) return scale;
  const double inv = 1 / scale;
  vd s0 = {0}, s1 = {0};
  i = 0;
  for (; i + 2 * W <= n; i += 2 * W) {
    vd a0, a1;
    memcpy(&a0, x + i, VBYTES);
    memcpy(&a1, x + i + W, VBYTES);
    a0 *= inv;
    a1 *= inv;
    s0 += a0 * a0;
    s1 += a1 * a1;
  }
  s0 += s1;
  double t = 0;
  for (int q = 0; q < W; q++) t += s0[q];
  for (; i < n; i++) {
    const double v = x[i] * inv;
    t += v * v;
  }
  return scale * sqrt(t);
}

/* y -= w x */
TARGET static void PFN(panel_axpy)(int n, double w, const double *restrict x, double *restrict y) {
  for (int i = 0; i < n; i++) y[i] -= w * x[i];
}

/* unblocked QR of the m x nc panel (column c at a + c*lda), reflectors in place, tau[min(m, nc)] */
TARGET static void PFN(geqr2)(int m, int nc, double *a, ptrdiff_t lda, double *tau) {
  const int kmax = m < nc ? m : nc;
  for (int j = 0; j < kmax; j++) {
    double *col = a + (ptrdiff_t)j * lda;
    const double alpha = col[j];
    const int rest = m - j - 1;
    const double xnorm = rest > 0 ? PFN(panel_nrm2)(rest, col + j + 1) : 0.0;
    if (xnorm == 0) {
      tau[j] = 0;
      continue;
    }
    /* Math.sign(alpha || 1): -0 and +0 both count as positive */
    const double beta = -(alpha < 0 ? -1.0 : 1.0) * hypot(alpha, xnorm);
    const double t = (beta - alpha) / beta;
    tau[j] = t;
    const double inv = 1 / (alpha - beta);
    double *x = col + j + 1;
    for (int i = 0; i < rest; i++) x[i] *= inv;
    col[j] = beta;
    for (int c = j + 1; c < nc; c++) {
      double *cc = a + (ptrdiff_t)c * lda;
      const double w = t * (cc[j] + eoc_ddot(rest, x, cc + j + 1));
      cc[j] -= w;
      PFN(panel_axpy)(rest, w, x, cc + j + 1);
    }
  }
}

#undef PFN
#undef PCAT2
#undef PCAT2_
