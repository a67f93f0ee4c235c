"""Compress a sequence of gates into moments: as soon as possible, resets as late as possible.

An operation is ``(name, qubits, tag)`` (one gate on one or two qubits).  The order of the
operations on each qubit is kept, so the scheduled circuit implements the same map
(operations on disjoint qubits commute); a reset (``R`` / ``RX``) is moved to the moment
just before its qubit's next operation, so a freshly prepared qubit does not wait idle.
Moments are separated by ``TICK``; within a moment every qubit is used at most once.

>>> c, recs = schedule([("R", (0,), ""), ("H", (1,), ""), ("CX", (1, 0), ""), ("M", (0,), "")])
>>> print(c)
R 0
H 1
TICK
CX 1 0
TICK
M 0
>>> recs
[None, None, None, 0]
"""

from __future__ import annotations

from collections.abc import Sequence

import stim

__all__ = ["Op", "schedule"]

Op = tuple  # (name, qubits, tag)
_RESETS = {"R", "RX"}


def schedule(ops: Sequence[Op]) -> tuple[stim.Circuit, list[int | None]]:
    """Schedule ``ops``; returns the circuit and each op's measurement index (or ``None``)."""
    avail: dict[int, int] = {}
    pending: dict[int, int] = {}  # qubit -> index of a pending reset op
    layer_of: list[int | None] = [None] * len(ops)
    for k, (name, qubits, _tag) in enumerate(ops):
        if name in _RESETS and len(qubits) == 1:
            q = qubits[0]
            if q in pending:  # two resets in a row: the first one is dropped
                layer_of[pending[q]] = -1
            pending[q] = k
            continue
        start = 0
        for q in qubits:
            start = max(start, avail.get(q, -1) + (2 if q in pending else 1))
        for q in qubits:
            if q in pending:
                layer_of[pending.pop(q)] = start - 1
            avail[q] = start
        layer_of[k] = start
    for q, k in pending.items():  # resets never followed by an operation
        layer_of[k] = avail.get(q, -1) + 1
    depth = max((x for x in layer_of if x is not None), default=-1) + 1
    moments: list[list[int]] = [[] for _ in range(depth)]
    for k, x in enumerate(layer_of):
        if x is not None and x >= 0:
            moments[x].append(k)
    circuit = stim.Circuit()
    recs: list[int | None] = [None] * len(ops)
    count = 0
    for t, moment in enumerate(moments):
        if t:
            circuit.append("TICK")
        for k in moment:
            name, qubits, tag = ops[k]
            circuit.append(stim.CircuitInstruction(name, list(qubits), tag=tag))
            if stim.gate_data(name).produces_measurements:
                recs[k] = count
                count += 1
    return circuit, recs
