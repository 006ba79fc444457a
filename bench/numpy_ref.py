"""The numpy/OpenBLAS reference for bench/run.js: the same work as bench/eoc_work.js, the way a numpy
script does it. Prints one JSON line. usage: python3 numpy_ref.py W1|W2|W3dense N L gains seeds   (gains: a count or start:stop:step)

Same configuration (orthogonal tanh, sigma_b = 0.05, q0 = 1, Haar draws once per seed shared
across gains, QR-stabilized product re-factored every 4 layers with pre-pivoting, per-layer
gradient norms). Differences, stated: numpy draws its own Gaussians (the work is the same, the
numbers are not), and its final singular values come from LAPACK dgesdd on diag(d) T rescaled to
float64 range, which is absolute-accuracy (eoc's log-scaled Jacobi keeps relative accuracy).
W2 is numpy's natural version: m1 on a grid of `gains` values, then interpolation of ln m1 = 0.
"""
import json, resource, sys, time
import numpy as np

work, N, L, S = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[5])
# gains: a count G (0.8 + 0.6 i / (G - 1), as bench/eoc_work.js) or a range start:stop:step (as eoc --gains)
if ":" in sys.argv[4]:
    a, b, h = (float(x) for x in sys.argv[4].split(":"))
    GAINS = [a + i * h for i in range(int(round((b - a) / h)) + 1)]
    G = len(GAINS)
else:
    G = int(sys.argv[4])
    GAINS = None


def haar(rng, n):
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def measure(Ws, bs, gain, x0, e, block=4):
    n = Ws[0].shape[0]
    x, dphi = x0, []
    for W, b in zip(Ws, bs):  # forward
        h = gain * (W @ x) + 0.05 * b
        x = np.tanh(h)
        dphi.append(1.0 - x * x)
    v, lognorms = dphi[-1] * e, []  # backprop gradient norms
    for l in range(len(Ws) - 1, -1, -1):
        if l < len(Ws) - 1:
            v = dphi[l] * (gain * (Ws[l + 1].T @ v))
        nv = np.linalg.norm(v)
        lognorms.append(np.log(nv))
        v = v / nv
    U, lnd, T = np.eye(n), np.zeros(n), np.eye(n)  # J = U diag(d) T
    for l0 in range(0, len(Ws), block):
        Gm = U
        for l in range(l0, min(l0 + block, len(Ws))):
            Gm = (gain * dphi[l])[:, None] * (Ws[l] @ Gm)
        key = np.log(np.linalg.norm(Gm, axis=0)) + lnd
        p = np.argsort(-key, kind="stable")
        Q, R = np.linalg.qr(Gm[:, p])
        dr = np.abs(np.diag(R))
        lndp = lnd[p]
        M = R / dr[:, None] * np.exp(lndp[None, :] - lndp[:, None])
        T = np.triu(M) @ T[p]
        lnd, U = np.log(dr) + lndp, Q
    c = lnd.max()
    s = np.linalg.svd(np.exp(lnd - c)[:, None] * T, compute_uv=False)
    lns = np.log(s) + c
    return np.log(np.mean(np.exp(2 * lns))), lognorms


gains = GAINS if GAINS is not None else [1.05] if G == 1 else list(0.8 + 0.6 * np.arange(G) / (G - 1))
t0 = time.perf_counter()
out = {}
if work in ("W1", "W2", "W3dense"):
    seeds = S if work != "W3dense" else 1
    gs = gains if work != "W3dense" else [1.05]
    lnm1 = np.zeros((seeds, len(gs)))
    for s in range(seeds):
        rng = np.random.default_rng(s)
        Ws = [haar(rng, N) for _ in range(L)]
        bs = rng.standard_normal((L, N))
        x0 = rng.standard_normal(N); x0 *= np.sqrt(N) / np.linalg.norm(x0)
        e = rng.standard_normal(N); e /= np.linalg.norm(e)
        for j, g in enumerate(gs):
            lnm1[s, j] = measure(Ws, bs, g, x0, e)[0]
    f = np.log(np.mean(np.exp(lnm1), axis=0))
    out["checksum"] = float(lnm1.sum())
    if work == "W2":
        k = int(np.argmax(f > 0))
        out["gain"] = float(gs[k - 1] + (gs[k] - gs[k - 1]) * (0 - f[k - 1]) / (f[k] - f[k - 1])) if k > 0 else None
out["seconds"] = time.perf_counter() - t0
out["maxRssMB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
