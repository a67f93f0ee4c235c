"""The rotated surface code with bridge qubits on a heavy-hex lattice (Kim, Sevior, Usman 2024).

Geometry (abstract, before embedding)
-------------------------------------
Data qubit ``(i, j)``, ``0 <= i, j < d``, sits in *row* ``i`` (a row of the heavy-hex
lattice) at data *column* ``j``; between the data qubits ``(i, j)`` and ``(i, j + 1)`` of a
row sits the *bridge* ``("b", i, j)``.  Rows ``1 .. d - 1`` carry one extra data qubit
``(i, d)`` (held in ``|0>``: ``d - 1`` weight-one ``Z`` stabilisers), so a row is the path
``data - bridge - data - ... - data`` of the heavy-hex lattice.  The *syndrome* qubits are
the lattice's connector qubits between rows: ``("s", g, j)`` joins ``(g, j)`` and
``(g + 1, j)`` (gap ``g = -1 .. d - 1``; at the gaps ``-1`` and ``d - 1`` outside the patch
it touches one data qubit).  Connectors exist at every other data column, alternating
between gaps: gap ``g`` has them at the columns ``j = g (mod 2)``.

Counts (the paper's Table I): ``d^2 + d - 1`` data, ``d^2 - 1`` bridges,
``(d - 1)(d + 3) / 2`` syndrome qubits, ``5/2 d^2 + 2d - 7/2`` in all (25, 69, 133 for
d = 3, 5, 7).

Stabilisers (faces ``(i, j)`` between rows ``i, i + 1`` and columns ``j, j + 1``): ``X``
where ``i + j`` is even, ``Z`` where it is odd, cut to weight two at the four boundaries
(``X`` at the top and bottom rows, ``Z`` at the left and right columns); the right-hand
``Z`` boundary faces include the two extra qubits ``(i, d), (i + 1, d)``.  Logical
operators: ``Z_L`` = ``Z`` on row 0, ``X_L`` = ``X`` on column 0.

Schedule (two sub-rounds per round)
-----------------------------------
In sub-round ``s`` every row *folds* its pairs ``(j, j + 1)`` with ``j = s (mod 2)``: a
CNOT from ``(i, j)`` to ``(i, j + 1)`` through the bridge (``CX(a, m) CX(m, b) CX(a, m)``
with the bridge ``m`` in ``|0>`` before and after).  The fold maps a face ``(i, j)`` with
``j = s (mod 2)`` to weight two on one connector's two ends: ``X`` faces to
``X_(i, j) X_(i+1, j)`` (control column, connector ``("s", i, j)``), ``Z`` faces to
``Z_(i, j+1) Z_(i+1, j+1)`` (target column, connector ``("s", i, j + 1)``); the connector
measures that weight-two (or, at the outer gaps, weight-one) Pauli, then the fold is undone.
Every two-qubit gate acts on an edge of the heavy-hex graph.  The extra qubits are measured
and reset (``MR``) in sub-round 1.

Embedding: :func:`embed` finds the patch graph inside a coupling map (a subgraph
monomorphism by ``rustworkx.vf2_mapping``) and keeps the placement with the lowest summed
error of the gates and read-outs it uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["OFFERED_DISTANCES", "Check", "Embedding", "HeavyHexPatch", "code_parameters",
           "embed", "heavy_hex_coupling", "heavy_hex_patch"]

OFFERED_DISTANCES = (3, 5, 7)
Qubit = tuple  # (i, j) data, ("b", i, j) bridge, ("s", g, j) syndrome


@dataclass(frozen=True)
class Check:
    """One stabiliser measurement of a round.

    Attributes
    ----------
    basis
        ``"X"`` or ``"Z"``.
    data
        Its data qubits (abstract coordinates), as a stabiliser of the code.
    syndrome
        The connector that measures it (``None`` for the extra qubits' ``MR``).
    measured
        The data qubits the syndrome qubit couples to after the fold (1 or 2).
    subround
        0 or 1.
    face
        ``(i, j)`` of the face, or ``("extra", i)`` for an extra qubit's ``Z``.
    """

    basis: str
    data: tuple[Qubit, ...]
    syndrome: Qubit | None
    measured: tuple[Qubit, ...]
    subround: int
    face: tuple


@dataclass(frozen=True)
class HeavyHexPatch:
    """A distance-``d`` rotated surface code with bridge qubits (see the module doc).

    Attributes
    ----------
    d
        Code distance (3, 5 or 7).
    data, bridges, syndromes
        Abstract qubits by role; :attr:`qubits` orders them (data, bridges, syndromes), and
        a qubit's index there is its stim / qiskit index.
    extras
        The extra data qubits ``(i, d)`` (in ``|0>``).
    checks
        All stabiliser measurements of one round, in schedule order.
    folds
        ``folds[s]``: the ``(control, bridge, target)`` triples folded in sub-round ``s``.
    edges
        The heavy-hex edges the patch needs (pairs of abstract qubits).
    """

    d: int
    data: tuple[Qubit, ...]
    bridges: tuple[Qubit, ...]
    syndromes: tuple[Qubit, ...]
    extras: tuple[Qubit, ...]
    checks: tuple[Check, ...]
    folds: tuple[tuple[tuple[Qubit, Qubit, Qubit], ...], ...]
    edges: tuple[tuple[Qubit, Qubit], ...]

    @property
    def qubits(self) -> tuple[Qubit, ...]:
        return self.data + self.bridges + self.syndromes

    @property
    def index(self) -> dict[Qubit, int]:
        return {q: k for k, q in enumerate(self.qubits)}

    @property
    def center(self) -> Qubit:
        """The central data qubit ``(c, c)``, ``c = (d - 1) / 2`` (middle injection)."""
        c = (self.d - 1) // 2
        return (c, c)

    def logical(self, basis: str) -> tuple[Qubit, ...]:
        """``"Z"``: row 0; ``"X"``: column 0 (the representatives used by the memory circuits)."""
        if basis == "Z":
            return tuple((0, j) for j in range(self.d))
        if basis == "X":
            return tuple((i, 0) for i in range(self.d))
        raise ValueError(f"basis must be 'X' or 'Z', got {basis!r}")

    def stabilizers(self) -> list[tuple[str, tuple[Qubit, ...]]]:
        """``(basis, data qubits)`` of every stabiliser generator (faces and extras)."""
        return [(c.basis, c.data) for c in self.checks]

    def coords(self, q: Qubit) -> tuple[int, int]:
        """Drawing coordinates ``(x, y)``: data ``(2j, 2i)``, bridge ``(2j+1, 2i)``,
        connector ``(2j, 2g+1)``."""
        if q[0] == "b":
            return (2 * q[2] + 1, 2 * q[1])
        if q[0] == "s":
            return (2 * q[2], 2 * q[1] + 1)
        return (2 * q[1], 2 * q[0])


def _check_distance(d: object) -> int:
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)):
        raise TypeError(f"d must be an integer, got {type(d).__name__}")
    if int(d) not in OFFERED_DISTANCES:
        raise ValueError(f"d must be one of {OFFERED_DISTANCES}, got {d}")
    return int(d)


def heavy_hex_patch(d: int) -> HeavyHexPatch:
    """The abstract distance-``d`` patch (``d`` in 3, 5, 7).

    Examples
    --------
    >>> p = heavy_hex_patch(3)
    >>> len(p.data), len(p.bridges), len(p.syndromes), len(p.qubits)
    (11, 8, 6, 25)
    """
    d = _check_distance(d)
    data = [(i, j) for i in range(d) for j in range(d)] + [(i, d) for i in range(1, d)]
    dset = set(data)
    bridges = [("b", i, j) for i in range(d) for j in range(d + (i > 0) - 1)]
    checks: list[Check] = []
    for s in (0, 1):
        for g in range(-1, d):
            for j in range(-1, d):
                if j % 2 != s:
                    continue
                basis = "X" if (g + j) % 2 == 0 else "Z"
                rows = [r for r in (g, g + 1) if 0 <= r < d]
                cols = [c for c in (j, j + 1) if 0 <= c < d]
                if basis == "Z" and j == d - 1:
                    cols = [d - 1, d]  # right boundary, widened by the extra qubits
                if (basis == "X" and len(cols) < 2) or (basis == "Z" and len(rows) < 2):
                    continue  # no boundary face of this type there
                support = tuple((r, c) for r in rows for c in cols if (r, c) in dset)
                col = j if basis == "X" else j + 1
                measured = tuple((r, col) for r in rows)
                syn = ("s", g, col)
                checks.append(Check(basis, support, syn, measured, s, (g, j)))
        if s == 1:
            for i in range(1, d):
                checks.append(Check("Z", ((i, d),), None, ((i, d),), 1, ("extra", i)))
    syndromes = sorted({c.syndrome for c in checks if c.syndrome is not None},
                       key=lambda q: (q[1], q[2]))
    folds = tuple(
        tuple(((i, j), ("b", i, j), (i, j + 1)) for i in range(d)
              for j in range(s, d + (i > 0) - 1, 2))
        for s in (0, 1))
    edges = set()
    for i, j in data:
        if ("b", i, j) in bridges:
            edges.add(((i, j), ("b", i, j)))
            edges.add((("b", i, j), (i, j + 1)))
    for syn in syndromes:
        _, g, j = syn
        for r in (g, g + 1):
            if (r, j) in dset:
                edges.add(((r, j), syn))
    return HeavyHexPatch(d, tuple(data), tuple(bridges), tuple(syndromes),
                         tuple((i, d) for i in range(1, d)), tuple(checks), folds,
                         tuple(sorted(edges, key=str)))


# ----------------------------------------------------------------- code checks
def _symplectic(patch: HeavyHexPatch, ops: Iterable[tuple[str, Sequence[Qubit]]]) -> np.ndarray:
    col = {q: k for k, q in enumerate(patch.data)}
    n = len(patch.data)
    rows = []
    for basis, support in ops:
        v = np.zeros(2 * n, dtype=np.uint8)
        for q in support:
            v[col[q] + (n if basis == "Z" else 0)] = 1
        rows.append(v)
    return np.array(rows, dtype=np.uint8)


def _rank_gf2(m: np.ndarray) -> int:
    m = m.copy() % 2
    rank = 0
    for c in range(m.shape[1]):
        piv = next((r for r in range(rank, m.shape[0]) if m[r, c]), None)
        if piv is None:
            continue
        m[[rank, piv]] = m[[piv, rank]]
        for r in range(m.shape[0]):
            if r != rank and m[r, c]:
                m[r] ^= m[rank]
        rank += 1
    return rank


def code_parameters(patch: HeavyHexPatch) -> dict[str, int]:
    """``n, k, d_x, d_z`` of the stabiliser code on the data qubits, checked exactly.

    ``k`` comes from the GF(2) rank of the commuting generators; ``d_x`` (``d_z``) is the
    minimum weight of an undetectable ``X`` (``Z``) error that flips the logical ``Z_L``
    (``X_L``), found by stim's exhaustive graph-like search on a code-capacity circuit
    (perfect stabiliser measurements around one layer of data errors), which is exact for
    this CSS code because each data error flips at most two checks of the other type.
    """
    import stim

    n = len(patch.data)
    stabs = patch.stabilizers()
    m = _symplectic(patch, stabs)
    half = m.shape[1] // 2
    comm = (m[:, :half] @ m[:, half:].T + m[:, half:] @ m[:, :half].T) % 2
    if comm.any():
        raise AssertionError("stabiliser generators do not commute")
    k = n - _rank_gf2(m)
    out = {"n": n, "k": k}
    idx = {q: t for t, q in enumerate(patch.data)}
    for err, obs_basis in (("X", "Z"), ("Z", "X")):
        c = stim.Circuit()
        checks = [(b, s) for b, s in stabs if b == obs_basis]
        logical = patch.logical(obs_basis)
        for rep in range(2):
            for _, support in checks:
                c.append("MPP", stim.target_combined_paulis(
                    [stim.target_pauli(idx[q], obs_basis) for q in support]))
            c.append("MPP", stim.target_combined_paulis(
                [stim.target_pauli(idx[q], obs_basis) for q in logical]))
            if rep == 0:
                c.append("X_ERROR" if err == "X" else "Z_ERROR", range(n), 0.01)
        m_per = len(checks) + 1
        for t in range(len(checks)):
            c.append("DETECTOR", [stim.target_rec(-m_per + t), stim.target_rec(-2 * m_per + t)])
        c.append("OBSERVABLE_INCLUDE", [stim.target_rec(-1), stim.target_rec(-1 - m_per)], 0)
        out[f"d_{err.lower()}"] = len(c.shortest_graphlike_error())
    return out


# ----------------------------------------------------------------- embedding
@dataclass(frozen=True)
class Embedding:
    """A patch placed on a coupling map.

    Attributes
    ----------
    patch
        The abstract patch.
    physical
        ``physical[k]``: the physical qubit of ``patch.qubits[k]``.
    cost
        Summed error (two-qubit gates weighted by their uses per round, one-qubit gates,
        read-out) of the placement.
    candidates
        Placements compared.
    backend_name
        The backend's name, if known.
    broken_pairs
        Couplers used whose reported error is 1 (only when no placement avoids them).
    """

    patch: HeavyHexPatch
    physical: tuple[int, ...]
    cost: float
    candidates: int
    backend_name: str | None = None
    broken_pairs: int = 0

    def mapping(self) -> dict[Qubit, int]:
        return dict(zip(self.patch.qubits, self.physical, strict=True))

    def to_dict(self) -> dict[str, Any]:
        p = self.patch
        role = {**{q: "data" for q in p.data}, **{q: "bridge" for q in p.bridges},
                **{q: "syndrome" for q in p.syndromes}}
        return {"d": p.d, "backend": self.backend_name, "cost": self.cost,
                "candidates": self.candidates, "broken_pairs": self.broken_pairs,
                "qubits": [{"index": k, "role": role[q], "abstract": list(q),
                            "physical": int(self.physical[k])}
                           for k, q in enumerate(p.qubits)]}


def _usage(patch: HeavyHexPatch) -> tuple[dict[tuple[Qubit, Qubit], int], set[Qubit]]:
    """Two-qubit gates per edge in one round, and the measured qubits."""
    uses: dict[tuple[Qubit, Qubit], int] = {}

    def add(a: Qubit, b: Qubit, k: int = 1) -> None:
        key = (a, b) if str(a) <= str(b) else (b, a)
        uses[key] = uses.get(key, 0) + k

    for fold in patch.folds:
        for a, m, b in fold:
            add(a, m, 4)
            add(m, b, 2)
    measured = set()
    for c in patch.checks:
        if c.syndrome is None:
            measured.update(c.data)
            continue
        measured.add(c.syndrome)
        for q in c.measured:
            add(q, c.syndrome)
    return uses, measured


def embed(patch: HeavyHexPatch, coupling: Any, *, edge_error: Mapping | None = None,
          qubit_error: Mapping | None = None, max_candidates: int = 20000,
          backend_name: str | None = None) -> Embedding:
    """Place ``patch`` on a coupling map, preferring low error rates.

    Parameters
    ----------
    patch
        From :func:`heavy_hex_patch`.
    coupling
        A qiskit ``CouplingMap`` or an iterable of ``(a, b)`` physical pairs.
    edge_error, qubit_error
        ``{(a, b): error}`` (``a < b``) of two-qubit gates, ``{q: error}`` of one-qubit gates
        plus read-out; missing entries count as 0.  Pairs with error >= 1 (reported broken)
        are avoided; only if no placement exists without them are they allowed (at their
        cost), and :attr:`Embedding.broken_pairs` counts them.
    max_candidates
        How many placements (subgraph monomorphisms) to compare at most.

    Raises
    ------
    ValueError
        If the coupling map holds no copy of the patch's graph.
    """
    if hasattr(coupling, "get_edges"):
        pairs = list(coupling.get_edges())
    else:
        pairs = [tuple(e) for e in coupling]
    edge_error = dict(edge_error or {})
    qubit_error = dict(qubit_error or {})
    und = {(min(a, b), max(a, b)) for a, b in pairs if a != b}
    working = {e for e in und if edge_error.get(e, 0.0) < 1.0}
    try:
        return _embed(patch, working, edge_error, qubit_error, max_candidates, backend_name)
    except ValueError:
        if working == und:
            raise
    return _embed(patch, und, edge_error, qubit_error, max_candidates, backend_name)


def _embed(patch, und, edge_error, qubit_error, max_candidates, backend_name) -> Embedding:
    import rustworkx as rx

    nodes = sorted({q for e in und for q in e})
    big = rx.PyGraph()
    big.add_nodes_from(nodes)
    pos = {q: k for k, q in enumerate(nodes)}
    big.add_edges_from_no_data([(pos[a], pos[b]) for a, b in und])
    small = rx.PyGraph()
    small.add_nodes_from(list(patch.qubits))
    idx = patch.index
    small.add_edges_from_no_data([(idx[a], idx[b]) for a, b in patch.edges])
    uses, measured = _usage(patch)
    best: tuple[float, tuple[int, ...]] | None = None
    count = 0
    if len(nodes) >= len(patch.qubits):
        for mapping in rx.vf2_mapping(big, small, subgraph=True, induced=False,
                                      id_order=False, call_limit=None):
            inv = {v: nodes[u] for u, v in mapping.items()}
            phys = tuple(inv[k] for k in range(len(patch.qubits)))
            cost = 0.0
            for (a, b), k in uses.items():
                pa, pb = phys[idx[a]], phys[idx[b]]
                cost += k * edge_error.get((min(pa, pb), max(pa, pb)), 0.0)
            for q in patch.qubits:
                w = 2.0 if q in measured else 1.0
                cost += w * qubit_error.get(phys[idx[q]], 0.0)
            if best is None or cost < best[0] - 1e-15:
                best = (cost, phys)
            count += 1
            if count >= max_candidates:
                break
    if best is None:
        raise ValueError(
            f"the coupling map ({len(nodes)} qubits) holds no heavy-hex patch for d = "
            f"{patch.d} ({len(patch.qubits)} qubits: {len(patch.data)} data, "
            f"{len(patch.bridges)} bridge, {len(patch.syndromes)} syndrome)")
    phys = best[1]
    broken = sum(1 for a, b in patch.edges
                 if edge_error.get(tuple(sorted((phys[idx[a]], phys[idx[b]]))), 0.0) >= 1.0)
    return Embedding(patch, phys, float(best[0]), count, backend_name, broken)


def heavy_hex_coupling(rows: int, cols: int = 16) -> list[tuple[int, int]]:
    """An IBM-style heavy-hex coupling map (Heron numbering) of ``rows`` rows of ``cols``.

    Row ``r`` holds qubits ``(cols + 4) r + c``; the ``cols // 4`` connectors after it join
    column ``c`` of rows ``r`` and ``r + 1``, at ``c = 3 (mod 4)`` below even rows and
    ``c = 1 (mod 4)`` below odd rows.  ``heavy_hex_coupling(8)`` is ibm_fez's graph.
    """
    per = cols + cols // 4
    edges = []
    for r in range(rows):
        base = per * r
        edges += [(base + c, base + c + 1) for c in range(cols - 1)]
        if r + 1 < rows:
            cs = range(3 if r % 2 == 0 else 1, cols, 4)
            for k, c in enumerate(cs):
                conn = base + cols + k
                edges += [(base + c, conn), (conn, base + per + c)]
    return edges
