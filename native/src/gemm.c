/*
 * gemm and gemv with runtime CPU dispatch: gemm_impl.h is compiled once per path (AVX-512,
 * AVX2+FMA, baseline) through function target attributes, so the binary runs on any x86-64 and
 * the best path the CPU (and OS) supports is chosen once at load (__builtin_cpu_supports).
 * On other architectures only the baseline path is compiled.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernels.h"

#if EOC_X86
#include <immintrin.h>
#endif

/* ---- per-thread scratch ---- */
static __thread double *tl_buf[EOC_BUF_COUNT];
static __thread size_t tl_cap[EOC_BUF_COUNT];

double *eoc_buffer(int slot, size_t doubles) {
  if (doubles < 8) doubles = 8;
  if (tl_cap[slot] < doubles) {
    free(tl_buf[slot]);
    tl_buf[slot] = NULL;
    tl_cap[slot] = 0;
    /* a little headroom so slowly growing sizes do not reallocate every call */
    size_t want = doubles + doubles / 8;
    void *p = NULL;
    if (posix_memalign(&p, 64, want * sizeof(double)) != 0) {
      fprintf(stderr, "eoc_kernels: out of memory (%zu bytes of scratch)\n", want * sizeof(double));
      abort();
    }
    tl_buf[slot] = (double *)p;
    tl_cap[slot] = want;
  }
  return tl_buf[slot];
}

void eoc_buffers_free(void) {
  for (int s = 0; s < EOC_BUF_COUNT; s++) {
    free(tl_buf[s]);
    tl_buf[s] = NULL;
    tl_cap[s] = 0;
  }
}

/* ---- the compiled paths ---- */
#if EOC_X86
#define ISA_ID 512
#define VBYTES 64
#define SFX avx512
#define TARGET __attribute__((target("avx512f,avx512dq,avx2,fma")))
#define MR 8
#define NR 24
#define KC 256
#define MC 192
#define NC 3072
#include "gemm_impl.h"
#undef ISA_ID
#undef SFX
#undef TARGET
#undef MR
#undef NR
#undef KC
#undef MC
#undef NC
#undef VBYTES

#define ISA_ID 256
#define VBYTES 32
#define SFX avx2
#define TARGET __attribute__((target("avx2,fma")))
#define MR 4
#define NR 12
#define KC 256
#define MC 96
#define NC 3072
#include "gemm_impl.h"
#undef ISA_ID
#undef SFX
#undef TARGET
#undef MR
#undef NR
#undef KC
#undef MC
#undef NC
#undef VBYTES
#endif

#define ISA_ID 0
#define VBYTES 16
#define SFX baseline
#define TARGET
#define MR 4
#define NR 4
#define KC 256
#define MC 64
#define NC 2048
#include "gemm_impl.h"
#undef ISA_ID
#undef SFX
#undef TARGET
#undef MR
#undef NR
#undef KC
#undef MC
#undef NC
#undef VBYTES

typedef void (*gemm_fn)(int, int, int, double, const double *, ptrdiff_t, ptrdiff_t, const double *, ptrdiff_t, ptrdiff_t, int, double *, ptrdiff_t);
typedef void (*gemv_fn)(int, int, const double *, const double *, double *);
typedef double (*dot_fn)(int, const double *, const double *);
typedef void (*mix_fn)(int, double *, double *, double, double, double, double);

struct isa_entry {
  const char *name;
  gemm_fn gemm;
  gemv_fn gemv_n, gemv_t;
  dot_fn dot;
  mix_fn mix;
};

static const struct isa_entry isas[EOC_ISA_COUNT] = {
#if EOC_X86
  {"avx512", gemm_avx512, gemv_n_avx512, gemv_t_avx512, dot_avx512, mix_avx512},
  {"avx2", gemm_avx2, gemv_n_avx2, gemv_t_avx2, dot_avx2, mix_avx2},
#else
  {"avx512", NULL, NULL, NULL, NULL, NULL},
  {"avx2", NULL, NULL, NULL, NULL, NULL},
#endif
  {"baseline", gemm_baseline, gemv_n_baseline, gemv_t_baseline, dot_baseline, mix_baseline},
};

static int current = EOC_ISA_BASELINE;

int eoc_isa_compiled(int isa) {
  return isa >= 0 && isa < EOC_ISA_COUNT && isas[isa].gemm != NULL;
}

int eoc_isa_supported(int isa) {
  if (!eoc_isa_compiled(isa)) return 0;
#if EOC_X86
  __builtin_cpu_init();
  /* libgcc's checks include the OS's XSAVE support for the wider registers */
  if (isa == EOC_ISA_AVX512) return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("fma");
  if (isa == EOC_ISA_AVX2) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  return 1;
}

void eoc_isa_init(void) {
  for (int i = 0; i < EOC_ISA_COUNT; i++) {
    if (eoc_isa_supported(i)) {
      current = i;
      return;
    }
  }
}

int eoc_isa_current(void) { return current; }

int eoc_isa_set(int isa) {
  if (!eoc_isa_supported(isa)) return 0;
  current = isa;
  return 1;
}

const char *eoc_isa_name(int isa) {
  return isa >= 0 && isa < EOC_ISA_COUNT ? isas[isa].name : "unknown";
}

/* ---- entry points ---- */
void eoc_dgemm(int m, int n, int k, double alpha, const double *a, ptrdiff_t rsa, ptrdiff_t csa,
               const double *b, ptrdiff_t rsb, ptrdiff_t csb, double beta, double *c, ptrdiff_t rsc, ptrdiff_t csc) {
  if (m <= 0 || n <= 0) return;
  if (csc != 1) {
    if (rsc == 1) {
      /* C^T = op(B)^T op(A)^T: the transposed problem has a unit column stride */
      eoc_dgemm(n, m, k, alpha, b, csb, rsb, a, csa, rsa, beta, c, csc, 1);
      return;
    }
    /* neither stride is 1 (not used by eoc): plain loops */
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) s += a[i * rsa + p * csa] * b[p * rsb + j * csb];
        double *cij = c + i * rsc + j * csc;
        *cij = beta == 0 ? alpha * s : alpha * s + beta * *cij;
      }
    }
    return;
  }
  if (beta != 0 && beta != 1) {
    for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) c[i * rsc + j] *= beta;
    beta = 1;
  }
  if (k <= 0 || alpha == 0) {
    if (beta == 0) for (int i = 0; i < m; i++) memset(c + i * rsc, 0, (size_t)n * sizeof(double));
    return;
  }
  isas[current].gemm(m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta == 1, c, rsc);
}

void eoc_dgemv(int trans, int m, int n, const double *a, const double *x, double *y) {
  if (trans) {
    if (n > 0) isas[current].gemv_t(m, n, a, x, y);
  } else if (m > 0) {
    isas[current].gemv_n(m, n, a, x, y);
  }
}

double eoc_ddot(int n, const double *x, const double *y) {
  return n > 0 ? isas[current].dot(n, x, y) : 0.0;
}

void eoc_rotate_rows(int n, double *x, double *y, double a1, double a2, double b1, double b2) {
  if (n > 0) isas[current].mix(n, x, y, a1, a2, b1, b2);
}
