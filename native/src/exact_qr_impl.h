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
 * The reflector's w per column of the strip at y: w = t * (y_c + dot(x, y_{c+1..})), the dot as the
 * reference's (four sums over i mod 4, the tail into s0, (s0 + s1) + (s2 + s3)).
 */
TARGET static void CAT2(strip_w, SFX)(int len, double t, const double *x, const double *y, ptrdiff_t ld, VD *w) {
  VD a0[NV], a1[NV], a2[NV], a3[NV];
  for (int v = 0; v < NV; v++) a0[v] = a1[v] = a2[v] = a3[v] = (VD){0};
  const double *r = y + ld;
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
  for (int v = 0; v < NV; v++) w[v] = t * (LD(y + v * VL) + ((a0[v] + a1[v]) + (a2[v] + a3[v])));
}

/*
 * Reflector (t, x[0..len-1]) on the W columns at y (row c: the pivots; row c+1+i at y + (1+i) ld):
 * per column, w = t * (y_c + dot(x, y_{c+1..})); y_c -= w; y_{c+1+i} -= w * x_i, the dot as the
 * reference's (four sums over i mod 4, the tail into s0, (s0 + s1) + (s2 + s3)). Columns below
 * `first` keep their values.
 */
TARGET static void CAT2(strip_apply, SFX)(int len, double t, const double *x, double *y, ptrdiff_t ld, int first) {
  VD w[NV];
  CAT2(strip_w, SFX)(len, t, x, y, ld, w);
  double *r;
  VI keep[NV];
  for (int v = 0; v < NV; v++) {
    long long lanes[VL];
    for (int l = 0; l < VL; l++) lanes[l] = first > 0 && v * VL + l < first ? -1 : 0;
    __builtin_memcpy(&keep[v], lanes, sizeof lanes);
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
 * One pass of a chain: rows r + i ld (i < ln) updated by the running reflector, y_i - w * u[i], and
 * the next reflector's dot taken on the updated rows in the reference's order (four running sums
 * over i mod 4, the tail into the first): sum = (a0 + a1) + (a2 + a3) per column.
 */
TARGET static void CAT2(update_dot, SFX)(int ln, const double *u, const double *xn, double *r, ptrdiff_t ld, const VD *w, VD *sum) {
  VD a0[NV], a1[NV], a2[NV], a3[NV];
  for (int v = 0; v < NV; v++) a0[v] = a1[v] = a2[v] = a3[v] = (VD){0};
  int i = 0;
  for (; i + 3 < ln; i += 4, r += 4 * ld) {
    const double u0 = u[i], u1 = u[i + 1], u2 = u[i + 2], u3 = u[i + 3];
    const double x0 = xn[i], x1 = xn[i + 1], x2 = xn[i + 2], x3 = xn[i + 3];
#pragma GCC unroll 8
    for (int v = 0; v < NV; v++) {
      const VD y0 = LD(r + v * VL) - w[v] * u0;
      const VD y1 = LD(r + ld + v * VL) - w[v] * u1;
      const VD y2 = LD(r + 2 * ld + v * VL) - w[v] * u2;
      const VD y3 = LD(r + 3 * ld + v * VL) - w[v] * u3;
      ST(r + v * VL, y0);
      ST(r + ld + v * VL, y1);
      ST(r + 2 * ld + v * VL, y2);
      ST(r + 3 * ld + v * VL, y3);
      a0[v] = a0[v] + x0 * y0;
      a1[v] = a1[v] + x1 * y1;
      a2[v] = a2[v] + x2 * y2;
      a3[v] = a3[v] + x3 * y3;
    }
  }
  for (; i < ln; i++, r += ld) {
    const double ui = u[i], xi = xn[i];
#pragma GCC unroll 8
    for (int v = 0; v < NV; v++) {
      const VD yy = LD(r + v * VL) - w[v] * ui;
      ST(r + v * VL, yy);
      a0[v] = a0[v] + xi * yy;
    }
  }
  for (int v = 0; v < NV; v++) sum[v] = (a0[v] + a1[v]) + (a2[v] + a3[v]);
}

/*
 * Reflectors c = c0, c0+1, ..., c1-1 (none skipped, each on every column of the strip at s, row c
 * at s + c ld), in turn, as strip_apply would apply them one after another, bit for bit: the update
 * by reflector c and the dot of reflector c+1 share one pass over the rows (the dot reads each row
 * just after c has updated it, and sums in the reference's order: four running sums over i mod 4,
 * the tail into the first). One read and one write of the strip per reflector instead of two reads
 * and a write.
 */
TARGET static void CAT2(chain_up, SFX)(int c0, int c1, int m, const double *gt, const double *tau, double *s, ptrdiff_t ld) {
  VD w[NV];
  CAT2(strip_w, SFX)(m - c0 - 1, tau[c0], gt + (ptrdiff_t)c0 * m + c0 + 1, s + (ptrdiff_t)c0 * ld, ld, w);
  for (int c = c0; c < c1; c++) {
    const int len = m - c - 1;
    const double *x = gt + (ptrdiff_t)c * m + c + 1;
    double *y = s + (ptrdiff_t)c * ld;
#pragma GCC unroll 8
    for (int v = 0; v < NV; v++) ST(y + v * VL, LD(y + v * VL) - w[v]);
    double *r = y + ld;
    if (c + 1 == c1 || len == 0) {
      for (int k = 0; k < len; k++, r += ld) {
        const double xk = x[k];
#pragma GCC unroll 8
        for (int v = 0; v < NV; v++) ST(r + v * VL, LD(r + v * VL) - w[v] * xk);
      }
      continue;
    }
    /* row c+1 is reflector c+1's pivot; its dot runs over rows c+2 .. m-1 (xn[i] on row c+2+i) */
    const double *xn = gt + (ptrdiff_t)(c + 1) * m + c + 2;
    const int ln = len - 1;
    VD p[NV], sum[NV];
#pragma GCC unroll 8
    for (int v = 0; v < NV; v++) {
      const VD nv = LD(r + v * VL) - w[v] * x[0];
      ST(r + v * VL, nv);
      p[v] = nv;
    }
    CAT2(update_dot, SFX)(ln, x + 1, xn, r + ld, ld, w, sum);
    const double tn = tau[c + 1];
    for (int v = 0; v < NV; v++) w[v] = tn * (p[v] + sum[v]);
  }
}

/*
 * formQ's order: reflectors c = c1, c1-1, ..., c0 (none with tau 0, each on every column of the
 * strip), bit for bit strip_apply's, the update by c sharing its pass with the dot of c-1, whose
 * rows are c .. m-1 (xn[i] on row c+i; its pivot, row c-1, is not touched by c). The pivot update
 * y_c - w is written y_c - w * 1.0, the same number.
 */
TARGET static void CAT2(chain_down, SFX)(int c1, int c0, int m, const double *gt, const double *tau, double *s, ptrdiff_t ld, double *u) {
  VD w[NV];
  CAT2(strip_w, SFX)(m - c1 - 1, tau[c1], gt + (ptrdiff_t)c1 * m + c1 + 1, s + (ptrdiff_t)c1 * ld, ld, w);
  for (int c = c1; c >= c0; c--) {
    const int len = m - c - 1;
    const double *x = gt + (ptrdiff_t)c * m + c + 1;
    double *y = s + (ptrdiff_t)c * ld;
    if (c == c0) {
#pragma GCC unroll 8
      for (int v = 0; v < NV; v++) ST(y + v * VL, LD(y + v * VL) - w[v]);
      double *r = y + ld;
      for (int k = 0; k < len; k++, r += ld) {
        const double xk = x[k];
#pragma GCC unroll 8
        for (int v = 0; v < NV; v++) ST(r + v * VL, LD(r + v * VL) - w[v] * xk);
      }
      break;
    }
    const double *xn = gt + (ptrdiff_t)(c - 1) * m + c;
    const int ln = len + 1;
    /* coefficients of rows c .. m-1 in c's update: 1 for the pivot (y_c - w * 1.0 = y_c - w), x below */
    u[0] = 1.0;
    memcpy(u + 1, x, (size_t)len * sizeof(double));
    VD sum[NV];
    CAT2(update_dot, SFX)(ln, u, xn, y, ld, w, sum);
    const double tn = tau[c - 1];
    const double *pv = s + (ptrdiff_t)(c - 1) * ld;
    for (int v = 0; v < NV; v++) w[v] = tn * (LD(pv + v * VL) + sum[v]);
  }
}

/*
 * householderQRThin on G (m x k, m >= k) worked on row-major (g[i * ld + j] = G_ij): left-looking
 * over strips of W columns, each column still gets reflectors 0, 1, ... in order. gt is k x m (row c
 * of gt: column c of G), which takes each reflector as it is made.
 */
TARGET static void CAT2(exact_qr, SFX)(int m, int k, double *gt, double *tau, double *g, ptrdiff_t ld, unsigned char *skip, double *pk) {
  for (int s0 = 0; s0 < k; s0 += W) {
    const int se = s0 + W < k ? s0 + W : k;
    /* the strip packed (rows W apart): a pass touches 64 KiB-page-contiguous memory instead of one
     * page per row (at n = 2048, 1.4x faster: the rows of g are 16 KiB apart) */
    for (int i = 0; i < m; i++) memcpy(pk + (ptrdiff_t)i * W, g + (ptrdiff_t)i * ld + s0, W * sizeof(double));
    /* the reflectors of earlier strips, in runs without a skipped one */
    for (int c = 0; c < s0;) {
      if (skip[c]) {
        c++;
        continue;
      }
      int e = c;
      while (e < s0 && !skip[e]) e++;
      CAT2(chain_up, SFX)(c, e, m, gt, tau, pk, W);
      c = e;
    }
    for (int c = s0; c < se; c++) {
      const int rest = m - c - 1;
      const int col = c - s0;
      double *xc = gt + (ptrdiff_t)c * m + c + 1;
      /* reflector c from column c, which has had reflectors 0..c-1 */
      const double alpha = pk[(ptrdiff_t)c * W + col];
      for (int i = 0; i < rest; i++) xc[i] = pk[(ptrdiff_t)(c + 1 + i) * W + col];
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
      const int first = col + 1;
      if (first >= se - s0) continue;
      CAT2(strip_apply, SFX)(rest, t, xc, pk + (ptrdiff_t)c * W, W, first);
    }
    for (int i = 0; i < m; i++) memcpy(g + (ptrdiff_t)i * ld + s0, pk + (ptrdiff_t)i * W, W * sizeof(double));
  }
}

/* formQThin: strips of W columns of Q (m x k, rows of qt); reflectors se-1 down to 0, column j from H_j on.
 * pk: m * W doubles for the packed strip, then m for chain_down's coefficients */
TARGET static void CAT2(exact_form_q, SFX)(int m, int k, const double *gt, const double *tau, double *q, ptrdiff_t ld, double *pk) {
  for (int s0 = 0; s0 < k; s0 += W) {
    const int se = s0 + W < k ? s0 + W : k;
    memset(pk, 0, (size_t)m * W * sizeof(double));
    for (int j = s0; j < se; j++) pk[(ptrdiff_t)j * W + j - s0] = 1;
    for (int c = se - 1; c > s0; c--) {
      const double t = tau[c];
      if (t == 0) continue;
      CAT2(strip_apply, SFX)(m - c - 1, t, gt + (ptrdiff_t)c * m + c + 1, pk + (ptrdiff_t)c * W, W, c - s0);
    }
    /* reflectors s0 .. 0 reach every column of the strip: in runs without a tau of 0 */
    for (int c = s0; c >= 0;) {
      if (tau[c] == 0) {
        c--;
        continue;
      }
      int e = c;
      while (e >= 0 && tau[e] != 0) e--;
      CAT2(chain_down, SFX)(c, e + 1, m, gt, tau, pk, W, pk + (ptrdiff_t)m * W);
      c = e;
    }
    for (int i = 0; i < m; i++) memcpy(q + (ptrdiff_t)i * ld + s0, pk + (ptrdiff_t)i * W, W * sizeof(double));
  }
}

#undef VD
#undef VI
#undef W
#undef LD
#undef ST
