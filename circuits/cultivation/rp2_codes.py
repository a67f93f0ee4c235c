"""Codes of RP^2 cultivation (Chen, Chen, Lu, Pan 2025): RP-d and the self-dual SRP-d.

Coordinates
-----------
All positions are *doubled* so that every qubit is a distinct point of the integer grid:
the data qubit of the paper at ``(x, y)`` (``x, y`` in ``-h..h``, ``h = d // 2``) sits at
``2x + 2yj``, and the measurement qubit of the plaquette centred at the half-integer point
``(p_x, p_y)`` sits at the odd point ``2p_x + 2p_y j``.  The ``2d`` flag qubits that turn
RP-d into SRP-d sit in two extra rows, ``F(i, -1) = 2i - (2h + 2)j`` and
``F(i, +1) = 2i + (2h + 2)j`` (``i`` in ``-h..h``); for RP3 inside the RP5 layout these are
the points of RP5's outer rows, which they free again before RP5 needs them.

RP-d (the rotated surface code on the real projective plane)
    The ``(d + 1)^2`` plaquettes of a ``d x d`` rotated surface code are coloured as a
    checkerboard, X-type where ``p_x - p_y`` is even.  Bulk plaquettes are the usual
    weight-4 checks; each plaquette of the outer ring is merged with its antipodal
    partner at ``-p`` (the boundary is glued by ``(x, y) -> (-x, -y)``).  That gives
    ``(d^2 + 1) / 2`` checks of each type with one relation each: ``[[d^2, 1, d]]``.
    ``X_L`` is X on the middle row, ``Z_L`` is Z on the middle column and the cultivated
    observable is ``Y_L = i X_L Z_L``.  A merged check's measurement qubit is the one of
    its two ring plaquettes with ``y < 0``.
SRP-d (self-dual RP)
    RP-d plus ``2d`` flags in Bell pairs, mapped by the morphing CNOT circuit of the
    paper (:func:`morph_layers`).  The stabiliser group is read off that circuit with
    stim (so it cannot disagree with the circuits), reduced to a basis and checked to be
    self-dual (X- and Z-type stabilisers on the same supports) with ``X^n``, ``Z^n``,
    ``Y^n`` logical: SRP-3 is ``[[15, 1, 3]]``, SRP-5 is ``[[35, 1, 5]]``.
    :attr:`SRPCode.t_dagger_set` is a set ``B`` with ``|g & B| = |g|/2 (mod 2)`` for every
    stabiliser ``g``: T on the other qubits and T-dagger on ``B`` make the transversal
    ``H_XY``-type product a logical operator (needed because the weight-6 stabilisers
    have ``|g| = 2 mod 4``).

Every code is checked when built: commuting checks, ``k = 1``, logicals of the stated
weight, and no nontrivial logical of weight below ``d`` (enumeration of all supports of
weight ``< d``: up to 52k supports for SRP-5; the distance is enumerated for d <= 5 only).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache

import numpy as np
import stim

from circuits.cultivation.layers import Layer, layer
from circuits.cultivation.layout import _rref, gf2_nullspace, gf2_rank

__all__ = ["RP2_DISTANCES", "RPCode", "SRPCode", "flag_positions", "morph_layers", "rp_code",
           "srp_code"]

RP2_DISTANCES = (3, 5)
#: CNOT slot order (offsets from the plaquette centre) of X and Z checks: N and Z shapes
X_ORDER = (-1 - 1j, -1 + 1j, 1 - 1j, 1 + 1j)
Z_ORDER = (-1 - 1j, 1 - 1j, -1 + 1j, 1 + 1j)


def _key(q: complex) -> tuple[float, float]:
    return q.real, q.imag


@dataclass(frozen=True)
class Check:
    """One stabiliser measured by one measurement qubit.

    Attributes
    ----------
    basis
        ``"X"`` or ``"Z"``.
    ancilla
        Position of the measurement qubit.
    slots
        ``(time slot, data position)`` pairs: the data qubit touched in each CNOT slot
        (slot ``k`` uses offset ``X_ORDER[k]`` / ``Z_ORDER[k]`` from its half-plaquette).
    """

    basis: str
    ancilla: complex
    slots: tuple[tuple[int, complex], ...]

    @property
    def support(self) -> tuple[complex, ...]:
        """Data qubits of the check, sorted."""
        return tuple(sorted((q for _, q in self.slots), key=_key))


@dataclass(frozen=True)
class RPCode:
    """The rotated surface code on RP^2 (doubled coordinates, see the module doc).

    Attributes
    ----------
    distance
        ``d`` (odd).
    data
        Data positions, sorted by ``(x, y)``.
    checks
        X checks then Z checks (each a :class:`Check`).
    logical_x, logical_z
        Supports of ``X_L`` (middle row) and ``Z_L`` (middle column).
    """

    distance: int
    data: tuple[complex, ...]
    checks: tuple[Check, ...]
    logical_x: tuple[complex, ...]
    logical_z: tuple[complex, ...]

    @property
    def n(self) -> int:
        """Number of data qubits."""
        return len(self.data)

    @property
    def x_checks(self) -> tuple[Check, ...]:
        """The X-type checks."""
        return tuple(c for c in self.checks if c.basis == "X")

    @property
    def z_checks(self) -> tuple[Check, ...]:
        """The Z-type checks."""
        return tuple(c for c in self.checks if c.basis == "Z")

    @property
    def ancillas(self) -> tuple[complex, ...]:
        """Measurement-qubit positions."""
        return tuple(c.ancilla for c in self.checks)

    def logical_y(self) -> tuple[tuple[str, complex], ...]:
        """``Y_L = i X_L Z_L`` as ``(pauli, position)`` pairs."""
        out = []
        for q in self.data:
            inx, inz = q in self.logical_x, q in self.logical_z
            if inx or inz:
                out.append(("Y" if inx and inz else "X" if inx else "Z", q))
        return tuple(out)


@dataclass(frozen=True)
class SRPCode:
    """The self-dual SRP-d code (RP-d plus 2d flags after morphing).

    Attributes
    ----------
    distance
        ``d``.
    data
        All ``d^2 + 2d`` qubit positions (RP-d data and flags), sorted.
    flags
        The flag positions, ``F(i, -1)`` then ``F(i, +1)``.
    stabilizers
        Supports of a basis of the stabilisers; each is both an X- and a Z-type check.
    t_dagger_set
        A set ``B`` with ``|g & B| = |g|/2 mod 2`` for every stabiliser (see module doc).
    """

    distance: int
    data: tuple[complex, ...]
    flags: tuple[complex, ...]
    stabilizers: tuple[tuple[complex, ...], ...]
    t_dagger_set: tuple[complex, ...]

    @property
    def n(self) -> int:
        """Number of qubits."""
        return len(self.data)


# ------------------------------------------------------------------ RP-d
@cache
def rp_code(distance: int) -> RPCode:
    """The RP-``distance`` code (``distance`` odd, >= 3), checked when built.

    Examples
    --------
    >>> c = rp_code(3)
    >>> c.n, len(c.x_checks), len(c.z_checks)
    (9, 5, 5)
    """
    if isinstance(distance, bool) or not isinstance(distance, int):
        raise TypeError(f"distance must be an int, got {type(distance).__name__}")
    if distance < 3 or distance % 2 == 0:
        raise ValueError(f"distance must be odd and >= 3, got {distance}")
    h = distance // 2
    data = tuple(sorted((complex(2 * x, 2 * y) for x in range(-h, h + 1)
                         for y in range(-h, h + 1)), key=_key))
    dset = set(data)
    edge = 2 * h + 1
    centres = [complex(px, py) for px in range(-edge, edge + 1, 2)
               for py in range(-edge, edge + 1, 2)]
    checks: list[Check] = []
    done: set[complex] = set()
    ring_index: list[int] = []
    for p in sorted(centres, key=lambda c: (c.imag, c.real)):
        if p in done:
            continue
        basis = "X" if int(p.real - p.imag) % 4 == 0 else "Z"
        order = X_ORDER if basis == "X" else Z_ORDER
        ring = abs(p.real) == edge or abs(p.imag) == edge
        halves = [p, -p] if ring else [p]
        done.update(halves)
        slots = tuple((k, c + o) for c in halves for k, o in enumerate(order) if c + o in dset)
        if ring:
            ring_index.append(len(checks))
        checks.append(Check(basis, p, tuple(sorted(slots, key=lambda s: (s[0], _key(s[1]))))))
    checks = _schedule(checks, ring_index)
    checks.sort(key=lambda c: (c.basis, _key(c.ancilla)))
    code = RPCode(distance, data, tuple(checks),
                  tuple(complex(2 * x, 0) for x in range(-h, h + 1)),
                  tuple(complex(0, 2 * y) for y in range(-h, h + 1)))
    _check_css(code.data, [c.support for c in code.x_checks], [c.support for c in code.z_checks],
               code.logical_x, code.logical_z, distance if distance <= 5 else 1)
    return code


def _valid_pair(a: Check, b: Check) -> bool:
    """An X and a Z check measured in one round: on their shared qubits the X-check CNOT
    must come first an even number of times (else the two measurements disturb each
    other)."""
    ta = {q: k for k, q in a.slots}
    tb = {q: k for k, q in b.slots}
    first = sum(1 for q in ta.keys() & tb.keys() if (ta[q] < tb[q]) == (a.basis == "X"))
    return first % 2 == 0


def _schedule(checks: list[Check], ring: list[int]) -> list[Check]:
    """Re-time the merged (wrapping) checks so that one round measures every check.

    The bulk checks keep the N / Z orders.  Across the glued boundary the N / Z orders do
    not interleave correctly, so the wrapping checks' CNOT times are found by
    backtracking (fewest layers first; none exists with 4 or 5 layers when the bulk keeps
    its orders, so the result uses 6, one more than the paper's schedule, which also
    re-times some edge bulk checks): every qubit is used at most once per layer and every
    overlapping X/Z pair is valid.
    """
    for layers in (6,):  # 4 and 5 were searched exhaustively: no schedule
        fixed = [c for i, c in enumerate(checks) if i not in ring]
        result = _search(fixed, [checks[i] for i in ring], layers)
        if result is not None:
            out = list(checks)
            for i, c in zip(ring, result, strict=True):
                out[i] = c
            return out
    raise AssertionError("no valid CNOT schedule for the wrapping checks")  # pragma: no cover


def _search(fixed: list[Check], todo: list[Check], layers: int) -> list[Check] | None:
    busy: set[tuple[int, complex]] = {(k, q) for c in fixed for k, q in c.slots}
    placed: list[Check] = list(fixed)
    out: list[Check] = []

    def options(c: Check):
        qs = [q for _, q in c.slots]
        default = tuple(k for k, _ in c.slots)
        perms = sorted(itertools.permutations(range(layers), len(qs)),
                       key=lambda t: (t != default, max(t), t))
        for times in perms:
            if any((k, q) in busy for k, q in zip(times, qs, strict=True)):
                continue
            yield Check(c.basis, c.ancilla, tuple(sorted(zip(times, qs, strict=True),
                                                         key=lambda s: (s[0], _key(s[1])))))

    def rec(i: int) -> bool:
        if i == len(todo):
            return True
        for cand in options(todo[i]):
            if all(_valid_pair(cand, o) for o in placed if o.basis != cand.basis):
                slots = set(cand.slots)
                busy.update(slots)
                placed.append(cand)
                out.append(cand)
                if rec(i + 1):
                    return True
                busy.difference_update(slots)
                placed.pop()
                out.pop()
        return False

    return out if rec(0) else None


# ------------------------------------------------------------------ GF(2) checks
def _matrix(supports, index: dict[complex, int]) -> np.ndarray:
    m = np.zeros((len(supports), len(index)), dtype=np.uint8)
    for r, s in enumerate(supports):
        for q in s:
            m[r, index[q]] ^= 1
    return m


def _in_span(rows: np.ndarray, v: np.ndarray) -> bool:
    return gf2_rank(np.vstack([rows, v])) == gf2_rank(rows)


def _min_logical_weight_at_least(h_check: np.ndarray, h_stab: np.ndarray, d: int) -> bool:
    """No vector of weight < d commutes with ``h_check`` without lying in span(h_stab)."""
    n = h_check.shape[1]
    for w in range(1, d):
        combos = np.array(list(itertools.combinations(range(n), w)))
        vecs = np.zeros((len(combos), n), dtype=np.uint8)
        np.put_along_axis(vecs, combos, 1, axis=1)
        syndrome = (vecs @ h_check.T) % 2
        for v in vecs[~syndrome.any(axis=1)]:
            if not _in_span(h_stab, v):
                return False
    return True


def _check_css(data, x_supports, z_supports, lx, lz, d: int) -> None:
    """Assert that the CSS code is ``[[n, 1, d]]`` with the given logicals."""
    index = {q: i for i, q in enumerate(data)}
    hx, hz = _matrix(x_supports, index), _matrix(z_supports, index)
    n = len(data)
    if ((hx.astype(int) @ hz.T.astype(int)) % 2).any():
        raise AssertionError("X and Z checks do not commute")
    k = n - gf2_rank(hx) - gf2_rank(hz)
    if k != 1:
        raise AssertionError(f"code has k = {k}, expected 1")
    vx, vz = _matrix([lx], index)[0], _matrix([lz], index)[0]
    if ((hz @ vx) % 2).any() or ((hx @ vz) % 2).any() or int(vx @ vz) % 2 != 1:
        raise AssertionError("logical operators are not logical")
    if not (_min_logical_weight_at_least(hz, hx, d) and _min_logical_weight_at_least(hx, hz, d)):
        raise AssertionError(f"code distance is below {d}")


# ------------------------------------------------------------------ morphing
def flag_positions(distance: int) -> tuple[tuple[complex, ...], tuple[complex, ...]]:
    """``(F(i, -1) for i, F(i, +1) for i)`` of SRP-``distance`` (doubled coordinates)."""
    h = distance // 2
    return (tuple(complex(2 * i, -(2 * h + 2)) for i in range(-h, h + 1)),
            tuple(complex(2 * i, 2 * h + 2) for i in range(-h, h + 1)))


def _p(x: int, y: int) -> complex:
    return complex(2 * x, 2 * y)


def _packs(distance: int) -> list[tuple[complex, ...]]:
    """Per column: the data qubits the morph couples, then ``F(i, -1)``, ``F(i, +1)``.

    d = 3: ``(a, b, F-, F+)`` with ``a = (i, -1)``, ``b = (i, 1)``.  d = 5: six-packs
    ``(a, b, c, e, F-, F+)``, ``a, b, c, e = (i, -2), (i, 2), (i, -1), (i, 1)`` except in
    the slots of columns -1 and 0, which take ``(-1, -1), (-1, 1), (0, -1), (0, 1)`` and
    ``(-1, -2), (-1, 2), (0, -2), (0, 2)`` (paper, ``rp5_to_color_new``).
    """
    top, bottom = flag_positions(distance)
    if distance == 3:
        return [(_p(i, -1), _p(i, 1), top[k], bottom[k]) for k, i in enumerate((-1, 0, 1))]
    if distance == 5:
        rows = {-2: ((-2, -2), (-2, 2), (-2, -1), (-2, 1)),
                -1: ((-1, -1), (-1, 1), (0, -1), (0, 1)),
                0: ((-1, -2), (-1, 2), (0, -2), (0, 2)),
                1: ((1, -2), (1, 2), (1, -1), (1, 1)),
                2: ((2, -2), (2, 2), (2, -1), (2, 1))}
        return [(*(_p(*q) for q in rows[i]), top[k], bottom[k])
                for k, i in enumerate(range(-2, 3))]
    raise ValueError(f"distance must be one of {RP2_DISTANCES}, got {distance}")


def morph_layers(distance: int, *, inverse: bool = False) -> list[Layer]:
    """The constant-depth CNOT circuit RP-d (+ flag Bell pairs) -> SRP-d.

    Forward: reset the flags (``F-`` in ``|+>``, ``F+`` in ``|0>``), entangle them, then
    d = 3: ``CX F- -> a, b -> F+`` and ``CX a -> b``; d = 5: ``CX F- -> a, F+ -> c``,
    ``CX b -> F-, e -> F+``, ``CX a -> b, c -> e`` (paper, ``rp3_to_color_compact`` and
    ``rp5_to_color_new``).  ``inverse=True`` plays the CNOT layers backwards and ends by
    reading ``F-`` in the X basis and ``F+`` in the Z basis (the flags' Bell-pair checks).
    """
    packs = _packs(distance)
    f_minus = [p[-2] for p in packs]
    f_plus = [p[-1] for p in packs]
    bell = layer(("CX", [q for p in packs for q in (p[-2], p[-1])]))
    if distance == 3:
        cx = [layer(("CX", [q for a, b, fm, fp in packs for q in (fm, a, b, fp)])),
              layer(("CX", [q for a, b, _, _ in packs for q in (a, b)]))]
    else:
        cx = [layer(("CX", [q for a, _, c, _, fm, fp in packs for q in (fm, a, fp, c)])),
              layer(("CX", [q for _, b, _, e, fm, fp in packs for q in (b, fm, e, fp)])),
              layer(("CX", [q for a, b, c, e, _, _ in packs for q in (a, b, c, e)]))]
    if not inverse:
        return [layer(("RX", f_minus), ("R", f_plus)), bell, *cx]
    return [*reversed(cx), bell, layer(("MX", f_minus), ("M", f_plus))]


def _unitary_circuit(layers: list[Layer], index: dict[complex, int]) -> stim.Circuit:
    circuit = stim.Circuit()
    for lay in layers:
        for name, targets, _ in lay.ops:
            if name == "CX":
                circuit.append("CX", [index[q] for q in targets])
    return circuit


def _basis(rows: np.ndarray) -> np.ndarray:
    reduced, _ = _rref(rows % 2)
    return reduced[reduced.any(axis=1)]


def _short_basis(rows: np.ndarray) -> np.ndarray:
    """A basis of span(rows) made of short vectors (greedy over the span's small words)."""
    span = _basis(rows)
    r = len(span)
    words = []
    for c in itertools.product((0, 1), repeat=r) if r <= 18 else []:
        if any(c):
            words.append((np.array(c, dtype=np.uint8) @ span) % 2)
    if not words:  # pragma: no cover - spans this large are not built
        return span
    words.sort(key=lambda w: (int(w.sum()), tuple(-w)))
    chosen: list[np.ndarray] = []
    for w in words:
        if not chosen or not _in_span(np.array(chosen), w):
            chosen.append(w)
            if len(chosen) == r:
                break
    return np.array(chosen)


@cache
def srp_code(distance: int) -> SRPCode:
    """The SRP-``distance`` code (3 or 5) obtained by morphing RP-``distance``.

    Examples
    --------
    >>> c = srp_code(3)
    >>> c.n, len(c.stabilizers), sorted(len(s) for s in c.stabilizers)
    (15, 7, [4, 4, 4, 4, 4, 6, 6])
    """
    if distance not in RP2_DISTANCES:
        raise ValueError(f"distance must be one of {RP2_DISTANCES}, got {distance}")
    rp = rp_code(distance)
    top, bottom = flag_positions(distance)
    qubits = tuple(sorted(rp.data + top + bottom, key=_key))
    index = {q: i for i, q in enumerate(qubits)}
    n = len(qubits)
    circuit = _unitary_circuit(morph_layers(distance)[1:], index)  # Bell CX and morph

    def image(pauli: str, support) -> np.ndarray:
        ps = stim.PauliString(n)
        for q in support:
            ps[index[q]] = pauli
        out = ps.after(circuit)
        xs, zs = out.to_numpy()
        return np.concatenate([xs, zs]).astype(np.uint8)

    # stabilisers before the Bell CX: RP checks, X on F-, Z on F+
    gens = [image(c.basis, c.support) for c in rp.checks]
    gens += [image("X", [f]) for f in top] + [image("Z", [f]) for f in bottom]
    gens = np.array(gens)
    xpart, zpart = gens[:, :n], gens[:, n:]
    x_rows = _basis(xpart[~zpart.any(axis=1)])
    z_rows = _basis(zpart[~xpart.any(axis=1)])
    if len(x_rows) + len(z_rows) != gf2_rank(gens):
        raise AssertionError("morphed stabilisers are not CSS")
    if len(x_rows) != len(z_rows) or gf2_rank(np.vstack([x_rows, z_rows])) != len(x_rows):
        raise AssertionError("morphed code is not self-dual")
    ones = np.ones(n, dtype=np.uint8)
    for pauli, v in (("X", ones), ("Z", ones)):
        if ((x_rows @ v) % 2).any():
            raise AssertionError(f"{pauli}^n is not a logical operator")
    # logical Y of RP maps to Y^n up to stabilisers
    y = image("X", rp.logical_x) ^ image("Z", rp.logical_z)
    target = np.concatenate([ones, ones])
    stab = np.vstack([np.hstack([x_rows, 0 * x_rows]), np.hstack([0 * z_rows, z_rows])])
    if not _in_span(stab, y ^ target):
        raise AssertionError("Y_L of RP-d does not map to Y^n")
    short = _short_basis(x_rows)
    supports = tuple(tuple(q for q in qubits if row[index[q]]) for row in short)
    _check_css(qubits, supports, supports, qubits, qubits, distance)
    # T-dagger set: <g, 1_B> = |g| / 2 (mod 2) for every generator
    rhs = np.array([(int(r.sum()) // 2) % 2 for r in short], dtype=np.uint8)
    b = _solve_gf2(short, rhs)
    if b is None:  # pragma: no cover - solvable for both codes
        raise AssertionError("no T / T-dagger pattern makes the check logical")
    return SRPCode(distance, qubits, top + bottom, supports,
                   tuple(q for q in qubits if b[index[q]]))


def _solve_gf2(a: np.ndarray, rhs: np.ndarray) -> np.ndarray | None:
    """A solution ``x`` of ``a x = rhs`` over GF(2) (odd weight preferred), or ``None``."""
    aug = np.hstack([a % 2, rhs[:, None]]).astype(np.uint8)
    reduced, pivots = _rref(aug)
    n = a.shape[1]
    if n in pivots:
        return None
    x = np.zeros(n, dtype=np.uint8)
    for r, c in enumerate(pivots):
        x[c] = reduced[r, -1]
    if x.sum() % 2 == 0:  # add an odd-weight null vector if there is one
        for v in gf2_nullspace(a % 2):
            if v.sum() % 2:
                x ^= v
                break
    return x
