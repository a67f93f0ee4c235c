"""``tnqc cultivate``: build, check, export and sample a cultivation circuit.

Writes into ``--out``: ``circuit.stim`` (noisy) and ``circuit_noiseless.stim``,
``circuit.dem``, ``circuit.qasm`` (OpenQASM 3 that ``qiskit.qasm3.loads`` reads), for the
d = 3 stages also ``circuit_t.qpy`` / ``circuit_t.qasm`` (qiskit, real T gates),
``stats.json``, ``report.json`` (parameters, seed, versions, statistics, cost, run status)
and ``error_vs_discard.png``.  ``checkpoint.json`` is written at least every second; Ctrl-C
stops within a second and writes the counts so far; ``--resume`` continues a killed or
interrupted run with the same counts as an uninterrupted one, and with a larger
``--shots`` or ``--max-errors`` extends a finished run (the report says from what).

Every option is checked before any file is written.  Shots stream in seeded chunks
(:func:`circuits.cultivation.sampling.sample`) on this process, ``--workers`` local
processes, or Dask distributed (``--executor dask``: ``--scheduler ADDRESS`` or a
``LocalCluster`` of ``--workers``); the counts depend on the seed and chunk size only.

Example
-------
>>> import tempfile
>>> from pathlib import Path
>>> from typer.testing import CliRunner
>>> from circuits.cli import app
>>> out = Path(tempfile.mkdtemp()) / "run"
>>> CliRunner().invoke(app, ["cultivate", "--d", "4", "--out", str(out)]).exit_code
2
>>> out.exists()  # bad input is refused before anything is written
False
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["cultivate_cmd"]

STAGES = ("injection", "cultivation", "escape")
MAX_SHOTS = 10**24  # sampling streams; the bound keeps counts exact in JSON consumers
MAX_WORKERS = 4096
OUTPUTS = ("job.json", "checkpoint.json", "circuit.stim", "circuit_noiseless.stim",
           "circuit.dem", "circuit.qasm", "circuit_t.qasm", "circuit_t.qpy", "stats.json",
           "report.json", "error_vs_discard.png")
# fields of job.json that determine the counts (shots and the error budget may grow)
_JOB_KEYS = ("stage", "protocol", "d", "p", "noise", "seed", "chunk_shots", "d2", "r1", "r2")


def _count(name: str, text: str, low: int, high: int) -> int:
    """An integer option given as ``1000000``, ``10**6`` or ``1e6``."""
    t = str(text).strip().replace("_", "")
    try:
        if "**" in t:
            base, exp = t.split("**")
            value = int(base) ** int(exp)
        elif any(c in t for c in "eE."):
            f = float(t)
            if not math.isfinite(f) or f != int(f):
                raise ValueError
            value = int(f)
        else:
            value = int(t)
    except (ValueError, OverflowError):
        raise ValueError(f"{name} must be an integer (such as 1000000, 1e6 or 10**6), "
                         f"got {text!r}") from None
    if not low <= value <= high:
        raise ValueError(f"{name} must be in [{low}, {high:.0e}], got {text}")
    return value


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"cannot resume: {path} is not readable JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ValueError(f"cannot resume: {path} does not hold a JSON object")
    return data


def cultivate_cmd(
    out: Annotated[Path, typer.Option(help="Output folder.")],
    d: Annotated[int, typer.Option("--d", help="Cultivation distance: 3 or 5.")] = 3,
    p: Annotated[float, typer.Option("--p", help="Noise strength, in [0, 0.5).")] = 1e-3,
    shots: Annotated[str, typer.Option(
        help="Shots to sample: 1 to 1e24, as 1000000, 1e6 or 10**6.")] = "1000000",
    noise: Annotated[str, typer.Option(help="Noise model: uniform or si1000.")] = "uniform",
    stage: Annotated[str, typer.Option(
        help="injection, cultivation, or escape (cultivation + escape into a d2 surface code)."
    )] = "cultivation",
    protocol: Annotated[str, typer.Option(
        help="gsj (Gidney-Shutty-Jones colour code) or rp2 (RP^2 code)."
    )] = "gsj",
    d2: Annotated[int | None, typer.Option(
        help="Escape only: surface-code distance (>= 2d).")] = None,
    r1: Annotated[int | None, typer.Option(
        help="Escape only: hybrid-code rounds (gsj) or decoded surface-code rounds (rp2); "
             "default d.")] = None,
    r2: Annotated[int | None, typer.Option(
        help="Escape only (gsj): matchable-code rounds, >= 1; default 5.")] = None,
    gap: Annotated[float | None, typer.Option(
        help="Escape only: also report the shots with a gap >= this (dB, >= 0).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the sampler.")] = 0,
    executor: Annotated[str, typer.Option(
        help="local (this process, or --workers processes) or dask.")] = "local",
    scheduler: Annotated[str | None, typer.Option(
        help="Dask scheduler address (tcp://host:8786); without it --executor dask starts a "
             "LocalCluster of --workers.")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes (1 to 4096).")] = 1,
    chunk_shots: Annotated[str | None, typer.Option(
        help="Shots per seeded chunk (default 2^22, 2^14 for escape); the counts depend on "
             "it.")] = None,
    max_errors: Annotated[str | None, typer.Option(
        help="Stop after this many logical errors (>= 1).")] = None,
    force: Annotated[bool, typer.Option(help="Overwrite files in a non-empty --out.")] = False,
    resume: Annotated[bool, typer.Option(
        help="Continue from --out/checkpoint.json (a larger --shots or --max-errors extends "
             "the run).")] = False,
) -> None:
    """Sample magic-state cultivation with post-selection (GSJ 2024)."""
    from circuits.cli_common import fail as _fail

    try:
        job = _validate(stage=stage, protocol=protocol, d=d, p=p, noise=noise, shots=shots,
                        seed=seed, d2=d2, r1=r1, r2=r2, gap=gap, executor=executor,
                        scheduler=scheduler, workers=workers, chunk_shots=chunk_shots,
                        max_errors=max_errors, force=force, resume=resume)
        plan = _prepare(out, job, force=force, resume=resume)
    except (ValueError, TypeError, OSError) as exc:
        _fail(str(exc))
    _run(out, job, plan)


def _validate(**o) -> dict:
    from .executors import check_executor

    if o["stage"] not in STAGES:
        raise ValueError(f"--stage must be one of {STAGES}, got {o['stage']!r}")
    if o["protocol"] not in ("gsj", "rp2"):
        raise ValueError(f"--protocol must be gsj or rp2, got {o['protocol']!r}")
    if o["protocol"] == "rp2" and o["stage"] == "injection":
        raise ValueError("--protocol rp2 offers --stage cultivation or escape")
    if o["stage"] == "injection" and o["d"] != 3:
        raise ValueError(f"--d must be 3 for the injection stage, got {o['d']}")
    escape = o["stage"] == "escape"
    for name in ("d2", "r1", "r2", "gap"):
        if o[name] is not None and not escape:
            raise ValueError(f"--{name} applies only to --stage escape (got --stage "
                             f"{o['stage']})")
    if o["r2"] is not None and o["protocol"] == "rp2":
        raise ValueError("--r2 applies only to --protocol gsj (rp2 has one decoded stage, "
                         "set by --r1)")
    if o["r2"] is not None and o["r2"] < 1:
        raise ValueError(f"--r2 must be >= 1 (matchable-code rounds after the transition "
                         f"round), got {o['r2']}")
    if o["r1"] is not None and o["r1"] < 1:
        raise ValueError(f"--r1 must be >= 1, got {o['r1']}")
    if o["gap"] is not None and not (math.isfinite(o["gap"]) and o["gap"] >= 0):
        raise ValueError(f"--gap must be a finite number of dB >= 0, got {o['gap']}")
    if escape and o["d2"] is None:
        o["d2"] = 2 * o["d"] + 1 if o["protocol"] == "gsj" else None
    if escape and o["protocol"] == "gsj" and o["r2"] is None:
        o["r2"] = 5
    shots = _count("--shots", o["shots"], 1, MAX_SHOTS)
    max_errors = None if o["max_errors"] is None else \
        _count("--max-errors", o["max_errors"], 1, MAX_SHOTS)
    chunk = None if o["chunk_shots"] is None else \
        _count("--chunk-shots", o["chunk_shots"], 1, 1 << 30)
    if not 1 <= o["workers"] <= MAX_WORKERS:
        raise ValueError(f"--workers must be in [1, {MAX_WORKERS}], got {o['workers']}")
    if o["executor"] not in ("local", "dask"):
        raise ValueError(f"--executor must be local or dask, got {o['executor']!r}")
    if o["scheduler"] and o["executor"] != "dask":
        raise ValueError("--scheduler needs --executor dask")
    check_executor(o["executor"], o["workers"], o["scheduler"])
    if o["force"] and o["resume"]:
        raise ValueError("--force and --resume exclude each other (--force discards the "
                         "checkpoint)")
    job = {"stage": o["stage"], "protocol": o["protocol"], "d": o["d"], "p": o["p"],
           "noise": o["noise"], "shots": shots, "seed": o["seed"], "max_errors": max_errors,
           "chunk_shots": chunk}
    if escape:
        job.update(d2=o["d2"], r1=o["r1"], r2=o["r2"], gap=o["gap"])
    job["_run"] = {"executor": o["executor"], "scheduler": o["scheduler"],
                   "workers": o["workers"]}
    return job


def _prepare(out: Path, job: dict, *, force: bool, resume: bool) -> dict:
    """Build and check the circuits and the resume state; nothing is written yet."""
    from . import (
        GapDecoder,
        cultivation_circuit,
        end_to_end_circuit,
        injection_circuit,
        noise_model,
        rp2_cultivation_circuit,
        rp2_end_to_end_circuit,
    )
    from .verify import check_deterministic

    model = noise_model(job["noise"], job["p"])
    stage, protocol, d = job["stage"], job["protocol"], job["d"]
    if resume:  # cheap file checks before the circuits are built
        state, previous = _resume_state(out, job)
    else:
        state = previous = None
        if out.exists() and not out.is_dir():
            raise ValueError(f"output folder {out} exists and is not a folder")
        if out.is_dir() and any(out.iterdir()) and not force:
            hint = " or --resume to continue it" if (out / "checkpoint.json").is_file() else ""
            raise ValueError(f"output folder {out} is not empty; pass --force to overwrite"
                             f"{hint}")
    if stage == "injection":
        noiseless = injection_circuit()
    elif stage == "cultivation" and protocol == "rp2":
        noiseless = rp2_cultivation_circuit(d)
    elif stage == "cultivation":
        noiseless = cultivation_circuit(d)
    elif protocol == "rp2":
        noiseless = rp2_end_to_end_circuit(d, job["d2"], rounds=job["r1"])
    else:
        noiseless = end_to_end_circuit(d, job["d2"], r1=job["r1"], r2=job["r2"])
    check_deterministic(noiseless)
    noisy = model.apply(noiseless)
    decoder = GapDecoder(noisy) if stage == "escape" else None
    if state is not None:  # the checkpoint must fit this job before any work
        from .sampling import _CHUNK, _CHUNK_DECODED, _restore

        chunk = job["chunk_shots"] or (_CHUNK if decoder is None else _CHUNK_DECODED)
        _restore(state, job["seed"], job["shots"], chunk, job["max_errors"])
    return {"model": model, "noiseless": noiseless, "noisy": noisy, "decoder": decoder,
            "state": state, "previous": previous}


def _resume_state(out: Path, job: dict) -> tuple[dict, dict]:
    ckpt, job_file = out / "checkpoint.json", out / "job.json"
    if not job_file.is_file():
        raise ValueError(f"cannot resume: {out} has no job.json (was the run started there?)")
    if not ckpt.is_file():
        raise ValueError(f"cannot resume: {out} has no checkpoint.json (the run did not "
                         "sample a chunk); start it again with --force")
    previous = _read_json(job_file)
    mine = {k: v for k, v in job.items() if k != "_run"}
    differ = [k for k in _JOB_KEYS if previous.get(k) != mine.get(k)]
    if differ:
        what = ", ".join(f"--{k.replace('_', '-')} {mine.get(k)} (job.json: {previous.get(k)})"
                         for k in differ)
        raise ValueError(f"cannot resume: the options differ from {job_file}: {what}")
    return _read_json(ckpt), previous


def _run(out: Path, job: dict, plan: dict) -> None:
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from circuits.cli_common import err_console as _err
    from circuits.cli_common import fail as _fail
    from mps.atomic import atomic_write, atomic_write_json, atomic_write_text

    from .export import to_qasm3, to_qiskit, write_dem, write_stim
    from .sampling import SamplingInterrupted, sample

    params = {k: v for k, v in job.items() if k != "_run"}
    run = job["_run"]
    noiseless, noisy = plan["noiseless"], plan["noisy"]
    ckpt = out / "checkpoint.json"
    try:
        if plan["state"] is None:
            out.mkdir(parents=True, exist_ok=True)
            for name in OUTPUTS:  # a forced run owns its folder: no stale files of ours
                (out / name).unlink(missing_ok=True)
            write_stim(out / "circuit.stim", noisy, force=True)
            write_stim(out / "circuit_noiseless.stim", noiseless, force=True)
            write_dem(out / "circuit.dem", noisy, force=True)
            atomic_write_text(out / "circuit.qasm", to_qasm3(noiseless), overwrite=True)
            if noiseless.num_qubits <= 20:
                import qiskit.qasm3
                from qiskit import qpy

                qc = to_qiskit(noiseless, t_gates=True)
                atomic_write_text(out / "circuit_t.qasm", qiskit.qasm3.dumps(qc),
                                  overwrite=True)
                atomic_write(out / "circuit_t.qpy", lambda fh: qpy.dump(qc, fh), overwrite=True)
        atomic_write_json(out / "job.json", params, overwrite=True)
    except OSError as exc:
        _fail(str(exc))
    shots = params["shots"]
    title = f"[bold]cultivate[/] {job['protocol']} {job['stage']} d={job['d']} p={job['p']:g}"
    interrupted = None
    with Progress(TextColumn(title), BarColumn(), TextColumn("{task.fields[info]}"),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=_err) as bar:
        task = bar.add_task("sample", total=shots, info="")

        def progress(done: int, total: int, discards: int, errors: int) -> None:
            bar.update(task, completed=done,
                       info=f"discard {discards / max(done, 1):.3f}, errors {errors}")

        def checkpoint(st: dict) -> None:
            atomic_write_json(ckpt, st, overwrite=True)

        try:
            stats = sample(noisy, shots, seed=params["seed"], max_errors=params["max_errors"],
                           num_workers=run["workers"], decoder=plan["decoder"],
                           progress=progress, checkpoint=checkpoint, resume=plan["state"],
                           executor=run["executor"], scheduler=run["scheduler"],
                           chunk_shots=params["chunk_shots"], checkpoint_seconds=1.0)
        except SamplingInterrupted as exc:
            stats, interrupted = exc.stats, exc
        except ValueError as exc:
            _fail(str(exc))
    _report(out, params, run, plan, stats, interrupted is not None)
    if interrupted is not None:
        _err.print(f"interrupted after {stats.shots} shots ({stats.errors} errors); counts so "
                   f"far in {out}/stats.json; continue with the same command and --resume",
                   highlight=False, soft_wrap=True)
        raise typer.Exit(code=130)


def _report(out: Path, params: dict, run: dict, plan: dict, stats, interrupted: bool) -> None:
    from mps._versions import versions
    from mps.atomic import atomic_write_json

    shots, max_errors, gap = params["shots"], params["max_errors"], params.get("gap")
    if interrupted:
        status = "interrupted"
    elif max_errors is not None and stats.errors >= max_errors:
        status = "error budget reached"
    else:
        status = "complete"
    info = {"status": status, "shots_requested": shots, **run}
    prev = plan["previous"]
    if prev is not None:
        info["resumed"] = True
        if prev.get("shots") != shots or prev.get("max_errors") != max_errors:
            info["extended_from"] = {"shots": prev.get("shots"),
                                     "max_errors": prev.get("max_errors")}
    summary = stats.to_dict()
    atomic_write_json(out / "stats.json", {**summary, "run": info}, overwrite=True)
    if gap:
        stats = stats.with_gap_threshold(gap)
        summary = {**stats.to_dict(), "gap_threshold_db": gap}
    noisy = plan["noisy"]
    report = {"parameters": params, "run": info, "versions": versions(),
              "circuit": {"qubits": noisy.num_qubits, "detectors": noisy.num_detectors,
                          "measurements": noisy.num_measurements,
                          "measurement_layers": stats.measurement_layers},
              "noise_model": plan["model"].__dict__, "stats": summary,
              "reference": "GSJ 2024 (stats.csv, inject[unitary]+cultivate, uniform): d=3 "
                           "p=1e-3 discard 0.3132, error/kept 3.42e-7; d=5 p=1e-3 discard "
                           "0.8560, error/kept 3.5e-10"}
    atomic_write_json(out / "report.json", report, overwrite=True)
    if stats.shots and not interrupted:  # the plot waits for the resumed run: stop fast
        from .export import plot_error_vs_discard

        label = f"{params['protocol']} {params['stage']} d={params['d']} {params['noise']} " \
                f"p={params['p']:g}"
        plot_error_vs_discard([(label, stats)], out / "error_vs_discard.png", force=True)
    low, high = stats.confidence_interval()
    cut = f" (gap >= {gap:g} dB)" if gap else ""
    ext = ""
    if "extended_from" in info:
        ext = f" (extended from {info['extended_from']['shots']} shots"
        if info["extended_from"]["max_errors"] != max_errors:
            ext += f", max errors {info['extended_from']['max_errors']}"
        ext += ")"
    typer.echo(f"{stats.shots} shots{cut}{ext}, {status}, discard rate "
               f"{stats.discard_rate:.4f}, {stats.errors} errors in {stats.kept} kept "
               f"(rate {stats.logical_error_rate:.3g}, 95% CI [{low:.3g}, {high:.3g}]), "
               f"{stats.expected_qubit_rounds:.1f} qubit-rounds per kept state -> {out}/")
