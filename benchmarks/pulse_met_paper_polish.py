"""Continue saved LiH pulses with another optimiser (is the slow tail the optimiser?).

Starts from the best pulses of a ``benchmarks/pulse_met_paper_verify.py`` run (default: the
session-3 run 5, LiH at 27.1654 ns, 0.07 ns steps) and optimises ``E - E0`` further with
``--method`` (``lm`` or ``lbfgs`` with ``--memory``), printing the errors every chunk; the end
points are re-simulated at a 5 ps step.  Results are printed (the logs are kept beside the
runs in ``benchmarks/results/pulse_met_paper/``).

Usage::

    python benchmarks/pulse_met_paper_polish.py --pick 0,1 --method lm --maxiter 40
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

RUN5 = Path(__file__).parent / "results" / "pulse_met_paper" / "gpu_run5_lih_fidelity_weight.json"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", default=str(RUN5), help="a verify run of LiH with best_x")
    ap.add_argument("--pick", default="0,1", help="indices of its r (comma separated, or "
                    "'all')")
    ap.add_argument("--t-index", default="0", help="indices of its durations (or 'all')")
    ap.add_argument("--method", choices=("lm", "lbfgs"), default="lm")
    ap.add_argument("--memory", type=int, default=100)
    ap.add_argument("--maxiter", type=int, default=40)
    ap.add_argument("--substeps", type=int, default=39, help="per slice (39: 0.07 ns)")
    ap.add_argument("--chunk", type=int, default=5, help="iterations per compiled call")
    ap.add_argument("--budget-s", type=float, default=None, help="wall-clock budget (s)")
    ap.add_argument("--out", default=None, help="write the end points and the trace (JSON)")
    args = ap.parse_args(argv)
    d = json.loads(Path(args.run).read_text())
    if d.get("case") != "lih":
        ap.error("--run must be a LiH verify run")
    pick = (list(range(len(d["r_angstrom"]))) if args.pick == "all"
            else [int(v) for v in args.pick.split(",")])
    n_t = len(d["t_ns"])
    tix = list(range(n_t)) if args.t_index == "all" else [int(v) for v in
                                                           args.t_index.split(",")]
    if not all(0 <= k < n_t for k in tix):
        ap.error(f"--t-index must name durations of the run (0..{n_t - 1})")
    prob = [(i, k) for k in tix for i in pick]  # (r index, T index), T-major
    rs = np.asarray([d["r_angstrom"][i] for i, _ in prob])
    ts = np.asarray([d["t_ns"][k] for _, k in prob])
    x0 = np.asarray([d["best_x"][i][k] for i, k in prob])
    t = ts
    rs_all, hs_all, e0_all = table("lih")
    rows = [int(np.argmin(np.abs(rs_all - r))) for r in rs]
    ctl = LabControls(LabSpinChain.long2024(4), 10)
    psi0 = np.eye(16)[HF_INDEX["lih"]]
    h, e0 = hs_all[rows], e0_all[rows]
    kw = dict(substeps=args.substeps, parallel_slices=True)
    start = batch_errors(ctl, x0, t, psi0, h, e0, **kw)
    print(f"r {rs} at {ts} ns; start errors {start}", flush=True)
    t0 = time.perf_counter()
    trace = []

    def progress(it, n, f):
        trace.append({"seconds": time.perf_counter() - t0, "iteration": int(it),
                      "errors": np.asarray(f).tolist()})
        print(f"{trace[-1]['seconds']:7.1f} s it {it} {f}", flush=True)

    deadline = None if args.budget_s is None else t0 + args.budget_s
    res = optimize_batch(ctl, x0, t, psi0, h, e0, maxiter=args.maxiter, chunk=args.chunk,
                         stop_error=1e-9, method=args.method, memory=args.memory,
                         deadline=deadline, progress=progress, **kw)
    fine = batch_errors(ctl, res.x, t, psi0, h, e0, substeps=args.substeps * 14)
    print(f"{args.method}: errors {res.errors}, iterations {res.iterations}, "
          f"5 ps re-simulation {fine}, {res.seconds:.1f} s")
    if args.out:
        import jax
        rep = {"benchmark": "pulse_met_paper_polish", "command": " ".join(sys.argv),
               "run": Path(args.run).name, "r_angstrom": rs.tolist(), "t_ns": ts.tolist(),
               "parameters": vars(args), "device": str(jax.devices()[0]),
               "start_energy_error": np.asarray(start).tolist(),
               "energy_error": np.asarray(res.errors).tolist(),
               "fine_energy_error": np.asarray(fine).tolist(),
               "iterations": np.asarray(res.iterations).tolist(), "seconds": res.seconds,
               "versions": {"jax": jax.__version__, "numpy": np.__version__},
               "trace": trace, "best_x": np.asarray(res.x).tolist()}
        Path(args.out).write_text(json.dumps(rep))


if __name__ == "__main__":
    main()
