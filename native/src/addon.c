/*
 * eoc_kernels.node: the N-API surface of the compiled kernels (src/linalg/backends/compiled.ts).
 * Every matrix is a Float64Array read in place (napi_get_typedarray_info: no copies); shapes are
 * checked against the arrays' lengths before any kernel touches memory, and a bad call throws.
 *
 *   gemm(m, n, k, a, b, transB, c)   c (m x n) = a (m x k) * (transB ? b^T (b n x k) : b (k x n))
 *   gemv(trans, m, n, a, x, y)       y = a x, or a^T x (a m x n)
 *   trmmUpperLeft(n, p, M, B)        B (n x p) := M B, M upper triangular n x n
 *   ormqrRight(n, gt, tau, c)        c (column-major n x n) := c Q, Q from householderQR's output
 *   householderQR(n, gt, tau)        blocked Householder QR in place (src/linalg/qr.ts layout)
 *   exactHouseholderQR(n, gt, tau)   the TS reference householderQR bit for bit (exact_qr.c: the draws)
 *   exactFormQt(n, gt, tau, qt)      the TS reference formQt bit for bit: qt := Q^T (row-major)
 *   exactHouseholderQRThin(m, k, gt, tau), exactFormQThin(m, k, gt, tau, qt)
 *                                    the same for G m x k (householderQRThin, formQThin: rectangular draws)
 *   scaleColumns(m, n, c, d, tiny)   c (m x n row-major) := c diag(d), then |c_ij| < tiny -> 0
 *   rowNorms(n, a, out), gatherRows(n, g, perm, rowPerm, t, lnd, gp, tP, lndP),
 *   transpose(n, a, out, cols), formM(n, tile, gp, ea, eb, fac, mt)
 *                                    the stable product's bookkeeping (stratify.c), bitwise its TS loops
 *   jacobiSweeps(y, e, m, n, maxSweeps, tol)  one-sided Jacobi on log-scaled rows; returns the sweeps
 *   isa()                            the gemm path in use: 'avx512' | 'avx2' | 'baseline'
 *   setIsa(name)                     use another compiled path the CPU supports (tests); returns isa()
 *   compiledIsas(), supportedIsas()  the paths in this binary, and those this CPU can run
 * All row-major with leading dimensions equal to the column counts.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <node_api.h>
#include "kernels.h"

#define CHECK(call)                                                                  \
  do {                                                                               \
    if ((call) != napi_ok) {                                                         \
      const napi_extended_error_info *info_ = NULL;                                  \
      napi_get_last_error_info(env, &info_);                                         \
      napi_throw_error(env, NULL, info_ && info_->error_message ? info_->error_message : "N-API call failed"); \
      return NULL;                                                                   \
    }                                                                                \
  } while (0)

static int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return 0;
  if (argc < want) {
    napi_throw_type_error(env, NULL, "eoc_kernels: too few arguments");
    return 0;
  }
  return 1;
}

static int get_dim(napi_env env, napi_value v, const char *what, int *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d >= 0) || d > 2147483647.0 || d != (double)(int64_t)d) {
    char msg[96];
    snprintf(msg, sizeof msg, "eoc_kernels: %s must be a non-negative integer", what);
    napi_throw_range_error(env, NULL, msg);
    return 0;
  }
  *out = (int)d;
  return 1;
}

/* a Float64Array with at least `need` elements */
static int get_f64(napi_env env, napi_value v, const char *what, size_t need, double **out) {
  bool is;
  napi_typedarray_type type;
  size_t length;
  void *data;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is ||
      napi_get_typedarray_info(env, v, &type, &length, &data, NULL, NULL) != napi_ok || type != napi_float64_array) {
    char msg[96];
    snprintf(msg, sizeof msg, "eoc_kernels: %s must be a Float64Array", what);
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  if (length < need) {
    char msg[160];
    snprintf(msg, sizeof msg, "eoc_kernels: %s has %zu elements, the shape needs %zu", what, length, need);
    napi_throw_range_error(env, NULL, msg);
    return 0;
  }
  *out = (double *)data;
  return 1;
}

/* an Int32Array of at least `need` indices, each in [0, bound) (or null/undefined when optional:
 * *out = NULL); the kernels index matrices with them, so a bad one throws before they run */
static int get_index(napi_env env, napi_value v, const char *what, size_t need, int bound, int optional, int **out) {
  napi_valuetype vt;
  if (optional && napi_typeof(env, v, &vt) == napi_ok && (vt == napi_null || vt == napi_undefined)) {
    *out = NULL;
    return 1;
  }
  bool is;
  napi_typedarray_type type;
  size_t length;
  void *data;
  char msg[160];
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is ||
      napi_get_typedarray_info(env, v, &type, &length, &data, NULL, NULL) != napi_ok || type != napi_int32_array) {
    snprintf(msg, sizeof msg, "eoc_kernels: %s must be an Int32Array", what);
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  if (length < need) {
    snprintf(msg, sizeof msg, "eoc_kernels: %s has %zu elements, the shape needs %zu", what, length, need);
    napi_throw_range_error(env, NULL, msg);
    return 0;
  }
  const int *ix = (const int *)data;
  for (size_t i = 0; i < need; i++) {
    if (ix[i] < 0 || ix[i] >= bound) {
      snprintf(msg, sizeof msg, "eoc_kernels: %s[%zu] = %d is outside [0, %d)", what, i, ix[i], bound);
      napi_throw_range_error(env, NULL, msg);
      return 0;
    }
  }
  *out = (int *)data;
  return 1;
}

static napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

static napi_value js_gemm(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  int m, n, k;
  bool transB;
  double *a, *b, *c;
  if (!get_args(env, info, 7, argv)) return NULL;
  if (!get_dim(env, argv[0], "m", &m) || !get_dim(env, argv[1], "n", &n) || !get_dim(env, argv[2], "k", &k)) return NULL;
  CHECK(napi_get_value_bool(env, argv[5], &transB));
  if (!get_f64(env, argv[3], "a", (size_t)m * k, &a) || !get_f64(env, argv[4], "b", (size_t)k * n, &b) ||
      !get_f64(env, argv[6], "c", (size_t)m * n, &c)) return NULL;
  if (transB) eoc_dgemm(m, n, k, 1.0, a, k, 1, b, 1, k, 0.0, c, n, 1);
  else eoc_dgemm(m, n, k, 1.0, a, k, 1, b, n, 1, 0.0, c, n, 1);
  return undefined(env);
}

/* the arguments (trans, m, n, a, x, y) of the gemv kernels: a m x n, x n (m with trans), y m (n) */
static int get_gemv_args(napi_env env, napi_callback_info info, bool *trans, int *m, int *n, double **a, double **x, double **y) {
  napi_value argv[6];
  if (!get_args(env, info, 6, argv)) return 0;
  if (napi_get_value_bool(env, argv[0], trans) != napi_ok) {
    napi_throw_type_error(env, NULL, "trans must be a boolean");
    return 0;
  }
  if (!get_dim(env, argv[1], "m", m) || !get_dim(env, argv[2], "n", n)) return 0;
  return get_f64(env, argv[3], "a", (size_t)*m * *n, a) && get_f64(env, argv[4], "x", *trans ? (size_t)*m : (size_t)*n, x) &&
         get_f64(env, argv[5], "y", *trans ? (size_t)*n : (size_t)*m, y);
}

static napi_value js_gemv(napi_env env, napi_callback_info info) {
  bool trans;
  int m, n;
  double *a, *x, *y;
  if (!get_gemv_args(env, info, &trans, &m, &n, &a, &x, &y)) return NULL;
  eoc_dgemv(trans, m, n, a, x, y);
  return undefined(env);
}

static napi_value js_exact_gemv(napi_env env, napi_callback_info info) {
  bool trans;
  int m, n;
  double *a, *x, *y;
  if (!get_gemv_args(env, info, &trans, &m, &n, &a, &x, &y)) return NULL;
  eoc_exact_gemv(trans, m, n, a, x, y);
  return undefined(env);
}

static napi_value js_trmm(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int n, p;
  double *mtx, *b;
  if (!get_args(env, info, 4, argv)) return NULL;
  if (!get_dim(env, argv[0], "n", &n) || !get_dim(env, argv[1], "p", &p)) return NULL;
  if (!get_f64(env, argv[2], "M", (size_t)n * n, &mtx) || !get_f64(env, argv[3], "B", (size_t)n * p, &b)) return NULL;
  eoc_trmm_upper_left(n, p, mtx, b);
  return undefined(env);
}

/* the arguments (n, gt, tau[, c]) of the QR kernels: gt and c n x n, tau n (c when want_c) */
static int get_qr_args(napi_env env, napi_callback_info info, int want_c, int *n, double **gt, double **tau, double **c) {
  napi_value argv[4];
  const size_t argc = want_c ? 4 : 3;
  if (!get_args(env, info, argc, argv)) return 0;
  if (!get_dim(env, argv[0], "n", n)) return 0;
  const size_t nn = (size_t)*n * *n;
  if (!get_f64(env, argv[1], "gt", nn, gt) || !get_f64(env, argv[2], "tau", (size_t)*n, tau)) return 0;
  return !want_c || get_f64(env, argv[3], want_c == 2 ? "qt" : "c", nn, c);
}

static napi_value js_ormqr(napi_env env, napi_callback_info info) {
  int n;
  double *gt, *tau, *c;
  if (!get_qr_args(env, info, 1, &n, &gt, &tau, &c)) return NULL;
  eoc_ormqr_right(n, gt, tau, c);
  return undefined(env);
}

static napi_value js_geqrf(napi_env env, napi_callback_info info) {
  int n;
  double *gt, *tau;
  if (!get_qr_args(env, info, 0, &n, &gt, &tau, NULL)) return NULL;
  eoc_geqrf(n, gt, tau);
  return undefined(env);
}

static napi_value js_exact_qr(napi_env env, napi_callback_info info) {
  int n;
  double *gt, *tau;
  if (!get_qr_args(env, info, 0, &n, &gt, &tau, NULL)) return NULL;
  eoc_exact_qr(n, gt, tau);
  return undefined(env);
}

static napi_value js_exact_form_qt(napi_env env, napi_callback_info info) {
  int n;
  double *gt, *tau, *qt;
  if (!get_qr_args(env, info, 2, &n, &gt, &tau, &qt)) return NULL;
  eoc_exact_form_qt(n, gt, tau, qt);
  return undefined(env);
}

static napi_value js_exact_haar(napi_env env, napi_callback_info info) {
  int n;
  double *gt, *tau, *w;
  if (!get_qr_args(env, info, 2, &n, &gt, &tau, &w)) return NULL;
  eoc_exact_haar(n, gt, tau, w);
  return undefined(env);
}

/* the arguments (m, k, gt, tau[, qt]) of the thin QR kernels: gt and qt k x m, tau k, m >= k */
static int get_thin_args(napi_env env, napi_callback_info info, int want_qt, int *m, int *k, double **gt, double **tau, double **qt) {
  napi_value argv[5];
  if (!get_args(env, info, want_qt ? 5 : 4, argv)) return 0;
  if (!get_dim(env, argv[0], "m", m) || !get_dim(env, argv[1], "k", k)) return 0;
  if (*m < *k) {
    napi_throw_range_error(env, NULL, "thin QR: need m >= k");
    return 0;
  }
  const size_t mk = (size_t)*m * *k;
  if (!get_f64(env, argv[2], "gt", mk, gt) || !get_f64(env, argv[3], "tau", (size_t)*k, tau)) return 0;
  return !want_qt || get_f64(env, argv[4], "qt", mk, qt);
}

static napi_value js_exact_qr_thin(napi_env env, napi_callback_info info) {
  int m, k;
  double *gt, *tau;
  if (!get_thin_args(env, info, 0, &m, &k, &gt, &tau, NULL)) return NULL;
  eoc_exact_qr_thin(m, k, gt, tau);
  return undefined(env);
}

static napi_value js_exact_form_q_thin(napi_env env, napi_callback_info info) {
  int m, k;
  double *gt, *tau, *qt;
  if (!get_thin_args(env, info, 1, &m, &k, &gt, &tau, &qt)) return NULL;
  eoc_exact_form_q_thin(m, k, gt, tau, qt);
  return undefined(env);
}

static napi_value js_scale_columns(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  int m, n;
  double *c, *d, tiny;
  if (!get_args(env, info, 5, argv)) return NULL;
  if (!get_dim(env, argv[0], "m", &m) || !get_dim(env, argv[1], "n", &n)) return NULL;
  if (!get_f64(env, argv[2], "c", (size_t)m * n, &c) || !get_f64(env, argv[3], "d", (size_t)n, &d)) return NULL;
  CHECK(napi_get_value_double(env, argv[4], &tiny));
  eoc_scale_columns(m, n, c, d, tiny);
  return undefined(env);
}

static napi_value js_jacobi(napi_env env, napi_callback_info info) {
  napi_value argv[6], out;
  int m, n, sweeps;
  double tol, *y, *e;
  if (!get_args(env, info, 6, argv)) return NULL;
  if (!get_dim(env, argv[2], "m", &m) || !get_dim(env, argv[3], "n", &n) || !get_dim(env, argv[4], "maxSweeps", &sweeps)) return NULL;
  CHECK(napi_get_value_double(env, argv[5], &tol));
  if (!get_f64(env, argv[0], "y", (size_t)m * n, &y) || !get_f64(env, argv[1], "e", (size_t)m, &e)) return NULL;
  CHECK(napi_create_int32(env, eoc_jacobi_sweeps(y, e, m, n, sweeps, tol), &out));
  return out;
}

static napi_value js_row_norms(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int n;
  double *a, *out;
  if (!get_args(env, info, 3, argv) || !get_dim(env, argv[0], "n", &n)) return NULL;
  if (!get_f64(env, argv[1], "a", (size_t)n * n, &a) || !get_f64(env, argv[2], "out", (size_t)n, &out)) return NULL;
  eoc_row_norms(n, a, out);
  return undefined(env);
}

static napi_value js_gather_rows(napi_env env, napi_callback_info info) {
  napi_value argv[9];
  int n, *perm, *row_perm;
  double *g, *t, *lnd, *gp, *tp, *lndp;
  if (!get_args(env, info, 9, argv) || !get_dim(env, argv[0], "n", &n)) return NULL;
  const size_t nn = (size_t)n * n;
  if (!get_f64(env, argv[1], "g", nn, &g) || !get_index(env, argv[2], "perm", (size_t)n, n, 0, &perm) ||
      !get_index(env, argv[3], "rowPerm", (size_t)n, n, 1, &row_perm) || !get_f64(env, argv[4], "t", nn, &t) ||
      !get_f64(env, argv[5], "lnd", (size_t)n, &lnd) || !get_f64(env, argv[6], "gp", nn, &gp) || !get_f64(env, argv[7], "tP", nn, &tp) ||
      !get_f64(env, argv[8], "lndP", (size_t)n, &lndp)) return NULL;
  eoc_gather_rows(n, g, perm, row_perm, t, lnd, gp, tp, lndp);
  return undefined(env);
}

static napi_value js_transpose(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int n, *cols;
  double *a, *out;
  if (!get_args(env, info, 4, argv) || !get_dim(env, argv[0], "n", &n)) return NULL;
  if (!get_f64(env, argv[1], "a", (size_t)n * n, &a) || !get_f64(env, argv[2], "out", (size_t)n * n, &out) ||
      !get_index(env, argv[3], "cols", (size_t)n, n, 1, &cols)) return NULL;
  eoc_transpose(n, a, out, cols);
  return undefined(env);
}

static napi_value js_form_m(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  int n, tb;
  double *gp, *ea, *eb, *mt;
  bool is;
  napi_typedarray_type type;
  size_t length;
  void *fac;
  if (!get_args(env, info, 7, argv) || !get_dim(env, argv[0], "n", &n) || !get_dim(env, argv[1], "tile", &tb)) return NULL;
  if (tb < 1) {
    napi_throw_range_error(env, NULL, "eoc_kernels: tile must be at least 1");
    return NULL;
  }
  const size_t nt = ((size_t)n + tb - 1) / tb;
  if (!get_f64(env, argv[2], "gp", (size_t)n * n, &gp) || !get_f64(env, argv[3], "ea", (size_t)n, &ea) ||
      !get_f64(env, argv[4], "eb", nt * n, &eb) || !get_f64(env, argv[6], "mt", (size_t)n * n, &mt)) return NULL;
  if (napi_is_typedarray(env, argv[5], &is) != napi_ok || !is ||
      napi_get_typedarray_info(env, argv[5], &type, &length, &fac, NULL, NULL) != napi_ok || type != napi_uint8_array || length < nt * nt) {
    napi_throw_type_error(env, NULL, "eoc_kernels: fac must be a Uint8Array of (tiles)^2 flags");
    return NULL;
  }
  eoc_form_m(n, tb, gp, ea, eb, (const unsigned char *)fac, mt);
  return undefined(env);
}

static napi_value make_string(napi_env env, const char *s) {
  napi_value v;
  if (napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v) != napi_ok) return NULL;
  return v;
}

static napi_value js_isa(napi_env env, napi_callback_info info) {
  (void)info;
  return make_string(env, eoc_isa_name(eoc_isa_current()));
}

static napi_value js_set_isa(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  char name[32];
  size_t len;
  if (!get_args(env, info, 1, argv)) return NULL;
  CHECK(napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len));
  for (int i = 0; i < EOC_ISA_COUNT; i++) {
    if (strcmp(name, eoc_isa_name(i)) == 0) {
      if (!eoc_isa_set(i)) {
        char msg[96];
        snprintf(msg, sizeof msg, "eoc_kernels: the %s path is not %s", name, eoc_isa_compiled(i) ? "supported by this CPU" : "compiled in");
        napi_throw_error(env, NULL, msg);
        return NULL;
      }
      return make_string(env, eoc_isa_name(eoc_isa_current()));
    }
  }
  napi_throw_range_error(env, NULL, "eoc_kernels: unknown path (avx512, avx2, baseline)");
  return NULL;
}

static napi_value isa_list(napi_env env, int supported_only) {
  napi_value arr;
  uint32_t k = 0;
  CHECK(napi_create_array(env, &arr));
  for (int i = 0; i < EOC_ISA_COUNT; i++) {
    if (supported_only ? eoc_isa_supported(i) : eoc_isa_compiled(i)) {
      napi_value s = make_string(env, eoc_isa_name(i));
      if (!s) return NULL;
      CHECK(napi_set_element(env, arr, k++, s));
    }
  }
  return arr;
}

static napi_value js_compiled(napi_env env, napi_callback_info info) {
  (void)info;
  return isa_list(env, 0);
}

static napi_value js_supported(napi_env env, napi_callback_info info) {
  (void)info;
  return isa_list(env, 1);
}

/* each Node environment (main thread, worker thread) frees its thread's scratch when it ends */
static void cleanup(void *arg) {
  (void)arg;
  eoc_buffers_free();
}

NAPI_MODULE_INIT() {
  static const struct {
    const char *name;
    napi_callback fn;
  } fns[] = {
    {"gemm", js_gemm}, {"gemv", js_gemv}, {"trmmUpperLeft", js_trmm}, {"ormqrRight", js_ormqr}, {"householderQR", js_geqrf}, {"jacobiSweeps", js_jacobi},
    {"exactHouseholderQR", js_exact_qr}, {"exactFormQt", js_exact_form_qt}, {"exactHaar", js_exact_haar}, {"exactGemv", js_exact_gemv},
    {"exactHouseholderQRThin", js_exact_qr_thin}, {"exactFormQThin", js_exact_form_q_thin}, {"scaleColumns", js_scale_columns},
    {"rowNorms", js_row_norms}, {"gatherRows", js_gather_rows}, {"transpose", js_transpose}, {"formM", js_form_m},
    {"isa", js_isa}, {"setIsa", js_set_isa}, {"compiledIsas", js_compiled}, {"supportedIsas", js_supported},
  };
  static int initialized = 0;
  if (!initialized) {
    eoc_isa_init();
    initialized = 1;
  }
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    CHECK(napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f));
    CHECK(napi_set_named_property(env, exports, fns[i].name, f));
  }
  CHECK(napi_add_env_cleanup_hook(env, cleanup, NULL));
  return exports;
}
