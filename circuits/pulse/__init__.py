"""Pulse-based state preparation on silicon spin qubits (after Long et al., 2024).

Modules: :mod:`circuits.pulse.device` (device model and rotating-frame Hamiltonian,
units ns / GHz), :mod:`circuits.pulse.controls` (bounded piecewise-constant controls),
:mod:`circuits.pulse.grape` (exact slice propagators, JAX gradients, L-BFGS-B / Adam).

Example
-------
>>> import numpy as np
>>> from circuits.pulse import ControlGrid, SpinQubitDevice, state_fidelity
>>> grid = ControlGrid(SpinQubitDevice.silicon_line(2), duration=10.0, n_slices=5)
>>> f = state_fidelity(grid, grid.random_raw(seed=0), np.eye(4)[0], np.eye(4)[0])
>>> 0.0 <= f <= 1.0
True
"""

from circuits.pulse.controls import DRIVE_PARAMETRISATIONS, ControlGrid, PulseSchedule
from circuits.pulse.device import (
    DRIVE_MODELS,
    FRAMES,
    INTEGRATORS,
    MAX_DRIVE_RANGE,
    MAX_EXCHANGE_RANGE,
    DeviceOperators,
    SpinQubitDevice,
)
from circuits.pulse.grape import (
    GrapeConfig,
    GrapeResult,
    final_state,
    optimize_state_transfer,
    propagator,
    slice_hamiltonians,
    state_fidelity,
    value_and_grad,
)

__all__ = [
    "DRIVE_MODELS",
    "DRIVE_PARAMETRISATIONS",
    "FRAMES",
    "INTEGRATORS",
    "MAX_DRIVE_RANGE",
    "MAX_EXCHANGE_RANGE",
    "ControlGrid",
    "DeviceOperators",
    "GrapeConfig",
    "GrapeResult",
    "PulseSchedule",
    "SpinQubitDevice",
    "final_state",
    "optimize_state_transfer",
    "propagator",
    "slice_hamiltonians",
    "state_fidelity",
    "value_and_grad",
]
