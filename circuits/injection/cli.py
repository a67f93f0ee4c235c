"""``tnqc inject``: magic-state injection on a heavy-hex backend, or the memory-threshold sweep.

Injection (``tnqc inject --d 3 --state T --backend fake_fez --shots N --out DIR``) writes
``circuit.stim`` (the injection with an ideal logical read-out, stim proxies for T / H),
``tomography_{X,Y,Z}.stim``, ``circuit_isa.qpy`` (the three ISA tomography circuits on
the chosen patch) and ``tomography_{X,Y,Z}.qasm`` (OpenQASM 3), ``report.json`` (fidelity
with its 95 % interval, success rate, Bloch vector, layout, noise model, versions, seed),
``layout.png`` and ``bloch.png``.  ``--sim aer`` samples the ISA circuits with qiskit-aer
and the backend's noise model (real ``U3`` preparation); ``--sim pauli`` samples the stim
circuits with the backend's error rates as Pauli noise, the state built by linearity from
the four stabiliser inputs (:mod:`circuits.injection.tomography`).

Threshold (``tnqc inject --threshold --d 3,5,7 --p 1e-3,2e-3 --out DIR``) writes
``threshold.json`` (points with shots and 95 % intervals, crossings) and ``threshold.png``.

Every option is checked before any file is written.

Example
-------
>>> import tempfile
>>> from pathlib import Path
>>> from typer.testing import CliRunner
>>> from circuits.cli import app
>>> out = Path(tempfile.mkdtemp()) / "run"
>>> CliRunner().invoke(app, ["inject", "--shots", "0", "--out", str(out)]).exit_code
2
>>> out.exists()  # bad input is refused before anything is written
False
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["inject_cmd"]


def _ints(text: str, name: str) -> list[int]:
    try:
        vals = [int(x) for x in text.split(",") if x.strip()]
    except ValueError as exc:
        raise ValueError(f"{name} must be comma-separated integers, got {text!r}") from exc
    if not vals:
        raise ValueError(f"{name} is empty")
    return vals


def _floats(text: str, name: str) -> list[float]:
    try:
        vals = [float(x) for x in text.split(",") if x.strip()]
    except ValueError as exc:
        raise ValueError(f"{name} must be comma-separated numbers, got {text!r}") from exc
    if not vals:
        raise ValueError(f"{name} is empty")
    return vals


def inject_cmd(
    out: Annotated[Path, typer.Option(help="Output folder.")],
    d: Annotated[str, typer.Option("--d", help="Distance 3, 5 or 7 (a list with --threshold).")]
    = "3",
    state: Annotated[str, typer.Option(help="T, H, 0, 1, +, -, +i or -i.")] = "T",
    theta: Annotated[float | None, typer.Option(help="Polar angle (overrides --state).")] = None,
    phi: Annotated[float | None, typer.Option(help="Azimuth (with --theta).")] = None,
    backend: Annotated[str, typer.Option(help="Fake IBM backend name.")] = "fake_fez",
    shots: Annotated[int, typer.Option(help="Shots per circuit (>= 1).")] = 1000,
    rounds: Annotated[int, typer.Option(help="Rounds after the injection (>= 1).")] = 1,
    sim: Annotated[str, typer.Option(help="aer (backend noise model) or pauli (stim).")]
    = "aer",
    postselect: Annotated[str, typer.Option(help="boundary (the paper's) or all.")]
    = "boundary",
    threshold: Annotated[bool, typer.Option("--threshold", help="Run the threshold sweep.")]
    = False,
    p: Annotated[str, typer.Option("--p", help="Threshold: noise strengths, in [0, 0.5).")]
    = "1e-3,2e-3,3e-3,4e-3,5e-3",
    noise: Annotated[str, typer.Option(
        help="Threshold: uniform, si1000 and/or uniform_noidle.")] = "uniform",
    basis: Annotated[str, typer.Option(help="Threshold: Z and/or X memory.")] = "Z,X",
    max_errors: Annotated[int, typer.Option(help="Threshold: stop a point at this many.")]
    = 200,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    seed: Annotated[int, typer.Option(help="Seed of the samplers.")] = 0,
    force: Annotated[bool, typer.Option(help="Overwrite files in a non-empty --out.")] = False,
) -> None:
    """Magic-state injection on heavy-hex IBM processors (Kim, Sevior, Usman 2024)."""
    from circuits.cli_common import fail, prepare_out

    try:
        if isinstance(shots, bool) or shots < 1:
            raise ValueError(f"--shots must be >= 1, got {shots}")
        if workers < 1:
            raise ValueError(f"--workers must be >= 1, got {workers}")
        if threshold:
            from .thresholds import check_p

            ds = _ints(d, "--d")
            ps = [check_p(x, "--p") for x in _floats(p, "--p")]
            noises = [x.strip() for x in noise.split(",") if x.strip()]
            bases = [x.strip().upper() for x in basis.split(",") if x.strip()]
            if max_errors < 1:
                raise ValueError(f"--max-errors must be >= 1, got {max_errors}")
            job = _threshold_job(ds, ps, noises, bases)
        else:
            job = _inject_job(d, state, theta, phi, backend, rounds, sim, postselect)
        prepare_out(out, force)
    except (ValueError, TypeError, OSError) as exc:
        fail(str(exc))
    if threshold:
        _run_threshold(out, job, shots, max_errors, workers, seed)
    else:
        _run_inject(out, job, shots, workers, seed)


def _threshold_job(ds, ps, noises, bases) -> dict:
    from .layout import OFFERED_DISTANCES
    from .thresholds import sweep_noise

    for x in ds:
        if x not in OFFERED_DISTANCES:
            raise ValueError(f"--d must be among {OFFERED_DISTANCES}, got {x}")
    for b in bases:
        if b not in ("X", "Z"):
            raise ValueError(f"--basis must be Z and/or X, got {b!r}")
    for n in noises:
        for x in ps:
            sweep_noise(n, x)  # validates the name and the strength (si1000: p < 0.1)
    return {"d": ds, "p": ps, "noise": noises, "basis": bases}


def _inject_job(d, state, theta, phi, backend, rounds, sim, postselect) -> dict:
    from circuits.isa import resolve_backend

    from .experiments import state_angles
    from .hardware import find_patch

    ds = _ints(d, "--d")
    if len(ds) != 1:
        raise ValueError(f"--d must be one distance for an injection, got {d!r}")
    if theta is not None or phi is not None:
        for name, v in (("--theta", theta), ("--phi", phi)):
            if v is not None and not math.isfinite(v):
                raise ValueError(f"{name} must be finite, got {v}")
        angles = state_angles((theta or 0.0, phi or 0.0))
        label = f"theta={angles[0]:g},phi={angles[1]:g}"
    else:
        angles = state_angles(state)
        label = state
    if rounds < 1:
        raise ValueError(f"--rounds must be >= 1, got {rounds}")
    if sim not in ("aer", "pauli"):
        raise ValueError(f"--sim must be aer or pauli, got {sim!r}")
    if postselect not in ("boundary", "all"):
        raise ValueError(f"--postselect must be boundary or all, got {postselect!r}")
    from .layout import heavy_hex_patch

    heavy_hex_patch(ds[0])  # d offered?
    be = resolve_backend(backend)
    emb = find_patch(be, ds[0])
    import importlib.util

    if sim == "aer" and importlib.util.find_spec("qiskit_aer") is None:
        raise ValueError("--sim aer needs qiskit-aer (pip install 'tnqc[injection]'); "
                         "--sim pauli runs without it")
    return {"d": ds[0], "angles": angles, "label": label, "backend": be, "embedding": emb,
            "rounds": rounds, "sim": sim, "postselect": postselect}


def _run_threshold(out: Path, job: dict, shots: int, max_errors: int, workers: int,
                   seed: int) -> None:
    import sinter

    from mps._versions import versions
    from mps.atomic import atomic_write_json

    from .thresholds import crossing, plot_thresholds, points_from_stats, threshold_tasks

    tasks = threshold_tasks(job["d"], job["p"], noises=job["noise"], bases=job["basis"])
    stats = sinter.collect(num_workers=workers, tasks=tasks, decoders=["pymatching"],
                           max_shots=shots, max_errors=max_errors)
    points = points_from_stats(stats)
    ds = sorted(job["d"])
    table = []
    for code in ("heavy_hex", "rotated"):
        for n in job["noise"]:
            for b in job["basis"]:
                sel = [q for q in points if (q.code, q.noise, q.basis) == (code, n, b)]
                row = {"code": code, "noise": n, "basis": b}
                for a, c in itertools.pairwise(ds):
                    row[f"crossing_{a}_{c}"] = crossing(sel, a, c, seed=seed)
                table.append(row)
    plot_thresholds(points, out / "threshold.png")
    atomic_write_json(out / "threshold.json", {
        "parameters": {**job, "max_shots": shots, "max_errors": max_errors, "seed": seed},
        "points": [{**q.__dict__, "rate": q.rate, "ci95": list(q.interval())} for q in points],
        "thresholds": table, "versions": versions(),
        "paper": {"bit_flip": 0.0037, "phase_flip": 0.0031}}, overwrite=True)
    typer.echo(f"{len(points)} points -> {out}/threshold.json, threshold.png")


def _run_inject(out: Path, job: dict, shots: int, workers: int, seed: int) -> None:
    import numpy as np
    from qiskit import qpy

    from circuits.cultivation.export import write_stim
    from circuits.export import to_qasm3
    from mps._versions import versions
    from mps.atomic import atomic_write, atomic_write_json, atomic_write_text

    from .backend_noise import backend_pauli_noise
    from .experiments import injection_circuit, tomography_circuit
    from .hardware import check_isa, counts_to_bits, isa_circuits
    from .plots import plot_bloch, plot_layout
    from .tomography import DECOMPOSITION_STATES, basis_counts, combine

    be, emb, d, r = job["backend"], job["embedding"], job["d"], job["rounds"]
    theta, phi = job["angles"]
    tcs = {b: tomography_circuit(d, (theta, phi), b, r) for b in "XYZ"}
    isa = dict(zip("XYZ", isa_circuits(list(tcs.values()), be, emb, seed=seed), strict=True))
    ops = {b: check_isa(c, be) for b, c in isa.items()}
    write_stim(out / "circuit.stim", injection_circuit(d, (theta, phi), r), force=True)
    for b in "XYZ":
        write_stim(out / f"tomography_{b}.stim", tcs[b].circuit, force=True)
        atomic_write_text(out / f"tomography_{b}.qasm", to_qasm3(isa[b]), overwrite=True)
    atomic_write(out / "circuit_isa.qpy", lambda fh: qpy.dump(list(isa.values()), fh),
                 overwrite=True)
    if job["sim"] == "aer":
        from qiskit_aer import AerSimulator
        from qiskit_aer.noise import NoiseModel

        model = NoiseModel.from_backend(be, thermal_relaxation=False)
        simulator = AerSimulator(method="matrix_product_state", noise_model=model,
                                 seed_simulator=seed, max_parallel_experiments=workers)
        counts = {}
        for b in "XYZ":
            res = simulator.run(isa[b], shots=shots).result().get_counts()
            bits, mult = counts_to_bits(res, isa[b].num_clbits)
            counts[b] = {"direct": basis_counts(tcs[b], bits, mult, job["postselect"])}
        noise_desc = f"qiskit-aer NoiseModel.from_backend({be.name}, thermal_relaxation=False)"
    else:
        counts = {b: {} for b in "XYZ"}
        for k, lab in enumerate(DECOMPOSITION_STATES):
            for b in "XYZ":
                tc = tomography_circuit(d, lab, b, r)
                noisy = backend_pauli_noise(tc.circuit, be, emb)
                bits = noisy.compile_sampler(seed=seed + 10 * k + "XYZ".index(b)).sample(shots)
                counts[b][lab] = basis_counts(tc, bits.astype(np.uint8), None,
                                              job["postselect"])
        noise_desc = f"stim Pauli noise from {be.name}'s calibration (circuits.injection." \
                     "backend_noise), state by linearity from 0, 1, +, +i"
    result = combine(counts, theta, phi)
    plot_layout(emb, be, out / "layout.png")
    plot_bloch(result, out / "bloch.png", title=f"{job['label']} on {be.name}")
    report = {"parameters": {"d": d, "state": job["label"], "theta": theta, "phi": phi,
                             "backend": be.name, "shots": shots, "rounds": r, "sim": job["sim"],
                             "postselect": job["postselect"], "seed": seed},
              "result": result, "noise_model": noise_desc, "layout": emb.to_dict(),
              "isa_ops": ops, "versions": versions(),
              "counts": {b: {k: v.__dict__ for k, v in c.items()} for b, c in counts.items()},
              "paper": {"H": 0.8806, "T": 0.8665, "min_arbitrary": 0.8356,
                        "success_rate": 0.3628}}
    atomic_write_json(out / "report.json", report, overwrite=True)
    lo, hi = result["fidelity_ci95"]
    typer.echo(f"F = {result['fidelity']:.4f} (95% CI [{lo:.4f}, {hi:.4f}]), success rate "
               f"{result['success_rate']:.4f}, patch {sorted(emb.physical)[:4]}... -> {out}/")
