"""Sampling rate of ``circuits.cultivation.sample`` vs raw stim and sinter, same circuit.

Job: the d = 3 cultivation circuit (GSJ unitary injection + double check) under uniform
depolarising noise p = 1e-3, post-selected on every detector.  In the same run:

* ours, 1 worker  vs  raw stim (``compile_detector_sampler`` + NumPy post-selection) on
  one core;
* ours, 2 workers vs  ``sinter.collect`` with 2 workers (``vacuous`` decoder, the same
  post-selection mask).

Prints the shots-per-second ratios and writes ``benchmarks/results/cultivation.json``.
Usage: ``python benchmarks/bench_cultivation.py [--shots 4e7]``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import sinter
from _provenance import cpu_model, package_versions

from circuits.cultivation import (
    cultivation_circuit,
    postselection_mask,
    sample,
    sinter_task,
    uniform_depolarizing,
)
from mps.atomic import atomic_write_json


def raw_stim(circuit, shots: int, batch: int = 262_144) -> tuple[int, int, float]:
    mask = np.packbits(postselection_mask(circuit), bitorder="little")
    sampler = circuit.compile_detector_sampler(seed=1)
    t0 = time.perf_counter()
    discards = errors = done = 0
    while done < shots:
        n = min(batch, shots - done)
        dets, obs = sampler.sample(n, separate_observables=True, bit_packed=True)
        bad = (dets[:, : mask.size] & mask).any(axis=1)
        discards += int(bad.sum())
        errors += int(obs[~bad].any(axis=1).sum())
        done += n
    return discards, errors, time.perf_counter() - t0


def with_sinter(circuit, shots: int, workers: int) -> tuple[int, int, float, int]:
    t0 = time.perf_counter()
    (stats,) = sinter.collect(num_workers=workers, tasks=[sinter_task(circuit)],
                              decoders=["vacuous"], max_shots=shots)
    return stats.discards, stats.errors, time.perf_counter() - t0, stats.shots


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shots", type=float, default=4e7)
    ap.add_argument("--p", type=float, default=1e-3)
    args = ap.parse_args()
    shots = int(args.shots)
    circuit = cultivation_circuit(3, noise=uniform_depolarizing(args.p))
    rows = {}
    t0 = time.perf_counter()
    ours1 = sample(circuit, shots, seed=1, num_workers=1)
    rows["ours_1_worker"] = {"seconds": time.perf_counter() - t0, "shots": ours1.shots,
                             "discard_rate": ours1.discard_rate}
    d, _, sec = raw_stim(circuit, shots)
    rows["raw_stim_1_core"] = {"seconds": sec, "shots": shots, "discard_rate": d / shots}
    t0 = time.perf_counter()
    ours2 = sample(circuit, shots, seed=1, num_workers=2)
    rows["ours_2_workers"] = {"seconds": time.perf_counter() - t0, "shots": ours2.shots,
                              "discard_rate": ours2.discard_rate}
    d, _, sec, n = with_sinter(circuit, shots, 2)
    rows["sinter_2_workers"] = {"seconds": sec, "shots": n, "discard_rate": d / n}
    for r in rows.values():
        r["shots_per_second"] = r["shots"] / r["seconds"]
    rate = {name: r["shots_per_second"] for name, r in rows.items()}
    ratio1 = rate["ours_1_worker"] / rate["raw_stim_1_core"]
    ratio2 = rate["ours_2_workers"] / rate["sinter_2_workers"]
    for name, r in rows.items():
        print(f"{name:18s} {r['shots']:>11d} shots {r['seconds']:7.2f} s "
              f"{r['shots_per_second']:10.3g} shots/s  discard {r['discard_rate']:.4f}")
    print(f"ours / raw stim (1 core): {ratio1:.2f}x the rate; ours / sinter (2 workers): "
          f"{ratio2:.2f}x the rate (target: >= 1/1.2 = 0.83)")
    out = {"job": {"circuit": "cultivation d=3 (GSJ unitary injection + double check)",
                   "noise": f"uniform_depolarizing({args.p})", "shots": shots},
           "rows": rows, "rate_ratio_ours_vs_raw_stim": ratio1,
           "rate_ratio_ours_vs_sinter": ratio2, "cpu": cpu_model(),
           "versions": package_versions(["stim", "sinter", "numpy"])}
    path = Path(__file__).parent / "results" / "cultivation.json"
    atomic_write_json(path, out, overwrite=True)
    print(f"-> {path}")


if __name__ == "__main__":
    main()
