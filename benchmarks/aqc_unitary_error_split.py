"""Why a repeated compiled block loses to Trotter at long times: its error commuting with H.

Dense, small ``n`` (default 8), Heisenberg ``J S.S`` (J = 1), ``tau = 0.5``, a transpose-symmetric
block of ``L = 4`` layers (:class:`aqc.unitary_frame.SymmetricAnsatz`), against second-order
Trotter of the same depth (the block's Trotter start, ``L / 2`` steps).  For each block
``V = exp(-i tau H_V)`` (phase fixed by ``Tr(U^dagger V) > 0``; ``H_V`` from ``scipy.linalg.logm``)
the error ``delta = H_V - H`` is split into its part commuting with ``H`` (``delta_diag``: the
blocks of equal energy in H's eigenbasis), which adds up as ``k^2`` in ``V^k``, and the rest,
which stays bounded.  Then the block is refitted to ``V^k ~ U(k tau)`` for ``k`` in
``{1, 2, 4}`` and ``{4}`` (dense, JAX gradients, L-BFGS-B) to see whether an objective that
weighs the accumulating part buys anything at this depth.

Writes ``benchmarks/results/aqc_unitary_error_split.json``.
Run: ``python benchmarks/aqc_unitary_error_split.py [--n 8] [--layers 4] [--maxiter 300]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jax
import jax.numpy as jnp
import numpy as np
import scipy.linalg
import scipy.optimize
from _provenance import cpu_model, package_versions

from aqc.unitary_frame import SymmetricAnsatz, block_gates, trotter_symmetric_params
from mps import MPS, heisenberg


def dense(gates, n: int, xp=jnp):
    """The operator of a gate stack (layer ``c`` on bonds ``i = c mod 2``, site ``i`` major)."""
    w = xp.eye(2**n, dtype=complex).reshape([2] * n + [2**n])  # axes: qubit n-1 ... 0
    for c in range(gates.shape[0]):
        for i in range(c % 2, n - 1, 2):
            a, b = n - 1 - i, n - 2 - i
            w = xp.moveaxis(w, [a, b], [0, 1])
            w = xp.tensordot(gates[c, i + 1].reshape(2, 2, 2, 2), w, axes=([2, 3], [0, 1]))
            w = xp.moveaxis(w, [0, 1], [a, b])
    return w.reshape(2**n, 2**n)


def split(w: np.ndarray, h: np.ndarray, tau: float, psi: np.ndarray) -> dict:
    e, p = np.linalg.eigh(h)
    u = scipy.linalg.expm(-1j * tau * h)
    ph = np.trace(u.conj().T @ w)
    w = w * np.conj(ph) / abs(ph)
    hv = 1j * scipy.linalg.logm(w) / tau
    d = p.conj().T @ ((hv + hv.conj().T) / 2 - h) @ p
    dd = np.where(np.abs(e[:, None] - e[None, :]) < 1e-8, d, 0)
    c = p.conj().T @ psi

    def var(a):
        return float(np.vdot(c, a @ a @ c).real - abs(np.vdot(c, a @ c)) ** 2)

    rows = []
    for k in (1, 2, 4, 8):
        exact = p @ (np.exp(-1j * e * k * tau) * c)
        wk = np.linalg.matrix_power(w, k)
        uk = scipy.linalg.expm(-1j * k * tau * h)
        rows.append({"k": k, "state_infidelity": float(1 - abs(np.vdot(exact, wk @ psi)) ** 2),
                     "operator_infidelity": float(1 - abs(np.trace(uk.conj().T @ wk)) ** 2
                                                  / len(h) ** 2)})
    return {"block_infidelity": rows[0]["operator_infidelity"],
            "norm_delta": float(np.linalg.norm(d)),
            "norm_delta_commuting": float(np.linalg.norm(dd)),
            "var_neel_delta": var(d), "var_neel_delta_commuting": var(dd), "repeated": rows}


def fit(sa, h, tau, ks, x0, maxiter):
    n = sa.n
    us = {k: jnp.asarray(scipy.linalg.expm(-1j * k * tau * h)) for k in ks}

    def cost(x):
        w = dense(block_gates(sa, x, xp=jnp), n)
        powers, total = {1: w}, 0.0
        for k in range(2, max(ks) + 1):
            powers[k] = powers[k - 1] @ w
        for k in ks:
            total = total - jnp.log(jnp.abs(jnp.trace(us[k].conj().T @ powers[k])) ** 2 / 4**n) / n
        return total

    vg = jax.jit(jax.value_and_grad(cost))
    res = scipy.optimize.minimize(lambda x: [np.asarray(a) for a in vg(x)], x0, jac=True,
                                  method="L-BFGS-B", options={"maxiter": maxiter, "ftol": 0.0,
                                                              "gtol": 0.0, "maxcor": 30})
    return res.x, int(res.nit)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=8)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--tau", type=float, default=0.5)
    ap.add_argument("--maxiter", type=int, default=300)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results"
                    / "aqc_unitary_error_split.json")
    args = ap.parse_args()
    jax.config.update("jax_enable_x64", True)
    t0 = time.perf_counter()
    n, tau = args.n, args.tau
    chain = heisenberg(n, 0.25)
    h = chain.to_sparse().toarray()
    psi = MPS.neel(n).to_dense()
    sa = SymmetricAnsatz(n, args.layers)
    x0 = trotter_symmetric_params(sa, chain, tau)
    out = {"trotter": split(np.asarray(dense(block_gates(sa, x0), n, np)), h, tau, psi)}
    for ks in ([1], [1, 2, 4], [4]):
        x, nit = fit(sa, h, tau, ks, x0, args.maxiter)
        r = split(np.asarray(dense(block_gates(sa, x), n, np)), h, tau, psi)
        r["iterations"] = nit
        out["fit_k" + "_".join(map(str, ks))] = r
        print(ks, json.dumps(r["repeated"]), flush=True)
    data = {"benchmark": "aqc_unitary_error_split", "n": n, "tau": tau, "layers": args.layers,
            "model": "heisenberg J S.S, J = 1", "ansatz": "SymmetricAnsatz", "initial": "neel",
            "results": out, "wall_s": time.perf_counter() - t0, "command": " ".join(sys.argv),
            "machine": {"cpu": cpu_model()},
            "versions": package_versions(["numpy", "scipy", "jax"])}
    args.out.write_text(json.dumps(data, indent=2) + "\n")
    for name, r in out.items():
        print(f"{name}: 1-F {r['block_infidelity']:.2e}, |delta| {r['norm_delta']:.3f}, "
              f"|delta_commuting| {r['norm_delta_commuting']:.3f}, k=4 state "
              f"{r['repeated'][2]['state_infidelity']:.2e}")


if __name__ == "__main__":
    main()
