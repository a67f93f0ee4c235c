"""Upper bounds of the size-like options of ``tnqc`` and memory estimates checked before work.

Every size-like option has an explicit maximum (listed in the README, section "Limits");
on top of it, jobs whose estimated memory exceeds the memory available now are refused
before anything is written.  The estimates are deliberately simple upper-side formulas
(bytes of complex128 tensors), written next to each check.

>>> check_size(10, "--layers", MAX_LAYERS)
10
>>> check_size(10**30, "--n", MAX_QUBITS)
Traceback (most recent call last):
...
ValueError: --n must be <= 100000, got 1000000000000000000000000000000
"""

from __future__ import annotations

import math
import os

__all__ = [
    "MAX_BOND",
    "MAX_GROVER_L",
    "MAX_LAYERS",
    "MAX_MAXITER",
    "MAX_QUBITS",
    "MAX_RESTARTS",
    "MAX_SCHEDULE",
    "MAX_SLICES",
    "MAX_STEPS",
    "MAX_TROTTER_STEPS",
    "available_memory",
    "check_memory",
    "check_size",
    "compile_memory",
    "evolve_memory",
]

MAX_QUBITS = 100_000
"""Chain length of ``evolve`` / ``compile`` (``--n``, ``[model] n``)."""
MAX_BOND = 8192
"""Bond-dimension cap (``--max-bond``): one SVD of a 2χ x 2χ complex matrix is 16 (2χ)² bytes."""
MAX_LAYERS = 1000
"""Brickwork layers of an AQC circuit (``--layers``)."""
MAX_STEPS = 10_000_000
"""TEBD steps ``ceil(t / dt)`` of one evolution."""
MAX_MAXITER = 10_000_000
"""Optimiser iterations per stage (``--maxiter``)."""
MAX_SCHEDULE = 1000
"""Time stages of a compile (``--schedule``)."""
MAX_TROTTER_STEPS = 1000
"""Trotter baselines ``1..k`` of a compile report (``--trotter-steps``)."""
MAX_SLICES = 100_000
"""Piecewise-constant slices of a pulse (``tnqc pulse --slices``)."""
MAX_RESTARTS = 10_000
"""Random GRAPE starts per duration (``tnqc pulse --restarts``)."""
MAX_GROVER_L = 100_000
"""Fixed-point Grover search with ``2l + 1`` queries (``tnqc qsp recover --grover``)."""

_COMPLEX = 16  # bytes of one complex128


def check_size(value: int, name: str, maximum: int, minimum: int = 1) -> int:
    """``value`` if ``minimum <= value <= maximum``, else ``ValueError`` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def available_memory() -> int | None:
    """Bytes of memory available now (Linux ``MemAvailable``), or None where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def _gib(nbytes: float) -> str:
    return f"{nbytes / 2**30:.3g} GiB"


def check_memory(nbytes: float, what: str, available: int | None = None) -> float:
    """Refuse a job whose estimate ``nbytes`` exceeds the memory available now."""
    free = available_memory() if available is None else available
    if free is not None and nbytes > free:
        raise ValueError(f"{what} needs about {_gib(nbytes)} of memory, more than the "
                         f"{_gib(free)} available; lower the sizes")
    return nbytes


def _chi(n: int, max_bond: int) -> int:
    """Largest bond an n-site qubit MPS capped at ``max_bond`` can reach."""
    return int(min(max_bond, 2 ** min(n // 2, 62)))


def evolve_memory(n: int, max_bond: int, records: int = 1) -> float:
    """Bytes of a TEBD run: the MPS three times over (state, gates applied, SVD copies)
    at bond ``chi`` (``n chi^2 2`` complex entries each), one SVD workspace of a
    ``2chi x 2chi`` matrix times 4, and the recorded observables (``records x n`` floats,
    3 kinds)."""
    chi = _chi(n, max_bond)
    return 3.0 * n * chi * chi * 2 * _COMPLEX + 4.0 * (2 * chi) ** 2 * _COMPLEX \
        + 3.0 * records * n * 8


def compile_memory(n: int, max_bond: int, layers: int) -> float:
    """Bytes of an AQC compile: the TEBD target, plus reverse-mode JAX intermediates of the
    overlap contraction: per layer and site one target-bond x circuit-bond environment,
    the circuit bond being at most ``2^layers`` (capped at the target's), kept 4 times."""
    chi = _chi(n, max_bond)
    circ = int(min(2 ** min(layers, 62), chi))
    return evolve_memory(n, max_bond) + 4.0 * n * layers * chi * circ * 4 * _COMPLEX


def steps(t: float, dt: float) -> int:
    """Number of TEBD steps of an evolution to ``t`` by ``dt`` (at least one)."""
    if not dt > 0 or not math.isfinite(t / dt):
        return MAX_STEPS + 1
    return max(1, math.ceil(t / dt - 1e-9))
