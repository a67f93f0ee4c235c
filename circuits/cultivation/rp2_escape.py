"""RP^2 cultivation end to end: one-round expansion into a rotated surface code, decoded.

Circuit (Chen, Chen, Lu, Pan 2025, Sec. V; the authors' ``color_to_rp*_to_sc_bell``):

1. RP^2 injection and cultivation at ``d1`` (3 or 5; :func:`~.rp2.rp2_cultivation_layers`
   without its ideal readout), ending with the morph back to RP-``d1`` and the flag reads.
2. **Growth in one round** into the distance-``d2`` rotated surface code (``d2 >= d1 + 4``,
   odd; the RP patch stays centred at the origin):

   * the ring of new data qubits next to the RP patch (radius ``h1 + 1``, ``h1 = d1 // 2``)
     is prepared as *antipodal Bell pairs* ``q ~ -q`` (control ``|+>`` on the lower row and
     the left column, target ``|0>``), so that each old wrapping check of RP-``d1`` times
     the Bell pairs' ``XX`` / ``ZZ`` equals the product of the two new surface-code checks
     at ``p`` and ``-p``;
   * the outer rings are reset so that the surface-code checks there are deterministic:
     ``|0>`` where ``|y| > |x|`` (top and bottom: Z boundaries) and ``|+>`` where
     ``|x| >= |y|`` (left and right: X boundaries);
   * the resets go in one layer, the Bell CNOTs share the next with the ancilla resets,
     then one surface-code round (4 CNOT layers) is measured.

   Every deterministic parity of the measurements up to and including this round is a
   post-selected detector (derived by noiseless sampling,
   :func:`~.layers._deterministic_parities`): the cultivation detectors, the interior
   checks compared with the last RP round, ``old(p) + new(p) + new(-p)`` at the old
   wrapping checks, ``new(p) + new(-p)`` on the Bell ring and the single outer checks.
   Their basis is then changed greedily (:func:`_sparsify`) so that no depolarising error
   flips more than 14 detectors: the check tree spreads errors widely and stim's error
   decomposition, which the matching decoder needs, refuses composite errors with more
   than 15 symptoms (the set of kept shots does not depend on the basis).
3. ``rounds`` (default ``d1``) surface-code rounds; their detectors, derived like those of
   :mod:`.escape` with stim's ``solve_flow_measurements`` (``P -> 1`` on the round XOR
   ``1 -> P`` on the previous round), are tagged ``decode`` for
   :class:`~.decoding.GapDecoder`.
4. The ideal (noiseless, ``ideal``-tagged) ``MPP`` readout of every surface-code
   stabiliser (decoded detectors against the last round) and of ``Y_L`` last: ``X`` on the
   middle row (ending on the left / right X boundaries), ``Z`` on the middle column
   (ending on the top / bottom Z boundaries), ``Y`` at the centre.  The observable is that
   readout XOR its frame, ``1 -> Y_L`` solved on the circuit up to the growth round
   (``Y_L`` commutes with the later rounds, so no decoded measurement enters it).

Surface-code rounds use the standard rotated-code CNOT order: N-shaped for X checks
(offsets ``(-1,-1), (-1,+1), (+1,-1), (+1,+1)`` in doubled coordinates: a hook is a
vertical X pair, perpendicular to ``X_L``), Z-shaped for Z checks (a hook is a horizontal
Z pair, perpendicular to ``Z_L``).  Coordinates are doubled as in :mod:`.rp2_codes`: data
at even points, measurement qubits at odd points.  Decoded detectors have coordinates
``(x, y, round, basis)`` with ``basis`` 0 for X and 1 for Z; post-selected ones
``(x, y, -1, -1)`` at their latest measurement.

Not reproduced from the paper: the un-morph is not interleaved with the growth (two more
layers than the paper's schedule), and the decoder is our single complementary gap on a
plain matching graph, not the paper's two soft outputs with antipodal image nodes.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
import stim

from circuits.cultivation.escape import _solve, _solve_prepare, assemble
from circuits.cultivation.layers import Layer, _deterministic_parities, layer
from circuits.cultivation.noise import NoiseModel
from circuits.cultivation.protocols import _finish
from circuits.cultivation.rp2 import rp2_cultivation_layers
from circuits.cultivation.rp2_codes import RP2_DISTANCES, X_ORDER, Z_ORDER, Check

__all__ = ["growth_resets", "rotated_surface_code", "rp2_end_to_end_circuit",
           "sc_logical_y", "sc_round"]


def _key(q: complex) -> tuple[float, float]:
    return q.real, q.imag


@cache
def rotated_surface_code(d: int) -> tuple[tuple[complex, ...], tuple[Check, ...]]:
    """Data positions and checks of the distance-``d`` rotated surface code (doubled
    coordinates, centred at 0, the RP checkerboard: X where ``(p_x - p_y) % 4 == 0``).

    Boundaries: weight-2 X checks on the left / right edges, weight-2 Z checks on the top
    / bottom edges, so ``X_L`` runs along a row and ``Z_L`` along a column.
    """
    h = d // 2
    data = tuple(sorted((complex(2 * x, 2 * y) for x in range(-h, h + 1)
                         for y in range(-h, h + 1)), key=_key))
    dset = set(data)
    edge = 2 * h + 1
    checks = []
    for px in range(-edge, edge + 1, 2):
        for py in range(-edge, edge + 1, 2):
            basis = "X" if (px - py) % 4 == 0 else "Z"
            side_x, side_y = abs(px) == edge, abs(py) == edge
            if side_x and side_y:
                continue
            if (side_x and basis != "X") or (side_y and basis != "Z"):
                continue
            p = complex(px, py)
            order = X_ORDER if basis == "X" else Z_ORDER
            slots = tuple((k, p + o) for k, o in enumerate(order) if p + o in dset)
            checks.append(Check(basis, p, slots))
    checks.sort(key=lambda c: (c.basis, _key(c.ancilla)))
    return data, tuple(checks)


def sc_logical_y(d: int) -> dict[complex, str]:
    """``Y_L``: X on the middle row, Z on the middle column, Y at the centre."""
    h = d // 2
    out = {complex(2 * x, 0): "X" for x in range(-h, h + 1)}
    for y in range(-h, h + 1):
        q = complex(0, 2 * y)
        out[q] = "Y" if q in out else "Z"
    return out


def sc_round(checks: Sequence[Check], *, extra_reset: tuple = ()) -> list[Layer]:
    """One surface-code round: ancilla resets (with ``extra_reset`` ops), 4 CNOT layers,
    measurements."""
    xs = sorted((c.ancilla for c in checks if c.basis == "X"), key=_key)
    zs = sorted((c.ancilla for c in checks if c.basis == "Z"), key=_key)
    out = [layer(("RX", xs), ("R", zs), *extra_reset)]
    for k in range(4):
        targets: list[complex] = []
        for c in checks:
            for s, q in c.slots:
                if s == k:
                    targets += [c.ancilla, q] if c.basis == "X" else [q, c.ancilla]
        out.append(layer(("CX", targets)))
    out.append(layer(("MX", xs), ("M", zs)))
    return out


def growth_resets(d1: int, d2: int) -> tuple[list[complex], list[complex],
                                             list[tuple[complex, complex]]]:
    """``(reset |+>, reset |0>, Bell (control, target) pairs)`` of the new data qubits."""
    h1, h2 = d1 // 2, d2 // 2
    r1 = h1 + 1
    plus: list[complex] = []
    zero: list[complex] = []
    bell: list[tuple[complex, complex]] = []
    for x in range(-r1, r1 + 1):  # lower row of the ring: controls, upper row: targets
        bell.append((complex(2 * x, -2 * r1), complex(-2 * x, 2 * r1)))
    for y in range(-r1 + 1, r1):  # left column: controls, right column: targets
        bell.append((complex(-2 * r1, 2 * y), complex(2 * r1, -2 * y)))
    for x in range(-h2, h2 + 1):
        for y in range(-h2, h2 + 1):
            if max(abs(x), abs(y)) <= r1:
                continue
            (zero if abs(y) > abs(x) else plus).append(complex(2 * x, 2 * y))
    plus += [c for c, _ in bell]
    zero += [t for _, t in bell]
    return sorted(plus, key=_key), sorted(zero, key=_key), bell


def _check_args(d1, d2, rounds) -> tuple[int, int, int]:
    if isinstance(d1, bool) or not isinstance(d1, int):
        raise TypeError(f"d1 must be an int, got {type(d1).__name__}")
    if d1 not in RP2_DISTANCES:
        raise ValueError(f"d1 must be one of {RP2_DISTANCES}, got {d1}")
    d2 = 2 * d1 + 1 if d2 is None else d2
    if isinstance(d2, bool) or not isinstance(d2, int):
        raise TypeError(f"d2 must be an int or None, got {type(d2).__name__}")
    if d2 < d1 + 4 or d2 % 2 == 0:
        raise ValueError(f"d2 must be an odd int >= d1 + 4 = {d1 + 4}, got {d2}")
    rounds = d1 if rounds is None else rounds
    if isinstance(rounds, bool) or not isinstance(rounds, int):
        raise TypeError(f"rounds must be an int or None, got {type(rounds).__name__}")
    if rounds < 1:
        raise ValueError(f"rounds must be >= 1, got {rounds}")
    return d1, d2, rounds


def rp2_end_to_end_layers(d1: int, d2: int, rounds: int) -> tuple[list[Layer], list[Layer],
                                                                 list[list[Layer]]]:
    """``(cultivation layers, growth round layers, decoded rounds)`` (no readout)."""
    cult = rp2_cultivation_layers(d1)[:-1]
    _, checks = rotated_surface_code(d2)
    plus, zero, bell = growth_resets(d1, d2)
    busy = set(cult[-1].qubits())
    resets = layer(("RX", plus), ("R", zero))
    if busy & set(resets.qubits()):
        # the ring overlaps the flags read in the last cultivation layer: own layer
        grow = [resets]
    else:  # pragma: no cover - the flags always sit on the ring
        cult[-1] = Layer(cult[-1].ops + resets.ops)
        grow = []
    grow += sc_round(checks, extra_reset=(("CX", [q for pair in bell for q in pair]),))
    return cult, grow, [sc_round(checks) for _ in range(rounds)]


@cache
def _noiseless_text(d1: int, d2: int, rounds: int) -> str:
    cult, grow, later = rp2_end_to_end_layers(d1, d2, rounds)
    data, checks = rotated_surface_code(d2)
    obs = sc_logical_y(d2)
    positions = sorted({q for lay in [*cult, *grow, *(x for r in later for x in r)]
                        for q in lay.qubits()} | set(data), key=_key)
    index = {q: i for i, q in enumerate(positions)}

    def emit(layers: Sequence[Layer], circuit: stim.Circuit) -> list[complex]:
        where: list[complex] = []
        for lay in layers:
            for name, targets, tag in lay.ops:
                circuit.append(stim.CircuitInstruction(name, [index[q] for q in targets], [],
                                                       tag=tag))
                if stim.gate_data(name).produces_measurements:
                    where += list(targets)
            circuit.append("TICK")
        return where

    def pauli(ops: dict[complex, str]) -> stim.PauliString:
        ps = stim.PauliString(len(index))
        for q, p in ops.items():
            ps[index[q]] = p
        return ps

    check_paulis = [pauli({q: c.basis for q in c.support}) for c in checks]
    prefix = stim.Circuit()
    for q in positions:
        prefix.append("QUBIT_COORDS", [index[q]], [q.real, q.imag])
    meas_pos = emit(cult, prefix)
    meas_pos += emit(grow, prefix)
    detectors: list[tuple[list[int], tuple, str]] = []
    for row in _deterministic_parities(prefix, seed=0):
        detectors.append(([int(m) for m in np.nonzero(row)[0]], (), "post"))
    # Y_L commutes with the surface-code rounds: its frame is read off the post-selected
    # prefix, so no decoded measurement enters the observable
    frame = _solve_prepare(prefix, pauli(obs))
    if frame is None:  # pragma: no cover - guarded by the tests
        raise AssertionError("the logical is not determined by the measurements")
    # the growth round as the "previous round" of the first decoded round
    last_chunk = stim.Circuit()
    emit(grow, last_chunk)
    offset = prefix.num_measurements - last_chunk.num_measurements
    prev = {}
    for c, ms in zip(checks, _solve(last_chunk, [(None, p) for p in check_paulis]),
                     strict=True):
        if ms is not None:
            prev[c] = [offset + m for m in ms]
    for k, lay in enumerate(later, start=1):
        chunk = stim.Circuit()
        emit(lay, chunk)
        offset = prefix.num_measurements
        measured = _solve(chunk, [(p, None) for p in check_paulis])
        for c, ms in zip(checks, measured, strict=True):
            if ms is not None and c in prev:
                detectors.append((prev[c] + [offset + m for m in ms], _coord(c, k), "decode"))
        prepared = _solve(chunk, [(None, p) for p in check_paulis])
        prev = {c: [offset + m for m in ms]
                for c, ms in zip(checks, prepared, strict=True) if ms is not None}
        prefix += chunk
    # ideal readout: every stabiliser, then Y_L
    offset = prefix.num_measurements
    for j, c in enumerate(checks):
        targets = []
        for q in c.support:
            if targets:
                targets.append(stim.target_combiner())
            targets.append(stim.target_pauli(index[q], c.basis))
        prefix.append(stim.CircuitInstruction("MPP", targets, [], tag="ideal"))
        if c in prev:
            detectors.append((prev[c] + [offset + j], _coord(c, len(later) + 1), "decode"))
    targets = []
    for q, p in sorted(obs.items(), key=lambda kv: _key(kv[0])):
        if targets:
            targets.append(stim.target_combiner())
        targets.append(stim.target_pauli(index[q], p))
    prefix.append(stim.CircuitInstruction("MPP", targets, [], tag="ideal"))
    total = prefix.num_measurements
    post = [ms for ms, _, tag in detectors if tag == "post"]
    post = _sparsify(post, [(ms, co, tag) for ms, co, tag in detectors if tag == "decode"],
                     prefix, frame, total)
    decoded = [(ms, co, tag) for ms, co, tag in detectors if tag == "decode"]
    return str(assemble(prefix, [(ms, _post_coord(ms, meas_pos), "post") for ms in post]
                         + decoded, frame, total))


def _post_coord(ms: list[int], meas_pos: list[complex]) -> tuple[float, ...]:
    q = meas_pos[max(ms)]
    return q.real, q.imag, -1.0, -1.0


_SYMPTOM_TARGET = 14
_SKIP = ("DETECTOR", "OBSERVABLE_INCLUDE", "QUBIT_COORDS", "SHIFT_COORDS", "TICK")


def _basis_case_flips(circuit: stim.Circuit, stop: int) -> tuple[np.ndarray, np.ndarray]:
    """Measurement flips of every basis case of every depolarising error of ``circuit``
    (uniform noise) before its ``stop``-th measurement, and the composite error each case
    belongs to (later errors flip no post-selected detector)."""
    ops = list(circuit.flattened())
    cases: list[tuple[int, int, str]] = []  # (instruction, qubit, pauli)
    group: list[int] = []
    g = 0
    done = 0
    for k, ins in enumerate(ops):
        if stim.gate_data(ins.name).produces_measurements:
            done += stim.Circuit(str(ins)).num_measurements
        if done >= stop:
            break
        if ins.name in ("DEPOLARIZE1", "DEPOLARIZE2"):
            qs = [t.value for t in ins.targets_copy()]
            width = 1 if ins.name == "DEPOLARIZE1" else 2
            for s in range(0, len(qs), width):
                for q in qs[s:s + width]:
                    for pauli in "XZ":
                        cases.append((k, q, pauli))
                        group.append(g)
                g += 1
    out = []
    step = 4096  # cases per pass: the masks cost qubits x batch per noise instruction
    for lo in range(0, len(cases), step):
        part = cases[lo:lo + step]
        sim = stim.FlipSimulator(batch_size=len(part), disable_stabilizer_randomization=True,
                                 num_qubits=circuit.num_qubits)
        by_ins: dict[int, list[int]] = {}
        for shot, (k, _, _) in enumerate(part):
            by_ins.setdefault(k, []).append(shot)
        for k, ins in enumerate(ops):
            if k in by_ins:
                for pauli in "XZ":
                    mask = np.zeros((circuit.num_qubits, len(part)), dtype=bool)
                    for shot in by_ins[k]:
                        if part[shot][2] == pauli:
                            mask[part[shot][1], shot] = True
                    sim.broadcast_pauli_errors(pauli=pauli, mask=mask)
            elif ins.name not in _SKIP and not (stim.gate_data(ins.name).is_noisy_gate
                                                and not stim.gate_data(ins.name).is_reset
                                                and not stim.gate_data(ins.name)
                                                .produces_measurements):
                sim.do(stim.CircuitInstruction(ins.name, ins.targets_copy(), [], tag=ins.tag))
        out.append(sim.get_measurement_flips(bit_packed=False))
    return np.concatenate(out, axis=1), np.array(group)


def _sparsify(post: list[list[int]], decoded: list, prefix: stim.Circuit, frame: list[int],
              total: int) -> list[list[int]]:
    """Change the basis of the post-selected detectors (``D_i <- D_i xor D_j``, greedily)
    until every depolarising error flips at most 14 detectors with all its basis cases.

    Which shots are kept only depends on the span of the post-selected parities, so any
    basis is as good for post-selection; but errors of the RP^2 check tree spread onto
    many qubits, and with the echelon basis some composite errors reach ~30 detectors,
    beyond what stim's error decomposition (used by :class:`~.decoding.GapDecoder`)
    accepts.
    """
    from circuits.cultivation.noise import uniform_depolarizing

    n = len(post)
    noisy = uniform_depolarizing(1e-3).apply(
        assemble(prefix, [(ms, (0.0,), "post") for ms in post] + decoded, frame, total))
    stop = max(max(ms) for ms in post) + 1
    flips, group = _basis_case_flips(noisy, stop)  # (measurements, cases)
    rows = np.zeros((n, flips.shape[0]), dtype=np.uint8)
    for i, ms in enumerate(post):
        rows[i, ms] = 1
    drows = np.zeros((len(decoded), flips.shape[0]), dtype=np.uint8)
    for i, (ms, _, _) in enumerate(decoded):
        drows[i, ms] = 1
    f = flips.astype(np.uint8)
    s = ((rows @ f) % 2).T.astype(bool)        # cases x post detectors
    sd = ((drows @ f) % 2).T.astype(bool)      # cases x decoded detectors
    starts = np.r_[0, np.nonzero(np.diff(group))[0] + 1]
    dec_count = np.logical_or.reduceat(sd, starts, axis=0).sum(axis=1) if len(decoded) else 0
    union = np.logical_or.reduceat(s, starts, axis=0)   # groups x post detectors
    tot = union.sum(axis=1) + dec_count
    sets = [set(ms) for ms in post]

    def cost(t: np.ndarray) -> np.ndarray:
        return np.maximum(t - _SYMPTOM_TARGET + 1, 0).sum(axis=0)

    cur = int(cost(tot))
    for _ in range(20 * n):
        if cur == 0:
            break
        hot_groups = np.nonzero(tot > _SYMPTOM_TARGET - 3)[0]
        hot_cases = np.isin(group, group[starts[hot_groups]])
        sh = s[hot_cases]
        st = np.r_[0, np.nonzero(np.diff(group[hot_cases]))[0] + 1]
        uh, th = union[hot_groups].astype(np.int64), tot[hot_groups]
        base = int(cost(th))
        move = None
        # first improving move, trying the detectors of the worst composite errors first
        for i in np.argsort(-union[tot > _SYMPTOM_TARGET - 1].sum(axis=0), kind="stable"):
            new_u = np.logical_or.reduceat(sh[:, [i]] ^ sh, st, axis=0)
            gain = base - cost(th[:, None] - uh[:, [i]] + new_u)
            gain[i] = -1
            j = int(gain.argmax())
            if gain[j] > 0:
                move = int(i), j
                break
        if move is None:
            break
        i, j = move
        col = s[:, i] ^ s[:, j]
        new_union_i = np.logical_or.reduceat(col, starts)
        new_tot = tot - union[:, i] + new_union_i
        if int(cost(new_tot)) >= cur:
            break
        s[:, i], union[:, i], tot, cur = col, new_union_i, new_tot, int(cost(new_tot))
        sets[i] ^= sets[j]
    return [sorted(x) for x in sets]


def _coord(c: Check, k: int) -> tuple[float, float, float, float]:
    return c.ancilla.real, c.ancilla.imag, float(k), float(c.basis == "Z")


def rp2_end_to_end_circuit(d1: int = 3, d2: int | None = None, *, rounds: int | None = None,
                           noise: NoiseModel | None = None) -> stim.Circuit:
    """RP^2 cultivation at ``d1``, one-round growth into the ``d2`` rotated surface code,
    ``rounds`` decoded rounds and the ideal ``Y_L`` readout.

    Parameters
    ----------
    d1
        Cultivation distance, 3 or 5.
    d2
        Surface-code distance, odd and ``>= d1 + 4`` (default ``2 d1 + 1``: the paper's
        SC7 for d1 = 3 and SC11 for d1 = 5).
    rounds
        Surface-code rounds after the growth round (default ``d1``).
    noise
        Noise model applied to the circuit (``None``: noiseless).

    Returns
    -------
    stim.Circuit
        Detectors up to and including the growth round are post-selected (untagged), the
        later ones are tagged ``decode``; observable 0 is ``Y_L``.

    Examples
    --------
    >>> c = rp2_end_to_end_circuit(3, 7)
    >>> c.num_qubits, c.num_observables
    (97, 1)
    """
    d1, d2, rounds = _check_args(d1, d2, rounds)
    return _finish(stim.Circuit(_noiseless_text(d1, d2, rounds)), noise)
