"""Export of cultivation circuits: ``.stim``, detector error models, OpenQASM 3, qiskit, plots.

* :func:`write_stim`, :func:`write_dem` - stim's text formats, written atomically (temp
  file + rename) and never over an existing file unless ``force``.
* :func:`to_qasm3` - OpenQASM 3 of the noiseless circuit that ``qiskit.qasm3.loads`` reads
  (stim's own converter writes subroutines, ``qreg``/``creg`` and an undefined ``hyz``
  gate, which importers refuse), detectors and observables as comment lines; the T gates
  appear as their ``s`` / ``sdg`` proxies; use :func:`to_qiskit` and
  ``qiskit.qasm3.dumps`` for the version with real T gates.
* :func:`to_qiskit` - a ``QuantumCircuit`` (one clbit per measurement result, qubit ``q`` of
  the stim circuit = qiskit qubit ``q``).  With ``t_gates=True`` the ``S[T]`` /
  ``S_DAG[T_DAG]`` proxies become ``t`` / ``tdg`` and the ideal readout of ``Y`` on the data
  becomes a readout of ``H_XY = T X T^dagger``.  ``MPP`` products are measured in place
  (basis change, CNOT parity onto the first qubit, measure, undo), as stim's converter does.
* :func:`plot_error_vs_discard` - logical error per kept shot vs discard rate.

Example
-------
>>> from circuits.cultivation import cultivation_circuit
>>> from circuits.cultivation.export import to_qasm3, to_qiskit
>>> to_qasm3(cultivation_circuit(3)).splitlines()[0]
'OPENQASM 3.0;'
>>> to_qiskit(cultivation_circuit(3), t_gates=True).num_qubits
15
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import stim

from circuits.cultivation.sampling import CultivationStats
from circuits.cultivation.verify import mpp_products
from mps.atomic import atomic_write_text

__all__ = ["plot_error_vs_discard", "to_qasm3", "to_qiskit", "write_dem", "write_stim"]


def _check(circuit: object) -> stim.Circuit:
    if not isinstance(circuit, stim.Circuit):
        raise TypeError(f"circuit must be a stim.Circuit, got {type(circuit).__name__}")
    return circuit


def write_stim(path: str | os.PathLike, circuit: stim.Circuit, *, force: bool = False) -> Path:
    """Write ``circuit`` in stim's text format."""
    return atomic_write_text(path, str(_check(circuit)) + "\n", overwrite=force)


def write_dem(path: str | os.PathLike, circuit: stim.Circuit, *, force: bool = False) -> Path:
    """Write the detector error model of a noisy ``circuit``."""
    dem = _check(circuit).detector_error_model()
    return atomic_write_text(path, str(dem) + "\n", overwrite=force)


def to_qasm3(circuit: stim.Circuit) -> str:
    """OpenQASM 3 text of the noiseless circuit (T as its ``s``/``sdg`` proxies).

    The gates come from :func:`to_qiskit` (``t_gates=False``) and ``qiskit.qasm3.dumps``,
    so the text loads with ``qiskit.qasm3.loads`` (OpenQASM 3 ``qubit``/``bit`` declarations,
    ``stdgates.inc`` gates only, no subroutines); measurement result ``k`` of stim is bit
    ``c[k]``.  The detectors and observables follow as comments, one parity of ``c`` bits
    a line (``// dets[i] = c[a] ^ c[b]``, ``// obs[0] = ...``), since OpenQASM importers do
    not take classical assignments.
    """
    import qiskit.qasm3

    circuit = _check(circuit).without_noise()
    text = qiskit.qasm3.dumps(to_qiskit(circuit, t_gates=False))
    lines = [text.rstrip("\n"), "// detectors and observables: parities of measurement bits c[k]"]
    measured = 0
    observables: dict[int, list[int]] = {}
    det = 0
    for ins in circuit.flattened():
        if ins.name == "DETECTOR":
            recs = sorted(measured + t.value for t in ins.targets_copy())
            lines.append(f"// dets[{det}] = " + (" ^ ".join(f"c[{r}]" for r in recs) or "0"))
            det += 1
        elif ins.name == "OBSERVABLE_INCLUDE":
            k = int(ins.gate_args_copy()[0])
            observables.setdefault(k, []).extend(measured + t.value for t in ins.targets_copy())
        else:
            measured += ins.num_measurements
    for k, recs in sorted(observables.items()):
        recs = sorted(r for r in set(recs) if recs.count(r) % 2)
        lines.append(f"// obs[{k}] = " + (" ^ ".join(f"c[{r}]" for r in recs) or "0"))
    return "\n".join(lines) + "\n"


def to_qiskit(circuit: stim.Circuit, *, t_gates: bool = True):
    """Convert a (noiseless part of a) cultivation circuit to a qiskit ``QuantumCircuit``.

    Parameters
    ----------
    circuit
        The circuit; noise channels, detectors and observables are dropped.
    t_gates
        Write real ``t`` / ``tdg`` for the tagged proxies (see the module docstring).

    Returns
    -------
    qiskit.QuantumCircuit
        ``num_qubits`` qubits, one clbit per measurement result in stim's order.
    """
    from qiskit import QuantumCircuit

    circuit = _check(circuit).without_noise()
    qc = QuantumCircuit(circuit.num_qubits, circuit.num_measurements)
    m = 0

    def measure_x(q: int) -> None:
        nonlocal m
        qc.h(q)
        qc.measure(q, m)
        qc.h(q)
        m += 1

    for ins in circuit.flattened():
        name, tag = ins.name, ins.tag
        qs = [t.value for t in ins.targets_copy() if t.is_qubit_target]
        if name in ("TICK", "QUBIT_COORDS", "DETECTOR", "OBSERVABLE_INCLUDE", "SHIFT_COORDS"):
            if name == "TICK":
                qc.barrier()
            continue
        if name == "S":
            for q in qs:
                qc.t(q) if (t_gates and tag == "T") else qc.s(q)
        elif name == "S_DAG":
            for q in qs:
                qc.tdg(q) if (t_gates and tag == "T_DAG") else qc.sdg(q)
        elif name in ("H", "X", "Y", "Z"):
            for q in qs:
                getattr(qc, name.lower())(q)
        elif name == "CX":
            for c, t in zip(qs[::2], qs[1::2], strict=True):
                qc.cx(c, t)
        elif name in ("R", "RZ"):
            for q in qs:
                qc.reset(q)
        elif name == "RX":
            for q in qs:
                qc.reset(q)
                qc.h(q)
        elif name in ("M", "MZ"):
            for q in qs:
                qc.measure(q, m)
                m += 1
        elif name == "MX":
            for q in qs:
                measure_x(q)
        elif name == "MPP":
            for prod in mpp_products(ins):
                _measure_product(qc, prod, m, t_gates and tag == "ideal")
                m += 1
        else:
            raise ValueError(f"to_qiskit does not support {name}")
    return qc


def _measure_product(qc, prod: Sequence[tuple[str, int]], clbit: int, hxy: bool) -> None:
    """Measure a Pauli product in place; with ``hxy`` a ``Y`` means ``H_XY``."""
    def into(p: str, q: int) -> None:
        if p == "X":
            qc.h(q)
        elif p == "Y":
            if hxy:  # H_XY = T X T^dagger: undo T, then X basis
                qc.tdg(q)
                qc.h(q)
            else:
                qc.sdg(q)
                qc.h(q)

    def back(p: str, q: int) -> None:
        if p == "X":
            qc.h(q)
        elif p == "Y":
            qc.h(q)
            qc.t(q) if hxy else qc.s(q)

    for p, q in prod:
        into(p, q)
    first = prod[0][1]
    for _, q in prod[1:]:
        qc.cx(q, first)
    qc.measure(first, clbit)
    for _, q in reversed(prod[1:]):
        qc.cx(q, first)
    for p, q in prod:
        back(p, q)


def plot_error_vs_discard(series: Sequence[tuple[str, CultivationStats]],
                          path: str | os.PathLike, *, force: bool = False,
                          title: str = "Cultivation: logical error vs discard rate") -> Path:
    """Plot logical error per kept shot against discard rate (PNG, atomic).

    Each ``(label, stats)`` is a point with its 95% interval; stats with a gap histogram
    become a curve over gap thresholds.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    if path.exists() and not force:
        raise FileExistsError(f"{path} exists; pass force=True to overwrite it")
    fig, ax = plt.subplots(figsize=(6, 4.2))
    for label, st in series:
        if st.gap_histogram:
            gaps = sorted(st.gap_histogram)
            pts = [st.with_gap_threshold(g) for g in gaps]
            pts = [p for p in pts if p.kept]
            ax.plot([p.discard_rate for p in pts],
                    [max(p.logical_error_rate, 1e-14) for p in pts], marker=".", label=label)
        else:
            low, high = st.confidence_interval()
            rate = st.logical_error_rate
            shown = rate if st.errors else high
            ax.errorbar([st.discard_rate], [shown],
                        yerr=[[max(shown - low, 0)], [max(high - shown, 0)]],
                        marker="o" if st.errors else "v", capsize=3, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("discard rate")
    ax.set_ylabel("logical error per kept shot")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp, dpi=120)
    plt.close(fig)
    os.replace(tmp, path)
    return path

