/*
 * One path of exact_qr.c (included once per ISA, as gemm_impl.h is by gemm.c). Defines:
 *   SFX     name suffix            TARGET  function target attribute
 *   VL      lanes of one vector    NV      vectors per strip (a strip is W = VL * NV columns)
 * The matrix is worked on transposed (rows i of G, or of Q, contiguous across columns j), so that
 * W columns sit side by side in the lanes: each lane is one column and does exactly the reference's
 * scalar arithmetic for it (generic vectors: the compiler emits the ISA's own lane-wise ops).
 */
#define CAT2_(a, b) a##_##b
#define CAT2(a, b) CAT2_(a, b)
#define VD CAT2(vd, SFX)
#define VI CAT2(vi, SFX)
#define W (VL * NV)

typedef double VD __attribute__((vector_size(VL * 8)));
typedef long long VI __attribute__((vector_size(VL * 8)));

#define LD(p) ({ VD v_; __builtin_memcpy(&v_, (p), sizeof v_); v_; })
#define ST(p, v) do { VD s_ = (v); __builtin_memcpy((p), &s_, sizeof s_); } while (0)

/*
 * Reflector (t, x[0..len-1]) on the W columns at y (row c: the pivots; row c+1+i at y + (1+i) ld):
 * per column, w = t * (y_c + dot(x, y_{c+1..})); y_c -= w; y_{c+1+i} -= w * x_i, the dot as the
 * reference's (four sums over i mod 4, the tail into s0, (s0 + s1) + (s2 + s3)). Columns below
 * `first` keep their values.
 */
TARGET static void CAT2(strip_apply, SFX)(int len, double t, const double *x, double *y, ptrdiff_t ld, int first) {
  VD a0[NV], a1[NV], a2[NV], a3[NV];
  for (int v = 0; v < NV; v++) a0[v] = a1[v] = a2[v] = a3[v] = (VD){0};
  double *r = y + ld;
  int i = 0;
  for (; i + 3 < len; i += 4, r += 4 * ld) {
    const double x0 = x[i], x1 = x[i + 1], x2 = x[i + 2], x3 = x[i + 3];
#pragma GCC unroll 8
    for (int v = 0; v < NV; v++) {
      a0[v] = a0[v] + x0 * LD(r + v * VL);
      a1[v] = a1[v] + x1 * LD(r + ld + v * VL);
      a2[v] = a2[v] + x2 * LD(r + 2 * ld + v * VL);
      a3[v] = a3[v] + x3 * LD(r + 3 * ld + v * VL);
    }
  }
  for (; i < len; i++, r += ld) {
    const double xi = x[i];
#pragma GCC unroll 8
    for (int v = 0; v < NV; v++) a0[v] = a0[v] + xi * LD(r + v * VL);
  }
  VD w[NV];
  VI keep[NV];
  for (int v = 0; v < NV; v++) {
    const VD p = LD(y + v * VL);
    w[v] = t * (p + ((a0[v] + a1[v]) + (a2[v] + a3[v])));
    if (first > 0) {
      for (int l = 0; l < VL; l++) keep[v][l] = v * VL + l < first ? -1 : 0;
    }
  }
  if (first > 0) {
    /* columns below `first` get w = 0 and are then restored bit for bit by the select */
    r = y;
    for (int k = 0; k <= len; k++, r += ld) {
      const double xk = k == 0 ? 1.0 : x[k - 1];
      for (int v = 0; v < NV; v++) {
        const VD old = LD(r + v * VL);
        const VD nw = k == 0 ? old - w[v] : old - w[v] * xk;
        ST(r + v * VL, (VD)(((VI)old & keep[v]) | ((VI)nw & ~keep[v])));
      }
    }
    return;
  }
#pragma GCC unroll 8
  for (int v = 0; v < NV; v++) ST(y + v * VL, LD(y + v * VL) - w[v]);
  r = y + ld;
  for (int k = 0; k < len; k++, r += ld) {
    const double xk = x[k];
#pragma GCC unroll 8
    for (int v = 0; v < NV; v++) ST(r + v * VL, LD(r + v * VL) - w[v] * xk);
  }
}

/*
 * householderQRThin on G (m x k, m >= k) worked on row-major (g[i * ld + j] = G_ij): left-looking
 * over strips of W columns, each column still gets reflectors 0, 1, ... in order. gt is k x m (row c
 * of gt: column c of G), which takes each reflector as it is made.
 */
TARGET static void CAT2(exact_qr, SFX)(int m, int k, double *gt, double *tau, double *g, ptrdiff_t ld, unsigned char *skip) {
  for (int s0 = 0; s0 < k; s0 += W) {
    const int se = s0 + W < k ? s0 + W : k;
    for (int c = 0; c < se; c++) {
      const int rest = m - c - 1;
      double *xc = gt + (ptrdiff_t)c * m + c + 1;
      if (c >= s0) {
        /* reflector c from column c, which has had reflectors 0..c-1 */
        const double alpha = g[(ptrdiff_t)c * ld + c];
        for (int i = 0; i < rest; i++) xc[i] = g[(ptrdiff_t)(c + 1 + i) * ld + c];
        const double xnorm = rest > 0 ? ref_norm2(xc, rest) : 0;
        if (xnorm == 0) {
          tau[c] = 0;
          gt[(ptrdiff_t)c * m + c] = alpha;
          skip[c] = 1;
          continue;
        }
        skip[c] = 0;
        /* Math.sign(alpha || 1): 0, -0 and NaN count as 1 */
        const double sgn = (alpha == 0 || isnan(alpha)) ? 1.0 : alpha > 0 ? 1.0 : -1.0;
        const double beta = -sgn * js_hypot(alpha, xnorm);
        const double t = (beta - alpha) / beta;
        tau[c] = t;
        const double inv = 1 / (alpha - beta);
        for (int i = 0; i < rest; i++) xc[i] *= inv;
        gt[(ptrdiff_t)c * m + c] = beta;
      }
      if (skip[c]) continue;
      const int first = c + 1 - s0 > 0 ? c + 1 - s0 : 0;
      if (first >= se - s0) continue;
      CAT2(strip_apply, SFX)(rest, tau[c], xc, g + (ptrdiff_t)c * ld + s0, ld, first);
    }
  }
}

/* formQThin: strips of W columns of Q (m x k, rows of qt); reflectors se-1 down to 0, column j from H_j on */
TARGET static void CAT2(exact_form_q, SFX)(int m, int k, const double *gt, const double *tau, double *q, ptrdiff_t ld) {
  for (int s0 = 0; s0 < k; s0 += W) {
    const int se = s0 + W < k ? s0 + W : k;
    for (int i = 0; i < m; i++) memset(q + (ptrdiff_t)i * ld + s0, 0, W * sizeof(double));
    for (int j = s0; j < se; j++) q[(ptrdiff_t)j * ld + j] = 1;
    for (int c = se - 1; c >= 0; c--) {
      const double t = tau[c];
      if (t == 0) continue;
      const int first = c - s0 > 0 ? c - s0 : 0;
      CAT2(strip_apply, SFX)(m - c - 1, t, gt + (ptrdiff_t)c * m + c + 1, q + (ptrdiff_t)c * ld + s0, ld, first);
    }
  }
}

#undef VD
#undef VI
#undef W
#undef LD
#undef ST
