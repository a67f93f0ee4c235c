"""Compile one time step of a Heisenberg chain into a short circuit, then repeat it.

Run: ``python examples/aqc_unitary.py [--quick] [--n N] [--out DIR]``.  The story:

1. build the evolution operator ``U(tau) = exp(-i H tau)`` of ``H = J S.S`` (J = 1,
   i.e. ``heisenberg(n, 0.25)`` in Pauli units) as a matrix product operator, by TEBD
   on the vectorised operator;
2. compile it into a 4-layer brickwork block ``V`` (CX depth 12) by maximising
   ``|Tr(U^dagger V)|^2 / 4^n`` over all gates at once, from the Trotter circuit;
3. repeat the block: ``V^m`` applied to the Néel state tracks the exact evolution
   to ``t = m tau``, next to the second-order Trotter circuit of the same CX depth;
4. check the block against the dense matrices (small ``n`` only).

``--quick`` (n = 6, a few seconds after JIT) is run by the test suite; the default
is n = 20 (about a minute on 2 cores).  Writes ``state_fidelity.png`` (state infidelity
against time, repeated block vs Trotter), ``fidelity.png`` (optimisation history) and
``summary.json`` to DIR (default ``runs/aqc_unitary``; files in it are replaced).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="n = 6, 20 iterations")
    p.add_argument("--n", type=int, default=20)
    p.add_argument("--out", type=Path, default=Path("runs/aqc_unitary"), help="output folder")
    args = p.parse_args(argv)
    n, maxiter, m = (6, 20, 3) if args.quick else (args.n, 200, 8)
    args.out.mkdir(parents=True, exist_ok=True)

    from aqc import BrickworkAnsatz
    from aqc.unitary import compile_unitary, evolve_circuit, repeat
    from mps import heisenberg

    chain = heisenberg(n, 0.25)  # J S.S with J = 1
    tau = 0.25
    res = compile_unitary(chain, tau, BrickworkAnsatz(n, 4), maxiter=maxiter)
    print(f"U(tau={tau}) on n={n}: MPO bond dimension {res.target.max_bond()}")
    print(f"block: F = {res.fidelity:.10f} (Trotter start {res.init_fidelity:.10f}), "
          f"CX depth {res.two_qubit_depth}, {res.cx_count} CX, {res.timings['total']:.1f} s")

    ev = evolve_circuit(res, m, "neel")
    print(f"V^k |Neel>, k = 1..{m}:   t   CX depth   1-F (AQC)   1-F (Trotter, same depth)")
    for row in ev.rows():
        tro = row["trotter_fidelity"]
        print(f"{row['time']:>28.2f} {row['two_qubit_depth']:>9d}   {1 - row['fidelity']:.2e}"
              f"   {'-' if tro is None else f'{1 - tro:.2e}'}")
    out = {"block_fidelity": res.fidelity, "final_fidelity": float(ev.fidelity[-1])}

    if n <= 8:  # the same numbers from dense matrices
        import scipy.linalg as sla
        from qiskit.quantum_info import Operator

        u = sla.expm(-1j * tau * chain.to_sparse().toarray())
        v = Operator(res.circuit).data
        dense = abs(np.trace(u.conj().T @ v)) ** 2 / 4**n
        vm = Operator(repeat(res, m)).data
        print(f"dense check: |Tr(U^dag V)|^2/4^n = {dense:.12f} (reported {res.fidelity:.12f}); "
              f"||V^{m} - V*...*V|| = {np.abs(vm - np.linalg.matrix_power(v, m)).max():.1e}")
        out["dense_fidelity"] = float(dense)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.2))
    ax.semilogy(ev.times, np.maximum(1 - ev.fidelity, 1e-16), "o-", label="repeated AQC block")
    tro = np.asarray(ev.trotter_fidelity, dtype=float)
    ok = np.isfinite(tro)
    if ok.any():
        ax.semilogy(np.asarray(ev.times)[ok], np.maximum(1 - tro[ok], 1e-16), "s--",
                    label="Trotter, same CX depth")
    ax.set(xlabel="time t (1/J)", ylabel="state infidelity 1 - F",
           title=f"V^k |Neel>, n = {n}, tau = {tau}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.out / "state_fidelity.png", dpi=90)
    fig, ax = plt.subplots(figsize=(5, 3.2))
    ax.semilogy(np.maximum(1 - np.asarray(res.history), 1e-16))
    ax.set(xlabel="L-BFGS-B iteration", ylabel="1 - F (block)", title="compiling U(tau)")
    fig.tight_layout()
    fig.savefig(args.out / "fidelity.png", dpi=90)
    plt.close("all")
    summary = {"n": n, "tau": tau, "repeat": m, "maxiter": maxiter,
               "cx_depth": int(res.two_qubit_depth), "cx_count": int(res.cx_count),
               "init_fidelity": float(res.init_fidelity), **out,
               "state_fidelity": [float(f) for f in ev.fidelity]}
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(f"wrote {args.out}/")
    return out


if __name__ == "__main__":
    main()
