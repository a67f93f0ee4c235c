"""The ``tnqc`` command line (typer, rich progress bars).

Commands:

* ``tnqc evolve``: TEBD time evolution of a spin chain; writes ``state.npz``,
  ``observables.npz`` (``<Z_i>(t)``, entropies), ``report.json`` and plots;
* ``tnqc compile``: TEBD target + AQC compile (see :mod:`circuits.jobs`),
  checkpoints and ``--resume``, ``--isa BACKEND``;
* ``tnqc run JOB.toml``: the same from a job file;
* ``tnqc sweep SWEEP.toml``: a grid of jobs on processes or Dask (:mod:`circuits.sweep`);
* ``tnqc export``: OpenQASM 2/3 and ISA circuits from a ``circuit.qpy``;
* ``tnqc qsp recover``: recovery QSP against coherent rotation errors (:mod:`circuits.qsp`);
* ``tnqc cultivate``: magic-state cultivation circuits, sampled with post-selection
  (:mod:`circuits.cultivation`);
* ``tnqc pulse``: minimal-evolution-time pulses for silicon spin qubits
  (:mod:`circuits.pulse`);
* ``tnqc compile-unitary``: unitary AQC of ``exp(-i H tau)``, repeated
  (:mod:`circuits.unitary_cli`).

Conventions: Pauli operators, ``hbar = 1``, site ``i`` = qubit ``i``,
entropies in natural log (see the README).  Errors in the arguments print one
line and exit with code 2; files are written atomically and an existing,
non-empty output folder is refused unless ``--force`` is given.

Example
-------
``tnqc compile --model heisenberg --n 100 --t 1 --layers 4 --j 0.25 --out runs/demo``
"""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from mps import StepInfo, TEBDConfig, evolve
from mps._validate import check_real
from mps._versions import versions
from mps.atomic import atomic_write, atomic_write_json

from .cli_common import err_console, fail
from .cultivation.cli import cultivate_cmd
from .jobs import (
    JobError,
    JobSpec,
    ModelSpec,
    _save_png,
    build_chain,
    initial_state,
    prepare_output_dir,
    run_compile_job,
)
from .pulse.cli import pulse_cmd
from .qsp.cli import qsp_recover_cmd
from .unitary_cli import compile_unitary_cmd

__all__ = ["app", "main"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="tnqc: tensor-network time evolution and approximate quantum compiling.",
)


class Model(StrEnum):
    heisenberg = "heisenberg"
    xxz = "xxz"
    ising = "ising"


def _plots(out: Path, times: np.ndarray, z: np.ndarray, ent: np.ndarray, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    n = z.shape[1]
    im = ax.pcolormesh(times, np.arange(n), z.T, shading="nearest", cmap="RdBu_r",
                       vmin=-1, vmax=1)
    fig.colorbar(im, ax=ax, label=r"$\langle Z_i \rangle$")
    ax.set_xlabel("time t (1/J)")
    ax.set_ylabel("site i")
    ax.set_title(title)
    _save_png(fig, out / "z.png")
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4))
    for k in np.unique(np.linspace(0, len(times) - 1, min(len(times), 6)).astype(int)):
        ax.plot(np.arange(1, n), ent[k], marker=".", label=f"t = {times[k]:.3g}")
    ax.set_xlabel("bond b (cut between sites b-1 and b)")
    ax.set_ylabel("entanglement entropy S (nats)")
    ax.legend()
    ax.set_title(title)
    _save_png(fig, out / "entropy.png")
    plt.close(fig)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"tnqc {versions()['tnqc']}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version_callback, is_eager=True,
                     help="Print the version and exit."),
    ] = False,
) -> None:
    """tnqc: tensor-network time evolution and approximate quantum compiling."""


@app.command("evolve")
def evolve_cmd(
    n: Annotated[int, typer.Option(help="Number of qubits (>= 2).")] = 100,
    t: Annotated[float, typer.Option(help="Final time (units of 1/J, hbar = 1).")] = 2.0,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("runs/evolve"),
    model: Annotated[Model, typer.Option(help="Spin chain (Pauli convention).")] = Model.heisenberg,
    j: Annotated[float, typer.Option(help="Coupling J (XX+YY for xxz, ZZ for ising).")] = 1.0,
    jz: Annotated[float | None, typer.Option(help="ZZ coupling (xxz; default 1).")] = None,
    hx: Annotated[float, typer.Option(help="Uniform X field.")] = 0.0,
    hz: Annotated[float, typer.Option(help="Uniform Z field.")] = 0.0,
    dt: Annotated[float, typer.Option(help="Trotter step.")] = 0.05,
    order: Annotated[int, typer.Option(help="Trotter order: 1, 2 or 4.")] = 2,
    max_bond: Annotated[int, typer.Option(help="Bond-dimension cap.")] = 64,
    cutoff: Annotated[float, typer.Option(help="Discarded weight per SVD.")] = 1e-10,
    initial: Annotated[str, typer.Option(help="neel, zeros or a bitstring (site order).")] = "neel",
    record_every: Annotated[int, typer.Option(help="Record observables every k steps.")] = 5,
    threads: Annotated[int | None, typer.Option(help="Worker threads (default: CPUs).")] = None,
    force: Annotated[bool, typer.Option(help="Overwrite files in a non-empty --out.")] = False,
    plots: Annotated[bool, typer.Option(help="Write PNG plots.")] = True,
) -> None:
    """Evolve a product state under a spin chain by TEBD and write the results."""
    try:
        chain = build_chain(ModelSpec(model.value, n, j, jz, hx, hz))
        psi0 = initial_state(initial, n)
        TEBDConfig(dt=dt, order=order, max_bond=max_bond, cutoff=cutoff)  # validate first
        check_real(t, "t", minimum=0.0)
        out = prepare_output_dir(out, force)
        obs = {
            "z": lambda s: s.expect_z(),
            "entropy": lambda s: s.entanglement_entropy(),
            "max_bond": lambda s: s.max_bond(),
        }
        start = time.perf_counter()
        with Progress(
            TextColumn("[bold]evolve[/] n={task.fields[n]}"),
            BarColumn(),
            TextColumn("t={task.fields[t]:.3f} chi={task.fields[chi]}"),
            TextColumn("trunc={task.fields[err]:.1e}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=err_console,
            transient=False,
        ) as progress:
            task = progress.add_task("evolve", total=None, n=n, t=0.0, chi=1, err=0.0)

            def on_step(info: StepInfo) -> None:
                progress.update(task, total=info.nsteps, completed=info.step, t=info.t,
                                chi=info.max_bond, err=info.truncation_error)

            res = evolve(chain, psi0, t, dt, order=order, max_bond=max_bond, cutoff=cutoff,
                         observables=obs, record_every=record_every, callback=on_step,
                         threads=threads)
        wall = time.perf_counter() - start
    except (JobError, ValueError, TypeError) as exc:
        fail(str(exc))

    state = res.state
    res.state.save(out / "state.npz", overwrite=True)

    def write_obs(fh) -> None:
        np.savez(fh, times=res.times, z=res.observables["z"],
                 entropy=res.observables["entropy"], max_bond=res.observables["max_bond"])

    atomic_write(out / "observables.npz", write_obs, overwrite=True)
    mid = n // 2
    report = {
        "command": "evolve",
        "n": n,
        "model": chain.to_dict(),
        "initial": initial,
        "t": t,
        "dt": dt,
        "dt_used": res.dt,
        "steps": res.steps,
        "order": order,
        "max_bond": max_bond,
        "cutoff": cutoff,
        "results": {
            "truncation_error": res.truncation_error,
            "max_bond_reached": state.max_bond(),
            "z_mid": float(state.expect("Z", mid)),
            "half_chain_entropy": float(state.entanglement_entropy(mid - 1)),
            "z": state.expect_z().tolist(),
        },
        "timings": {"evolve_s": res.wall_time, "total_s": wall},
        "files": ["state.npz", "observables.npz", "report.json"]
        + (["z.png", "entropy.png"] if plots else []),
        "versions": versions(),
        "conventions": "Pauli operators, hbar=1, site i = qubit i, entropy in nats",
    }
    atomic_write_json(out / "report.json", report, overwrite=True)
    if plots:
        _plots(out, res.times, res.observables["z"], res.observables["entropy"],
               f"{chain.name}, n={n}, dt={res.dt:.3g}, order {order}, chi<={max_bond}")
    typer.echo(
        f"done in {wall:.1f} s: <Z_{mid}> = {report['results']['z_mid']:+.6f}, "
        f"S_half = {report['results']['half_chain_entropy']:.6f} nats, "
        f"truncation error = {res.truncation_error:.2e}, max bond {state.max_bond()} -> {out}/"
    )


class Block(StrEnum):
    su4 = "su4"
    xxz = "xxz"


def _run_job(spec: JobSpec, force: bool, resume: bool) -> None:
    """Run a compile job with progress bars; print a one-line summary."""
    try:
        with _progress() as progress:
            tgt = progress.add_task("target", total=None, n=spec.model.n, what="TEBD", info="")
            opt = progress.add_task("compile", total=spec.optimize.maxiter * spec.optimize.schedule,
                                    n=spec.model.n, what="AQC", info="")

            def on_step(info: StepInfo) -> None:
                progress.update(tgt, total=info.nsteps, completed=info.step,
                                info=f"t={info.t:.3f} chi={info.max_bond}")

            def on_iter(info) -> None:
                done = info.stage * spec.optimize.maxiter + info.iteration
                progress.update(opt, completed=done, info=f"F={info.fidelity:.6f}")

            report = run_compile_job(spec, force=force, resume=resume,
                                     on_target_step=on_step, on_iteration=on_iter)
    except JobError as exc:
        fail(str(exc))
    best = max((r for r in report["trotter_baseline"]
                if r["two_qubit_depth"] <= report["two_qubit_depth"]),
               key=lambda r: r["fidelity"], default=None)
    trot = (f"best Trotter at depth <= {report['two_qubit_depth']}: F = {best['fidelity']:.6f}"
            if best else f"no Trotter circuit as shallow as depth {report['two_qubit_depth']}")
    typer.echo(
        f"done in {report['timings']['total_s']:.1f} s: F = {report['fidelity']:.6f} "
        f"(start {report['init_fidelity']:.3e}) at CX depth {report['two_qubit_depth']}, "
        f"{report['cx_count']} CX; {trot} -> {spec.output.out}/"
    )


@app.command("compile")
def compile_cmd(
    n: Annotated[int, typer.Option(help="Number of qubits (>= 2).")] = 100,
    t: Annotated[float, typer.Option(help="Evolution time of the target (1/J, hbar = 1).")] = 1.0,
    layers: Annotated[int, typer.Option(help="Brickwork layers L of the circuit.")] = 4,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("runs/compile"),
    model: Annotated[Model, typer.Option(help="Spin chain (Pauli convention).")] = Model.heisenberg,
    j: Annotated[float, typer.Option(help="Coupling J in Pauli units (0.25 = S.S).")] = 1.0,
    jz: Annotated[float | None, typer.Option(help="ZZ coupling (xxz; default 1).")] = None,
    hx: Annotated[float, typer.Option(help="Uniform X field.")] = 0.0,
    hz: Annotated[float, typer.Option(help="Uniform Z field.")] = 0.0,
    initial: Annotated[str, typer.Option(help="neel, zeros or a bitstring (site order).")] = "neel",
    block: Annotated[Block, typer.Option(help="Two-qubit block type.")] = Block.su4,
    dt: Annotated[float, typer.Option(help="TEBD step of the target.")] = 0.025,
    max_bond: Annotated[int, typer.Option(help="Bond-dimension cap of the target.")] = 128,
    cutoff: Annotated[float, typer.Option(help="Discarded weight per SVD (target).")] = 1e-12,
    maxiter: Annotated[int, typer.Option(help="Optimiser iterations (per stage).")] = 300,
    optimizer: Annotated[str, typer.Option(help="lbfgs, adam or optax-lbfgs.")] = "lbfgs",
    objective: Annotated[str, typer.Option(help="log (default) or infidelity.")] = "log",
    schedule: Annotated[int, typer.Option(help="Time stages of the compile.")] = 1,
    checkpoint_every: Annotated[int, typer.Option(help="Checkpoint every k iterations.")] = 10,
    trotter_steps: Annotated[int, typer.Option(help="Trotter baselines: 1..k steps.")] = 6,
    isa: Annotated[str | None, typer.Option(help="Also transpile for this IBM backend.")] = None,
    seed: Annotated[int, typer.Option(help="Seed (recorded; used by random inits).")] = 0,
    force: Annotated[bool, typer.Option(help="Overwrite files in a non-empty --out.")] = False,
    resume: Annotated[bool, typer.Option(help="Continue a killed job in --out.")] = False,
    plots: Annotated[bool, typer.Option(help="Write PNG plots.")] = True,
) -> None:
    """Compile the time-evolved state of a spin chain into a brickwork circuit (AQC)."""
    data = {
        "model": {"name": model.value, "n": n, "j": j, "jz": jz, "hx": hx, "hz": hz},
        "target": {"t": t, "dt": dt, "order": 4, "max_bond": max_bond, "cutoff": cutoff,
                   "initial": initial},
        "circuit": {"layers": layers, "block": block.value},
        "optimize": {"optimizer": optimizer, "objective": objective, "maxiter": maxiter,
                     "schedule": schedule, "seed": seed, "checkpoint_every": checkpoint_every},
        "output": {"out": str(out), "plots": plots, "trotter_steps": trotter_steps, "isa": isa},
    }
    try:
        spec = JobSpec.from_mapping(data, source="arguments")
    except JobError as exc:
        fail(str(exc))
    _run_job(spec, force, resume)


@app.command("run")
def run_cmd(
    job: Annotated[Path, typer.Argument(help="Job file (TOML), see circuits/jobs.py.")],
    out: Annotated[Path | None, typer.Option(help="Override [output] out.")] = None,
    force: Annotated[bool, typer.Option(help="Overwrite files in a non-empty output.")] = False,
    resume: Annotated[bool, typer.Option(help="Continue a killed job.")] = False,
) -> None:
    """Run a compile job described by a TOML file."""
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
    seed: Annotated[int, typer.Option(help="Transpiler seed.")] = 0,
    force: Annotated[bool, typer.Option(help="Overwrite existing files.")] = False,
) -> None:
    """Export a compiled circuit to OpenQASM 2/3 and, optionally, an ISA circuit for hardware."""
    from qiskit import qpy

    from .export import resolve_backend, to_isa, to_qasm2, to_qasm3

    try:
        path = source / "circuit.qpy" if source.is_dir() else source
        if not path.is_file():
            raise JobError(f"no circuit file at {path}")
        try:
            with open(path, "rb") as fh:
                circuit = qpy.load(fh)[0]
        except Exception as exc:  # qpy raises several types for foreign files
            raise JobError(f"{path} is not a readable QPY file: {exc}") from exc
        folder = out if out is not None else path.parent
        backend = resolve_backend(isa) if isa is not None else None
        targets = [name for name, on in (("circuit.qasm2", qasm2), ("circuit.qasm3", qasm3),
                                         ("circuit_isa.qpy", isa is not None),
                                         ("isa.json", isa is not None)) if on]
        clash = [t for t in targets if (folder / t).exists()]
        if clash and not force:
            raise JobError(f"{folder}: {', '.join(clash)} exist; pass --force to overwrite")
        folder.mkdir(parents=True, exist_ok=True)
        if qasm2:
            atomic_write(folder / "circuit.qasm2",
                         lambda fh: fh.write(to_qasm2(circuit).encode()), overwrite=True)
        if qasm3:
            atomic_write(folder / "circuit.qasm3",
                         lambda fh: fh.write(to_qasm3(circuit).encode()), overwrite=True)
        if backend is not None:
            res = to_isa(circuit, backend, seed=seed)
            atomic_write(folder / "circuit_isa.qpy", lambda fh: qpy.dump(res.circuit, fh),
                         overwrite=True)
            atomic_write_json(folder / "isa.json", {
                "backend": res.backend_name, "layout": list(res.layout),
                "two_qubit_depth": res.two_qubit_depth, "gate_counts": dict(res.gate_counts),
            }, overwrite=True)
    except (JobError, ValueError, TypeError, OSError) as exc:
        fail(str(exc))
    typer.echo(f"wrote {', '.join(targets)} -> {folder}/")


@app.command("sweep")
def sweep_cmd(
    sweep: Annotated[Path, typer.Argument(help="Sweep file (TOML), see circuits/sweep.py.")],
    executor: Annotated[str, typer.Option(help="process, serial or dask.")] = "process",
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address.")] = None,
    workers: Annotated[int | None, typer.Option(help="Override [sweep] workers.")] = None,
    force: Annotated[bool, typer.Option(help="Overwrite files in a non-empty output.")] = False,
) -> None:
    """Run a grid of compile jobs (local processes or a Dask cluster) and gather a table."""
    from .sweep import EXECUTORS, SweepSpec, run_sweep

    try:
        spec = SweepSpec.from_toml(sweep)
        if workers is not None:
            if workers < 1:
                raise JobError(f"--workers must be >= 1, got {workers}")
            spec = SweepSpec(spec.base, spec.grid, spec.out, workers)
        if executor not in EXECUTORS:
            raise JobError(f"--executor must be one of {', '.join(EXECUTORS)}, got {executor!r}")
        total = len(list(spec.jobs()))
        with _progress() as progress:
            task = progress.add_task("sweep", total=total, n="-", what="sweep", info="")

            def on_result(row) -> None:
                progress.update(task, advance=1,
                                info=f"job {row['job']}: n={row['n']} L={row['layers']} "
                                     f"F={row['fidelity']:.4f}")

            rows = run_sweep(spec, executor=executor, scheduler=scheduler, force=force,
                             on_result=on_result)
    except JobError as exc:
        fail(str(exc))
    typer.echo(f"{len(rows)} jobs done -> {spec.out}/results.csv, results.json, results.png")


qsp_app = typer.Typer(no_args_is_help=True, help="Quantum signal processing with error recovery.")
app.add_typer(qsp_app, name="qsp")
qsp_app.command("recover")(qsp_recover_cmd)


app.command("cultivate")(cultivate_cmd)
app.command("pulse")(pulse_cmd)
app.command("compile-unitary")(compile_unitary_cmd)


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.fields[what]}[/] n={task.fields[n]}"),
        BarColumn(),
        TextColumn("{task.fields[info]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=False,
    )




def main() -> None:
    """Entry point of the ``tnqc`` console script."""
    app()


if __name__ == "__main__":
    main()
