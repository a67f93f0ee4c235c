"""Trotter circuits (circuits.trotter) against the TEBD engine, exact evolution and gate counts."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse.linalg as spla
from qiskit.quantum_info import Statevector

from circuits.trotter import merged_layers, trotter_circuit, trotter_depth
from mps import MPS, SpinChain, evolve, heisenberg, trotter_layers

N = 10
T = 0.7
INITIAL = "0110100111"


def _random_chain(n: int, seed: int) -> SpinChain:
    """A chain with different couplings on every bond and X, Y, Z fields on every site."""
    rng = np.random.default_rng(seed)
    bonds = {k: rng.uniform(-1.0, 1.0, n - 1) for k in ("jx", "jy", "jz")}
    fields = {k: rng.uniform(-1.0, 1.0, n) for k in ("hx", "hy", "hz")}
    return SpinChain(n, **bonds, **fields, name="random")


def _two_qubit_depth(qc) -> int:
    return qc.depth(lambda inst: inst.operation.num_qubits == 2)


def _fidelity(a: np.ndarray, b: np.ndarray) -> float:
    return abs(np.vdot(a, b)) ** 2 / (np.vdot(a, a).real * np.vdot(b, b).real)


@pytest.mark.parametrize(("order", "steps"), [(1, 3), (2, 3), (4, 2)])
def test_statevector_equals_tebd(order: int, steps: int) -> None:
    chain = _random_chain(N, seed=7)
    qc = trotter_circuit(chain, T, steps, order=order, initial=INITIAL)
    ref = evolve(
        chain, MPS.from_bitstring(INITIAL), T, dt=T / steps, order=order, cutoff=0
    ).state.to_dense()
    sv = Statevector(qc).data
    assert _fidelity(sv, ref) > 1 - 1e-12
    # The block phases are moved into the global phase, so even the phase agrees.
    np.testing.assert_allclose(sv, ref, atol=1e-10)


@pytest.mark.parametrize(("order", "steps"), [(1, 3), (2, 3), (4, 2)])
def test_cx_count_and_depth(order: int, steps: int) -> None:
    qc = trotter_circuit(_random_chain(N, seed=3), T, steps, order=order, initial=INITIAL)
    layers = {1: 2 * steps, 2: 2 * steps + 1, 4: 10 * steps + 1}[order]
    even, odd = len(range(0, N - 1, 2)), len(range(1, N - 1, 2))
    gates = sum(even if layer % 2 == 0 else odd for layer in range(layers))
    cost = trotter_depth(N, steps, order)
    assert qc.count_ops()["cx"] == 3 * gates == cost.cx_count
    assert _two_qubit_depth(qc) == 3 * layers == cost.two_qubit_depth
    assert set(qc.count_ops()) <= {"u", "rz", "ry", "cx"}


def test_default_initial_is_neel_and_zero_time_is_identity() -> None:
    chain = heisenberg(6, j=0.25)
    qc = trotter_circuit(chain, 0.0, 2)
    np.testing.assert_allclose(Statevector(qc).data, MPS.neel(6).to_dense(), atol=1e-12)


def test_layer_schedule_matches_tebd() -> None:
    for order in (1, 2):
        plain = [(p, tau) for p, tau, _ in trotter_layers(order, 0.1, 5)]
        assert merged_layers(order, 0.1, 5) == plain
    layers = merged_layers(4, 0.1, 3)
    assert len(layers) == 31
    assert [p for p, _ in layers] == [k % 2 for k in range(31)]
    # Merging only regroups the same exponentials: each parity still totals t.
    for parity in (0, 1):
        total = sum(tau for p, tau in layers if p == parity)
        ref = sum(tau for p, tau, _ in trotter_layers(4, 0.1, 3) if p == parity)
        assert total == pytest.approx(ref, abs=1e-14)
        assert total == pytest.approx(0.3, abs=1e-14)
    assert trotter_depth(N, 0, 2) == (0, 0)


def test_error_decreases_with_order() -> None:
    """Against exact evolution: the higher-order formula is closer at the same step count."""
    n, t = 8, 1.0
    chain = _random_chain(n, seed=11)
    psi0 = MPS.from_bitstring(INITIAL[:n]).to_dense()
    exact = spla.expm_multiply(-1j * t * chain.to_sparse(), psi0)
    err = {
        order: 1
        - _fidelity(
            Statevector(trotter_circuit(chain, t, 4, order=order, initial=INITIAL[:n])).data, exact
        )
        for order in (1, 2, 4)
    }
    assert err[4] < err[2] < err[1]
    assert err[4] < 1e-5


def test_two_qubits() -> None:
    chain = _random_chain(2, seed=5)
    qc = trotter_circuit(chain, 0.5, 3, order=2, initial="10")
    ref = evolve(chain, MPS.from_bitstring("10"), 0.5, dt=0.5 / 3, order=2, cutoff=0)
    np.testing.assert_allclose(Statevector(qc).data, ref.state.to_dense(), atol=1e-10)
    assert qc.count_ops()["cx"] == trotter_depth(2, 3, 2).cx_count == 12


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"chain": "heisenberg"}, TypeError),
        ({"t": -1.0}, ValueError),
        ({"t": float("nan")}, ValueError),
        ({"steps": 0}, ValueError),
        ({"steps": 1.5}, TypeError),
        ({"order": 3}, ValueError),
        ({"initial": "0101"}, ValueError),
        ({"initial": "01012"}, ValueError),
        ({"initial": 5}, TypeError),
    ],
)
def test_bad_input(kwargs: dict, error: type[Exception]) -> None:
    args = {"chain": heisenberg(5), "t": 1.0, "steps": 2, **kwargs}
    with pytest.raises(error):
        trotter_circuit(args.pop("chain"), args.pop("t"), args.pop("steps"), **args)
    with pytest.raises(ValueError):
        trotter_depth(1, 2, 2)
    with pytest.raises(ValueError):
        trotter_depth(4, 2, 3)
