import type { JacobianFactor } from './stable-product.js';
import type { Mat } from '../linalg/matrix.js';

/**
 * A rectangular Jacobian J = D_L W_L ... D_1 W_1 (W_l of shape N_l x N_{l-1}) as the top-left
 * N_L x N_0 block of a square product at the largest width M: each W_l sits in the top-left corner
 * of an M x M zero matrix and D_l is padded with exact zeros. The padded product is [[J, 0], [0, 0]],
 * so its singular values are J's min(N_0, N_L) values followed by exact zeros, and every backend's
 * square kernels compute them as stably as a square network's (the QR-stabilized product never
 * meets anything but exact zeros in the padding). The cost is that of a width-M network.
 */
export function isRectangular(widths: readonly number[]): boolean {
  return widths.some((w) => w !== widths[0]);
}

export function embedFactors(factors: readonly JacobianFactor[], widths: readonly number[]): JacobianFactor[] {
  const m = Math.max(...widths);
  return factors.map((f, l) => {
    const rows = widths[l + 1];
    const cols = widths[l];
    const dphi = new Float64Array(m);
    dphi.set(f.dphi);
    const lnDphi = new Float64Array(m).fill(-Infinity);
    lnDphi.set(f.lnDphi ?? f.dphi.map((v) => Math.log(Math.abs(v))));
    return {
      get base(): Mat {
        const w = f.base;
        if (w.rows !== rows || w.cols !== cols) throw new Error(`embedFactors: layer ${l + 1} is ${w.rows} x ${w.cols}, expected ${rows} x ${cols}`);
        const data = new Float64Array(m * m);
        for (let i = 0; i < rows; i++) data.set(w.data.subarray(i * cols, (i + 1) * cols), i * m);
        return { rows: m, cols: m, data };
      },
      dphi,
      lnDphi,
    };
  });
}
