"""Speed of the AQC contraction where depth grows: the pair sweep against the previous sweep.

The job (part 6 of issue 13)
----------------------------
Heisenberg ``J S.S`` (``heisenberg(n, 0.25)``), Neel start, ``t = 4``; target by
4th-order TEBD, ``dt = 0.025``, ``chi <= 256``, cutoff 1e-10 (``chi = 68`` at
``n = 100``).  For every ``L`` (default 8, 12, 16) ``aqc.compile`` runs from the
Trotter start (``trotter_order="auto"``), per-qubit log-fidelity, L-BFGS-B,
``--maxiter`` iterations, with the new contraction (:mod:`aqc.objective`) in
complex128 and, with ``--single``, in complex64 (its final fidelity evaluated
in complex128).  The previous contraction (``benchmarks/_aqc_legacy.py``, the
site-by-site sweep of tnqc before issue 13) runs in the same process:

* per evaluation (value and gradient, JIT excluded, best of ``--repeat``), at
  the Trotter start and at the new optimum, with the difference of the
  fidelities and the largest difference of the gradients (must be < 1e-6);
* the full compile for ``L`` in ``--old-full`` (the old optimiser run end to
  end, to compare final fidelities and times).

Run: ``python benchmarks/bench_aqc_speed.py`` (``--quick``: n = 12, t = 1, L = 3, 4,
a CPU smoke test).  On the lent GPU: ``benchmarks/device/issue-13b.sh``.
Results: ``benchmarks/results/aqc_speed.json`` (written after every row).
"""

from __future__ import annotations

import argparse
import dataclasses
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
from _aqc_legacy import legacy_value_and_grad

import aqc
import aqc.residuals
from aqc.residuals import recompute_steps, step_residual_bytes
from mps import MPS, evolve, heisenberg
from mps.atomic import atomic_write_json

HERE = Path(__file__).resolve().parent


def _write(report: dict, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_json(out, report, overwrite=True)  # the project's atomic writer


def _time_evals(fn, repeat: int) -> float:
    """Best wall time of ``repeat`` calls."""
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return float(best)


def compile_row(target, n: int, layers: int, maxiter: int, precision: str,
                max_time: float | None = None) -> tuple[dict, np.ndarray]:
    ans = aqc.BrickworkAnsatz(n, layers)
    res = aqc.compile(target, ans, init="trotter", maxiter=maxiter, precision=precision,
                      max_time=max_time)
    opt = res.timings["optimize"]
    extra = {}
    if precision == "single":  # the complex64 contraction at the final parameters
        obj = aqc.Objective.build(target, ans, precision="single")
        extra = {"fidelity_single_eval": obj.fidelity(res.params),
                 "abs_diff_single_double": abs(obj.fidelity(res.params) - res.fidelity)}
    last = res.stages[-1]
    extra.update({k: last[k] for k in ("n_evals", "complex64_iterations", "complex64_stop_reason",
                                       "complex64_message", "complex64_seconds",
                                       "complex128_seconds") if k in last})
    static = aqc.Objective.build(target, ans, precision=precision)._static
    extra.update({"fused": static["fuse"], "group": static["group"],
                  "recomputed_steps": static["remat"]})
    return {**extra, "device": jax.devices()[0].device_kind, "impl": "new",
            "precision": precision, "layers": layers,
            "two_qubit_depth": res.two_qubit_depth, "fidelity": res.fidelity,
            "init_fidelity": res.init_fidelity, "iterations": res.n_iter,
            "per_iteration_s": opt / max(res.n_iter, 1), "optimize_s": opt,
            "setup_s": res.timings["setup"], "total_s": res.timings["total"],
            "stop_reason": res.stop_reason, "start": res.stages[-1]["start"],
            "final_check_s": res.timings.get("final_check"),
            "remat": aqc.Objective.build(target, ans)._static["remat"]}, res.params


def old_compile_row(target, n: int, layers: int, maxiter: int) -> dict:
    """The old contraction under the same optimiser (scipy L-BFGS-B, same options)."""
    ans = aqc.BrickworkAnsatz(n, layers)
    vg = legacy_value_and_grad(target, ans)
    new = aqc.Objective.build(target, ans)

    def fun(x):
        with jax.enable_x64(True):
            (v, _), g = vg(jax.numpy.asarray(x))
            return float(v), np.asarray(g, dtype=float)

    class Old(aqc.Objective):  # the optimiser only calls value_and_grad
        def value_and_grad(self, params):
            return fun(params)

    old = Old(new.ansatz, new.kind, new.n, new.precision, new._t2, new._layout, new._static)
    starts = [aqc.trotter_params(ans, heisenberg(n, 0.25), target.metadata["t"],
                                 target.metadata["initial_bitstring"], order=o,
                                 steps=aqc.max_trotter_steps(layers, o)) for o in (1, 2)]
    x0 = max(starts, key=lambda p: fun(p)[0] * -1)
    t0 = time.perf_counter()
    fun(x0)
    setup = time.perf_counter() - t0
    t1 = time.perf_counter()
    res = aqc.minimize(old, x0, stop=aqc.StopRule(maxiter=maxiter))
    opt = time.perf_counter() - t1
    return {"impl": "old", "precision": "double", "layers": layers,
            "two_qubit_depth": ans.two_qubit_depth, "fidelity": new.fidelity(res.params),
            "iterations": res.n_iter, "per_iteration_s": opt / max(res.n_iter, 1),
            "optimize_s": opt, "setup_s": setup, "stop_reason": res.stop_reason}


def compare_row(target, n: int, layers: int, params: dict[str, np.ndarray], repeat: int) -> list:
    ans = aqc.BrickworkAnsatz(n, layers)
    old = legacy_value_and_grad(target, ans)
    new = aqc.Objective.build(target, ans)
    single = new.with_precision("single")
    rows = []
    for label, p in params.items():
        with jax.enable_x64(True):
            pj = jax.numpy.asarray(p)
            t0 = time.perf_counter()
            (_, lf_old), g_old = old(pj)
            lf_old, g_old = float(lf_old), np.asarray(g_old)
            first_old = time.perf_counter() - t0
            t_old = _time_evals(lambda pj=pj: jax.block_until_ready(old(pj)), repeat)
        t0 = time.perf_counter()
        _, g_new = new.value_and_grad(p)
        first_new = time.perf_counter() - t0
        lf_new = new.log_fidelity(p)
        t_new = _time_evals(lambda p=p: new.value_and_grad(p), repeat)
        _, g_single = single.value_and_grad(p)
        t_single = _time_evals(lambda p=p: single.value_and_grad(p), repeat)
        # the other kernel layout (fused 16x16 on GPUs by default, split on CPUs)
        other = dataclasses.replace(new, _static={**new._static, "fuse": not new._static["fuse"]})
        _, g_other = other.value_and_grad(p)
        t_other = _time_evals(lambda p=p, o=other: o.value_and_grad(p), repeat)
        rows.append({
            "layers": layers, "params": label,
            "fidelity_old": float(np.exp(lf_old)), "fidelity_new": float(np.exp(lf_new)),
            "fidelity_single": single.fidelity(p),
            "abs_diff_fidelity": abs(np.exp(lf_old) - np.exp(lf_new)),
            "max_abs_diff_grad": float(np.max(np.abs(g_old - g_new))),
            "max_abs_diff_grad_single": float(np.max(np.abs(g_single - g_new))),
            "eval_s_old": t_old, "eval_s_new": t_new, "eval_s_single": t_single,
            "fused_kernels": new._static["fuse"], "eval_s_other_layout": t_other,
            "max_abs_diff_grad_other_layout": float(np.max(np.abs(g_other - g_new))),
            "speedup_double": t_old / t_new, "speedup_single": t_old / t_single,
            "first_call_s_old": first_old, "first_call_s_new": first_new,
        })
    return rows


LAYOUTS = {"fused": (True, 1), "fused2": (True, 2), "inplace": (False, 1)}
"""Kernel layouts: (fused, odd layers per kernel); see aqc/objective.py."""


def _peak_bytes() -> float | None:
    try:
        return (jax.devices()[0].memory_stats() or {}).get("peak_bytes_in_use")
    except Exception:  # CPU backends may not implement memory_stats
        return None


def layout_rows(target, n: int, layers: int, repeat: int, variants: list[str]) -> list:
    """Per-evaluation time of kernel layouts and recomputation choices, at the Trotter start.

    A variant is ``LAYOUT:PRECISION:REMAT`` with LAYOUT in :data:`LAYOUTS`, PRECISION
    ``single``/``double`` and REMAT ``all`` (every pair recomputed in the backward pass) or
    ``auto`` (:func:`aqc.residuals.recompute_steps`: as many pairs stored as fit).  A
    variant that fails (e.g. out of memory) is recorded with its error.
    """
    ans = aqc.BrickworkAnsatz(n, layers)
    x0 = aqc.trotter_params(ans, heisenberg(n, 0.25), target.metadata["t"],
                            target.metadata["initial_bitstring"], order=2)
    base = aqc.Objective.build(target, ans)
    rows, ref = [], None
    steps = -(-n // 4)
    for spec in variants:
        layout, precision, remat = spec.split(":")
        fuse, group = LAYOUTS[layout]
        single = precision == "single"
        k_re = steps if remat == "all" else recompute_steps(
            n, layers, base._t2.shape[1], single, fuse, group)
        obj = dataclasses.replace(base.with_precision(precision), _static={
            **base._static, "single": single, "fuse": fuse, "group": group, "remat": k_re})
        row = {"layers": layers, "variant": spec, "precision": precision, "fused": fuse,
               "group": group, "remat": remat, "recomputed_steps": k_re, "steps": steps,
               "residual_gb_estimate": (steps - k_re) * step_residual_bytes(
                   layers, base._t2.shape[1], single, fuse, group) / 1e9}
        try:
            t0 = time.perf_counter()
            v, _ = obj.value_and_grad(x0)
            first = time.perf_counter() - t0
            t_eval = _time_evals(lambda o=obj: o.value_and_grad(x0), repeat)
        except Exception as exc:  # e.g. RESOURCE_EXHAUSTED: keep the others
            row["error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
            rows.append(row)
            print(f"  layout L={layers} {spec}: failed ({row['error'][:120]})", flush=True)
            continue
        f = obj.fidelity_from_value(v)
        ref = f if ref is None else ref
        row.update({"eval_s": t_eval, "first_call_s": first, "fidelity": f,
                    "abs_diff_vs_first": abs(f - ref), "peak_bytes": _peak_bytes()})
        rows.append(row)
        print(f"  layout L={layers} {spec} (recompute {k_re}/{steps}): eval {t_eval:.4f} s "
              f"(first {first:.1f} s) F={f:.10f}", flush=True)
    return rows


def _fastest(rows: list) -> tuple[str | None, str | None]:
    """(layout, remat) of the variant pair that should compile fastest (see main)."""
    times: dict[tuple[str, str], dict[str, float]] = {}
    for r in rows:
        if "eval_s" in r:
            layout = r["variant"].split(":")[0]
            times.setdefault((layout, r["remat"]), {})[r["precision"]] = r["eval_s"]
    both = {k: v["single"] + 2 * v["double"] for k, v in times.items() if len(v) == 2}
    if both:
        return min(both, key=both.get)
    single = {k: v["single"] for k, v in times.items() if "single" in v}
    return min(single, key=single.get) if single else (None, None)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--t", type=float, default=4.0)
    ap.add_argument("--layers", type=int, nargs="+", default=[8, 12, 16])
    ap.add_argument("--maxiter", type=int, default=300)
    ap.add_argument("--single", type=int, nargs="*", default=[12, 16],
                    help="layers also compiled in complex64")
    ap.add_argument("--single-only", type=int, nargs="*", default=[],
                    help="layers compiled in complex64 only (no complex128 run)")
    ap.add_argument("--compare", type=int, nargs="*", default=[8, 12],
                    help="layers timed per evaluation against the old contraction")
    ap.add_argument("--old-full", type=int, nargs="*", default=[8],
                    help="layers compiled end to end with the old contraction")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--layout-compare", type=int, nargs="*", default=[],
                    help="layers timed per evaluation in both kernel layouts (before the compiles)")
    ap.add_argument("--variants", nargs="+", default=[
        "fused:single:all", "inplace:single:all", "fused:double:all", "inplace:double:all"],
                    help="LAYOUT:PRECISION:REMAT timed by --layout-compare (see layout_rows)")
    ap.add_argument("--layout", choices=("auto", *LAYOUTS, "fastest"), default="auto",
                    help="kernel layout of the compiles (fastest: by --layout-compare, single)")
    ap.add_argument("--deadline", type=float, default=None,
                    help="seconds from the start by which the compiles must end (sets max_time)")
    ap.add_argument("--compile", action=argparse.BooleanOptionalAction, default=True,
                    help="run the compiles (--no-compile: per-evaluation comparisons only)")
    ap.add_argument("--budget", type=float, default=1e9, help="skip rows after this many s")
    ap.add_argument("--max-time", type=float, default=None,
                    help="stop an optimisation after this many s (its rate is still recorded)")
    ap.add_argument("--device-label", default=None)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--target-file", type=Path, default=None,
                    help="load the TEBD target from here (computed and saved if missing)")
    ap.add_argument("--only-target", action="store_true")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "aqc_speed.json")
    args = ap.parse_args()
    if args.quick:
        args.n, args.t, args.layers, args.maxiter = 12, 1.0, [3, 4], 20
        args.single, args.compare, args.old_full = [4], [3, 4], [3]
    start = time.perf_counter()
    report = {
        "benchmark": "AQC contraction speed: pair sweep (new) vs site sweep (old), Trotter start",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "host": {"hostname": platform.node(), "cpu": _provenance.cpu_model(),
                 "cpus": os.cpu_count(), "load": os.getloadavg(),
                 "jax_devices": [str(d) for d in jax.devices()],
                 "device_label": args.device_label},
        "parameters": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "hamiltonian": "H = 0.25 sum (XX+YY+ZZ) (Pauli) = sum S.S, Neel start",
        "versions": _provenance.package_versions(("numpy", "scipy", "jax", "jaxlib", "optax",
                                                  "qiskit")),
        "compiles": [], "comparisons": [],
    }
    chain = heisenberg(args.n, 0.25)
    t0 = time.perf_counter()
    cached = args.target_file is not None and args.target_file.is_file() and not args.quick
    if cached:
        target = MPS.load(args.target_file)
        truncation = target.metadata.get("truncation_error")
    else:
        tres = evolve(chain, MPS.neel(args.n), args.t, 0.025, order=4, max_bond=256,
                      cutoff=1e-10)
        target, truncation = tres.state, tres.truncation_error
        if args.target_file is not None and not args.quick:
            target.save(args.target_file, overwrite=True)
    report["target"] = {"max_bond": target.max_bond(), "truncation_error": truncation,
                        "dt": 0.025, "order": 4, "cutoff": 1e-10, "cached": cached,
                        "seconds": time.perf_counter() - t0}
    if args.only_target:
        return
    print(f"target n={args.n} t={args.t}: chi={target.max_bond()} "
          f"({report['target']['seconds']:.1f} s)", flush=True)
    _write(report, args.out)

    def left() -> bool:
        return time.perf_counter() - start < args.budget

    report["layouts"] = []
    for layers in args.layout_compare:
        report["layouts"].extend(layout_rows(target, args.n, layers, args.repeat,
                                             args.variants))
        _write(report, args.out)
    layout, remat = (args.layout if args.layout in LAYOUTS else None), None
    if args.layout == "fastest" and report["layouts"]:
        layout, remat = _fastest(report["layouts"])
        report["layout_choice"] = ("min of t_single + 2 t_double per evaluation where both "
                                   "were timed (precision='single' runs ~1/3 of the "
                                   "iterations in complex64, the rest in complex128), else "
                                   "the fastest complex64 variant")
    if layout is not None:  # benchmark knobs: the layout every Objective.build picks
        fuse, group = LAYOUTS[layout]
        aqc.objective._fuse_default = lambda: fuse
        aqc.objective._group_default = lambda: group
        report["layout_used"] = layout
        if remat == "all":  # the fastest variant recomputed every pair
            aqc.residuals.remat_limit = lambda: 0.0
        report["remat_used"] = remat or "auto"
        print(f"compiles with the {layout} layout, remat {report['remat_used']}", flush=True)

    for layers in args.layers:
        precisions = ["double"] + (["single"] if layers in args.single else [])
        if layers in args.single_only:
            precisions = ["single"]
        for precision in precisions:
            if not left():
                break
            points = {}
            if args.compile:
                max_time = args.max_time
                if args.deadline is not None:
                    left_s = args.deadline - (time.perf_counter() - start)
                    max_time = left_s if max_time is None else min(max_time, left_s)
                    if max_time <= 1.0:
                        break
                row, params = compile_row(target, args.n, layers, args.maxiter, precision,
                                          max_time)
                report["compiles"].append(row)
                print(f"new {precision} L={layers}: F={row['fidelity']:.8f} "
                      f"{row['iterations']} it, {row['per_iteration_s']:.4f} s/it, optimize "
                      f"{row['optimize_s']:.1f} s, setup {row['setup_s']:.1f} s", flush=True)
                _write(report, args.out)
                points["new optimum"] = params
            if precision == "double" and layers in args.compare and left():
                ans = aqc.BrickworkAnsatz(args.n, layers)
                x0 = aqc.trotter_params(ans, chain, args.t, MPS.neel(args.n).as_bitstring(),
                                        order=2)
                rows = compare_row(target, args.n, layers, {"trotter start": x0, **points},
                                   args.repeat)
                report["comparisons"].extend(rows)
                for r in rows:
                    print(f"  old vs new L={layers} at {r['params']}: |dF|="
                          f"{r['abs_diff_fidelity']:.1e} |dgrad|={r['max_abs_diff_grad']:.1e}; "
                          f"eval {r['eval_s_old']:.4f} s -> {r['eval_s_new']:.4f} s "
                          f"(x{r['speedup_double']:.1f}), single {r['eval_s_single']:.4f} s "
                          f"(x{r['speedup_single']:.1f}), other layout "
                          f"{r['eval_s_other_layout']:.4f} s", flush=True)
                _write(report, args.out)
    for layers in args.old_full:
        if not left():
            break
        row = old_compile_row(target, args.n, layers, args.maxiter)
        report["compiles"].append(row)
        print(f"old double L={layers}: F={row['fidelity']:.8f} {row['iterations']} it, "
              f"{row['per_iteration_s']:.4f} s/it, optimize {row['optimize_s']:.1f} s",
              flush=True)
        _write(report, args.out)
    report["wall_s"] = time.perf_counter() - start
    _write(report, args.out)


if __name__ == "__main__":
    main()
