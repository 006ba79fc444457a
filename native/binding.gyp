# The compiled kernels (src/linalg/backends/compiled.ts), built at `npm install` by native/build.mjs.
# No -march: the binary runs on any CPU of its architecture; on x86-64 gemm.c compiles the gemm
# for AVX-512, AVX2+FMA and the baseline through function target attributes and picks one at load.
# exact_qr.c (the draws' QR, bitwise the TS reference's) and stratify.c (the stable product's
# bookkeeping, bitwise its TS loops) are a target of their own so that they alone
# gets -ffp-contract=off: no multiply-add is fused into an FMA there (gcc's default for gnu11 is
# =fast), which would change the bits. Never add -ffast-math to it.
{
  'targets': [
    {
      'target_name': 'eoc_exact_qr',
      'type': 'static_library',
      'sources': ['src/exact_qr.c', 'src/stratify.c'],
      'cflags': ['-O3', '-std=gnu11', '-fno-strict-aliasing', '-fno-math-errno', '-ffp-contract=off', '-fPIC', '-Wall', '-Wextra', '-Wno-unused-parameter', '-Werror=implicit-int', '-Werror=implicit-function-declaration'],
      'cflags!': ['-O0', '-O2'],
      'xcode_settings': {
        'GCC_OPTIMIZATION_LEVEL': '3',
        'OTHER_CFLAGS': ['-std=gnu11', '-fno-strict-aliasing', '-fno-math-errno', '-ffp-contract=off'],
      },
    },
    {
      'target_name': 'eoc_kernels',
      'dependencies': ['eoc_exact_qr'],
      'sources': ['src/addon.c', 'src/gemm.c', 'src/lapack.c', 'src/jacobi.c', 'src/scale.c'],
      'defines': ['NAPI_VERSION=8'],
      'cflags': ['-O3', '-std=gnu11', '-fno-strict-aliasing', '-fno-math-errno', '-Wall', '-Wextra', '-Wno-unused-parameter', '-Werror=implicit-int', '-Werror=implicit-function-declaration'],
      'cflags!': ['-O0', '-O2'],
      'xcode_settings': {
        'GCC_OPTIMIZATION_LEVEL': '3',
        'OTHER_CFLAGS': ['-std=gnu11', '-fno-strict-aliasing', '-fno-math-errno'],
      },
    },
  ],
}
