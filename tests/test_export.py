"""Circuit export (circuits.export, circuits.isa): QPY and OpenQASM round trips, ISA circuits."""

from __future__ import annotations

import itertools
import os
import re

import numpy as np
import pytest
import qiskit_qasm3_import
from qiskit import QuantumCircuit, qasm2, qpy
from qiskit.providers.fake_provider import GenericBackendV2
from qiskit.quantum_info import Statevector

import aqc
from circuits.export import (
    QASM2_GATES,
    to_qasm2,
    to_qasm3,
    to_qpy,
    two_qubit_depth,
    write_qasm2,
    write_qasm3,
)
from circuits.isa import (
    IsaResult,
    fake_backend_names,
    find_line,
    get_backend,
    resolve_backend,
    to_isa,
)
from circuits.trotter import trotter_circuit
from mps import SpinChain

N = 8


def _fidelity(a: np.ndarray, b: np.ndarray) -> float:
    return abs(np.vdot(a, b)) ** 2 / (np.vdot(a, a).real * np.vdot(b, b).real)


def _aqc_circuit(n: int = N) -> QuantumCircuit:
    ansatz = aqc.BrickworkAnsatz(n, 3)
    return ansatz.to_circuit(ansatz.random_params(seed=5, scale=1.0))


def _trotter(n: int = N) -> QuantumCircuit:
    rng = np.random.default_rng(2)
    chain = SpinChain(
        n,
        jx=rng.uniform(-1, 1, n - 1),
        jy=0.5,
        jz=rng.uniform(-1, 1, n - 1),
        hx=0.3,
        hz=rng.uniform(-1, 1, n),
    )
    return trotter_circuit(chain, 0.8, 2, order=2)


def _mixed_gates() -> QuantumCircuit:
    """Gates outside the standard qelib1.inc (sx, p, rzz, ecr, u, swap) and a global phase."""
    qc = QuantumCircuit(3, global_phase=0.4)
    qc.h(0)
    qc.u(0.3, -0.2, 1.1, 1)
    qc.sx(2)
    qc.p(0.7, 0)
    qc.rzz(0.9, 0, 2)
    qc.ecr(1, 2)
    qc.swap(0, 1)
    qc.ry(1 / 3, 2)
    return qc


CIRCUITS = {"aqc": _aqc_circuit, "trotter": _trotter, "mixed": _mixed_gates}


# ------------------------------------------------------------------ round trips
@pytest.mark.parametrize("kind", sorted(CIRCUITS))
def test_qpy_round_trip(kind: str, tmp_path) -> None:
    qc = CIRCUITS[kind]()
    path = to_qpy(qc, tmp_path / "c.qpy")
    with open(path, "rb") as fh:
        (back,) = qpy.load(fh)
    np.testing.assert_allclose(Statevector(back).data, Statevector(qc).data, atol=1e-12)
    assert back == qc


@pytest.mark.parametrize("kind", sorted(CIRCUITS))
def test_qasm3_round_trip(kind: str, tmp_path) -> None:
    qc = CIRCUITS[kind]()
    text = to_qasm3(qc)
    path = write_qasm3(qc, tmp_path / "c.qasm")
    assert path.read_text() == text
    back = qiskit_qasm3_import.parse(text)
    sv, ref = Statevector(back).data, Statevector(qc).data
    assert _fidelity(sv, ref) > 1 - 1e-10
    # to_qasm3 carries the global phase (qiskit's exporter alone drops it).
    np.testing.assert_allclose(sv, ref, atol=1e-10)


@pytest.mark.parametrize("kind", sorted(CIRCUITS))
def test_qasm2_round_trip(kind: str, tmp_path) -> None:
    qc = CIRCUITS[kind]()
    text = to_qasm2(qc)
    path = write_qasm2(qc, tmp_path / "c.qasm")
    assert path.read_text() == text
    # The strict reader: only the standard qelib1.inc is known.
    back = qasm2.loads(text)
    assert set(back.count_ops()) <= QASM2_GATES
    assert _fidelity(Statevector(back).data, Statevector(qc).data) > 1 - 1e-10


def test_qasm_text_details() -> None:
    phased = QuantumCircuit(2, global_phase=0.4)
    phased.h(0)
    assert to_qasm3(phased).endswith("h q[0];\ngphase(0.4);\n")
    assert to_qasm2(phased).endswith("// global phase 0.4 (OpenQASM 2 cannot express it)\n")
    plain = QuantumCircuit(2)
    plain.cx(0, 1)
    assert "gphase" not in to_qasm3(plain)
    assert "global phase" not in to_qasm2(plain)
    # ECR is written as a gate definition whose phase (-pi/4) qiskit's exporter drops.
    qc = _mixed_gates()
    (value,) = re.findall(r"^gphase\((.*)\);$", to_qasm3(qc), flags=re.M)
    assert float(value) == pytest.approx(0.4 - np.pi / 4, abs=1e-12)
    # Gates outside qelib1.inc are rewritten for OpenQASM 2; the circuit itself is left alone.
    assert "sx" in qc.count_ops()
    body = [line for line in to_qasm2(qc).splitlines() if not line.startswith(("//", "OPENQASM"))]
    assert not any(line.startswith(("sx ", "p(", "rzz(", "ecr ", "u(", "swap ")) for line in body)


def test_files_are_atomic_and_not_overwritten(tmp_path) -> None:
    qc = _trotter(4)
    for write, name in ((to_qpy, "c.qpy"), (write_qasm2, "c2.qasm"), (write_qasm3, "c3.qasm")):
        path = tmp_path / "sub" / name
        write(qc, path)
        before = path.read_bytes()
        with pytest.raises(FileExistsError, match="refusing to overwrite"):
            write(qc, path)
        assert path.read_bytes() == before
        write(qc, path, overwrite=True)
    assert sorted(os.listdir(tmp_path / "sub")) == ["c.qpy", "c2.qasm", "c3.qasm"]  # no temp files


@pytest.mark.parametrize("fn", [to_qasm2, to_qasm3, two_qubit_depth])
def test_non_circuit_rejected(fn) -> None:
    with pytest.raises(TypeError, match="QuantumCircuit"):
        fn("OPENQASM 2.0;")


def test_non_circuit_rejected_by_writers(tmp_path) -> None:
    for write in (to_qpy, write_qasm2, write_qasm3):
        with pytest.raises(TypeError, match="QuantumCircuit"):
            write([1, 2], tmp_path / "x")
    assert not (tmp_path / "x").exists()
    with pytest.raises(TypeError, match="QuantumCircuit"):
        to_isa(np.eye(4), "fake_sherbrooke")


# ------------------------------------------------------------------------ ISA
def _compact_state(isa: QuantumCircuit, layout: list[int]) -> np.ndarray:
    """Statevector of the ISA circuit on its active qubits, physical ``layout[j]`` -> ``j``."""
    pos = {p: j for j, p in enumerate(layout)}
    out = QuantumCircuit(len(layout), global_phase=isa.global_phase)
    for inst in isa.data:
        qubits = [isa.find_bit(q).index for q in inst.qubits]
        assert set(qubits) <= set(pos), f"{inst.operation.name} acts outside the layout"
        out.append(inst.operation, [pos[q] for q in qubits])
    return Statevector(out).data


def _logical_to_compact(state: np.ndarray, layout: list[int], final: list[int]) -> np.ndarray:
    """Move logical qubit ``i`` to compact qubit ``layout.index(final[i])`` (little-endian)."""
    n = len(layout)
    target = [layout.index(p) for p in final]
    # reshape(...)[axis k] is qubit n-1-k in little-endian order
    tensor = state.reshape([2] * n)
    src = [n - 1 - i for i in range(n)]
    dst = [n - 1 - target[i] for i in range(n)]
    return np.moveaxis(tensor, src, dst).reshape(-1)


def _check_isa(res: IsaResult, logical: QuantumCircuit, backend) -> None:
    isa = res.circuit
    target = backend.target
    ops = set(isa.count_ops())
    assert ops <= set(target.operation_names)
    edges = {tuple(e) for e in backend.coupling_map.get_edges()}
    for inst in isa.data:
        qubits = tuple(isa.find_bit(q).index for q in inst.qubits)
        assert target.instruction_supported(inst.operation.name, qubits)
        if len(qubits) == 2:
            assert qubits in edges
    assert res.gate_counts == dict(isa.count_ops())
    assert res.two_qubit_depth == two_qubit_depth(isa)
    assert res.backend_name == backend.name
    ref = _logical_to_compact(Statevector(logical).data, res.layout, res.final_layout)
    assert _fidelity(_compact_state(isa, res.layout), ref) >= 1 - 1e-8


@pytest.mark.parametrize("kind", ["aqc", "trotter"])
def test_isa_heavy_hex_line_layout(kind: str) -> None:
    backend = get_backend("fake_sherbrooke")
    assert backend.num_qubits == 127
    logical = CIRCUITS[kind](10)
    res = to_isa(logical, backend, seed=1)
    _check_isa(res, logical, backend)
    # The layout is a line of the coupling map, so nearest-neighbour circuits need no SWAP:
    # as many two-qubit gates as CX in the logical circuit, and no routing permutation.
    edges = {frozenset(e) for e in backend.coupling_map.get_edges()}
    assert len(set(res.layout)) == 10
    assert all(frozenset(p) in edges for p in itertools.pairwise(res.layout))
    assert res.final_layout == res.layout
    assert res.gate_counts["ecr"] == logical.count_ops()["cx"]
    assert res.two_qubit_depth == two_qubit_depth(logical)


def test_isa_heron_by_name() -> None:
    logical = _trotter(6)
    res = to_isa(logical, "fake_torino", optimization_level=1)
    backend = get_backend("torino")
    assert backend.num_qubits == 133
    _check_isa(res, logical, backend)
    assert res.gate_counts["cz"] == logical.count_ops()["cx"]


def test_isa_routed_circuit_keeps_state() -> None:
    """A circuit that is not nearest-neighbour needs SWAPs; the final layout accounts for them."""
    backend = get_backend("fake_sherbrooke")
    qc = QuantumCircuit(5)
    for q in range(5):
        qc.ry(0.3 + 0.4 * q, q)
    qc.cx(0, 4)
    qc.cx(1, 3)
    qc.cx(4, 2)
    qc.rz(0.7, 4)
    qc.cx(0, 3)
    res = to_isa(qc, backend, optimization_level=1, seed=3)
    _check_isa(res, qc, backend)


def test_isa_user_layout_and_generic_backend() -> None:
    backend = GenericBackendV2(num_qubits=6, coupling_map=[[i, i + 1] for i in range(5)], seed=1)
    qc = _trotter(4)
    res = to_isa(qc, backend, layout=[5, 4, 3, 2])
    assert res.layout == [5, 4, 3, 2]
    _check_isa(res, qc, backend)


def test_isa_is_reproducible() -> None:
    qc = _aqc_circuit(6)
    a, b = to_isa(qc, "fake_sherbrooke", seed=4), to_isa(qc, "fake_sherbrooke", seed=4)
    assert a.layout == b.layout
    assert a.circuit == b.circuit


# ------------------------------------------------------------------ line search
def test_find_line_simple_graphs() -> None:
    ring = [(i, (i + 1) % 8) for i in range(8)]
    line = find_line(ring, 8)
    assert sorted(line) == list(range(8))
    assert all(abs(a - b) in (1, 7) for a, b in itertools.pairwise(line))
    # Costs steer the choice: avoid the expensive edge (3, 4).
    line = find_line(ring, 8, edge_cost={(4, 3): 10.0})
    assert {frozenset(p) for p in itertools.pairwise(line)}.isdisjoint({frozenset((3, 4))})
    assert find_line(ring, 1, node_cost={q: 1.0 for q in range(8)} | {5: 0.0}) == [5]


def test_find_line_heavy_hex_long() -> None:
    coupling = get_backend("fake_sherbrooke").coupling_map
    line = find_line(coupling, 100)
    edges = {frozenset(e) for e in coupling.get_edges()}
    assert len(set(line)) == 100
    assert all(frozenset(p) in edges for p in itertools.pairwise(line))


# -------------------------------------------------------------------- bad input
def test_unknown_backend_name_lists_choices() -> None:
    names = fake_backend_names()
    assert {"fake_sherbrooke", "fake_torino"} <= set(names)
    with pytest.raises(ValueError, match=r"unknown backend 'fake_nowhere'.*fake_sherbrooke"):
        get_backend("fake_nowhere")
    with pytest.raises(ValueError, match="available"):
        to_isa(_trotter(4), "ibm_nowhere")
    with pytest.raises(TypeError, match="BackendV2"):
        to_isa(_trotter(4), 127)
    assert get_backend("FakeSherbrooke").name == get_backend("sherbrooke").name == "fake_sherbrooke"
    generic = GenericBackendV2(num_qubits=3, seed=0)
    assert resolve_backend(generic) is generic
    assert resolve_backend("fake_torino").name == "fake_torino"
    with pytest.raises(TypeError, match="BackendV2"):
        resolve_backend(None)


def test_too_many_qubits() -> None:
    with pytest.raises(ValueError, match="has only 127"):
        to_isa(QuantumCircuit(128), "fake_sherbrooke")
    # Heavy-hex Eagle is bipartite with colour classes 73 and 54: no line beyond 2*54+1 = 109.
    with pytest.raises(ValueError, match="at most 109"):
        to_isa(QuantumCircuit(110), "fake_sherbrooke")
    star = GenericBackendV2(num_qubits=5, coupling_map=[[0, 1], [0, 2], [0, 3], [0, 4]], seed=0)
    assert len(to_isa(_trotter(3), star).layout) == 3
    with pytest.raises(ValueError, match="no line of 4 qubits"):
        to_isa(_trotter(4), star)
    # A line 4-0-1-2-5 exists, but a budget of one step per start cannot find it.
    graph = [(0, 1), (1, 2), (2, 3), (3, 0), (0, 4), (2, 5)]
    assert len(find_line(graph, 5)) == 5
    with pytest.raises(ValueError, match=r"no line of 5 qubits found.*longest found has 2"):
        find_line(graph, 5, budget=1)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"layout": [0, 1, 2]}, ValueError),
        ({"layout": [0, 0, 1, 2]}, ValueError),
        ({"layout": [0, 1, 2, 500]}, ValueError),
        ({"optimization_level": 4}, ValueError),
        ({"seed": -1}, ValueError),
    ],
)
def test_bad_isa_options(kwargs: dict, error: type[Exception]) -> None:
    with pytest.raises(error):
        to_isa(_trotter(4), "fake_sherbrooke", **kwargs)


def test_bad_coupling_edges() -> None:
    with pytest.raises(ValueError, match="pairs"):
        find_line([(0, 1, 2)], 2)
    with pytest.raises(ValueError, match="no qubits"):
        find_line([], 2)
    with pytest.raises(ValueError):
        find_line([(0, 1)], 0)
