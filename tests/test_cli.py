"""The ``tnqc`` command line: outputs, refusal to overwrite, one-line errors with exit code 2."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from circuits.cli import app
from mps import MPS, evolve, heisenberg

runner = CliRunner()


def test_version():
    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and res.output.startswith("tnqc ")


def test_evolve_writes_outputs_that_match_the_library(tmp_path):
    out = tmp_path / "run"
    args = ["evolve", "--n", "12", "--t", "0.5", "--dt", "0.05", "--max-bond", "32",
            "--record-every", "2", "--out", str(out)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    files = {p.name for p in out.iterdir()}
    assert {"state.npz", "observables.npz", "report.json", "z.png", "entropy.png"} <= files
    assert not [f for f in files if f.endswith(".tmp")]
    report = json.loads((out / "report.json").read_text())
    assert report["n"] == 12 and report["steps"] == 10 and "numpy" in report["versions"]
    # same schedule as the CLI (recording every 2 steps keeps those step boundaries unmerged)
    ref = evolve(heisenberg(12), MPS.neel(12), 0.5, 0.05, max_bond=32,
                 observables={"z": lambda s: s.expect_z()}, record_every=2).state
    state = MPS.load(out / "state.npz")
    np.testing.assert_allclose(state.to_dense(), ref.to_dense(), atol=1e-12)
    np.testing.assert_allclose(report["results"]["z"], ref.expect_z(), atol=1e-12)
    obs = np.load(out / "observables.npz")
    assert obs["z"].shape == (6, 12) and obs["entropy"].shape == (6, 11)
    np.testing.assert_allclose(obs["times"], np.arange(6) * 0.1, atol=1e-12)
    # a second run into the same folder is refused without --force ...
    res = runner.invoke(app, args)
    assert res.exit_code == 2 and "--force" in res.output
    # ... and allowed with it
    assert runner.invoke(app, [*args, "--force", "--no-plots"]).exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--n", "1"], "n must be >= 2"),
        (["--dt", "0"], "dt must be > 0"),
        (["--t", "-1"], "t must be >= 0"),
        (["--max-bond", "0"], "--max-bond must be >= 1"),
        (["--cutoff", "-1"], "cutoff must be >= 0"),
        (["--order", "3"], "order must be 1, 2 or 4"),
        (["--initial", "01x1", "--n", "4"], "only '0' and '1'"),
        (["--initial", "0101", "--n", "6"], "length n=6"),
        (["--jz", "nan"], "finite"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_leaves_no_files(tmp_path, args, message):
    out = tmp_path / "never"
    res = runner.invoke(app, ["evolve", "--out", str(out), *args])
    assert res.exit_code == 2
    assert message in " ".join(res.output.split())
    assert not out.exists()


def test_unknown_model_and_unwritable_folder(tmp_path):
    res = runner.invoke(app, ["evolve", "--model", "potts", "--out", str(tmp_path / "x")])
    assert res.exit_code == 2
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    res = runner.invoke(app, ["evolve", "--n", "4", "--out", str(blocker)])
    assert res.exit_code == 2 and "not a folder" in res.output


def test_compile_writes_a_circuit_whose_fidelity_checks_out(tmp_path):
    from qiskit import qpy
    from qiskit.quantum_info import Statevector

    out = tmp_path / "c"
    args = ["compile", "--n", "8", "--t", "0.5", "--layers", "3", "--maxiter", "20",
            "--trotter-steps", "3", "--out", str(out)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    report = json.loads((out / "report.json").read_text())
    for key in ("n", "model", "t", "layers", "block", "fidelity", "two_qubit_depth",
                "cx_count", "trotter_baseline", "timings", "seed", "versions"):
        assert key in report
    with open(out / "circuit.qpy", "rb") as fh:
        circuit = qpy.load(fh)[0]
    target = MPS.load(out / "target.npz")
    fid = abs(np.vdot(target.to_dense(), Statevector(circuit).data)) ** 2
    assert fid == pytest.approx(report["fidelity"], abs=1e-9)
    assert len(report["trotter_baseline"]) == 3
    assert runner.invoke(app, args).exit_code == 2  # refuses to overwrite


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--layers", "0"], "layers must be >= 1"),
        (["--optimizer", "sgd"], "Invalid value"),
        (["--block", "cz"], "Invalid value"),
        (["--maxiter", "0"], "maxiter must be >= 1"),
    ],
)
def test_compile_bad_input(tmp_path, args, message):
    out = tmp_path / "never"
    res = runner.invoke(app, ["compile", "--n", "6", "--out", str(out), *args])
    assert res.exit_code == 2
    assert message in " ".join(res.output.split())
    assert not out.exists()


def test_export_and_isa_from_a_compile_folder(tmp_path):
    from qiskit import qpy

    from circuits.isa import get_backend

    out = tmp_path / "c"
    res = runner.invoke(app, ["compile", "--n", "6", "--t", "0.5", "--layers", "2",
                              "--maxiter", "5", "--trotter-steps", "1", "--no-plots",
                              "--isa", "fake_sherbrooke", "--out", str(out)])
    assert res.exit_code == 0, res.output
    report = json.loads((out / "report.json").read_text())
    assert report["isa"]["backend"] == "fake_sherbrooke" and len(report["isa"]["layout"]) == 6
    res = runner.invoke(app, ["export", str(out), "--isa", "fake_torino"])
    assert res.exit_code == 2 and "circuit_isa.qpy exist" in res.output  # compile wrote one
    res = runner.invoke(app, ["export", str(out), "--isa", "fake_torino", "--force"])
    assert res.exit_code == 0, res.output
    with open(out / "circuit_isa.qpy", "rb") as fh:
        isa = qpy.load(fh)[0]
    allowed = set(get_backend("fake_torino").target.operation_names)
    assert set(isa.count_ops()) <= allowed
    assert (out / "circuit.qasm2").read_text().startswith("OPENQASM 2.0")
    assert "OPENQASM 3" in (out / "circuit.qasm3").read_text()
    # a second export refuses to overwrite; a missing file or a bad backend is one line, exit 2
    assert runner.invoke(app, ["export", str(out)]).exit_code == 2
    assert runner.invoke(app, ["export", str(tmp_path / "none.qpy")]).exit_code == 2
    res = runner.invoke(app, ["export", str(out), "--isa", "fake_nowhere", "--force"])
    assert res.exit_code == 2 and "unknown backend" in res.output


def test_qsp_recover(tmp_path):
    phases = tmp_path / "phases.json"
    phases.write_text("[0.3, -0.2, 0.5, -0.2, 0.3]")
    # default: uniform recovery under the paper's over-rotation model
    out = tmp_path / "rec"
    res = runner.invoke(app, ["qsp", "recover", "--phases", str(phases), "--order", "2",
                              "--out", str(out)])
    assert res.exit_code == 0, res.output
    data = json.loads((out / "recovery.json").read_text())
    assert data["method"] == "uniform"
    assert data["slope_noisy"] == pytest.approx(1.0, abs=0.1)
    assert data["slope_recovered"] == pytest.approx(3.0, abs=0.1)
    assert max(data["taylor_norms"][1:3]) < 1e-9 * data["taylor_norms"][3]
    assert data["paper_bounds"]["lower"] <= data["recovery_calls"]
    assert (out / "error_vs_eps.png").stat().st_size > 0
    # pointwise (stand-in Y axis) at one signal
    out2 = tmp_path / "rec2"
    res = runner.invoke(app, ["qsp", "recover", "--phases", str(phases), "--method",
                              "pointwise", "--pauli", "Y", "--points", "0.6", "--out", str(out2)])
    assert res.exit_code == 0, res.output
    data = json.loads((out2 / "recovery.json").read_text())
    assert data["slope_recovered"] == pytest.approx(2.0, abs=0.1)
    # Grover, uniform k = 1
    out3 = tmp_path / "rec3"
    res = runner.invoke(app, ["qsp", "recover", "--grover", "2", "--out", str(out3)])
    assert res.exit_code == 0, res.output
    assert json.loads((out3 / "recovery.json").read_text())["slope_recovered"] == \
        pytest.approx(2.0, abs=0.1)
    for bad, message in ((["--method", "pointwise", "--pauli", "W"], "--pauli"),
                         (["--order", "0"], "order"), (["--order", "4"], "order"),
                         (["--method", "magic"], "method"),
                         (["--method", "pointwise", "--points", "2.0"], "points")):
        res = runner.invoke(app, ["qsp", "recover", "--phases", str(phases),
                                  "--out", str(tmp_path / "bad"), *bad])
        assert res.exit_code == 2 and message in res.output, res.output
        assert not (tmp_path / "bad").exists()
