"""Quantum signal processing with algorithm-level error recovery (after arXiv:2301.08542).

Modules: :mod:`circuits.qsp.core` (QSP, responses, symmetric-QSP phase finding),
:mod:`circuits.qsp.recovery` (coherent phase-gate errors, numerical k-th order
recovery, the Z-error obstruction), :mod:`circuits.qsp.grover` (fixed-point search
example), :mod:`circuits.qsp.export` (qiskit circuits).

Recovery: :func:`degreewise_recovery` is a k = 1 recovery uniform in the signal under
the paper's over-rotation model (following a third-party reading of the paper, see
:mod:`circuits.qsp.recovery`); :func:`find_recovery` is the older numerical method
(orders k >= 1, exact only at chosen operating signals).  Neither is the paper's
O(2^k c^{k^2} d) construction.

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

__all__ = [
    "DegreewiseRecovery",
    "ErrorModel",
    "PhaseFindingResult",
    "RecoveryConfig",
    "RecoveryResult",
    "TargetPolynomial",
    "chebyshev_nodes",
    "degreewise_recovery",
    "error_operator",
    "find_phases",
    "find_recovery",
    "noisy_response",
    "noisy_unitary",
    "paper_length_bounds",
    "qsp_unitary",
    "response",
    "response_reference",
    "signal_operator",
    "xy_z_errors",
    "z_error_obstruction",
]
