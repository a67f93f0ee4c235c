"""The escape stage: growing the cultivated colour code into a big matchable code.

Circuit (GSJ 2024): after injection and cultivation at distance ``d1`` the new data qubits
of the ``d2`` surface code are reset (``|+>`` for ``y >= 0``, ``|0>`` below), ``r1`` rounds
of the hybrid code are measured, then one transition round and ``r2`` rounds of the
grafted matchable code (:mod:`.escape_codes`), and finally an ideal readout of every
stabiliser and of the logical ``Y`` on the right edge.

Detectors
    * cultivation: every deterministic parity of the cultivation measurements
      (post-selected), as in :func:`~.layers.compile_layers`;
    * escape: for each round and each check ``P``, the measurements that reveal ``P`` at
      the start of the round (stim's ``solve_flow_measurements`` on ``P -> 1``) XOR those
      that prepared it at the end of the previous round (``1 -> P``); in the first round
      the previous value is solved on the whole cultivation + growth prefix.  First-round
      detectors on the colour code and, in every hybrid round, those of the colour checks
      that the matchable code drops are post-selected (as GSJ post-select red X and green
      Z); all later ones are tagged ``decode`` for the matching decoder
      (:mod:`.decoding`).
    * the observable: the ideal readout of the logical XOR its solved frame.

Example
-------
>>> from circuits.cultivation.escape import escape_circuit
>>> from circuits.cultivation.verify import check_deterministic
>>> circuit = escape_circuit(3, 6, r1=2, r2=1)
>>> check_deterministic(circuit)  # every detector and the observable fixed without noise
>>> circuit.num_observables
1
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import stim

from circuits.cultivation.escape_codes import (
    GREEN,
    RED,
    Tile,
    hybrid_code,
    matchable_code,
    right_observable,
)
from circuits.cultivation.layers import Layer, _deterministic_parities, layer
from circuits.cultivation.layout import color_code
from circuits.cultivation.stages import cultivation_layers

__all__ = ["ESCAPE_DISTANCES", "escape_circuit", "round_layers"]

ESCAPE_DISTANCES = (3, 5)


def _cx_layers(tiles: Sequence[Tile]) -> list[list[tuple[complex, complex]]]:
    """CNOTs of one round in 8 layers (control, target)."""
    L: list[list[tuple[complex, complex]]] = [[] for _ in range(8)]

    def add(k: int, c: complex, t: complex) -> None:
        L[k - 1].append((c, t))

    for t in tiles:
        m, s, sup = t.measure, t.schedule, t.data
        if s in ("superdense", "bell-x", "bell-z") and t.basis == "X":
            a, b = m, m + 1
            add(1, a, b)
            add(8, a, b)
            if s != "bell-z":
                for k, (da, db) in ((2, (-1, 2)), (3, (1j, 1 + 1j)), (4, (-1j, 1 - 1j))):
                    if a + da in sup:
                        add(k, a, a + da)
                    if a + db in sup:
                        add(k, b, a + db)
        elif s in ("superdense", "bell-x", "bell-z") and t.basis == "Z":
            a, b = m - 1, m
            if s != "bell-x":
                for k, (da, db) in ((5, (-1, 2)), (6, (1j, 1 + 1j)), (7, (-1j, 1 - 1j))):
                    if a + da in sup:
                        add(k, a + da, a)
                    if a + db in sup:
                        add(k, a + db, b)
        elif s == "shingle":
            offsets = ((4, -1j), (5, -1), (6, 1), (8, 1j)) if t.basis == "X" else \
                ((4, -1j), (5, 1), (6, -1), (8, 1j))
            for k, o in offsets:
                if m + o in sup:
                    add(k, *((m, m + o) if t.basis == "X" else (m + o, m)))
        elif s == "shingle-edge":
            v = m - 1j if m - 1j in sup else m + 1j
            h = m - 1 if m - 1 in sup else m + 1
            for k, q in ((1, v), (2, h)):
                add(k, *((m, q) if t.basis == "X" else (q, m)))
        elif s == "pentagon":
            add(1, m, m + 1)
            add(3, m - 1, m - 1 + 1j)
            add(3, m, m + 1j)
            add(4, m, m - 1j)
            add(5, m, m - 1)
            add(6, m - 1, m - 1 + 1j)
        elif s == "triangle":
            add(1, m, m + 1)
            add(3, m, m - 1j)
            add(4, m, m - 1)
        elif s == "relay-edge":
            e = m
            add(3, e - 1j, e)
            add(4, e + 1, e)
            add(5, e - 2j, e - 1j)
            add(6, e - 1j, e)
            add(7, e - 2j, e - 1j)
        else:  # pragma: no cover
            raise ValueError(f"unknown schedule {s}")
    for k, lay in enumerate(L):
        used = [q for pair in lay for q in pair]
        if len(used) != len(set(used)):
            raise AssertionError(f"qubit used twice in CX layer {k + 1}")
    return L


def round_layers(tiles: Sequence[Tile]) -> list[Layer]:
    """One round measuring every tile: resets, 8 CX layers, measurements."""
    xs = sorted((t.measure for t in tiles if t.basis == "X"), key=lambda q: (q.real, q.imag))
    zs = sorted((t.measure for t in tiles if t.basis == "Z"), key=lambda q: (q.real, q.imag))
    out = [layer(("RX", xs), ("R", zs))]
    for pairs in _cx_layers(tiles):
        out.append(layer(("CX", [q for pair in pairs for q in pair])))
    out.append(layer(("MX", xs), ("M", zs)))
    return out


def _pauli(tile_or_obs, index: dict[complex, int]) -> stim.PauliString:
    ps = stim.PauliString(len(index))
    if isinstance(tile_or_obs, Tile):
        for q in tile_or_obs.data:
            ps[index[q]] = tile_or_obs.basis
    else:
        for q, p in tile_or_obs.items():
            ps[index[q]] = p
    return ps


def escape_circuit(d1: int = 3, d2: int | None = None, *, r1: int | None = None,
                   r2: int = 5) -> stim.Circuit:
    """Injection, cultivation at ``d1`` and escape into the distance-``d2`` matchable code.

    Parameters
    ----------
    d1
        Cultivation distance, 3 or 5.
    d2
        Surface-code distance after escape (``>= 2 d1``; default ``2 d1 + 1``).
    r1
        Rounds of the hybrid code (default ``d1``; at least ``d1 - 1``, below which the
        fault distance drops under ``d1``).
    r2
        Rounds of the matchable code after the transition round.

    Returns
    -------
    stim.Circuit
        Noiseless; detectors tagged ``decode`` are for the matching decoder, all others
        are post-selected.
    """
    for name, v in (("d1", d1), ("r2", r2)):
        if isinstance(v, bool) or not isinstance(v, int):
            raise TypeError(f"{name} must be an int, got {type(v).__name__}")
    if d1 not in ESCAPE_DISTANCES:
        raise ValueError(f"d1 must be one of {ESCAPE_DISTANCES}, got {d1}")
    d2 = 2 * d1 + 1 if d2 is None else d2
    r1 = d1 if r1 is None else r1
    if isinstance(d2, bool) or not isinstance(d2, int) or d2 < 2 * d1:
        raise ValueError(f"d2 must be an int >= 2*d1 = {2 * d1}, got {d2!r}")
    if isinstance(r1, bool) or not isinstance(r1, int) or r1 < max(d1 - 1, 1):
        # fewer hybrid rounds leave the dropped colour checks too few comparisons: the
        # fault distance falls below d1 (2 instead of 3 at d1 = 3, r1 = 1)
        raise ValueError(f"r1 must be an int >= d1 - 1 = {max(d1 - 1, 1)}, got {r1!r}")
    if r2 < 0:
        raise ValueError(f"r2 must be >= 0, got {r2}")
    hybrid = [t for t in hybrid_code(d1, d2)]
    final = matchable_code(d1, d2)
    colour_data = set(color_code(d1).data)
    new_data = sorted({q for t in hybrid for q in t.data} - colour_data,
                      key=lambda q: (q.real, q.imag))
    growth = [("X" if q.imag >= 0 else "Z", q) for q in new_data]
    # GSJ's compiled layer order (readouts before the last T layer, growth inside the
    # check); the new data qubits are reset with the first round's ancillas below
    cult = cultivation_layers(d1, compact=True)[:-1]  # without the ideal readout
    rounds: list[tuple[list[Layer], list[Tile], list[Tile], str]] = []
    growth_layer = layer(("RX", [q for b, q in growth if b == "X"]),
                         ("R", [q for b, q in growth if b == "Z"]))
    first = round_layers(hybrid)
    if set(first[0].qubits()) & set(new_data):  # pragma: no cover - disjoint by layout
        raise AssertionError("growth qubits overlap the first round's ancillas")
    rounds.append((first, hybrid, hybrid, "first"))
    for _ in range(r1 - 1):
        rounds.append((round_layers(hybrid), hybrid, hybrid, "hybrid"))
    rounds.append((round_layers(final), hybrid, final, "transition"))
    for _ in range(r2):
        rounds.append((round_layers(final), final, final, "matchable"))

    positions = sorted({q for lay in cult for q in lay.qubits()}
                       | {q for r in rounds for lay in r[0] for q in lay.qubits()}
                       | {q for t in final for q in t.data},
                       key=lambda q: (q.real, q.imag))
    index = {q: i for i, q in enumerate(positions)}
    obs = right_observable(final)
    readout = [t for t in final if t.data]

    def emit(layers: Sequence[Layer], circuit: stim.Circuit, tick: bool = True) -> None:
        for lay in layers:
            for name, targets, tag in lay.ops:
                circuit.append(stim.CircuitInstruction(name, [index[q] for q in targets], [],
                                                       tag=tag))
            if tick:
                circuit.append("TICK")

    body = stim.Circuit()
    for q in positions:
        body.append("QUBIT_COORDS", [index[q]], [q.real, q.imag])
    emit(cult, body)
    cult_rows = _deterministic_parities(body, seed=0)
    detectors: list[tuple[list[int], tuple, str]] = []
    for row in cult_rows:
        ms = list(np.nonzero(row)[0])
        detectors.append((ms, (0, 0, -1, -1), "post"))

    prev_prepare: dict[tuple, list[int]] = {}
    prefix = body.copy()
    for k, (layers, before, after, kind) in enumerate(rounds):
        chunk = stim.Circuit()
        emit(layers, chunk)
        offset = prefix.num_measurements
        measured = _solve(chunk, [(_pauli(t, index), None) for t in before if t.data])
        if kind == "first":  # the new data qubits' resets, solved as part of the prefix
            grown = prefix.copy()
            emit([growth_layer], grown, tick=False)
        for t, ms in zip([t for t in before if t.data], measured, strict=True):
            key = (t.basis, t.data)
            if ms is None:
                continue
            if kind == "first":
                pre = _solve_prepare(grown, _pauli(t, index))
                if pre is None:
                    continue
                # post-selected when it compares with a value carried from cultivation
                tag = "post" if t.data & colour_data else "decode"
                detectors.append((pre + [offset + m for m in ms], _coord(t, k), tag))
            elif key in prev_prepare:
                # GSJ post-select the colour checks that the matchable code ablates, red X
                # and green Z, in every round that compares them; the others are decoded
                tag = "post" if _ablated(t) else "decode"
                detectors.append((prev_prepare[key] + [offset + m for m in ms],
                                  _coord(t, k), tag))
        # a Bell partner without data reads a fixed value each round: a flag detector
        flags = _flag_measurements(chunk, after)
        detectors += [([offset + m], _coord(t, k), "decode") for t, m in flags]
        prepared = _solve(chunk, [(None, _pauli(t, index)) for t in after if t.data])
        prev_prepare = {(t.basis, t.data): [offset + m for m in ms]
                        for t, ms in zip([t for t in after if t.data], prepared, strict=True)
                        if ms is not None}
        if kind == "first":  # emitted with the first round's ancilla resets
            chunk = stim.Circuit()
            emit([Layer(layers[0].ops + growth_layer.ops), *layers[1:]], chunk)
        prefix += chunk
    # ideal readout
    offset = prefix.num_measurements
    for j, t in enumerate(readout):
        targets = []
        for q in sorted(t.data, key=lambda q: (q.real, q.imag)):
            if targets:
                targets.append(stim.target_combiner())
            targets.append(stim.target_pauli(index[q], t.basis))
        prefix.append(stim.CircuitInstruction("MPP", targets, [], tag="ideal"))
        key = (t.basis, t.data)
        if key in prev_prepare:
            detectors.append((prev_prepare[key] + [offset + j], _coord(t, len(rounds)),
                              "decode"))
    targets = []
    for q, p in obs.items():
        if targets:
            targets.append(stim.target_combiner())
        targets.append(stim.target_pauli(index[q], p))
    prefix.append(stim.CircuitInstruction("MPP", targets, [], tag="ideal"))
    total = prefix.num_measurements
    frame = _solve_prepare(_without_last(prefix), _pauli(obs, index))
    if frame is None:
        raise AssertionError("the logical is not determined by the measurements")
    frame = earliest_frame(frame, [ms for ms, _, _ in detectors])
    return assemble(prefix, detectors, frame, total)


def earliest_frame(frame: Sequence[int], detectors: Sequence[Sequence[int]]) -> list[int]:
    """The observable's frame with its latest measurements traded for earlier ones.

    A frame (the measurements XORed into the logical readout) is fixed up to detectors;
    Gaussian elimination over GF(2) with each detector's latest measurement as pivot
    rewrites ``frame`` without any pivot measurement.  The result uses the cultivation
    measurements that carry the logical and as few escape-round ones as the detectors
    allow, like GSJ's compiled circuits, so an escape error flips the observable only where
    the logical crosses, which :class:`~.decoding.GapDecoder` relies on for its flip-edge rule.

    Examples
    --------
    >>> earliest_frame([0, 2], [[1, 2]])
    [0, 1]
    """
    pivots: dict[int, int] = {}
    for ms in detectors:
        row = 0
        for m in ms:
            row ^= 1 << int(m)
        while row:
            top = row.bit_length() - 1
            if top not in pivots:
                pivots[top] = row
                break
            row ^= pivots[top]
    f = 0
    for m in frame:
        f ^= 1 << int(m)
    for bit in range(f.bit_length() - 1, -1, -1):
        if (f >> bit) & 1 and bit in pivots:
            f ^= pivots[bit]
    return [b for b in range(f.bit_length()) if (f >> b) & 1]


def assemble(prefix: stim.Circuit, detectors: list[tuple[list[int], tuple, str]],
             frame: list[int], total: int) -> stim.Circuit:
    """Append the detectors (``(measurements, coords, "post" | "decode")``) and the
    observable (``frame`` plus the last measurement) to ``prefix``.

    ``total`` is ``prefix.num_measurements``; measurement indices are absolute.
    """
    out = prefix.copy()
    out.append("TICK")
    for ms, coords, tag in detectors:
        out.append(stim.CircuitInstruction(
            "DETECTOR", [stim.target_rec(m - total) for m in sorted(set(ms))],
            list(coords), tag="" if tag == "post" else "decode"))
    out.append("OBSERVABLE_INCLUDE", [stim.target_rec(m - total) for m in [*frame, total - 1]],
               0)
    return out


def _without_last(c: stim.Circuit) -> stim.Circuit:
    out = stim.Circuit()
    items = list(c)
    for ins in items[:-1]:
        out.append(ins)
    return out


def _coord(t: Tile, k: int) -> tuple[float, float, float, float]:
    """Detector coordinates ``(x, y, round, basis)`` with basis 0 = X, 1 = Z."""
    return t.measure.real, t.measure.imag, float(k), float(t.basis == "Z")


def _ablated(t: Tile) -> bool:
    """A colour check that the matchable code ablates (red X, green Z: GSJ post-select them)."""
    return t.schedule == "superdense" and (
        (t.basis == "X" and t.color == RED) or (t.basis == "Z" and t.color == GREEN))


def _flag_measurements(chunk: stim.Circuit, tiles: Sequence[Tile]) -> list[tuple[Tile, int]]:
    """``(tile, measurement index in chunk)`` of the data-less tiles whose readout is fixed.

    Measurement order follows :func:`round_layers`: X tiles sorted by position, then Z.
    """
    key = lambda q: (q.real, q.imag)  # noqa: E731
    xs = sorted((t for t in tiles if t.basis == "X"), key=lambda t: key(t.measure))
    zs = sorted((t for t in tiles if t.basis == "Z"), key=lambda t: key(t.measure))
    n = chunk.num_measurements
    out = []
    for j, t in enumerate([*xs, *zs]):
        if not t.data and chunk.has_flow(stim.Flow(measurements=[j - n])):
            out.append((t, j))
    return out


def _solve(chunk: stim.Circuit, flows: list[tuple]) -> list[list[int] | None]:
    """Measurements of ``chunk`` realising each flow ``P -> 1`` or ``1 -> P``."""
    n = chunk.num_qubits
    objs = []
    for before, after in flows:
        b = before if before is not None else stim.PauliString(n)
        a = after if after is not None else stim.PauliString(n)
        objs.append(stim.Flow(input=_fit(b, n), output=_fit(a, n)))
    return [list(r) if r is not None else None
            for r in chunk.solve_flow_measurements(objs)]


def _fit(p: stim.PauliString, n: int) -> stim.PauliString:
    if len(p) == n:
        return p
    out = stim.PauliString(n)
    for i in range(min(n, len(p))):
        out[i] = p[i]
    return out


def _solve_prepare(circuit: stim.Circuit, pauli: stim.PauliString) -> list[int] | None:
    n = circuit.num_qubits
    (res,) = circuit.solve_flow_measurements([stim.Flow(input=stim.PauliString(n),
                                                        output=_fit(pauli, n))])
    return None if res is None else list(res)
