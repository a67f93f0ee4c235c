"""The magnetisation-conserving ``u1`` block against ``su4`` and ``xxz`` on XXZ dynamics.

The job (part 5 of issue 13)
----------------------------
XXZ chain ``H = J sum (Sx Sx + Sy Sy + Delta Sz Sz)`` with ``J = 1``,
``Delta = 0.5`` (Pauli convention ``xxz(n, 0.25, 0.125)``), Neel start, time
``t``; target by 4th-order TEBD (``dt = 0.025``, ``chi <= 256``, cutoff 1e-12).
For every block (``su4``: 15 parameters, ``xxz``: 5, ``u1``: 4 per block) and
every ``L``: ``aqc.compile`` from that block's own Trotter start
(``trotter_order="auto"``), per-qubit log-fidelity, L-BFGS-B, ``--maxiter``
iterations.  Rows: fidelity against the number of parameters and against the
CX depth (``3 L`` for all three blocks), and the total magnetisation of the
compiled state (``sum <Z_i>``, conserved exactly by ``u1`` only; the target
has 0).

Run: ``python benchmarks/bench_aqc_u1.py`` (``--quick``: n = 8).
Results: ``benchmarks/results/aqc_u1.json`` (written after every row).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import jax
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _provenance

import aqc
from mps import MPS, evolve, xxz
from mps.atomic import atomic_write_json

HERE = Path(__file__).resolve().parent


def _write(report: dict, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_json(out, report, overwrite=True)  # the project's atomic writer


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[20])
    ap.add_argument("--t", type=float, default=2.0)
    ap.add_argument("--layers", type=int, nargs="+", default=[2, 3, 4, 6, 8])
    ap.add_argument("--blocks", nargs="+", default=["su4", "xxz", "u1"])
    ap.add_argument("--maxiter", type=int, default=200)
    ap.add_argument("--device-label", default=None)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "aqc_u1.json")
    args = ap.parse_args()
    if args.quick:
        args.n, args.layers, args.maxiter = [8], [2, 3], 20
    report = {
        "benchmark": "AQC blocks on XXZ dynamics (Delta = 0.5): su4 vs xxz vs u1",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "host": {"hostname": platform.node(), "cpu": _provenance.cpu_model(),
                 "cpus": os.cpu_count(), "load": os.getloadavg(),
                 "jax_devices": [str(d) for d in jax.devices()],
                 "device_label": args.device_label},
        "parameters": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "hamiltonian": "H = 0.25 sum (XX + YY + 0.5 ZZ) (Pauli) = sum (SxSx + SySy + 0.5 SzSz)",
        "versions": _provenance.package_versions(("numpy", "scipy", "jax", "jaxlib", "qiskit")),
        "cases": [],
    }
    for n in args.n:
        chain = xxz(n, 0.25, 0.125)
        t0 = time.perf_counter()
        tres = evolve(chain, MPS.neel(n), args.t, 0.025, order=4, max_bond=256, cutoff=1e-12)
        target = tres.state
        case = {"n": n, "t": args.t, "target": {"max_bond": target.max_bond(),
                                                "truncation_error": tres.truncation_error,
                                                "seconds": time.perf_counter() - t0},
                "rows": []}
        report["cases"].append(case)
        for layers in args.layers:
            for block in args.blocks:
                ans = aqc.BrickworkAnsatz(n, layers, block)
                res = aqc.compile(target, ans, init="trotter", maxiter=args.maxiter)
                mz = float(np.sum(ans.state(res.params).expect_z()))
                row = {"block": block, "layers": layers, "num_params": ans.num_params,
                       "two_qubit_depth": ans.two_qubit_depth, "cx_count": ans.cx_count,
                       "fidelity": res.fidelity, "init_fidelity": res.init_fidelity,
                       "iterations": res.n_iter, "stop_reason": res.stop_reason,
                       "start": res.stages[-1]["start"], "total_magnetisation": mz,
                       "seconds": res.timings["total"]}
                case["rows"].append(row)
                print(f"n={n} L={layers} {block:3s}: F={res.fidelity:.6f} "
                      f"(start {res.init_fidelity:.6f}) params={ans.num_params} "
                      f"sum Z={mz:+.1e} {row['seconds']:.1f} s", flush=True)
                _write(report, args.out)
    _write(report, args.out)


if __name__ == "__main__":
    main()
