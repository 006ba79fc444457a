// npm run bench: eoc vs a numpy/OpenBLAS script doing the same work (bench/numpy_ref.py), each run in
// its own process, alternating, medians over repetitions, with the 1-minute load average recorded.
// Sizes default to the (W1/W2: N = 512, L = 100, 30 gains, 3 seeds; W3: N = 2048) and can be
// reduced: BENCH_N, BENCH_L, BENCH_GAINS, BENCH_SEEDS, BENCH_W3_N, BENCH_REPS, BENCH_ONLY=W1,W3,
// BENCH_BACKENDS=wasm,native.
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const env = (k, d) => process.env[k] ?? d;
const N = +env('BENCH_N', 512), L = +env('BENCH_L', 100), G = +env('BENCH_GAINS', 30), S = +env('BENCH_SEEDS', 3);
const N3 = +env('BENCH_W3_N', 2048), REPS = +env('BENCH_REPS', 3);
const only = env('BENCH_ONLY', 'W1,W2,W3').split(',');
const backends = env('BENCH_BACKENDS', 'wasm,native').split(',');

// numpy runs single-threaded like eoc. Both get OpenBLAS's own CPU detection: the machine's
// OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE overrides (Haswell here, on an AVX-512 CPU) are removed for
// numpy and eoc alike, since with them eoc's system OpenBLAS ran dgemm at 30 GFLOP/s against 49
// without. BENCH_EOC_OPENBLAS_ENV=keep leaves them in place for eoc (numpy still without them).
const npEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1' };
delete npEnv.OPENBLAS_CORETYPE;
delete npEnv.OPENBLAS_L2_SIZE;
const eocEnv = { ...process.env };
if (process.env.BENCH_EOC_OPENBLAS_ENV !== 'keep') {
  delete eocEnv.OPENBLAS_CORETYPE;
  delete eocEnv.OPENBLAS_L2_SIZE;
}
const npKernel = execFileSync('python3', ['-c', `
import numpy, ctypes, re
libs = [l.split()[-1] for l in open('/proc/self/maps') if 'openblas' in l.lower()]
name = '?'
for path in dict.fromkeys(libs):
    lib = ctypes.CDLL(path)
    for sym in ('scipy_openblas_get_corename64_', 'openblas_get_corename64_', 'openblas_get_corename'):
        if hasattr(lib, sym):
            f = getattr(lib, sym); f.restype = ctypes.c_char_p; name = f().decode(); break
print(numpy.__version__, name)`], { env: npEnv }).toString().trim();

function run(kind, work, n, gains, seeds, backend) {
  const load = loadavg()[0];
  const args = [String(n), String(L), String(gains), String(seeds)];
  const out = kind === 'numpy'
    ? execFileSync('python3', [join(here, 'numpy_ref.py'), work === 'W3mf' ? 'W3dense' : work, ...args], { env: npEnv })
    : execFileSync(process.execPath, [join(here, 'eoc_work.js'), work, ...args], { env: { ...eocEnv, EOC_BACKEND: backend } });
  return { ...JSON.parse(out.toString().trim().split('\n').pop()), load };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const plan = [];
if (only.includes('W1')) plan.push({ name: `W1 all s, N=${N} L=${L} ${G} gains x ${S} seeds`, work: 'W1', n: N, g: G, s: S });
if (only.includes('W2')) plan.push({ name: `W2 locate m1=1, N=${N} L=${L} ${S} seeds (numpy: ${G}-gain grid)`, work: 'W2', n: N, g: G, s: S });
if (only.includes('W3')) {
  plan.push({ name: `W3 dense, N=${N3} L=${L} 1 gain`, work: 'W3dense', n: N3, g: 1, s: 1 });
  plan.push({ name: `W3 matrix-free, N=${N3} L=${L} 1 gain (numpy: dense)`, work: 'W3mf', n: N3, g: 1, s: 1 });
}
console.log(`numpy ${npKernel} (OPENBLAS_NUM_THREADS=1); eoc OpenBLAS env ${process.env.BENCH_EOC_OPENBLAS_ENV === "keep" ? "as set" : "auto-detect"}; eoc backends: ${backends.join(', ')}; ${REPS} repetitions, alternating`);
const rows = [];
for (const w of plan) {
  const t = { numpy: [] };
  for (const b of backends) t[b] = [];
  for (let r = 0; r < REPS; r++) {
    for (const b of backends) t[b].push(run('eoc', w.work, w.n, w.g, w.s, b));
    if (w.work !== 'W3mf' || r === 0 || !rows.length) t.numpy.push(run('numpy', w.work, w.n, w.g, w.s));
  }
  const np = median(t.numpy.map((x) => x.seconds));
  for (const b of backends) {
    const sec = median(t[b].map((x) => x.seconds));
    rows.push({
      workload: w.name, backend: b, 'eoc s': +sec.toFixed(2), 'numpy s': +np.toFixed(2), ratio: +(sec / np).toFixed(2),
      'eoc MB': Math.round(median(t[b].map((x) => x.maxRssMB))), 'numpy MB': Math.round(median(t.numpy.map((x) => x.maxRssMB))),
      load: t[b].map((x) => x.load.toFixed(1)).join('/'),
      note: t[b][0].gain !== undefined ? `g*=${t[b][0].gain.toFixed(4)} (numpy ${t.numpy[0].gain?.toFixed(4)})` : t[b][0].m1Stderr !== undefined ? `m1=${t[b][0].m1.toPrecision(4)}+-${t[b][0].m1Stderr.toPrecision(2)}` : '',
    });
    console.log(JSON.stringify(rows[rows.length - 1]));
  }
}
console.table(rows);
