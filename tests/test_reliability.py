"""Reliability of the ``tnqc`` command line (issue 12): resume, partial files, bounds, messages.

Every case goes through the CLI (typer's runner, or a subprocess for start-up) and
checks the exit code (0, 2, or 130 after Ctrl-C), that a refusal is one line, and that
a refused command leaves no file behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from circuits.cli import app

runner = CliRunner()

TINY = ["compile", "--n", "4", "--t", "0.5", "--layers", "2", "--maxiter", "6",
        "--checkpoint-every", "2", "--trotter-steps", "1", "--no-plots"]


def _one_line_error(res, *needles: str) -> None:
    assert res.exit_code == 2, res.output
    text = " ".join(res.output.split())
    assert res.output.count("error:") == 1 and "Traceback" not in res.output, res.output
    for needle in needles:
        assert needle in text, res.output


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module", autouse=True)
def _jax_compile_cache(tmp_path_factory):
    """Reuse XLA compilations between the tiny compiles of this module (same shapes).

    Each ``aqc.compile`` builds a new objective, so JAX's in-memory cache misses and a
    4-qubit compile spends ~90% of its time in XLA; the persistent cache turns the
    repeats into cache hits.  Restored afterwards.
    """
    import jax
    from jax._src import compilation_cache

    new = {"jax_compilation_cache_dir": str(tmp_path_factory.mktemp("xla")),
           "jax_persistent_cache_min_compile_time_secs": 0.0,
           "jax_persistent_cache_min_entry_size_bytes": 0}
    old = {key: getattr(jax.config, key) for key in new}
    for key, value in new.items():
        jax.config.update(key, value)
    compilation_cache.reset_cache()
    yield
    for key, value in old.items():
        jax.config.update(key, value)
    compilation_cache.reset_cache()


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    """A finished tiny compile run (n = 4, L = 2, maxiter 6, checkpoints every 2)."""
    out = tmp_path_factory.mktemp("rel") / "base"
    res = runner.invoke(app, [*TINY, "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


# ----------------------------------------------------------------------------- resume
@pytest.mark.parametrize(
    ("name", "damage", "needle"),
    [
        ("checkpoint.npz", "truncate", "checkpoint.npz: the checkpoint is unreadable"),
        ("target.npz", "truncate", "target.npz: the target MPS is unreadable"),
        ("job.json", "truncate", "job.json: the job record is unreadable"),
        ("job.json", "bytes", "job.json: the job record is unreadable"),
        ("checkpoint.npz", "bytes", "checkpoint.npz"),
        ("job.json", "foreign", "is not a valid compile job"),
    ],
)
def test_corrupt_run_files_on_resume_are_one_line_and_touch_nothing(finished, tmp_path, name,
                                                                    damage, needle):
    run = _copy(finished, tmp_path / "run")
    path = run / name
    raw = path.read_bytes()
    path.write_bytes({"truncate": raw[: len(raw) // 2], "bytes": bytes(range(256)) * 3,
                      "foreign": b'{"model": {"n": "four"}}'}[damage])
    before = _digest(run)
    res = runner.invoke(app, [*TINY, "--maxiter", "8", "--out", str(run), "--resume"])
    _one_line_error(res, needle)
    assert _digest(run) == before  # nothing overwritten


def test_moved_folder_resumes_and_extends_maxiter(finished, tmp_path):
    moved = _copy(finished, tmp_path / "elsewhere" / "moved")
    old = json.loads((finished / "report.json").read_text())
    res = runner.invoke(app, [*TINY, "--maxiter", "10", "--out", str(moved), "--resume"])
    assert res.exit_code == 0, res.output
    assert "extended from maxiter 6 to 10" in res.output
    rep = json.loads((moved / "report.json").read_text())
    assert rep["extended"] == {"maxiter_recorded": 6, "maxiter": 10}
    assert rep["resumed_from_iteration"] == old["iterations"]
    assert rep["fidelity"] >= old["fidelity"] - 1e-12  # continued, not restarted
    # the report's fidelity is the circuit's, checked by the MPS simulation
    assert rep["fidelity"] == pytest.approx(rep["fidelity_check_mps"], abs=1e-9)
    assert json.loads((moved / "job.json").read_text())["optimize"]["maxiter"] == 10


def test_resume_from_inside_the_folder_and_finished_run(finished, tmp_path, monkeypatch):
    run = _copy(finished, tmp_path / "run")
    monkeypatch.chdir(run)
    res = runner.invoke(app, [*TINY, "--out", ".", "--resume"])  # paths differ, job equal
    _one_line_error(res, "finished run", "larger maxiter", "--force")
    res = runner.invoke(app, [*TINY, "--n", "6", "--out", ".", "--resume"])
    _one_line_error(res, "model.n (recorded 4, given 6)")
    res = runner.invoke(app, [*TINY, "--maxiter", "3", "--out", ".", "--resume"])
    _one_line_error(res, "optimize.maxiter (recorded 6, given 3; resume can only raise it)")


def test_not_empty_mentions_resume_and_no_job_json(finished, tmp_path):
    res = runner.invoke(app, [*TINY, "--out", str(finished)])
    _one_line_error(res, "--resume", "--force")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "x.txt").write_text("x")
    res = runner.invoke(app, [*TINY, "--out", str(tmp_path / "other"), "--resume"])
    _one_line_error(res, "has no job.json")
    res = runner.invoke(app, [*TINY, "--out", str(tmp_path / "none"), "--resume"])
    _one_line_error(res, "there is no folder")
    assert not (tmp_path / "none").exists()


def test_ctrl_c_in_compile_prints_checkpoint_and_resume_command(tmp_path, monkeypatch):
    import aqc

    real = aqc.compile

    def interrupted(*args, callback=None, **kwargs):
        def cb(info):
            callback(info)
            if info.iteration >= 4:
                raise KeyboardInterrupt

        return real(*args, callback=cb, **kwargs)

    out = tmp_path / "run"
    monkeypatch.setattr(aqc, "compile", interrupted)
    res = runner.invoke(app, [*TINY, "--out", str(out)])
    assert res.exit_code == 130, res.output
    assert f"checkpoint {out / 'checkpoint.npz'}" in res.output
    assert "--resume" in res.output and "Continue with" in res.output
    with np.load(out / "checkpoint.npz") as ck:
        assert int(ck["iteration"]) == 4 and not bool(ck["finished"])
    monkeypatch.setattr(aqc, "compile", real)
    res = runner.invoke(app, [*TINY, "--out", str(out), "--resume"])
    assert res.exit_code == 0, res.output
    assert json.loads((out / "report.json").read_text())["resumed_from_iteration"] == 4


def test_force_owns_the_folder(finished, tmp_path):
    run = _copy(finished, tmp_path / "run")
    (run / "circuit_isa.qpy").write_bytes(b"stale")
    (run / "fidelity.png").write_bytes(b"stale")
    (run / ".target.npz.abc.tmp").write_bytes(b"left by kill -9")
    res = runner.invoke(app, [*TINY, "--out", str(run), "--force"])
    assert res.exit_code == 0, res.output
    left = {p.name for p in run.iterdir()}
    assert "circuit_isa.qpy" not in left and "fidelity.png" not in left
    assert not [p for p in left if p.endswith(".tmp")]
    (run / "notes.txt").write_text("mine")
    res = runner.invoke(app, [*TINY, "--out", str(run), "--force"])
    _one_line_error(res, "notes.txt", "does not write")
    assert (run / "notes.txt").read_text() == "mine" and (run / "report.json").is_file()


def test_run_help_and_sweep_help_show_placeholders_and_choices():
    def text(*args: str) -> str:
        res = runner.invoke(app, [*args, "--help"], env={"COLUMNS": "240"})
        return " ".join(res.output.replace("│", " ").split())

    assert "overrides [output] out" in text("run")
    assert "overrides [sweep] workers" in text("sweep")
    assert "<process|serial|dask>" in text("sweep")
    assert "<lbfgs|adam|optax-lbfgs>" in text("compile")
    assert "<bool>" not in text("compile") + text("run") + text("sweep")


# --------------------------------------------------------------- checks before work
@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["evolve", "--n", "4", "--threads", "0"], "--threads must be >= 1"),
        (["evolve", "--n", "4", "--record-every", "0"], "--record-every must be >= 1"),
        (["evolve", "--n", str(10**30)], "--n must be <= 100000"),
        (["evolve", "--n", "6", "--max-bond", "100000"], "--max-bond must be <= 8192"),
        (["evolve", "--n", "6", "--t", "1e300"], "TEBD steps, more than"),
        (["evolve", "--n", "100000", "--max-bond", "8192"], "of memory, more than"),
        (["evolve", "--n", "4", "--model", "ising", "--jz", "3"], "--jz has no effect"),
        (["evolve", "--n", "4", "--model", "xxz", "--hx", "1"], "--hx has no effect"),
        (["evolve", "--n", "4", "--j", "nan"], "--j must be finite"),
        (["evolve", "--n", "6", "--initial", "0101"], "--initial"),
        (["compile", "--n", "4", "--j", "nan", "--jz", "1"], "--j must be finite"),
        (["compile", "--n", "4", "--layers", "5000"], "--layers must be <= 1000"),
        (["compile", "--n", "4", "--trotter-steps", "5000"], "--trotter-steps must be <= 1000"),
        (["compile", "--n", "4", "--force", "--resume"], "exclude each other"),
        (["compile", "--n", "6", "--isa", "fake_manila"], "fake_manila has 5 qubits"),
        (["pulse", "--target", "h2", "--initial", "000"], "2 bits"),
        (["pulse", "--target", "bell", "--initial", "000"], "bell"),
        (["pulse", "--jmax", "1"], "--jmax needs a unit"),
        (["qsp", "recover", "--grover", "2", "--pauli", "X"], "--method pointwise only"),
        (["qsp", "recover", "--phases", "p.json", "--delta", "0.2"], "--delta applies"),
    ],
)
def test_bad_options_fail_before_any_file(tmp_path, monkeypatch, args, needle):
    monkeypatch.chdir(tmp_path)
    Path("p.json").write_text("[0.1, 0.2]")
    res = runner.invoke(app, [*args, "--out", "never"])
    _one_line_error(res, needle)
    assert not Path("never").exists()


@pytest.mark.parametrize("content", ["[]", "[NaN, 0.1]", "[[0.1, 0.2]]", '{"a": 1}', "\xff"])
def test_qsp_bad_phases_files_leave_no_folder(tmp_path, content):
    path = tmp_path / "phases.json"
    path.write_bytes(content.encode("latin-1"))
    res = runner.invoke(app, ["qsp", "recover", "--phases", str(path), "--out",
                              str(tmp_path / "never")])
    _one_line_error(res, "--phases")
    assert not (tmp_path / "never").exists()


def test_sweep_checks_and_ctrl_c_then_resume(tmp_path, monkeypatch):
    import circuits.sweep as sweep_mod

    out = tmp_path / "sw"
    sweep = tmp_path / "sweep.toml"
    sweep.write_text(f"""
[base.model]
n = 4
[base.target]
t = 0.5
[base.optimize]
maxiter = 6
checkpoint_every = 2
[base.output]
trotter_steps = 1
plots = false
[base.circuit]
layers = 2
[grid]
seed = [0, 1]
[sweep]
out = "{out}"
""")
    res = runner.invoke(app, ["sweep", str(sweep), "--executor", "dask"])
    _one_line_error(res, "--scheduler")
    res = runner.invoke(app, ["sweep", str(sweep), "--executor", "serial", "--workers", "3"])
    _one_line_error(res, "--workers only applies")
    res = runner.invoke(app, ["sweep", str(sweep), "--resume"])
    _one_line_error(res, "there is no folder")
    with monkeypatch.context() as m:  # dask not installed: refused before any file
        m.setitem(sys.modules, "distributed", None)
        res = runner.invoke(app, ["sweep", str(sweep), "--executor", "dask", "--scheduler",
                                  "tcp://127.0.0.1:1"])
        _one_line_error(res, "needs 'dask[distributed]'")
    assert not out.exists()

    real = sweep_mod.run_compile_job
    calls = []

    def second_interrupted(spec, **kw):
        calls.append(spec.optimize.seed)
        if spec.optimize.seed == 1 and len(calls) == 2:
            raise KeyboardInterrupt
        return real(spec, **kw)

    monkeypatch.setattr(sweep_mod, "run_compile_job", second_interrupted)
    res = runner.invoke(app, ["sweep", str(sweep), "--executor", "serial"])
    assert res.exit_code == 130, res.output
    assert "1 of 2 jobs done" in res.output and "--resume" in res.output
    rows = (out / "results.csv").read_text().splitlines()
    assert len(rows) == 2 and rows[1].startswith("0,")
    res = runner.invoke(app, ["sweep", str(sweep), "--executor", "serial"])
    _one_line_error(res, "--resume")  # not empty: says how to continue
    res = runner.invoke(app, ["sweep", str(sweep), "--executor", "serial", "--resume"])
    assert res.exit_code == 0, res.output
    assert calls == [0, 1, 1]  # job 0 was not run again
    assert len((out / "results.csv").read_text().splitlines()) == 3


# ---------------------------------------------------------------------------- export
def test_export_refusals(finished, tmp_path):
    run = _copy(finished, tmp_path / "run")
    res = runner.invoke(app, ["export", str(run), "--no-qasm2", "--no-qasm3"])
    _one_line_error(res, "nothing to export")
    res = runner.invoke(app, ["export", str(run), "--seed", "3"])
    _one_line_error(res, "--seed")
    raw = (run / "circuit.qpy").read_bytes()
    (tmp_path / "trunc.qpy").write_bytes(raw[: len(raw) // 2])
    res = runner.invoke(app, ["export", str(tmp_path / "trunc.qpy"), "--out", str(tmp_path / "e")])
    _one_line_error(res, "truncated or corrupt QPY file")
    (tmp_path / "rand.qpy").write_bytes(os.urandom(300))
    res = runner.invoke(app, ["export", str(tmp_path / "rand.qpy"), "--out", str(tmp_path / "e")])
    _one_line_error(res, "is not a QPY file")
    assert "upgrade" not in res.output
    res = runner.invoke(app, ["export", str(tmp_path / "missing.qpy")])
    _one_line_error(res, "no file")
    assert "Errno" not in res.output
    assert not (tmp_path / "e").exists()


def test_every_qasm_file_loads_in_qiskit(finished, tmp_path):
    import qiskit.qasm2
    import qiskit.qasm3
    import qiskit_qasm3_import
    from qiskit import qpy
    from qiskit.quantum_info import Statevector

    run = _copy(finished, tmp_path / "run")
    res = runner.invoke(app, ["export", str(run)])
    assert res.exit_code == 0, res.output
    with open(run / "circuit.qpy", "rb") as fh:
        ref = Statevector(qpy.load(fh)[0])
    for name in ("circuit.qasm", "circuit.qasm3"):
        text = (run / name).read_text()
        for loaded in (qiskit.qasm3.loads(text), qiskit_qasm3_import.parse(text)):
            assert abs(Statevector(loaded).inner(ref) - 1) < 1e-9  # phase included
    loaded = qiskit.qasm2.loads((run / "circuit.qasm2").read_text())
    assert abs(abs(Statevector(loaded).inner(ref)) - 1) < 1e-9  # QASM 2: up to phase


def test_pulse_qasm_parses_with_the_reference_grammar():
    """pulses.openpulse holds OpenPulse calibrations (defcalgrammar, cal, defcal): the reference
    parser reads them (qiskit's importers have no OpenPulse support, so the gate-level
    pulses.qasm, which they read, is checked in tests/test_pulse_cli.py)."""
    import openqasm3

    from circuits.pulse import ControlGrid, SpinQubitDevice
    from circuits.pulse.export import to_openqasm3

    dev = SpinQubitDevice.silicon_line(2)
    grid = ControlGrid(dev, 4.0, 2)
    program = openqasm3.parse(to_openqasm3(grid.schedule(grid.random_raw(seed=0)), dev))
    kinds = [type(s).__name__ for s in program.statements]
    assert kinds == ["CalibrationGrammarDeclaration", "CalibrationStatement",
                     "CalibrationDefinition", "QuantumGate"]


def test_files_follow_the_umask(finished, tmp_path):
    from mps.atomic import atomic_write_text

    old = os.umask(0o022)
    try:
        p = atomic_write_text(tmp_path / "a.txt", "x")
        assert p.stat().st_mode & 0o777 == 0o644
        os.umask(0o077)
        assert atomic_write_text(tmp_path / "b.txt", "x").stat().st_mode & 0o777 == 0o600
        os.chmod(p, 0o640)  # an existing file keeps its mode, as open(path, "w") would
        assert atomic_write_text(p, "y", overwrite=True).stat().st_mode & 0o777 == 0o640
        os.umask(0o002)
        run = _copy(finished, tmp_path / "run")
        res = runner.invoke(app, ["export", str(run)])
        assert res.exit_code == 0
        assert (run / "circuit.qasm3").stat().st_mode & 0o777 == 0o664
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in finished.iterdir()}
    assert set(modes.values()) == {0o666 & ~old}, modes


# --------------------------------------------------------------------- job files
@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"\xff\xfe\x00garbage", "not UTF-8 text"),
        (b"a = " + b"[" * 5000, "TOML"),
        (b"[model]\nn = 100000000000000000000000000000000000000\n", "[model] n must be <="),
        (b"[model]\nj = 1e999\n", "[model] j must be finite"),
        (b"model = 3\n", "[model] must be a table"),
        (b"[sweep]\n", "unknown key(s) ['sweep']"),
    ],
)
def test_unreadable_job_files_are_one_line(tmp_path, content, needle):
    path = tmp_path / "job.toml"
    path.write_bytes(content)
    _one_line_error(runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "o")]), needle)
    assert not (tmp_path / "o").exists()
    res = runner.invoke(app, ["sweep", str(path)])
    assert res.exit_code == 2 and "Traceback" not in res.output


# ------------------------------------------------------------------------- start-up
def test_import_of_the_cli_pulls_in_no_heavy_library():
    code = ("import sys, circuits.cli\n"
            "heavy = ('jax', 'qiskit', 'stim', 'matplotlib', 'quimb', 'scipy', 'numpy')\n"
            "print(','.join(m for m in heavy if m in sys.modules))")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, env=env)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == ""


# ---------------------------------------------------------- property-based (hypothesis)
from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

FUZZ = settings(max_examples=12, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
EXTREME = st.sampled_from([-1, 0, 1, 2**70, -(2**70), 1e-320, 1e308, float("nan"),
                           float("inf"), "", "neel", "x" * 40, True, [1], {"a": 1}])
SECTIONS = {"model": ["name", "n", "j", "jz", "hx", "hz"],
            "target": ["t", "dt", "order", "max_bond", "cutoff", "initial"],
            "circuit": ["layers", "block"],
            "optimize": ["optimizer", "objective", "maxiter", "schedule", "seed",
                         "checkpoint_every", "target_fidelity"],
            "output": ["plots", "trotter_steps", "isa"]}


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return {"nan": "nan", "inf": "inf"}.get(repr(v), repr(v))
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(map(_toml_value, v)) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + "}"
    return str(v)


def _no_traceback(res) -> None:
    assert res.exit_code in (0, 2), (res.exit_code, res.output, res.exception)
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert "Traceback" not in res.output


@FUZZ
@given(st.binary(max_size=300))
def test_fuzz_job_and_sweep_files_of_random_bytes(tmp_path, data):
    from circuits.jobs import JobError, JobSpec

    path = tmp_path / "job.toml"
    path.write_bytes(data)
    try:
        JobSpec.from_toml(path)
        assume(False)  # a valid job (e.g. empty: all defaults, n = 100) is not run here
    except JobError:
        pass
    for cmd in (["run", str(path), "--out", str(tmp_path / "o")], ["sweep", str(path)]):
        res = runner.invoke(app, cmd)
        _no_traceback(res)
        assert res.exit_code == 2
    assert not (tmp_path / "o").exists()


@FUZZ
@given(st.dictionaries(st.sampled_from([*SECTIONS, "kind", "extra"]),
                       st.one_of(EXTREME, st.dictionaries(
                           st.sampled_from([k for ks in SECTIONS.values() for k in ks] + ["zz"]),
                           EXTREME, max_size=3)), max_size=3))
def test_fuzz_job_mapping_is_a_spec_or_a_job_error(data):
    from circuits.jobs import JobError, JobSpec

    try:
        spec = JobSpec.from_mapping(data)
    except JobError as exc:
        assert "\n" not in str(exc)
    else:
        assert spec.model.n >= 2


@FUZZ
@given(st.sampled_from(list(SECTIONS)), st.data())
def test_fuzz_run_a_tiny_job_with_one_extreme_value(tmp_path, section, data):
    key = data.draw(st.sampled_from(SECTIONS[section]))
    value = data.draw(EXTREME)
    base = {"model": {"n": 4}, "target": {"t": 0.5}, "circuit": {"layers": 2},
            "optimize": {"maxiter": 6, "checkpoint_every": 2},
            "output": {"plots": False, "trotter_steps": 1}}
    base[section][key] = value
    out = tmp_path / f"o-{section}-{key}-{abs(hash(repr(value)))}"
    text = "".join(f"[{s}]\n" + "".join(f"{k} = {_toml_value(v)}\n" for k, v in kv.items())
                   for s, kv in base.items())
    job = tmp_path / "job.toml"
    job.write_text(text)
    res = runner.invoke(app, ["run", str(job), "--out", str(out)])
    _no_traceback(res)
    if res.exit_code == 2:
        assert not out.exists(), res.output
    else:
        assert (out / "report.json").is_file()


EVOLVE_VALUES = {
    "--n": ["-3", "0", "1", "3", "4", "100001", str(10**40), "1e3", "x"],
    "--t": ["0", "0.1", "-1", "nan", "inf", "1e308"],
    "--dt": ["0.05", "0", "1e-300", "-0.1", "nan"],
    "--max-bond": ["0", "1", "4", "9000", "-1"],
    "--threads": ["0", "1", "300"],
    "--record-every": ["0", "1", "2", str(10**20)],
    "--cutoff": ["1e-10", "-1", "nan", "1e308"],
    "--j": ["1", "nan", "-inf", "1e308", "0"],
    "--initial": ["neel", "zeros", "0101", "01", "2", ""],
}


@FUZZ
@given(st.lists(st.sampled_from([(f, v) for f, vs in EVOLVE_VALUES.items() for v in vs]),
                min_size=1, max_size=4).map(dict))
def test_fuzz_evolve_options(tmp_path, options):
    args = ["evolve", "--no-plots", "--out", str(tmp_path / "o")]
    options = {"--n": "4", "--t": "0.1", **options}
    for flag, value in options.items():
        args += [flag, value]
    res = runner.invoke(app, args)
    _no_traceback(res)
    if res.exit_code == 2:
        assert not (tmp_path / "o").exists(), res.output
    else:
        shutil.rmtree(tmp_path / "o")


@FUZZ
@given(st.binary(max_size=200), st.booleans())
def test_fuzz_export_of_random_bytes(tmp_path, data, magic):
    path = tmp_path / "c.qpy"
    path.write_bytes((b"QISKIT" if magic else b"") + data)
    res = runner.invoke(app, ["export", str(path), "--out", str(tmp_path / "e")])
    _no_traceback(res)
    assert res.exit_code == 2 and not (tmp_path / "e").exists()
