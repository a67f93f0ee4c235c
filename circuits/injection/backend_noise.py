"""A Pauli noise model in stim from a backend's calibration (per qubit and per coupler).

For circuits placed by an :class:`~circuits.injection.layout.Embedding`: stim qubit ``k`` is
physical qubit ``embedding.physical[k]``.  The rules mirror qiskit-aer's
``NoiseModel.from_backend`` without idle noise (Aer adds none to an unscheduled circuit),
with each gate's reported error as depolarising noise:

* one-qubit Clifford or rotation: ``DEPOLARIZE1(e_sx)``;
* ``CX(a, b)`` (``H_b CZ H_b`` on IBM hardware): ``DEPOLARIZE2(e_cz(a, b))`` and
  ``DEPOLARIZE1(e_sx(b))`` twice;
* measurement: result flip with the read-out error; resets: none.

It is the Pauli-twirled cousin of the backend's own model (which also has amplitude
damping and is sampled by qiskit-aer in the benchmarks), fast enough for 10^6 shots.
"""

from __future__ import annotations

from typing import Any

import stim

from .layout import Embedding

__all__ = ["backend_error_rates", "backend_pauli_noise"]

_ONE = {"H", "S", "S_DAG", "SQRT_Y", "SQRT_Y_DAG", "X", "Y", "Z", "SQRT_X", "SQRT_X_DAG"}


def backend_error_rates(backend: Any) -> dict[str, dict]:
    """``{"sx": {q: e}, "cz": {(a, b): e}, "measure": {q: e}}`` from ``backend.target``."""
    target = backend.target
    out: dict[str, dict] = {"sx": {}, "cz": {}, "measure": {}}
    two = next((g for g in ("cz", "ecr", "cx") if g in target.operation_names), None)
    for name, key in (("sx", "sx"), (two, "cz"), ("measure", "measure")):
        if name is None or name not in target.operation_names:
            continue
        for qargs, props in (target[name] or {}).items():
            if qargs is None or props is None or props.error is None:
                continue
            k = qargs[0] if len(qargs) == 1 else (min(qargs), max(qargs))
            out[key][k] = max(out[key].get(k, 0.0), float(props.error))
    return out


def backend_pauli_noise(circuit: stim.Circuit, backend: Any, embedding: Embedding
                        ) -> stim.Circuit:
    """``circuit`` with the backend's per-qubit Pauli noise (see the module doc)."""
    if not isinstance(circuit, stim.Circuit):
        raise TypeError(f"circuit must be a stim.Circuit, got {type(circuit).__name__}")
    rates = backend_error_rates(backend)
    phys = embedding.physical

    def clip(p: float) -> float:
        return min(max(p, 0.0), 0.4999)

    out = stim.Circuit()
    for ins in circuit.flattened():
        name = ins.name
        qs = [t.value for t in ins.targets_copy() if t.is_qubit_target]
        if name in ("M", "MX", "MY", "MR", "MZ"):
            for q in qs:
                p = clip(rates["measure"].get(phys[q], 0.0))
                out.append(stim.CircuitInstruction(name, [q], [p] if p else [], tag=ins.tag))
            continue
        out.append(ins)
        if name in _ONE:
            for q in qs:
                p = clip(rates["sx"].get(phys[q], 0.0))
                if p:
                    out.append("DEPOLARIZE1", [q], p)
        elif name == "CX":
            for a, b in zip(qs[::2], qs[1::2], strict=True):
                pa, pb = phys[a], phys[b]
                p2 = clip(rates["cz"].get((min(pa, pb), max(pa, pb)), 0.0))
                if p2:
                    out.append("DEPOLARIZE2", [a, b], p2)
                p1 = clip(1 - (1 - rates["sx"].get(pb, 0.0)) ** 2)
                if p1:
                    out.append("DEPOLARIZE1", [b], p1)
    return out
