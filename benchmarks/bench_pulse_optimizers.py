"""The MET optimisers side by side on one pulse problem: batched L-BFGS, full BFGS, LM, scipy.

The job: H2 at 0.75 Å (the paper's table), the lab-frame device of Long et al. (2 qubits,
10 slices), ``T`` on the paper's grid above its MET, ``--starts`` seeded random starts
(the paper's distribution).  Each optimiser minimises ``E - E0`` from the same starts:

* ``lbfgs``: :func:`circuits.pulse.lab_met.optimize_batch` (projected L-BFGS, history 10);
* ``bfgs``: the same with ``memory=0`` (dense inverse Hessian);
* ``lm``: ``method="lm"`` (Levenberg-Marquardt on ``(H - E0)^{1/2} ψ``);
* peer ``scipy-bfgs``: ``scipy.optimize.minimize(method="BFGS", gtol=1e-8)`` on the clipped
  parameters, one start after the other (the paper's optimiser), with the same jitted JAX
  value and gradient.

Reported per optimiser: iterations and seconds (compilation excluded: every kernel is run
once first) until each start's error is ``<= --tol`` (or the cap), the final errors, and
the wall-time ratio to scipy.  Results: ``benchmarks/results/pulse_optimizers.json``.

Usage::

    python benchmarks/bench_pulse_optimizers.py --starts 4 --t 2.8
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import jax
import numpy as np
import scipy.optimize

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._provenance import cpu_model, package_versions
from circuits.pulse.lab import LabControls, LabSpinChain, device_params, kernel_shape
from circuits.pulse.lab_met import _PKEYS, _objective, batch_errors, optimize_batch
from circuits.pulse.tables import HF_INDEX, hamiltonian_at
from mps.atomic import atomic_write_json


def _stop_at(tol: float, count: dict):
    """scipy callback: count iterations, stop once the value is <= tol."""
    def callback(intermediate_result):
        count["n"] += 1
        if intermediate_result.fun <= tol:
            raise StopIteration

    return callback


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--starts", type=int, default=4)
    ap.add_argument("--t", type=float, default=2.8, help="duration (ns)")
    ap.add_argument("--substeps", type=int, default=8)
    ap.add_argument("--maxiter", type=int, default=400)
    ap.add_argument("--tol", type=float, default=1e-7)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" /
                                         "pulse_optimizers.json"))
    args = ap.parse_args(argv)
    if args.starts < 1 or args.t <= 0 or args.substeps < 1 or args.maxiter < 1:
        ap.error("--starts, --t, --substeps and --maxiter must be positive")
    ham = hamiltonian_at("h2", 0.75)
    e0 = float(np.linalg.eigvalsh(ham)[0])
    psi0 = np.eye(4)[HF_INDEX["h2"]]
    ctl = LabControls(LabSpinChain.long2024(2), 10)
    x0 = ctl.random_x(args.seed, args.starts)
    rows = {}
    for name, kw in (("lbfgs", {"memory": 10}), ("bfgs", {"memory": 0}), ("lm", {"method": "lm"})):
        common = dict(substeps=args.substeps, stop_error=args.tol, chunk=5, **kw)
        optimize_batch(ctl, x0, args.t, psi0, ham, e0, maxiter=5, **common)  # compile
        r = optimize_batch(ctl, x0, args.t, psi0, ham, e0, maxiter=args.maxiter, **common)
        rows[name] = {"iterations": r.iterations.tolist(), "errors": r.errors.tolist(),
                      "seconds": r.seconds, "reached": int(np.sum(r.errors <= args.tol))}
        print(f"{name:6s} {r.seconds:7.2f} s  iterations {r.iterations.tolist()}  "
              f"errors {np.array2string(r.errors, precision=2)}", flush=True)
    # the peer: scipy BFGS one start at a time on the same jitted value and gradient
    p = device_params(ctl.device)
    dev_args = tuple(np.asarray(p[k], dtype=float) for k in _PKEYS)
    with jax.enable_x64(True):
        fun = jax.jit(jax.value_and_grad(_objective(kernel_shape(ctl, args.substeps))))
        call = (*dev_args, args.t, psi0.astype(complex), ham.astype(complex), e0)

        def vg(x):
            v, g = fun(np.clip(x, -1, 1), *call)
            return float(v), np.asarray(g) * (np.abs(x) < 1)  # clipped inside the cost

        vg(x0[0])
        its, final, t0 = [], [], time.perf_counter()
        for x in x0:
            # stop at tol like ours (the paper runs to gtol = 1e-8)
            last = {"n": 0}
            res = scipy.optimize.minimize(vg, x, jac=True, method="BFGS",
                                          callback=_stop_at(args.tol, last),
                                          options={"gtol": 1e-8, "maxiter": args.maxiter})
            its.append(last["n"])
            final.append(float(res.fun))
        seconds = time.perf_counter() - t0
    print(f"scipy  {seconds:7.2f} s  iterations {its}  errors "
          f"{np.array2string(np.array(final), precision=2)}", flush=True)
    rows["scipy-bfgs"] = {"iterations": its, "seconds": seconds, "errors": final,
                          "reached": int(sum(f <= args.tol for f in final))}
    for name in ("lbfgs", "bfgs", "lm"):
        rows[name]["speedup_vs_scipy_bfgs"] = seconds / rows[name]["seconds"]
        print(f"{name}: {rows[name]['speedup_vs_scipy_bfgs']:.2f}x scipy's wall time")
    check = batch_errors(ctl, x0, args.t, psi0, ham, e0, substeps=args.substeps)
    out = {"benchmark": "pulse_optimizers", "command": " ".join(sys.argv),
           "cpu": cpu_model(), "device": jax.devices()[0].device_kind,
           "versions": package_versions(["jax", "numpy", "scipy"]),
           "parameters": vars(args), "start_errors": check.tolist(), "results": rows}
    atomic_write_json(args.out, out, overwrite=True)  # results files are refreshed
    print("wrote", args.out)


if __name__ == "__main__":
    main()
