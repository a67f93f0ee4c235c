"""Fidelity vs two-qubit depth: AQC circuits against second-order Trotter circuits.

The job (acceptance 3 of the AQC issue)
---------------------------------------
Heisenberg chain ``H = J sum_i S_i . S_{i+1}`` with spin-1/2 operators and
``J = 1`` (in tnqc's Pauli convention ``heisenberg(n, j=0.25)``; ``--j`` changes
it), Neel start, times ``t = 1, 2``, ``n = 20, 50, 100``.  All fidelities are
measured against a high-accuracy MPS target: 4th-order TEBD, ``dt = 0.025``,
``chi <= 128``, cutoff 1e-12 (its truncation error is recorded).

* AQC: ``aqc.compile`` with ``L = 2, 4, 6, 8`` layers of ``su4`` blocks,
  Trotter start (``trotter_order="auto"``), per-qubit log-fidelity objective,
  L-BFGS-B.  Two-qubit depth ``3 L`` (3 CX per block).
* Trotter: second-order circuits with ``k = 1 .. 20`` steps; merged layers
  ``2k + 1``, each a layer of two-qubit gates of 3 CX: depth ``3 (2k + 1)``.
  Their states are computed exactly by TEBD with ``dt = t/k`` (``chi <= 256``,
  cutoff 1e-12, i.e. no truncation that matters).

Criteria printed: for every Trotter circuit of depth ``D`` and fidelity
``F_T``, the smallest AQC depth reaching ``F_T`` and whether it is <= ``D/3``;
and the per-qubit infidelity ``1 - F**(1/n)`` of each ``L`` across ``n``.

Run: ``python benchmarks/bench_aqc_depth.py`` (CPU: about 20 min on 2 cores;
on a GPU the compiles take seconds).  Results: ``benchmarks/results/aqc.json``
(written after every row, so a partial run keeps what it measured).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import time
from datetime import UTC, datetime
from pathlib import Path

import jax

import aqc
from circuits.trotter import trotter_depth
from mps import MPS, evolve, heisenberg
from mps._versions import versions

HERE = Path(__file__).resolve().parent


def trotter_rows(chain, psi0, target, t, kmax, chi):
    rows = []
    n = chain.n
    for k in range(1, kmax + 1):
        t0 = time.perf_counter()
        st = evolve(chain, psi0, t, t / k, order=2, max_bond=chi, cutoff=1e-12).state
        f = abs(target.overlap(st)) ** 2
        cost = trotter_depth(n, k, order=2)
        rows.append({"steps": k, "two_qubit_depth": cost.two_qubit_depth,
                     "cx_count": cost.cx_count, "fidelity": f,
                     "per_qubit_infidelity": 1 - f ** (1 / n),
                     "seconds": time.perf_counter() - t0})
    return rows


def aqc_row(target, n, layers, maxiter, schedule=1):
    ans = aqc.BrickworkAnsatz(n, layers, "su4")
    res = aqc.compile(target, ans, maxiter=maxiter, trotter_order="auto", schedule=schedule)
    return {"layers": layers, "two_qubit_depth": res.two_qubit_depth, "cx_count": res.cx_count,
            "fidelity": res.fidelity, "init_fidelity": res.init_fidelity,
            "per_qubit_infidelity": 1 - res.fidelity ** (1 / n), "n_iter": res.n_iter,
            "stop_reason": res.stop_reason, "start": res.stages[-1]["start"],
            "schedule": schedule,
            "timings": res.timings}


def criteria(trot, aqcs):
    out = []
    for row in trot:
        ok = [a for a in aqcs if a["fidelity"] >= row["fidelity"]]
        best = min((a["two_qubit_depth"] for a in ok), default=None)
        out.append({"trotter_steps": row["steps"], "trotter_depth": row["two_qubit_depth"],
                    "trotter_fidelity": row["fidelity"], "aqc_depth_needed": best,
                    "ratio": None if best is None else best / row["two_qubit_depth"],
                    "third_or_less": None if best is None else best * 3 <= row["two_qubit_depth"]})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[20, 50, 100])
    ap.add_argument("--t", type=float, nargs="+", default=[1.0, 2.0])
    ap.add_argument("--layers", type=int, nargs="+", default=[2, 4, 6, 8])
    ap.add_argument("--trotter-steps", type=int, default=20)
    ap.add_argument("--j", type=float, default=0.25, help="Pauli coupling (0.25 = J S.S, J=1)")
    ap.add_argument("--chi", type=int, default=128)
    ap.add_argument("--maxiter", type=int, default=300)
    ap.add_argument("--schedule", type=int, default=1, help="time stages of aqc.compile")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "aqc.json")
    args = ap.parse_args()

    report = {
        "benchmark": "aqc fidelity vs two-qubit depth (AQC vs 2nd-order Trotter)",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": {"hostname": socket.gethostname(), "machine": platform.machine(),
                 "cpus": os.cpu_count(), "jax_devices": [str(d) for d in jax.devices()]},
        "parameters": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "hamiltonian": f"H = {args.j} sum (XX+YY+ZZ) (Pauli) = {4 * args.j} sum S.S",
        "versions": versions(),
        "cases": [],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for n in args.n:
        chain = heisenberg(n, args.j)
        psi0 = MPS.neel(n)
        for t in args.t:
            t0 = time.perf_counter()
            tres = evolve(chain, psi0, t, 0.025, order=4, max_bond=args.chi, cutoff=1e-12)
            target = tres.state
            case = {"n": n, "t": t, "target": {"max_bond": target.max_bond(),
                                               "truncation_error": tres.truncation_error,
                                               "seconds": time.perf_counter() - t0}}
            case["trotter"] = trotter_rows(chain, psi0, target, t, args.trotter_steps, 256)
            case["aqc"] = []
            report["cases"].append(case)
            for layers in args.layers:
                row = aqc_row(target, n, layers, args.maxiter, args.schedule)
                case["aqc"].append(row)
                case["criteria"] = criteria(case["trotter"], case["aqc"])
                print(f"n={n:3d} t={t:.1f} L={layers}: F={row['fidelity']:.6f} "
                      f"(start {row['init_fidelity']:.3e}, {row['n_iter']} it, "
                      f"{row['timings']['total']:.1f} s) depth {row['two_qubit_depth']}",
                      flush=True)
                tmp = args.out.with_suffix(".tmp")
                tmp.write_text(json.dumps(report, indent=1))
                os.replace(tmp, args.out)
            print(f"n={n} t={t} Trotter: " + ", ".join(
                f"k={r['steps']}:D={r['two_qubit_depth']}:F={r['fidelity']:.4f}"
                for r in case["trotter"][:8]) + " ...", flush=True)
            for c in case["criteria"]:
                if c["trotter_steps"] in (1, 2, 3, 5, 10, 20):
                    print(f"   Trotter k={c['trotter_steps']:2d} D={c['trotter_depth']:3d} "
                          f"F={c['trotter_fidelity']:.6f} -> AQC depth {c['aqc_depth_needed']} "
                          f"(<= D/3: {c['third_or_less']})", flush=True)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
