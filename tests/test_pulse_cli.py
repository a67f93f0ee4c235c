"""``tnqc pulse`` (circuits.pulse.cli.pulse_cmd): outputs, refusal, one-line errors."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from circuits.pulse.cli import parse_frequency, pulse_cmd

runner = CliRunner()
app = typer.Typer()


@app.callback()
def _root() -> None:
    """Stands in for the tnqc root app."""


app.command("pulse")(pulse_cmd)

FAST = ["--slices", "8", "--restarts", "2", "--maxiter", "200", "--rel-tol", "0.05"]


@pytest.mark.parametrize(
    ("text", "ghz"),
    [("1GHz", 1.0), ("10MHz", 0.01), ("884kHz", 884e-6), ("56.6 MHz", 0.0566),
     ("2.5e9Hz", 2.5), ("0.3", 0.3)],
)
def test_parse_frequency(text, ghz):
    assert parse_frequency(text) == pytest.approx(ghz, rel=1e-12)


@pytest.mark.parametrize("text", ["", "GHz", "1 THz", "-1MHz", "0GHz", "abc", "inf"])
def test_parse_frequency_rejects(text):
    with pytest.raises(ValueError, match="jmax must be"):
        parse_frequency(text, "jmax")


def test_pulse_bell_writes_outputs(tmp_path):
    out = tmp_path / "run"
    args = ["pulse", "--target", "bell", "--jmax", "100MHz", "--out", str(out), *FAST]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    files = {p.name for p in out.iterdir()}
    assert files == {"schedule.json", "pulses.npz", "pulses.qasm", "pulses.openpulse",
                     "pulses.png", "fidelity.png", "report.json"}
    rep = json.loads((out / "report.json").read_text())
    # pulses.qasm is gate-level: both qiskit importers read it, and from psi0 it prepares
    # the target with the reported fidelity (an independent re-simulation by qiskit)
    import numpy as np
    import qiskit.qasm3
    import qiskit_qasm3_import
    from qiskit.quantum_info import Statevector

    text = (out / "pulses.qasm").read_text()
    with np.load(out / "pulses.npz") as z:
        psi0, target = z["psi0"], z["target"]
    for qc in (qiskit.qasm3.loads(text), qiskit_qasm3_import.parse(text)):
        psi = Statevector(psi0).evolve(qc).data
        assert abs(abs(np.vdot(target, psi)) ** 2 - rep["fidelity"]) < 1e-9
    assert "defcal" in (out / "pulses.openpulse").read_text()
    assert rep["fidelity"] >= 0.999 and rep["met_ns"] > rep["lower_bound_ns"]
    assert rep["device"]["max_exchange_ghz"] == pytest.approx(0.1)
    assert rep["seed"] == 0 and "jax" in rep["versions"]
    sched = json.loads((out / "schedule.json").read_text())
    assert sched["duration"] == pytest.approx(rep["met_ns"])
    # a second run is refused without --force, allowed with it
    res = runner.invoke(app, args)
    assert res.exit_code == 2 and "--force" in res.output
    assert runner.invoke(app, [*args, "--force", "--no-plots"]).exit_code == 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--jmax", "fast"], "jmax must be a number"),
        (["--jmax", "0MHz"], "jmax must be > 0"),
        (["--drive-max", "-5MHz"], "--drive-max must be > 0"),
        (["--target", "h3"], "unknown target 'h3'"),
        (["--target", "lih", "--initial", "10"], "4 bits"),
        (["--threshold", "1.5"], "threshold must be < 1"),
        (["--restarts", "0"], "restarts must be >= 1"),
        (["--slices", "0"], "--slices must be >= 1"),
        (["--initial", "0x"], "bitstring"),
        (["--jmin", "2GHz"], "--jmin (2GHz) must be below --jmax"),
        (["--jmin", "fast"], "jmin must be a number"),
        (["--jmax", "1"], "--jmax needs a unit"),
        (["--slices", "1000000"], "--slices must be <= 100000"),
    ],
)
def test_bad_arguments_print_one_line(tmp_path, extra, message):
    res = runner.invoke(app, ["pulse", "--out", str(tmp_path / "o"), *extra])
    assert res.exit_code == 2
    assert message in res.output and res.output.count("\n") <= 2
    assert not (tmp_path / "o").exists()
