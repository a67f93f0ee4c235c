"""Job files, checkpoints and resume of ``tnqc compile`` / ``tnqc run``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from circuits.cli import app
from circuits.jobs import JobError, JobSpec

runner = CliRunner()

JOB = """
kind = "compile"
[model]
n = 10
j = 0.25
[target]
t = 1.0
[circuit]
layers = 3
[optimize]
maxiter = 30
checkpoint_every = 5
[output]
out = "{out}"
trotter_steps = 2
plots = false
"""


def test_toml_job_runs_and_matches_flags(tmp_path):
    job = tmp_path / "job.toml"
    job.write_text(JOB.format(out=tmp_path / "a"))
    res = runner.invoke(app, ["run", str(job)])
    assert res.exit_code == 0, res.output
    a = json.loads((tmp_path / "a" / "report.json").read_text())
    flags = ["compile", "--n", "10", "--j", "0.25", "--t", "1", "--layers", "3", "--maxiter",
             "30", "--checkpoint-every", "5", "--trotter-steps", "2", "--no-plots",
             "--out", str(tmp_path / "b")]
    assert runner.invoke(app, flags).exit_code == 0
    b = json.loads((tmp_path / "b" / "report.json").read_text())
    assert a["fidelity"] == pytest.approx(b["fidelity"], abs=1e-12)
    assert a["job"] == {**b["job"], "output": a["job"]["output"]}
    with np.load(tmp_path / "a" / "checkpoint.npz") as ck:  # kept, so the run can be extended
        assert bool(ck["finished"]) and int(ck["iteration"]) == a["iterations"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('kind = "compile"\n[model\nn = 3\n', "malformed TOML"),
        ('[model]\nn = "ten"\n', "[model] n must be an integer"),
        ("[model]\nn = 3\ncolour = 1\n", "unknown key(s) ['colour'] in [model]"),
        ("[modle]\nn = 3\n", "unknown key(s) ['modle']"),
        ("[model]\nn = 1\n", "n must be >= 2"),
        ('[model]\nname = "potts"\n', "unknown model 'potts'"),
        ("[circuit]\nlayers = 0\n", "layers must be >= 1"),
        ('[optimize]\noptimizer = "sgd"\n', "optimizer must be one of"),
        ("[target]\ndt = -1\n", "dt must be > 0"),
        ("[output]\nplots = 3\n", "[output] plots must be true or false"),
    ],
)
def test_bad_job_files_are_one_line_exit_2(tmp_path, text, message):
    job = tmp_path / "bad.toml"
    job.write_text(text + f'\n[output]\nout = "{tmp_path / "o"}"\n'
                   if "[output]" not in text else text)
    res = runner.invoke(app, ["run", str(job)])
    assert res.exit_code == 2
    line = " ".join(res.output.split())
    assert message in line and str(job) in line
    assert not (tmp_path / "o").exists()


def test_malformed_toml_names_the_line(tmp_path):
    job = tmp_path / "bad.toml"
    job.write_text('kind = "compile"\n\n[model]\nn = = 3\n')
    with pytest.raises(JobError, match=r"bad\.toml: malformed TOML.*line 4"):
        JobSpec.from_toml(job)


def test_unwritable_output_folder(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = runner.invoke(app, ["compile", "--n", "4", "--out", str(blocker / "sub")])
    assert res.exit_code == 2 and "cannot write" in " ".join(res.output.split())


def test_resume_needs_a_checkpoint(tmp_path):
    res = runner.invoke(app, ["compile", "--n", "4", "--out", str(tmp_path), "--resume"])
    assert res.exit_code == 2 and "has no job.json" in res.output


def _checkpoint_iteration(path: Path) -> int:
    try:
        with np.load(path) as data:
            return int(data["iteration"])
    except (OSError, ValueError, KeyError, EOFError):
        return -1


def test_kill_9_then_resume_reaches_the_uninterrupted_result(tmp_path):
    """Acceptance 4: kill -9 mid-compile, --resume continues from the last checkpoint.

    A real ``tnqc compile`` process on a 12-site job is killed with SIGKILL after a
    mid-run checkpoint; ``--resume`` on its folder and the uninterrupted reference run
    through the same CLI in this process (JAX already imported, one set of compiles).
    """
    args = ["compile", "--n", "12", "--t", "1.5", "--j", "0.25", "--layers", "4",
            "--maxiter", "400", "--checkpoint-every", "5", "--trotter-steps", "1", "--no-plots"]
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "circuits.cli", *args, "--out", str(out)],
                            env={**os.environ, "PYTHONUNBUFFERED": "1"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 240
    killed_at = -1
    while time.time() < deadline and proc.poll() is None:  # wait for a mid-run checkpoint
        killed_at = _checkpoint_iteration(out / "checkpoint.npz")
        if killed_at >= 30:
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.01)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    assert killed_at >= 30
    assert not (out / "report.json").exists()  # nothing final was written
    assert not list(out.glob(".*.tmp"))  # atomic writes leave no temp files
    res = runner.invoke(app, [*args, "--out", str(tmp_path / "ref")])  # uninterrupted
    assert res.exit_code == 0, res.output
    ref = json.loads((tmp_path / "ref" / "report.json").read_text())
    done = runner.invoke(app, [*args, "--out", str(out), "--resume"])
    assert done.exit_code == 0, done.output
    rep = json.loads((out / "report.json").read_text())
    assert rep["resumed_from_iteration"] >= killed_at  # no progress lost beyond the checkpoint
    assert rep["iterations"] > rep["resumed_from_iteration"]  # the resumed run did work
    assert rep["fidelity"] == pytest.approx(ref["fidelity"], abs=1e-6)
    assert rep["init_fidelity"] == pytest.approx(ref["init_fidelity"], rel=1e-9)


def test_n100_compile_report_confirmed_by_quimb_simulation_of_qpy(tmp_path):
    """Acceptance 3: report.json's fidelity = quimb CircuitMPS(circuit.qpy) vs target.npz."""
    from conftest import simulate_with_quimb
    from qiskit import qpy

    from mps import MPS

    out = tmp_path / "n100"
    res = runner.invoke(app, ["compile", "--model", "heisenberg", "--n", "100", "--t", "1",
                              "--layers", "4", "--j", "0.25", "--maxiter", "60",
                              "--trotter-steps", "2", "--out", str(out)])
    assert res.exit_code == 0, res.output
    report = json.loads((out / "report.json").read_text())
    with open(out / "circuit.qpy", "rb") as fh:
        circuit = qpy.load(fh)[0]
    psi, _ = simulate_with_quimb(circuit)
    target = MPS.load(out / "target.npz")
    assert abs(target.to_quimb().H @ psi) ** 2 == pytest.approx(report["fidelity"], abs=1e-6)
    assert report["fidelity"] > 0.99
    for name in ("fidelity.png", "z.png", "depth.png", "circuit.qasm", "params.npz"):
        assert (out / name).stat().st_size > 0
