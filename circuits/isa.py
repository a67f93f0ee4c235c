"""ISA circuits for IBM backends: fake backends, line layouts, offline transpilation.

Hardware
--------
:func:`to_isa` transpiles a circuit offline into an ISA circuit (only the
backend's basis gates, two-qubit gates only on coupled pairs) for a qiskit
``BackendV2``: a real IBM backend object, or the name of a fake backend of
``qiskit-ibm-runtime`` (``"fake_sherbrooke"``, 127-qubit Eagle heavy-hex;
``"fake_torino"``, 133-qubit Heron; :func:`fake_backend_names` lists them).
The initial layout puts logical qubit ``i`` (chain site ``i``) on physical
qubit ``layout[i]`` along a *line* of the coupling map (:func:`find_line`),
so a nearest-neighbour circuit needs no SWAP.

Conventions: qubit ``i`` = MPS site ``i`` (qiskit little-endian), see the README.

Example
-------
>>> from circuits.isa import to_isa
>>> from circuits.trotter import trotter_circuit
>>> from mps import heisenberg
>>> qc = trotter_circuit(heisenberg(8, j=0.25), t=1.0, steps=2)
>>> res = to_isa(qc, "fake_sherbrooke")
>>> len(res.layout), res.gate_counts.get("swap", 0), sorted(res.gate_counts)[:1]
(8, 0, ['ecr'])
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mps._validate import check_int

from .export import _check_circuit, two_qubit_depth

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.providers import BackendV2
    from qiskit.transpiler import CouplingMap

__all__ = [
    "IsaResult",
    "check_isa_fits",
    "fake_backend_names",
    "find_line",
    "get_backend",
    "resolve_backend",
    "to_isa",
]

DEFAULT_LINE_BUDGET = 4000


# ----------------------------------------------------------------- fake backends
def _fake_backend_classes() -> dict[str, type]:
    """``{backend name: class}`` of qiskit-ibm-runtime's fake V2 backends (none built)."""
    try:
        from qiskit_ibm_runtime import fake_provider
        from qiskit_ibm_runtime.fake_provider.fake_backend import FakeBackendV2
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "fake IBM backends need qiskit-ibm-runtime (pip install qiskit-ibm-runtime)"
        ) from exc
    out: dict[str, type] = {}
    for attr in dir(fake_provider):
        cls = getattr(fake_provider, attr)
        if isinstance(cls, type) and issubclass(cls, FakeBackendV2) and cls is not FakeBackendV2:
            name = getattr(cls, "backend_name", None)
            if isinstance(name, str):
                out[name] = cls
    return out


def fake_backend_names() -> list[str]:
    """Names of the fake IBM backends :func:`get_backend` accepts, sorted.

    >>> "fake_sherbrooke" in fake_backend_names()
    True
    """
    return sorted(_fake_backend_classes())


def get_backend(name: str) -> BackendV2:
    """A fake IBM backend (qiskit-ibm-runtime's snapshot of a device) by name.

    ``"fake_sherbrooke"``, ``"sherbrooke"`` and ``"FakeSherbrooke"`` all name the
    same backend.

    Raises
    ------
    TypeError
        If ``name`` is not a str.
    ValueError
        For an unknown name (the message lists the available ones).
    """
    if not isinstance(name, str):
        raise TypeError(f"backend name must be a str, got {type(name).__name__}")
    classes = _fake_backend_classes()
    key = name.strip().lower().replace("-", "_")
    if key.startswith("fake") and not key.startswith("fake_"):
        key = "fake_" + key[4:]
    if not key.startswith("fake_"):
        key = "fake_" + key
    for cand in (key, key.removesuffix("v2").rstrip("_")):
        if cand in classes:
            return classes[cand]()
    raise ValueError(f"unknown backend {name!r}; available: {', '.join(sorted(classes))}")


# -------------------------------------------------------------------- line layout
def _adjacency(coupling: CouplingMap | Iterable[Sequence[int]]) -> dict[int, set[int]]:
    """Undirected adjacency sets of a coupling map or an iterable of ``(a, b)`` pairs."""
    from qiskit.transpiler import CouplingMap

    adj: dict[int, set[int]] = {}
    if isinstance(coupling, CouplingMap):
        for q in coupling.physical_qubits:
            adj.setdefault(int(q), set())
        edges: Iterable[Sequence[int]] = coupling.get_edges()
    else:
        edges = coupling
    for edge in edges:
        if len(edge) != 2:
            raise ValueError(f"coupling edges must be pairs of qubits, got {edge!r}")
        a, b = (check_int(q, "qubit", minimum=0) for q in edge)
        if a == b:
            continue
        adj.setdefault(a, set()).add(b)
        adj.setdefault(b, set()).add(a)
    return adj


def _line_bound(adj: Mapping[int, set[int]]) -> int:
    """An upper bound on the longest simple path (in nodes).

    Per connected component: its size, and for a bipartite component with colour
    classes ``a <= b`` at most ``2 a + 1`` (a path alternates colours).  Heavy-hex
    lattices are bipartite, so this bound is often tight.
    """
    colour: dict[int, int] = {}
    best = 0
    for root in adj:
        if root in colour:
            continue
        colour[root] = 0
        counts = [1, 0]
        bipartite = True
        frontier = [root]
        while frontier:
            node = frontier.pop()
            for nb in adj[node]:
                if nb not in colour:
                    colour[nb] = 1 - colour[node]
                    counts[colour[nb]] += 1
                    frontier.append(nb)
                elif colour[nb] == colour[node]:
                    bipartite = False
        size = counts[0] + counts[1]
        best = max(best, min(size, 2 * min(counts) + 1) if bipartite else size)
    return best


def _dfs_line(
    adj: Mapping[int, set[int]],
    start: int,
    n: int,
    budget: int,
    edge_cost: Callable[[int, int], float],
) -> tuple[list[int] | None, list[int]]:
    """Depth-first search for a simple path of ``n`` nodes from ``start``.

    Children are tried in Warnsdorff order (fewest unvisited neighbours first,
    then the cheaper edge), which rarely strands a dead end.  Returns the path
    found (or None once ``budget`` extensions are spent) and the longest path seen.
    """
    path = [start]
    on_path = {start}

    def children(node: int) -> Iterable[int]:
        free = [nb for nb in adj[node] if nb not in on_path]
        free.sort(key=lambda nb: (sum(x not in on_path for x in adj[nb]), edge_cost(node, nb), nb))
        return iter(free)

    stack = [children(start)]
    best = [start]
    used = 0
    while stack:
        if len(path) == n:
            return list(path), list(path)
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            on_path.discard(path.pop())
            continue
        if used >= budget:
            break
        used += 1
        path.append(child)
        on_path.add(child)
        if len(path) > len(best):
            best = list(path)
        stack.append(children(child))
    return None, best


def find_line(
    coupling: CouplingMap | Iterable[Sequence[int]],
    n: int,
    *,
    edge_cost: Mapping[tuple[int, int], float] | None = None,
    node_cost: Mapping[int, float] | None = None,
    budget: int = DEFAULT_LINE_BUDGET,
) -> list[int]:
    """A line (simple path) of ``n`` physical qubits in a coupling graph.

    A depth-first search with Warnsdorff's ordering is started from every
    qubit (fewest neighbours first); among the lines found the one with the
    smallest total cost (edge costs along it plus node costs on it, e.g. gate
    and readout errors) is returned.  Edge directions are ignored.

    Parameters
    ----------
    coupling : qiskit.transpiler.CouplingMap or iterable of (int, int)
        The coupling graph.
    n : int
        Number of qubits of the line (>= 1).
    edge_cost : mapping of (int, int) to float, optional
        Cost of each edge (either orientation may be given); default 0.
    node_cost : mapping of int to float, optional
        Cost of each qubit; default 0.
    budget : int
        Extensions the search may spend per start qubit (>= 1).

    Returns
    -------
    list of int
        ``line[i]`` is the physical qubit of logical qubit ``i``; consecutive
        entries are coupled.

    Raises
    ------
    ValueError
        If no line of ``n`` qubits exists (e.g. ``n`` exceeds the size of every
        connected component, or the bipartite bound of a heavy-hex lattice), or
        none was found within the budget; the message gives the longest found.
    """
    n = check_int(n, "n", minimum=1)
    budget = check_int(budget, "budget", minimum=1)
    adj = _adjacency(coupling)
    ecost = dict(edge_cost or {})
    ncost = dict(node_cost or {})

    def cost_of_edge(a: int, b: int) -> float:
        return float(ecost.get((a, b), ecost.get((b, a), 0.0)))

    def cost_of_line(line: Sequence[int]) -> float:
        return sum(float(ncost.get(q, 0.0)) for q in line) + sum(
            cost_of_edge(a, b) for a, b in itertools.pairwise(line)
        )

    if not adj:
        raise ValueError("the coupling map has no qubits")
    bound = _line_bound(adj)
    if n > bound:
        raise ValueError(
            f"no line of {n} qubits exists in this coupling map of {len(adj)} qubits: "
            f"the longest simple path has at most {bound} qubits"
        )
    starts = sorted(adj, key=lambda q: (len(adj[q]), float(ncost.get(q, 0.0)), q))
    if n == 1:
        return [starts[0]] if not ncost else [min(adj, key=lambda q: (ncost.get(q, 0.0), q))]
    lines: list[list[int]] = []
    longest: list[int] = []
    for start in starts:
        line, seen = _dfs_line(adj, start, n, budget, cost_of_edge)
        if line is not None:
            lines.append(line)
        if len(seen) > len(longest):
            longest = seen
    if not lines:
        raise ValueError(
            f"no line of {n} qubits found in this coupling map of {len(adj)} qubits "
            f"(the longest found has {len(longest)} qubits; the bound is {bound}); "
            "raise budget to search longer"
        )
    return min(lines, key=cost_of_line)


# ------------------------------------------------------------------------- ISA
@dataclass(frozen=True)
class IsaResult:
    """An ISA circuit for a backend (see :func:`to_isa`).

    Attributes
    ----------
    circuit : qiskit.QuantumCircuit
        The transpiled circuit on all the backend's physical qubits; its
        ``layout`` attribute is qiskit's ``TranspileLayout``.
    layout : list of int
        ``layout[i]``: the physical qubit that logical qubit ``i`` starts on.
    final_layout : list of int
        ``final_layout[i]``: the physical qubit holding logical qubit ``i`` at the
        end (differs from ``layout`` only if routing inserted SWAPs).
    two_qubit_depth : int
        Depth counting two-qubit gates only.
    gate_counts : dict of str to int
        Operation counts of the ISA circuit.
    backend_name : str
        The backend's name.
    """

    circuit: Any
    layout: list[int]
    final_layout: list[int]
    two_qubit_depth: int
    gate_counts: dict[str, int]
    backend_name: str


def _error_costs(backend: BackendV2) -> tuple[dict[tuple[int, int], float], dict[int, float]]:
    """Edge costs (best two-qubit gate error) and qubit costs (1q gate + readout error)."""
    from qiskit.circuit import Instruction

    target = backend.target
    edge: dict[tuple[int, int], float] = {}
    node: dict[int, float] = {}
    for name in target.operation_names:
        op = target.operation_from_name(name)
        if not isinstance(op, Instruction) or name in ("delay", "reset"):
            continue
        for qargs, props in (target[name] or {}).items():
            if qargs is None or props is None or props.error is None:
                continue
            err = float(props.error)
            if not math.isfinite(err):
                continue
            if len(qargs) == 2:
                key = (min(qargs), max(qargs))
                edge[key] = min(edge.get(key, math.inf), err)
            elif len(qargs) == 1:
                node[qargs[0]] = node.get(qargs[0], 0.0) + err
    return edge, node


def resolve_backend(backend: BackendV2 | str) -> BackendV2:
    """``backend`` itself if it is a qiskit ``BackendV2``, else the fake backend of that name.

    Raises
    ------
    TypeError
        If ``backend`` is neither a ``BackendV2`` nor a str.
    ValueError
        For an unknown name (see :func:`get_backend`).
    """
    from qiskit.providers import BackendV2

    if isinstance(backend, str):
        return get_backend(backend)
    if not isinstance(backend, BackendV2):
        raise TypeError(
            "backend must be a qiskit BackendV2 or a fake backend name such as "
            f"'fake_sherbrooke', got {type(backend).__name__}"
        )
    return backend


def check_isa_fits(backend: BackendV2 | str, n: int) -> BackendV2:
    """The backend, if an ``n``-qubit chain fits on it (enough qubits, a line of ``n``).

    Called before a compile or export starts, so that an oversized job fails at once.

    Raises
    ------
    ValueError
        For an unknown backend, or one with too few qubits or no line of ``n`` qubits.
    """
    backend = resolve_backend(backend)
    num_physical = backend.target.num_qubits or backend.num_qubits
    if n > num_physical:
        raise ValueError(f"--isa {backend.name} has {num_physical} qubits, the circuit {n}")
    coupling = backend.coupling_map
    if coupling is not None and coupling.size() > 0 and coupling.get_edges():
        try:
            find_line(coupling, n)
        except ValueError as exc:
            raise ValueError(f"--isa {backend.name}: no line of {n} qubits on its coupling "
                             f"map ({exc})") from exc
    return backend


def to_isa(
    circuit: QuantumCircuit,
    backend: BackendV2 | str,
    *,
    optimization_level: int = 3,
    seed: int = 0,
    layout: Sequence[int] | None = None,
    line_budget: int = DEFAULT_LINE_BUDGET,
) -> IsaResult:
    """Transpile ``circuit`` offline into an ISA circuit for an IBM backend.

    Logical qubit ``i`` is placed on ``layout[i]``, by default a line of the
    coupling map chosen by :func:`find_line` (lowest summed gate and readout
    errors among the lines found, avoiding pairs whose reported two-qubit error
    is 1 when possible), so a nearest-neighbour circuit (Trotter, brickwork) is
    routed without any SWAP.  The rest is qiskit's preset pass
    manager for the backend's target.

    Parameters
    ----------
    circuit : qiskit.QuantumCircuit
        The logical circuit (``n`` qubits).
    backend : qiskit.providers.BackendV2 or str
        A backend object (a real ``IBMBackend`` works offline from its target), or
        a fake backend name (:func:`fake_backend_names`, e.g. ``"fake_sherbrooke"``,
        ``"fake_torino"``).
    optimization_level : {0, 1, 2, 3}
        qiskit's preset optimisation level.
    seed : int
        ``seed_transpiler`` (results are reproducible).
    layout : sequence of int, optional
        Physical qubits for logical qubits ``0 .. n-1`` instead of the line search.
    line_budget : int
        Search budget of :func:`find_line` per start qubit.

    Returns
    -------
    IsaResult

    Raises
    ------
    TypeError
        If ``circuit`` is not a ``QuantumCircuit`` or ``backend`` neither a
        ``BackendV2`` nor a str.
    ValueError
        For an unknown backend name, a circuit larger than the backend or than
        its longest line, or a bad ``layout``.
    """
    from qiskit.transpiler import generate_preset_pass_manager

    circuit = _check_circuit(circuit)
    backend = resolve_backend(backend)
    optimization_level = check_int(optimization_level, "optimization_level", minimum=0)
    if optimization_level > 3:
        raise ValueError(f"optimization_level must be 0..3, got {optimization_level}")
    seed = check_int(seed, "seed", minimum=0)
    n = circuit.num_qubits
    if n < 1:
        raise ValueError("circuit has no qubits")
    num_physical = backend.target.num_qubits or backend.num_qubits
    if n > num_physical:
        raise ValueError(
            f"circuit has {n} qubits but backend {backend.name} has only {num_physical}"
        )
    if layout is None:
        coupling = backend.coupling_map
        if coupling is None or coupling.size() == 0 or not coupling.get_edges():
            initial = list(range(n))  # all-to-all (a simulator): any qubits will do
        else:
            edge_cost, node_cost = _error_costs(backend)
            # Avoid pairs reported broken (error 1: no calibrated gate) when a line exists
            # without them; otherwise search the whole coupling map.
            working = [
                (a, b)
                for a, b in coupling.get_edges()
                if edge_cost.get((min(a, b), max(a, b)), 0.0) < 1.0
            ]
            try:
                initial = find_line(
                    working, n, edge_cost=edge_cost, node_cost=node_cost, budget=line_budget
                )
            except ValueError:
                initial = find_line(
                    coupling, n, edge_cost=edge_cost, node_cost=node_cost, budget=line_budget
                )
    else:
        initial = [check_int(q, "layout entry", minimum=0) for q in layout]
        if len(initial) != n or len(set(initial)) != n or max(initial) >= num_physical:
            raise ValueError(
                f"layout must list {n} distinct physical qubits < {num_physical}, got {layout!r}"
            )
    pm = generate_preset_pass_manager(
        optimization_level=optimization_level,
        backend=backend,
        initial_layout=initial,
        seed_transpiler=seed,
    )
    isa = pm.run(circuit)
    if isa.layout is not None:
        start = [int(q) for q in isa.layout.initial_index_layout(filter_ancillas=True)]
        final = [int(q) for q in isa.layout.final_index_layout(filter_ancillas=True)]
    else:  # pragma: no cover - qiskit always records a layout when one is given
        start, final = list(initial), list(initial)
    return IsaResult(
        circuit=isa,
        layout=start,
        final_layout=final,
        two_qubit_depth=two_qubit_depth(isa),
        gate_counts={str(k): int(v) for k, v in isa.count_ops().items()},
        backend_name=str(backend.name),
    )
