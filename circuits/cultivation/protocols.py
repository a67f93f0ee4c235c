"""Public circuit builders: plain functions returning annotated ``stim.Circuit`` s.

Each circuit ends with a noiseless (``ideal``-tagged) readout of every stabiliser and of
``Y_L`` on all data qubits, so its observable is the logical error of the state the stage
hands on.  Detectors are derived from the noiseless circuit (every deterministic parity);
all are post-selected.  Pass ``noise`` to get the noisy circuit directly, or apply a
:class:`~circuits.cultivation.noise.NoiseModel` later.
"""

from __future__ import annotations

import stim

from circuits.cultivation.layers import compile_layers
from circuits.cultivation.layout import color_code
from circuits.cultivation.noise import NoiseModel
from circuits.cultivation.stages import cultivation_layers, ideal_readout, injection_layers

__all__ = ["CULTIVATION_DISTANCES", "cultivation_circuit", "end_to_end_circuit",
           "injection_circuit"]

CULTIVATION_DISTANCES = (3, 5)


def _check_distance(d: int, offered: tuple[int, ...], name: str = "d") -> int:
    if isinstance(d, bool) or not isinstance(d, int):
        raise TypeError(f"{name} must be an int, got {type(d).__name__}")
    if d not in offered:
        raise ValueError(f"{name} must be one of {offered}, got {d}")
    return d


def _finish(circuit: stim.Circuit, noise: NoiseModel | None) -> stim.Circuit:
    if noise is None:
        return circuit
    if not isinstance(noise, NoiseModel):
        raise TypeError(f"noise must be a NoiseModel or None, got {type(noise).__name__}")
    return noise.apply(circuit)


def injection_circuit(*, noise: NoiseModel | None = None) -> stim.Circuit:
    """Unitary T-state injection into the d = 3 colour code, then the ideal readout.

    Examples
    --------
    >>> c = injection_circuit()
    >>> c.num_qubits, c.num_detectors, c.num_observables
    (14, 13, 1)
    """
    return _finish(compile_layers(injection_layers() + ideal_readout(color_code(3))), noise)


def cultivation_circuit(d: int = 3, *, noise: NoiseModel | None = None) -> stim.Circuit:
    """Injection plus cultivation up to distance ``d`` (3 or 5), then the ideal readout.

    d = 3: unitary injection and one double-checked ``H_XY`` measurement (15 qubits).
    d = 5: then growth to d = 5 with Bell pairs, three stabiliser rounds and the d = 5
    double check (42 qubits).

    Examples
    --------
    >>> from circuits.cultivation import uniform_depolarizing
    >>> c = cultivation_circuit(3, noise=uniform_depolarizing(1e-3))
    >>> c.num_qubits, c.num_detectors
    (15, 20)
    """
    d = _check_distance(d, CULTIVATION_DISTANCES)
    return _finish(compile_layers(cultivation_layers(d)), noise)


def end_to_end_circuit(d1: int = 3, d2: int | None = None, *, r1: int | None = None,
                       r2: int = 5, noise: NoiseModel | None = None) -> stim.Circuit:
    """Injection, cultivation at ``d1`` and escape into the distance-``d2`` matchable code.

    Cultivation detectors and the first escape round's comparisons with the colour code
    are post-selected; the other escape detectors are tagged ``decode`` (use
    :class:`~circuits.cultivation.decoding.GapDecoder`).  See
    :func:`circuits.cultivation.escape.escape_circuit` for the parameters.

    Examples
    --------
    >>> c = end_to_end_circuit(3, 6, r1=2, r2=1)
    >>> c.num_qubits
    76
    """
    from circuits.cultivation.escape import escape_circuit

    return _finish(escape_circuit(d1, d2, r1=r1, r2=r2), noise)
