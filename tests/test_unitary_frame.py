"""Framed and transpose-symmetric unitary-AQC blocks (aqc.unitary_frame) against dense algebra."""

import numpy as np
import pytest
import scipy.linalg

from aqc.unitary_frame import (
    FramedAnsatz,
    SymmetricAnsatz,
    compile_framed,
    framed_circuit,
    framed_gates_np,
    iter_framed_states,
    trotter_frame_params,
    trotter_symmetric_params,
)
from mps import MPS, SpinChain, evolve, heisenberg, xxz
from mps.mpo import evolution_mpo

N, TAU = 6, 0.3


def _dense(gates: np.ndarray, n: int) -> np.ndarray:
    """The operator of a gate stack (layer c on bonds i = c mod 2, site i more significant)."""
    w = np.eye(2**n, dtype=complex).reshape([2] * n + [2**n])  # axes: qubit n-1 ... 0
    for c in range(gates.shape[0]):
        for i in range(c % 2, n - 1, 2):
            a, b = n - 1 - i, n - 2 - i
            w = np.moveaxis(w, [a, b], [0, 1])
            w = np.tensordot(gates[c, i + 1].reshape(2, 2, 2, 2), w, axes=([2, 3], [0, 1]))
            w = np.moveaxis(w, [0, 1], [a, b])
    return w.reshape(2**n, 2**n)


@pytest.fixture(scope="module")
def chain():
    return heisenberg(N, 0.25)


@pytest.fixture(scope="module")
def target(chain):
    return evolution_mpo(chain, TAU, dt=0.05, order=4, cutoff=1e-14)


@pytest.mark.slow  # JIT compiles: ~10 s each unloaded, a minute on the shared 2-core CPU
@pytest.mark.parametrize("ansatz", [FramedAnsatz(N, 2, 1), FramedAnsatz(N, 2, 2),
                                    SymmetricAnsatz(N, 4)], ids=["frame1", "frame2", "sym4"])
def test_fidelity_circuit_and_states_vs_dense(ansatz, chain, target):
    from qiskit.quantum_info import Operator

    res = compile_framed(chain, TAU, ansatz, maxiter=15, target=target)
    w = _dense(res.gates(), N)
    u = target.to_dense()
    assert abs(res.fidelity - abs(np.trace(u.conj().T @ w)) ** 2 / 4**N) < 1e-10
    assert res.fidelity > res.init_fidelity
    op = Operator(framed_circuit(res, 3)).data  # K^dag V^3 K, layers merged
    w3 = np.linalg.matrix_power(w, 3)
    assert abs(abs(np.vdot(op.ravel(), w3.ravel())) / 2**N - 1) < 1e-12
    assert framed_circuit(res, 3).depth() == ansatz.two_qubit_depth(3) // 3
    psi0 = MPS.neel(N)
    for k, st, _ in iter_framed_states(res, psi0, 3, want={1, 3}):
        ref = np.linalg.matrix_power(w, k) @ psi0.to_dense()
        assert abs(abs(np.vdot(ref, st.to_dense())) - 1) < 1e-10


def test_trotter_starts_are_second_order_trotter(chain):
    psi0 = MPS.neel(N)
    for ansatz, x in [(FramedAnsatz(N, 4, 1), None), (SymmetricAnsatz(N, 4), None)]:
        x = (trotter_symmetric_params(ansatz, chain, TAU) if isinstance(ansatz, SymmetricAnsatz)
             else trotter_frame_params(ansatz, chain, TAU))
        w = _dense(framed_gates_np(ansatz, x), N)
        ref = evolve(chain, psi0, TAU, TAU / 2, order=2, cutoff=0.0).state.to_dense()
        assert abs(abs(np.vdot(ref, w @ psi0.to_dense())) - 1) < 1e-12
    sym = _dense(framed_gates_np(SymmetricAnsatz(N, 2), np.random.default_rng(1).normal(
        size=SymmetricAnsatz(N, 2).num_params)), N)
    assert np.abs(sym - sym.T).max() < 1e-12  # X^T X is transpose-symmetric


@pytest.mark.slow
def test_gradient_vs_finite_differences():
    import jax
    import jax.numpy as jnp

    from aqc.unitary_frame import _framed_value_and_grad
    from aqc.unitary_objective import pad_mpo

    ch = xxz(4, 0.25, 0.1)
    sa = FramedAnsatz(4, 2, 1)
    x = np.random.default_rng(3).normal(scale=0.3, size=sa.num_params)
    with jax.enable_x64(True):
        tgt = jnp.asarray(pad_mpo(evolution_mpo(ch, 0.2, dt=0.05, cutoff=1e-14)))
        f = lambda y: float(_framed_value_and_grad(jnp.asarray(y), tgt, fa=sa, n=4)[0][0])  # noqa: E731
        g = np.asarray(_framed_value_and_grad(jnp.asarray(x), tgt, fa=sa, n=4)[1])
        h = 1e-6
        for j in (0, 7, sa.num_params - 1):
            e = np.zeros_like(x)
            e[j] = h
            assert abs((f(x + e) - f(x - e)) / (2 * h) - g[j]) < 1e-6


@pytest.mark.slow
def test_exact_target_gives_fidelity_one():
    # a block that is exactly representable: U of a single bond (n = 4, bonds 0 and 2)
    ch = heisenberg(4, 0.25)
    ch = type(ch)(4, jx=[0.25, 0, 0.25], jy=[0.25, 0, 0.25], jz=[0.25, 0, 0.25])
    res = compile_framed(ch, 0.4, SymmetricAnsatz(4, 2), maxiter=5)
    dense = scipy.linalg.expm(-0.4j * ch.to_sparse().toarray())
    w = _dense(res.gates(), 4)
    assert abs(abs(np.trace(dense.conj().T @ w)) / 16 - 1) < 1e-10


def test_bad_input(chain):
    with pytest.raises(ValueError, match="even"):
        FramedAnsatz(N, 3)
    with pytest.raises(ValueError, match="frame_layers"):
        FramedAnsatz(N, 2, 0)
    with pytest.raises(ValueError, match="tau"):
        compile_framed(chain, -0.1, SymmetricAnsatz(N, 2))
    with pytest.raises(ValueError, match="n="):
        compile_framed(chain, 0.1, SymmetricAnsatz(N + 2, 2))
    with pytest.raises(TypeError, match="ansatz"):
        compile_framed(chain, 0.1, "brickwork")
    with pytest.raises(TypeError, match="FramedResult"):
        next(iter_framed_states("x", MPS.neel(N), 2))


# ------------------------------------------- public path: repeat, evolve_circuit, CLI
@pytest.fixture(scope="module")
def sym4():
    """A symmetric block at n = 4 (one JIT compile, a few seconds)."""
    ch = heisenberg(4, 0.25)
    return compile_framed(ch, 0.3, SymmetricAnsatz(4, 2), maxiter=5,
                          target=evolution_mpo(ch, 0.3, dt=0.01, cutoff=0.0))


def test_repeat_and_evolve_circuit_accept_symmetric(sym4):
    from qiskit.quantum_info import Operator, Statevector

    from aqc.unitary import evolve_circuit, repeat, repeat_depth, state_circuit
    from circuits.export import two_qubit_depth

    res, n, m = sym4, 4, 3
    u = scipy.linalg.expm(-0.3j * res.chain.to_sparse().toarray())
    block = Operator(res.circuit).data
    tr = np.trace(u.conj().T @ block)
    assert abs(res.fidelity - abs(tr) ** 2 / 4**n) < 1e-10 and abs(np.angle(tr)) < 1e-8
    rep = repeat(res, m)  # X^T X three times, adjacent layers merged, 3 CX per gate
    assert np.abs(Operator(rep).data - np.linalg.matrix_power(block, m)).max() < 1e-10
    assert repeat_depth(res, m) == (3 * (m * 2 + 1), rep.count_ops()["cx"])
    assert two_qubit_depth(rep) == 3 * (m * 2 + 1)
    ev = evolve_circuit(res, m, "neel", dt=0.01, cutoff=0.0)
    psi0 = MPS.neel(n).to_dense()
    for k in range(1, m + 1):
        ref = scipy.linalg.expm(-0.3j * k * res.chain.to_sparse().toarray()) @ psi0
        out = Statevector(state_circuit(res, k, "neel")).data
        assert abs(ev.fidelity[k - 1] - abs(np.vdot(ref, out)) ** 2) < 1e-9
        assert ev.trotter_steps[k - 1] == (2 * k + 1 - 1) // 2  # depth 3 (2 k + 1)
    assert list(ev.two_qubit_depth) == [9, 15, 21]


@pytest.mark.parametrize("variant,depth", [
    (["--variant", "symmetric"], 21),  # 3 (3 L + 1)
    pytest.param(["--variant", "framed", "--frame-layers", "2"], 27,  # 3 (3 L + 2 L_K - 1)
                 marks=pytest.mark.slow),
], ids=["symmetric", "framed"])
def test_cli_compile_unitary_variants(tmp_path, variant, depth):
    import json

    from qiskit import qpy
    from qiskit.quantum_info import Operator, Statevector
    from typer.testing import CliRunner

    from circuits.cli import app

    out = tmp_path / "run"
    r = CliRunner().invoke(app, ["compile-unitary", "--n", "4", "--j", "0.25", "--tau", "0.3",
                                 "--layers", "2", *variant, "--repeat", "3",
                                 "--maxiter", "5", "--dt", "0.01", "--cutoff", "0", "--no-plots",
                                 "--out", str(out)])
    assert r.exit_code == 0, r.output
    rep = json.loads((out / "report.json").read_text())
    assert rep["variant"] == variant[1] and rep["repeated_two_qubit_depth"] == depth
    h = heisenberg(4, 0.25).to_sparse().toarray()
    with open(out / "circuit.qpy", "rb") as fh:
        block = Operator(qpy.load(fh)[0]).data
    u = scipy.linalg.expm(-0.3j * h)
    assert abs(rep["block_fidelity"] - abs(np.trace(u.conj().T @ block)) ** 2 / 4**4) < 1e-10
    with open(out / "repeated.qpy", "rb") as fh:
        repeated = qpy.load(fh)[0]
    assert repeated.count_ops()["cx"] == rep["repeated_cx_count"]
    psi = Statevector(MPS.neel(4).to_dense()).evolve(repeated).data
    ref = scipy.linalg.expm(-0.9j * h) @ MPS.neel(4).to_dense()
    assert abs(rep["final"]["fidelity"] - abs(np.vdot(ref, psi)) ** 2) < 1e-9


def test_cli_symmetric_needs_a_real_hamiltonian(tmp_path):
    import json

    from typer.testing import CliRunner

    from circuits.cli import app

    h = tmp_path / "h.json"
    h.write_text(json.dumps([["XX", [0, 1], 0.25], ["YY", [1, 2], 0.25], ["Y", [3], 0.1]]))
    out = tmp_path / "run"
    r = CliRunner().invoke(app, ["compile-unitary", "--hamiltonian", str(h), "--layers", "2",
                                 "--variant", "symmetric", "--out", str(out)])
    assert r.exit_code == 2 and "real Hamiltonian" in r.output and not out.exists()
    assert "Traceback" not in r.output


@pytest.mark.slow  # n = 100: JIT, 20 iterations, quimb CircuitMPS (~1 min on 2 cores)
def test_repeated_symmetric_block_n100_confirmed_by_quimb(tmp_path):
    from conftest import simulate_with_quimb
    from qiskit import qpy

    from aqc.unitary import evolve_circuit, state_circuit
    from circuits.export import to_qpy

    res = compile_framed(heisenberg(100, 0.25), 0.25, SymmetricAnsatz(100, 4), maxiter=20)
    m = 4
    ev = evolve_circuit(res, m, "neel", trotter=False)
    path = to_qpy(state_circuit(res, m, "neel"), tmp_path / "state.qpy")  # CX-level export
    with open(path, "rb") as fh:
        qc = qpy.load(fh)[0]
    assert qc.count_ops()["cx"] == res.ansatz.cx_count(m)
    psi, _ = simulate_with_quimb(qc, max_bond=128)
    fid = abs(ev.reference_state.overlap(MPS.from_quimb(psi).normalize())) ** 2
    assert abs(fid - ev.fidelity[-1]) < 1e-6
    assert ev.fidelity[-1] > 0.9999


def test_public_path_bad_input(sym4, chain):
    from aqc.unitary import evolve_circuit, repeat, state_circuit

    for m in (0, -1):
        with pytest.raises(ValueError, match="repeat"):
            repeat(sym4, m)
        with pytest.raises(ValueError, match="repeat"):
            evolve_circuit(sym4, m)
        with pytest.raises(ValueError, match="repeat"):
            state_circuit(sym4, m)
    with pytest.raises(TypeError, match="FramedResult"):
        repeat("block", 2)
    with pytest.raises(ValueError, match="init"):
        compile_framed(chain, 0.1, SymmetricAnsatz(N, 2), init="bogus")
    with pytest.raises(ValueError, match="real Hamiltonian"):
        compile_framed(SpinChain(N, jx=0.25, jy=0.25, jz=0.25, hy=0.2), 0.1,
                       SymmetricAnsatz(N, 2))
