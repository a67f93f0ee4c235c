"""The magnetisation-conserving ``u1`` block: symmetry, export, Trotter start, contraction."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit.quantum_info import Operator, Statevector
from scipy.linalg import expm

import aqc
from aqc.ansatz import BrickworkAnsatz
from mps import MPS, evolve, xxz

_X = np.array([[0, 1], [1, 0]])
_Y = np.array([[0, -1j], [1j, 0]])
_Z = np.diag([1.0, -1.0])
_I = np.eye(2)


def test_u1_block_commutes_with_total_z_and_matches_its_formula(rng):
    ans = BrickworkAnsatz(2, 1, "u1")
    ztot = np.kron(_Z, _I) + np.kron(_I, _Z)
    for _ in range(5):
        p = rng.uniform(-np.pi, np.pi, ans.num_params)
        u = ans.block_unitaries(p)[0]
        assert np.linalg.norm(u @ ztot - ztot @ u) < 1e-12
        txy, tz, r1, r2 = p[4:]
        core = expm(-0.5j * (txy * (np.kron(_X, _X) + np.kron(_Y, _Y)) + tz * np.kron(_Z, _Z)))
        rz = np.kron(expm(-0.5j * r1 * _Z), expm(-0.5j * r2 * _Z))
        np.testing.assert_allclose(u, rz @ core, atol=1e-12)
    # the xxz block with tx != ty does not conserve the magnetisation
    v = BrickworkAnsatz(2, 1, "xxz").block_unitaries(np.r_[np.zeros(4), 0.7, -0.2, 0.3, 0, 0])[0]
    assert np.linalg.norm(v @ ztot - ztot @ v) > 0.1


def test_u1_export_matches_block_unitary_with_three_cx(rng):
    ans = BrickworkAnsatz(2, 1, "u1")
    p = rng.normal(size=ans.num_params)
    p[:4] = 0.0
    qc = ans.to_circuit(p)
    assert qc.count_ops()["cx"] <= 3
    # qiskit's operator is little-endian; the blocks put qubit 0 most significant
    np.testing.assert_allclose(Operator(qc.reverse_bits()).data, ans.block_unitaries(p)[0],
                               atol=1e-12)


def test_u1_circuit_stays_in_the_magnetisation_sector(rng):
    n = 7
    ans = BrickworkAnsatz(n, 4, "u1")
    p = rng.uniform(-np.pi, np.pi, ans.num_params)
    p[: 2 * n] = aqc.ansatz.bitstring_angles("0101101").ravel()
    psi = Statevector(ans.to_circuit(p)).data
    ones = np.array([bin(k).count("1") for k in range(2**n)])
    assert np.sum(np.abs(psi[ones != 4]) ** 2) < 1e-24
    assert ans.cx_count == ans.to_circuit(p).count_ops()["cx"]


def test_u1_overlap_and_gradient(rng):
    """The contraction with u1 blocks equals the dense overlap; gradient vs central differences."""
    n, layers = 7, 3  # odd n (a virtual site) and odd L (a folded top layer)
    ans = BrickworkAnsatz(n, layers, "u1")
    target = evolve(xxz(n, 1.0, 0.5), MPS.neel(n), 0.4, 0.05).state
    obj = aqc.Objective.build(target, ans)
    p = rng.uniform(-np.pi, np.pi, ans.num_params)
    ref = np.vdot(target.to_dense(), Statevector(ans.to_circuit(p)).data)
    assert abs(obj.overlap(p) - ref) < 1e-10
    _, grad = obj.value_and_grad(p)
    h = 1e-5
    for k in rng.choice(ans.num_params, 6, replace=False):
        e = np.zeros_like(p)
        e[k] = h
        fd = (obj.value_and_grad(p + e)[0] - obj.value_and_grad(p - e)[0]) / (2 * h)
        assert abs(grad[k] - fd) < 1e-6


def test_u1_trotter_init_reproduces_the_trotter_circuit():
    n = 6
    ans = BrickworkAnsatz(n, 5, "u1")
    chain = xxz(n, 1.0, 0.5)
    # second order, 2 steps: the TEBD product formula exactly
    p = aqc.trotter_params(ans, chain, 0.6, "010101", order=2, steps=2)
    ref = evolve(chain, MPS.neel(n), 0.6, 0.3, order=2, cutoff=0.0).state.to_dense()
    psi = Statevector(ans.to_circuit(p)).data
    assert abs(np.vdot(ref, psi)) ** 2 == pytest.approx(1.0, abs=1e-12)
    # the same circuit as the xxz block's Trotter start (tx = ty), also with a uniform field
    chain_h = xxz(n, 1.0, 0.5, hz=0.3)
    xans = BrickworkAnsatz(n, 5, "xxz")
    pu = aqc.trotter_params(ans, chain_h, 0.6, "010101", order=2)
    px = aqc.trotter_params(xans, chain_h, 0.6, "010101", order=2)
    np.testing.assert_allclose(Statevector(ans.to_circuit(pu)).data,
                               Statevector(xans.to_circuit(px)).data, atol=1e-12)
    # and the fidelity the compiler starts from is that of the Trotter circuit
    target = evolve(chain, MPS.neel(n), 0.6, 0.02, order=4).state
    obj = aqc.Objective.build(target, ans)
    assert obj.fidelity(p) == pytest.approx(abs(np.vdot(target.to_dense(), ref)) ** 2, abs=1e-12)
    with pytest.raises(ValueError, match="needs Jx == Jy"):
        aqc.trotter_params(ans, aqc.init.SpinChain(n, jx=1.0, jy=0.5, jz=0.5), 0.6, "010101")
