/*
 * The LAPACK/BLAS-3 kernels of the stable product (src/spectrum/stable-product.ts): a triangular
 * product (dtrmm, left, upper), the application of a Householder Q from the right (dormqr 'R',
 * 'N') and the blocked Householder QR (dgeqrf), all reduced to eoc_dgemm so they run at gemm speed.
 */
#include <math.h>
#include <string.h>
#include "kernels.h"

/* ---- B := M B, M upper triangular ----
 * Recursive on halves: [B1; B2] := [M11 B1 + M12 B2; M22 B2], computed as B1 := M11 B1 (recursion),
 * B1 += M12 B2 (gemm, B2 still the old one), B2 := M22 B2 (recursion). Blocks of at most TRMM_BASE
 * rows copy their rows of B and multiply by the triangle (zeros below the diagonal) with one gemm. */
#ifndef TRMM_BASE
#define TRMM_BASE 64
#endif

static void trmm_rec(int n, int p, const double *m, ptrdiff_t ldm, double *b, ptrdiff_t ldb) {
  if (n <= TRMM_BASE) {
    double *w = eoc_buffer(EOC_BUF_WORK1, (size_t)n * (size_t)p);
    double *d = eoc_buffer(EOC_BUF_WORK2, (size_t)n * (size_t)n);
    for (int i = 0; i < n; i++) {
      memcpy(w + (ptrdiff_t)i * p, b + i * ldb, (size_t)p * sizeof(double));
      for (int j = 0; j < n; j++) d[i * n + j] = j >= i ? m[i * ldm + j] : 0.0;
    }
    eoc_dgemm(n, p, n, 1.0, d, n, 1, w, p, 1, 0.0, b, ldb, 1);
    return;
  }
  /* split at a multiple of the base so the gemm blocks stay aligned to the micro-tiles */
  int h = (n / 2 + TRMM_BASE - 1) / TRMM_BASE * TRMM_BASE;
  if (h >= n) h = n / 2;
  trmm_rec(h, p, m, ldm, b, ldb);
  eoc_dgemm(h, p, n - h, 1.0, m + h, ldm, 1, b + h * ldb, ldb, 1, 1.0, b, ldb, 1);
  trmm_rec(n - h, p, m + h * ldm + h, ldm, b + h * ldb, ldb);
}

int eoc_trmm_upper_left(int n, int p, const double *m, double *b) {
  if (n <= 0 || p <= 0) return 0;
  trmm_rec(n, p, m, n, b, p);
  return 0;
}

/* ---- compact WY blocks of reflectors ----
 * Reflector r of a block (r = 0 .. b-1) starts at src + r*ld: its entry r is the implicit 1 and
 * entries r+1 .. len-1 its essential part (the qr.ts / LAPACK column-stored layout, seen from the
 * block's top-left corner). Builds V^T explicitly (vt, row-major b x len: zeros before the 1) and
 * T (row-major b x b, upper triangular) with H_0 ... H_{b-1} = I - V T V^T (LAPACK dlarft,
 * forward, columnwise): T_ii = tau_i, T(0:i, i) = -tau_i T(0:i, 0:i) V(:, 0:i)^T v_i, the Gram
 * matrix V^T V taken from one gemm (s, b x b scratch). */
static void block_reflectors(int b, int len, const double *src, ptrdiff_t ld, const double *tau, double *vt, double *t, double *s) {
  for (int r = 0; r < b; r++) {
    double *row = vt + (ptrdiff_t)r * len;
    const double *v = src + (ptrdiff_t)r * ld;
    for (int q = 0; q < r; q++) row[q] = 0.0;
    row[r] = 1.0;
    memcpy(row + r + 1, v + r + 1, (size_t)(len - r - 1) * sizeof(double));
  }
  eoc_dgemm(b, b, len, 1.0, vt, len, 1, vt, 1, len, 0.0, s, b, 1);
  for (int i = 0; i < b; i++) {
    const double ti = tau[i];
    /* T(0:i, i) = T(0:i, 0:i) (-tau_i s(0:i, i)): ascending r reads only entries not yet written */
    for (int r = 0; r < i; r++) t[r * b + i] = -ti * s[r * b + i];
    for (int r = 0; r < i; r++) {
      double acc = 0.0;
      for (int q = r; q < i; q++) acc += t[r * b + q] * t[q * b + i];
      t[r * b + i] = acc;
    }
    t[i * b + i] = ti;
    for (int r = i + 1; r < b; r++) t[r * b + i] = 0.0;
  }
}

/* ---- c := c Q, blocked (compact WY) ----
 * With X = c^T (the column-major c read as a row-major matrix), c Q = (Q^T X)^T. Q = Q_1 Q_2 ...
 * over blocks of ORMQR_NB reflectors, Q_k = I - V T V^T, so X := Q_k^T X = X - V (T^T (V^T X)),
 * block after block in increasing order: three gemms per block. */
/* blocks of 24 reflectors up to n = 512, 64 beyond (AVX-512 EPYC: n = 128 0.09 ms against 0.17
 * with 64, n = 256 0.55-0.64 against 0.67-0.77; n = 512 alike; n = 1024 29-39 ms either way) */
#ifndef ORMQR_NB
#define ORMQR_NB (n <= 512 ? 24 : 64)
#endif

int eoc_ormqr_right(int n, const double *gt, const double *tau, double *c) {
  if (n <= 0) return 0;
  const int nb = ORMQR_NB;
  const int nbmax = n < nb ? n : nb;
  double *vt = eoc_buffer(EOC_BUF_WORK1, (size_t)nbmax * (size_t)n);
  double *t = eoc_buffer(EOC_BUF_WORK2, (size_t)nbmax * (size_t)nbmax);
  double *w = eoc_buffer(EOC_BUF_WORK3, (size_t)nbmax * (size_t)n);
  double *w2 = eoc_buffer(EOC_BUF_WORK4, (size_t)nbmax * (size_t)n);
  for (int j = 0; j < n; j += nb) {
    const int b = n - j < nb ? n - j : nb;
    const int len = n - j;
    block_reflectors(b, len, gt + (ptrdiff_t)j * n + j, n, tau + j, vt, t, w2);
    double *x = c + (ptrdiff_t)j * n;
    /* W2 = V^T X[j:n, :]  (b x n) */
    eoc_dgemm(b, n, len, 1.0, vt, len, 1, x, n, 1, 0.0, w2, n, 1);
    /* W = T^T W2 */
    eoc_dgemm(b, n, b, 1.0, t, 1, b, w2, n, 1, 0.0, w, n, 1);
    /* X[j:n, :] -= V W, V(i, r) = vt[r*len + i] */
    eoc_dgemm(len, n, b, -1.0, vt, 1, len, w, n, 1, 1.0, x, n, 1);
  }
  return 0;
}

/* ---- Householder QR, blocked (LAPACK dgeqrf) ----
 * gt is row-major n x n with row c holding column c of G, i.e. G column-major with lda = n. Panels
 * of QR_NB columns are factored by the unblocked algorithm of qr.ts (same reflector convention:
 * beta = -sign(alpha) hypot(alpha, |x|), the scaled norm of vector.ts norm2); each panel's
 * reflectors are then applied to the trailing columns in compact WY form. With Y the trailing
 * columns read as a row-major matrix (row c = column c), Q_panel^T A2 is Y := Y - (Y V) T V^T:
 * two gemms and a small triangular product per panel. */
/* 24: with the vector panel (panel_impl.h), 0.45 ms at n = 256 against 0.58 at 48 and 0.53 at 16
 * (AVX-512 EPYC; 0.68 with 48 and the baseline panel before); 128: 0.088 ms; 512: 3.0 ms */
#ifndef QR_NB
#define QR_NB 24
#endif

#if EOC_X86
#define SFX avx512
#define TARGET __attribute__((target("avx512f,avx512dq,avx2,fma")))
#define VBYTES 64
#include "panel_impl.h"
#undef SFX
#undef TARGET
#undef VBYTES

#define SFX avx2
#define TARGET __attribute__((target("avx2,fma")))
#define VBYTES 32
#include "panel_impl.h"
#undef SFX
#undef TARGET
#undef VBYTES
#endif

#define SFX baseline
#define TARGET
#define VBYTES 16
#include "panel_impl.h"
#undef SFX
#undef TARGET
#undef VBYTES

/* the panel QR of the gemm's path (eoc_isa_current: the CPU's best, or EOC_COMPILED_ISA's) */
static void geqr2(int m, int nc, double *a, ptrdiff_t lda, double *tau) {
#if EOC_X86
  switch (eoc_isa_current()) {
    case EOC_ISA_AVX512: geqr2_avx512(m, nc, a, lda, tau); return;
    case EOC_ISA_AVX2: geqr2_avx2(m, nc, a, lda, tau); return;
    default: break;
  }
#endif
  geqr2_baseline(m, nc, a, lda, tau);
}

int eoc_geqrf(int n, double *gt, double *tau) {
  if (n <= 0) return 0;
  const int nbmax = n < QR_NB ? n : QR_NB;
  double *vt = eoc_buffer(EOC_BUF_WORK1, (size_t)nbmax * (size_t)n);
  double *t = eoc_buffer(EOC_BUF_WORK2, (size_t)nbmax * (size_t)nbmax);
  double *w = eoc_buffer(EOC_BUF_WORK3, (size_t)nbmax * (size_t)n);
  double *w2 = eoc_buffer(EOC_BUF_WORK4, (size_t)nbmax * (size_t)n);
  for (int k = 0; k < n; k += QR_NB) {
    const int kb = n - k < QR_NB ? n - k : QR_NB;
    const int m = n - k;
    double *panel = gt + (ptrdiff_t)k * n + k;
    geqr2(m, kb, panel, n, tau + k);
    const int ntrail = n - k - kb;
    if (ntrail <= 0) continue;
    block_reflectors(kb, m, panel, n, tau + k, vt, t, w2);
    double *y = gt + (ptrdiff_t)(k + kb) * n + k;
    /* W = Y V (ntrail x kb), V(i, r) = vt[r*m + i] */
    eoc_dgemm(ntrail, kb, m, 1.0, y, n, 1, vt, 1, m, 0.0, w, kb, 1);
    /* W2 = W T */
    eoc_dgemm(ntrail, kb, kb, 1.0, w, kb, 1, t, kb, 1, 0.0, w2, kb, 1);
    /* Y -= W2 V^T */
    eoc_dgemm(ntrail, m, kb, -1.0, w2, kb, 1, vt, m, 1, 1.0, y, n, 1);
  }
  return 0;
}
