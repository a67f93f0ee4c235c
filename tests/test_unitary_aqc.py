"""Unitary AQC: MPOs, the trace contraction, compile_unitary, repeat, evolve_circuit, the CLI.

References: dense matrices from Kronecker products (conftest), scipy ``expm``,
qiskit ``Operator``/``Statevector``, finite differences, quimb ``CircuitMPS``.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import scipy.linalg as sla
from conftest import dense_hamiltonian
from qiskit.quantum_info import Operator, SparsePauliOp, Statevector
from typer.testing import CliRunner

from aqc import BrickworkAnsatz
from aqc.unitary import (
    as_chain,
    compile_unitary,
    evolve_circuit,
    product_vectors,
    repeat,
    state_circuit,
)
from aqc.unitary_objective import UnitaryObjective
from circuits.cli import app
from circuits.export import two_qubit_depth
from circuits.trotter import trotter_circuit
from mps import SpinChain, heisenberg, xxz
from mps.mpo import MPO, evolution_mpo, hamiltonian_mpo


def _random_chain(n, rng, scale=0.3):
    return SpinChain(n, jx=scale * rng.normal(size=n - 1), jy=scale * rng.normal(size=n - 1),
                     jz=scale * rng.normal(size=n - 1), hx=scale * rng.normal(size=n),
                     hy=scale * rng.normal(size=n), hz=scale * rng.normal(size=n))


# ------------------------------------------------------------------ MPO
def test_hamiltonian_mpo_matches_sparse_and_kron(rng):
    chain = _random_chain(6, rng)
    h = hamiltonian_mpo(chain).to_dense()
    assert np.abs(h - chain.to_sparse().toarray()).max() < 1e-13
    assert np.abs(h - dense_hamiltonian(chain)).max() < 1e-13


@pytest.mark.parametrize("make", [lambda rng: heisenberg(6, 0.25), lambda rng: xxz(5, 0.25, 0.125),
                                  lambda rng: _random_chain(5, rng)])
def test_evolution_mpo_matches_expm(make, rng):
    chain = make(rng)
    tau = 0.3
    u = evolution_mpo(chain, tau, dt=0.01, cutoff=0.0)
    exact = sla.expm(-1j * tau * dense_hamiltonian(chain))
    assert np.abs(u.to_dense() - exact).max() < 1e-10
    assert abs(u.hs_overlap(u) - 1.0) < 1e-12
    assert u.metadata["steps"] == 30 and u.metadata["order"] == 4


def test_from_circuit_and_hs_overlap(rng):
    ans = BrickworkAnsatz(5, 3)
    qc = ans.to_circuit(ans.random_params(3, 1.0))
    qc.global_phase += 0.7
    v = MPO.from_circuit(qc)
    dense = Operator(qc).data
    assert np.abs(v.to_dense() - dense).max() < 1e-12
    chain = _random_chain(5, rng)
    u = evolution_mpo(chain, 0.2, dt=0.01, cutoff=0.0)
    ref = abs(np.trace(u.to_dense().conj().T @ dense)) / 2**5
    assert abs(u.hs_overlap(v) - ref) < 1e-12
    assert abs(u.hs_overlap(qc) - ref) < 1e-12
    tr = u.trace_overlap(v)
    assert abs(tr - np.trace(u.to_dense().conj().T @ dense)) < 1e-11
    assert np.abs(u.dagger().to_dense() - u.to_dense().conj().T).max() < 1e-14
    # hs overlap of a 100-qubit identity stays finite (log-scale accumulation)
    assert MPO.identity(100).hs_overlap(MPO.identity(100)) == pytest.approx(1.0, abs=1e-12)


def test_mpo_save_load(tmp_path, rng):
    u = evolution_mpo(heisenberg(4, 0.25), 0.25)
    path = u.save(tmp_path / "u.npz")
    back = MPO.load(path)
    assert all(np.array_equal(a, b) for a, b in zip(u.tensors, back.tensors, strict=True))
    assert back.metadata["tau"] == 0.25
    with pytest.raises(FileExistsError):
        u.save(path)
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a readable tnqc MPO"):
        MPO.load(tmp_path / "bad.npz")
    with pytest.raises(ValueError, match="shape"):
        MPO([np.zeros((1, 2, 1))] * 2)


def test_mpo_apply_matches_dense(rng):
    from mps import MPS

    chain = _random_chain(4, rng)
    u = evolution_mpo(chain, 0.2, dt=0.02, cutoff=0.0)
    psi = MPS.neel(4)
    out = u.apply(psi).to_dense()
    assert np.abs(out - u.to_dense() @ psi.to_dense()).max() < 1e-13


# ------------------------------------------------------------ objective
@pytest.mark.parametrize(("n", "layers", "block"), [
    (5, 3, "su4"),
    pytest.param(6, 4, "su4", marks=pytest.mark.slow),
    pytest.param(4, 2, "xxz", marks=pytest.mark.slow),
])
def test_objective_fidelity_vs_dense_and_gradient(n, layers, block, rng):
    chain = _random_chain(n, rng)
    u = evolution_mpo(chain, 0.3, dt=0.02, cutoff=0.0)
    ans = BrickworkAnsatz(n, layers, block=block)
    obj = UnitaryObjective.build(u, ans)
    x = 0.5 * rng.normal(size=obj.num_params)
    v = Operator(ans.to_circuit(obj.full_params(x))).data
    tr = np.trace(u.to_dense().conj().T @ v)
    assert abs(obj.fidelity(x) - abs(tr) ** 2 / 4**n) < 1e-12
    assert abs(obj.trace_phase(x) - np.angle(tr)) < 1e-9
    _, grad, _ = obj.value_and_grad(x)
    eps = 1e-6
    for k in rng.choice(obj.num_params, size=4, replace=False):
        xp, xm = x.copy(), x.copy()
        xp[k] += eps
        xm[k] -= eps
        fd = (obj.value_and_grad(xp)[0] - obj.value_and_grad(xm)[0]) / (2 * eps)
        assert abs(fd - grad[k]) < 1e-6 * max(1.0, abs(grad[k]))


# -------------------------------------------------------------- compile
@pytest.fixture(scope="module")
def compiled():
    chain = heisenberg(6, 0.25)
    target = evolution_mpo(chain, 0.5, dt=0.01, cutoff=0.0)
    return compile_unitary(chain, 0.5, BrickworkAnsatz(6, 4), maxiter=60, target=target)


def test_compile_fidelity_vs_dense(compiled):
    res = compiled
    n = 6
    exact = sla.expm(-0.5j * dense_hamiltonian(res.chain))
    v = Operator(res.circuit).data
    tr = np.trace(exact.conj().T @ v)
    assert abs(res.fidelity - abs(tr) ** 2 / 4**n) < 1e-10
    assert abs(np.angle(tr)) < 1e-8  # global phase set so that Tr(U^dag V) > 0
    assert res.fidelity > res.init_fidelity and res.init.startswith("trotter-o2")
    assert res.history[0] == pytest.approx(res.init_fidelity)
    assert res.fidelity > 0.99999
    assert res.two_qubit_depth == 12 and res.cx_count == 3 * 10
    assert two_qubit_depth(res.circuit) == 12
    assert res.summary()["n"] == 6 and set(res.timings) >= {"mpo", "build", "optimize", "total"}


def test_repeat_is_power(compiled):
    rep = repeat(compiled, 3)
    block = Operator(compiled.circuit).data
    assert np.abs(Operator(rep).data - np.linalg.matrix_power(block, 3)).max() < 1e-11
    assert rep.count_ops()["cx"] == 3 * compiled.cx_count
    assert two_qubit_depth(rep) == 3 * compiled.two_qubit_depth


@pytest.mark.parametrize("initial", ["neel", "random"])
def test_evolve_circuit_vs_dense(compiled, initial):
    res = compiled
    m = 3
    ev = evolve_circuit(res, m, initial, seed=4, dt=0.01, cutoff=0.0)
    h = dense_hamiltonian(res.chain)
    vecs = product_vectors(initial, 6, seed=4)
    psi0 = vecs[0]
    for v in vecs[1:]:
        psi0 = np.kron(v, psi0)  # little-endian: qubit 0 least significant
    for k in range(1, m + 1):
        ref = sla.expm(-1j * k * 0.5 * h) @ psi0
        out = Statevector(state_circuit(res, k, initial, seed=4)).data
        assert abs(ev.fidelity[k - 1] - abs(np.vdot(ref, out)) ** 2) < 1e-9
        if initial == "neel":  # Trotter of equal depth: steps (4k - 1) // 2
            steps = (4 * k - 1) // 2
            tro = Statevector(trotter_circuit(res.chain, k * 0.5, steps, order=2)).data
            assert ev.trotter_steps[k - 1] == steps
            assert abs(ev.trotter_fidelity[k - 1] - abs(np.vdot(ref, tro)) ** 2) < 1e-9
    assert list(ev.two_qubit_depth) == [12, 24, 36]
    assert ev.rows()[0]["time"] == 0.5


# ------------------------------------------------------------ bad input
def test_bad_input(compiled):
    chain = heisenberg(4, 0.25)
    ans = BrickworkAnsatz(4, 2)
    for tau in (0.0, -0.1, math.nan, math.inf):
        with pytest.raises(ValueError, match="tau"):
            compile_unitary(chain, tau, ans)
    with pytest.raises(ValueError, match="n=5"):
        compile_unitary(chain, 0.25, BrickworkAnsatz(5, 2))
    with pytest.raises(ValueError, match="nearest-neighbour"):
        compile_unitary(SparsePauliOp.from_sparse_list([("ZZ", [0, 2], 1.0)], 4), 0.25, ans)
    with pytest.raises(ValueError, match="nearest-neighbour"):
        as_chain([("XX", (0, 1), 1.0), ("ZZ", (1, 3), 0.5)])
    with pytest.raises(ValueError, match="XX, YY and ZZ"):
        as_chain([("XY", (0, 1), 1.0)])
    with pytest.raises(TypeError, match="chain"):
        compile_unitary("heisenberg", 0.25, ans)
    for m in (0, -2):
        with pytest.raises(ValueError, match="repeat"):
            repeat(compiled, m)
        with pytest.raises(ValueError, match="repeat"):
            evolve_circuit(compiled, m)
    with pytest.raises(ValueError, match="init"):
        compile_unitary(chain, 0.25, ans, init="bogus")


def test_as_chain_from_pauli_op():
    chain = heisenberg(5, 0.3)
    back = as_chain(chain.to_sparse_pauli_op())
    assert back.jx == chain.jx and back.jz == chain.jz and back.n == 5


# ------------------------------------------------------------------- CLI
def test_cli_compile_unitary(tmp_path):
    out = tmp_path / "run"
    r = CliRunner().invoke(app, ["compile-unitary", "--n", "6", "--j", "0.25", "--tau", "0.25",
                                 "--layers", "2", "--repeat", "2", "--maxiter", "5",
                                 "--out", str(out)])
    assert r.exit_code == 0, r.output
    files = {p.name for p in out.iterdir()}
    assert files >= {"target.npz", "params.npz", "circuit.qpy", "circuit.qasm", "repeated.qpy",
                     "report.json", "state_fidelity.png", "fidelity.png"}
    rep = json.loads((out / "report.json").read_text())
    assert len(rep["repeated"]) == 2 and rep["repeated_two_qubit_depth"] == 12
    assert 0.9 < rep["block_fidelity"] <= 1.0
    assert MPO.load(out / "target.npz").n == 6
    # refuses a non-empty folder without --force
    r = CliRunner().invoke(app, ["compile-unitary", "--n", "6", "--out", str(out)])
    assert r.exit_code == 2 and "not empty" in r.output


def test_cli_resume_extends_the_run_and_refuses_other_options(tmp_path):
    from qiskit import qpy

    out = tmp_path / "run"
    base = ["compile-unitary", "--n", "6", "--j", "0.25", "--tau", "0.3", "--layers", "4",
            "--repeat", "1", "--checkpoint-every", "2", "--no-plots", "--out", str(out)]
    r = CliRunner().invoke(app, [*base, "--maxiter", "3"])
    assert r.exit_code == 0, r.output
    first = json.loads((out / "report.json").read_text())["compile"]["history"]
    ck = np.load(out / "checkpoint.npz")
    assert int(ck["iteration"]) == 3 and np.allclose(ck["history"], first)
    # every refusal before any work: one line, exit 2, the run's files untouched
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    for extra, why in ((["--maxiter", "3"], "give --maxiter > 3"),
                       (["--maxiter", "6", "--tau", "0.4"], "used other options (tau)"),
                       (["--maxiter", "6", "--force"], "exclude each other")):
        r = CliRunner().invoke(app, [*base, *extra, "--resume"])
        assert r.exit_code == 2 and why in r.output and "Traceback" not in r.output, r.output
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before
    r = CliRunner().invoke(app, [*base[:-1], str(tmp_path / "none"), "--maxiter", "6",
                                 "--resume"])
    assert r.exit_code == 2 and "no checkpoint" in r.output
    assert not (tmp_path / "none").exists()
    # extended to 6 iterations: one history, the first 3 iterations kept
    r = CliRunner().invoke(app, [*base, "--maxiter", "6", "--resume"])
    assert r.exit_code == 0, r.output
    rep = json.loads((out / "report.json").read_text())
    hist = rep["compile"]["history"]
    assert rep["compile"]["stop_reason"] == "maxiter", rep["compile"]["stop_reason"]
    assert rep["compile"]["n_iter"] == 6 and len(hist) == 7
    assert np.allclose(hist[:4], first, rtol=0, atol=1e-12) and hist[-1] >= first[-1]
    # the reported fidelity is the circuit's, by dense |Tr(U^dag V)|^2 / 4^n against the
    # saved MPO (1e-10) and against scipy's expm (the MPO's own TEBD error, ~1e-9)
    with open(out / "circuit.qpy", "rb") as fh:
        v = Operator(qpy.load(fh)[0]).data
    for u, tol in ((MPO.load(out / "target.npz").to_dense(), 1e-10),
                   (sla.expm(-1j * 0.3 * dense_hamiltonian(heisenberg(6, 0.25))), 1e-8)):
        assert abs(abs(np.trace(u.conj().T @ v)) ** 2 / 4**6 - rep["block_fidelity"]) < tol


@pytest.mark.parametrize("args", [
    ["--tau", "0"], ["--tau", "-1"], ["--tau", "nan"], ["--tau", "inf"], ["--repeat", "0"],
    ["--layers", "0"], ["--model", "potts"], ["--initial", "01x"], ["--n", "1"],
    ["--variant", "bogus"], ["--variant", "symmetric", "--layers", "3"], ["--frame-layers", "2"],
    ["--variant", "framed", "--frame-layers", "0"], ["--variant", "symmetric", "--block", "xxz"],
    ["--variant", "framed", "--objective", "infidelity"], ["--variant", "symmetric", "--n", "3"],
])
def test_cli_bad_input(tmp_path, args):
    out = tmp_path / "run"
    r = CliRunner().invoke(app, ["compile-unitary", "--n", "6", *args, "--out", str(out)])
    assert r.exit_code == 2, r.output
    assert "error" in r.output and "Traceback" not in r.output
    assert not out.exists()


def test_cli_hamiltonian_file(tmp_path):
    bad = tmp_path / "h.json"
    bad.write_text(json.dumps([["XX", [0, 1], 1.0], ["ZZ", [0, 2], 1.0]]))
    out = tmp_path / "run"
    r = CliRunner().invoke(app, ["compile-unitary", "--hamiltonian", str(bad), "--out", str(out)])
    assert r.exit_code == 2 and "nearest-neighbour" in r.output and not out.exists()
    good = tmp_path / "g.json"
    good.write_text(json.dumps([["XX", [0, 1], 0.25], ["ZZ", [1, 2], 0.25]]))
    r = CliRunner().invoke(app, ["compile-unitary", "--hamiltonian", str(good), "--n", "4",
                                 "--out", str(out)])
    assert r.exit_code == 2 and "does not match" in r.output and not out.exists()


# ------------------------------------------------------- n = 100, quimb
@pytest.mark.slow
def test_repeated_block_n100_confirmed_by_quimb(tmp_path):
    from conftest import simulate_with_quimb
    from qiskit import qpy

    from circuits.export import to_qpy

    chain = heisenberg(100, 0.25)
    res = compile_unitary(chain, 0.25, BrickworkAnsatz(100, 4), maxiter=40)
    m = 4
    ev = evolve_circuit(res, m, "neel", trotter=False)
    path = to_qpy(state_circuit(res, m, "neel"), tmp_path / "state.qpy")
    with open(path, "rb") as fh:
        qc = qpy.load(fh)[0]
    psi, _ = simulate_with_quimb(qc, max_bond=128)
    from mps import MPS

    state = MPS.from_quimb(psi).normalize()
    fid = abs(ev.reference_state.overlap(state)) ** 2
    assert abs(fid - ev.fidelity[-1]) < 1e-6
    assert ev.fidelity[-1] > 0.999


def test_example_quick(capsys):
    import runpy
    from pathlib import Path

    mod = runpy.run_path(str(Path(__file__).parents[1] / "examples" / "aqc_unitary.py"))
    out = mod["main"](["--quick"])
    assert abs(out["dense_fidelity"] - out["block_fidelity"]) < 1e-8  # MPO dt = 0.05
    assert out["final_fidelity"] > 0.999
    assert "dense check" in capsys.readouterr().out
