"""tnqc.aqc: approximate quantum compiling of MPS targets into constant-depth circuits.

After "Approximate Quantum Compiling for Quantum Simulation: A Tensor Network
based approach" (AQCtensor, 2023).  A brickwork circuit (:class:`BrickworkAnsatz`)
started from a Trotter circuit (:func:`trotter_params`) is fitted to a target
MPS by optimising all its parameters at once on an exact JAX contraction
(:class:`Objective`), with scipy or optax optimisers (:func:`minimize`).
:func:`compile` puts it together; see :mod:`aqc.compiler` for the remedy of the
orthogonality catastrophe.

Conventions: qubit ``i`` = MPS site ``i`` (qiskit little-endian), Pauli
operators, ``hbar = 1`` (see the README).

>>> from mps import MPS, evolve, heisenberg
>>> import aqc
>>> target = evolve(heisenberg(6), MPS.neel(6), t=0.4, dt=0.05).state
>>> res = aqc.compile(target, aqc.BrickworkAnsatz(6, layers=3), maxiter=30)
>>> res.circuit.num_qubits, res.cx_count
(6, 24)
"""

from .ansatz import BrickworkAnsatz
from .compiler import CompileResult, compile, target_info
from .extend import ExtendResult, extend, trotter_comparison
from .init import (
    basis_params,
    grow_params,
    max_trotter_steps,
    product_params,
    trotter_params,
)
from .objective import Objective
from .optimize import IterInfo, OptimizeResult, StopRule, minimize
from .sequential import SequentialResult, StaircaseAnsatz, sequential_circuit

__all__ = [
    "BrickworkAnsatz",
    "CompileResult",
    "ExtendResult",
    "IterInfo",
    "Objective",
    "OptimizeResult",
    "SequentialResult",
    "StaircaseAnsatz",
    "StopRule",
    "basis_params",
    "compile",
    "extend",
    "grow_params",
    "max_trotter_steps",
    "minimize",
    "product_params",
    "sequential_circuit",
    "target_info",
    "trotter_comparison",
    "trotter_params",
]
