"""``tnqc pulse``: minimal evolution time and pulses for a target state on a silicon spin line.

Registered in :mod:`circuits.cli` by ``app.command("pulse")(pulse_cmd)``.

Example
-------
``tnqc pulse --target h2 --jmax 1GHz --out runs/pulse-h2 --seed 0 --restarts 4``

writes into ``--out``: ``schedule.json``, ``pulses.npz``, ``pulses.qasm`` (gate-level OpenQASM 3
of the achieved propagator; loads in qiskit), ``pulses.openpulse`` (OpenQASM 3 with OpenPulse
``cal``/``defcal``), ``pulses.png``, ``fidelity.png`` and ``report.json`` (MET,
fidelity, search history, parameters, seed, versions).  Frequencies need a unit on
the command line (``1GHz``, ``10MHz``, ``884kHz``; a bare number is refused as ambiguous;
:func:`parse_frequency` itself reads a bare number as GHz).  An existing non-empty ``--out``
is refused unless ``--force``.  Bad input prints one line and exits with code 2.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Annotated

import typer

from circuits.cli_common import err_console, fail, prepare_out

__all__ = ["PAPER_METS_NS", "PULSE_FILES", "parse_frequency", "pulse_cmd"]

PULSE_FILES = ("schedule.json", "pulses.npz", "pulses.qasm", "pulses.openpulse", "pulses.png",
               "fidelity.png", "report.json")

_UNITS = {"hz": 1e-9, "khz": 1e-6, "mhz": 1e-3, "ghz": 1.0}

PAPER_METS_NS = {("h2", 1.0): 2.4, ("h2", 0.01): 84.3, ("heh+", None): 4.4, ("lih", None): 27.2}
"""METs of Long et al. (2024) (abstract), ns, keyed by (target, J_max in GHz or None)."""


def parse_frequency(text: str, name: str = "frequency", require_unit: bool = False) -> float:
    """``"1GHz"``, ``"10 MHz"``, ``"884kHz"``, ``"2.5e9Hz"`` or a bare number (GHz) -> GHz.

    Example
    -------
    >>> parse_frequency("10MHz"), parse_frequency("1GHz"), parse_frequency("0.5")
    (0.01, 1.0, 0.5)
    """
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a string like '10MHz', got {type(text).__name__}")
    m = re.fullmatch(r"\s*([-+0-9.eE]+)\s*([kKmMgG]?[hH][zZ])?\s*", text)
    try:
        value = float(m.group(1)) if m else float("nan")
    except ValueError:
        value = float("nan")
    if m is None or value != value:
        raise ValueError(f"{name} must be a number with an optional unit Hz/kHz/MHz/GHz, "
                         f"got {text!r}")
    if require_unit and not m.group(2):
        raise ValueError(f"{name} needs a unit: write {m.group(1)}GHz or {m.group(1)}MHz "
                         "(Hz, kHz, MHz, GHz)")
    unit = (m.group(2) or "ghz").lower()
    out = value * _UNITS[unit]
    if not out > 0 or out == float("inf"):
        raise ValueError(f"{name} must be > 0, got {text!r}")
    return out


def _bits(psi0) -> str:
    """Site-order bitstring of a basis vector (character i = qubit i)."""
    k = int(abs(psi0).argmax())
    return "".join(str((k >> q) & 1) for q in range(int(psi0.size).bit_length() - 1))




def _drop_if_empty(out: Path) -> None:
    if out.is_dir() and not any(out.iterdir()):
        out.rmdir()


def pulse_cmd(
    out: Annotated[Path, typer.Option(help="Output folder.")],
    target: Annotated[str, typer.Option(help="Target state: h2, heh+, lih, h2-0.735 or bell.")]
    = "h2",
    initial: Annotated[str | None, typer.Option(
        help="Start basis state, bitstring in site order (default: the "
        "molecule's Hartree-Fock state; |0...0> for bell).")] = None,
    jmax: Annotated[str, typer.Option(help="Maximal exchange J_max with a unit, e.g. 1GHz, 10MHz.")]
    = "1GHz",
    drive_max: Annotated[str, typer.Option(help="Maximal Rabi frequency, e.g. 56.6MHz.")]
    = "56.6MHz",
    zeeman_step: Annotated[str, typer.Option(help="Neighbour Zeeman detuning, e.g. 20MHz.")]
    = "20MHz",
    jmin: Annotated[str | None, typer.Option(
        help="Residual exchange J_min, e.g. 5MHz (default 0: exchange switches off).")] = None,
    slices: Annotated[int, typer.Option(help="Piecewise-constant slices.")] = 40,
    threshold: Annotated[float, typer.Option(help="Fidelity that defines the MET.")] = 0.999,
    restarts: Annotated[int, typer.Option(help="Random GRAPE starts per T.")] = 4,
    seed: Annotated[int, typer.Option(help="Seed of the random starts.")] = 0,
    maxiter: Annotated[int, typer.Option(help="L-BFGS-B iterations per start.")] = 500,
    rel_tol: Annotated[float, typer.Option(help="Relative width of the final T bracket.")]
    = 0.01,
    t_max: Annotated[float, typer.Option(help="Longest T tried (ns).")] = 2000.0,
    plots: Annotated[bool, typer.Option(help="Write pulses.png and fidelity.png.")] = True,
    force: Annotated[bool, typer.Option(help="Overwrite files in a non-empty --out.")] = False,
    paper: Annotated[bool, typer.Option(help="The paper's protocol (exact lab frame, energy "
        "criterion E - E0 <= --tol on its time grid) for h2, heh+ or lih.")] = False,
    bond: Annotated[float | None, typer.Option(help="--paper: bond distance in Å "
        "(default: the check geometry 0.75 / 1.0 / 1.5).")] = None,
    scan_bond: Annotated[bool, typer.Option(help="--paper: the paper's 80-point bond scan; "
        "met_ns is its maximum.")] = False,
    tol: Annotated[float, typer.Option(help="--paper: energy threshold (Hartree).")] = 1e-7,
    grid: Annotated[str | None, typer.Option(help="--paper: time grid TMAX,POINTS (ns) "
        "(default: the paper's grid of the molecule).")] = None,
    optimizer: Annotated[str, typer.Option(help="--paper: lbfgs (projected L-BFGS, history "
        "10), bfgs (full inverse Hessian) or lm (Levenberg-Marquardt).")] = "lbfgs",
    resume: Annotated[bool, typer.Option(help="--paper: continue the run in --out from its "
        "checkpoint.json (a larger --maxiter or --restarts applies to the rounds left).")]
    = False,
) -> None:
    """Minimal evolution time (bracketing + bisection over T, GRAPE) for a target state."""
    if (paper or bond is not None or scan_bond or grid is not None or optimizer != "lbfgs"
            or resume):
        from .paper_cli import paper_cmd

        paper_cmd(out=out, target=target, jmax=jmax, bond=bond, scan_bond=scan_bond,
                  tol=tol, grid=grid, restarts=restarts, seed=seed, maxiter=maxiter,
                  paper=paper, force=force, optimizer=optimizer, resume=resume)
        return
    import numpy as np

    from circuits.limits import MAX_MAXITER, MAX_RESTARTS, MAX_SLICES, check_size
    from mps._versions import versions
    from mps.atomic import atomic_write_json

    from .device import SpinQubitDevice
    from .export import write_all
    from .met import METConfig, minimal_evolution_time
    from .targets import resolve_target

    names = {"n_slices": "--slices", "restarts": "--restarts", "maxiter": "--maxiter",
             "threshold": "--threshold", "rel_tol": "--rel-tol", "t_max": "--t-max",
             "seed": "--seed", "max_drive": "--drive-max", "max_exchange": "--jmax",
             "min_exchange": "--jmin", "zeeman_step": "--zeeman-step", "initial": "--initial",
             "target": "--target"}
    try:
        j = parse_frequency(jmax, "--jmax", require_unit=True)
        om = parse_frequency(drive_max, "--drive-max", require_unit=True)
        step = parse_frequency(zeeman_step, "--zeeman-step", require_unit=True)
        jlow = 0.0 if jmin is None else parse_frequency(jmin, "--jmin", require_unit=True)
        if jmin is not None and not jlow < j:
            raise ValueError(f"--jmin ({jmin}) must be below --jmax ({jmax})")
        check_size(slices, "--slices", MAX_SLICES)
        check_size(restarts, "--restarts", MAX_RESTARTS)
        check_size(maxiter, "--maxiter", MAX_MAXITER)
        tgt = resolve_target(target, initial)
        device = SpinQubitDevice.silicon_line(tgt.n_qubits, zeeman_step=step, max_drive=om,
                                              max_exchange=j, min_exchange=jlow)
        config = METConfig(threshold=threshold, n_slices=slices, restarts=restarts, seed=seed,
                           maxiter=maxiter, rel_tol=rel_tol, t_max=t_max)
        out = prepare_out(out, force, owned=PULSE_FILES)
    except (ValueError, TypeError) as exc:
        head, sep, rest = str(exc).partition(" ")
        fail(f"{names[head]} {rest}" if head in names and sep else str(exc))

    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    start = time.perf_counter()
    progress = Progress(SpinnerColumn(), TextColumn("[bold]MET[/] {task.description}"),
                        TimeElapsedColumn(), console=err_console, transient=False)
    with progress:
        task = progress.add_task(f"{tgt.name}: compiling ...", total=None)

        def report(point, lo, hi):
            progress.update(task, description=(
                f"{tgt.name}: T = {point.duration:.4g} ns  F = {point.fidelity:.6f}  "
                f"bracket ({lo:.4g}, {hi:.4g}] ns"))

        try:
            res = minimal_evolution_time(device, tgt.psi0, tgt.target, config, progress=report)
        except (RuntimeError, ValueError, TypeError) as exc:
            progress.stop()
            _drop_if_empty(out)
            fail(str(exc))
        except KeyboardInterrupt:
            progress.stop()
            _drop_if_empty(out)
            err_console.print("interrupted: tnqc pulse keeps no checkpoint; nothing was written")
            raise typer.Exit(code=130) from None
    try:
        files = write_all(out, res, force=True, plots=plots, title=f"{tgt.name}, J_max = {jmax}")
    except (OSError, ValueError) as exc:
        fail(f"writing to {out}: {exc}")
    ts, fs = res.fidelity_vs_time()
    paper = PAPER_METS_NS.get((tgt.name, j), PAPER_METS_NS.get((tgt.name, None)))
    report_data = {
        "target": {"name": tgt.name, "description": tgt.description, "energy": tgt.energy,
                   "initial": initial or _bits(tgt.psi0),
                   "psi0": [[z.real, z.imag] for z in tgt.psi0],
                   "target": [[z.real, z.imag] for z in np.asarray(tgt.target)]},
        "device": {"zeeman_ghz": list(device.zeeman), "max_drive_ghz": om,
                   "max_exchange_ghz": j, "min_exchange_ghz": jlow, "frame": device.frame},
        "parameters": {"jmax": jmax, "jmin": jmin, "drive_max": drive_max,
                       "zeeman_step": zeeman_step,
                       "slices": slices, "threshold": threshold, "restarts": restarts,
                       "seed": seed, "maxiter": maxiter, "rel_tol": rel_tol, "t_max": t_max},
        "met_ns": res.met, "lower_bound_ns": res.lower_bound, "fidelity": res.fidelity,
        "paper_met_ns": paper,
        "history": {"T_ns": ts.tolist(), "fidelity": fs.tolist()},
        "evaluations": len(res.history), "seconds": time.perf_counter() - start,
        "files": sorted(p.name for p in files.values()),
        "seed": seed, "versions": versions(),
        "note": "threshold default 0.999: the paper's value could not be checked offline",
    }
    atomic_write_json(out / "report.json", report_data, overwrite=True)
    extra = f" (paper: {paper} ns)" if paper is not None else ""
    typer.echo(f"MET {tgt.name}: {res.met:.4g} ns at F = {res.fidelity:.6f}{extra} -> {out}/")
