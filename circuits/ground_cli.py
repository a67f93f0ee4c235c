"""``tnqc ground``: a DMRG ground state saved as a compile target (:mod:`mps.ground`).

Writes ``target.npz`` (a tnqc MPS, ``metadata["kind"] == "ground_state"``,
loadable by ``tnqc compile --target``) and ``report.json`` (energy and its
independent re-evaluation, energy per site, bond dimensions, the entanglement
entropy on every bond in nats, DMRG sweeps, timings, versions).  Conventions:
Pauli operators (``--j 0.25`` is ``J S.S`` with ``J = 1``), site ``i`` =
qubit ``i``.  Bad options print one line and exit with code 2, before any file
is written.

Example
-------
``tnqc ground --model heisenberg --n 100 --max-bond 64 --out runs/gs100``

>>> import tempfile
>>> from pathlib import Path
>>> from typer.testing import CliRunner
>>> from circuits.cli import app
>>> out = Path(tempfile.mkdtemp()) / "gs"
>>> CliRunner().invoke(app, ["ground", "--n", "1", "--out", str(out)]).exit_code
2
>>> out.exists()  # refused before anything is written
False
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from .cli_common import fail, prepare_out

__all__ = ["ground_cmd"]

MODELS = ("heisenberg", "xxz", "ising")


def ground_cmd(
    model: Annotated[str, typer.Option(help="heisenberg, xxz or ising (Pauli convention).")]
    = "heisenberg",
    n: Annotated[int, typer.Option(help="Number of qubits (>= 2).")] = 100,
    j: Annotated[float, typer.Option(help="Coupling J in Pauli units (0.25 = S.S).")] = 1.0,
    jz: Annotated[float | None, typer.Option(help="ZZ coupling (xxz; default 1).")] = None,
    hx: Annotated[float, typer.Option(help="Uniform X field.")] = 0.0,
    hz: Annotated[float, typer.Option(help="Uniform Z field.")] = 0.0,
    max_bond: Annotated[int, typer.Option(help="Largest DMRG bond dimension.")] = 64,
    cutoff: Annotated[float, typer.Option(help="Discarded weight per SVD.")] = 1e-10,
    tol: Annotated[float, typer.Option(help="Energy tolerance between sweeps.")] = 1e-9,
    max_sweeps: Annotated[int, typer.Option(help="Most DMRG sweeps.")] = 20,
    seed: Annotated[int, typer.Option(help="Seed of the random initial MPS.")] = 0,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("runs/ground"),
    force: Annotated[bool, typer.Option(help="Overwrite files in a non-empty --out.")] = False,
) -> None:
    """Find a spin chain's ground state by DMRG (quimb) and save it as a compile target."""
    import numpy as np

    from mps._validate import check_int, check_real
    from mps._versions import versions
    from mps.atomic import atomic_write_json
    from mps.ground import ground_state

    from .jobs import JobError, ModelSpec, build_chain

    try:
        if model not in MODELS:
            raise ValueError(f"--model must be one of {', '.join(MODELS)}, got {model!r}")
        chain = build_chain(ModelSpec(model, check_int(n, "n", minimum=2), j, jz, hx, hz))
        check_int(max_bond, "max-bond", minimum=2)
        check_real(cutoff, "cutoff", minimum=0.0)
        check_real(tol, "tol", minimum=0.0, strict=True)
        check_int(max_sweeps, "max-sweeps", minimum=1)
        check_int(seed, "seed", minimum=0)
        out = prepare_out(out, force)
    except (JobError, ValueError, TypeError) as exc:
        fail(str(exc))
    start = time.perf_counter()
    res = ground_state(chain, max_bond, cutoff=cutoff, tol=tol, max_sweeps=max_sweeps, seed=seed)
    res.state.save(out / "target.npz", overwrite=True)
    mid = n // 2 - 1
    report = {
        "command": "ground",
        "target": {"kind": "ground_state", "method": "quimb DMRG2", "file": "target.npz"},
        "n": n,
        "model": chain.to_dict(),
        "energy": res.energy,
        "energy_per_site": res.energy / n,
        "energy_check": res.energy_check,
        "converged": res.converged,
        "sweeps": res.sweeps,
        "max_bond": max_bond,
        "max_bond_reached": max(res.bond_dims),
        "bond_dims": res.bond_dims,
        "entropy": [float(s) for s in res.entropy],
        "half_chain_entropy": float(res.entropy[mid]),
        "cutoff": cutoff,
        "tol": tol,
        "seed": seed,
        "timings": {"dmrg_s": res.seconds, "total_s": time.perf_counter() - start},
        "versions": versions(),
        "conventions": "Pauli operators, site i = qubit i, entropy in nats (bond b: b | b+1)",
        "files": ["target.npz", "report.json"],
    }
    atomic_write_json(out / "report.json", report, overwrite=True)
    typer.echo(
        f"done in {report['timings']['total_s']:.1f} s: E = {res.energy:.10f} "
        f"({res.energy / n:.8f} per site, {res.sweeps} sweeps"
        f"{'' if res.converged else ', NOT converged'}), max bond {max(res.bond_dims)}, "
        f"S_half = {float(np.real(res.entropy[mid])):.6f} nats -> {out}/"
    )
