/**
 * The 0.975 quantile of Student's t with df degrees of freedom: the multiplier of the standard
 * error for a two-sided 95% interval of a mean over df + 1 seeds.
 * Exact table values (to 6 digits) for df <= 30; beyond, the Cornish-Fisher expansion in 1/df,
 * whose error there is below 1e-5.
 */
const T975 = [
  NaN, 12.7062, 4.30265, 3.18245, 2.77645, 2.57058, 2.44691, 2.36462, 2.306, 2.26216, 2.22814, 2.20099, 2.17881,
  2.16037, 2.14479, 2.13145, 2.11991, 2.10982, 2.10092, 2.09302, 2.08596, 2.07961, 2.07387, 2.06866, 2.0639,
  2.05954, 2.05553, 2.05183, 2.04841, 2.04523, 2.04227,
];

export function tQuantile975(df: number): number {
  if (!(df >= 1)) return NaN;
  if (Number.isInteger(df) && df < T975.length) return T975[df];
  const z = 1.959963984540054;
  const z3 = z ** 3, z5 = z ** 5, z7 = z ** 7, z9 = z ** 9;
  return (
    z +
    (z3 + z) / (4 * df) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3) +
    (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * df ** 4)
  );
}
