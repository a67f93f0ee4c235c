"""Sequential (staircase) encoding, the gate-list contraction and compress-then-extend.

References: dense statevectors built here from Kronecker-free tensor reshapes, and
qiskit ``Statevector`` of the exported circuits.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from conftest import random_mps_tensors
from qiskit.quantum_info import Statevector
from scipy.sparse.linalg import expm_multiply
from scipy.stats import unitary_group

import aqc
from aqc.contraction import GateList
from aqc.sequential import StaircaseAnsatz, ran_layer, sequential_circuit
from mps import MPS, evolve, heisenberg


def _dense_circuit(n, bonds, gates, v0=None):
    """Apply 4x4 gates (lower qubit more significant) to a little-endian dense state."""
    if v0 is None:
        v = np.zeros(2**n, complex)
        v[0] = 1.0
    else:
        v = v0.copy()
    v = v.reshape([2] * n)  # axis a is qubit n-1-a
    for b, g in zip(bonds, gates, strict=True):
        ax = [n - 1 - b, n - 2 - b]
        v = np.moveaxis(v, ax, [0, 1])
        v = np.einsum("abcd,cd...->ab...", g.reshape(2, 2, 2, 2), v)
        v = np.moveaxis(v, [0, 1], ax)
    return v.ravel()


def _random_mps(n, chi, seed):
    return MPS(random_mps_tensors(n, chi, np.random.default_rng(seed))).normalize()


def _sv_fidelity(target, qc):
    return abs(np.vdot(target.to_dense(), Statevector(qc).data)) ** 2


def test_gate_list_contraction_matches_dense_for_any_gate_order():
    n = 6
    psi = _random_mps(n, 3, 0)
    bonds = (0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 2, 1, 3, 0, 4, 4)
    gates = [unitary_group.rvs(4, random_state=k) for k in range(len(bonds))]
    ref = np.vdot(psi.to_dense(), _dense_circuit(n, bonds, gates))
    logabs, phase = GateList(n, bonds).log_overlap(psi, gates)
    assert np.exp(logabs) == pytest.approx(abs(ref), abs=1e-12)
    assert np.angle(np.exp(1j * (phase - np.angle(ref)))) == pytest.approx(0.0, abs=1e-10)


def test_ran_layer_prepares_its_chi2_truncation_exactly():
    psi = _random_mps(7, 2, 3)
    gates = ran_layer(psi)
    assert all(np.allclose(g.conj().T @ g, np.eye(4), atol=1e-12) for g in gates)
    out = _dense_circuit(7, tuple(range(6)), gates)
    assert abs(np.vdot(psi.to_dense(), out)) ** 2 == pytest.approx(1.0, abs=1e-12)


def test_acceptance_random_chi4_fidelity_equals_statevector_and_chi2_needs_one_layer():
    psi = _random_mps(10, 4, 5)
    res = sequential_circuit(psi, 3)
    assert res.fidelity_method == "contraction"
    assert res.fidelity == pytest.approx(_sv_fidelity(psi, res.circuit), abs=1e-10)
    f = res.fidelity_per_layer
    assert 0.5 < f[0] < f[1] < f[2] < 1.0
    assert f[-1] == pytest.approx(res.fidelity, abs=1e-10)  # the residual route agrees
    psi2 = _random_mps(10, 2, 6)
    res2 = sequential_circuit(psi2, 1)
    assert res2.fidelity > 1 - 1e-10
    assert _sv_fidelity(psi2, res2.circuit) > 1 - 1e-10


@pytest.mark.parametrize("layers", [1, pytest.param(2, marks=pytest.mark.slow)])
def test_optimised_layers_beat_ran_and_match_statevector(layers):
    psi = _random_mps(6, 4, 7)
    ran = sequential_circuit(psi, layers)
    opt = sequential_circuit(psi, layers, optimize=True, maxiter=30)
    assert opt.fidelity > ran.fidelity + 1e-4
    assert opt.fidelity == pytest.approx(_sv_fidelity(psi, opt.circuit), abs=1e-10)
    assert opt.fidelity_per_layer[0] >= ran.fidelity_per_layer[0] - 1e-12
    assert opt.n_iter > 0


def test_mps_fidelity_route_beyond_max_env_matches_statevector():
    psi = _random_mps(8, 4, 8)
    res = sequential_circuit(psi, 3, max_env=10)
    assert res.fidelity_method == "mps"
    assert res.fidelity == pytest.approx(_sv_fidelity(psi, res.circuit), abs=1e-10)


@pytest.mark.parametrize(("n", "layers"), [(2, 1), (2, 3), (3, 1), (3, 2), (6, 1), (6, 4), (9, 3)])
def test_staircase_depth_formula_against_qiskit(n, layers):
    ans = StaircaseAnsatz(n, layers)
    qc = ans.to_circuit(np.random.default_rng(n).normal(size=ans.num_params))
    assert qc.depth(lambda ins: ins.operation.num_qubits == 2) == ans.two_qubit_depth
    assert qc.count_ops()["cx"] == ans.cx_count == 3 * layers * (n - 1)
    if n >= 3:
        assert ans.two_qubit_depth == 3 * (n + 2 * layers - 3)


def test_target_fidelity_stops_adding_layers():
    target = evolve(heisenberg(6, 0.25), MPS.neel(6), t=0.3, dt=0.05).state
    seen = []
    res = sequential_circuit(target, 10, target_fidelity=0.99,
                             callback=lambda d, f: seen.append((d, f)))
    assert res.ansatz.layers < 10 and res.fidelity >= 0.99
    # the progress callback sees every layer's fidelity as it is added
    assert seen == list(enumerate(res.fidelity_per_layer, start=1))


@pytest.mark.parametrize(("kwargs", "exc", "match"), [
    ({"layers": 0}, ValueError, "layers"),
    ({"layers": 1.5}, TypeError, "layers"),
    ({"layers": 2, "maxiter": 0}, ValueError, "maxiter"),
    ({"layers": 12, "optimize": True}, ValueError, "max_env"),
    ({"layers": 2, "callback": 3}, TypeError, "callback"),
])
def test_sequential_bad_input(kwargs, exc, match):
    psi = _random_mps(5, 2, 1)
    with pytest.raises(exc, match=match):
        sequential_circuit(psi, **kwargs)


def test_sequential_rejects_unnormalised_and_non_mps():
    raw = MPS(random_mps_tensors(5, 2, np.random.default_rng(2)))
    with pytest.raises(ValueError, match="normalised"):
        sequential_circuit(raw, 1)
    with pytest.raises(TypeError, match=r"mps\.MPS"):
        sequential_circuit(np.zeros(32), 1)


def test_extend_matches_dense_statevector_and_trotter_baselines():
    chain = heisenberg(6, 0.25)
    target = evolve(chain, MPS.neel(6), t=0.5, dt=0.025, order=4).state
    res = aqc.compile(target, aqc.BrickworkAnsatz(6, 3), maxiter=20)
    ext = aqc.extend(res, chain, 0.5, 2, target=target)
    sv = Statevector(ext.circuit).data
    assert np.allclose(sv, ext.state.to_dense(), atol=1e-10)  # the MPS route is the circuit
    # the final target: TEBD at t = 1, checked against exp(-iHt) (scipy)
    exact = expm_multiply(-1j * chain.to_sparse(), MPS.neel(6).to_dense())
    assert abs(np.vdot(exact, ext.target.to_dense())) ** 2 == pytest.approx(1.0, abs=1e-6)
    assert ext.fidelity == pytest.approx(abs(np.vdot(ext.target.to_dense(), sv)) ** 2, abs=1e-10)
    assert ext.fidelity_contraction == pytest.approx(ext.fidelity, abs=1e-10)
    assert ext.circuit.depth(lambda ins: ins.operation.num_qubits == 2) == ext.two_qubit_depth
    assert ext.circuit.count_ops()["cx"] == ext.cx_count
    row = aqc.trotter_comparison(ext, chain, MPS.neel(6).as_bitstring(), max_steps=12)
    assert row["same_depth"]["two_qubit_depth"] <= ext.two_qubit_depth
    if row["same_fidelity"] is not None:
        assert row["same_fidelity"]["fidelity"] >= ext.fidelity


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"t_extra": 0.0}, "t_extra"), ({"t_extra": -1.0}, "t_extra"),
    ({"steps": 0}, "steps"), ({"order": 3}, "order"),
])
def test_extend_bad_input(kwargs, match):
    chain = heisenberg(4, 0.25)
    target = evolve(chain, MPS.neel(4), t=0.2, dt=0.05).state
    ansatz = aqc.BrickworkAnsatz(4, 2)  # validation comes before any use of the circuit
    res = SimpleNamespace(ansatz=ansatz, params=ansatz.zero_params(), fidelity=1.0,
                          circuit=ansatz.to_circuit(ansatz.zero_params()))
    args = {"t_extra": 0.5, "steps": 1, "order": 2} | kwargs
    with pytest.raises(ValueError, match=match):
        aqc.extend(res, chain, args["t_extra"], args["steps"], args["order"], target=target)


@pytest.mark.slow
def test_extend_fidelity_confirmed_by_quimb_at_n40():
    """Acceptance 4 at a size the suite can afford: quimb's CircuitMPS of the extended circuit."""
    from conftest import simulate_with_quimb

    n = 40
    chain = heisenberg(n, 0.25)
    target = evolve(chain, MPS.neel(n), t=1.0, dt=0.025, order=4, max_bond=128).state
    res = aqc.compile(target, aqc.BrickworkAnsatz(n, 4), maxiter=60)
    ext = aqc.extend(res, chain, 1.0, 4, target=target)
    psi, _ = simulate_with_quimb(ext.circuit)
    f_quimb = abs(ext.target.to_quimb().H @ psi) ** 2
    assert f_quimb == pytest.approx(ext.fidelity, abs=1e-6)
    row = aqc.trotter_comparison(ext, chain, MPS.neel(n).as_bitstring(), max_steps=20)
    assert row["same_depth"]["two_qubit_depth"] <= ext.two_qubit_depth
