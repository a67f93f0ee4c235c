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
import tomllib
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mps.atomic import atomic_write, atomic_write_json, atomic_write_text

from .jobs import JobError, JobSpec, prepare_output_dir, run_compile_job

__all__ = ["EXECUTORS", "SweepSpec", "run_sweep"]

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
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise JobError(f"{path}: cannot read the sweep file ({exc.strerror or exc})") from exc
        except tomllib.TOMLDecodeError as exc:
            raise JobError(f"{path}: malformed TOML: {exc}") from exc
        return cls.from_mapping(data, source=str(path))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str = "sweep") -> SweepSpec:
        unknown = set(data) - {"base", "grid", "sweep"}
        if unknown:
            raise JobError(f"{source}: unknown key(s) {sorted(unknown)}; allowed: [base], "
                           "[grid], [sweep]")
        base = JobSpec.from_mapping(data.get("base", {}), source=f"{source} [base]")
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
        settings = data.get("sweep", {})
        unknown = set(settings) - {"out", "workers"}
        if unknown:
            raise JobError(f"{source}: unknown key(s) {sorted(unknown)} in [sweep]; "
                           "allowed: out, workers")
        out = settings.get("out", "runs/sweep")
        workers = settings.get("workers", 2)
        if not isinstance(out, str):
            raise JobError(f"{source}: [sweep] out must be a string")
        if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
            raise JobError(f"{source}: [sweep] workers must be an integer >= 1")
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


def _run_one(job: dict[str, Any]) -> dict[str, Any]:
    """Worker: run one job (a plain dict, so it pickles for any executor)."""
    spec = JobSpec.from_mapping(job)
    report = run_compile_job(spec, force=True)
    depth = report["two_qubit_depth"]
    trot = [r["fidelity"] for r in report["trotter_baseline"] if r["two_qubit_depth"] <= depth]
    return {
        "n": report["n"], "t": report["t"], "layers": report["layers"], "block": report["block"],
        "seed": report["seed"], "fidelity": report["fidelity"],
        "init_fidelity": report["init_fidelity"], "two_qubit_depth": depth,
        "cx_count": report["cx_count"], "iterations": report["iterations"],
        "best_trotter_fidelity_at_depth": max(trot) if trot else None,
        "seconds": report["timings"]["total_s"], "out": spec.output.out,
    }


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
        except (OSError, TimeoutError) as exc:
            raise JobError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
        try:
            yield client.get_executor(pure=False)
        finally:
            client.close()
    else:
        raise JobError(f"executor must be one of {EXECUTORS}, got {kind!r}")


class _SerialExecutor(Executor):
    """Runs tasks in the calling process (debugging, tests)."""

    def map(self, fn: Callable, *iterables: Any, **_: Any) -> Iterator[Any]:  # type: ignore[override]
        return (fn(*args) for args in zip(*iterables, strict=True))


def run_sweep(
    spec: SweepSpec,
    *,
    executor: str = "process",
    scheduler: str | None = None,
    force: bool = False,
    on_result: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Run every grid point and gather the results into ``results.{csv,json,png}``."""
    out = prepare_output_dir(Path(spec.out), force)
    jobs = [job.to_dict() for job in spec.jobs()]
    atomic_write_json(out / "sweep.json", {"base": spec.base.to_dict(),
                                           "grid": [list(g) for g in spec.grid],
                                           "jobs": len(jobs)}, overwrite=True)
    rows = []
    with make_executor(executor, spec.workers, scheduler) as ex:
        for index, row in enumerate(ex.map(_run_one, jobs)):
            row = {"job": index, **row}
            rows.append(row)
            if on_result is not None:
                on_result(row)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    atomic_write_text(out / "results.csv", buf.getvalue(), overwrite=True)
    atomic_write_json(out / "results.json", rows, overwrite=True)
    _plot(out, rows)
    return rows


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
