"""The ``tnqc`` command line (typer, rich progress bars).

Commands:

* ``tnqc evolve``: TEBD time evolution of a spin chain; writes ``state.npz``,
  ``observables.npz`` (``<Z_i>(t)``, entropies), ``report.json`` and plots;
* ``tnqc compile``: TEBD target + AQC compile (see :mod:`circuits.jobs`),
  checkpoints, ``--resume`` (also to extend ``--maxiter``), ``--isa BACKEND``;
* ``tnqc run JOB.toml``: the same from a job file;
* ``tnqc sweep SWEEP.toml``: a grid of jobs on processes or Dask (:mod:`circuits.sweep`);
* ``tnqc export``: OpenQASM 2/3 and ISA circuits from a ``circuit.qpy``;
* ``tnqc qsp recover``: recovery QSP against coherent rotation errors (:mod:`circuits.qsp`);
* ``tnqc ground``: a DMRG ground state saved as a compile target (:mod:`circuits.ground_cli`);
* ``tnqc cultivate``: magic-state cultivation circuits, sampled with post-selection
  (:mod:`circuits.cultivation`);
* ``tnqc pulse``: minimal-evolution-time pulses for silicon spin qubits
  (:mod:`circuits.pulse`);
* ``tnqc inject``: magic-state injection on heavy-hex IBM backends and memory thresholds
  (:mod:`circuits.injection`).

Conventions: Pauli operators, ``hbar = 1``, site ``i`` = qubit ``i``,
entropies in natural log (see the README).  Errors in the arguments print one
line and exit with code 2, before anything is written; files are written atomically
and an existing, non-empty output folder is refused unless ``--force`` is given (which
removes the files of the earlier run).  Ctrl-C exits with code 130 and says how to resume.

Start-up stays light (``tnqc --help`` in well under a second): this module imports
only typer and :mod:`circuits.cli_common` at its top; numpy, jax, qiskit, stim,
matplotlib and the tnqc packages are imported inside the command functions.

Example
-------
``tnqc compile --model heisenberg --n 100 --t 1 --layers 4 --j 0.25 --out runs/demo``

>>> from typer.testing import CliRunner
>>> from circuits.cli import app
>>> CliRunner().invoke(app, ["--help"]).exit_code
0
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .cli_common import INTERRUPTED, fail, light_module, os_error_text, rerun_command

__all__ = ["app", "main"]

# Plain (click-style) help: typer's rich help imports rich.markdown and markdown_it,
# which doubles the start-up time of ``tnqc <cmd> --help``; plain help also shows the
# choices of an option (<process|serial|dask>) and no <bool> for flags.
app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="tnqc: tensor-network time evolution and approximate quantum compiling.",
)


class Model(StrEnum):
    """Spin chains offered by ``--model``."""

    heisenberg = "heisenberg"
    xxz = "xxz"
    ising = "ising"


class Block(StrEnum):
    """Two-qubit block types offered by ``--block``."""

    su4 = "su4"
    xxz = "xxz"
    u1 = "u1"


class Optimizer(StrEnum):
    """Optimisers offered by ``--optimizer``."""

    lbfgs = "lbfgs"
    adam = "adam"
    optax_lbfgs = "optax-lbfgs"


class Objective(StrEnum):
    """Cost functions offered by ``--objective``."""

    log = "log"
    infidelity = "infidelity"


class Executor(StrEnum):
    """Where ``tnqc sweep`` runs its jobs (``--executor``)."""

    process = "process"
    serial = "serial"
    dask = "dask"


def cli_name(section: str, key: str) -> str:
    """How ``tnqc compile`` names a job field: ``--max-bond``, ``--model``."""
    return "--model" if (section, key) == ("model", "name") else "--" + key.replace("_", "-")


def _version_callback(value: bool) -> None:
    if value:
        from mps._versions import versions

        typer.echo(f"tnqc {versions()['tnqc']}")
        raise typer.Exit()


def _help_callback(ctx: typer.Context, value: bool) -> None:
    if value:
        typer.echo(ctx.get_help())
        raise typer.Exit()


# The groups' own --help with a bool default: typer coerces its built-in help option's
# unset value (None) through a pydantic TypeAdapter on every ``tnqc <cmd> ...``, and that
# import doubles the start-up time of ``tnqc <cmd> --help`` (bench_cli_startup.py).
HelpFlag = Annotated[bool, typer.Option("--help", callback=_help_callback, is_eager=True,
                                        expose_value=False, help="Show this message and exit.")]


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version_callback, is_eager=True,
                     help="Print the version and exit."),
    ] = False,
    _help: HelpFlag = False,
) -> None:
    """tnqc: tensor-network time evolution and approximate quantum compiling."""


@app.command("evolve")
def evolve_cmd(
    n: Annotated[int, typer.Option(help="Number of qubits (2 .. 100000).")] = 100,
    t: Annotated[float, typer.Option(help="Final time (units of 1/J, hbar = 1).")] = 2.0,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("runs/evolve"),
    model: Annotated[Model, typer.Option(help="Spin chain (Pauli convention).")] = Model.heisenberg,
    j: Annotated[float, typer.Option(help="Coupling J (XX+YY for xxz, ZZ for ising).")] = 1.0,
    jz: Annotated[float | None, typer.Option(
        help="ZZ coupling (heisenberg: default J; xxz: default 1).")] = None,
    hx: Annotated[float, typer.Option(help="Uniform X field (heisenberg, ising).")] = 0.0,
    hz: Annotated[float, typer.Option(help="Uniform Z field (heisenberg, xxz).")] = 0.0,
    dt: Annotated[float, typer.Option(help="Trotter step.")] = 0.05,
    order: Annotated[int, typer.Option(help="Trotter order: 1, 2 or 4.")] = 2,
    max_bond: Annotated[int, typer.Option(help="Bond-dimension cap (1 .. 8192).")] = 64,
    cutoff: Annotated[float, typer.Option(help="Discarded weight per SVD.")] = 1e-10,
    initial: Annotated[str, typer.Option(help="neel, zeros or a bitstring (site order).")] = "neel",
    record_every: Annotated[int, typer.Option(help="Record observables every k steps (>= 1).")]
    = 5,
    threads: Annotated[int | None, typer.Option(help="Worker threads, 1 .. 256 (default: CPUs)."
                                                )] = None,
    force: Annotated[bool, typer.Option(help="Replace the files of an earlier run in --out.")]
    = False,
    plots: Annotated[bool, typer.Option(help="Write PNG plots.")] = True,
) -> None:
    """Evolve a product state under a spin chain by TEBD and write the results."""
    from .evolve_cmd import run_evolve

    run_evolve(dict(n=n, t=t, out=out, model=model.value, j=j, jz=jz, hx=hx, hz=hz, dt=dt,
                    order=order, max_bond=max_bond, cutoff=cutoff, initial=initial,
                    record_every=record_every, threads=threads, force=force, plots=plots))


def _run_job(spec, force: bool, resume: bool) -> None:
    """Run a compile job with progress bars; print a one-line summary."""
    from .cli_common import err_console
    from .jobs import JobError, JobInterrupted, run_compile_job

    try:
        with _progress() as progress:
            tgt = progress.add_task("target", total=None, n=spec.model.n, info="",
                                    what="TEBD" if spec.target.file is None else "target")
            grow = spec.target.file is not None and spec.optimize.init in ("auto", "grow")
            stages = spec.circuit.layers if grow else spec.optimize.schedule
            opt = progress.add_task("compile", total=spec.optimize.maxiter * stages,
                                    n=spec.model.n, what="AQC", info="")

            def on_step(info) -> None:
                progress.update(tgt, total=info.nsteps, completed=info.step,
                                info=f"t={info.t:.3f} chi={info.max_bond}")

            def on_iter(info) -> None:
                done = info.stage * spec.optimize.maxiter + info.iteration
                progress.update(opt, completed=done, info=f"F={info.fidelity:.6f}")

            report = run_compile_job(spec, force=force, resume=resume,
                                     on_target_step=on_step, on_iteration=on_iter)
    except JobError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"writing the run: {os_error_text(exc)}")
    except JobInterrupted as exc:
        saved = (f"checkpoint {exc.checkpoint}" if exc.checkpoint is not None else
                 f"no checkpoint yet; {exc.out} keeps the job and any finished target")
        err_console.print(f"interrupted {exc.where}: {saved}. Continue with:\n  "
                          f"{rerun_command('--resume')}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=INTERRUPTED) from None
    best = max((r for r in report["trotter_baseline"]
                if r["two_qubit_depth"] <= report["two_qubit_depth"]),
               key=lambda r: r["fidelity"], default=None)
    trot = (f"best Trotter at depth <= {report['two_qubit_depth']}: F = {best['fidelity']:.6f}"
            if best else f"no Trotter circuit as shallow as depth {report['two_qubit_depth']}")
    if not report["trotter_baseline"]:
        trot = f"target: {report['target'].get('kind', report['target']['source'])}"
    ext = report.get("extended")
    note = (f"; extended from maxiter {ext['maxiter_recorded']} to {ext['maxiter']}"
            if ext else "")
    typer.echo(
        f"done in {report['timings']['total_s']:.1f} s: F = {report['fidelity']:.6f} "
        f"(start {report['init_fidelity']:.3e}) at CX depth {report['two_qubit_depth']}, "
        f"{report['cx_count']} CX; {trot}{note} -> {spec.output.out}/"
    )


@app.command("compile")
def compile_cmd(
    n: Annotated[int | None, typer.Option(help="Number of qubits (2 .. 100000; default 100).")]
    = None,
    t: Annotated[float, typer.Option(help="Evolution time of the target (1/J, hbar = 1).")] = 1.0,
    layers: Annotated[int, typer.Option(help="Brickwork layers L of the circuit (1 .. 1000).")]
    = 4,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("runs/compile"),
    model: Annotated[Model, typer.Option(help="Spin chain (Pauli convention).")] = Model.heisenberg,
    j: Annotated[float, typer.Option(help="Coupling J in Pauli units (0.25 = S.S).")] = 1.0,
    jz: Annotated[float | None, typer.Option(help="ZZ coupling (heisenberg, xxz).")] = None,
    hx: Annotated[float, typer.Option(help="Uniform X field (heisenberg, ising).")] = 0.0,
    hz: Annotated[float, typer.Option(help="Uniform Z field (heisenberg, xxz).")] = 0.0,
    initial: Annotated[str, typer.Option(help="neel, zeros or a bitstring (site order).")] = "neel",
    block: Annotated[Block, typer.Option(help="Two-qubit block type.")] = Block.su4,
    dt: Annotated[float, typer.Option(help="TEBD step of the target.")] = 0.025,
    max_bond: Annotated[int, typer.Option(help="Bond-dimension cap of the target (1 .. 8192).")]
    = 128,
    cutoff: Annotated[float, typer.Option(help="Discarded weight per SVD (target).")] = 1e-12,
    maxiter: Annotated[int, typer.Option(
        help="Optimiser iterations per stage; a larger value with --resume extends a run.")]
    = 300,
    optimizer: Annotated[Optimizer, typer.Option(help="Optimiser.")] = Optimizer.lbfgs,
    objective: Annotated[Objective, typer.Option(help="Cost: -log(F)/n or 1 - F.")]
    = Objective.log,
    schedule: Annotated[int, typer.Option(help="Time stages of the compile (1 .. 1000).")] = 1,
    checkpoint_every: Annotated[int, typer.Option(help="Checkpoint every k iterations.")] = 10,
    trotter_steps: Annotated[int, typer.Option(help="Trotter baselines: 1..k steps (<= 1000).")]
    = 6,
    isa: Annotated[str | None, typer.Option(help="Also transpile for this IBM backend.")] = None,
    seed: Annotated[int, typer.Option(help="Seed (recorded; used by random inits).")] = 0,
    force: Annotated[bool, typer.Option(help="Replace the files of an earlier run in --out.")]
    = False,
    resume: Annotated[bool, typer.Option(
        help="Continue the run in --out from its checkpoint (or extend it).")] = False,
    plots: Annotated[bool, typer.Option(help="Write PNG plots.")] = True,
    extend_to: Annotated[float | None, typer.Option(
        help="Then append Trotter steps from --t to this time (> --t).")] = None,
    extend_steps: Annotated[int, typer.Option(help="2nd-order Trotter steps of --extend-to.")] = 4,
    target: Annotated[Path | None, typer.Option(
        help="Compile this saved tnqc MPS (.npz, e.g. from tnqc ground) instead of TEBD.")] = None,
    init: Annotated[str, typer.Option(
        help="Start: auto (trotter, or grow without a Hamiltonian), trotter, grow, product, "
             "random, zeros.")] = "auto",
) -> None:
    """Compile the time-evolved state of a spin chain (or a saved MPS) into a brickwork circuit."""
    from .jobs import JobError, JobSpec

    if force and resume:
        fail("--force and --resume exclude each other: --force discards the run --resume "
             "continues")

    from .extend_job import check_extend_options, run_extend, summary_line

    try:
        check_extend_options(t, extend_to, extend_steps)
    except ValueError as exc:
        fail(str(exc))
    data = {
        "model": {"name": model.value, **({"n": n} if n is not None else {}), "j": j, "jz": jz,
                  "hx": hx, "hz": hz},
        "target": {"t": t, "dt": dt, "order": 4, "max_bond": max_bond, "cutoff": cutoff,
                   "initial": initial, "file": None if target is None else str(target)},
        "circuit": {"layers": layers, "block": block.value},
        "optimize": {"optimizer": optimizer.value, "objective": objective.value,
                     "maxiter": maxiter, "schedule": schedule, "seed": seed,
                     "checkpoint_every": checkpoint_every, "init": init},
        "output": {"out": str(out), "plots": plots, "trotter_steps": trotter_steps, "isa": isa},
    }
    try:
        spec = JobSpec.from_mapping(data, source=None, names=cli_name)
    except JobError as exc:
        fail(str(exc))
    _run_job(spec, force, resume)
    if extend_to is not None:
        try:
            typer.echo(summary_line(run_extend(spec, extend_to, extend_steps)))
        except JobError as exc:
            fail(str(exc))


@app.command("run")
def run_cmd(
    job: Annotated[Path, typer.Argument(help="Job file (TOML), see circuits/jobs.py.")],
    out: Annotated[Path | None, typer.Option(help="Output folder; overrides [output] out.")]
    = None,
    force: Annotated[bool, typer.Option(help="Replace the files of an earlier run.")] = False,
    resume: Annotated[bool, typer.Option(
        help="Continue the run from its checkpoint; a larger [optimize] maxiter extends it.")]
    = False,
) -> None:
    """Run a compile job described by a TOML file."""
    from .jobs import JobError, JobSpec

    if force and resume:
        fail("--force and --resume exclude each other: --force discards the run --resume "
             "continues")
    try:
        spec = JobSpec.from_toml(job)
        if out is not None:
            spec = spec.replace("output", out=str(out))
    except JobError as exc:
        fail(str(exc))
    _run_job(spec, force, resume)


@app.command("export")
def export_cmd(
    source: Annotated[Path, typer.Argument(help="circuit.qpy, or a compile output folder.")],
    out: Annotated[Path | None, typer.Option(help="Output folder (default: next to it).")] = None,
    qasm2: Annotated[bool, typer.Option(help="Write circuit.qasm2 (OpenQASM 2).")] = True,
    qasm3: Annotated[bool, typer.Option(help="Write circuit.qasm3 (OpenQASM 3).")] = True,
    isa: Annotated[str | None, typer.Option(help="Transpile for this IBM backend.")] = None,
    seed: Annotated[int | None, typer.Option(help="Transpiler seed (with --isa; default 0).")]
    = None,
    force: Annotated[bool, typer.Option(help="Overwrite existing files.")] = False,
) -> None:
    """Export a compiled circuit to OpenQASM 2/3 and, optionally, an ISA circuit for hardware."""
    from .export_cmd import run_export

    run_export(source, out, qasm2, qasm3, isa, seed, force)


@app.command("sweep")
def sweep_cmd(
    sweep: Annotated[Path, typer.Argument(help="Sweep file (TOML), see circuits/sweep.py.")],
    executor: Annotated[Executor, typer.Option(help="Where the jobs run.")] = Executor.process,
    scheduler: Annotated[str | None, typer.Option(
        help="Dask scheduler address, e.g. tcp://host:8786 (with --executor dask).")] = None,
    workers: Annotated[int | None, typer.Option(
        help="Local worker processes; overrides [sweep] workers.")] = None,
    force: Annotated[bool, typer.Option(help="Replace the files of an earlier sweep.")] = False,
    resume: Annotated[bool, typer.Option(
        help="Continue an interrupted sweep: skip the finished jobs.")] = False,
) -> None:
    """Run a grid of compile jobs (local processes or a Dask cluster) and gather a table."""
    from .cli_common import err_console
    from .jobs import JobError
    from .sweep import SweepInterrupted, SweepSpec, run_sweep

    if force and resume:
        fail("--force and --resume exclude each other: --force discards the sweep --resume "
             "continues")
    if executor is Executor.dask and not scheduler:
        fail("--executor dask needs --scheduler ADDRESS (e.g. tcp://host:8786)")
    if scheduler and executor is not Executor.dask:
        fail(f"--scheduler only applies to --executor dask, not {executor.value}")
    try:
        spec = SweepSpec.from_toml(sweep)
        if workers is not None:
            if executor is not Executor.process:
                fail(f"--workers only applies to --executor process, not {executor.value}")
            if not 1 <= workers <= 1024:
                raise JobError(f"--workers must be in 1..1024, got {workers}")
            spec = SweepSpec(spec.base, spec.grid, spec.out, workers)
        total = len(list(spec.jobs()))
        with _progress() as progress:
            task = progress.add_task("sweep", total=total, n="-", what="sweep", info="")

            def on_result(row) -> None:
                progress.update(task, advance=1,
                                info=f"job {row['job']}: n={row['n']} L={row['layers']} "
                                     f"F={row['fidelity']:.4f}")

            rows = run_sweep(spec, executor=executor.value, scheduler=scheduler, force=force,
                             resume=resume, on_result=on_result)
    except JobError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"writing the sweep: {os_error_text(exc)}")
    except SweepInterrupted as exc:
        err_console.print(f"interrupted: {exc.done} of {exc.total} jobs done, gathered in "
                          f"{exc.out}/results.csv. Continue with:\n  "
                          f"{rerun_command('--resume')}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=INTERRUPTED) from None
    typer.echo(f"{len(rows)} jobs done -> {spec.out}/results.csv, results.json, results.png")


def _progress():
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from .cli_common import err_console

    return Progress(
        TextColumn("[bold]{task.fields[what]}[/] n={task.fields[n]}"),
        BarColumn(),
        TextColumn("{task.fields[info]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=False,
    )


# ---------------------------------------------------------------- more sub-commands
# How to register a command (keep tnqc start-up light, well under a second):
#   1. put it in its own module, e.g. circuits/ground/cli.py, defining ``ground_cmd``;
#   2. at the top of that module import only typer, rich, the standard library and
#      circuits.cli_common; import numpy, jax, qiskit, stim, quimb, matplotlib and the
#      package's own heavy modules *inside the function body*;
#   3. register it here with one line (``light_module`` loads the module without running
#      its package's __init__, which may import jax or stim):
#        app.command("ground")(light_module("circuits.ground.cli").ground_cmd)
#   tests/test_reliability.py checks that ``import circuits.cli`` pulls in no jax, qiskit
#   or stim, and benchmarks/bench_cli_startup.py measures ``tnqc <cmd> --help``.
qsp_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                      help="Quantum signal processing with error recovery.")
app.add_typer(qsp_app, name="qsp")


@qsp_app.callback()
def _qsp_root(_help: HelpFlag = False) -> None:
    """Quantum signal processing with error recovery."""


qsp_app.command("recover")(light_module("circuits.qsp.cli").qsp_recover_cmd)
app.command("cultivate")(light_module("circuits.cultivation.cli").cultivate_cmd)
app.command("pulse")(light_module("circuits.pulse.cli").pulse_cmd)
app.command("ground")(light_module("circuits.ground_cli").ground_cmd)
app.command("inject")(light_module("circuits.injection.cli").inject_cmd)
app.command("compile-unitary")(light_module("circuits.unitary_cli").compile_unitary_cmd)


def main() -> None:
    """Entry point of the ``tnqc`` console script.

    ``kill -USR1 PID`` makes a running ``tnqc`` print every thread's Python stack to stderr
    and carry on (where is a long job, or a stuck one?).
    """
    import faulthandler
    import signal

    if hasattr(signal, "SIGUSR1"):
        faulthandler.register(signal.SIGUSR1, all_threads=True)
    app()


if __name__ == "__main__":
    main()
