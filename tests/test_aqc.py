"""AQC: exact overlaps and gradients, Trotter initialisation, compile, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import simulate_with_quimb
from qiskit.quantum_info import Operator, Statevector

import aqc
from aqc.ansatz import BrickworkAnsatz, kak_core_np
from mps import MPS, SpinChain, evolve, heisenberg, xxz


def _target(n, t=0.6, j=1.0, chi=64):
    return evolve(heisenberg(n, j), MPS.neel(n), t, 0.05, max_bond=chi).state


def _statevector(ans, p):
    return Statevector(ans.to_circuit(p)).data


_SLOW = pytest.mark.slow  # one compilation per shape: the default run keeps one per case


@pytest.mark.parametrize(("n", "layers", "block"), [
    (2, 1, "su4"), (5, 3, "su4"), (6, 4, "xxz"), (12, 3, "su4"),  # odd/even n and L, both blocks
    pytest.param(2, 1, "xxz", marks=_SLOW), pytest.param(5, 3, "xxz", marks=_SLOW),
    pytest.param(6, 4, "su4", marks=_SLOW), pytest.param(7, 2, "su4", marks=_SLOW),
    pytest.param(7, 2, "xxz", marks=_SLOW), pytest.param(12, 3, "xxz", marks=_SLOW),
])
def test_overlap_matches_statevector(n, layers, block, rng):
    """Acceptance 1: the JAX contraction equals the dense overlap to 1e-10 (phase included)."""
    ans = BrickworkAnsatz(n, layers, block)
    target = _target(n)
    obj = aqc.Objective.build(target, ans)
    for _ in range(2):
        p = rng.uniform(-np.pi, np.pi, ans.num_params)
        ref = np.vdot(target.to_dense(), _statevector(ans, p))
        assert abs(obj.overlap(p) - ref) < 1e-10
        assert obj.fidelity(p) == pytest.approx(abs(ref) ** 2, abs=1e-10)


@pytest.mark.parametrize(("block", "kind"), [
    ("su4", "log"), ("xxz", "infidelity"),
    pytest.param("su4", "infidelity", marks=_SLOW), pytest.param("xxz", "log", marks=_SLOW),
])
def test_gradient_matches_central_differences(block, kind, rng):
    """Acceptance 1: autodiff gradient vs central finite differences to 1e-6."""
    n = 7
    ans = BrickworkAnsatz(n, 3, block)
    obj = aqc.Objective.build(_target(n, t=0.3), ans, kind=kind)
    p = rng.uniform(-1, 1, ans.num_params)
    _, grad = obj.value_and_grad(p)
    h = 1e-5
    idx = rng.choice(ans.num_params, 12, replace=False)
    for k in idx:
        e = np.zeros_like(p)
        e[k] = h
        fd = (obj.value_and_grad(p + e)[0] - obj.value_and_grad(p - e)[0]) / (2 * h)
        assert abs(grad[k] - fd) < 1e-6, (k, grad[k], fd)


def test_log_fidelity_survives_underflow():
    """At n = 1000 F underflows a double (F < 1e-308); log F stays finite and exact."""
    n = 1000
    ans = BrickworkAnsatz(n, 2, "su4")
    obj = aqc.Objective.build(MPS.neel(n), ans)
    p = np.random.default_rng(0).uniform(-np.pi, np.pi, ans.num_params)
    lf = obj.log_fidelity(p)
    assert np.isfinite(lf) and lf < -745 and obj.fidelity(p) == 0.0
    # additivity check: a product circuit factorises, log F = sum of single-pair logs
    p2 = ans.zero_params()
    p2[: 2 * n] = p[: 2 * n]
    single = np.log([abs(np.cos(a / 2)) ** 2 if i % 2 == 0 else abs(np.sin(a / 2)) ** 2
                     for i, a in enumerate(p[: 2 * n : 2])])
    assert obj.log_fidelity(p2) == pytest.approx(single.sum(), rel=1e-10)


def test_kak_core_and_block_export_are_exact(rng):
    from scipy.linalg import expm

    x = np.array([[0, 1], [1, 0]])
    y = np.array([[0, -1j], [1j, 0]])
    z = np.diag([1, -1])
    a, b, c = rng.normal(size=3)
    ref = expm(1j * (a * np.kron(x, x) + b * np.kron(y, y) + c * np.kron(z, z)))
    np.testing.assert_allclose(kak_core_np(a, b, c), ref, atol=1e-13)
    for block in ("su4", "xxz"):
        ans = BrickworkAnsatz(2, 1, block)
        p = rng.normal(size=ans.num_params)
        p[:4] = 0.0
        # qiskit's operator is little-endian; our blocks put qubit 0 most significant
        op = Operator(ans.to_circuit(p).reverse_bits()).data
        np.testing.assert_allclose(op, ans.block_unitaries(p)[0], atol=1e-12)


def test_structure_counts():
    ans = BrickworkAnsatz(6, 4, "su4")
    assert ans.num_blocks == 3 + 2 + 3 + 2
    assert ans.cx_count == 30 and ans.two_qubit_depth == 12
    qc = ans.to_circuit(ans.random_params(seed=3))
    assert qc.count_ops()["cx"] == ans.cx_count
    assert qc.depth(lambda inst: inst.operation.num_qubits == 2) == ans.two_qubit_depth
    np.testing.assert_allclose(_statevector(ans, ans.zero_params())[0], 1.0)


@pytest.mark.parametrize(("order", "layers", "steps"), [(1, 6, 3), (2, 6, 2), (4, 11, 1)])
def test_trotter_init_reproduces_trotter_circuit(order, layers, steps, rng):
    n = 6
    chain = SpinChain(n, jx=rng.normal(size=n - 1), jy=rng.normal(size=n - 1),
                      jz=rng.normal(size=n - 1), hx=rng.normal(size=n), hz=rng.normal(size=n))
    ans = BrickworkAnsatz(n, layers, "su4")
    p = aqc.trotter_params(ans, chain, 0.8, "011010", order=order, steps=steps)
    ref = evolve(chain, MPS.from_bitstring("011010"), 0.8, 0.8 / steps, order=order,
                 cutoff=0.0).state.to_dense()
    assert abs(np.vdot(ref, _statevector(ans, p))) ** 2 == pytest.approx(1.0, abs=1e-12)


def test_trotter_init_xxz_block():
    n = 6
    ans = BrickworkAnsatz(n, 4, "xxz")
    # no field: the same product formula as TEBD
    chain = xxz(n, 1.0, 0.6)
    p = aqc.trotter_params(ans, chain, 0.5, "010101", order=1)
    ref = evolve(chain, MPS.neel(n), 0.5, 0.25, order=1, cutoff=0.0).state.to_dense()
    assert abs(np.vdot(ref, _statevector(ans, p))) ** 2 == pytest.approx(1.0, abs=1e-12)
    # uniform hz commutes with the XXZ couplings: couplings' Trotter circuit x exact field
    chain_h = xxz(n, 1.0, 0.6, hz=0.4)
    p = aqc.trotter_params(ans, chain_h, 0.5, "010101", order=1)
    field = chain_h.to_sparse().diagonal() - chain.to_sparse().diagonal()
    rot = np.exp(-1j * 0.5 * field)
    assert abs(np.vdot(rot * ref, _statevector(ans, p))) ** 2 == pytest.approx(1.0, abs=1e-12)
    with pytest.raises(ValueError, match="use block='su4'"):
        aqc.trotter_params(ans, SpinChain(n, jz=1.0, hx=0.3), 0.5, "010101")


def test_compile_reports_the_true_fidelity_small_n():
    """Acceptance 2 (n <= 12): the reported fidelity equals a qiskit Statevector simulation."""
    n = 10
    target = _target(n, t=0.5, j=1.0)
    res = aqc.compile(target, BrickworkAnsatz(n, 3), maxiter=40)
    sv = Statevector(res.circuit).data
    assert res.fidelity == pytest.approx(abs(np.vdot(target.to_dense(), sv)) ** 2, abs=1e-10)
    assert res.fidelity > res.init_fidelity
    assert res.history[0] == pytest.approx(res.init_fidelity, abs=1e-12)
    assert res.history[-1] == pytest.approx(res.fidelity, abs=1e-10)
    assert res.cx_count == res.circuit.count_ops()["cx"]


@pytest.mark.parametrize("n", [50, 100])
def test_compile_fidelity_confirmed_by_quimb_circuit_mps(n):
    """Acceptance 2 (n = 50, 100): quimb's CircuitMPS simulation of the returned circuit agrees."""
    target = evolve(heisenberg(n, 0.25), MPS.neel(n), 0.5, 0.05, max_bond=64).state
    res = aqc.compile(target, BrickworkAnsatz(n, 3), maxiter=15)
    psi, _ = simulate_with_quimb(res.circuit)
    ov = target.to_quimb().H @ psi
    assert abs(ov) ** 2 == pytest.approx(res.fidelity, abs=1e-6)
    assert res.fidelity > 0.5


def test_orthogonality_catastrophe_naive_stalls_log_does_not():
    """At n = 100 from the same Trotter start, 1 - F stalls while -log(F)/n makes progress."""
    n = 100  # chi = 16 keeps the TEBD target cheap; its Trotter start still has F ~ 1e-13
    target = evolve(heisenberg(n), MPS.neel(n), 1.0, 0.05, max_bond=16).state
    ans = BrickworkAnsatz(n, 4)
    naive = aqc.compile(target, ans, objective="infidelity", maxiter=25)
    ours = aqc.compile(target, ans, objective="log", maxiter=25)
    assert naive.init_fidelity == pytest.approx(ours.init_fidelity, rel=1e-9)
    assert naive.init_fidelity < 1e-10  # the catastrophe: a good start is exponentially small
    assert naive.fidelity < 1.01 * naive.init_fidelity  # stalled (no meaningful progress)
    assert ours.fidelity > 100 * ours.init_fidelity  # per-qubit log-fidelity keeps improving


@pytest.mark.parametrize("optimizer", ["adam", pytest.param("optax-lbfgs", marks=_SLOW)])
def test_optax_optimizers_improve(optimizer):
    n = 6
    target = _target(n, t=0.4)
    ans = BrickworkAnsatz(n, 2)
    res = aqc.compile(target, ans, optimizer=optimizer, maxiter=15, learning_rate=0.01)
    assert res.fidelity > res.init_fidelity
    assert len(res.history) == res.n_iter + 1 == 16


def test_stopping_rules_and_callback():
    n = 8
    target = _target(n, t=0.4)
    ans = BrickworkAnsatz(n, 3)
    seen = []

    def cb(info):
        seen.append(info.iteration)
        return info.iteration >= 3

    res = aqc.compile(target, ans, maxiter=50, callback=cb)
    assert res.stop_reason == "callback" and res.n_iter == 3 and seen == [0, 1, 2, 3]
    full = aqc.compile(target, ans, maxiter=200)
    goal = 0.5 * (full.init_fidelity + full.fidelity)
    res = aqc.compile(target, ans, maxiter=200, target_fidelity=goal)
    assert res.stop_reason == "target_fidelity" and res.fidelity >= goal
    assert res.n_iter < full.n_iter
    res = aqc.compile(target, ans, maxiter=5)
    assert res.n_iter <= 5


class _TinyQuadratic:
    """A duck-typed objective ``c |x - 1|^2`` with a tiny scale ``c`` (no JAX, no contraction)."""

    def __init__(self, scale):
        self.scale = scale
        self.ansatz = BrickworkAnsatz(2, 1)  # 2 n + 15 = 19 parameters
        self.cost_fn = None

    def value_and_grad(self, x):
        d = np.asarray(x) - 1.0
        return float(self.scale * d @ d), 2.0 * self.scale * d

    def fidelity_from_value(self, value):
        return float(np.exp(-value))


@pytest.mark.parametrize("scale", [1.0, 1e-9, 1e-15])
def test_lbfgs_tolerances_are_relative_to_the_starting_cost(scale):
    """scipy's ftol/gtol are absolute below 1; minimize makes them relative to |f(x0)|.

    With the absolute tests L-BFGS-B stops at once on a cost of 1e-15 (its gradient
    is below gtol); relative, it finds the minimum whatever the scale.
    """
    obj = _TinyQuadratic(scale)
    x0 = np.zeros(obj.ansatz.num_params)
    res = aqc.minimize(obj, x0, stop=aqc.StopRule(maxiter=50))
    assert res.stop_reason == "converged"
    np.testing.assert_allclose(res.params, 1.0, atol=1e-6)
    assert res.values[-1] <= 1e-10 * res.values[0]


@pytest.mark.slow  # 3 stages, 3 target shapes, 6 compilations (schedule=2 runs in test_aqc_targets)
def test_schedule_climbs_in_time():
    n = 8
    target = _target(n, t=1.0, j=0.5)
    res = aqc.compile(target, BrickworkAnsatz(n, 4), maxiter=20, schedule=3)
    assert [round(s["t"], 12) for s in res.stages] == [round(1 / 3, 12), round(2 / 3, 12), 1.0]
    sv = Statevector(res.circuit).data
    assert res.fidelity == pytest.approx(abs(np.vdot(target.to_dense(), sv)) ** 2, abs=1e-10)


def test_random_init_is_seeded():
    n = 6
    target = _target(n)
    a = aqc.compile(target, BrickworkAnsatz(n, 2), init="random", seed=7, maxiter=5)
    b = aqc.compile(target, BrickworkAnsatz(n, 2), init="random", seed=7, maxiter=5)
    np.testing.assert_array_equal(a.params, b.params)


def test_bad_input():
    """Acceptance 5: clear errors."""
    target = _target(6)
    with pytest.raises(ValueError, match="n=6 qubits but the ansatz has n=5"):
        aqc.compile(target, BrickworkAnsatz(5, 2))
    with pytest.raises(ValueError, match="layers must be >= 1"):
        BrickworkAnsatz(6, 0)
    with pytest.raises(ValueError, match="block must be one of"):
        BrickworkAnsatz(6, 2, block="cz")
    with pytest.raises(ValueError, match="optimizer must be one of"):
        aqc.compile(target, BrickworkAnsatz(6, 2), optimizer="bfgs")
    with pytest.raises(ValueError, match="objective must be one of"):
        aqc.compile(target, BrickworkAnsatz(6, 2), objective="energy")
    with pytest.raises(ValueError, match="maxiter must be >= 1"):
        aqc.compile(target, BrickworkAnsatz(6, 2), maxiter=0)
    with pytest.raises(ValueError, match="init must be one of"):
        aqc.compile(target, BrickworkAnsatz(6, 2), init="hadamard")
    unnormalised = MPS([2 * t for t in target.canonicalize(0).tensors[:1]]
                       + list(target.canonicalize(0).tensors[1:]))
    with pytest.raises(ValueError, match="must be normalised"):
        aqc.compile(unnormalised, BrickworkAnsatz(6, 2))
    with pytest.raises(ValueError, match="non-finite"):
        MPS([np.full((1, 2, 1), np.nan)] * 6)
    with pytest.raises(TypeError, match=r"target must be an mps\.MPS"):
        aqc.compile(np.zeros(64), BrickworkAnsatz(6, 2))
    with pytest.raises(ValueError, match="params must have shape"):
        BrickworkAnsatz(6, 2).to_circuit(np.zeros(3))
    bare = MPS.neel(6)  # no metadata: the Trotter start needs chain, t, initial
    with pytest.raises(ValueError, match="need the target's chain"):
        aqc.compile(bare, BrickworkAnsatz(6, 2), init="trotter")
