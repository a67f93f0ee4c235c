"""``tnqc inject`` (circuits.injection.cli.inject_cmd): outputs, refusal, one-line errors."""

from __future__ import annotations

import json

import pytest
import stim
import typer
from qiskit import qpy
from typer.testing import CliRunner

from circuits.injection.cli import inject_cmd

runner = CliRunner()
app = typer.Typer()


@app.callback()
def _root() -> None:
    """Stands in for the tnqc root app."""


app.command("inject")(inject_cmd)


def test_inject_pauli_writes_every_file(tmp_path):
    out = tmp_path / "t"
    res = runner.invoke(app, ["inject", "--d", "3", "--state", "T", "--backend", "fake_fez",
                              "--shots", "3000", "--sim", "pauli", "--out", str(out)])
    assert res.exit_code == 0, res.output
    names = {p.name for p in out.iterdir()}
    assert {"circuit.stim", "circuit_isa.qpy", "report.json", "layout.png", "bloch.png",
            "tomography_X.stim", "tomography_Y.stim", "tomography_Z.qasm"} <= names
    report = json.loads((out / "report.json").read_text())
    r = report["result"]
    assert 0.5 < r["fidelity"] <= 1.01 and r["fidelity_ci95"][0] < r["fidelity"]
    assert 0 < r["success_rate"] < 1
    assert report["parameters"]["seed"] == 0 and report["versions"]["stim"]
    assert len(report["layout"]["qubits"]) == 25
    with open(out / "circuit_isa.qpy", "rb") as fh:
        circuits = qpy.load(fh)
    assert len(circuits) == 3 and circuits[0].num_qubits == 156
    stim.Circuit.from_file(out / "circuit.stim").detector_error_model()
    again = runner.invoke(app, ["inject", "--shots", "5", "--sim", "pauli", "--out", str(out)])
    assert again.exit_code == 2 and "not empty" in again.output


@pytest.mark.slow
def test_inject_aer_with_the_backend_noise_model(tmp_path):
    """The default --sim aer path (about 20 s: NoiseModel.from_backend for 156 qubits)."""
    pytest.importorskip("qiskit_aer")
    out = tmp_path / "a"
    res = runner.invoke(app, ["inject", "--state", "H", "--shots", "4", "--out", str(out)])
    assert res.exit_code == 0, res.output
    report = json.loads((out / "report.json").read_text())
    assert "from_backend(fake_fez" in report["noise_model"]
    assert sum(c["direct"]["shots"] for c in report["counts"].values()) == 12


def test_threshold_sweep(tmp_path):
    out = tmp_path / "thr"
    res = runner.invoke(app, ["inject", "--threshold", "--d", "3,5", "--p", "2e-3,4e-3",
                              "--basis", "Z", "--shots", "300", "--max-errors", "30",
                              "--out", str(out)])
    assert res.exit_code == 0, res.output
    data = json.loads((out / "threshold.json").read_text())
    assert len(data["points"]) == 8  # 2 codes x 2 d x 2 p
    assert all(q["shots"] >= 30 for q in data["points"])
    assert (out / "threshold.png").stat().st_size > 0


@pytest.mark.parametrize(("args", "message"), [
    (["--d", "4"], "d must be one of"),
    (["--d", "7"], "no heavy-hex patch for d = 7"),
    (["--d", "3,5"], "one distance"),
    (["--theta", "nan"], "--theta must be finite"),
    (["--theta", "0.1", "--phi", "inf"], "--phi must be finite"),
    (["--shots", "0"], "--shots must be >= 1"),
    (["--state", "Q"], "state must be one of"),
    (["--sim", "gpu"], "--sim must be aer or pauli"),
    (["--backend", "fake_nowhere"], "unknown backend"),
    (["--backend", "fake_manila"], "no heavy-hex patch for d = 3"),
    (["--threshold", "--p", "0.5"], "--p must be in [0, 0.5)"),
    (["--threshold", "--p", "-1e-3"], "--p must be in [0, 0.5)"),
    (["--threshold", "--d", "3,9"], "--d must be among"),
    (["--threshold", "--noise", "pink"], "noise must be one of"),
])
def test_bad_input_is_one_line_exit_2_and_leaves_no_files(tmp_path, args, message):
    out = tmp_path / "never"
    res = runner.invoke(app, ["inject", "--out", str(out), *args])
    assert res.exit_code == 2, res.output
    assert message in res.output
    assert "Traceback" not in res.output
    assert not out.exists()


def test_example_quick():
    pytest.importorskip("qiskit_aer")
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "examples" / "injection_fez.py"
    spec = importlib.util.spec_from_file_location("injection_fez_example", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # the __main__ guard keeps this import quiet
    res = mod.main(["--quick"])
    assert abs(res["noiseless_fidelity"] - 1) < 1e-9
    assert 0.8 < res["fidelity"] < 1.01 and 0.3 < res["success_rate"] < 1
