"""Export circuits to QPY and OpenQASM 2/3 files, and to ISA circuits for IBM backends.

Files
-----
* :func:`to_qpy` writes qiskit's binary QPY format (exact: gates, parameters
  and the global phase round-trip bitwise; read back with ``qiskit.qpy.load``).
* :func:`to_qasm3` / :func:`write_qasm3` give OpenQASM 3 text (qiskit's exporter
  plus a final ``gphase(...)`` statement carrying the global phase, which
  qiskit's exporter leaves out, as it does the phases of the gate definitions
  it writes, e.g. for ``ecr``).  Read back with ``qiskit.qasm3.loads`` or
  ``qiskit_qasm3_import.parse``: the statevector is the same, phase included.
* :func:`to_qasm2` / :func:`write_qasm2` give OpenQASM 2 text that uses only the
  gates of the standard ``qelib1.inc`` (``u3``, ``cx``, ``rz``, ...; qiskit's
  exporter writes ``u``, ``sx``, ``rzz``, ... which a strict reader such as
  ``qiskit.qasm2.loads`` rejects), so gates outside it are first rewritten,
  exactly, into it.  OpenQASM 2 cannot express a global phase; it is written as
  a comment, so a re-imported circuit equals the original up to that phase.

Files are written atomically (:mod:`mps.atomic`) and an existing file is
refused (``FileExistsError``) unless ``overwrite=True``.

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
>>> from circuits.export import to_isa, to_qasm3
>>> from circuits.trotter import trotter_circuit
>>> from mps import heisenberg
>>> qc = trotter_circuit(heisenberg(8, j=0.25), t=1.0, steps=2)
>>> to_qasm3(qc).splitlines()[0]
'OPENQASM 3.0;'
>>> res = to_isa(qc, "fake_sherbrooke")
>>> len(res.layout), res.gate_counts.get("swap", 0), sorted(res.gate_counts)[:1]
(8, 0, ['ecr'])
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mps._validate import check_int
from mps.atomic import atomic_write, atomic_write_text

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.providers import BackendV2
    from qiskit.transpiler import CouplingMap

__all__ = [
    "QASM2_GATES",
    "QASM3_STDGATES",
    "IsaResult",
    "check_isa_fits",
    "fake_backend_names",
    "find_line",
    "get_backend",
    "resolve_backend",
    "to_isa",
    "to_qasm2",
    "to_qasm3",
    "to_qpy",
    "two_qubit_depth",
    "write_qasm2",
    "write_qasm3",
]

# The gates of the standard qelib1.inc of OpenQASM 2.0 (Cross et al., arXiv:1707.03429),
# plus the built-in non-unitary instructions; anything else is rewritten by to_qasm2.
QASM2_GATES = frozenset(
    {
        "u3", "u2", "u1", "cx", "id", "x", "y", "z", "h", "s", "sdg", "t", "tdg",
        "rx", "ry", "rz", "cz", "cy", "ch", "ccx", "crz", "cu1", "cu3",
        "measure", "reset", "barrier",
    }
)  # fmt: skip

# Gates qiskit's OpenQASM 3 exporter writes by name (the built-in U and the gates of
# stdgates.inc); any other gate is written as a ``gate`` definition from its qiskit definition,
# whose global phase the exporter drops (to_qasm3 adds those phases back).
QASM3_STDGATES = frozenset(
    {
        "u", "p", "x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "rx", "ry", "rz",
        "cx", "cy", "cz", "cp", "crx", "cry", "crz", "ch", "swap", "ccx", "cswap", "cu",
        "id", "u1", "u2", "u3",
    }
)  # fmt: skip

DEFAULT_LINE_BUDGET = 4000


def _check_circuit(circuit: object) -> QuantumCircuit:
    from qiskit import QuantumCircuit

    if not isinstance(circuit, QuantumCircuit):
        raise TypeError(f"circuit must be a qiskit QuantumCircuit, got {type(circuit).__name__}")
    return circuit


def _numeric_phase(circuit: QuantumCircuit) -> float | None:
    """The global phase as a float, or None when it is symbolic."""
    try:
        return float(circuit.global_phase)
    except TypeError:
        return None


def _defined_gate_phase(circuit: QuantumCircuit, cache: dict[Any, float] | None = None) -> float:
    """Sum of the definition phases the OpenQASM 3 exporter drops, over the top-level gates.

    A gate outside :data:`QASM3_STDGATES` is exported as ``gate name ... { body }`` from
    its definition, without the definition's global phase (recursively for the gates of
    the body).  Control-flow bodies are not entered (a phase there is not global) and
    symbolic phases are skipped.  ``cache`` memoises qiskit library gates by parameters.
    """
    from qiskit.circuit import Gate
    from qiskit.circuit.library import get_standard_gate_name_mapping

    standard = get_standard_gate_name_mapping()
    cache = {} if cache is None else cache
    total = 0.0
    for inst in circuit.data:
        op = inst.operation
        if not isinstance(op, Gate):
            continue
        library = type(op) is type(standard.get(op.name))
        if library and op.name in QASM3_STDGATES:
            continue
        key: Any = None
        if library:  # a user gate may share a name with another of different definition
            try:
                key = (op.name, op.num_qubits, tuple(float(x) for x in op.params))
            except TypeError:
                key = None
        if key is not None and key in cache:
            total += cache[key]
            continue
        definition = op.definition
        phase = 0.0
        if definition is not None:
            phase = (_numeric_phase(definition) or 0.0) + _defined_gate_phase(definition, cache)
        if key is not None:
            cache[key] = phase
        total += phase
    return total


# ------------------------------------------------------------------------- files
def to_qpy(
    circuit: QuantumCircuit, path: str | os.PathLike[str], *, overwrite: bool = False
) -> Path:
    """Write ``circuit`` to a QPY file atomically; read it back with ``qiskit.qpy.load``.

    Parameters
    ----------
    circuit : qiskit.QuantumCircuit
    path : str or os.PathLike
        Output file (its folder is created).
    overwrite : bool
        Replace an existing file (default: refuse).

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    TypeError
        If ``circuit`` is not a ``QuantumCircuit``.
    FileExistsError
        If ``path`` exists and ``overwrite`` is False.
    """
    from qiskit import qpy

    circuit = _check_circuit(circuit)
    return atomic_write(path, lambda fh: qpy.dump(circuit, fh), overwrite=overwrite)


def to_qasm3(circuit: QuantumCircuit) -> str:
    """OpenQASM 3 text of ``circuit``, with its global phase as a final ``gphase``.

    qiskit's exporter (``qiskit.qasm3.dumps``) drops the circuit's global phase
    and the global phases of the definitions it writes for gates outside
    ``stdgates.inc`` (e.g. ``ecr``, ``rzz``).  Their (numeric) sum is appended
    here as ``gphase(phase);``, so the text re-imported by ``qiskit.qasm3.loads``
    / ``qiskit_qasm3_import.parse`` gives the same statevector, phase included.
    Symbolic phases and phases inside control flow are left out.

    Raises
    ------
    TypeError
        If ``circuit`` is not a ``QuantumCircuit``.
    """
    from qiskit import qasm3

    circuit = _check_circuit(circuit)
    text = qasm3.dumps(circuit)
    phase = (_numeric_phase(circuit) or 0.0) + _defined_gate_phase(circuit)
    phase = math.remainder(phase, 2 * math.pi)
    if phase != 0.0:
        text = text.rstrip("\n") + f"\ngphase({phase!r});\n"
    return text


def to_qasm2(circuit: QuantumCircuit) -> str:
    """OpenQASM 2 text of ``circuit`` using only the standard ``qelib1.inc`` gates.

    Gates outside :data:`QASM2_GATES` (qiskit's ``u``, ``p``, ``sx``, ``ecr``,
    ``rzz``, unitaries, ...) are first translated exactly into ``u3``/``cx``
    and friends by qiskit's basis translator (no optimisation, no layout).
    The text reads back with ``qiskit.qasm2.loads`` and any other OpenQASM 2
    reader.  The global phase, which OpenQASM 2 cannot express, is written as
    a trailing comment (relative to qiskit's matrices of the gates, e.g. its
    ``rz``, which qelib1.inc defines as ``u1``, a phase apart); re-imported
    circuits match up to that phase.

    Raises
    ------
    TypeError
        If ``circuit`` is not a ``QuantumCircuit``.
    ValueError
        If the circuit has instructions OpenQASM 2 cannot express (classical
        control flow beyond ``if``, ...).
    """
    from qiskit import qasm2, transpile
    from qiskit.qasm2 import QASM2ExportError
    from qiskit.transpiler.exceptions import TranspilerError

    circuit = _check_circuit(circuit)
    if set(circuit.count_ops()) - QASM2_GATES:
        basis = sorted(QASM2_GATES - {"barrier", "measure", "reset"})  # built in, always kept
        try:
            circuit = transpile(circuit, basis_gates=basis, optimization_level=0, seed_transpiler=0)
        except TranspilerError as exc:
            raise ValueError(f"cannot write the circuit in OpenQASM 2 gates: {exc}") from exc
    try:
        text = qasm2.dumps(circuit)
    except QASM2ExportError as exc:
        raise ValueError(f"cannot export the circuit to OpenQASM 2: {exc}") from exc
    phase = _numeric_phase(circuit)
    if phase is not None and phase != 0.0:
        text = text.rstrip("\n") + f"\n// global phase {phase!r} (OpenQASM 2 cannot express it)\n"
    return text


def write_qasm2(
    circuit: QuantumCircuit, path: str | os.PathLike[str], overwrite: bool = False
) -> Path:
    """Write :func:`to_qasm2` text to ``path`` atomically (existing files refused by default).

    Raises
    ------
    TypeError, ValueError
        As :func:`to_qasm2`.
    FileExistsError
        If ``path`` exists and ``overwrite`` is False.
    """
    return atomic_write_text(path, to_qasm2(circuit), overwrite=overwrite)


def write_qasm3(
    circuit: QuantumCircuit, path: str | os.PathLike[str], overwrite: bool = False
) -> Path:
    """Write :func:`to_qasm3` text to ``path`` atomically (existing files refused by default).

    Raises
    ------
    TypeError
        As :func:`to_qasm3`.
    FileExistsError
        If ``path`` exists and ``overwrite`` is False.
    """
    return atomic_write_text(path, to_qasm3(circuit), overwrite=overwrite)


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


def two_qubit_depth(circuit: QuantumCircuit) -> int:
    """Depth of ``circuit`` counting only two-qubit gates (barriers and directives ignored)."""
    circuit = _check_circuit(circuit)
    return int(
        circuit.depth(
            lambda inst: len(inst.qubits) == 2 and not getattr(inst.operation, "_directive", False)
        )
    )


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
