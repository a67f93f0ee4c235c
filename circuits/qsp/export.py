"""QSP sequences as qiskit circuits.

* :func:`qsp_circuit`: one qubit, ``e^{iφZ} = RZ(-2φ)`` and ``W(a) = e^{iθX} = RX(-2θ)``
  with ``θ = arccos(a)`` a qiskit ``Parameter`` (bind it, or pass ``a``).
  The statevector from ``|0>`` is ``U_φ(a)|0>``, phase included.
* :func:`qsp_block_encoding_circuit`: the projector-controlled form used with a
  block encoding.  Qubit 0 carries the (here one-qubit) block encoding ``W(a)``
  of ``a = <0|W|0>``; qubit 1 is an ancilla; each ``e^{iφ(2Π-I)}``, ``Π = |0><0|``
  on qubit 0, is ``X``-conjugated ``CX`` → ``RZ(2φ)`` on the ancilla → ``CX``.
  On ancilla ``|0>`` the circuit acts as ``U_φ(a)``: ``<00|C|00> = <0|U_φ(a)|0>``.

Example
-------
>>> import numpy as np
>>> from qiskit.quantum_info import Statevector
>>> from circuits.qsp import qsp_unitary
>>> from circuits.qsp.export import qsp_circuit
>>> phases = [0.1, -0.4, 0.7]
>>> sv = Statevector(qsp_circuit(phases, a=0.3)).data
>>> bool(np.allclose(sv, qsp_unitary(phases, 0.3)[:, 0]))
True
"""

from __future__ import annotations

import math

from qiskit import QuantumCircuit
from qiskit.circuit import Parameter

from circuits.qsp.core import check_phases, check_signal

__all__ = ["qsp_block_encoding_circuit", "qsp_circuit"]


def _theta(a: float | None) -> float | Parameter:
    if a is None:
        return Parameter("theta")
    return math.acos(float(check_signal(a)))


def qsp_circuit(phases: object, a: float | None = None) -> QuantumCircuit:
    """Single-qubit circuit of ``U_φ(a)``; ``a=None`` leaves ``Parameter("theta")`` unbound."""
    phases = check_phases(phases)
    th = _theta(a)
    qc = QuantumCircuit(1, name="qsp")
    for k in range(len(phases) - 1, 0, -1):  # rightmost factor acts first
        qc.rz(-2 * phases[k], 0)
        qc.rx(-2 * th, 0)
    qc.rz(-2 * phases[0], 0)
    return qc


def _projector_phase(qc: QuantumCircuit, phi: float) -> None:
    qc.x(0)
    qc.cx(0, 1)
    qc.x(0)
    qc.rz(2 * phi, 1)  # anc |1> (system |0>) gets e^{iφ}, anc |0> gets e^{-iφ}
    qc.x(0)
    qc.cx(0, 1)
    qc.x(0)


def qsp_block_encoding_circuit(phases: object, a: float | None = None) -> QuantumCircuit:
    """Two-qubit projector-controlled-phase circuit (qubit 0 system, qubit 1 ancilla)."""
    phases = check_phases(phases)
    th = _theta(a)
    qc = QuantumCircuit(2, name="qsp_block")
    for k in range(len(phases) - 1, 0, -1):
        _projector_phase(qc, phases[k])
        qc.rx(-2 * th, 0)  # the block encoding U_A = W(a) of a
    _projector_phase(qc, phases[0])
    return qc
