"""Write the results JSON of pulse_met_paper.py runs, with a summary beside the paper's numbers.

Usage::

    python benchmarks/pulse_met_paper_summary.py RUN.json [MORE_RUNS.json ...] \
        [--gpu-log DEVICE_LOG.txt --gpu-note TEXT] --out benchmarks/results/pulse_met_paper.json

``RUN.json`` is summarised; further runs are stored beside it.

The summary puts each headline MET (maximum over the bond scan) beside the paper's, states
how many of the scan's bond distances finished their bisection, and estimates how long the
paper's full protocol (every grid time x 80 r x 4 starts) would take at the measured
throughput (seconds per problem-optimisation of the batched rounds).  Haar runs: the
fraction of pairs below 50 ns (4 qubits) and the median MET at the x8 drive bound.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path


def summarise(gpu: dict) -> dict:
    """Headline numbers of one run (see the module docstring)."""
    out = {"device": gpu.get("device"), "molecules": {}, "haar": []}
    for name, c in gpu.get("molecules", {}).items():
        mets = [m for m in c["met_ns"] if m is not None]
        done = sum(bool(v) for v in c["complete"])
        full_opts = c["grid"]["points"] * 80 * 4
        out["molecules"][name] = {
            "max_met_ns": c["max_met_ns"], "argmax_r_angstrom": c["argmax_r_angstrom"],
            "paper_ns": c["paper_ns"], "paper_grid_ns": c["paper_grid_ns"],
            "ratio_to_paper": None if c["max_met_ns"] is None
            else c["max_met_ns"] / c["paper_ns"],
            "within_10_percent": c["within_10_percent"],
            "same_grid_point": c["same_grid_point"],
            "r_run": len(c["r_angstrom"]), "r_complete": done,
            "met_is_upper_bound": not c["all_complete"],
            "min_met_ns": min(mets) if mets else None,
            "seconds": c["seconds"], "seconds_per_met": c["seconds_per_met"],
            "seconds_per_optimisation": c["seconds_per_optimisation"],
            "full_protocol_optimisations": full_opts,
            "full_protocol_estimate_s": full_opts * c["seconds_per_optimisation"],
        }
    runs = list(gpu.get("haar", [])) + ([gpu["drive_check"]] if gpu.get("drive_check") else [])
    for h in runs:
        mets = [m for m in h["met_ns"] if m is not None]
        out["haar"].append({
            "qubits": h["qubits"], "drive_scale": h["drive_scale"], "pairs": h["pairs"],
            "all_complete": h["all_complete"], "unreached": h["unreached"],
            "max_met_ns": h["max_met_ns"], "median_met_ns": h["median_met_ns"],
            "fraction_below_50ns": (sum(m < 50 for m in mets) / h["pairs"]) if h["pairs"]
            else None,
            "seconds_per_met": h["seconds_per_met"]})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run")
    ap.add_argument("more", nargs="*")
    ap.add_argument("--gpu-log", default=None, help="log.txt of a device run")
    ap.add_argument("--gpu-note", default=None, help="what happened on the device")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" /
                                         "pulse_met_paper.json"))
    args = ap.parse_args()
    run = json.loads(Path(args.run).read_text())
    doc = {"benchmark": "pulse_met_paper", "summary": summarise(run), "run": run,
           "more_runs": [json.loads(Path(p).read_text()) for p in args.more]}
    if args.gpu_log or args.gpu_note:
        doc["gpu_attempt"] = {"note": args.gpu_note, "log": Path(args.gpu_log).read_text()
                              if args.gpu_log else None}
    path = Path(args.out)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, indent=1))
    os.replace(tmp, path)
    print(json.dumps(doc["summary"], indent=1))


if __name__ == "__main__":
    main()
