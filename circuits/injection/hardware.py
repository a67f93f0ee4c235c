"""qiskit circuits of the injection experiment: conversion, ISA for a backend, Aer simulation.

* :func:`to_qiskit` - a noiseless stim circuit of this package as a ``QuantumCircuit``
  (stim qubit ``k`` is qiskit qubit ``k``; clbit ``m`` is stim measurement ``m``), with the
  tagged proxies ``SQRT_Y[RY(t)]`` / ``S[RZ(p)]`` replaced by the real ``ry(t)`` / ``rz(p)``.
* :func:`isa_circuits` - the three tomography circuits transpiled for a ``BackendV2`` on
  the patch found by :func:`~circuits.injection.layout.embed` (no routing: every CNOT of
  the schedule is on a coupler; :func:`check_isa` verifies it).
* :func:`logical_expectations` - Aer state-vector run of the noiseless circuit with the
  real rotation, returning the logical Bloch vector and every stabiliser's value.
* :func:`postselect` / :func:`counts_to_bits` - the paper's post-selection on shots of
  the tomography circuits (e.g. from ``AerSimulator.from_backend(fake_fez)``, the
  backend's own noise model); :mod:`circuits.injection.tomography` turns them into
  fidelities.

qiskit counts strings are little-endian: clbit ``m`` is character ``-1 - m``.

Example
-------
>>> import stim
>>> from circuits.injection.hardware import counts_to_bits, postselect, to_qiskit
>>> qc = to_qiskit(stim.Circuit("H 0\\nCX 0 1\\nM 0 1"))
>>> qc.num_qubits, qc.num_clbits, dict(qc.count_ops())
(2, 2, {'measure': 2, 'h': 1, 'cx': 1})
>>> bits, mult = counts_to_bits({"01": 3, "11": 1}, 2)  # clbit 0 is the last character
>>> bits.tolist(), mult.tolist()
([[1, 0], [1, 1]], [3, 1])
>>> postselect(bits, stim.Circuit("M 0 1\\nDETECTOR rec[-1] rec[-2]"), "all").tolist()
[False, True]
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import stim

from .experiments import BOUNDARY, TomographyCircuit, logical_support
from .layout import Embedding

__all__ = [
    "check_isa",
    "counts_to_bits",
    "detector_records",
    "find_patch",
    "isa_circuits",
    "logical_expectations",
    "postselect",
    "to_qiskit",
]

_ANGLE = re.compile(r"^(RY|RZ)\((.+)\)$")
_SKIP = {"TICK", "QUBIT_COORDS", "DETECTOR", "OBSERVABLE_INCLUDE", "SHIFT_COORDS"}


def to_qiskit(circuit: stim.Circuit, *, restore: bool = True, barriers: bool = False):
    """A noiseless stim circuit of this package as a qiskit ``QuantumCircuit``.

    Parameters
    ----------
    circuit
        Noise, detectors, observables and ``ideal`` ``MPP`` s are dropped (the ``MPP`` s
        keep their clbits, left 0).
    restore
        Put the real ``ry`` / ``rz`` in place of tagged proxies.
    barriers
        Write a barrier at every ``TICK``.
    """
    from qiskit import QuantumCircuit

    if not isinstance(circuit, stim.Circuit):
        raise TypeError(f"circuit must be a stim.Circuit, got {type(circuit).__name__}")
    circuit = circuit.without_noise()
    qc = QuantumCircuit(circuit.num_qubits, circuit.num_measurements)
    m = 0
    for ins in circuit.flattened():
        name = ins.name
        qs = [t.value for t in ins.targets_copy() if t.is_qubit_target]
        if name in _SKIP:
            if name == "TICK" and barriers:
                qc.barrier()
            continue
        tag = _ANGLE.match(ins.tag) if restore else None
        if tag:
            angle = float(tag.group(2))
            for q in qs:
                (qc.ry if tag.group(1) == "RY" else qc.rz)(angle, q)
            continue
        if name == "MPP":
            m += stim.Circuit(str(ins)).num_measurements
            continue
        for q in (qs if name != "CX" else []):
            if name in ("R", "RZ"):
                qc.reset(q)
            elif name == "RX":
                qc.reset(q)
                qc.h(q)
            elif name in ("M", "MZ", "MR", "MX", "MY"):
                if name == "MX":
                    qc.h(q)
                elif name == "MY":
                    qc.sdg(q)
                    qc.h(q)
                qc.measure(q, m)
                m += 1
                if name == "MR":
                    qc.reset(q)
            elif name in ("H", "X", "Y", "Z", "S"):
                getattr(qc, name.lower())(q)
            elif name == "S_DAG":
                qc.sdg(q)
            elif name == "SQRT_Y":
                qc.ry(math.pi / 2, q)
            elif name == "SQRT_Y_DAG":
                qc.ry(-math.pi / 2, q)
            else:
                raise ValueError(f"to_qiskit does not support {name}")
        if name == "CX":
            for c, t in zip(qs[::2], qs[1::2], strict=True):
                qc.cx(c, t)
    return qc


def detector_records(circuit: stim.Circuit) -> list[tuple[tuple[int, ...], str]]:
    """``(absolute measurement indices, tag)`` of every detector, in order."""
    out = []
    count = 0
    for ins in circuit.flattened():
        if ins.name == "DETECTOR":
            out.append((tuple(count + t.value for t in ins.targets_copy()), ins.tag))
        elif stim.gate_data(ins.name).produces_measurements:
            count += stim.Circuit(str(ins)).num_measurements
    return out


def postselect(bits: np.ndarray, circuit: stim.Circuit, mode: str = "boundary") -> np.ndarray:
    """Boolean mask of the shots (rows of ``bits``, stim order) that fire no detector.

    ``mode="boundary"`` (the paper's) uses the detectors tagged ``boundary``; ``"all"``
    every detector.
    """
    if mode not in ("boundary", "all"):
        raise ValueError(f"postselect must be 'boundary' or 'all', got {mode!r}")
    keep = np.ones(bits.shape[0], dtype=bool)
    for recs, tag in detector_records(circuit):
        if mode == "all" or tag == BOUNDARY:
            keep &= (np.bitwise_xor.reduce(bits[:, list(recs)], axis=1) == 0)
    return keep


def counts_to_bits(counts: dict[str, int], num_clbits: int) -> tuple[np.ndarray, np.ndarray]:
    """qiskit counts as ``(unique bit rows in stim order, multiplicities)``."""
    keys = list(counts)
    bits = np.zeros((len(keys), num_clbits), dtype=np.uint8)
    for r, key in enumerate(keys):
        s = key.replace(" ", "")
        bits[r] = np.frombuffer(s[::-1].encode(), dtype=np.uint8)[:num_clbits] - ord("0")
    return bits, np.array([counts[k] for k in keys], dtype=np.int64)


# ------------------------------------------------------------------ ISA
def isa_circuits(circuits: Sequence[TomographyCircuit], backend: Any, embedding: Embedding, *,
                 seed: int = 0, optimization_level: int = 1) -> list:
    """Transpile the tomography circuits for ``backend`` on ``embedding`` (no routing)."""
    from circuits.isa import to_isa

    out = []
    for tc in circuits:
        qc = to_qiskit(tc.circuit)
        res = to_isa(qc, backend, layout=list(embedding.physical), seed=seed,
                     optimization_level=optimization_level)
        out.append(res.circuit)
    return out


def check_isa(isa: Any, backend: Any) -> dict[str, int]:
    """Raise ``ValueError`` unless every operation is in the backend's target on its qubits.

    Returns the operation counts.
    """
    target = backend.target
    coupled = {tuple(e) for e in backend.coupling_map.get_edges()}
    for inst in isa.data:
        name = inst.operation.name
        if name == "barrier":
            continue
        qargs = tuple(isa.find_bit(q).index for q in inst.qubits)
        if not target.instruction_supported(name, qargs):
            raise ValueError(f"{name} on {qargs} is not in {backend.name}'s target")
        if len(qargs) == 2 and qargs not in coupled and qargs[::-1] not in coupled:
            raise ValueError(f"two-qubit {name} on uncoupled {qargs}")
    return {str(k): int(v) for k, v in isa.count_ops().items()}


# ------------------------------------------------------------------ state vector
def logical_expectations(tc: TomographyCircuit, *, seed: int = 0,
                         method: str = "matrix_product_state", backend: Any = None,
                         embedding: Embedding | None = None) -> dict[str, Any]:
    """Aer run of the noiseless injection circuit with the real rotations restored.

    The circuit is cut before its final data read-out; one shot is drawn (mid-circuit
    results at random) and the returned dict holds ``bloch`` (``<X_L>, <Y_L>, <Z_L>`` of
    the injection's representatives), ``stabilizers`` (each check's expectation times its
    last recorded sign: all +1 for a code state) and ``detectors`` (parities, all 0).
    ``method`` is Aer's: ``"statevector"`` (25 qubits at d = 3: minutes) or the exact
    ``"matrix_product_state"`` (seconds).  With ``backend`` and ``embedding`` the ISA
    circuit (:func:`circuits.isa.to_isa` on the patch, checked by :func:`check_isa`) is
    simulated instead, the Paulis placed on the physical qubits.
    """
    from qiskit.quantum_info import Pauli
    from qiskit_aer import AerSimulator

    if not isinstance(tc, TomographyCircuit):
        raise TypeError(f"tc must be a TomographyCircuit, got {type(tc).__name__}")
    patch = tc.patch
    ops = list(tc.circuit.flattened())
    last_tick = max(k for k, ins in enumerate(ops) if ins.name == "TICK")
    cut = next(k for k in range(last_tick, len(ops))
               if stim.gate_data(ops[k].name).produces_measurements)
    head = stim.Circuit()
    for ins in ops[:cut]:
        head.append(ins)
    qc = to_qiskit(head)
    idx = patch.index
    n = qc.num_qubits
    qubits = list(range(n))
    if backend is not None:
        from circuits.isa import to_isa

        if embedding is None:
            raise ValueError("embedding is required with backend")
        res = to_isa(qc, backend, layout=list(embedding.physical), optimization_level=1,
                     seed=seed)
        if list(res.final_layout) != list(embedding.physical):
            raise ValueError("the ISA circuit was routed away from the patch")
        check_isa(res.circuit, backend)
        qc = res.circuit
        qubits = list(embedding.physical)

    def pauli(support: dict) -> Pauli:
        label = ["I"] * n
        for q, p in support.items():
            label[n - 1 - idx[q]] = p
        return Pauli("".join(label))

    for b in "XYZ":
        qc.save_expectation_value(pauli(logical_support(patch, b)), qubits, label=f"L{b}")
    for k, ch in enumerate(patch.checks):
        qc.save_expectation_value(pauli({q: ch.basis for q in ch.data}), qubits,
                                  label=f"S{k}")
    sim = AerSimulator(method=method, seed_simulator=seed)
    res = sim.run(qc, shots=1, memory=True).result()
    data = res.data(0)
    bits = counts_to_bits({res.get_memory(0)[0]: 1}, qc.num_clbits)[0][0]
    stabs = [float(np.real(data[f"S{k}"])) * (-1) ** int(bits[tc.last[ch.face]])
             for k, ch in enumerate(patch.checks)]
    dets = [int(np.bitwise_xor.reduce(bits[list(r)])) for r, _ in detector_records(head)]
    return {"bloch": [float(np.real(data[f"L{b}"])) for b in "XYZ"],
            "stabilizers": stabs, "detectors": dets}


def find_patch(backend: Any, d: int, *, max_candidates: int = 20000) -> Embedding:
    """The distance-``d`` patch on ``backend``'s coupling map with the lowest error cost.

    Raises
    ------
    ValueError
        If ``d`` is not offered or the backend holds no such heavy-hex patch.
    """
    from circuits.isa import _error_costs, resolve_backend

    from .layout import embed, heavy_hex_patch

    patch = heavy_hex_patch(d)
    backend = resolve_backend(backend)
    if backend.coupling_map is None:
        raise ValueError(f"backend {backend.name} has no coupling map")
    edge, node = _error_costs(backend)
    try:
        return embed(patch, backend.coupling_map, edge_error=edge, qubit_error=node,
                     max_candidates=max_candidates, backend_name=str(backend.name))
    except ValueError as exc:
        raise ValueError(f"backend {backend.name}: {exc}") from exc
