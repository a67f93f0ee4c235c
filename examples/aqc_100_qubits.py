"""Compile the t = 1 state of a 100-qubit Heisenberg chain into a 4-layer circuit, vs Trotter.

Story: the Néel state evolved under ``H = J Σ S_i·S_{i+1}`` (J = 1) to t = 1 by TEBD is the
target MPS.  ``aqc.compile`` fits a brickwork circuit of 4 layers (CX depth 12) to it,
starting from the Trotter circuit that fits in those layers and optimising all parameters at
once (L-BFGS-B on the per-qubit log-infidelity, exact JAX contraction).  The result is
compared with 2nd-order Trotter circuits of 1..6 steps at equal CX depth, and the exported
qiskit circuit is re-simulated gate by gate in quimb (an independent simulator) to confirm
its fidelity.

Run ``python examples/aqc_100_qubits.py [--quick] [--out DIR]``.  Full mode: n = 100, t = 1,
4 layers, 300 iterations (about a minute on 2 cores); ``--quick``: n = 6, t = 0.5, 3
layers.  Writes ``fidelity_vs_depth.png``, ``convergence.png``, ``circuit.qpy`` and
``summary.json`` to DIR (default ``runs/aqc_100_qubits``; files in it are replaced).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import aqc
from circuits.export import to_qpy
from circuits.jobs import trotter_baseline
from mps import MPS, evolve, heisenberg


def quimb_fidelity(circuit, target: MPS) -> float:
    """|<target|V|0>|² with V simulated gate by gate in quimb's CircuitMPS (qubit i = site i)."""
    import quimb.tensor as qtn
    from qiskit.quantum_info import Operator

    sim = qtn.CircuitMPS(circuit.num_qubits, max_bond=256, cutoff=1e-12)
    for inst in circuit.data:
        qubits = [circuit.find_bit(q).index for q in inst.qubits]
        # qiskit matrices list their first qubit least significant, quimb most significant
        sim.apply_gate_raw(Operator(inst.operation).data, tuple(reversed(qubits)),
                           contract="swap+split")
    return abs(target.to_quimb().H @ sim.psi) ** 2


def plot_infidelity_vs_depth(baseline: list[dict], depth: int, fidelity: float, layers: int,
                             n: int, t: float, path: Path) -> None:
    """1 - F against CX depth: the Trotter circuits' curve and the AQC circuit's point."""
    fig, ax = plt.subplots(figsize=(5, 3.4))
    ax.semilogy([r["two_qubit_depth"] for r in baseline],
                [1 - r["fidelity"] for r in baseline], "o-",
                label=f"2nd-order Trotter, k = 1..{len(baseline)}")
    ax.semilogy([depth], [1 - fidelity], "*", ms=14, label=f"AQC, {layers} layers")
    ax.set(xlabel="CX depth", ylabel="1 - fidelity with the target",
           title=f"Heisenberg chain, n = {n}, t = {t}")
    ax.legend(loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small, fast version (seconds)")
    ap.add_argument("--out", type=Path, default=Path("runs/aqc_100_qubits"), help="output folder")
    args = ap.parse_args(argv)
    n, t, layers, maxiter, steps = (6, 0.5, 3, 20, 2) if args.quick else (100, 1.0, 4, 300, 6)
    args.out.mkdir(parents=True, exist_ok=True)

    chain = heisenberg(n, j=0.25)  # J S.S with J = 1, Pauli units
    psi0 = MPS.neel(n)
    tebd = evolve(chain, psi0, t=t, dt=0.025, order=4, max_bond=128, cutoff=1e-12)
    target = tebd.state
    print(f"target: n = {n}, t = {t}, chi = {target.max_bond()}, "
          f"discarded weight {tebd.truncation_error:.1e} ({tebd.wall_time:.1f} s)")

    res = aqc.compile(target, aqc.BrickworkAnsatz(n, layers=layers), maxiter=maxiter, seed=0)
    check = quimb_fidelity(res.circuit, target)
    print(f"AQC, {layers} layers: F = {res.fidelity:.5f} (start {res.init_fidelity:.5f}) at CX "
          f"depth {res.two_qubit_depth}, {res.cx_count} CX, {res.n_iter} iterations, "
          f"{res.timings['total']:.1f} s; quimb re-simulation F = {check:.5f}")

    baseline = trotter_baseline(chain, psi0, target, t, steps)
    for row in baseline:
        print(f"Trotter k = {row['steps']}: F = {row['fidelity']:.5f} at CX depth "
              f"{row['two_qubit_depth']}")
    at_depth = [r for r in baseline if r["two_qubit_depth"] <= res.two_qubit_depth]
    best = max((r["fidelity"] for r in at_depth), default=float("nan"))
    print(f"best Trotter circuit within CX depth {res.two_qubit_depth}: F = {best:.5f}")

    to_qpy(res.circuit, args.out / "circuit.qpy", overwrite=True)
    plot_infidelity_vs_depth(baseline, res.two_qubit_depth, res.fidelity, layers, n, t,
                             args.out / "fidelity_vs_depth.png")
    fig, ax = plt.subplots(figsize=(5, 3.4))
    ax.semilogy(1 - res.history)
    ax.set(xlabel="L-BFGS-B iteration", ylabel="1 - F", title="convergence")
    fig.tight_layout()
    fig.savefig(args.out / "convergence.png", dpi=90)
    plt.close("all")
    summary = {"n": n, "t": t, "layers": layers, "maxiter": maxiter, **res.summary(),
               "quimb_fidelity": check, "trotter": baseline, "best_trotter_within_depth": best}
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
    print(f"wrote {args.out}/")
    return summary


if __name__ == "__main__":
    main()
