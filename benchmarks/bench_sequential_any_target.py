"""Sequential baselines (Ran's layers, optimised layers) on the any-target targets of part 3.

Fills the ``"sequential"`` entry of every target in
``benchmarks/results/aqc_any_target.json`` (written by
``benchmarks/bench_aqc_any_target.py``): the random ``n = 12``, ``chi = 4`` MPS
(seed 7, regenerated) and the DMRG ground states (loaded from ``--targets``).

* ``ran``: :func:`aqc.sequential_circuit`, ``D = 1 .. --ran-max`` or until
  ``F >= 0.999``; the residual MPS ``V^dagger|psi>`` is kept at bond <=
  ``--residual-factor`` times the target's (as in ``bench_aqc_vs_sequential.py``;
  the summed discarded weight, a bound on the error of the fidelity, is recorded);
* ``sequential_opt``: Rudolph et al.'s variant, ``D = 1 .. --seqopt-max``,
  ``--seqopt-maxiter`` L-BFGS-B iterations per added layer.

Each entry lists ``D``, CX depth ``3 (n + 2 D - 3)``, CX count and fidelity per
layer, and compares with the best AQC run of the entry: the CX depth of AQC over
the smallest sequential CX depth reaching the same fidelity (``None`` when no
sequential circuit reaches it).  For ``n <= 12`` the final circuits' fidelities
are re-checked by a qiskit ``Statevector``.

Run: ``python benchmarks/bench_sequential_any_target.py --targets DIR`` (``--quick``:
the random target only, ``D <= 3``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import jax
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _provenance
from bench_aqc_any_target import random_target

import aqc
from mps import MPS
from mps.atomic import atomic_write_json

HERE = Path(__file__).resolve().parent


def statevector_fidelity(target: MPS, qc) -> float:
    from qiskit.quantum_info import Statevector

    return float(abs(np.vdot(target.to_dense(), Statevector(qc).data)) ** 2)


def baseline(target: MPS, method: str, d_max: int, maxiter: int, cap: int) -> dict:
    t0 = time.perf_counter()
    stamps: list[float] = []
    res = aqc.sequential_circuit(target, d_max, optimize=method == "sequential_opt",
                                 maxiter=maxiter, target_fidelity=0.999, max_bond=cap,
                                 callback=lambda d, f: stamps.append(time.perf_counter() - t0))
    n = target.n
    layers = [{"D": d, "cx_depth": 3 * (n + 2 * d - 3), "cx_count": 3 * d * (n - 1),
               "fidelity": float(f), "seconds_so_far": s}
              for d, (f, s) in enumerate(zip(res.fidelity_per_layer, stamps, strict=True),
                                         start=1)]
    out = {"layers": layers, "final_fidelity": res.fidelity,
           "final_fidelity_method": res.fidelity_method,
           "truncation_error": res.truncation_error, "residual_max_bond": cap,
           "seconds": res.timings["total"]}
    if n <= 12:
        out["final_fidelity_statevector"] = statevector_fidelity(target, res.circuit)
    print(f"  {method} D=1..{res.ansatz.layers}: "
          f"F={[round(x['fidelity'], 5) for x in layers]} ({res.timings['total']:.1f} s)",
          flush=True)
    return out


def compare(entry: dict, seq: dict) -> dict | None:
    """Best AQC run of the entry against the smallest sequential depth with the same F."""
    runs = entry.get("runs") or []
    if not runs:
        return None
    best = max(runs, key=lambda r: r["fidelity"])
    pts = [(x["cx_depth"], x["fidelity"]) for m in ("ran", "sequential_opt") if m in seq
           for x in seq[m]["layers"]]
    reach = [d for d, f in pts if f >= best["fidelity"]]
    ds = min(reach) if reach else None
    return {"aqc_init": best["init"], "aqc_layers": best["layers"],
            "aqc_cx_depth": best["two_qubit_depth"], "aqc_fidelity": best["fidelity"],
            "sequential_cx_depth": ds,
            "ratio": None if ds is None else best["two_qubit_depth"] / ds,
            "best_sequential_fidelity": max(f for _, f in pts)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--results", type=Path, default=HERE / "results" / "aqc_any_target.json")
    ap.add_argument("--targets", type=Path, default=HERE / "device" / "targets")
    ap.add_argument("--chi", type=int, default=16, help="bond dimension in the cached names")
    ap.add_argument("--ran-max", type=int, default=16)
    ap.add_argument("--residual-factor", type=int, default=4)
    ap.add_argument("--seqopt-max", type=int, default=3)
    ap.add_argument("--seqopt-maxiter", type=int, default=100)
    ap.add_argument("--seqopt-n-max", type=int, default=100,
                    help="run the optimised variant only for n up to this")
    ap.add_argument("--only", nargs="*", default=None, help="model:n entries to do")
    ap.add_argument("--device-label", default=None)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.ran_max, args.seqopt_max, args.seqopt_maxiter, args.only = 3, 2, 20, ["random:12"]
    data = json.loads(args.results.read_text())
    for entry in data["targets"]:
        key = f"{entry['model']}:{entry['n']}"
        if args.only is not None and key not in args.only:
            continue
        if entry["model"] == "random":
            target = random_target(entry["n"], entry["chi"], entry["seed"])
        else:
            path = args.targets / f"gs_{entry['model']}_n{entry['n']}_chi{args.chi}.npz"
            if not path.is_file():
                print(f"{key}: {path} missing, skipped", flush=True)
                continue
            target = MPS.load(path)
        print(f"target {key}: chi={target.max_bond()}", flush=True)
        seq = {"device": args.device_label or _provenance.cpu_model(),
               "jax_devices": [str(d) for d in jax.devices()], "cpus": os.cpu_count(),
               "load": os.getloadavg(), "date": datetime.now(UTC).isoformat(timespec="seconds"),
               "command": " ".join(sys.argv),
               "versions": _provenance.package_versions(("numpy", "scipy", "jax", "qiskit"))}
        cap = max(2, args.residual_factor * target.max_bond())
        seq["ran"] = baseline(target, "ran", args.ran_max, 1, cap)
        entry["sequential"] = seq
        atomic_write_json(args.results, data, overwrite=True)
        if target.n <= args.seqopt_n_max and args.seqopt_max > 0:
            seq["sequential_opt"] = baseline(target, "sequential_opt", args.seqopt_max,
                                             args.seqopt_maxiter, cap)
        seq["vs_aqc"] = compare(entry, seq)
        atomic_write_json(args.results, data, overwrite=True)


if __name__ == "__main__":
    main()
