"""Batch compaction in the batched MET optimisers: the same job with and without it.

A grid-search round of the paper's protocol optimises one problem per (test time, start):
test times above the MET stop within tens of iterations at ``E - E0 <= 1e-7``, those below
run to the cap, yet a fixed batch costs its full size until the last problem stops.  With
``compact=k`` (:func:`circuits.pulse.batch_lbfgs.run_chunks`) the open problems continue in
a batch of the next power of two once half have stopped.

The job: H2 at 0.75 Å (the paper's table), the lab-frame device of Long et al. (2 qubits,
10 slices), ``--times`` durations on the paper's grid between 1.0 and 3.5 ns (its MET is
2.43 ns) x ``--starts`` seeded random starts, one batched L-BFGS call.  Each mode runs
twice: the first call includes the compilations (one per batch size), the second is the
steady state.  Every problem's iterations and final error must agree between the modes.
Results: ``benchmarks/results/pulse_compact.json``.

Usage::

    python benchmarks/bench_pulse_compact.py --times 16 --starts 2
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import jax
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._provenance import cpu_model, package_versions
from circuits.pulse.lab import LabControls, LabSpinChain
from circuits.pulse.lab_met import optimize_batch
from circuits.pulse.tables import HF_INDEX, hamiltonian_at
from mps.atomic import atomic_write_json


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--times", type=int, default=16)
    ap.add_argument("--starts", type=int, default=2)
    ap.add_argument("--substeps", type=int, default=8)
    ap.add_argument("--maxiter", type=int, default=300)
    ap.add_argument("--compact", type=int, default=4, help="smallest compacted batch")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" /
                                         "pulse_compact.json"))
    args = ap.parse_args(argv)
    if min(args.times, args.starts, args.substeps, args.maxiter, args.compact) < 1:
        ap.error("--times, --starts, --substeps, --maxiter and --compact must be >= 1")
    grid = np.linspace(0.0, 24.0, 307)  # the paper's H2 grid
    ts = grid[(grid >= 1.0) & (grid <= 3.5)]
    ts = ts[np.linspace(0, ts.size - 1, args.times).round().astype(int)]
    ham = hamiltonian_at("h2", 0.75)
    e0 = float(np.linalg.eigvalsh(ham)[0])
    ctl = LabControls(LabSpinChain.long2024(2), 10)
    x0 = ctl.random_x(args.seed, args.starts * ts.size)
    t = np.repeat(ts, args.starts)
    kw = dict(substeps=args.substeps, maxiter=args.maxiter, stop_error=1e-7, chunk=5)
    rows, res = {}, {}
    for name, compact in (("fixed", 0), ("compact", args.compact)):
        calls = []
        for _ in range(2):
            t0 = time.perf_counter()
            r = optimize_batch(ctl, x0, t, np.eye(4)[HF_INDEX["h2"]], ham, e0,
                               compact=compact, **kw)
            calls.append(time.perf_counter() - t0)
        res[name] = r
        rows[name] = {"first_call_s": calls[0], "second_call_s": calls[1],
                      "iterations": r.iterations.tolist(), "errors": r.errors.tolist()}
        print(f"{name:8s} first call {calls[0]:7.2f} s, second {calls[1]:7.2f} s; "
              f"iterations mean {r.iterations.mean():.0f} max {r.iterations.max()}", flush=True)
    same = bool(np.array_equal(res["fixed"].iterations, res["compact"].iterations)
                and np.allclose(res["fixed"].errors, res["compact"].errors,
                                rtol=1e-8, atol=1e-14))
    ratio = rows["fixed"]["second_call_s"] / rows["compact"]["second_call_s"]
    ratio1 = rows["fixed"]["first_call_s"] / rows["compact"]["first_call_s"]
    print(f"compaction: {ratio:.2f}x faster (steady), {ratio1:.2f}x with compilation; "
          f"same result per problem: {same}")
    out = {"benchmark": "pulse_compact", "command": " ".join(sys.argv), "cpu": cpu_model(),
           "device": jax.devices()[0].device_kind,
           "versions": package_versions(["jax", "numpy"]), "parameters": vars(args),
           "t_ns": t.tolist(), "results": rows, "speedup_steady": ratio,
           "speedup_with_compilation": ratio1, "same_result_per_problem": same}
    atomic_write_json(args.out, out, overwrite=True)  # results files are refreshed
    print("wrote", args.out)
    if not same:
        raise SystemExit("compaction changed a problem's result")


if __name__ == "__main__":
    main()
