"""Memory thresholds of the heavy-hex rotated surface code (bridge qubits) vs a plain rotated code.

sinter + pymatching at d = 3, 5, 7 (``d`` rounds), uniform depolarising and SI1000 noise
(:mod:`circuits.cultivation.noise`), Z memory (bit flips) and X memory (phase flips).
The plain rotated code is ``stim.Circuit.generated("surface_code:rotated_memory_*")`` with
the same noise model applied.  Thresholds are the crossings of the d = 5 and d = 7
curves (and 3/5), with bootstrap 95 % intervals.  Paper (Kim, Sevior, Usman 2024):
bit flip ~0.37 %, phase flip ~0.31 %.

Usage: ``python benchmarks/injection_threshold.py [--workers W] [--max-shots N]
[--max-errors K] [--quick]`` -> ``benchmarks/results/injection_threshold.json`` and
``injection_threshold.png`` beside it.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _provenance import cpu_model, package_versions

from circuits.injection.thresholds import (
    crossing,
    plot_thresholds,
    points_from_stats,
    threshold_tasks,
)

PAPER = {"bit_flip": 0.0037, "phase_flip": 0.0031,
         "source": "Kim, Sevior, Usman, arXiv:2412.01446 (rotated heavy-hex surface code)"}
GRIDS = {"heavy_hex": [5e-4, 1e-3, 1.5e-3, 2e-3, 3e-3, 4e-3, 5e-3],
         "rotated": [2e-3, 3e-3, 4e-3, 5e-3, 6e-3, 8e-3, 1e-2]}


def _tasks(job):
    code, noise, basis, d, ps = job
    return threshold_tasks([d], ps, noises=[noise], bases=[basis], codes=[code])


def main(argv=None) -> int:
    import sinter

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--max-shots", type=int, default=20_000)
    ap.add_argument("--max-errors", type=int, default=300)
    ap.add_argument("--quick", action="store_true", help="d = 3, 5, two p values, one noise")
    ap.add_argument("--noises", default="uniform,si1000",
                    help="comma list of uniform, si1000, uniform_noidle")
    ap.add_argument("--csv", type=Path, default=None,
                    help="sinter resume file: stats are saved as they come (and reused)")
    ap.add_argument("--from-csv", type=Path, nargs="*", default=None,
                    help="only analyse these sinter CSV files (no sampling)")
    ap.add_argument("--out", type=Path,
                    default=Path(__file__).resolve().parent / "results" /
                    "injection_threshold.json")
    args = ap.parse_args(argv)
    t0 = time.time()
    ds = [3, 5] if args.quick else [3, 5, 7]
    noises = ["uniform"] if args.quick else args.noises.split(",")
    if args.from_csv:
        stats = sinter.read_stats_from_csv_files(*args.from_csv)
    else:
        jobs = [(code, noise, basis, d, tuple(grid[2:4] if args.quick else grid))
                for code, grid in GRIDS.items() for noise in noises for basis in "ZX"
                for d in ds]
        with ProcessPoolExecutor(max_workers=args.workers) as pool:
            tasks = [t for chunk in pool.map(_tasks, jobs) for t in chunk]
        print(f"{len(tasks)} tasks built in {time.time() - t0:.0f} s", flush=True)
        stats = sinter.collect(num_workers=args.workers, tasks=tasks, decoders=["pymatching"],
                               max_shots=args.max_shots, max_errors=args.max_errors,
                               save_resume_filepath=args.csv)
    points = points_from_stats(stats)
    table = []
    for code in GRIDS:
        for noise in noises:
            for basis in "ZX":
                sel = [q for q in points if (q.code, q.noise, q.basis) == (code, noise, basis)]
                row = {"code": code, "noise": noise, "basis": basis,
                       "kind": "bit flip" if basis == "Z" else "phase flip"}
                for a, b in itertools.pairwise(ds):
                    row[f"crossing_{a}_{b}"] = crossing(sel, a, b)
                table.append(row)
                best = row.get(f"crossing_{ds[-2]}_{ds[-1]}", {}).get("estimate")
                print(f"{code:9s} {noise:7s} {basis}: threshold "
                      f"{best if best is None else f'{best:.4%}'}", flush=True)
    png = args.out.with_suffix(".png")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    plot_thresholds(points, png)
    report = {
        "paper": PAPER, "thresholds": table,
        "points": [{**q.__dict__, "rate": q.rate, "ci95": list(q.interval())} for q in points],
        "rounds": "d", "decoder": "pymatching (sinter)", "plot": png.name,
        "parameters": {"max_shots": args.max_shots, "max_errors": args.max_errors,
                       "grids": GRIDS, "distances": ds, "noises": noises},
        "seconds": time.time() - t0,
        "machine": {"cpu": cpu_model(), "cores": os.cpu_count(), "workers": args.workers},
        "versions": package_versions(["numpy", "stim", "sinter", "pymatching"]),
        "command": "python benchmarks/injection_threshold.py " + " ".join(argv or sys.argv[1:]),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1, sort_keys=True) + "\n")
    print(f"wrote {args.out} and {png} in {report['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
