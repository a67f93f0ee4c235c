"""Sweeps: a grid of compile jobs run through a ``concurrent.futures``-style executor.

A sweep file holds a base job (the sections of a job file, under ``[base]``),
the grid and the sweep's own settings::

    [base.model]
    j = 0.25
    [base.optimize]
    maxiter = 200

    [grid]                 # lists; the cartesian product is run
    n = [20, 50, 100]      # short names: n, t, layers, seed, block
    t = [1.0, 2.0]
    layers = [2, 4, 6]
    "optimize.objective" = ["log", "infidelity"]   # or any "section.key"

    [sweep]
    out = "runs/sweep"
    workers = 2            # local processes

``tnqc sweep --resume`` reads the finished jobs' reports and runs only the others
(an interrupted job continues from its checkpoint); Ctrl-C gathers the jobs finished so
far into ``results.csv`` / ``results.json`` before it stops.  At most
:data:`MAX_SWEEP_JOBS` grid points.

Jobs run in separate processes (``executor="process"``, the default), in the
calling process (``"serial"``), or on a Dask cluster (``"dask"`` with a
scheduler address; ``distributed.Client.get_executor()`` is a
``concurrent.futures.Executor``).  Each job writes its own folder
``<out>/job-NNN``; the results gather into ``results.csv``, ``results.json``
and ``results.png`` (fidelity vs two-qubit depth).

Example
-------
>>> from circuits.sweep import SweepSpec
>>> spec = SweepSpec.from_mapping({"grid": {"n": [8, 12], "layers": [2, 4]}})
>>> spec.grid
(('model.n', (8, 12)), ('circuit.layers', (2, 4)))
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mps.atomic import atomic_write, atomic_write_json, atomic_write_text

from .jobs import RESUME_FREE, JobError, JobInterrupted, JobSpec, read_toml, run_compile_job
from .rundir import job_differences, prepare_output_dir, read_json

__all__ = ["EXECUTORS", "MAX_SWEEP_JOBS", "SWEEP_FILES", "SweepInterrupted", "SweepSpec",
           "run_sweep"]

MAX_SWEEP_JOBS = 10_000
"""Grid points of one sweep (the product of the grid's list lengths)."""

SWEEP_FILES = ("sweep.json", "results.csv", "results.json", "results.png", "job-[0-9]*/")
"""What a sweep writes into its folder; ``--force`` removes these."""


class SweepInterrupted(Exception):
    """Ctrl-C during a sweep: ``done`` of ``total`` jobs were gathered into results.csv."""

    def __init__(self, out: Path, done: int, total: int) -> None:
        self.out, self.done, self.total = out, done, total
        super().__init__(f"interrupted after {done} of {total} jobs")

    def __reduce__(self):
        return (SweepInterrupted, (self.out, self.done, self.total))

EXECUTORS = ("process", "serial", "dask")
SHORT_KEYS = {"n": "model.n", "t": "target.t", "layers": "circuit.layers",
              "seed": "optimize.seed", "block": "circuit.block"}
COLUMNS = ("job", "n", "t", "layers", "block", "seed", "fidelity", "init_fidelity",
           "two_qubit_depth", "cx_count", "iterations", "best_trotter_fidelity_at_depth",
           "seconds", "out")


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep: the base job, the grid axes and the sweep settings."""

    base: JobSpec
    grid: tuple[tuple[str, tuple[Any, ...]], ...]
    out: str = "runs/sweep"
    workers: int = 2

    @classmethod
    def from_toml(cls, path: str | Path) -> SweepSpec:
        path = Path(path)
        return cls.from_mapping(read_toml(path, "sweep file"), source=str(path))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str = "sweep") -> SweepSpec:
        unknown = set(data) - {"base", "grid", "sweep"}
        if unknown:
            raise JobError(f"{source}: unknown key(s) {sorted(map(str, unknown))}; allowed: "
                           "[base], [grid], [sweep]")
        base = JobSpec.from_mapping(data.get("base", {}), source=f"{source} [base]")
        for name in ("grid", "sweep"):
            if not isinstance(data.get(name, {}), Mapping):
                raise JobError(f"{source}: [{name}] must be a table")
        grid_in = data.get("grid", {})
        if not isinstance(grid_in, Mapping) or not grid_in:
            raise JobError(f"{source}: [grid] must be a table of lists, e.g. n = [20, 50]")
        grid = []
        for key, values in grid_in.items():
            full = SHORT_KEYS.get(key, key)
            if "." not in full:
                raise JobError(f"{source}: [grid] key {key!r} must be one of {sorted(SHORT_KEYS)} "
                               "or 'section.key'")
            if not isinstance(values, list) or not values:
                raise JobError(f"{source}: [grid] {key} must be a non-empty list")
            grid.append((full, tuple(values)))
        size = math.prod(len(v) for _, v in grid)
        if size > MAX_SWEEP_JOBS:
            raise JobError(f"{source}: the grid has {size} points, more than {MAX_SWEEP_JOBS}")
        settings = data.get("sweep", {})
        unknown = set(settings) - {"out", "workers"}
        if unknown:
            raise JobError(f"{source}: unknown key(s) {sorted(map(str, unknown))} in [sweep]; "
                           "allowed: out, workers")
        out = settings.get("out", "runs/sweep")
        workers = settings.get("workers", 2)
        if not isinstance(out, str):
            raise JobError(f"{source}: [sweep] out must be a string")
        if not isinstance(workers, int) or isinstance(workers, bool) or not 1 <= workers <= 1024:
            raise JobError(f"{source}: [sweep] workers must be an integer in 1..1024")
        spec = cls(base=base, grid=tuple(grid), out=out, workers=workers)
        list(spec.jobs())  # validate every grid point now, before anything runs
        return spec

    def jobs(self) -> Iterator[JobSpec]:
        """The grid's jobs in order, each with its own output folder."""
        keys = [k for k, _ in self.grid]
        for index, combo in enumerate(itertools.product(*(v for _, v in self.grid))):
            data = self.base.to_dict()
            for key, value in zip(keys, combo, strict=True):
                section, name = key.split(".", 1)
                if section not in data or name not in data[section]:
                    raise JobError(f"sweep: unknown grid key {key!r}")
                data[section][name] = value
            data["output"]["out"] = str(Path(self.out) / f"job-{index:03d}")
            where = f"sweep grid point {index} ({key_desc(keys, combo)})"
            yield JobSpec.from_mapping(data, source=where)


def key_desc(keys: list[str], combo: tuple[Any, ...]) -> str:
    """A grid point as ``"key=value, ..."`` (used in logs and error messages)."""
    return ", ".join(f"{k}={v!r}" for k, v in zip(keys, combo, strict=True))


def _row(report: Mapping[str, Any], out: str) -> dict[str, Any]:
    """The results.csv row of one job's report."""
    depth = report["two_qubit_depth"]
    trot = [r["fidelity"] for r in report["trotter_baseline"] if r["two_qubit_depth"] <= depth]
    return {
        "n": report["n"], "t": report["t"], "layers": report["layers"], "block": report["block"],
        "seed": report["seed"], "fidelity": report["fidelity"],
        "init_fidelity": report["init_fidelity"], "two_qubit_depth": depth,
        "cx_count": report["cx_count"], "iterations": report["iterations"],
        "best_trotter_fidelity_at_depth": max(trot) if trot else None,
        "seconds": report["timings"]["total_s"], "out": out,
    }


def _run_one(job: dict[str, Any], resume: bool = False) -> dict[str, Any]:
    """Worker: run one job (a plain dict, so it pickles for any executor).

    With ``resume``, a job folder holding an interrupted run continues from its
    checkpoint; one that cannot be resumed (corrupt files) starts again.
    """
    spec = JobSpec.from_mapping(job)
    report = None
    if resume and (Path(spec.output.out) / "job.json").is_file():
        try:
            report = run_compile_job(spec, resume=True)
        except JobError:
            report = None
    if report is None:
        report = run_compile_job(spec, force=True)
    return _row(report, spec.output.out)


def _finished_row(spec: JobSpec) -> dict[str, Any] | None:
    """The row of a job whose folder holds a complete report of this very job, else None."""
    path = Path(spec.output.out) / "report.json"
    if not path.is_file():
        return None
    try:
        report = read_json(path, "job report")
        if job_differences(report["job"], json.loads(json.dumps(spec.to_dict())), RESUME_FREE):
            return None
        return _row(report, spec.output.out)
    except (JobError, AttributeError, KeyError, TypeError):
        return None


@contextmanager
def make_executor(kind: str, workers: int, scheduler: str | None) -> Iterator[Executor]:
    """A ``concurrent.futures.Executor`` for ``kind`` (process, serial or dask)."""
    if kind == "process":
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")  # JAX and threads do not survive fork
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as ex:
            yield ex
    elif kind == "serial":
        yield _SerialExecutor()
    elif kind == "dask":
        if not scheduler:
            raise JobError("--executor dask needs --scheduler ADDRESS (e.g. tcp://host:8786)")
        try:
            from distributed import Client
        except ImportError as exc:
            raise JobError("the dask executor needs 'dask[distributed]' (pip install "
                           "'tnqc[dask]')") from exc
        try:
            client = Client(scheduler, timeout="10s")
        except Exception as exc:  # distributed raises OSError, TimeoutError, ValueError, ...
            raise JobError(f"cannot reach the Dask scheduler at {scheduler}: "
                           f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
                           ) from exc
        try:
            yield client.get_executor(pure=False)
        finally:
            client.close()
    else:
        raise JobError(f"executor must be one of {EXECUTORS}, got {kind!r}")


class _SerialExecutor(Executor):
    """Runs tasks in the calling process (debugging, tests)."""

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except (KeyboardInterrupt, JobInterrupted):
            raise
        except Exception as exc:  # delivered through the future, as a pool does
            future.set_exception(exc)
        return future


def _sweep_record(spec: SweepSpec) -> dict[str, Any]:
    return json.loads(json.dumps({"base": spec.base.to_dict(),
                                  "grid": [list(g) for g in spec.grid]}))


def _check_resume(out: Path, spec: SweepSpec) -> None:
    record = out / "sweep.json"
    if not record.is_file():
        raise JobError(f"cannot resume: {out} has no sweep.json, so it holds no tnqc sweep; "
                       "run without --resume to start one")
    saved = read_json(record, "sweep record")
    mine = _sweep_record(spec)
    if not isinstance(saved, dict):
        raise JobError(f"cannot resume: {record} is not a sweep record")
    differs = [k for k in ("base", "grid") if saved.get(k) != mine[k]]
    if differs:
        raise JobError(f"cannot resume: the sweep differs from {record} in its "
                       f"{' and '.join(differs)}; resume with the same sweep file, or pass "
                       "--force to start again")


def _stop_pool(ex: Executor) -> None:
    """After Ctrl-C: cancel queued jobs and stop the running ones (they keep checkpoints)."""
    procs = list((getattr(ex, "_processes", None) or {}).values())
    ex.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        proc.terminate()


def run_sweep(
    spec: SweepSpec,
    *,
    executor: str = "process",
    scheduler: str | None = None,
    force: bool = False,
    resume: bool = False,
    on_result: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Run every grid point and gather the results into ``results.{csv,json,png}``.

    The executor (and a Dask scheduler) is checked before anything is written.  With
    ``resume``, jobs whose folders hold a finished report are not run again.

    Raises
    ------
    JobError
        For a refused folder, an unreachable scheduler or a sweep that does not match.
    SweepInterrupted
        On Ctrl-C, after the finished jobs were gathered into the results files.
    """
    if executor not in EXECUTORS:
        raise JobError(f"executor must be one of {', '.join(EXECUTORS)}, got {executor!r}")
    if executor == "dask" and not scheduler:
        raise JobError("--executor dask needs --scheduler ADDRESS (e.g. tcp://host:8786)")
    out = Path(spec.out)
    jobs = list(spec.jobs())
    with ExitStack() as stack:
        ex = stack.enter_context(make_executor(executor, spec.workers, scheduler))
        if resume:
            prepare_output_dir(out, False, resume=True)
            _check_resume(out, spec)
        else:
            prepare_output_dir(out, force, owned=SWEEP_FILES, resume_hint="sweep.json")
            atomic_write_json(out / "sweep.json", {**_sweep_record(spec), "jobs": len(jobs)},
                              overwrite=True)
        rows: dict[int, dict[str, Any]] = {}
        for index, job in enumerate(jobs):
            row = _finished_row(job) if resume else None
            if row is not None:
                rows[index] = {"job": index, **row}
                if on_result is not None:
                    on_result(rows[index])
        pending: dict[Future, int] = {}
        try:
            for index, job in enumerate(jobs):
                if index not in rows:
                    pending[ex.submit(_run_one, job.to_dict(), resume)] = index
            while pending:
                done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                for future in done:
                    index = pending.pop(future)
                    exc = future.exception()
                    if isinstance(exc, JobInterrupted):
                        raise KeyboardInterrupt
                    row = {"job": index, **future.result()}
                    rows[index] = row
                    if on_result is not None:
                        on_result(row)
        except (KeyboardInterrupt, JobInterrupted) as exc:
            _stop_pool(ex)
            for future, index in pending.items():
                if future.done() and not future.cancelled() and future.exception() is None:
                    rows[index] = {"job": index, **future.result()}
            _write_results(out, [rows[i] for i in sorted(rows)])
            raise SweepInterrupted(out, len(rows), len(jobs)) from exc
    ordered = [rows[i] for i in sorted(rows)]
    _write_results(out, ordered)
    return ordered


def _write_results(out: Path, rows: list[dict[str, Any]]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    atomic_write_text(out / "results.csv", buf.getvalue(), overwrite=True)
    atomic_write_json(out / "results.json", rows, overwrite=True)
    if rows:
        _plot(out, rows)


def _plot(out: Path, rows: list[dict[str, Any]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    groups: dict[tuple[Any, Any], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["n"], row["t"]), []).append(row)
    for (n, t), items in sorted(groups.items()):
        items = sorted(items, key=lambda r: r["two_qubit_depth"])
        ax.plot([r["two_qubit_depth"] for r in items], [r["fidelity"] for r in items], "o-",
                label=f"n={n}, t={t}")
    ax.set_xlabel("two-qubit (CX) depth")
    ax.set_ylabel("fidelity")
    ax.legend(fontsize=8)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120, bbox_inches="tight")
    plt.close(fig)
    atomic_write(out / "results.png", lambda fh: fh.write(buf.getvalue()), overwrite=True)
