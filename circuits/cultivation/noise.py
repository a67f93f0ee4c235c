"""Circuit-level noise models as values, applied to noiseless ``stim.Circuit`` s.

A :class:`NoiseModel` is a frozen dataclass of per-operation error strengths; applying it
(:func:`apply_noise`) returns a new circuit and never changes its input.  A *moment* is a
stretch between ``TICK`` s; every qubit of the circuit that no operation of a moment
touches is idle in that moment (also before its first and after its last use, as in
Gidney, Shutty and Jones 2024, whose numbers we compare with).

``uniform_depolarizing(p)`` (the "uniform" model of GSJ 2024)
    ``DEPOLARIZE1(p)`` after one-qubit gates, ``DEPOLARIZE2(p)`` after two-qubit gates, a
    flip with probability ``p`` after resets and on measurement results, ``DEPOLARIZE1(p)``
    on measured qubits after the measurement, and ``DEPOLARIZE1(p)`` on idle qubits.
``si1000(p)`` (Gidney, Newman, Fowler, Broughton 2021)
    Two-qubit gates ``p``, one-qubit gates ``p/10``, idle ``p/10``, reset flips ``2p``,
    measurement flips ``5p`` followed by ``DEPOLARIZE1(p)``, and an extra ``2p`` on the
    idle qubits of moments that measure or reset.

Instructions tagged ``ideal`` (the noiseless ``MPP`` boundary that reads out the prepared
state) get no noise, and a moment made only of ideal instructions adds no idle noise.
T gates are simulated by their Clifford proxies (``S[T]``, ``S_DAG[T_DAG]``), which get
one-qubit gate noise like any other gate.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import stim

__all__ = ["IDEAL_TAG", "NOISE_MODELS", "NoiseModel", "apply_noise", "noise_model", "si1000",
           "split_moments", "uniform_depolarizing"]

IDEAL_TAG = "ideal"
_ANNOTATIONS = {"TICK", "DETECTOR", "OBSERVABLE_INCLUDE", "QUBIT_COORDS", "SHIFT_COORDS"}
_RESET_FLIP = {"R": "X_ERROR", "RZ": "X_ERROR", "RX": "Z_ERROR", "RY": "X_ERROR",
               "MR": "X_ERROR", "MRZ": "X_ERROR", "MRX": "Z_ERROR", "MRY": "X_ERROR"}


@dataclass(frozen=True)
class NoiseModel:
    """Per-operation error strengths (each a probability in [0, 0.5)).

    Attributes
    ----------
    name
        ``"uniform"`` or ``"si1000"`` for the built-in models.
    p
        The model's base strength.
    gate1, gate2
        Depolarising strength after one- and two-qubit gates.
    idle
        Depolarising strength on an idle qubit in every noisy moment.
    idle_measure_reset
        Additional depolarising strength on idle qubits of a moment that measures/resets.
    measure_flip, measure_depolarize
        Result-flip probability and depolarising after a measurement.
    reset_flip
        Probability that a reset prepares the orthogonal state.
    """

    name: str
    p: float
    gate1: float
    gate2: float
    idle: float
    idle_measure_reset: float
    measure_flip: float
    measure_depolarize: float
    reset_flip: float

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise TypeError(f"name must be a str, got {type(self.name).__name__}")
        for field in ("p", "gate1", "gate2", "idle", "idle_measure_reset", "measure_flip",
                      "measure_depolarize", "reset_flip"):
            _check_probability(field, getattr(self, field))

    def apply(self, circuit: stim.Circuit) -> stim.Circuit:
        """Return ``circuit`` with this model's noise (see :func:`apply_noise`)."""
        return apply_noise(circuit, self)


def _check_probability(field: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{field} must be a float, got {type(value).__name__}")
    if not (math.isfinite(value) and 0.0 <= value < 0.5):
        raise ValueError(f"{field} must be in [0, 0.5), got {value}")


def uniform_depolarizing(p: float) -> NoiseModel:
    """Uniform depolarising noise of strength ``p`` on every operation and idle qubit.

    Examples
    --------
    >>> uniform_depolarizing(1e-3).gate2
    0.001
    """
    _check_probability("p", p)
    return NoiseModel("uniform", p, p, p, p, 0.0, p, p, p)


def si1000(p: float) -> NoiseModel:
    """SI1000 noise of strength ``p`` (``5p`` measurement flips must stay below 0.5).

    Examples
    --------
    >>> si1000(1e-3).measure_flip
    0.005
    """
    _check_probability("p", p)
    if 5 * p >= 0.5:
        raise ValueError(f"p must be below 0.1 for si1000 (5p is a flip probability), got {p}")
    return NoiseModel("si1000", p, p / 10, p, p / 10, 2 * p, 5 * p, p, 2 * p)


NOISE_MODELS = {"uniform": uniform_depolarizing, "si1000": si1000}


def noise_model(name: str, p: float) -> NoiseModel:
    """The named model (``"uniform"`` or ``"si1000"``) at strength ``p``.

    Raises
    ------
    ValueError
        For an unknown ``name`` or ``p`` outside ``[0, 0.5)``.
    """
    if not isinstance(name, str):
        raise TypeError(f"noise must be a str, got {type(name).__name__}")
    key = name.lower().replace("-", "").replace("_", "")
    key = {"uniformdepolarizing": "uniform", "depolarizing": "uniform"}.get(key, key)
    if key not in NOISE_MODELS:
        raise ValueError(f"noise must be one of {sorted(NOISE_MODELS)}, got {name!r}")
    return NOISE_MODELS[key](p)


def _qubits(instruction: stim.CircuitInstruction) -> list[int]:
    return [t.value for t in instruction.targets_copy()
            if not t.is_combiner and not t.is_measurement_record_target
            and not t.is_sweep_bit_target]


def split_moments(
    instructions: Iterable[stim.CircuitInstruction],
) -> Iterator[tuple[list[stim.CircuitInstruction], stim.CircuitInstruction | None]]:
    """Group a flattened circuit into moments: ``(instructions, tick)`` pairs.

    ``tick`` is the ``TICK`` that ends the moment (``None`` for the last one), so appending
    each moment's (noisy) instructions and then its tick rebuilds the circuit's layout.

    Example
    -------
    >>> c = stim.Circuit()
    >>> c.append("H", [0]); c.append("TICK"); c.append("CX", [0, 1]); c.append("M", [0, 1])
    >>> [([i.name for i in m], t is not None) for m, t in split_moments(c.flattened())]
    [(['H'], True), (['CX', 'M'], False)]
    """
    moment: list[stim.CircuitInstruction] = []
    for ins in instructions:
        if ins.name == "TICK":
            yield moment, ins
            moment = []
        else:
            moment.append(ins)
    yield moment, None


def apply_noise(circuit: stim.Circuit, model: NoiseModel) -> stim.Circuit:
    """Insert ``model`` 's errors into a noiseless circuit.

    Parameters
    ----------
    circuit
        A noiseless circuit; ``REPEAT`` blocks are flattened.
    model
        The noise model.

    Returns
    -------
    stim.Circuit
        A new circuit with the same measurements, detectors and observables.

    Examples
    --------
    >>> c = stim.Circuit("R 0 1\\nTICK\\nCX 0 1\\nTICK\\nM 0")
    >>> print(apply_noise(c, uniform_depolarizing(0.01)))
    R 0 1
    X_ERROR(0.01) 0 1
    TICK
    CX 0 1
    DEPOLARIZE2(0.01) 0 1
    TICK
    M(0.01) 0
    DEPOLARIZE1(0.01) 0
    DEPOLARIZE1(0.01) 1
    """
    if not isinstance(circuit, stim.Circuit):
        raise TypeError(f"circuit must be a stim.Circuit, got {type(circuit).__name__}")
    if not isinstance(model, NoiseModel):
        raise TypeError(f"model must be a NoiseModel, got {type(model).__name__}")
    ops = list(circuit.flattened())
    for ins in ops:
        if stim.gate_data(ins.name).is_noisy_gate and ins.gate_args_copy():
            raise ValueError(f"circuit must be noiseless, found {ins}")
    all_qubits = range(circuit.num_qubits)
    out = stim.Circuit()

    def flush(moment: list[stim.CircuitInstruction]) -> None:
        touched: set[int] = set()
        measured: list[int] = []
        noisy = False
        measures_or_resets = False
        for ins in moment:
            if ins.name in _ANNOTATIONS:
                out.append(ins)
                continue
            qubits = _qubits(ins)
            touched.update(qubits)
            if ins.tag == IDEAL_TAG:
                out.append(ins)
                continue
            noisy = True
            data = stim.gate_data(ins.name)
            if data.produces_measurements:
                measures_or_resets = True
                args = [model.measure_flip] if model.measure_flip else []
                out.append(stim.CircuitInstruction(ins.name, ins.targets_copy(), args,
                                                   tag=ins.tag))
                measured += qubits
                if data.is_reset and model.reset_flip:
                    out.append(_RESET_FLIP[ins.name], qubits, model.reset_flip)
            elif data.is_reset:
                measures_or_resets = True
                out.append(ins)
                if model.reset_flip:
                    out.append(_RESET_FLIP[ins.name], qubits, model.reset_flip)
            elif data.is_two_qubit_gate:
                out.append(ins)
                if model.gate2:
                    out.append("DEPOLARIZE2", qubits, model.gate2)
            elif data.is_unitary:
                out.append(ins)
                if model.gate1:
                    out.append("DEPOLARIZE1", qubits, model.gate1)
            else:  # pragma: no cover - e.g. HERALDED gates, not produced by our builders
                raise ValueError(f"no noise rule for {ins.name}")
        if measured and model.measure_depolarize:
            out.append("DEPOLARIZE1", sorted(set(measured)), model.measure_depolarize)
        if noisy:
            idle = [q for q in all_qubits if q not in touched]
            strength = model.idle
            if measures_or_resets:  # independent channels compose approximately additively
                strength = 1 - (1 - model.idle) * (1 - model.idle_measure_reset)
            if idle and strength:
                out.append("DEPOLARIZE1", idle, strength)

    for moment, tick in split_moments(ops):
        flush(moment)
        if tick is not None:
            out.append(tick)
    return out
