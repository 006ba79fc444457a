# The compiled kernels (src/linalg/backends/compiled.ts), built at `npm install` by native/build.mjs.
# No -march: the binary runs on any CPU of its architecture; on x86-64 gemm.c compiles the gemm
# for AVX-512, AVX2+FMA and the baseline through function target attributes and picks one at load.
{
  'targets': [
    {
      'target_name': 'eoc_kernels',
      'sources': ['src/addon.c', 'src/gemm.c', 'src/lapack.c', 'src/jacobi.c'],
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
