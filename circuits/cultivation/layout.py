"""Triangular 6.6.6 colour codes laid out on a square grid of qubits.

Coordinates
-----------
Qubits are points ``x + 1j*y`` of the integer grid and two-qubit gates act between grid
neighbours, as in Gidney, Shutty and Jones (2024).  A plaquette centre is a point with
``x`` odd and ``y % 2 == (x // 2) % 2``; its data qubits are the centre plus
``{-1, +2, +1j, -1j, 1+1j, 1-1j}`` (a hexagon drawn as a 2x3 brick), its X-check
measurement qubit sits on the centre and its Z-check measurement qubit one step to the
right.  The distance-``d`` triangle keeps the data points with ``y >= 0``,
``3x >= 2y - 1`` and ``3x <= 6d - 3 - 2y``; plaquettes keeping four or six of their data
qubits are the stabilisers (each both X- and Z-type: the code is self-dual).  A plaquette's
colour is ``(y // 2 - (x // 2) % 2) mod 3``.  The distance-3 code is the top-left corner
of the distance-5 code, with the same coordinates.

The codes have ``[[n, 1, d]]`` with ``n = (3 d^2 + 1)/4``; :func:`color_code` checks this,
the even overlaps and the distance (by enumeration for d <= 5) when it builds a code.
Transversal ``X``, ``Z`` and ``Y`` on all data qubits are logical operators; cultivation
tracks ``Y_L`` on all data.  The minimum-weight logical on the top edge (``y = 0``) is
:attr:`ColorCode.top_logical`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache

import numpy as np

__all__ = ["OFFERED_DISTANCES", "ColorCode", "color_code", "gf2_nullspace", "gf2_rank"]

OFFERED_DISTANCES = (3, 5)
_HEXAGON = (-1, 2, 1j, -1j, 1 + 1j, 1 - 1j)


@dataclass(frozen=True)
class ColorCode:
    """A triangular colour code on the square grid.

    Attributes
    ----------
    distance
        Code distance ``d``.
    data
        Data-qubit positions, sorted by ``(x, y)``.
    plaquettes
        Data-qubit positions of each plaquette (sorted).
    centers
        Plaquette centres = X-check measurement qubits (Z-check qubit at ``center + 1``).
    colors
        Colour 0, 1, 2 (red, green, blue) of each plaquette.
    """

    distance: int
    data: tuple[complex, ...]
    plaquettes: tuple[tuple[complex, ...], ...]
    centers: tuple[complex, ...]
    colors: tuple[int, ...]

    @property
    def n(self) -> int:
        """Number of data qubits."""
        return len(self.data)

    @property
    def top_logical(self) -> tuple[complex, ...]:
        """Data qubits on the top edge ``y = 0`` (a weight-``d`` logical operator)."""
        return tuple(q for q in self.data if q.imag == 0)

    def check_matrix(self) -> np.ndarray:
        """``(n_plaquettes, n)`` 0/1 matrix of the plaquettes over the data qubits."""
        index = {q: i for i, q in enumerate(self.data)}
        h = np.zeros((len(self.plaquettes), self.n), dtype=np.uint8)
        for k, plaq in enumerate(self.plaquettes):
            h[k, [index[q] for q in plaq]] = 1
        return h


def _key(q: complex) -> tuple[float, float]:
    return q.real, q.imag


def gf2_rank(matrix: np.ndarray) -> int:
    """Rank over GF(2) of a 0/1 matrix."""
    return len(_rref(np.asarray(matrix, dtype=np.uint8) % 2)[1])


def _rref(m: np.ndarray) -> tuple[np.ndarray, list[int]]:
    m = m.copy()
    pivots: list[int] = []
    r = 0
    for c in range(m.shape[1]):
        if r == m.shape[0]:
            break
        hits = np.nonzero(m[r:, c])[0]
        if hits.size == 0:
            continue
        p = r + hits[0]
        if p != r:
            m[[r, p]] = m[[p, r]]
        rows = np.nonzero(m[:, c])[0]
        rows = rows[rows != r]
        m[rows] ^= m[r]
        pivots.append(c)
        r += 1
    return m[:r], pivots


def gf2_nullspace(matrix: np.ndarray) -> np.ndarray:
    """Basis (rows) of ``{v : matrix @ v = 0}`` over GF(2)."""
    m = np.asarray(matrix, dtype=np.uint8) % 2
    n = m.shape[1]
    reduced, pivots = _rref(m)
    free = [c for c in range(n) if c not in set(pivots)]
    basis = np.zeros((len(free), n), dtype=np.uint8)
    for k, f in enumerate(free):
        basis[k, f] = 1
        for row, p in zip(reduced, pivots, strict=True):
            if row[f]:
                basis[k, p] = 1
    return basis


@cache
def color_code(distance: int) -> ColorCode:
    """The distance-``distance`` triangular colour code (``distance`` in 3, 5).

    Examples
    --------
    >>> code = color_code(3)
    >>> code.n, len(code.plaquettes), code.top_logical
    (7, 3, (0j, (3+0j), (4+0j)))
    """
    if isinstance(distance, bool) or not isinstance(distance, (int, np.integer)):
        raise TypeError(f"distance must be an int, got {type(distance).__name__}")
    if distance not in OFFERED_DISTANCES:
        raise ValueError(f"distance must be one of {OFFERED_DISTANCES}, got {distance}")
    d = int(distance)

    def inside(q: complex) -> bool:
        x, y = q.real, q.imag
        return y >= 0 and 3 * x >= 2 * y - 1 and 3 * x <= 6 * d - 3 - 2 * y

    plaquettes, centers, colors = [], [], []
    for x, y in itertools.product(range(2 * d), range(2 * d)):
        if x % 2 != 1 or y % 2 != (x // 2) % 2:
            continue
        m = complex(x, y)
        support = tuple(sorted((m + s for s in _HEXAGON if inside(m + s)), key=_key))
        if len(support) in (4, 6):
            plaquettes.append(support)
            centers.append(m)
            colors.append((y // 2 - (x // 2) % 2) % 3)
    data = tuple(sorted({q for p in plaquettes for q in p}, key=_key))
    code = ColorCode(d, data, tuple(plaquettes), tuple(centers), tuple(colors))
    _check(code)
    return code


def _check(code: ColorCode) -> None:
    """Assert ``[[n, 1, d]]``, even overlaps, a proper colouring and the distance."""
    h = code.check_matrix().astype(np.int64)
    n, d = code.n, code.distance
    assert n == (3 * d * d + 1) // 4, n
    assert not ((h @ h.T) % 2).any(), "plaquettes must overlap evenly"
    assert n - 2 * gf2_rank(h) == 1
    for a, b in itertools.combinations(range(len(code.plaquettes)), 2):
        if set(code.plaquettes[a]) & set(code.plaquettes[b]):
            assert code.colors[a] != code.colors[b], "neighbouring plaquettes share a colour"
    index = {q: i for i, q in enumerate(code.data)}
    top = np.zeros(n, np.int64)
    top[[index[q] for q in code.top_logical]] = 1
    assert len(code.top_logical) == d and not ((h @ top) % 2).any()
    stabilizers = {tuple(v) for v in _span(h)}
    assert tuple(top) not in stabilizers
    # distance: every commuting operator of weight < d is a stabiliser
    for w in range(1, d):
        for support in itertools.combinations(range(n), w):
            v = np.zeros(n, np.int64)
            v[list(support)] = 1
            if not ((h @ v) % 2).any():
                assert tuple(v) in stabilizers, "distance below d"


def _span(h: np.ndarray) -> np.ndarray:
    k = h.shape[0]
    coeffs = np.array(list(itertools.product((0, 1), repeat=k)), dtype=np.int64)
    return (coeffs @ h) % 2
