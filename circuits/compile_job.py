"""The runner of a compile job: target by TEBD, AQC with checkpoints, resume and extension.

:func:`run_compile_job` writes ``job.json`` and ``target.npz`` first, then a
``checkpoint.npz`` every ``checkpoint_every`` iterations (atomically), and at the end
``params.npz``, ``circuit.qpy``, ``circuit.qasm`` (OpenQASM 3, loads in
``qiskit.qasm3.loads``), ``report.json`` and the plots.  ``resume=True`` continues a
killed or interrupted job from its last checkpoint with the saved target; a larger
``maxiter`` continues a finished one to the new budget.

Example
-------
A resume is checked against the run folder before any work:

>>> import tempfile
>>> from circuits.compile_job import run_compile_job
>>> from circuits.jobs import JobSpec
>>> spec = JobSpec.from_mapping({"model": {"n": 4}, "output": {"out": tempfile.mkdtemp()}})
>>> run_compile_job(spec, resume=True)  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
circuits.rundir.JobError: cannot resume: the folder has no job.json
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mps import MPS, evolve
from mps._versions import versions
from mps.atomic import atomic_write, atomic_write_json

from .compile_report import trotter_baseline, write_plots
from .jobs import (
    COMPILE_FILES,
    RESUME_EXTENDABLE,
    RESUME_FREE,
    JobSpec,
    build_chain,
    initial_state,
    read_target_file,
)
from .rundir import (
    JobError,
    JobInterrupted,
    job_differences,
    load_mps,
    load_npz,
    prepare_output_dir,
    read_json,
)

__all__ = ["run_compile_job"]



@dataclass(frozen=True)
class _Resume:
    """What a checked run folder gives a resumed job."""

    target: MPS | None
    checkpoint: dict[str, Any] | None
    points: dict[tuple[int, int], float]
    recorded_maxiter: int


def _load_resume(out: Path, spec: JobSpec) -> _Resume:
    """Check the files of ``out`` against ``spec`` before anything is written."""
    import aqc

    prepare_output_dir(out, False, resume=True)
    job_file = out / "job.json"
    if not job_file.is_file():
        raise JobError(f"cannot resume: {out} has no job.json, so it holds no tnqc compile run; "
                       "run without --resume to start one")
    saved = read_json(job_file, "job record")
    try:
        recorded = JobSpec.from_mapping(saved, source=None)
    except JobError as exc:
        raise JobError(f"cannot resume: {job_file} is not a valid compile job ({exc})") from exc
    diffs = job_differences(recorded.to_dict(), spec.to_dict(), RESUME_FREE, RESUME_EXTENDABLE)
    if diffs:
        raise JobError(f"cannot resume: the job differs from {job_file} in {'; '.join(diffs)}. "
                       "Resume with the recorded values, or start a new run with --force")
    target = None
    if (out / "target.npz").is_file():
        target = load_mps(out / "target.npz")
        if target.n != spec.model.n:
            raise JobError(f"{out / 'target.npz'}: the target has {target.n} sites, the job "
                           f"{spec.model.n}; start the run again with --force")
    checkpoint, points, finished = None, {}, False
    ck_file = out / "checkpoint.npz"
    if ck_file.is_file():
        data = load_npz(ck_file, ("params", "stage", "iteration", "point_stage",
                                  "point_iteration", "point_fidelity"), "checkpoint")
        try:
            finished = bool(load_npz(ck_file, ("finished",), "checkpoint")["finished"])
        except JobError:
            finished = False
        try:
            ansatz = aqc.BrickworkAnsatz(spec.model.n, spec.circuit.layers, spec.circuit.block)
            params = ansatz.check_params(data["params"])
            stage, iteration = int(data["stage"]), int(data["iteration"])
            keys = list(zip(data["point_stage"].tolist(), data["point_iteration"].tolist(),
                            strict=True))
            points = dict(zip(keys, map(float, data["point_fidelity"].tolist()), strict=True))
            if not 0 <= stage < spec.optimize.schedule or iteration < 0 or not points:
                raise ValueError(f"stage {stage}, iteration {iteration} out of range")
        except (ValueError, TypeError) as exc:
            raise JobError(f"{ck_file}: the checkpoint does not fit the job ({exc}); start the "
                           "run again with --force") from exc
        if target is None:
            raise JobError(f"{out}: checkpoint.npz without target.npz; start the run again "
                           "with --force")
        checkpoint = {"stage": stage, "params": params, "iteration": iteration,
                      "history": [points[k] for k in sorted(points)]}
    elif (out / "report.json").is_file():
        raise JobError(f"cannot resume: {out} holds a finished run without checkpoint.npz "
                       "(written by an older tnqc), so it cannot be extended; start again "
                       "with --force")
    if finished and spec.optimize.maxiter <= recorded.optimize.maxiter:
        raise JobError(f"nothing to resume: {out} holds a finished run (report.json); pass a "
                       f"larger maxiter than {recorded.optimize.maxiter} with --resume to "
                       "continue it, or --force to start again")
    return _Resume(target, checkpoint, points, recorded.optimize.maxiter)


def _write_checkpoint(path: Path, params, stage: int, iteration: int,
                      points: dict[tuple[int, int], float], finished: bool = False) -> None:
    keys = sorted(points)
    arrays = {"params": np.asarray(params), "stage": stage, "iteration": iteration,
              "point_stage": [k[0] for k in keys], "point_iteration": [k[1] for k in keys],
              "point_fidelity": [points[k] for k in keys], "finished": finished}
    atomic_write(path, lambda fh: np.savez(fh, **arrays), overwrite=True)


def run_compile_job(
    spec: JobSpec,
    *,
    force: bool = False,
    resume: bool = False,
    on_target_step: Callable[[Any], None] | None = None,
    on_iteration: Callable[[Any], None] | None = None,
) -> dict[str, Any]:
    """Run a compile job end to end and return its report (also written to ``report.json``).

    With ``resume``, the folder's ``job.json`` must match ``spec`` on every field that
    determines the result (:data:`RESUME_FREE` may differ; ``maxiter`` may grow, and the
    run then continues from its checkpoint to the new budget, recorded in the report as
    ``extended``); the saved target and checkpoint are reused.  A finished run keeps its
    last state in ``checkpoint.npz`` (``finished=True``) so that it can be extended.

    Raises
    ------
    JobError
        For refused output folders, unreadable run files or a resume that does not match.
    JobInterrupted
        On Ctrl-C (``KeyboardInterrupt``), naming the checkpoint to resume from.
    """
    import aqc

    out = Path(spec.output.out)
    state = _load_resume(out, spec) if resume else None
    if state is None:
        prepare_output_dir(out, force, owned=COMPILE_FILES, resume_hint="job.json")
    job = spec.to_dict()
    start = time.perf_counter()
    chain = build_chain(spec.model)
    psi0 = initial_state(spec.target.initial, spec.model.n)
    ts = spec.target
    ck_file = out / "checkpoint.npz"
    points: dict[tuple[int, int], float] = dict(state.points) if state else {}
    checkpoint = state.checkpoint if state else None
    every = spec.optimize.checkpoint_every
    progress = {"where": "while computing the target"}
    atomic_write_json(out / "job.json", job, overwrite=True)
    try:
        if state is not None and state.target is not None:
            target, t_target = state.target, 0.0
            truncation = float(target.metadata.get("truncation_error", 0.0))
        elif ts.file is not None:
            target, t_target = read_target_file(ts.file), 0.0
            target.save(out / "target.npz", overwrite=True)
            truncation = float(target.metadata.get("truncation_error", 0.0))
        else:
            tres = evolve(chain, psi0, ts.t, ts.dt, order=ts.order, max_bond=ts.max_bond,
                          cutoff=ts.cutoff, callback=on_target_step)
            target = tres.state
            target.save(out / "target.npz", overwrite=True)
            t_target, truncation = tres.wall_time, tres.truncation_error
        progress["where"] = "before the first checkpoint"
        t_phys: float | None = ts.t
        bits: str | None = psi0.as_bitstring()
        if ts.file is not None:  # what the file says it is (a TEBD state, a ground state, ...)
            chain, t_phys, bits = aqc.target_info(target)

        def callback(info) -> None:
            # fidelity history keyed by (stage, iteration); a later stage's start equals the
            # previous stage's end in aqc.compile's history, so it is not a separate point
            if not (info.stage > 0 and info.iteration == 0):
                points[(info.stage, info.iteration)] = info.fidelity
            if info.iteration > 0 and info.iteration % every == 0:
                _write_checkpoint(ck_file, info.params, info.stage, info.iteration, points)
                progress["where"] = f"after stage {info.stage}, iteration {info.iteration}"
            if on_iteration is not None:
                on_iteration(info)

        ansatz = aqc.BrickworkAnsatz(spec.model.n, spec.circuit.layers, spec.circuit.block)
        opt = spec.optimize
        res = aqc.compile(target, ansatz, optimizer=opt.optimizer, objective=opt.objective,
                          maxiter=opt.maxiter, seed=opt.seed, schedule=opt.schedule,
                          target_fidelity=opt.target_fidelity, callback=callback,
                          chain=chain, t=t_phys, initial=bits, resume=checkpoint,
                          init=opt.init, precision=opt.precision)
    except KeyboardInterrupt as exc:
        saved = ck_file if ck_file.is_file() else None
        raise JobInterrupted(out, saved, progress["where"]) from exc
    last = res.stages[-1] if res.stages else {"n_iter": res.n_iter}
    _write_checkpoint(ck_file, res.params, max(len(res.stages) - 1, 0), int(last["n_iter"]),
                      points, finished=True)
    circuit_state = ansatz.state(res.params)
    check = abs(target.overlap(circuit_state)) ** 2
    baseline = []
    if chain is not None and t_phys is not None and bits is not None:
        baseline = trotter_baseline(chain, MPS.from_bitstring(bits), target, t_phys,
                                    spec.output.trotter_steps)
    total = time.perf_counter() - start

    from qiskit import qpy

    from .export import to_qasm3

    atomic_write(out / "params.npz", lambda fh: np.savez(
        fh, params=res.params, n=spec.model.n, layers=spec.circuit.layers,
        block=spec.circuit.block), overwrite=True)
    atomic_write(out / "circuit.qpy", lambda fh: qpy.dump(res.circuit, fh), overwrite=True)
    atomic_write(out / "circuit.qasm", lambda fh: fh.write(to_qasm3(res.circuit).encode()),
                 overwrite=True)
    files = ["job.json", "target.npz", "checkpoint.npz", "params.npz", "circuit.qpy",
             "circuit.qasm", "report.json"]
    isa_info = None
    if spec.output.isa is not None:
        from .isa import to_isa

        isa = to_isa(res.circuit, spec.output.isa, seed=opt.seed)
        atomic_write(out / "circuit_isa.qpy", lambda fh: qpy.dump(isa.circuit, fh),
                     overwrite=True)
        isa_info = {"backend": isa.backend_name, "layout": isa.layout,
                    "two_qubit_depth": isa.two_qubit_depth, "gate_counts": isa.gate_counts}
        files.append("circuit_isa.qpy")
    else:
        (out / "circuit_isa.qpy").unlink(missing_ok=True)  # not from this job's circuit
    extended = None
    if state is not None and spec.optimize.maxiter > state.recorded_maxiter:
        extended = {"maxiter_recorded": state.recorded_maxiter, "maxiter": spec.optimize.maxiter}
    report = {
        "command": "compile",
        "job": job,
        "n": spec.model.n,
        "model": chain.to_dict() if chain is not None else None,
        "t": t_phys,
        "layers": spec.circuit.layers,
        "block": spec.circuit.block,
        "fidelity": res.fidelity,
        "log_fidelity": res.log_fidelity,
        "fidelity_check_mps": check,
        "init_fidelity": res.init_fidelity,
        "two_qubit_depth": res.two_qubit_depth,
        "cx_count": res.cx_count,
        "trotter_baseline": baseline,
        "isa": isa_info,
        "init": res.init,
        "precision": res.precision,
        "stages": res.stages,
        "iterations": res.n_iter,
        "stop_reason": res.stop_reason,
        "resumed_from_iteration": checkpoint["iteration"] if checkpoint else None,
        "resumed_from_stage": checkpoint["stage"] if checkpoint else None,
        "extended": extended,
        "target": ({"source": "tebd", "dt": ts.dt, "order": ts.order, "max_bond": ts.max_bond,
                    "cutoff": ts.cutoff} if ts.file is None else
                   {"source": "file", "file": str(Path(ts.file).resolve()),
                    "kind": target.metadata.get("kind", "unknown"),
                    "metadata": dict(target.metadata)})
        | {"n": target.n, "truncation_error": truncation, "max_bond_reached": target.max_bond(),
           "bond_dims": target.bond_dims()},
        "timings": {**res.timings, "target_s": t_target, "total_s": total},
        "seed": opt.seed,
        "versions": versions(),
        "conventions": "Pauli operators, hbar=1, qubit i = site i (qiskit little-endian)",
        "files": files + (["fidelity.png", "z.png", "depth.png"] if spec.output.plots else []),
    }
    atomic_write_json(out / "report.json", report, overwrite=True)
    if spec.output.plots:
        what = (f"{chain.name if chain is not None else 'target'}"
                + (f" t={t_phys:g}" if t_phys is not None else
                   f" {target.metadata.get('kind', 'file')}"))
        write_plots(out, res, target, circuit_state, baseline,
                    f"{what} n={spec.model.n} L={spec.circuit.layers}")
    else:
        for name in ("fidelity.png", "z.png", "depth.png"):
            (out / name).unlink(missing_ok=True)  # plots of an earlier budget
    return report
