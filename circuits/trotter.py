"""Trotter-Suzuki circuits of spin chains, gate for gate the product formula of :func:`mps.evolve`.

``trotter_circuit(chain, t, steps, order=o)`` is the qiskit circuit whose state is
exactly the state ``mps.evolve(chain, MPS.from_bitstring(initial), t, dt=t/steps,
order=o, cutoff=0)`` computes (no truncation), *including* its global phase:

* the same splitting ``H = H_even + H_odd``, even bonds ``(0,1), (2,3), ...``
  applied first, single-site fields shared equally among the bonds that touch
  a site (:meth:`mps.SpinChain.bond_hamiltonian`);
* the same layer schedule (:func:`mps.trotter_layers`), with every run of
  adjacent layers of equal parity merged into one layer, which is exact
  (``e^{-i a H_even} e^{-i b H_even} = e^{-i (a+b) H_even}``): order 1 has
  ``2 k`` layers, order 2 ``2 k + 1`` and order 4 (Suzuki's fractal of five
  second-order steps) ``10 k + 1``, for ``k`` steps.  For orders 1 and 2 this
  is :func:`mps.trotter_layers` unchanged; for order 4 it also merges the
  half-layers *inside* a step, which ``trotter_layers`` keeps apart (it
  merges only at step boundaries, ``14 k + 1`` layers);
* every bond gate ``exp(-i tau h_bond)`` (the matrices of :func:`mps.evolve`)
  written exactly with 3 CX, through the KAK form of the ``su4`` blocks of
  :class:`aqc.BrickworkAnsatz` (the decomposition of :mod:`aqc.init`), so
  layer ``l`` of the schedule is layer ``l`` of a brickwork circuit;
* the initial computational basis state prepared by ``RY(pi)`` (``|0> -> |1>``
  exactly, no phase), the initial layer of the brickwork.

The KAK decomposition fixes each block only up to a phase; the phases are
summed into the circuit's ``global_phase``, so the statevector equals the TEBD
state exactly, not just up to a phase.

Conventions (see the README): Pauli operators, ``hbar = 1``,
``|psi(t)> = exp(-iHt)|psi(0)>``, qubit ``i`` = MPS site ``i`` (qiskit
little-endian statevectors), bitstrings read in site order (character ``i``
is qubit ``i``; ``"0101..."`` is the Néel state :meth:`mps.MPS.neel`).

Example
-------
>>> import numpy as np
>>> from qiskit.quantum_info import Statevector
>>> from mps import MPS, evolve, heisenberg
>>> from circuits.trotter import trotter_circuit, trotter_depth
>>> chain = heisenberg(6, j=0.25)
>>> qc = trotter_circuit(chain, t=1.0, steps=4, order=2)
>>> ref = evolve(chain, MPS.neel(6), t=1.0, dt=0.25, order=2, cutoff=0).state.to_dense()
>>> bool(np.allclose(Statevector(qc).data, ref, atol=1e-10))
True
>>> cost = trotter_depth(6, steps=4, order=2)
>>> cost.two_qubit_depth, cost.cx_count, qc.count_ops()["cx"]
(27, 69, 69)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from aqc.ansatz import BrickworkAnsatz
from aqc.init import trotter_params
from mps import BondGates, SpinChain, trotter_layers
from mps._validate import check_int, check_real

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

__all__ = ["TrotterCost", "merged_layers", "trotter_circuit", "trotter_depth"]

ORDERS = (1, 2, 4)


class TrotterCost(NamedTuple):
    """Two-qubit cost of a Trotter circuit (see :func:`trotter_depth`)."""

    two_qubit_depth: int
    cx_count: int


def _check_order(order: object) -> int:
    order = check_int(order, "order")
    if order not in ORDERS:
        raise ValueError(f"order must be 1, 2 or 4, got {order}")
    return order


def merged_layers(order: int, dt: float, steps: int) -> list[tuple[int, float]]:
    """The ``(parity, tau)`` layers of ``steps`` Trotter steps, equal-parity neighbours merged.

    Layer ``(p, tau)`` is ``exp(-i tau H_p)`` with ``p = 0`` the even bonds, applied
    in list order.  It is :func:`mps.trotter_layers` without the step markers:
    adjacent layers of equal parity are merged there, so the parities alternate
    ``0, 1, 0, ...``.

    Parameters
    ----------
    order : {1, 2, 4}
        Trotter-Suzuki order.
    dt : float
        Time of one step.
    steps : int
        Number of steps (>= 0).

    Returns
    -------
    list of (int, float)
        ``2 k``, ``2 k + 1`` or ``10 k + 1`` layers for order 1, 2 or 4 (``k = steps``).
    """
    order = _check_order(order)
    dt = check_real(dt, "dt")
    steps = check_int(steps, "steps", minimum=0)
    return [(parity, tau) for parity, tau, _ in trotter_layers(order, dt, steps)]


def trotter_depth(n: int, steps: int, order: int = 2) -> TrotterCost:
    """Two-qubit depth and CX count of :func:`trotter_circuit` on ``n`` qubits.

    Parameters
    ----------
    n : int
        Number of qubits (>= 2).
    steps : int
        Number of Trotter steps (>= 0).
    order : {1, 2, 4}
        Trotter-Suzuki order.

    Returns
    -------
    TrotterCost
        ``(two_qubit_depth, cx_count)``: every layer of bond gates costs CX
        depth 3 and every bond gate 3 CX (on ``n = 2`` the empty odd layers
        cost nothing).
    """
    n = check_int(n, "n", minimum=2)
    layers = len(merged_layers(order, 1.0, steps))
    if layers == 0:
        return TrotterCost(0, 0)
    ansatz = BrickworkAnsatz(n, layers, block="su4")
    return TrotterCost(ansatz.two_qubit_depth, ansatz.cx_count)


def _check_bitstring(initial: object, n: int) -> str:
    if initial is None:
        return "".join("01"[i % 2] for i in range(n))
    if not isinstance(initial, str):
        raise TypeError(f"initial must be a str of '0'/'1', got {type(initial).__name__}")
    if len(initial) != n or set(initial) - {"0", "1"}:
        raise ValueError(f"initial must be a bitstring of {n} '0'/'1' characters, got {initial!r}")
    return initial


def trotter_circuit(
    chain: SpinChain,
    t: float,
    steps: int,
    *,
    order: int = 2,
    initial: str | None = None,
) -> QuantumCircuit:
    """The ``steps``-step Trotter-Suzuki circuit of ``exp(-i H t)|initial>``.

    Parameters
    ----------
    chain : mps.SpinChain
        The Hamiltonian (Pauli convention, open boundaries), ``n`` qubits.
    t : float
        Evolution time (>= 0), ``hbar = 1``.
    steps : int
        Number of Trotter steps (>= 1); the step is ``t / steps``.
    order : {1, 2, 4}
        Trotter-Suzuki order, with the splitting and layer merging of
        :func:`mps.evolve`.
    initial : str, optional
        Initial computational basis state in site order (character ``i`` is
        qubit ``i``); default the Néel state ``"0101..."``.

    Returns
    -------
    qiskit.QuantumCircuit
        Gates ``u``, ``ry``, ``rz`` and ``cx`` (3 CX per bond gate); its
        statevector equals ``evolve(chain, MPS.from_bitstring(initial), t,
        dt=t/steps, order=order, cutoff=0).state.to_dense()`` including the
        global phase.  Cost: :func:`trotter_depth`.

    Raises
    ------
    TypeError, ValueError
        For a chain that is not a :class:`mps.SpinChain`, a negative or
        non-finite ``t``, ``steps < 1``, an order other than 1, 2, 4 or a bad
        bitstring.
    """
    if not isinstance(chain, SpinChain):
        raise TypeError(f"chain must be an mps.SpinChain, got {type(chain).__name__}")
    t = check_real(t, "t", minimum=0.0)
    steps = check_int(steps, "steps", minimum=1)
    order = _check_order(order)
    n = chain.n
    initial = _check_bitstring(initial, n)

    schedule = merged_layers(order, t / steps, steps)
    ansatz = BrickworkAnsatz(n, len(schedule), block="su4")
    # the Trotter circuit in the brickwork (initial RY(pi) prepares |1> exactly)
    params = trotter_params(ansatz, chain, t, initial, order=order, steps=steps)
    qc = ansatz.to_circuit(params)
    qc.name = f"trotter_o{order}_k{steps}"
    # KAK fixes each block only up to a phase: move the difference to the exact
    # gate exp(-i tau h_bond) (the matrices TEBD applies) into the global phase.
    gates = BondGates(chain)
    exact = [gates(bond, schedule[layer][1]) for layer, bond in ansatz.bonds]
    phase = sum(
        float(np.angle(np.trace(gate.conj().T @ block)))
        for gate, block in zip(exact, ansatz.block_unitaries(params), strict=True)
    )
    qc.global_phase -= phase
    return qc
