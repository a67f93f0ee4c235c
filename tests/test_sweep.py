"""``tnqc sweep``: grids of jobs on local processes, serially, and on a Dask LocalCluster."""

from __future__ import annotations

import csv
import json

import pytest
from typer.testing import CliRunner

from circuits.cli import app
from circuits.jobs import JobError
from circuits.sweep import SweepSpec

runner = CliRunner()

# two sizes x two times: four jobs but only two circuit shapes, so two JAX compiles (at
# j = 1 the TEBD target has full bond dimension at both times)
SWEEP = """
[base.model]
j = 1.0
[base.circuit]
layers = 2
[base.optimize]
maxiter = 10
[base.output]
trotter_steps = 1
plots = false
[grid]
n = [6, 8]
t = [0.5, 1.0]
[sweep]
out = "{out}"
workers = 2
"""


def _rows(folder):
    with open(folder / "results.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def test_grid_expansion_and_validation(tmp_path):
    spec = SweepSpec.from_mapping({
        "base": {"model": {"j": 0.25}},
        "grid": {"n": [6, 8], "t": [0.5, 1.0], "optimize.objective": ["log", "infidelity"]},
        "sweep": {"out": str(tmp_path)},
    })
    jobs = list(spec.jobs())
    assert len(jobs) == 8
    assert {(j.model.n, j.target.t, j.optimize.objective) for j in jobs} == {
        (n, t, o) for n in (6, 8) for t in (0.5, 1.0) for o in ("log", "infidelity")}
    assert len({j.output.out for j in jobs}) == 8
    with pytest.raises(JobError, match="n must be >= 2"):
        SweepSpec.from_mapping({"grid": {"n": [1, 4]}})
    with pytest.raises(JobError, match="must be one of"):
        SweepSpec.from_mapping({"grid": {"colour": [1]}})
    with pytest.raises(JobError, match="non-empty list"):
        SweepSpec.from_mapping({"grid": {"n": 4}})


def test_serial_and_dask_executors_agree(tmp_path):
    distributed = pytest.importorskip("distributed")
    serial = tmp_path / "serial"
    (tmp_path / "s.toml").write_text(SWEEP.format(out=serial))
    res = runner.invoke(app, ["sweep", str(tmp_path / "s.toml"), "--executor", "serial"])
    assert res.exit_code == 0, res.output
    dask_out = tmp_path / "dask"
    (tmp_path / "d.toml").write_text(SWEEP.format(out=dask_out))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        res = runner.invoke(app, ["sweep", str(tmp_path / "d.toml"), "--executor", "dask",
                                  "--scheduler", cluster.scheduler_address])
    assert res.exit_code == 0, res.output
    a, b = _rows(serial), _rows(dask_out)
    assert len(a) == len(b) == 4
    for ra, rb in zip(a, b, strict=True):
        assert (ra["n"], ra["t"]) == (rb["n"], rb["t"])
        assert float(ra["fidelity"]) == pytest.approx(float(rb["fidelity"]), abs=1e-10)
    data = json.loads((dask_out / "results.json").read_text())
    assert all(row["fidelity"] > row["init_fidelity"] for row in data)
    assert (dask_out / "results.png").stat().st_size > 0
    assert all((dask_out / f"job-{i:03d}" / "circuit.qpy").is_file() for i in range(4))


def test_local_process_executor(tmp_path):
    out = tmp_path / "proc"
    # one worker process runs both jobs of one shape: a real process pool, one JAX compile
    (tmp_path / "p.toml").write_text(SWEEP.format(out=out).replace("n = [6, 8]", "n = [6]")
                                     .replace("workers = 2", "workers = 1"))
    res = runner.invoke(app, ["sweep", str(tmp_path / "p.toml")])
    assert res.exit_code == 0, res.output
    assert len(_rows(out)) == 2


def test_bad_sweep_input(tmp_path):
    (tmp_path / "bad.toml").write_text("[grid]\nn = [4]\n[sweep]\nworkers = 0\n")
    res = runner.invoke(app, ["sweep", str(tmp_path / "bad.toml")])
    assert res.exit_code == 2 and "workers must be an integer in 1..1024" in res.output
    (tmp_path / "ok.toml").write_text(SWEEP.format(out=tmp_path / "x"))
    res = runner.invoke(app, ["sweep", str(tmp_path / "ok.toml"), "--executor", "dask"])
    assert res.exit_code == 2 and "needs --scheduler" in res.output
    res = runner.invoke(app, ["sweep", str(tmp_path / "ok.toml"), "--executor", "mpi"])
    assert res.exit_code == 2 and "Invalid value for '--executor'" in res.output
