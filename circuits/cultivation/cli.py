"""``tnqc cultivate``: build, check, export and sample a cultivation circuit.

Writes into ``--out``: ``circuit.stim`` (noisy) and ``circuit_noiseless.stim``,
``circuit.dem``, ``circuit.qasm`` (OpenQASM 3 by stim), for the d = 3 stages also
``circuit_t.qpy`` / ``circuit_t.qasm`` (qiskit, real T gates), ``stats.json``,
``report.json`` (parameters, seed, versions, statistics, cost) and
``error_vs_discard.png``.  ``checkpoint.json`` is written after every chunk of shots;
``--resume`` continues a killed run and gives the same counts as an uninterrupted one.

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
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["cultivate_cmd"]

STAGES = ("injection", "cultivation", "escape")


def cultivate_cmd(
    out: Annotated[Path, typer.Option(help="Output folder.")],
    d: Annotated[int, typer.Option("--d", help="Cultivation distance: 3 or 5.")] = 3,
    p: Annotated[float, typer.Option("--p", help="Noise strength, in [0, 0.5).")] = 1e-3,
    shots: Annotated[int, typer.Option(help="Shots to sample (>= 1).")] = 1_000_000,
    noise: Annotated[str, typer.Option(help="Noise model: uniform or si1000.")] = "uniform",
    stage: Annotated[str, typer.Option(
        help="injection, cultivation, or escape (cultivation + escape into a d2 surface code)."
    )] = "cultivation",
    protocol: Annotated[str, typer.Option(
        help="gsj (Gidney-Shutty-Jones colour code) or rp2 (RP^2 code)."
    )] = "gsj",
    d2: Annotated[int | None, typer.Option(help="Escape: surface-code distance (>= 2d).")]
    = None,
    r1: Annotated[int | None, typer.Option(
        help="Escape: hybrid-code rounds (gsj) or decoded surface-code rounds (rp2); default d."
    )]
    = None,
    r2: Annotated[int, typer.Option(help="Escape: matchable-code rounds.")] = 5,
    gap: Annotated[float, typer.Option(help="Escape: discard shots with a gap below this (dB).")]
    = 0.0,
    seed: Annotated[int, typer.Option(help="Seed of the sampler.")] = 0,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    max_errors: Annotated[int | None, typer.Option(help="Stop after this many errors.")] = None,
    force: Annotated[bool, typer.Option(help="Overwrite files in a non-empty --out.")] = False,
    resume: Annotated[bool, typer.Option(help="Continue from --out/checkpoint.json.")] = False,
) -> None:
    """Sample magic-state cultivation with post-selection (GSJ 2024)."""
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from circuits.cli_common import err_console as _err
    from circuits.cli_common import fail as _fail
    from mps._versions import versions
    from mps.atomic import atomic_write, atomic_write_json, atomic_write_text

    from . import (
        GapDecoder,
        cultivation_circuit,
        end_to_end_circuit,
        injection_circuit,
        noise_model,
        rp2_cultivation_circuit,
        rp2_end_to_end_circuit,
        sample,
    )
    from .export import plot_error_vs_discard, to_qasm3, to_qiskit, write_dem, write_stim
    from .verify import check_deterministic

    params = {"stage": stage, "protocol": protocol, "d": d, "p": p, "noise": noise,
              "shots": shots, "seed": seed, "max_errors": max_errors}
    if stage == "escape":
        params.update(d2=d2, r1=r1, r2=r2, gap=gap)
    try:
        if stage not in STAGES:
            raise ValueError(f"--stage must be one of {STAGES}, got {stage!r}")
        if protocol not in ("gsj", "rp2"):
            raise ValueError(f"--protocol must be gsj or rp2, got {protocol!r}")
        if protocol == "rp2" and stage == "injection":
            raise ValueError("--protocol rp2 offers --stage cultivation or escape")
        if stage == "injection" and d != 3:
            raise ValueError(f"--d must be 3 for the injection stage, got {d}")
        model = noise_model(noise, p)
        if isinstance(shots, bool) or shots < 1:
            raise ValueError(f"--shots must be >= 1, got {shots}")
        if workers < 1:
            raise ValueError(f"--workers must be >= 1, got {workers}")
        if stage == "injection":
            noiseless = injection_circuit()
        elif stage == "cultivation" and protocol == "rp2":
            noiseless = rp2_cultivation_circuit(d)
        elif stage == "cultivation":
            noiseless = cultivation_circuit(d)
        elif protocol == "rp2":
            noiseless = rp2_end_to_end_circuit(d, d2, rounds=r1)
        else:
            noiseless = end_to_end_circuit(d, d2, r1=r1, r2=r2)
        check_deterministic(noiseless)
        noisy = model.apply(noiseless)
        decoder = GapDecoder(noisy) if stage == "escape" else None
        state = None
        ckpt = out / "checkpoint.json"
        if resume:
            job = out / "job.json"
            if not ckpt.is_file() or not job.is_file():
                raise ValueError(f"cannot resume: {out} has no checkpoint.json and job.json")
            if json.loads(job.read_text()) != params:
                raise ValueError(f"cannot resume: the options differ from {job}")
            state = json.loads(ckpt.read_text())
        else:
            if out.exists() and not out.is_dir():
                raise ValueError(f"output folder {out} exists and is not a folder")
            if out.is_dir() and any(out.iterdir()) and not force:
                raise ValueError(f"output folder {out} is not empty; pass --force to overwrite")
            out.mkdir(parents=True, exist_ok=True)
            atomic_write_json(out / "job.json", params, overwrite=True)
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
    except (ValueError, TypeError, OSError) as exc:
        _fail(str(exc))

    with Progress(TextColumn(f"[bold]cultivate[/] {protocol} {stage} d={d} p={p:g}"),
                  BarColumn(),
                  TextColumn("{task.fields[info]}"), TimeElapsedColumn(),
                  TimeRemainingColumn(), console=_err) as bar:
        task = bar.add_task("sample", total=shots, info="")

        def progress(done: int, total: int, discards: int, errors: int) -> None:
            bar.update(task, completed=done,
                       info=f"discard {discards / max(done, 1):.3f}, errors {errors}")

        def checkpoint(st: dict) -> None:
            atomic_write_json(ckpt, st, overwrite=True)

        try:
            stats = sample(noisy, shots, seed=seed, max_errors=max_errors, num_workers=workers,
                           decoder=decoder, progress=progress, checkpoint=checkpoint,
                           resume=state)
        except ValueError as exc:
            _fail(str(exc))
    summary = stats.to_dict()
    atomic_write_json(out / "stats.json", summary, overwrite=True)
    if stage == "escape" and gap > 0:
        stats = stats.with_gap_threshold(gap)
        summary = {**stats.to_dict(), "gap_threshold_db": gap}
    report = {"parameters": params, "versions": versions(),
              "circuit": {"qubits": noisy.num_qubits, "detectors": noisy.num_detectors,
                          "measurements": noisy.num_measurements,
                          "measurement_layers": stats.measurement_layers},
              "noise_model": model.__dict__, "stats": summary,
              "reference": "GSJ 2024 (stats.csv, inject[unitary]+cultivate, uniform): d=3 "
                           "p=1e-3 discard 0.3132, error/kept 3.42e-7; d=5 p=1e-3 discard "
                           "0.8560, error/kept 3.5e-10"}
    atomic_write_json(out / "report.json", report, overwrite=True)
    plot_error_vs_discard([(f"{protocol} {stage} d={d} {noise} p={p:g}", stats)],
                          out / "error_vs_discard.png", force=True)
    low, high = stats.confidence_interval()
    label = f" (gap >= {gap:g} dB)" if stage == "escape" and gap > 0 else ""
    typer.echo(f"{stats.shots} shots{label}, discard rate {stats.discard_rate:.4f}, "
               f"{stats.errors} errors in {stats.kept} kept "
               f"(rate {stats.logical_error_rate:.3g}, 95% CI [{low:.3g}, {high:.3g}]), "
               f"{stats.expected_qubit_rounds:.1f} qubit-rounds per kept state -> {out}/")
