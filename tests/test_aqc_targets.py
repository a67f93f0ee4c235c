"""Targets without a Trotter circuit: DMRG ground states, the grow start, tnqc ground/compile."""

from __future__ import annotations

import json

import numpy as np
import pytest
import scipy.sparse.linalg as sla
from conftest import random_mps_tensors, simulate_with_quimb
from qiskit import qpy
from qiskit.quantum_info import Statevector
from typer.testing import CliRunner

import aqc
from circuits.cli import app
from mps import MPS, heisenberg, xxz
from mps.ground import ground_state

runner = CliRunner()


@pytest.mark.parametrize("chain", [heisenberg(8, 0.25), xxz(9, 1.0, 0.5, hz=0.2)],
                         ids=["heisenberg", "xxz-field"])
def test_ground_state_energy_is_the_exact_lowest_eigenvalue(chain):
    res = ground_state(chain, max_bond=16)
    exact = sla.eigsh(chain.to_sparse(), k=1, which="SA")[0][0]
    assert res.energy == pytest.approx(exact, abs=1e-8)
    assert res.energy_check == pytest.approx(res.energy, abs=1e-8)
    psi = res.state.to_dense()
    assert np.vdot(psi, chain.to_sparse() @ psi).real == pytest.approx(exact, abs=1e-8)
    assert res.state.metadata["kind"] == "ground_state" and abs(res.state.norm() - 1) < 1e-12


def test_grow_start_on_a_random_mps_checked_by_statevector(rng):
    """The default start for a target without a Hamiltonian: one layer at a time."""
    n = 12
    target = MPS(random_mps_tensors(n, 4, rng)).normalize()
    res = aqc.compile(target, aqc.BrickworkAnsatz(n, 3), maxiter=25)
    assert res.init == "grow" and [s["layers"] for s in res.stages] == [1, 2, 3]
    sv = Statevector(res.circuit).data
    assert res.fidelity == pytest.approx(abs(np.vdot(target.to_dense(), sv)) ** 2, abs=1e-10)
    for before, after in zip(res.stages, res.stages[1:], strict=False):
        # each new layer starts near the identity: the previous optimum, barely perturbed
        assert after["init_fidelity"] == pytest.approx(before["fidelity"], rel=0.1)
        assert after["fidelity"] >= before["fidelity"] - 1e-9
    with pytest.raises(ValueError, match="grows in depth"):
        aqc.compile(target, aqc.BrickworkAnsatz(n, 2), init="grow", schedule=2)


def test_grow_leaves_the_identity_blocks_of_a_singlet_like_ground_state():
    """The first grow stage starts near (not at) identity blocks, a stationary point: on the
    Heisenberg ground state, whose Bloch vectors vanish, it used to stop at iteration 0."""
    from mps import heisenberg
    from mps.ground import ground_state

    n = 6
    target = ground_state(heisenberg(n, 0.25), max_bond=8).state
    exact = np.linalg.eigh(heisenberg(n, 0.25).to_sparse().toarray())[1][:, 0]
    assert abs(np.vdot(exact, target.to_dense())) ** 2 == pytest.approx(1, abs=1e-8)
    res = aqc.compile(target, aqc.BrickworkAnsatz(n, 1), init="grow", maxiter=40)
    first = res.stages[0]
    assert first["n_iter"] > 0 and first["fidelity"] > 1.5 * first["init_fidelity"]
    sv = Statevector(res.circuit).data
    assert res.fidelity == pytest.approx(abs(np.vdot(exact, sv)) ** 2, abs=1e-8)


def _ground(tmp_path, n, chi):
    out = tmp_path / f"gs{n}"
    res = runner.invoke(app, ["ground", "--model", "heisenberg", "--n", str(n), "--j", "0.25",
                              "--max-bond", str(chi), "--out", str(out)])
    assert res.exit_code == 0, res.output
    report = json.loads((out / "report.json").read_text())
    assert report["max_bond_reached"] <= chi and len(report["entropy"]) == n - 1
    assert report["energy_check"] == pytest.approx(report["energy"], abs=1e-8)
    return out / "target.npz", report


def _compile_and_check(tmp_path, target_file, n, layers, maxiter):
    out = tmp_path / f"c{n}"
    res = runner.invoke(app, ["compile", "--target", str(target_file), "--layers", str(layers),
                              "--maxiter", str(maxiter), "--out", str(out), "--no-plots"])
    assert res.exit_code == 0, res.output
    report = json.loads((out / "report.json").read_text())
    assert report["target"]["source"] == "file" and report["target"]["kind"] == "ground_state"
    assert report["init"] == "grow" and report["n"] == n and report["trotter_baseline"] == []
    with open(out / "circuit.qpy", "rb") as fh:
        circuit = qpy.load(fh)[0]
    psi, _ = simulate_with_quimb(circuit)
    fid = abs(MPS.load(target_file).to_quimb().H @ psi) ** 2
    assert fid == pytest.approx(report["fidelity"], abs=1e-6)
    return report


def test_cli_ground_then_compile_from_target_n50(tmp_path):
    """Acceptance 3 (n = 50): a DMRG ground state compiles from --target; quimb confirms F."""
    target_file, gs = _ground(tmp_path, 50, 16)
    assert gs["energy"] < -21.0  # J S.S, OBC: E/n -> 1/4 - ln 2 = -0.443 in the bulk
    report = _compile_and_check(tmp_path, target_file, 50, 2, 15)
    assert report["fidelity"] > 1e-3


@pytest.mark.slow
def test_cli_ground_then_compile_from_target_n100(tmp_path):
    """Acceptance 3 (n = 100, chi = 64)."""
    target_file, _ = _ground(tmp_path, 100, 64)
    report = _compile_and_check(tmp_path, target_file, 100, 4, 100)
    assert report["fidelity"] > 1e-3


def test_cli_target_bad_input_one_line_exit_2_no_files(tmp_path, rng):
    good = tmp_path / "good.npz"
    MPS(random_mps_tensors(6, 2, rng)).normalize().save(good)
    corrupt = tmp_path / "corrupt.npz"
    corrupt.write_bytes(b"not a zip file at all")
    loose = tmp_path / "loose.npz"
    MPS([2 * t for t in MPS.neel(6).tensors[:1]] + list(MPS.neel(6).tensors[1:])).save(loose)
    cases = [
        (["--target", str(tmp_path / "missing.npz")], "does not exist"),
        (["--target", str(corrupt)], "not a readable tnqc MPS"),
        (["--target", str(good), "--n", "8"], "has n=6 qubits but --n=8"),
        (["--target", str(loose)], "must be normalised"),
        (["--target", str(good), "--layers", "0"], "--layers must be >= 1"),
        (["--target", str(good), "--init", "trotter"], "needs a target made by TEBD"),
        (["--target", str(good), "--init", "sideways"], "--init must be one of"),
    ]
    for args, message in cases:
        out = tmp_path / "never"
        res = runner.invoke(app, ["compile", "--out", str(out), *args])
        assert res.exit_code == 2, (args, res.output)
        text = " ".join(res.output.split())
        assert message in text, (args, text)
        assert len(res.output.strip().splitlines()) == 1, res.output
        assert not out.exists()
    for args, message in [(["--model", "potts"], "--model must be one of"),
                          (["--max-bond", "1"], "max-bond must be >= 2")]:
        res = runner.invoke(app, ["ground", "--n", "6", "--out", str(tmp_path / "g"), *args])
        assert res.exit_code == 2 and message in " ".join(res.output.split())
        assert not (tmp_path / "g").exists()
