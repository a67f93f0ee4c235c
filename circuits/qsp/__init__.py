"""Quantum signal processing with algorithm-level error recovery (after arXiv:2301.08542).

Modules: :mod:`circuits.qsp.core` (QSP, responses, symmetric-QSP phase finding),
:mod:`circuits.qsp.recovery` (coherent phase-gate errors, numerical k-th order
recovery, the Z-error obstruction), :mod:`circuits.qsp.grover` (fixed-point search
example), :mod:`circuits.qsp.export` (qiskit circuits).

The recovery here is a numerical alternative to the paper's construction: it
solves for appended recovery phases at chosen operating signals (see
:mod:`circuits.qsp.recovery`), it is not the paper's explicit sequence.

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
    ErrorModel,
    RecoveryConfig,
    RecoveryResult,
    find_recovery,
    noisy_response,
    noisy_unitary,
    paper_length_bounds,
    z_error_obstruction,
)

__all__ = [
    "ErrorModel",
    "PhaseFindingResult",
    "RecoveryConfig",
    "RecoveryResult",
    "TargetPolynomial",
    "chebyshev_nodes",
    "find_phases",
    "find_recovery",
    "noisy_response",
    "noisy_unitary",
    "paper_length_bounds",
    "qsp_unitary",
    "response",
    "response_reference",
    "signal_operator",
    "z_error_obstruction",
]
