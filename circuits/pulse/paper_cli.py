"""The ``--paper`` branch of ``tnqc pulse`` (validation first, then :func:`run_paper`).

Every option is checked before the output folder is created.  The run writes ``job.json``
(the fields that fix its result) at the start and ``checkpoint.json`` (the search state of
:func:`circuits.pulse.protocol.grid_bisection`) after every round; after Ctrl-C (exit 130)
or a crash, the same command with ``--resume`` continues on the path the run would have
taken, and a larger ``--maxiter`` or ``--restarts`` applies to the rounds left.

Example
-------
>>> import tempfile
>>> from pathlib import Path
>>> from typer.testing import CliRunner
>>> from circuits.cli import app
>>> out = Path(tempfile.mkdtemp()) / "run"
>>> CliRunner().invoke(app, ["pulse", "--paper", "--target", "bell", "--out", str(out)]).exit_code
2
>>> CliRunner().invoke(app, ["pulse", "--paper", "--grid", "24,1", "--out", str(out)]).exit_code
2
>>> out.exists()  # bad input is refused before anything is written
False
"""

from __future__ import annotations

import math
from pathlib import Path

import typer

from circuits.cli_common import INTERRUPTED, err_console, fail, prepare_out, rerun_command

__all__ = ["OPTIMIZERS", "paper_cmd"]

OPTIMIZERS = {"lbfgs": {"method": "lbfgs", "memory": 10}, "bfgs": {"method": "lbfgs", "memory": 0},
              "lm": {"method": "lm", "memory": 10}}
"""``--optimizer`` names and the :func:`circuits.pulse.lab_met.optimize_batch` options."""


def _grid(text: str | None) -> tuple[float, int] | None:
    if text is None:
        return None
    try:
        a, b = text.split(",")
        tmax, pts = float(a), int(b)
    except ValueError:
        raise ValueError(f"grid must be TMAX,POINTS like 24,307, got {text!r}") from None
    if not (math.isfinite(tmax) and tmax > 0) or pts < 2:
        raise ValueError(f"grid needs TMAX > 0 ns and POINTS >= 2, got {text!r}")
    return tmax, pts


def _resumed_state(out: Path, job: dict) -> dict | None:
    """The checkpoint of the run in ``out`` if its job matches ``job`` (else ValueError);
    ``None`` when it was stopped before its first round ended."""
    import json

    try:
        old = json.loads((out / "job.json").read_text())
    except (OSError, ValueError):
        raise ValueError(f"cannot resume: {out}/job.json is missing or unreadable") from None
    for key, value in job.items():
        if old.get(key) != value:
            raise ValueError(f"cannot resume: --{key.replace('_', '-')} differs from the run in "
                             f"{out} ({old.get(key)!r} there, {value!r} now)")
    ckpt = out / "checkpoint.json"
    if not ckpt.exists():
        return None
    try:
        return json.loads(ckpt.read_text())
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot resume: {ckpt} is unreadable ({exc})") from None


def paper_cmd(*, out: Path, target: str, jmax: str, bond: float | None, scan_bond: bool,
              tol: float, grid: str | None, restarts: int, seed: int, maxiter: int,
              paper: bool, force: bool, optimizer: str = "lbfgs",
              resume: bool = False) -> None:
    """Validate every option, then run :func:`circuits.pulse.paper_run.run_paper`.

    The search state goes to ``checkpoint.json`` after every round and the job's fields to
    ``job.json``; ``resume`` continues from there (the fields that fix the result must
    match; ``--maxiter`` and ``--restarts`` may differ and apply to the rounds left).
    """
    from mps.atomic import atomic_write_json

    from .cli import parse_frequency
    from .lab_met import check_tol
    from .paper_run import default_bonds, run_paper, write_outputs
    from .tables import hamiltonian_at

    try:
        if not paper:
            raise ValueError("--bond, --scan-bond, --grid, --optimizer and --resume need "
                             "--paper")
        if force and resume:
            raise ValueError("--force and --resume exclude each other")
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"--optimizer must be one of {', '.join(OPTIMIZERS)}, "
                             f"got {optimizer!r}")
        if target not in ("h2", "heh+", "lih"):
            raise ValueError(f"--paper needs --target h2, heh+ or lih, got {target!r}")
        if bond is not None and scan_bond:
            raise ValueError("give either --bond or --scan-bond, not both")
        if bond is not None and not (math.isfinite(bond) and bond > 0):
            raise ValueError(f"bond must be a distance > 0 Å, got {bond}")
        j = parse_frequency(jmax, "jmax")
        tol = check_tol(tol)
        g = _grid(grid)
        if restarts < 0 or maxiter < 1 or seed < 0:
            raise ValueError("need restarts >= 0, maxiter >= 1, seed >= 0")
        bonds = default_bonds(target, bond, scan_bond)
        for r in bonds:
            hamiltonian_at(target, r)  # a distance off the tables without pyscf fails here
        job = {"target": target, "bonds": [float(r) for r in bonds], "j_max_ghz": j,
               "grid": None if g is None else list(g), "tol": tol, "seed": seed,
               "optimizer": optimizer}
        state = None
        if resume:
            state = _resumed_state(out, job)
        else:
            out = prepare_out(out, force)
    except (ValueError, TypeError) as exc:
        fail(str(exc))
    try:
        atomic_write_json(out / "job.json", {**job, "restarts": restarts, "maxiter": maxiter},
                          overwrite=True)
    except OSError as exc:
        fail(f"writing to {out}: {exc}")

    def report(info: dict) -> None:
        err_console.print(f"round: {info['problems']} r, batch {info['batch']}, "
                          f"{info['seconds']:.1f} s, reached {info['reached']}")

    def checkpoint(st: dict) -> None:
        atomic_write_json(out / "checkpoint.json", st, overwrite=True)

    try:
        rep, sched = run_paper(target, bonds=bonds, j_max=j, grid=g, tol=tol,
                               restarts=restarts, maxiter=maxiter, seed=seed, progress=report,
                               checkpoint=checkpoint, resume=state, **OPTIMIZERS[optimizer])
    except (RuntimeError, ValueError) as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        done = "no round finished yet" if not (out / "checkpoint.json").exists() else \
            f"the search state after the last round is in {out}/checkpoint.json"
        err_console.print(f"interrupted: {done}; continue with "
                          f"{rerun_command('--resume')}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=INTERRUPTED) from None
    if state is not None:
        rep["parameters"]["resumed_after_round"] = len(state["rounds"])
    rep["parameters"]["jmax"] = jmax
    rep["parameters"]["optimizer"] = optimizer
    try:
        write_outputs(out, rep, sched)
    except OSError as exc:
        fail(f"writing to {out}: {exc}")
    typer.echo(f"MET {target} (paper protocol): {rep['met_ns']:.4g} ns at r = "
               f"{rep['r_angstrom']:.4g} Å, E - E0 = {rep['energy_error_hartree']:.3g} -> {out}/")
