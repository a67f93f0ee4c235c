"""``tnqc evolve``: validate every option, then TEBD with a progress bar, then the files.

Called by :func:`circuits.cli.evolve_cmd` (which imports this module only when the
command runs, so ``tnqc --help`` stays light).  Files: ``state.npz``,
``observables.npz``, ``report.json``, ``z.png``, ``entropy.png``.

Example
-------
A bad option is one line on stderr and exit code 2, before any work or file:

>>> import tempfile
>>> from pathlib import Path
>>> import typer
>>> from circuits.evolve_cmd import run_evolve
>>> out = Path(tempfile.mkdtemp()) / "evolve"
>>> opts = dict(n=1, t=1.0, out=out, model="heisenberg", j=1.0, jz=None, hx=0.0, hz=0.0,
...             dt=0.05, order=2, max_bond=8, cutoff=1e-10, initial="neel",
...             record_every=1, threads=None, force=False, plots=False)
>>> try:
...     run_evolve(opts)  # n=1: a chain needs at least 2 sites
... except typer.Exit as exc:
...     print(exc.exit_code, out.exists())
2 False
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from mps import StepInfo, evolve
from mps._versions import versions
from mps.atomic import atomic_write, atomic_write_json

from . import limits
from .cli_common import INTERRUPTED, err_console, fail, os_error_text
from .compile_report import save_png
from .jobs import JobError, ModelSpec, TargetSpec, check_evolution, check_model
from .rundir import prepare_output_dir

__all__ = ["EVOLVE_FILES", "run_evolve"]

EVOLVE_FILES = ("state.npz", "observables.npz", "report.json", "z.png", "entropy.png")


def _name(section: str, key: str) -> str:
    return "--model" if (section, key) == ("model", "name") else "--" + key.replace("_", "-")


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
    save_png(fig, out / "z.png")
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4))
    for k in np.unique(np.linspace(0, len(times) - 1, min(len(times), 6)).astype(int)):
        ax.plot(np.arange(1, n), ent[k], marker=".", label=f"t = {times[k]:.3g}")
    ax.set_xlabel("bond b (cut between sites b-1 and b)")
    ax.set_ylabel("entanglement entropy S (nats)")
    ax.legend()
    ax.set_title(title)
    save_png(fig, out / "entropy.png")
    plt.close(fig)


def run_evolve(o: dict[str, Any]) -> None:
    """Run ``tnqc evolve`` with the options ``o`` (the command's parameters)."""
    n, t, dt, max_bond = o["n"], o["t"], o["dt"], o["max_bond"]
    try:
        chain = check_model(ModelSpec(o["model"], n, o["j"], o["jz"], o["hx"], o["hz"]), _name)
        limits.check_size(o["record_every"], "--record-every", limits.MAX_STEPS)
        if o["threads"] is not None:
            limits.check_size(o["threads"], "--threads", 256)
        tg = TargetSpec(t=t, dt=dt, order=o["order"], max_bond=max_bond, cutoff=o["cutoff"],
                        initial=o["initial"])
        records = limits.steps(t, dt) // o["record_every"] + 2
        psi0 = check_evolution(tg, n, _name, records=records)
        out = prepare_output_dir(o["out"], o["force"], owned=EVOLVE_FILES)
    except (JobError, ValueError, TypeError) as exc:
        fail(str(exc))
    obs = {
        "z": lambda s: s.expect_z(),
        "entropy": lambda s: s.entanglement_entropy(),
        "max_bond": lambda s: s.max_bond(),
    }
    start = time.perf_counter()
    try:
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

            res = evolve(chain, psi0, t, dt, order=o["order"], max_bond=max_bond,
                         cutoff=o["cutoff"], observables=obs, record_every=o["record_every"],
                         callback=on_step, threads=o["threads"])
    except KeyboardInterrupt:
        if out.is_dir() and not any(out.iterdir()):
            out.rmdir()
        err_console.print("interrupted: evolve keeps no checkpoint, nothing was written")
        raise typer.Exit(code=INTERRUPTED) from None
    wall = time.perf_counter() - start
    try:
        _write(out, o, chain, res, wall)
    except OSError as exc:
        fail(f"writing {out}: {os_error_text(exc)}")


def _write(out: Path, o: dict[str, Any], chain, res, wall: float) -> None:
    n, state, plots = o["n"], res.state, o["plots"]
    state.save(out / "state.npz", overwrite=True)

    def write_obs(fh) -> None:
        np.savez(fh, times=res.times, z=res.observables["z"],
                 entropy=res.observables["entropy"], max_bond=res.observables["max_bond"])

    atomic_write(out / "observables.npz", write_obs, overwrite=True)
    mid = n // 2
    report = {
        "command": "evolve",
        "n": n,
        "model": chain.to_dict(),
        "initial": o["initial"],
        "t": o["t"],
        "dt": o["dt"],
        "dt_used": res.dt,
        "steps": res.steps,
        "order": o["order"],
        "max_bond": o["max_bond"],
        "cutoff": o["cutoff"],
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
               f"{chain.name}, n={n}, dt={res.dt:.3g}, order {o['order']}, "
               f"chi<={o['max_bond']}")
    typer.echo(
        f"done in {wall:.1f} s: <Z_{mid}> = {report['results']['z_mid']:+.6f}, "
        f"S_half = {report['results']['half_chain_entropy']:.6f} nats, "
        f"truncation error = {res.truncation_error:.2e}, max bond {state.max_bond()} -> {out}/"
    )
