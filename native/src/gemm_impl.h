/*
 * One gemm (packing, register-blocked micro-kernel, cache blocking) and the two gemv kernels,
 * included by gemm.c once per CPU path with:
 *   ISA_ID     512 (AVX-512), 256 (AVX2 + FMA) or 0 (baseline): selects the micro-kernel
 *   SFX        a suffix for the function names
 *   TARGET     the function attribute for that path (empty for the baseline)
 *   MR, NR     micro-tile (rows of A x columns of B; NR a multiple of the vector width)
 *   KC, MC, NC cache blocks: A block MC x KC (L2), B panel KC x NC (L3), C tile MR x NR in registers
 *   VBYTES     the path's vector width in bytes (64, 32, 16) for the generic-vector kernels
 *
 * The loop order is Goto's: for each NC slice of B's columns and KC slice of the inner dimension,
 * B is packed into NR-wide panels (k-major), then for each MC slice of A's rows A is packed into
 * MR-tall panels, and the micro-kernel computes MR x NR tiles of C from one A panel and one B panel.
 * Only C must have unit column stride; A and B take any strides (transposes are free).
 */

#define CAT2_(a, b) a##_##b
#define CAT2(a, b) CAT2_(a, b)
#define FN(name) CAT2(name, SFX)

/* packed A: panels of MR rows, each kc x MR (row index fastest); alpha folded in; zero padding */
TARGET static void FN(pack_a)(int mc, int kc, const double *a, ptrdiff_t rsa, ptrdiff_t csa, double alpha, double *restrict buf) {
  for (int i0 = 0; i0 < mc; i0 += MR) {
    const int mr = mc - i0 < MR ? mc - i0 : MR;
    const double *src = a + (ptrdiff_t)i0 * rsa;
    if (csa == 1 && mr == MR) {
      /* rows contiguous: read MR row streams, write MR-wide columns */
      for (int p = 0; p < kc; p++) {
        for (int r = 0; r < MR; r++) buf[r] = alpha * src[r * rsa + p];
        buf += MR;
      }
    } else {
      for (int p = 0; p < kc; p++) {
        const double *s = src + (ptrdiff_t)p * csa;
        int r = 0;
        for (; r < mr; r++) buf[r] = alpha * s[r * rsa];
        for (; r < MR; r++) buf[r] = 0;
        buf += MR;
      }
    }
  }
}

/* packed B: panels of NR columns, each kc x NR (column index fastest); zero padding */
TARGET static void FN(pack_b)(int kc, int nc, const double *b, ptrdiff_t rsb, ptrdiff_t csb, double *restrict buf) {
  for (int j0 = 0; j0 < nc; j0 += NR) {
    const int nr = nc - j0 < NR ? nc - j0 : NR;
    const double *src = b + (ptrdiff_t)j0 * csb;
    if (csb == 1) {
      for (int p = 0; p < kc; p++) {
        const double *s = src + (ptrdiff_t)p * rsb;
        int j = 0;
        for (; j < nr; j++) buf[j] = s[j];
        for (; j < NR; j++) buf[j] = 0;
        buf += NR;
      }
    } else if (rsb == 1) {
      /* B^T row-major (gemmNT): column j of B is contiguous; write it with stride NR */
      int j = 0;
      for (; j < nr; j++) {
        const double *s = src + (ptrdiff_t)j * csb;
        double *d = buf + j;
        for (int p = 0; p < kc; p++) d[(ptrdiff_t)p * NR] = s[p];
      }
      for (; j < NR; j++) for (int p = 0; p < kc; p++) buf[(ptrdiff_t)p * NR + j] = 0;
      buf += (ptrdiff_t)kc * NR;
    } else {
      for (int p = 0; p < kc; p++) {
        const double *s = src + (ptrdiff_t)p * rsb;
        int j = 0;
        for (; j < nr; j++) buf[j] = s[j * csb];
        for (; j < NR; j++) buf[j] = 0;
        buf += NR;
      }
    }
  }
}

#if ISA_ID == 512
/* 8 x 24: 24 zmm accumulators, 3 B vectors, A broadcast from memory (embedded broadcast) */
TARGET static void FN(kernel)(int kc, const double *restrict a, const double *restrict b, double *restrict c, ptrdiff_t rsc, int acc) {
  __m512d c00 = _mm512_setzero_pd(), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00;
  __m512d c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
  __m512d c40 = c00, c41 = c00, c42 = c00, c50 = c00, c51 = c00, c52 = c00;
  __m512d c60 = c00, c61 = c00, c62 = c00, c70 = c00, c71 = c00, c72 = c00;
  for (int r = 0; r < MR; r++) {
    _mm_prefetch((const char *)(c + r * rsc), _MM_HINT_T0);
    _mm_prefetch((const char *)(c + r * rsc + 8), _MM_HINT_T0);
    _mm_prefetch((const char *)(c + r * rsc + 16), _MM_HINT_T0);
  }
#define ROW512(r)                                                   \
  do {                                                              \
    const __m512d ar = _mm512_set1_pd(a[r]);                        \
    c##r##0 = _mm512_fmadd_pd(ar, b0, c##r##0);                     \
    c##r##1 = _mm512_fmadd_pd(ar, b1, c##r##1);                     \
    c##r##2 = _mm512_fmadd_pd(ar, b2, c##r##2);                     \
  } while (0)
#define STEP512()                                                   \
  do {                                                              \
    const __m512d b0 = _mm512_load_pd(b), b1 = _mm512_load_pd(b + 8), b2 = _mm512_load_pd(b + 16); \
    ROW512(0); ROW512(1); ROW512(2); ROW512(3);                     \
    ROW512(4); ROW512(5); ROW512(6); ROW512(7);                     \
    a += 8; b += 24;                                                \
  } while (0)
  int p = 0;
  for (; p + 4 <= kc; p += 4) {
    _mm_prefetch((const char *)(b + 8 * 24), _MM_HINT_T0);
    _mm_prefetch((const char *)(b + 8 * 24 + 8), _MM_HINT_T0);
    _mm_prefetch((const char *)(b + 8 * 24 + 16), _MM_HINT_T0);
    STEP512();
    STEP512();
    _mm_prefetch((const char *)(b + 8 * 24), _MM_HINT_T0);
    _mm_prefetch((const char *)(b + 8 * 24 + 8), _MM_HINT_T0);
    _mm_prefetch((const char *)(b + 8 * 24 + 16), _MM_HINT_T0);
    STEP512();
    STEP512();
  }
  for (; p < kc; p++) STEP512();
#undef STEP512
#undef ROW512
#define OUT512(r)                                                                   \
  do {                                                                              \
    double *cr = c + (ptrdiff_t)(r) * rsc;                                          \
    if (acc) {                                                                      \
      c##r##0 = _mm512_add_pd(_mm512_loadu_pd(cr), c##r##0);                        \
      c##r##1 = _mm512_add_pd(_mm512_loadu_pd(cr + 8), c##r##1);                    \
      c##r##2 = _mm512_add_pd(_mm512_loadu_pd(cr + 16), c##r##2);                   \
    }                                                                               \
    _mm512_storeu_pd(cr, c##r##0);                                                  \
    _mm512_storeu_pd(cr + 8, c##r##1);                                              \
    _mm512_storeu_pd(cr + 16, c##r##2);                                             \
  } while (0)
  OUT512(0); OUT512(1); OUT512(2); OUT512(3); OUT512(4); OUT512(5); OUT512(6); OUT512(7);
#undef OUT512
}
#elif ISA_ID == 256
/* 4 x 12: 12 ymm accumulators, 3 B vectors, 1 broadcast */
TARGET static void FN(kernel)(int kc, const double *restrict a, const double *restrict b, double *restrict c, ptrdiff_t rsc, int acc) {
  __m256d c00 = _mm256_setzero_pd(), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00;
  __m256d c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
  for (int r = 0; r < MR; r++) {
    _mm_prefetch((const char *)(c + r * rsc), _MM_HINT_T0);
    _mm_prefetch((const char *)(c + r * rsc + 8), _MM_HINT_T0);
  }
#define ROW256(r)                                                   \
  do {                                                              \
    const __m256d ar = _mm256_broadcast_sd(a + r);                  \
    c##r##0 = _mm256_fmadd_pd(ar, b0, c##r##0);                     \
    c##r##1 = _mm256_fmadd_pd(ar, b1, c##r##1);                     \
    c##r##2 = _mm256_fmadd_pd(ar, b2, c##r##2);                     \
  } while (0)
  for (int p = 0; p < kc; p++) {
    const __m256d b0 = _mm256_load_pd(b), b1 = _mm256_load_pd(b + 4), b2 = _mm256_load_pd(b + 8);
    ROW256(0); ROW256(1); ROW256(2); ROW256(3);
    a += 4; b += 12;
  }
#undef ROW256
#define OUT256(r)                                                                   \
  do {                                                                              \
    double *cr = c + (ptrdiff_t)(r) * rsc;                                          \
    if (acc) {                                                                      \
      c##r##0 = _mm256_add_pd(_mm256_loadu_pd(cr), c##r##0);                        \
      c##r##1 = _mm256_add_pd(_mm256_loadu_pd(cr + 4), c##r##1);                    \
      c##r##2 = _mm256_add_pd(_mm256_loadu_pd(cr + 8), c##r##2);                    \
    }                                                                               \
    _mm256_storeu_pd(cr, c##r##0);                                                  \
    _mm256_storeu_pd(cr + 4, c##r##1);                                              \
    _mm256_storeu_pd(cr + 8, c##r##2);                                              \
  } while (0)
  OUT256(0); OUT256(1); OUT256(2); OUT256(3);
#undef OUT256
}
#else
/* 4 x 4 in 2-wide vectors (SSE2 on x86-64, NEON on arm64, scalar elsewhere) */
typedef double eoc_v2d __attribute__((vector_size(16)));
TARGET static void FN(kernel)(int kc, const double *restrict a, const double *restrict b, double *restrict c, ptrdiff_t rsc, int acc) {
  eoc_v2d c00 = {0, 0}, c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (int p = 0; p < kc; p++) {
    eoc_v2d b0, b1;
    memcpy(&b0, b, 16);
    memcpy(&b1, b + 2, 16);
    const eoc_v2d a0 = {a[0], a[0]}, a1 = {a[1], a[1]}, a2 = {a[2], a[2]}, a3 = {a[3], a[3]};
    c00 += a0 * b0; c01 += a0 * b1;
    c10 += a1 * b0; c11 += a1 * b1;
    c20 += a2 * b0; c21 += a2 * b1;
    c30 += a3 * b0; c31 += a3 * b1;
    a += 4; b += 4;
  }
  eoc_v2d t[8] = {c00, c01, c10, c11, c20, c21, c30, c31};
  for (int r = 0; r < 4; r++) {
    double *cr = c + (ptrdiff_t)r * rsc;
    for (int h = 0; h < 2; h++) {
      for (int q = 0; q < 2; q++) cr[2 * h + q] = acc ? cr[2 * h + q] + t[2 * r + h][q] : t[2 * r + h][q];
    }
  }
}
#endif

/* C (unit column stride) := alpha A B + beta C, beta 0 or 1 */
TARGET static void FN(gemm)(int m, int n, int k, double alpha, const double *a, ptrdiff_t rsa, ptrdiff_t csa,
                            const double *b, ptrdiff_t rsb, ptrdiff_t csb, int beta_one, double *c, ptrdiff_t rsc) {
  const int ncmax = n < NC ? n : NC;
  const int kcmax = k < KC ? k : KC;
  const int mcmax = m < MC ? m : MC;
  double *pb = eoc_buffer(EOC_BUF_PACK_B, (size_t)kcmax * (size_t)((ncmax + NR - 1) / NR * NR));
  double *pa = eoc_buffer(EOC_BUF_PACK_A, (size_t)kcmax * (size_t)((mcmax + MR - 1) / MR * MR));
  double tile[MR * NR] __attribute__((aligned(64)));
  for (int jc = 0; jc < n; jc += NC) {
    const int nc = n - jc < NC ? n - jc : NC;
    for (int pc = 0; pc < k; pc += KC) {
      const int kc = k - pc < KC ? k - pc : KC;
      const int acc = beta_one || pc > 0;
      FN(pack_b)(kc, nc, b + (ptrdiff_t)pc * rsb + (ptrdiff_t)jc * csb, rsb, csb, pb);
      for (int ic = 0; ic < m; ic += MC) {
        const int mc = m - ic < MC ? m - ic : MC;
        FN(pack_a)(mc, kc, a + (ptrdiff_t)ic * rsa + (ptrdiff_t)pc * csa, rsa, csa, alpha, pa);
        for (int jr = 0; jr < nc; jr += NR) {
          const int nr = nc - jr < NR ? nc - jr : NR;
          const double *bp = pb + (ptrdiff_t)jr * kc;
          for (int ir = 0; ir < mc; ir += MR) {
            const int mr = mc - ir < MR ? mc - ir : MR;
            const double *ap = pa + (ptrdiff_t)ir * kc;
            double *ct = c + (ptrdiff_t)(ic + ir) * rsc + jc + jr;
            if (mr == MR && nr == NR) {
              FN(kernel)(kc, ap, bp, ct, rsc, acc);
            } else {
              FN(kernel)(kc, ap, bp, tile, NR, 0);
              for (int i = 0; i < mr; i++) {
                double *cr = ct + (ptrdiff_t)i * rsc;
                const double *tr = tile + i * NR;
                if (acc) for (int j = 0; j < nr; j++) cr[j] += tr[j];
                else for (int j = 0; j < nr; j++) cr[j] = tr[j];
              }
            }
          }
        }
      }
    }
  }
}

/* x . y with four vectors of partial sums */
TARGET static double FN(dot)(int n, const double *restrict x, const double *restrict y) {
  typedef double vd __attribute__((vector_size(VBYTES)));
  enum { W = VBYTES / 8 };
  vd s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
  int i = 0;
  for (; i + 4 * W <= n; i += 4 * W) {
    vd a0, a1, a2, a3, b0, b1, b2, b3;
    memcpy(&a0, x + i, VBYTES);
    memcpy(&a1, x + i + W, VBYTES);
    memcpy(&a2, x + i + 2 * W, VBYTES);
    memcpy(&a3, x + i + 3 * W, VBYTES);
    memcpy(&b0, y + i, VBYTES);
    memcpy(&b1, y + i + W, VBYTES);
    memcpy(&b2, y + i + 2 * W, VBYTES);
    memcpy(&b3, y + i + 3 * W, VBYTES);
    s0 += a0 * b0; s1 += a1 * b1; s2 += a2 * b2; s3 += a3 * b3;
  }
  for (; i + W <= n; i += W) {
    vd a0, b0;
    memcpy(&a0, x + i, VBYTES);
    memcpy(&b0, y + i, VBYTES);
    s0 += a0 * b0;
  }
  s0 += s1;
  s2 += s3;
  s0 += s2;
  double t = 0;
  for (int q = 0; q < W; q++) t += s0[q];
  for (; i < n; i++) t += x[i] * y[i];
  return t;
}

/* y = A x, A row-major m x n: four rows at a time, one vector of partial sums per row */
TARGET static void FN(gemv_n)(int m, int n, const double *restrict a, const double *restrict x, double *restrict y) {
  typedef double vd __attribute__((vector_size(VBYTES)));
  enum { W = VBYTES / 8 };
  int i = 0;
  for (; i + 4 <= m; i += 4) {
    const double *a0 = a + (ptrdiff_t)i * n, *a1 = a0 + n, *a2 = a1 + n, *a3 = a2 + n;
    vd s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
    int j = 0;
    for (; j + W <= n; j += W) {
      vd xv, u0, u1, u2, u3;
      memcpy(&xv, x + j, VBYTES);
      memcpy(&u0, a0 + j, VBYTES);
      memcpy(&u1, a1 + j, VBYTES);
      memcpy(&u2, a2 + j, VBYTES);
      memcpy(&u3, a3 + j, VBYTES);
      s0 += u0 * xv; s1 += u1 * xv; s2 += u2 * xv; s3 += u3 * xv;
    }
    double t0 = 0, t1 = 0, t2 = 0, t3 = 0;
    for (int q = 0; q < W; q++) { t0 += s0[q]; t1 += s1[q]; t2 += s2[q]; t3 += s3[q]; }
    for (; j < n; j++) { t0 += a0[j] * x[j]; t1 += a1[j] * x[j]; t2 += a2[j] * x[j]; t3 += a3[j] * x[j]; }
    y[i] = t0; y[i + 1] = t1; y[i + 2] = t2; y[i + 3] = t3;
  }
  for (; i < m; i++) y[i] = FN(dot)(n, a + (ptrdiff_t)i * n, x);
}

/* y = A^T x, A row-major m x n: sums of scaled rows, four rows per pass over y */
TARGET static void FN(gemv_t)(int m, int n, const double *restrict a, const double *restrict x, double *restrict y) {
  for (int j = 0; j < n; j++) y[j] = 0;
  int i = 0;
  for (; i + 4 <= m; i += 4) {
    const double *a0 = a + (ptrdiff_t)i * n, *a1 = a0 + n, *a2 = a1 + n, *a3 = a2 + n;
    const double x0 = x[i], x1 = x[i + 1], x2 = x[i + 2], x3 = x[i + 3];
    for (int j = 0; j < n; j++) y[j] += x0 * a0[j] + x1 * a1[j] + x2 * a2[j] + x3 * a3[j];
  }
  for (; i < m; i++) {
    const double *ai = a + (ptrdiff_t)i * n;
    const double xi = x[i];
    for (int j = 0; j < n; j++) y[j] += xi * ai[j];
  }
}

/* x <- a1 x - a2 y and y <- b1 x + b2 y (both from the old rows): one Jacobi rotation */
TARGET static void FN(mix)(int n, double *restrict x, double *restrict y, double a1, double a2, double b1, double b2) {
  for (int i = 0; i < n; i++) {
    const double u = x[i], v = y[i];
    x[i] = a1 * u - a2 * v;
    y[i] = b1 * u + b2 * v;
  }
}

#undef FN
#undef CAT2
#undef CAT2_
