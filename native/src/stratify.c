/*
 * The stable product's O(n^2) bookkeeping around each block's QR (src/spectrum/stable-product.ts
 * stableProduct), bit for bit the TS loops it replaces: copies, norms taken as vector.ts norm2 takes
 * them, and products of values the caller computed (every exp stays in JS, whose Math.exp is not
 * libm's). Built in the exact library (-ffp-contract=off): no product is fused into an FMA.
 * Indices are checked by the caller (addon.c) before any of these run.
 */
#include <math.h>
#include <string.h>
#include "kernels.h"

/* vector.ts norm2: the largest |x_i|, then scale * sqrt(sum (x_i / scale)^2) in index order */
double eoc_nrm2(int n, const double *x) {
  double scale = 0;
  for (int i = 0; i < n; i++) {
    const double v = fabs(x[i]);
    if (v > scale) scale = v;
  }
  if (scale == 0 || !isfinite(scale)) return scale;
  const double inv = 1 / scale;
  double ss = 0;
  for (int i = 0; i < n; i++) {
    const double v = x[i] * inv;
    ss += v * v;
  }
  return scale * sqrt(ss);
}

void eoc_row_norms(int n, const double *a, double *out) {
  for (int j = 0; j < n; j++) out[j] = eoc_nrm2(n, a + (ptrdiff_t)j * n);
}

void eoc_gather_rows(int n, const double *g, const int *perm, const int *row_perm, const double *t, const double *lnd,
                     double *gp, double *tp, double *lndp) {
  for (int dst = 0; dst < n; dst++) {
    const int src = perm[dst];
    const double *gs = g + (ptrdiff_t)src * n;
    double *gd = gp + (ptrdiff_t)dst * n;
    if (row_perm)
      for (int r = 0; r < n; r++) gd[r] = gs[row_perm[r]];
    else
      memcpy(gd, gs, (size_t)n * sizeof(double));
    lndp[dst] = lnd[src];
    memcpy(tp + (ptrdiff_t)dst * n, t + (ptrdiff_t)src * n, (size_t)n * sizeof(double));
  }
}

void eoc_transpose(int n, const double *a, double *out, const int *cols) {
  if (cols) {
    for (int k = 0; k < n; k++) {
      const int c = cols[k];
      double *o = out + (ptrdiff_t)k * n;
      for (int i = 0; i < n; i++) o[i] = a[(ptrdiff_t)i * n + c];
    }
    return;
  }
  enum { B = 32 };
  for (int i0 = 0; i0 < n; i0 += B) {
    const int i1 = i0 + B < n ? i0 + B : n;
    for (int j0 = 0; j0 < n; j0 += B) {
      const int j1 = j0 + B < n ? j0 + B : n;
      for (int i = i0; i < i1; i++)
        for (int j = j0; j < j1; j++) out[(ptrdiff_t)j * n + i] = a[(ptrdiff_t)i * n + j];
    }
  }
}

void eoc_form_m(int n, int tb, const double *gp, const double *ea, const double *eb, const unsigned char *fac, double *mt) {
  const int nt = (n + tb - 1) / tb;
  memset(mt, 0, (size_t)n * n * sizeof(double));
  for (int jt = 0; jt < nt; jt++) {
    const int j0 = jt * tb, j1 = j0 + tb < n ? j0 + tb : n;
    const double *ebt = eb + (ptrdiff_t)jt * n;
    for (int it = 0; it <= jt; it++) {
      if (!fac[jt * nt + it]) continue;
      const int i0 = it * tb, i1 = i0 + tb < n ? i0 + tb : n;
      for (int j = j0; j < j1; j++) {
        const double *col = gp + (ptrdiff_t)j * n;
        const double aj = ea[j];
        const int iend = i1 < j ? i1 : j;
        for (int i = i0; i < iend; i++) {
          const double rij = col[i];
          if (rij == 0) continue;
          mt[(ptrdiff_t)i * n + j] = rij * aj * ebt[i];
        }
      }
    }
  }
  for (int i = 0; i < n; i++) mt[(ptrdiff_t)i * n + i] = gp[(ptrdiff_t)i * n + i] < 0 ? -1 : 1;
}
