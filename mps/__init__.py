"""tnqc.mps: matrix product states of spin chains and their time evolution by TEBD.

Conventions (stated once for all of tnqc, see README): Pauli operators
(eigenvalues +-1), site ``i`` = qiskit qubit ``i``, dense vectors little-endian
like qiskit, ``|0>`` is Z = +1, ``hbar = 1`` and ``|psi(t)> = exp(-iHt)|psi(0)>``.

>>> from mps import MPS, evolve, heisenberg
>>> res = evolve(heisenberg(10), MPS.neel(10), t=1.0, dt=0.05, max_bond=32)
>>> bool(abs(res.state.norm() - 1.0) < 1e-10)
True
"""

from .hamiltonian import SpinChain, heisenberg, ising, xxz
from .state import MPS, local_operator
from .tebd import BondGates, EvolveResult, StepInfo, TEBDConfig, apply_gates, evolve, trotter_layers

__all__ = [
    "MPS",
    "BondGates",
    "EvolveResult",
    "SpinChain",
    "StepInfo",
    "TEBDConfig",
    "apply_gates",
    "evolve",
    "heisenberg",
    "ising",
    "local_operator",
    "trotter_layers",
    "xxz",
]
