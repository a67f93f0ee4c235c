"""Compile a state that no circuit made: the DMRG ground state of a Heisenberg chain.

Story: AQC needs no Hamiltonian evolution.  The target here is the ground state of the
open chain ``H = J Σ S_i·S_{i+1}`` (J = 1, ``heisenberg(n, 0.25)`` in Pauli units) found by
two-site DMRG (quimb ``DMRG2`` through ``mps.ground.ground_state``, the machinery of
``tnqc ground``).  The chain is critical, so its half-chain entanglement grows like
``log n`` and a shallow circuit cannot be exact.  With no Trotter circuit to start from,
``aqc.compile(..., init="grow")`` starts one brickwork layer from the best product state,
then adds one layer at a time near the identity and re-optimises all parameters: one
compile gives the fidelity at every depth ``L = 1..L_max`` (CX depth ``3 L``).  The same
target is encoded by the sequential baseline (``aqc.sequential_circuit``: Ran's staircase
layers, and Rudolph et al.'s variant with all gates optimised), whose CX depth
``3 (n + 2 D - 3)`` grows with ``n``.  The best circuits are re-simulated by qiskit's
``Statevector`` (an independent simulator) against the dense target.

Run ``python examples/aqc_any_state.py [--quick] [--out DIR]``.  Full mode: n = 20,
χ <= 32, L = 1..6 with 150 L-BFGS-B iterations per layer, sequential D = 1..6 (optimised
D = 1..3); about 6 minutes of CPU on 2 cores.  ``--quick``: n = 6, L = 1..2, Ran's
D = 1..2 (no optimised variant), seconds.
Writes ``fidelity_vs_depth.png``, ``convergence.png``, ``circuit.qpy`` and ``summary.json``
to DIR (default ``runs/aqc_any_state``; files in it are replaced).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np


def staircase_cx_depth(n: int, layers: int) -> int:
    """CX depth of ``layers`` pipelined staircases on ``n >= 3`` qubits (aqc.sequential)."""
    return 3 * (n + 2 * layers - 3)


def statevector_fidelity(circuit, target) -> float:
    """|<target|V|0>|² with V applied by qiskit's Statevector (little-endian, qubit i = site i)."""
    from qiskit.quantum_info import Statevector

    psi = Statevector(circuit).data
    return float(abs(np.vdot(target.to_dense(), psi)) ** 2)


def plot_fidelity_vs_depth(grow: list[dict], ran: list[dict], opt: list[dict], n: int,
                           path: Path) -> None:
    """1 - F against CX depth for AQC (grow, one point per L) and both sequential baselines."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.4, 3.6))
    for rows, style, label in ((grow, "o-", "AQC brickwork, init='grow' (L = 1, 2, ...)"),
                               (ran, "s--", "sequential, Ran's layers (D = 1, 2, ...)"),
                               (opt, "^:", "sequential, all gates optimised")):
        if rows:
            ax.semilogy([r["two_qubit_depth"] for r in rows],
                        [max(1 - r["fidelity"], 1e-16) for r in rows], style, label=label)
    ax.set(xlabel="CX depth", ylabel="1 - fidelity with the ground state",
           title=f"Heisenberg ground state (DMRG), n = {n}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def plot_convergence(history: np.ndarray, stages: list[dict], path: Path) -> None:
    """The grow compile's fidelity per iteration, a dotted line where each layer was added."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.4, 3.4))
    ax.semilogy(np.maximum(1 - np.asarray(history), 1e-16))
    edge = 0
    for s in stages[:-1]:
        edge += s["n_iter"]
        ax.axvline(edge, color="grey", lw=0.6, ls=":")
    ax.set(xlabel="L-BFGS-B iteration (all layers)", ylabel="1 - F",
           title="init='grow': one more layer at each dotted line")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small, fast version (seconds)")
    ap.add_argument("--out", type=Path, default=Path("runs/aqc_any_state"), help="output folder")
    args = ap.parse_args(argv)
    if args.quick:
        n, chi, layers, maxiter, d_ran, d_opt = 6, 16, 2, 20, 2, 0
    else:
        n, chi, layers, maxiter, d_ran, d_opt = 20, 32, 6, 150, 6, 3
    args.out.mkdir(parents=True, exist_ok=True)

    import aqc
    from circuits.export import to_qpy
    from mps import heisenberg
    from mps.ground import ground_state

    chain = heisenberg(n, 0.25)  # J S.S with J = 1, Pauli units
    gs = ground_state(chain, max_bond=chi, seed=0)
    target = gs.state
    print(f"DMRG ground state, n = {n}: E = {gs.energy:.10f} (re-evaluated from the MPS: "
          f"{gs.energy_check:.10f}), chi = {target.max_bond()}, S(n/2) = "
          f"{gs.entropy[n // 2 - 1]:.4f} nats, {gs.sweeps} sweeps, {gs.seconds:.1f} s")
    exact_energy = None
    if n <= 12:  # the same energy by exact diagonalisation
        exact_energy = float(np.linalg.eigvalsh(chain.to_sparse().toarray())[0])
        print(f"exact diagonalisation: E0 = {exact_energy:.10f}")

    res = aqc.compile(target, aqc.BrickworkAnsatz(n, layers=layers), init="grow",
                      maxiter=maxiter, seed=0)
    grow = [{"layers": s["layers"], "two_qubit_depth": 3 * s["layers"],
             "fidelity": float(s["fidelity"]), "n_iter": int(s["n_iter"])}
            for s in res.stages]
    for row in grow:
        print(f"AQC grow, L = {row['layers']}: F = {row['fidelity']:.5f} at CX depth "
              f"{row['two_qubit_depth']} ({row['n_iter']} iterations)")
    print(f"AQC total {res.timings['total']:.1f} s (setup and JIT {res.timings['setup']:.1f} s)")

    # one call gives every D: the fidelity after each layer is the residual's |<0...0|> amplitude
    s = aqc.sequential_circuit(target, layers=d_ran)
    ran = [{"layers": d + 1, "two_qubit_depth": staircase_cx_depth(n, d + 1),
            "fidelity": float(f)} for d, f in enumerate(s.fidelity_per_layer)]
    assert ran[-1]["two_qubit_depth"] == s.two_qubit_depth
    for row in ran:
        print(f"sequential (Ran), D = {row['layers']}: F = {row['fidelity']:.5f} at CX depth "
              f"{row['two_qubit_depth']}")
    print(f"  (D = {d_ran} by the exact contraction of the circuit: F = {s.fidelity:.10f})")
    opt, seq_best = [], s
    if d_opt:
        seq_best = aqc.sequential_circuit(target, layers=d_opt, optimize=True, maxiter=maxiter)
        opt = [{"layers": d + 1, "two_qubit_depth": staircase_cx_depth(n, d + 1),
                "fidelity": float(f)} for d, f in enumerate(seq_best.fidelity_per_layer)]
    for row in opt:
        print(f"sequential (optimised), D = {row['layers']}: F = {row['fidelity']:.5f} at CX "
              f"depth {row['two_qubit_depth']}")

    kind = "optimised" if d_opt else "Ran"
    checks = {"aqc": statevector_fidelity(res.circuit, target),
              f"sequential_{kind.lower()}": statevector_fidelity(seq_best.circuit, target)}
    print(f"Statevector re-simulation: AQC L = {layers} F = {checks['aqc']:.10f} (optimiser "
          f"{res.fidelity:.10f}); sequential ({kind}) D = {seq_best.ansatz.layers} F = "
          f"{checks[f'sequential_{kind.lower()}']:.10f} (reported {seq_best.fidelity:.10f})")
    seq_rows = [("Ran", r) for r in ran] + [("optimised", r) for r in opt]
    for row in grow:  # the shallowest sequential circuit that is at least as good
        better = [(r["two_qubit_depth"], kind, r["layers"]) for kind, r in seq_rows
                  if r["fidelity"] >= row["fidelity"]]
        match = min(better) if better else None
        row["sequential_depth_at_same_fidelity"] = None if match is None else match[0]
        found = ("no sequential circuit here is as good" if match is None else
                 f"the sequential circuits need CX depth {match[0]} ({match[1]}, D = {match[2]})")
        print(f"AQC L = {row['layers']} (CX depth {row['two_qubit_depth']}, F = "
              f"{row['fidelity']:.5f}): {found}")

    to_qpy(res.circuit, args.out / "circuit.qpy", overwrite=True)
    plot_fidelity_vs_depth(grow, ran, opt, n, args.out / "fidelity_vs_depth.png")
    plot_convergence(res.history, res.stages, args.out / "convergence.png")
    summary = {"n": n, "model": "heisenberg j=0.25 (J S.S, J = 1)", "max_bond": chi,
               "maxiter_per_layer": maxiter, "energy": gs.energy,
               "energy_check": gs.energy_check, "exact_energy": exact_energy,
               "half_chain_entropy": float(gs.entropy[n // 2 - 1]),
               "chi": target.max_bond(), "grow": grow, "sequential_ran": ran,
               "sequential_optimised": opt, "statevector_check": checks,
               "aqc_fidelity": res.fidelity, "aqc_timings": res.timings,
               "versions": res.versions}
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
    print(f"wrote {args.out}/")
    return summary


if __name__ == "__main__":
    main()
