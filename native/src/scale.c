/*
 * The stable product's row scaling by D (src/spectrum/stable-product.ts): c (m x n row-major) :=
 * c diag(d), each product one rounded multiply as the TS loop does (bitwise its result), then, when
 * tiny > 0, entries below tiny in magnitude set to 0 (the deep blocks' flush). Memory-bound: the
 * compiler's vectorized loop at the baseline ISA is enough.
 */
#include <math.h>
#include "kernels.h"

void eoc_scale_columns(int m, int n, double *c, const double *d, double tiny) {
  for (int j = 0; j < m; j++) {
    double *row = c + (ptrdiff_t)j * n;
    for (int i = 0; i < n; i++) row[i] *= d[i];
  }
  if (tiny > 0) {
    const ptrdiff_t len = (ptrdiff_t)m * n;
    for (ptrdiff_t i = 0; i < len; i++)
      if (fabs(c[i]) < tiny) c[i] = 0;
  }
}
