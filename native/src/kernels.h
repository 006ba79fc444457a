/*
 * eoc compiled kernels: shared declarations (the C files of native/src).
 *
 * Matrices are dense float64 with general strides: element (i, j) of X sits at x[i*rsx + j*csx].
 * A row-major m x n matrix has (rs, cs) = (n, 1), its transpose (1, n).
 */
#ifndef EOC_KERNELS_H
#define EOC_KERNELS_H

#include <stddef.h>

#if defined(__x86_64__) || defined(__i386__)
#define EOC_X86 1
#else
#define EOC_X86 0
#endif

/* the gemm paths compiled into this binary, best first; each is chosen only if the CPU has it */
enum eoc_isa { EOC_ISA_AVX512 = 0, EOC_ISA_AVX2 = 1, EOC_ISA_BASELINE = 2, EOC_ISA_COUNT = 3 };

/* C := alpha op(A) op(B) + beta C, with op folded into the strides; m x n result, inner size k.
 * beta == 0 overwrites C without reading it (NaN in C does not propagate). */
void eoc_dgemm(int m, int n, int k, double alpha, const double *a, ptrdiff_t rsa, ptrdiff_t csa,
               const double *b, ptrdiff_t rsb, ptrdiff_t csb, double beta, double *c, ptrdiff_t rsc, ptrdiff_t csc);

/* y := A x (trans = 0) or A^T x (trans = 1) for row-major m x n A */
void eoc_dgemv(int trans, int m, int n, const double *a, const double *x, double *y);

/* B := M B, M n x n upper triangular row-major (below the diagonal ignored), B n x p row-major */
int eoc_trmm_upper_left(int n, int p, const double *mtx, double *b);

/* c := c Q for c column-major n x n, Q = H_0 ... H_{n-1} from a Householder QR whose reflector
 * r sits in row r of gt (row-major n x n; v_r = [0 (r entries), 1, gt[r*n + r+1 .. n-1]]) */
int eoc_ormqr_right(int n, const double *gt, const double *tau, double *c);

/* in-place Householder QR of G, gt row-major n x n with row c = column c of G (src/linalg/qr.ts
 * layout: R_kj = gt[j*n + k] for j >= k, reflector k below the diagonal in row k), tau[n] */
int eoc_geqrf(int n, double *gt, double *tau);

/* c (m x n row-major) := c diag(d); then, if tiny > 0, |c_ij| < tiny set to 0 (scale.c) */
void eoc_scale_columns(int m, int n, double *c, const double *d, double tiny);

/* the TS reference householderQR / formQt bit for bit (exact_qr.c; the Haar draws): same layout as
 * eoc_geqrf; qt (n x n row-major) := Q^T, row j = column j of Q */
void eoc_exact_qr(int n, double *gt, double *tau);
void eoc_exact_form_qt(int n, const double *gt, const double *tau, double *qt);
/* haar.ts's W = Q diag(sign R_jj), row-major, from householderQR's output (bitwise) */
void eoc_exact_haar(int n, const double *gt, const double *tau, double *w);
/* the same for G m x k (m >= k), gt k x m: qr.ts householderQRThin / formQThin bit for bit (the rectangular draws) */
void eoc_exact_qr_thin(int m, int k, double *gt, double *tau);
/* src/linalg/gemm.ts gemv (trans 0) and gemvT (trans 1) bit for bit */
void eoc_exact_gemv(int trans, int m, int n, const double *a, const double *x, double *y);
void eoc_exact_form_q_thin(int m, int k, const double *gt, const double *tau, double *qt);

/* the stable product's bookkeeping around each block's QR (stratify.c; bitwise the TS loops):
 * eoc_nrm2 is vector.ts norm2; out[j] = norm2 of row j; gp row dst = g row perm[dst] (entries
 * reordered by row_perm when not NULL), tp row dst = t row perm[dst], lndp[dst] = lnd[perm[dst]];
 * out = a^T (row k of out = column cols[k] of a when cols is not NULL); mt = the T update's
 * triangular factor from R (gp by columns) in tb x tb tiles: entry (i, j), i < j, of a tile pair
 * with fac[jt*nt + it] set is R_ij ea[j] eb[jt*n + i], the diagonal sgn R_ii, the rest 0 */
double eoc_nrm2(int n, const double *x);
void eoc_row_norms(int n, const double *a, double *out);
void eoc_gather_rows(int n, const double *g, const int *perm, const int *row_perm, const double *t, const double *lnd,
                     double *gp, double *tp, double *lndp);
void eoc_transpose(int n, const double *a, double *out, const int *cols);
void eoc_form_m(int n, int tb, const double *gp, const double *ea, const double *eb, const unsigned char *fac, double *mt);

/* one-sided Jacobi sweeps on log-scaled unit rows (src/linalg/jacobi.ts, asm/linalg.ts
 * jacobiSweeps): rows y_i (m x n row-major) with x_i = exp(e_i) y_i, rotated until every pair is
 * orthogonal to tol; returns the sweeps used */
int eoc_jacobi_sweeps(double *y, double *e, int m, int n, int max_sweeps, double tol);
double eoc_ddot(int n, const double *x, const double *y);
void eoc_rotate_rows(int n, double *x, double *y, double a1, double a2, double b1, double b2);

/* dispatch */
void eoc_isa_init(void);
int eoc_isa_supported(int isa);
int eoc_isa_compiled(int isa);
int eoc_isa_current(void);
int eoc_isa_set(int isa);
const char *eoc_isa_name(int isa);

/* per-thread scratch (64-byte aligned, grown on demand, kept for the thread's next call) */
enum { EOC_BUF_PACK_A = 0, EOC_BUF_PACK_B, EOC_BUF_WORK1, EOC_BUF_WORK2, EOC_BUF_WORK3, EOC_BUF_WORK4, EOC_BUF_COUNT };
double *eoc_buffer(int slot, size_t doubles);
void eoc_buffers_free(void);

#endif
