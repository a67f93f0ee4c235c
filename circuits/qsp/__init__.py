"""Quantum signal processing with algorithm-level error recovery (after arXiv:2301.08542).

Modules: :mod:`circuits.qsp.core` (QSP, responses, symmetric-QSP phase finding),
:mod:`circuits.qsp.recovery` (coherent phase-gate errors, numerical k-th order
recovery, the Z-error obstruction), :mod:`circuits.qsp.shift_recovery` (uniform
recovery to order k), :mod:`circuits.qsp.cli` (``tnqc qsp recover``),
:mod:`circuits.qsp.grover` (fixed-point search example), :mod:`circuits.qsp.export`
(qiskit circuits).

Recovery under the paper's over-rotation model ``e^{iφZ} → e^{iφ(1+ε)Z}``:

* :func:`uniform_recovery` (:mod:`circuits.qsp.shift_recovery`) cancels the X/Y error to
  order ``k = 1, 2, 3`` at every signal, from phase-shift blocks (``O(cd)`` calls at
  ``k = 1``, the paper's scaling; our own construction, since the paper's body was not
  available);
* :func:`degreewise_recovery`: k = 1 only, uniform, ``d² + d + 2`` calls;
* :func:`find_recovery`: numerical, any ``k``, exact only at chosen operating signals.

Example
-------
>>> import numpy as np
>>> from circuits.qsp import TargetPolynomial, find_phases
>>> res = find_phases(TargetPolynomial.from_function(lambda x: 0.5 * x, degree=1))
>>> bool(res.max_error < 1e-12)
True
"""

from circuits.qsp.core import (
    PhaseFindingResult,
    TargetPolynomial,
    chebyshev_nodes,
    find_phases,
    qsp_unitary,
    response,
    response_reference,
    signal_operator,
)
from circuits.qsp.recovery import (
    DegreewiseRecovery,
    ErrorModel,
    RecoveryConfig,
    RecoveryResult,
    degreewise_recovery,
    error_operator,
    find_recovery,
    noisy_response,
    noisy_unitary,
    paper_length_bounds,
    xy_z_errors,
    z_error_obstruction,
)
from circuits.qsp.shift_recovery import UniformRecovery, error_taylor, uniform_recovery

__all__ = [
    "DegreewiseRecovery",
    "ErrorModel",
    "PhaseFindingResult",
    "RecoveryConfig",
    "RecoveryResult",
    "TargetPolynomial",
    "UniformRecovery",
    "chebyshev_nodes",
    "degreewise_recovery",
    "error_operator",
    "error_taylor",
    "find_phases",
    "find_recovery",
    "noisy_response",
    "noisy_unitary",
    "paper_length_bounds",
    "qsp_unitary",
    "response",
    "response_reference",
    "signal_operator",
    "uniform_recovery",
    "xy_z_errors",
    "z_error_obstruction",
]
