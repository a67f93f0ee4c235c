"""Circuits as data: layers of gates on grid positions, compiled to ``stim.Circuit``.

A :class:`Layer` is a tuple of operations ``(gate, targets, tag)`` where the targets are
grid positions (complex numbers) or, for ``MPP``, one Pauli product given as a tuple of
``(pauli, position)`` pairs.  :func:`compile_layers` numbers the qubits by ``(x, y)``,
writes ``QUBIT_COORDS``, one ``TICK`` after every layer, and then the annotations:

* **detectors** are derived, not written by hand: the noiseless circuit is sampled, the
  parities of measurement results that never vary form a GF(2) space, and its basis in
  reduced echelon form with pivots on the *latest* measurement is emitted, each detector
  right after the layer of its latest measurement (coordinates ``(x, y, layer)`` of that
  measurement).  Every deterministic parity is therefore checked, which is what
  post-selected stages need; stim's ``detector_error_model`` then re-verifies determinism
  exactly.
* the **observable** is the deterministic parity that contains the last measurement of
  the circuit (the ideal readout of the prepared logical state), reduced by the detectors.

Example
-------
>>> from circuits.cultivation.layers import compile_layers, layer
>>> bell = [layer(("RX", [0j]), ("R", [1 + 0j])), layer(("CX", [0j, 1 + 0j])),
...         layer(("MPP", [("X", 0j), ("X", 1 + 0j)])),
...         layer(("MPP", [("Z", 0j), ("Z", 1 + 0j)]))]
>>> circuit = compile_layers(bell, observable=False)
>>> circuit.num_qubits, circuit.num_detectors  # both parities are deterministic
(2, 2)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import stim

from circuits.cultivation.layout import _rref, gf2_nullspace

__all__ = ["Layer", "compile_layers", "layer"]

Op = tuple[str, tuple, str]


@dataclass(frozen=True)
class Layer:
    """One moment of a circuit: operations acting on disjoint qubits."""

    ops: tuple[Op, ...]

    def qubits(self) -> list[complex]:
        """Positions touched by this layer."""
        out: list[complex] = []
        for name, targets, _ in self.ops:
            out += [t[1] for t in targets] if name == "MPP" else list(targets)
        return out


def layer(*ops: tuple) -> Layer:
    """Build a :class:`Layer` from ``(gate, targets)`` or ``(gate, targets, tag)`` tuples."""
    out = []
    for op in ops:
        name, targets, tag = (*op, "")[:3]
        targets = tuple(targets)
        if targets:
            out.append((name, targets, tag))
    return Layer(tuple(out))


def _sort_key(q: complex) -> tuple[float, float]:
    return q.real, q.imag


def compile_layers(layers: Sequence[Layer], *, observable: bool = True,
                   detectors: bool = True, seed: int = 0) -> stim.Circuit:
    """Compile ``layers`` to a stim circuit with derived detectors and observable.

    Parameters
    ----------
    layers
        The moments of the circuit.
    observable
        Make the deterministic parity containing the last measurement observable 0.
    detectors
        Emit a detector for every other independent deterministic parity.
    seed
        Seed of the noiseless sampling used to find the deterministic parities.
    """
    positions = sorted({q for lay in layers for q in lay.qubits()}, key=_sort_key)
    index = {q: i for i, q in enumerate(positions)}
    body = stim.Circuit()
    meas_layer: list[int] = []
    meas_pos: list[complex] = []
    for k, lay in enumerate(layers):
        for name, targets, tag in lay.ops:
            if name == "MPP":
                mpp = []
                for j, (pauli, q) in enumerate(targets):
                    if j:
                        mpp.append(stim.target_combiner())
                    mpp.append(stim.target_pauli(index[q], pauli))
                body.append(stim.CircuitInstruction("MPP", mpp, [], tag=tag))
                meas_layer.append(k)
                meas_pos.append(targets[0][1])
            else:
                body.append(stim.CircuitInstruction(name, [index[q] for q in targets], [],
                                                    tag=tag))
                if stim.gate_data(name).produces_measurements:
                    meas_layer += [k] * len(targets)
                    meas_pos += list(targets)
        body.append("TICK")
    rows = _deterministic_parities(body, seed) if (detectors or observable) else \
        np.zeros((0, len(meas_layer)), np.uint8)
    num_m = len(meas_layer)
    obs_row = None
    if observable:
        last = [r for r in range(len(rows)) if rows[r, num_m - 1]]
        if len(last) != 1:
            raise ValueError("the last measurement is not a deterministic logical readout")
        obs_row = last[0]
    by_layer: dict[int, list[np.ndarray]] = {}
    if detectors:
        for r, row in enumerate(rows):
            if r != obs_row:
                pivot = int(np.nonzero(row)[0].max())
                by_layer.setdefault(meas_layer[pivot], []).append(row)
    out = stim.Circuit()
    for q in positions:
        out.append("QUBIT_COORDS", [index[q]], [q.real, q.imag])
    done = 0
    layer_of_tick = 0
    for ins in body:
        out.append(ins)
        if ins.name != "TICK":
            if stim.gate_data(ins.name).produces_measurements:
                done += stim.Circuit(str(ins)).num_measurements
            continue
        for row in by_layer.get(layer_of_tick, []):
            ms = np.nonzero(row)[0]
            pivot = int(ms.max())
            q = meas_pos[pivot]
            out.append("DETECTOR", [stim.target_rec(int(m) - done) for m in ms],
                       [q.real, q.imag, layer_of_tick])
        layer_of_tick += 1
    if obs_row is not None:
        ms = np.nonzero(rows[obs_row])[0]
        out.append("OBSERVABLE_INCLUDE", [stim.target_rec(int(m) - num_m) for m in ms], 0)
    return out


def _deterministic_parities(circuit: stim.Circuit, seed: int) -> np.ndarray:
    """Basis of the parities that are constant in noiseless runs, pivots on the latest."""
    num_m = circuit.num_measurements
    shots = num_m + 96
    samples = circuit.compile_sampler(seed=seed).sample(shots).astype(np.uint8)
    varying = samples ^ samples[0]
    basis = gf2_nullspace(varying)
    if not len(basis):
        return basis
    # reduced echelon form with pivots on the latest measurement: reverse the columns
    reduced, _ = _rref(basis[:, ::-1])
    return reduced[:, ::-1]

