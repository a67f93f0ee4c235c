"""Continue saved LiH pulses with another optimiser (is the slow tail the optimiser?).

Starts from the best pulses of a ``benchmarks/pulse_met_paper_verify.py`` run (default: the
session-3 run 5, LiH at 27.1654 ns, 0.07 ns steps; ``--pick`` its r, ``--t-index`` its
durations) or of an earlier polish run (``--pick`` its problems; this extends that run), and
optimises ``E - E0`` further with ``--method`` (``lm``, or ``lbfgs`` with ``--memory``; 0 is
full BFGS) until ``--maxiter`` or ``--budget-s``, printing the errors every chunk.  The end
points are re-simulated at a 5 ps step.  ``--out`` writes them (atomically; ``--force`` to
replace a file) with the trace and the pulses, a file this script accepts as ``--run``.

Usage::

    python benchmarks/pulse_met_paper_polish.py --pick 0,1 --method lm --maxiter 40
    python benchmarks/pulse_met_paper_polish.py --pick all --t-index all --method lbfgs \
        --memory 0 --budget-s 400 --out /tmp/p.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from circuits.pulse.lab import LabControls, LabSpinChain
from circuits.pulse.lab_met import batch_errors, optimize_batch
from circuits.pulse.tables import HF_INDEX, table
from mps.atomic import atomic_write_json

RUN5 = Path(__file__).parent / "results" / "pulse_met_paper" / "gpu_run5_lih_fidelity_weight.json"


def _indices(text: str, n: int, name: str, ap) -> list[int]:
    if text == "all":
        return list(range(n))
    try:
        idx = [int(v) for v in text.split(",")]
    except ValueError:
        ap.error(f"{name} must be 'all' or comma-separated integers, got {text!r}")
    if not idx or not all(0 <= k < n for k in idx):
        ap.error(f"{name} must name indices 0..{n - 1}, got {text!r}")
    return idx


def problems(d: dict, pick: str, t_index: str, ap) -> tuple:
    """``(r, T, x0)`` per problem: a verify run's ``--pick`` r x ``--t-index`` durations, or
    a polish run's ``--pick`` problems."""
    if d.get("benchmark") == "pulse_met_paper_polish":
        if t_index not in ("0", "all"):
            ap.error("--t-index applies to verify runs; pick a polish run's problems with --pick")
        k = _indices(pick, len(d["r_angstrom"]), "--pick", ap)
        return (np.asarray(d["r_angstrom"])[k], np.asarray(d["t_ns"])[k],
                np.asarray(d["best_x"])[k])
    if d.get("case") != "lih" or "best_x" not in d:
        ap.error("--run must be a LiH verify run or a polish run (with best_x)")
    rk = _indices(pick, len(d["r_angstrom"]), "--pick", ap)
    tk = _indices(t_index, len(d["t_ns"]), "--t-index", ap)
    prob = [(i, k) for k in tk for i in rk]  # T-major
    return (np.asarray([d["r_angstrom"][i] for i, _ in prob]),
            np.asarray([d["t_ns"][k] for _, k in prob]),
            np.asarray([d["best_x"][i][k] for i, k in prob]))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", default=str(RUN5), help="a LiH verify run or a polish run")
    ap.add_argument("--pick", default="0,1", help="indices of its r (a polish run: of its "
                    "problems), comma separated, or 'all'")
    ap.add_argument("--t-index", default="0", help="indices of its durations (or 'all')")
    ap.add_argument("--method", choices=("lm", "lbfgs"), default="lm")
    ap.add_argument("--memory", type=int, default=100)
    ap.add_argument("--maxiter", type=int, default=40)
    ap.add_argument("--substeps", type=int, default=39, help="per slice (39: 0.07 ns)")
    ap.add_argument("--chunk", type=int, default=5, help="iterations per compiled call")
    ap.add_argument("--budget-s", type=float, default=None, help="wall-clock budget (s)")
    ap.add_argument("--out", default=None, help="write the end points, trace and pulses")
    ap.add_argument("--force", action="store_true", help="replace an existing --out")
    args = ap.parse_args(argv)
    if min(args.maxiter, args.substeps, args.chunk) < 1 or args.memory < 0:
        ap.error("--maxiter, --substeps and --chunk must be >= 1 and --memory >= 0")
    if args.budget_s is not None and not args.budget_s > 0:
        ap.error(f"--budget-s must be > 0, got {args.budget_s}")
    if args.out and Path(args.out).exists() and not args.force:
        ap.error(f"{args.out} exists; give --force to replace it")
    try:
        d = json.loads(Path(args.run).read_text())
    except (OSError, ValueError) as exc:
        ap.error(f"--run: cannot read {args.run}: {exc}")
    rs, ts, x0 = problems(d, args.pick, args.t_index, ap)
    rs_all, hs_all, e0_all = table("lih")
    rows = [int(np.argmin(np.abs(rs_all - r))) for r in rs]
    ctl = LabControls(LabSpinChain.long2024(4), 10)
    psi0 = np.eye(16)[HF_INDEX["lih"]]
    h, e0 = hs_all[rows], e0_all[rows]
    kw = dict(substeps=args.substeps, parallel_slices=True)
    start = batch_errors(ctl, x0, ts, psi0, h, e0, **kw)
    print(f"r {rs} at {ts} ns; start errors {start}", flush=True)
    t0 = time.perf_counter()
    trace = []

    def progress(it, n, f):
        trace.append({"seconds": time.perf_counter() - t0, "iteration": int(it),
                      "errors": np.asarray(f).tolist()})
        print(f"{trace[-1]['seconds']:7.1f} s it {it} {f}", flush=True)

    deadline = None if args.budget_s is None else t0 + args.budget_s
    res = optimize_batch(ctl, x0, ts, psi0, h, e0, maxiter=args.maxiter, chunk=args.chunk,
                         stop_error=1e-9, method=args.method, memory=args.memory,
                         deadline=deadline, progress=progress, **kw)
    fine = batch_errors(ctl, res.x, ts, psi0, h, e0, substeps=args.substeps * 14)
    print(f"{args.method}: errors {res.errors}, iterations {res.iterations}, "
          f"5 ps re-simulation {fine}, {res.seconds:.1f} s")
    if args.out:
        import jax

        rep = {"benchmark": "pulse_met_paper_polish", "case": "lih",
               "command": " ".join(sys.argv), "run": Path(args.run).name,
               "r_angstrom": rs.tolist(), "t_ns": ts.tolist(), "parameters": vars(args),
               "device": str(jax.devices()[0]), "start_energy_error": start.tolist(),
               "energy_error": np.asarray(res.errors).tolist(),
               "fine_energy_error": np.asarray(fine).tolist(),
               "iterations": np.asarray(res.iterations).tolist(), "seconds": res.seconds,
               "versions": {"jax": jax.__version__, "numpy": np.__version__},
               "trace": trace, "best_x": np.asarray(res.x).tolist()}
        atomic_write_json(args.out, rep, overwrite=True)


if __name__ == "__main__":
    main()
