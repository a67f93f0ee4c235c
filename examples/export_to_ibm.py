"""Export a Trotter circuit to QPY, OpenQASM 3 and an ISA circuit for a heavy-hex IBM backend.

Story: the 2nd-order Trotter circuit of a Heisenberg chain (``circuits.trotter``, gate for
gate the product formula of ``mps.evolve``) is written as QPY (exact, read back and
compared) and OpenQASM 3, then transpiled offline for ``fake_sherbrooke``, a 127-qubit
heavy-hex Eagle device: the chain is placed on a line of the coupling map with the lowest
reported errors, so no SWAP is needed.  A noiseless check re-simulates the ISA circuit
(ECR, RZ, SX, X gates on the chosen physical qubits) as a state vector and compares it with
the logical circuit and with the TEBD state (``cutoff=0``).

Run ``python examples/export_to_ibm.py [--quick] [--out DIR]``.  Full mode: n = 12, t = 1,
4 steps; ``--quick``: n = 6, 1 step.  Writes ``circuit.qpy``, ``circuit.qasm``,
``circuit_isa.qpy``, ``layout.png`` and ``summary.json`` to DIR (default
``runs/export_to_ibm``; files in it are replaced).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from qiskit import QuantumCircuit, qpy
from qiskit.quantum_info import Statevector

from circuits.export import to_qpy, two_qubit_depth, write_qasm3
from circuits.isa import get_backend, to_isa
from circuits.trotter import trotter_circuit
from mps import MPS, evolve, heisenberg


def permute_qubits(vec: np.ndarray, perm: list[int]) -> np.ndarray:
    """The little-endian state whose qubit ``i`` is qubit ``perm[i]`` of ``vec``."""
    m = len(perm)
    tensor = vec.reshape([2] * m)  # axis j holds qubit m - 1 - j
    return tensor.transpose([m - 1 - perm[m - 1 - j] for j in range(m)]).reshape(-1)


def isa_state(isa, layout: list[int], final_layout: list[int]) -> np.ndarray:
    """State vector of the ISA circuit restricted to its qubits, in logical qubit order."""
    qubits = sorted(set(layout) | set(final_layout))
    index = {p: k for k, p in enumerate(qubits)}
    small = QuantumCircuit(len(qubits), global_phase=isa.circuit.global_phase)
    for inst in isa.circuit.data:
        if inst.operation.name in ("barrier", "delay", "measure"):
            continue
        phys = [isa.circuit.find_bit(q).index for q in inst.qubits]
        if not set(phys) <= set(index):
            raise RuntimeError(f"{inst.operation.name} acts outside the layout: {phys}")
        small.append(inst.operation, [index[p] for p in phys])
    vec = Statevector(small).data
    return permute_qubits(vec, [index[p] for p in final_layout])


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small, fast version (seconds)")
    ap.add_argument("--out", type=Path, default=Path("runs/export_to_ibm"), help="output folder")
    ap.add_argument("--backend", default="fake_sherbrooke", help="a qiskit fake backend name")
    args = ap.parse_args(argv)
    n, t, steps = (6, 0.5, 1) if args.quick else (12, 1.0, 4)
    args.out.mkdir(parents=True, exist_ok=True)

    chain = heisenberg(n, j=0.25)
    circuit = trotter_circuit(chain, t, steps, order=2)  # from the Néel state "0101..."
    print(f"Trotter circuit: {n} qubits, {steps} steps, CX depth {two_qubit_depth(circuit)}, "
          f"{circuit.count_ops().get('cx', 0)} CX")

    to_qpy(circuit, args.out / "circuit.qpy", overwrite=True)
    with open(args.out / "circuit.qpy", "rb") as fh:
        (back,) = qpy.load(fh)
    qpy_exact = back == circuit
    write_qasm3(circuit, args.out / "circuit.qasm", overwrite=True)
    qasm = (args.out / "circuit.qasm").read_text()
    try:  # the OpenQASM 3 importer is optional (the test extra has it)
        import qiskit_qasm3_import

        parsed = Statevector(qiskit_qasm3_import.parse(qasm)).data
        f_qasm = abs(np.vdot(Statevector(circuit).data, parsed)) ** 2
        qasm_check = f"read back: |<circuit|parsed>|^2 = {f_qasm:.12f}"
    except ImportError:
        qasm_check = "not read back (pip install qiskit-qasm3-import)"
    print(f"QPY round trip identical: {qpy_exact}; OpenQASM 3: {len(qasm.splitlines())} lines, "
          f"{qasm_check}")

    backend = get_backend(args.backend)
    isa = to_isa(circuit, backend, optimization_level=3, seed=0)
    to_qpy(isa.circuit, args.out / "circuit_isa.qpy", overwrite=True)
    print(f"ISA for {isa.backend_name} ({backend.num_qubits} qubits): physical qubits "
          f"{isa.layout}, gates {isa.gate_counts}, two-qubit depth {isa.two_qubit_depth}, "
          f"SWAP-free: {isa.layout == isa.final_layout}")

    logical = Statevector(circuit).data
    physical = isa_state(isa, isa.layout, isa.final_layout)
    tebd = evolve(chain, MPS.neel(n), t=t, dt=t / steps, order=2, cutoff=0.0).state.to_dense()
    f_isa = abs(np.vdot(logical, physical)) ** 2
    f_tebd = abs(np.vdot(tebd, logical)) ** 2
    print(f"noiseless check: |<logical|ISA>|^2 = {f_isa:.12f}, |<TEBD|circuit>|^2 = "
          f"{f_tebd:.12f}")

    fig, ax = plt.subplots(figsize=(5, 3.2))
    names = sorted(isa.gate_counts)
    ax.bar(names, [isa.gate_counts[k] for k in names])
    ax.set(ylabel="count", title=f"ISA gates on {isa.backend_name}, n = {n}")
    fig.tight_layout()
    fig.savefig(args.out / "layout.png", dpi=90)
    plt.close("all")
    summary = {"n": n, "t": t, "steps": steps, "backend": isa.backend_name,
               "logical_two_qubit_depth": two_qubit_depth(circuit),
               "isa_two_qubit_depth": isa.two_qubit_depth, "isa_gate_counts": isa.gate_counts,
               "layout": isa.layout, "swap_free": isa.layout == isa.final_layout,
               "qpy_round_trip_identical": bool(qpy_exact),
               "fidelity_isa_vs_logical": float(f_isa), "fidelity_circuit_vs_tebd": float(f_tebd)}
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(f"wrote {args.out}/")
    return summary


if __name__ == "__main__":
    main()
