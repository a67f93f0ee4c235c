"""Cultivation sampling throughput against the number of Dask workers (parallel efficiency).

One ``LocalCluster`` per worker count (single-threaded worker processes, started before the
clock runs), the same seeded chunked job on it through
``sample(..., executor="dask", scheduler=address)``: d = 3 cultivation under uniform
depolarising noise p = 1e-3 (post-selected, stim-bound), chunks of 2^20 shots, ``chunks_per_worker``
chunks per worker (weak scaling: the work grows with the workers; ``--seconds-per-run T``
raises it so that each run lasts about ``T`` seconds), plus one serial in-process run as the
reference rate.  Efficiency = rate(w) / (w * rate(1 worker)).  Every cluster's warm-up
(one chunk per worker of the largest cluster) repeats the serial reference job, and its
counts are checked against it (identical by construction: ``counts_equal_serial``).

Usage: ``python benchmarks/bench_cultivation_scale.py --workers 1 2 [--chunks-per-worker 4]
[--seconds-per-run 20]``.
Writes ``benchmarks/results/cultivation_scale.json`` (or ``--out``); ``--merge FILE``
adds the rows of another run (e.g. the device machine's) under its machine name.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from pathlib import Path

from _provenance import cpu_model, package_versions

from circuits.cultivation import cultivation_circuit, sample, uniform_depolarizing
from mps.atomic import atomic_write_json

CHUNK = 1 << 20


def measure(workers: list[int], chunks_per_worker: int, seed: int,
            seconds_per_run: float | None = None) -> dict:
    from distributed import LocalCluster

    circuit = cultivation_circuit(3, noise=uniform_depolarizing(1e-3))
    t0 = time.perf_counter()
    # the reference job: one chunk per worker of the largest cluster, run serially here and
    # as every cluster's warm-up (each worker imports the package and compiles the circuit)
    ref_shots = CHUNK * max(max(workers), chunks_per_worker)
    ref = sample(circuit, ref_shots, seed=seed, chunk_shots=CHUNK)
    serial_rate = ref_shots / (time.perf_counter() - t0)
    if seconds_per_run:  # enough chunks per worker for about that long a run
        chunks_per_worker = max(chunks_per_worker,
                                math.ceil(seconds_per_run * serial_rate / CHUNK))
        print(f"serial {serial_rate:.3g} shots/s: {chunks_per_worker} chunks per worker",
              flush=True)
    rows = []
    base = None
    for w in workers:
        t_start = time.perf_counter()
        with LocalCluster(n_workers=w, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster:
            startup = time.perf_counter() - t_start
            shots = CHUNK * chunks_per_worker * w
            warm = sample(circuit, ref_shots, seed=seed, chunk_shots=CHUNK, executor="dask",
                          scheduler=cluster.scheduler_address)
            t0 = time.perf_counter()
            stats = sample(circuit, shots, seed=seed, chunk_shots=CHUNK, executor="dask",
                           scheduler=cluster.scheduler_address)
            seconds = time.perf_counter() - t0
        rate = shots / seconds
        base = base or rate / w
        same = (warm.shots, warm.discards, warm.errors) == \
            (ref.shots, ref.discards, ref.errors)
        rows.append({"workers": w, "shots": shots, "seconds": seconds,
                     "shots_per_second": rate, "efficiency_vs_1_worker": rate / (w * base),
                     "cluster_startup_seconds": startup, "discards": stats.discards,
                     "errors": stats.errors, "counts_equal_serial": same})
        print(f"{w:3d} workers: {shots:.3g} shots in {seconds:.2f} s = {rate:.3g} shots/s, "
              f"efficiency {rate / (w * base):.2f} (cluster start {startup:.1f} s)", flush=True)
    return {"serial_in_process_shots_per_second": serial_rate, "rows": rows,
            "chunks_per_worker": chunks_per_worker}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--chunks-per-worker", type=int, default=4)
    ap.add_argument("--seconds-per-run", type=float, default=None,
                    help="raise the chunks per worker so that each run lasts about this long")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--machine", default="this machine")
    ap.add_argument("--out", type=Path,
                    default=Path(__file__).parent / "results" / "cultivation_scale.json")
    ap.add_argument("--merge", type=Path, nargs="*", default=[],
                    help="result files of other machines to merge into --out")
    ap.add_argument("--no-run", action="store_true", help="only merge")
    args = ap.parse_args()
    out = json.loads(args.out.read_text()) if args.out.exists() else {"machines": {}}
    if not args.no_run:
        res = measure(args.workers, args.chunks_per_worker, args.seed,
                      args.seconds_per_run)
        out["machines"][args.machine] = {
            **res, "cpu": cpu_model(), "cpu_count": os.cpu_count(),
            "job": "d=3 cultivation, uniform p=1e-3, chunks of 2^20 shots, "
                   f"{res['chunks_per_worker']} chunks per worker (weak scaling)",
            "command": "python benchmarks/bench_cultivation_scale.py --workers "
                       + " ".join(map(str, args.workers))
                       + f" --chunks-per-worker {args.chunks_per_worker}"
                       + (f" --seconds-per-run {args.seconds_per_run:g}"
                          if args.seconds_per_run else ""),
            "versions": package_versions(["stim", "numpy", "dask", "distributed"])}
    for path in args.merge:
        other = json.loads(Path(path).read_text())
        out["machines"].update(other["machines"])
    atomic_write_json(args.out, out, overwrite=True)
    print(f"-> {args.out}")


if __name__ == "__main__":
    main()
