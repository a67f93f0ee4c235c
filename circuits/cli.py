"""The ``tnqc`` command line.

``tnqc evolve`` runs a TEBD time evolution of a spin chain (up to 100+ qubits)
and writes an output folder:

* ``state.npz``: the evolved MPS with metadata (:meth:`mps.MPS.load` reads it),
* ``observables.npz``: times, ``<Z_i>(t)``, entanglement entropies ``S_b(t)``,
  maximal bond dimension and truncation error per recorded time,
* ``report.json``: parameters, results, timings and package versions,
* ``z.png`` and ``entropy.png``: plots of the recorded observables.

Conventions: Pauli operators, ``hbar = 1``, site ``i`` = qubit ``i``,
entropies in natural log (see the README).  Errors in the arguments print one
line and exit with code 2; files are written atomically and an existing,
non-empty output folder is refused unless ``--force`` is given.

Example
-------
``tnqc evolve --model heisenberg --n 100 --t 2 --dt 0.05 --max-bond 64 --out runs/demo``
"""

from __future__ import annotations

import io
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from mps import MPS, SpinChain, StepInfo, TEBDConfig, evolve, heisenberg, ising, xxz
from mps._validate import check_real
from mps._versions import versions
from mps.atomic import atomic_write, atomic_write_json

__all__ = ["app", "main"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="tnqc: tensor-network time evolution and approximate quantum compiling.",
)
_err = Console(stderr=True)


class Model(StrEnum):
    heisenberg = "heisenberg"
    xxz = "xxz"
    ising = "ising"


class UsageError(Exception):
    """A user error: printed as one line, exit code 2."""


def build_chain(model: str, n: int, j: float, jz: float | None, hx: float, hz: float) -> SpinChain:
    """The chain named ``model`` with the CLI's parameters (Pauli convention)."""
    if model == "heisenberg":
        if hx or hz or jz is not None:
            return SpinChain(n, jx=j, jy=j, jz=j if jz is None else jz, hx=hx, hz=hz,
                             name="heisenberg")
        return heisenberg(n, j)
    if model == "xxz":
        return xxz(n, jxy=j, jz=1.0 if jz is None else jz, hz=hz)
    if model == "ising":
        return ising(n, j=j, hx=hx)
    raise UsageError(f"unknown model {model!r}; expected heisenberg, xxz or ising")


def initial_state(spec: str, n: int) -> MPS:
    """``neel``, ``zeros`` or an explicit bitstring of length ``n`` (site order)."""
    if spec == "neel":
        return MPS.neel(n)
    if spec == "zeros":
        return MPS.zeros(n)
    try:
        return MPS.from_bitstring(spec, n=n)
    except ValueError as exc:
        raise UsageError(f"--initial must be 'neel', 'zeros' or a bitstring: {exc}") from exc


def prepare_output_dir(out: Path, force: bool) -> Path:
    """Create ``out``; refuse an existing non-empty folder unless ``force``."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise UsageError(f"--out {out} is not empty; pass --force to overwrite its files")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".tnqc-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise UsageError(f"cannot write to --out {out}: {exc.strerror or exc}") from exc
    return out


def _save_png(fig, path: Path) -> None:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120, bbox_inches="tight")
    atomic_write(path, lambda fh: fh.write(buf.getvalue()), overwrite=True)


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
        chain = build_chain(model.value, n, j, jz, hx, hz)
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
            console=_err,
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
    except UsageError as exc:
        _fail(str(exc))
    except (ValueError, TypeError) as exc:
        _fail(str(exc))

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


def trotter_baseline(chain: SpinChain, psi0: MPS, target: MPS, t: float, steps: int) -> list:
    """Fidelity and two-qubit depth of 2nd-order Trotter circuits with 1..steps steps."""
    rows = []
    for k in range(1, steps + 1):
        st = evolve(chain, psi0, t, t / k, order=2, max_bond=256, cutoff=1e-12).state
        layers = 2 * k + 1
        gates = sum(len(range(lay % 2, chain.n - 1, 2)) for lay in range(layers))
        rows.append({"steps": k, "two_qubit_depth": 3 * layers, "cx_count": 3 * gates,
                     "fidelity": abs(target.overlap(st)) ** 2})
    return rows


def _compile_plots(out: Path, res, target: MPS, circuit_state: MPS, baseline: list,
                   title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(np.arange(len(res.history)), res.history, marker=".")
    ax.set_xlabel("iteration")
    ax.set_ylabel("fidelity |<target|V|0>|^2")
    ax.set_yscale("log" if res.history.min() < 1e-2 else "linear")
    ax.set_title(title)
    _save_png(fig, out / "fidelity.png")
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4))
    sites = np.arange(target.n)
    ax.plot(sites, target.expect_z(), "o-", label="target (MPS)", ms=3)
    ax.plot(sites, circuit_state.expect_z(), "x--", label="AQC circuit", ms=4)
    ax.set_xlabel("site i")
    ax.set_ylabel(r"$\langle Z_i \rangle$")
    ax.legend()
    ax.set_title(title)
    _save_png(fig, out / "z.png")
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot([r["two_qubit_depth"] for r in baseline], [r["fidelity"] for r in baseline],
            "s-", label="Trotter (2nd order)")
    ax.plot([res.two_qubit_depth], [res.fidelity], "o", ms=9, label=f"AQC L={res.ansatz.layers}")
    ax.set_xlabel("two-qubit (CX) depth")
    ax.set_ylabel("fidelity with target")
    ax.legend()
    ax.set_title(title)
    _save_png(fig, out / "depth.png")
    plt.close(fig)


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
    block: Annotated[Block, typer.Option(help="Two-qubit block type.")] = Block.su4,
    dt: Annotated[float, typer.Option(help="TEBD step of the target.")] = 0.025,
    max_bond: Annotated[int, typer.Option(help="Bond-dimension cap of the target.")] = 128,
    cutoff: Annotated[float, typer.Option(help="Discarded weight per SVD (target).")] = 1e-12,
    maxiter: Annotated[int, typer.Option(help="Optimiser iterations (per stage).")] = 300,
    optimizer: Annotated[str, typer.Option(help="lbfgs, adam or optax-lbfgs.")] = "lbfgs",
    objective: Annotated[str, typer.Option(help="log (default) or infidelity.")] = "log",
    schedule: Annotated[int, typer.Option(help="Time stages of the compile.")] = 1,
    trotter_steps: Annotated[int, typer.Option(help="Trotter baselines: 1..k steps.")] = 6,
    seed: Annotated[int, typer.Option(help="Seed (recorded; used by random inits).")] = 0,
    force: Annotated[bool, typer.Option(help="Overwrite files in a non-empty --out.")] = False,
    plots: Annotated[bool, typer.Option(help="Write PNG plots.")] = True,
) -> None:
    """Compile the time-evolved state of a spin chain into a brickwork circuit (AQC)."""
    import aqc
    from aqc.objective import OBJECTIVES
    from aqc.optimize import OPTIMIZERS

    try:
        chain = build_chain(model.value, n, j, jz, hx, hz)
        psi0 = MPS.neel(n)
        TEBDConfig(dt=dt, order=4, max_bond=max_bond, cutoff=cutoff)
        check_real(t, "t", minimum=0.0)
        ansatz = aqc.BrickworkAnsatz(n, layers, block.value)
        if optimizer not in OPTIMIZERS:
            raise UsageError(f"--optimizer must be one of {', '.join(OPTIMIZERS)}: {optimizer!r}")
        if objective not in OBJECTIVES:
            raise UsageError(f"--objective must be one of {', '.join(OBJECTIVES)}: {objective!r}")
        aqc.StopRule(maxiter=maxiter)
        out = prepare_output_dir(out, force)
    except (UsageError, ValueError, TypeError) as exc:
        _fail(str(exc))

    start = time.perf_counter()
    with _progress() as progress:
        task = progress.add_task("target", total=None, n=n, what="TEBD", info="")

        def on_step(info: StepInfo) -> None:
            progress.update(task, total=info.nsteps, completed=info.step,
                            info=f"t={info.t:.3f} chi={info.max_bond}")

        tres = evolve(chain, psi0, t, dt, order=4, max_bond=max_bond, cutoff=cutoff,
                      callback=on_step)
        target = tres.state
        task2 = progress.add_task("compile", total=maxiter * schedule, n=n, what="AQC", info="")

        def on_iter(info) -> None:
            progress.update(task2, advance=1, info=f"F={info.fidelity:.6f}")

        res = aqc.compile(target, ansatz, optimizer=optimizer, objective=objective,
                          maxiter=maxiter, seed=seed, schedule=schedule, callback=on_iter)
        progress.update(task2, total=res.n_iter, completed=res.n_iter)
    t_compile = time.perf_counter() - start
    circuit_state = ansatz.state(res.params)
    check = abs(target.overlap(circuit_state)) ** 2
    baseline = trotter_baseline(chain, psi0, target, t, trotter_steps)

    target.save(out / "target.npz", overwrite=True)
    atomic_write(out / "params.npz", lambda fh: np.savez(
        fh, params=res.params, n=n, layers=layers, block=block.value), overwrite=True)
    from qiskit import qasm3, qpy

    atomic_write(out / "circuit.qpy", lambda fh: qpy.dump(res.circuit, fh), overwrite=True)
    atomic_write(out / "circuit.qasm",
                 lambda fh: fh.write(qasm3.dumps(res.circuit).encode()), overwrite=True)
    report = {
        "command": "compile",
        "n": n,
        "model": chain.to_dict(),
        "t": t,
        "layers": layers,
        "block": block.value,
        "fidelity": res.fidelity,
        "log_fidelity": res.log_fidelity,
        "fidelity_check_mps": check,
        "init_fidelity": res.init_fidelity,
        "two_qubit_depth": res.two_qubit_depth,
        "cx_count": res.cx_count,
        "trotter_baseline": baseline,
        "iterations": res.n_iter,
        "stop_reason": res.stop_reason,
        "objective": objective,
        "optimizer": optimizer,
        "schedule": schedule,
        "target": {"dt": dt, "order": 4, "max_bond": max_bond, "cutoff": cutoff,
                   "truncation_error": tres.truncation_error,
                   "max_bond_reached": target.max_bond()},
        "timings": {**res.timings, "target_s": tres.wall_time, "total_s": t_compile},
        "seed": seed,
        "versions": versions(),
        "conventions": "Pauli operators, hbar=1, qubit i = site i (qiskit little-endian)",
        "files": ["target.npz", "params.npz", "circuit.qpy", "circuit.qasm", "report.json"]
        + (["fidelity.png", "z.png", "depth.png"] if plots else []),
    }
    atomic_write_json(out / "report.json", report, overwrite=True)
    title = f"{chain.name} n={n} t={t:g} L={layers}"
    if plots:
        _compile_plots(out, res, target, circuit_state, baseline, title)
    best = max((r for r in baseline if r["two_qubit_depth"] <= res.two_qubit_depth),
               key=lambda r: r["fidelity"], default=None)
    trot = (f"best Trotter at depth <= {res.two_qubit_depth}: F = {best['fidelity']:.6f}"
            if best else f"no Trotter circuit as shallow as depth {res.two_qubit_depth}")
    typer.echo(
        f"done in {t_compile:.1f} s: F = {res.fidelity:.6f} (start {res.init_fidelity:.3e}) "
        f"at CX depth {res.two_qubit_depth}, {res.cx_count} CX; {trot} -> {out}/"
    )


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.fields[what]}[/] n={task.fields[n]}"),
        BarColumn(),
        TextColumn("{task.fields[info]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=_err,
        transient=False,
    )


def _fail(message: str) -> None:
    _err.print(f"[red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def main() -> None:
    """Entry point of the ``tnqc`` console script."""
    app()


if __name__ == "__main__":
    main()
