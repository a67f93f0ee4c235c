"""Codes of the escape stage: the colour code grafted into a rotated surface code.

After cultivation the distance-``d1`` colour code is grown in one step into a
``d2 x d2`` rotated surface code (``d2 >= 2 d1``) whose corner is the colour code
("hybrid" code), and a few rounds later some colour-code checks are dropped so that every
data qubit lies in at most two checks of each basis (the "grafted matchable code"), which
a matching decoder can decode (GSJ 2024, Sec. "escape").  Each check is a :class:`Tile`:
a basis, a measurement qubit, a data support and a schedule name used by
:mod:`circuits.cultivation.escape` to lay out its CNOTs.

Geometry (grid positions ``x + iy`` as in :mod:`.layout`)
    * surface code: data ``(a+b) + i(b-a)`` for ``0 <= a, b < d2`` (a diamond whose left
      tip is the origin), measurement qubit ``(a+b+1) + i(b-a)`` for ``-1 <= a, b < d2``
      with the four axial neighbours as support; Z-type when ``a + b`` is even.  Weight-2
      X checks sit on the edges ``b = -1, d2 - 1``, weight-2 Z checks on ``a = -1, d2 - 1``.
    * the colour code's blue X boundary checks become hexagons continued downwards by
      trapezoids, its red Z boundary checks become hexagons capped by an X pentagon and an
      X triangle, and surface checks fill the rest of the diamond.
    * the matchable code removes the red X and green Z checks, splits/trims the checks
      next to them on the boundaries, and keeps everything else.
Logical: ``X_L`` on the right-most data qubit of every row with ``y <= 0`` and ``Z_L`` on
those with ``y >= 0`` (``Y`` where they meet, on ``y = 0``): :func:`right_observable`.

Example
-------
>>> from circuits.cultivation.escape_codes import surface_code
>>> tiles = surface_code(3)
>>> len(tiles), sorted({t.basis for t in tiles})  # d² - 1 checks of a rotated surface code
(8, ['X', 'Z'])
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from circuits.cultivation.layout import color_code

__all__ = ["Tile", "hybrid_code", "matchable_code", "right_observable", "surface_code"]

RED, GREEN, BLUE = 0, 1, 2


@dataclass(frozen=True)
class Tile:
    """One stabiliser check.

    Attributes
    ----------
    basis
        ``"X"`` or ``"Z"``.
    measure
        Position of its measurement qubit.
    data
        Data-qubit positions (empty for a tile kept only as a Bell partner).
    schedule
        ``superdense``, ``bell-x`` / ``bell-z`` (superdense tiles whose X / Z half is
        dropped), ``shingle``, ``shingle-edge``, ``pentagon``, ``triangle`` or ``relay-edge``.
    color
        0, 1, 2 (red, green, blue) for colour-code tiles, ``None`` otherwise.
    """

    basis: str
    measure: complex
    data: frozenset[complex]
    schedule: str
    color: int | None = None


def _key(q: complex) -> tuple[float, float]:
    return q.real, q.imag


def surface_code(d2: int) -> list[Tile]:
    """The rotated surface code of distance ``d2`` in the diamond frame."""
    data = {complex(a + b, b - a) for a in range(d2) for b in range(d2)}
    tiles = []
    for a in range(-1, d2):
        for b in range(-1, d2):
            m = complex(a + b + 1, b - a)
            basis = "Z" if (a + b) % 2 == 0 else "X"
            support = frozenset(m + o for o in (1, 1j, -1, -1j) if m + o in data)
            if len(support) == 4:
                tiles.append(Tile(basis, m, support, "shingle"))
            elif len(support) == 2 and ((basis == "X" and b in (-1, d2 - 1))
                                        or (basis == "Z" and a in (-1, d2 - 1))):
                tiles.append(Tile(basis, m, support, "shingle-edge"))
    return tiles


def _colour_tiles(d1: int) -> list[Tile]:
    code = color_code(d1)
    out = []
    for m, plaq, col in zip(code.centers, code.plaquettes, code.colors, strict=True):
        out.append(Tile("X", m, frozenset(plaq), "superdense", col))
        out.append(Tile("Z", m + 1, frozenset(plaq), "superdense", col))
    return out


def hybrid_code(d1: int, d2: int) -> list[Tile]:
    """The colour code of distance ``d1`` grafted into the distance-``d2`` surface code."""
    if d2 < 2 * d1:
        raise ValueError(f"d2 must be at least 2*d1 = {2 * d1}, got {d2}")
    tiles: list[Tile] = []
    for t in _colour_tiles(d1):
        m = t.measure
        if t.basis == "X" and t.color == BLUE and len(t.data) == 4:
            tiles.append(replace(t, data=frozenset(m + o for o in (-1, 1j, 1 + 1j, 2, -1j,
                                                                   1 - 1j))))
            m2 = m
            for k in range(int(m.real) - d1 + 1):
                m2 += 2j
                tiles.append(Tile("Z", m2 + 1, frozenset(m2 + o for o in (-1, -1j, 1j, 1 - 1j)),
                                  "superdense", RED if k == 0 else None))
                tiles.append(Tile("X", m2, frozenset(m2 + o for o in (1 - 1j, 1 + 1j, 1j, 2)),
                                  "superdense"))
            m2 += 2j
            tiles.append(Tile("Z", m2 + 1, frozenset((m2 - 1j, m2 + 1 - 1j)), "superdense"))
            tiles.append(Tile("X", m2, frozenset(), "superdense"))
        elif t.basis == "Z" and t.color == RED and len(t.data) == 4:
            a = m - 1
            tiles.append(replace(t, data=frozenset(a + o for o in (-1, 1j, 1 + 1j, 2, 2 - 1j,
                                                                   -1j))))
            p = a + 3 - 1j
            tiles.append(Tile("X", p, frozenset(p + o for o in (-1, 1j, -1 + 1j, -1j, 1)),
                              "pentagon", GREEN))
            tri = p - 2
            tiles.append(Tile("X", tri, frozenset(tri + o for o in (1, -1, -1j)), "triangle"))
        else:
            tiles.append(t)
    used = {q for t in tiles for q in (*t.data, t.measure)}
    tiles += [t for t in surface_code(d2) if t.measure not in used]
    return tiles


def matchable_code(d1: int, d2: int) -> list[Tile]:
    """The grafted matchable code: the hybrid code without red X and green Z checks.

    Green Z checks on the left boundary are split in two weight-2 checks, the blue Z
    checks next to them and on the bottom boundary are trimmed, green Z checks that would
    lose their meaning are shrunk, red X tiles are kept only as empty Bell partners and
    green Z tiles as empty partners.
    """
    tiles = hybrid_code(d1, d2)
    by_m = {t.measure: t for t in tiles}

    def is_z(t: Tile, color: int) -> bool:
        return t.basis == "Z" and t.color == color

    lbg = {t.measure for t in tiles if is_z(t, GREEN) and len(t.data) == 4}
    nlbb = {t.measure for t in tiles if is_z(t, BLUE) and t.measure - 2 + 1j in lbg}
    bb = {t.measure for t in tiles if is_z(t, BLUE) and len(t.data) == 4}
    nbg = {t.measure for t in tiles if is_z(t, GREEN) and t.measure + 2 - 1j in bb}
    nlbg = {t.measure for t in tiles if is_z(t, GREEN) and len(t.data) == 6
            and t.measure + 2j in nlbb and t.measure not in nbg}
    out = []
    for t in tiles:
        m = t.measure
        if m in nlbg:
            out.append(replace(t, data=frozenset((m + 1j, m - 1 + 1j))))
        elif m in lbg:
            out.append(replace(t, measure=m - 1 + 1j, data=frozenset((m + 1j, m - 1 - 1j)),
                               schedule="relay-edge"))
            out.append(replace(t, data=frozenset((m + 1, m - 1j))))
        elif m in nlbb or m in bb:
            dropped = {m - 2, m - 1 + 1j}
            if m - 2j in nlbg:
                dropped |= {m - 1j, m - 1 - 1j}
            out.append(replace(t, data=t.data ^ frozenset(dropped)))
        elif m in nbg:
            out.append(replace(t, data=frozenset((m + 1, m - 1j))))
        elif t.color == RED and t.schedule == "superdense":
            out.append(replace(t, data=frozenset() if t.basis == "X" else t.data,
                               schedule="bell-z"))
        elif t.color == GREEN and t.schedule == "superdense":
            out.append(replace(t, data=frozenset() if t.basis == "Z" else t.data,
                               schedule="bell-x"))
        else:
            out.append(t)
    del by_m
    return [replace(t, color=None) for t in out]


def right_observable(tiles: list[Tile]) -> dict[complex, str]:
    """``{position: pauli}`` of the logical on the right edge (X below, Z above, Y on y=0)."""
    data = {q for t in tiles for q in t.data}
    rows: dict[float, complex] = {}
    for q in data:
        if q.imag not in rows or q.real > rows[q.imag].real:
            rows[q.imag] = q
    return {q: ("Y" if q.imag == 0 else "X" if q.imag < 0 else "Z")
            for q in sorted(rows.values(), key=_key)}
