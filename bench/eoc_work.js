// One timed eoc workload in its own process (so peak memory is the workload's): prints JSON.
// usage: node bench/eoc_work.js W1|W2|W3dense|W3mf  N L gains seeds   (EOC_BACKEND picks the backend)
import { sampleBaseDraws } from '../dist/src/network/sampler.js';
import { measureNetwork, measureM1 } from '../dist/src/measure/network.js';
import { setBackend } from '../dist/src/linalg/select.js';

const [work, N, L, G, S] = [process.argv[2], +process.argv[3], +process.argv[4], +process.argv[5], +process.argv[6]];
const info = setBackend();
const gains = Array.from({ length: G }, (_, i) => (G === 1 ? 1.05 : 0.8 + (0.6 * i) / (G - 1)));
const params = (gain) => ({ activation: 'tanh', gain, biasStd: 0.05, q0: 1 });
const t0 = performance.now();
let result;
if (work === 'W1') {
  // all singular values (dense stable product) + per-layer gradient norms, draws shared across gains
  let acc = 0;
  for (let s = 0; s < S; s++) {
    const draws = sampleBaseDraws('orthogonal', N, L, s);
    for (const g of gains) acc += measureNetwork(draws, params(g)).stats.ln_m1;
  }
  result = { checksum: acc };
} else if (work === 'W2') {
  // locate ln m1(g) = 0 (mean over seeds) by secant steps on m1 alone (measureM1: no SVD; method
  // from BENCH_M1_METHOD, default auto = Hutchinson with 64 probes when it is clearly cheaper than
  // the exact m1 from the stable product; the probes are fixed per seed, so ln m1(g) is smooth in g)
  const draws = Array.from({ length: S }, (_, s) => sampleBaseDraws('orthogonal', N, L, s));
  const m1Method = process.env.BENCH_M1_METHOD ?? 'auto';
  let method;
  const lnM1 = (g) => {
    let m = 0;
    for (const d of draws) {
      const r = measureM1(d, params(g), { method: m1Method });
      method = r.method;
      m += r.m1;
    }
    return Math.log(m / draws.length);
  };
  let a = 0.9, b = 1.3, fa = lnM1(a), fb = lnM1(b), evals = 2;
  while (Math.abs(b - a) > 1e-4 && evals < 12) {
    const c = b - (fb * (b - a)) / (fb - fa);
    [a, fa] = [b, fb];
    b = c;
    fb = lnM1(b);
    evals++;
  }
  result = { gain: b, evals, m1Method: method };
} else if (work === 'W3m1') {
  // m1 only (Hutchinson, 64 probes) on draws that may stream (EOC_MAX_MEMORY_MB): two passes over the layers
  const draws = sampleBaseDraws('orthogonal', N, L, 0);
  const r = measureM1(draws, params(1.05), { method: 'hutchinson' });
  result = { m1: r.m1, m1Stderr: r.m1 * r.lnM1Stderr, streaming: draws.streaming ?? null };
} else if (work === 'W3dense' || work === 'W3mf') {
  const draws = sampleBaseDraws('orthogonal', N, L, 0);
  const tDraws = performance.now() - t0;
  const s = measureNetwork(draws, params(1.05), { method: work === 'W3dense' ? 'dense' : 'matrix-free' });
  result = { m1: s.stats.m1, m1Stderr: s.matrixFree?.m1Stderr, drawsSeconds: tDraws / 1000 };
}
console.log(JSON.stringify({ seconds: (performance.now() - t0) / 1000, maxRssMB: process.resourceUsage().maxRSS / 1024, backend: info.name, kernel: info.native?.corename, ...result }));
