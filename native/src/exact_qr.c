/*
 * The base draws' QR, bit for bit: the TS reference householderQR and formQt (src/linalg/qr.ts,
 * with dot and norm2 from src/linalg/vector.ts and V8's Math.hypot) in C, operation for operation,
 * so a Haar draw (src/linalg/haar.ts) is the same on the compiled backend as on the js and wasm
 * ones (asm/linalg.ts householderQRExact / formQtExact is the same port in f64x2).
 *
 * Bitwise equality rests on doing, per element, the reference's operations in the reference's
 * order. This file is built on its own (binding.gyp target eoc_exact_qr) with -ffp-contract=off and
 * without -ffast-math, so nothing is fused into an FMA or reassociated; the SIMD only runs
 * independent work side by side:
 *   - the reference dot keeps four running sums s0..s3 over i = 0,1,2,3 mod 4, the tail goes into s0,
 *     then (s0 + s1) + (s2 + s3): the four sums are exactly the lanes of one 4-wide register, so each
 *     column's dot is a 256-bit accumulator (8 columns share each load of the reflector);
 *   - the updates y_i - w * x_i are elementwise: 8 lanes (AVX-512), 4 (AVX2) or scalar;
 *   - norm2's scaled sum of squares stays a scalar sequential sum (O(n) per column);
 *   - Math.hypot is V8's algorithm (builtins/math.tq: normalise by the larger, Kahan-sum the
 *     squares, sqrt times max), not libm's hypot, which rounds differently.
 * The path (avx512, avx2, baseline) follows the gemm's (eoc_isa_current(), EOC_COMPILED_ISA).
 */
#include <math.h>
#include <string.h>
#include "kernels.h"

#if EOC_X86
#include <immintrin.h>
#endif

#if defined(__FAST_MATH__)
#error "exact_qr.c must not be compiled with -ffast-math (the draws must be bitwise the reference's)"
#endif

/* V8's Math.hypot(a, b) (src/builtins/math.tq MathHypot), for two arguments */
static double js_hypot(double a, double b) {
  const int nan = isnan(a) || isnan(b);
  double x = nan && isnan(a) ? 0 : fabs(a), y = nan && isnan(b) ? 0 : fabs(b);
  double max = 0;
  if (x > max) max = x;
  if (y > max) max = y;
  if (max == INFINITY) return INFINITY;
  if (nan) return NAN;
  if (max == 0) return 0;
  double sum = 0, comp = 0;
  double v = x / max;
  double summand = v * v - comp;
  double pre = sum + summand;
  comp = (pre - sum) - summand;
  sum = pre;
  v = y / max;
  summand = v * v - comp;
  pre = sum + summand;
  comp = (pre - sum) - summand;
  sum = pre;
  return sqrt(sum) * max;
}

/* norm2 (src/linalg/vector.ts): scale = max |a_i|, then scale * sqrt(sum (a_i * (1 / scale))^2) */
static double ref_norm2(const double *a, int n) {
  double scale = 0;
  for (int i = 0; i < n; i++) {
    const double v = fabs(a[i]);
    if (v > scale) scale = v;
  }
  if (scale == 0 || !isfinite(scale)) return scale;
  double ss = 0;
  const double inv = 1 / scale;
  for (int i = 0; i < n; i++) {
    const double v = a[i] * inv;
    ss += v * v;
  }
  return scale * sqrt(ss);
}

#if EOC_X86
#define SFX avx512
#define TARGET __attribute__((target("avx512f,avx2")))
#define VL 8
#define NV 4
#include "exact_qr_impl.h"
#undef SFX
#undef TARGET
#undef VL
#undef NV

#define SFX avx2
#define TARGET __attribute__((target("avx2")))
#define VL 4
#define NV 2
#include "exact_qr_impl.h"
#undef SFX
#undef TARGET
#undef VL
#undef NV
#endif

#define SFX baseline
#define TARGET
#define VL 2
#define NV 2
#include "exact_qr_impl.h"
#undef SFX
#undef TARGET
#undef VL
#undef NV

typedef void (*qr_fn)(int, int, double *, double *, double *, ptrdiff_t, unsigned char *, double *);
typedef void (*fq_fn)(int, int, const double *, const double *, double *, ptrdiff_t, double *);

/* rows of the transposed work matrix: n rounded up to the strip width w, plus one cache line (8
 * doubles) so that consecutive rows are not a power of two apart (a stride of 2^k bytes maps every
 * row of a strip to the same cache sets: 2x slower at n = 1024) */
static ptrdiff_t row_stride(int n, int w) {
  return (ptrdiff_t)(n + w - 1) / w * w + 8;
}

/* this CPU's path (the gemm's), with the work matrix's row stride for it */
struct path {
  ptrdiff_t ld;
  int w;
  qr_fn qr;
  fq_fn fq;
};
static struct path path_for(int n) {
  int w = 4;
  struct path p = {0, 4, exact_qr_baseline, exact_form_q_baseline};
#if EOC_X86
  const int isa = eoc_isa_current();
  if (isa == EOC_ISA_AVX512) w = 32, p.qr = exact_qr_avx512, p.fq = exact_form_q_avx512;
  else if (isa == EOC_ISA_AVX2) w = 8, p.qr = exact_qr_avx2, p.fq = exact_form_q_avx2;
#endif
  p.ld = row_stride(n, w);
  p.w = w;
  return p;
}

/* dst[j * ldd + i] = src[i * lds + j] for i < rows, j < cols, in tiles */
static void transpose_tiles(int rows, int cols, const double *src, ptrdiff_t lds, double *dst, ptrdiff_t ldd) {
  enum { B = 32 };
  for (int i0 = 0; i0 < rows; i0 += B)
    for (int j0 = 0; j0 < cols; j0 += B) {
      const int i1 = i0 + B < rows ? i0 + B : rows, j1 = j0 + B < cols ? j0 + B : cols;
      for (int j = j0; j < j1; j++)
        for (int i = i0; i < i1; i++) dst[(ptrdiff_t)j * ldd + i] = src[(ptrdiff_t)i * lds + j];
    }
}

/* householderQRThin (src/linalg/qr.ts) on G m x k, m >= k, gt k x m (row c = column c of G), in place */
void eoc_exact_qr_thin(int m, int k, double *gt, double *tau) {
  if (k <= 0 || m < k) return;
  const struct path p = path_for(k);
  const ptrdiff_t ld = p.ld;
  double *g = eoc_buffer(EOC_BUF_WORK1, (size_t)m * ld + (size_t)k / 8 + 1);
  unsigned char *skip = (unsigned char *)(g + (size_t)m * ld);
  /* G row-major (g[i * ld + j] = G_ij = gt[j * m + i]), padding columns zero */
  transpose_tiles(k, m, gt, m, g, ld);
  for (int i = 0; i < m; i++) for (ptrdiff_t j = k; j < ld; j++) g[i * ld + j] = 0;
  p.qr(m, k, gt, tau, g, ld, skip, eoc_buffer(EOC_BUF_WORK4, (size_t)m * p.w));
  /* R above the diagonal: gt[j * m + c] = G_cj, c < j */
  for (int c = 0; c < k; c++)
    for (int j = c + 1; j < k; j++) gt[(ptrdiff_t)j * m + c] = g[(ptrdiff_t)c * ld + j];
}

/* formQThin (qr.ts): qt (k x m) row j = H_0 ... H_j e_j, reflectors j, j-1, ..., 0 */
void eoc_exact_form_q_thin(int m, int k, const double *gt, const double *tau, double *qt) {
  if (k <= 0 || m < k) return;
  const struct path p = path_for(k);
  double *q = eoc_buffer(EOC_BUF_WORK1, (size_t)m * p.ld);
  p.fq(m, k, gt, tau, q, p.ld, eoc_buffer(EOC_BUF_WORK4, (size_t)m * (p.w + 1)));
  transpose_tiles(m, k, q, p.ld, qt, m);
}

/*
 * A Haar draw's W = Q diag(sign R_jj) row-major (n x n) from householderQR's output, bitwise what
 * haar.ts makes from formQt (the reference's Q^T, rows negated where R_jj < 0, then transposed):
 * the strips' row-major Q is copied row by row with the columns' signs, no transposes.
 */
void eoc_exact_haar(int n, const double *gt, const double *tau, double *w) {
  if (n <= 0) return;
  const struct path p = path_for(n);
  double *q = eoc_buffer(EOC_BUF_WORK1, (size_t)n * p.ld);
  p.fq(n, n, gt, tau, q, p.ld, eoc_buffer(EOC_BUF_WORK4, (size_t)n * (p.w + 1)));
  unsigned char *neg = (unsigned char *)eoc_buffer(EOC_BUF_WORK2, (size_t)n / 8 + 1);
  for (int j = 0; j < n; j++) neg[j] = gt[(ptrdiff_t)j * n + j] < 0;
  for (int i = 0; i < n; i++) {
    const double *src = q + (ptrdiff_t)i * p.ld;
    double *dst = w + (ptrdiff_t)i * n;
    for (int j = 0; j < n; j++) dst[j] = neg[j] ? -src[j] : src[j];
  }
}

/* householderQR (qr.ts householderQRThin with m = k = n), in place */
void eoc_exact_qr(int n, double *gt, double *tau) {
  eoc_exact_qr_thin(n, n, gt, tau);
}

/* formQt (qr.ts formQThin with m = k = n) */
void eoc_exact_form_qt(int n, const double *gt, const double *tau, double *qt) {
  eoc_exact_form_q_thin(n, n, gt, tau, qt);
}

/*
 * gemv and gemvT of src/linalg/gemm.ts bit for bit (the forward pass and backprop use them, so a
 * network's pre-activations are the same numbers on every backend):
 *   gemv:  y_i = dot(row i, x), dot's four running sums over j mod 4 (the lanes of one 4-wide
 *          vector), the tail into the first, then (s0 + s1) + (s2 + s3); four rows side by side;
 *   gemvT: y = 0, then for i = 0, 1, ... with x_i != 0 (as the TS `x_i === 0` skip: -0 skips too,
 *          NaN does not), y_j = y_j + x_i * a_ij: elementwise in j, in the order of i.
 * No FMA (this file is built with -ffp-contract=off), no reassociation.
 */
typedef double v4d __attribute__((vector_size(32)));
#define LD4(p) ({ v4d v_; memcpy(&v_, (p), sizeof v_); v_; })

#define EXACT_GEMV_BODY                                                                        \
  int i = 0;                                                                                   \
  for (; i + 3 < m; i += 4) {                                                                  \
    const double *r0 = a + (ptrdiff_t)i * n, *r1 = r0 + n, *r2 = r1 + n, *r3 = r2 + n;         \
    v4d s0 = {0, 0, 0, 0}, s1 = s0, s2 = s0, s3 = s0;                                          \
    int j = 0;                                                                                 \
    for (; j + 3 < n; j += 4) {                                                                \
      const v4d xv = LD4(x + j);                                                               \
      s0 = s0 + LD4(r0 + j) * xv;                                                              \
      s1 = s1 + LD4(r1 + j) * xv;                                                              \
      s2 = s2 + LD4(r2 + j) * xv;                                                              \
      s3 = s3 + LD4(r3 + j) * xv;                                                              \
    }                                                                                          \
    double t0 = s0[0], t1 = s1[0], t2 = s2[0], t3 = s3[0];                                     \
    for (int q = j; q < n; q++) {                                                              \
      t0 += r0[q] * x[q];                                                                      \
      t1 += r1[q] * x[q];                                                                      \
      t2 += r2[q] * x[q];                                                                      \
      t3 += r3[q] * x[q];                                                                      \
    }                                                                                          \
    y[i] = (t0 + s0[1]) + (s0[2] + s0[3]);                                                     \
    y[i + 1] = (t1 + s1[1]) + (s1[2] + s1[3]);                                                 \
    y[i + 2] = (t2 + s2[1]) + (s2[2] + s2[3]);                                                 \
    y[i + 3] = (t3 + s3[1]) + (s3[2] + s3[3]);                                                 \
  }                                                                                            \
  for (; i < m; i++) {                                                                         \
    const double *r0 = a + (ptrdiff_t)i * n;                                                   \
    v4d s0 = {0, 0, 0, 0};                                                                     \
    int j = 0;                                                                                 \
    for (; j + 3 < n; j += 4) s0 = s0 + LD4(r0 + j) * LD4(x + j);                              \
    double t0 = s0[0];                                                                         \
    for (; j < n; j++) t0 += r0[j] * x[j];                                                     \
    y[i] = (t0 + s0[1]) + (s0[2] + s0[3]);                                                     \
  }

#define EXACT_GEMVT_BODY                                                                       \
  for (int j = 0; j < n; j++) y[j] = 0;                                                        \
  for (int i = 0; i < m; i++) {                                                                \
    const double xi = x[i];                                                                    \
    if (xi == 0) continue;                                                                     \
    const double *r = a + (ptrdiff_t)i * n;                                                    \
    const v4d xv = {xi, xi, xi, xi};                                                           \
    int j = 0;                                                                                 \
    for (; j + 3 < n; j += 4) {                                                                \
      const v4d v = LD4(y + j) + xv * LD4(r + j);                                              \
      memcpy(y + j, &v, sizeof v);                                                             \
    }                                                                                          \
    for (; j < n; j++) y[j] += xi * r[j];                                                      \
  }

#if EOC_X86
__attribute__((target("avx2"))) static void exact_gemv_avx2(int m, int n, const double *a, const double *x, double *y) { EXACT_GEMV_BODY }
__attribute__((target("avx2"))) static void exact_gemvt_avx2(int m, int n, const double *a, const double *x, double *y) { EXACT_GEMVT_BODY }
#endif
static void exact_gemv_base(int m, int n, const double *a, const double *x, double *y) { EXACT_GEMV_BODY }
static void exact_gemvt_base(int m, int n, const double *a, const double *x, double *y) { EXACT_GEMVT_BODY }

/* y = A x (trans = 0: A m x n row-major, x n, y m) or y = A^T x (trans: x m, y n), bitwise gemm.ts */
void eoc_exact_gemv(int trans, int m, int n, const double *a, const double *x, double *y) {
  if (m <= 0 || n <= 0) {
    if (trans) for (int j = 0; j < n; j++) y[j] = 0;
    else for (int i = 0; i < m; i++) y[i] = 0;
    return;
  }
#if EOC_X86
  if (eoc_isa_current() != EOC_ISA_BASELINE) {
    if (trans) exact_gemvt_avx2(m, n, a, x, y);
    else exact_gemv_avx2(m, n, a, x, y);
    return;
  }
#endif
  if (trans) exact_gemvt_base(m, n, a, x, y);
  else exact_gemv_base(m, n, a, x, y);
}
