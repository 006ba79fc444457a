/*
 * One-sided Jacobi on log-scaled rows: the sweeps of src/linalg/jacobi.ts logScaledJacobi, in the
 * tiled order and with the fused rotation of asm/linalg.ts jacobiSweeps (the wasm backend), the
 * inner product and the row rotation on the dispatched SIMD path (gemm.c). The caller
 * (src/linalg/backends/compiled.ts) prepares the rows and sorts the result as the other backends do.
 */
#include <math.h>
#include "kernels.h"

static void scale_row(int n, double *x, double a) {
  for (int i = 0; i < n; i++) x[i] *= a;
}

/* rotate unit rows i < j (x_k = exp(e_k) y_k) to make x_i . x_j = 0; c = y_i . y_j */
static void rotate_pair(double *e, int i, int j, double *yi, double *yj, int n, double c) {
  const double ei = e[i], ej = e[j];
  const double delta = ei - ej;
  double cs, A, B;
  if (fabs(delta) < 30) {
    /* zeta = (|x_j|^2 - |x_i|^2) / (2 x_i.x_j) = -sinh(delta)/c; sinh from expm1 stays accurate near 0 */
    const double em = expm1(delta);
    const double E = em + 1;
    const double sh = 0.5 * (em + em / E);
    const double zeta = -sh / c;
    const double t = zeta == 0 ? 1.0 : (zeta > 0 ? 1.0 : -1.0) / (fabs(zeta) + sqrt(1 + zeta * zeta));
    cs = 1 / sqrt(1 + t * t);
    const double sn = t * cs;
    A = sn / E; /* sn exp(e_j - e_i) */
    B = sn * E; /* sn exp(e_i - e_j) */
  } else {
    /* |zeta| > 1e12: t = 1/(2 zeta) to double precision, in logs so nothing overflows */
    const double ad = fabs(delta);
    const double lnZeta = ad - M_LN2 + log1p(-exp(-2 * ad)) - log(fabs(c));
    const double lnT = -M_LN2 - lnZeta;
    const double sgn = -(delta > 0 ? 1.0 : -1.0) * (c > 0 ? 1.0 : -1.0);
    const double t = exp(lnT);
    cs = 1 / sqrt(1 + t * t);
    const double lnSn = lnT + log(cs);
    A = sgn * exp(lnSn - delta);
    B = sgn * exp(lnSn + delta);
  }
  /* new squared norms from the 2x2 Gram matrix; recomputed when cancellation makes them inexact */
  const double ni2 = cs * cs + A * A - 2 * cs * A * c;
  const double nj2 = B * B + cs * cs + 2 * B * cs * c;
  if (ni2 > 0.25 && nj2 > 0.25) {
    const double ri = 1 / sqrt(ni2), rj = 1 / sqrt(nj2);
    eoc_rotate_rows(n, yi, yj, cs * ri, A * ri, B * rj, cs * rj);
    e[i] = ei + 0.5 * log(ni2);
    e[j] = ej + 0.5 * log(nj2);
    return;
  }
  eoc_rotate_rows(n, yi, yj, cs, A, B, cs);
  const double ni = ni2 > 0.25 ? sqrt(ni2) : eoc_nrm2(n, yi);
  const double nj = nj2 > 0.25 ? sqrt(nj2) : eoc_nrm2(n, yj);
  scale_row(n, yi, 1 / ni);
  scale_row(n, yj, 1 / nj);
  e[i] = ei + log(ni);
  e[j] = ej + log(nj);
}

int eoc_jacobi_sweeps(double *y, double *e, int m, int n, int max_sweeps, double tol) {
  /* pairs in tiles of b x b rows, two tiles in about 128 KiB (L2) */
  int b = 8192 / (n > 1 ? n : 1);
  if (b > 64) b = 64;
  if (b < 4) b = 4;
  for (int sweep = 0; sweep < max_sweeps; sweep++) {
    int rotated = 0;
    for (int i0 = 0; i0 < m; i0 += b) {
      const int i1 = i0 + b < m ? i0 + b : m;
      for (int j0 = i0; j0 < m; j0 += b) {
        const int j1 = j0 + b < m ? j0 + b : m;
        for (int i = i0; i < i1; i++) {
          double *yi = y + (ptrdiff_t)i * n;
          for (int j = (j0 > i + 1 ? j0 : i + 1); j < j1; j++) {
            double *yj = y + (ptrdiff_t)j * n;
            const double c = eoc_ddot(n, yi, yj);
            if (!(fabs(c) > tol)) continue;
            rotated = 1;
            rotate_pair(e, i, j, yi, yj, n, c);
          }
        }
      }
    }
    if (!rotated) return sweep + 1;
    for (int i = 0; i < m; i++) {
      double *row = y + (ptrdiff_t)i * n;
      const double nr = eoc_nrm2(n, row);
      if (nr == 0) {
        e[i] = -INFINITY;
        continue;
      }
      scale_row(n, row, 1 / nr);
      e[i] += log(nr);
    }
  }
  return max_sweeps;
}
