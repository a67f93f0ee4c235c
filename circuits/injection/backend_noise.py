"""A Pauli noise model in stim from a backend's calibration (per qubit and per coupler).

For circuits placed by an :class:`~circuits.injection.layout.Embedding`: stim qubit ``k`` is
physical qubit ``embedding.physical[k]``.  The rules mirror qiskit-aer's
``NoiseModel.from_backend`` without idle noise (Aer adds none to an unscheduled circuit),
with each gate's reported error as depolarising noise:

* one-qubit Clifford or rotation: ``DEPOLARIZE1(e_sx)``;
* ``CX(a, b)`` (``H_b CZ H_b`` on IBM hardware): ``DEPOLARIZE2(e_cz(a, b))`` and
  ``DEPOLARIZE1(e_sx(b))`` twice;
* measurement: result flip with the read-out error; resets: none;
* with ``idle=True`` also decoherence while a qubit waits: every moment lasts as long as
  its slowest operation (measurement 1.56 us, reset 1.58 us, CZ 84 ns on FakeFez), and
  each qubit gets the Pauli twirl of amplitude and phase damping for the time it is not
  busy, ``p_x = p_y = (1 - e^{-t/T1}) / 4``, ``p_z = (1 - e^{-t/T2}) / 2 - p_x``.  Aer's
  unscheduled circuits have no such noise; the hardware does (less with dynamical
  decoupling).

It is the Pauli-twirled cousin of the backend's own model (which also has amplitude
damping and is sampled by qiskit-aer in the benchmarks), fast enough for 10^6 shots.

Example
-------
>>> from qiskit.providers.fake_provider import GenericBackendV2
>>> from circuits.injection.backend_noise import backend_error_rates, backend_pauli_noise
>>> backend = GenericBackendV2(2, basis_gates=["cz", "sx", "x", "rz"], seed=1)
>>> rates = backend_error_rates(backend)
>>> sorted(rates), sorted(rates["measure"]), list(rates["cz"])
(['cz', 'measure', 'sx'], [0, 1], [(0, 1)])
>>> backend_pauli_noise("H 0", backend, None)  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
TypeError: circuit must be a stim.Circuit, got str
"""

from __future__ import annotations

import math
from typing import Any

import stim

from ..cultivation.noise import split_moments
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


def _durations(backend: Any) -> dict[str, float]:
    target = backend.target
    out = {}
    for name in ("sx", "cz", "ecr", "cx", "measure", "reset"):
        if name in target.operation_names:
            ds = [p.duration for p in (target[name] or {}).values()
                  if p is not None and p.duration]
            if ds:
                out[name] = float(sorted(ds)[len(ds) // 2])
    out.setdefault("cz", out.get("ecr", out.get("cx", 0.0)))
    return out


def _op_time(name: str, dur: dict[str, float]) -> float:
    if name in ("M", "MX", "MY", "MZ"):
        return dur.get("measure", 0.0)
    if name == "MR":
        return dur.get("measure", 0.0) + dur.get("reset", 0.0)
    if name in ("R", "RX", "RZ"):
        return dur.get("reset", 0.0)
    if name == "CX":
        return dur.get("cz", 0.0) + 2 * dur.get("sx", 0.0)
    if name in _ONE:
        return dur.get("sx", 0.0)
    return 0.0


def _idle_channel(t: float, t1: float | None, t2: float | None) -> tuple[float, float, float]:
    if t <= 0 or not t1 or not t2:
        return (0.0, 0.0, 0.0)
    px = (1 - math.exp(-t / t1)) / 4
    pz = max((1 - math.exp(-t / min(t2, 2 * t1))) / 2 - px, 0.0)
    return (px, px, pz)


def backend_pauli_noise(circuit: stim.Circuit, backend: Any, embedding: Embedding, *,
                        idle: bool = False) -> stim.Circuit:
    """``circuit`` with the backend's per-qubit Pauli noise (see the module doc)."""
    if not isinstance(circuit, stim.Circuit):
        raise TypeError(f"circuit must be a stim.Circuit, got {type(circuit).__name__}")
    noisy = _gate_noise(circuit, backend, embedding)
    return _add_idle(noisy, backend, embedding) if idle else noisy


def _add_idle(circuit: stim.Circuit, backend: Any, embedding: Embedding) -> stim.Circuit:
    dur = _durations(backend)
    props = backend.target.qubit_properties
    phys = embedding.physical
    t1 = [getattr(props[p], "t1", None) if props else None for p in phys]
    t2 = [getattr(props[p], "t2", None) if props else None for p in phys]
    out = stim.Circuit()

    def flush(moment: list[stim.CircuitInstruction]) -> None:
        busy: dict[int, float] = {}
        for ins in moment:
            out.append(ins)
            t = _op_time(ins.name, dur)
            for x in ins.targets_copy():
                if x.is_qubit_target:
                    busy[x.value] = max(busy.get(x.value, 0.0), t)
        length = max(busy.values(), default=0.0)
        for q in range(circuit.num_qubits):
            px, py, pz = _idle_channel(length - busy.get(q, 0.0), t1[q], t2[q])
            if px or pz:
                out.append("PAULI_CHANNEL_1", [q], [px, py, pz])

    for moment, tick in split_moments(circuit.flattened()):
        flush(moment)
        if tick is not None:
            out.append(tick)
    return out


def _gate_noise(circuit: stim.Circuit, backend: Any, embedding: Embedding) -> stim.Circuit:
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
