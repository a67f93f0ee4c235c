"""Benchmark tnqc's AQC compiler against IBM's qiskit-addon-aqc-tensor (quimb + JAX backend).

The job
-------
Heisenberg chain ``H = 0.25 sum_i (X X + Y Y + Z Z) = sum_i S_i . S_{i+1}``
(spin-1/2, ``J = 1``; ``mps.heisenberg(n, j=0.25)``), open boundaries, Neel
start ``|0101...>``, target ``exp(-iHt)|Neel>`` computed by tnqc's TEBD
(``dt = 0.05``, order 2, ``max_bond = 128``, ``cutoff = 1e-10``) for
``t = --t`` (default 1).  Both codes compile this one target into the same
circuit structure: a brickwork of ``--layers`` (default 4) layers of general
two-qubit (SU(4), 3-CX) blocks after a single-qubit layer, started from the same
point, the exact 2nd-order Trotter circuit ``V(p0)`` (one step in 4 layers;
the 4th layer is the identity), and both optimise all parameters at once with
scipy's L-BFGS-B (``maxcor = 20, ftol = 1e-13, gtol = 1e-10``).

* tnqc: ``aqc.compile(target, BrickworkAnsatz(n, L, "su4"), init=p0,
  target_fidelity=F_goal)`` with its defaults (per-qubit log-fidelity cost,
  exact JAX contraction, 15 parameters per block).  For a like-for-like cost
  it is also run with ``objective="infidelity"`` (``1 - F``, the peer's cost).
* peer: ``generate_ansatz_from_circuit(qc0, qubits_initially_zero=True)`` on
  tnqc's Trotter circuit ``qc0 = ans.to_circuit(p0)`` (9 parameters per block,
  the same blocks and the same start), ``MaximizeStateFidelity(target.to_quimb(),
  ansatz, QuimbSimulator(..., autodiff_backend="jax"))`` and
  ``scipy.optimize.minimize(objective.loss_function, x0, method="L-BFGS-B",
  jac=True)``.  Its value and gradient are an exact contraction of
  ``<target|V(x)|0>`` (cotengra path, jax.jit); the CircuitMPS factory given
  to ``QuimbSimulator`` is not used on that path.  qiskit qubit ``q`` is quimb
  site ``q`` in both codes; the agreement of the two start fidelities (to
  ~1e-13) checks it (a reversed order would map Neel to anti-Neel, F ~ 0).

Precision: the peer's JAX path computes in the dtype JAX gives it, single
precision unless ``jax_enable_x64`` is set (its fidelity of the start is then
off by ~4e-6).  tnqc always computes in complex128, so by default this script
sets ``jax_enable_x64`` globally and both run in double precision;
``--peer-single`` leaves it off (the peer then runs in complex64; not used for
the reported results).

Protocol: "time to reach the same fidelity"
-------------------------------------------
1. The peer runs ``--iters`` L-BFGS-B iterations (default 100 for n <= 30, 50
   above), or fewer if scipy stops earlier.  ``F_goal = F_peer - --delta``
   (default 1e-6) where ``F_peer`` is its final fidelity (the margin avoids
   ties).  Its time to goal is the wall clock from the start of the objective
   construction (``MaximizeStateFidelity(...)``, which builds the quimb circuit
   and the TNOptimizer) to the end of the first iteration whose fidelity is
   ``>= F_goal`` (scipy callback), so it includes the one-off cost of the
   first call (cotengra path search and jit compilation: what a user waits
   for).  The time of the first loss-and-gradient call and the total time of
   all iterations are reported too.  Building the ansatz
   (``generate_ansatz_from_circuit``) is timed separately and not included,
   as tnqc's ``trotter_params`` is not.
2. tnqc runs ``aqc.compile(..., init=p0, target_fidelity=F_goal,
   maxiter=--tnqc-maxiter)``; its time is ``res.timings["total"]`` (objective
   build, jit compilation, optimisation, final evaluation, circuit export).
3. Without compilation ("warm"): each code is re-run ``--repeat`` times
   (default 3, best kept, round-robin) on an objective that has already been
   compiled: the peer's ``loss_function`` after its first run, tnqc's
   ``aqc.minimize`` on an ``aqc.Objective`` built and called once beforehand.
   The peer's warm time is again the time to its first iterate ``>= F_goal``.
   Cold runs are done once (a second cold run in the same process would hit
   JAX's and cotengra's in-process caches).
4. Ratios ``peer / tnqc`` (> 1: tnqc faster) with and without compilation.

Fidelity check: the final circuits of both codes (and the start circuit) are
exported to qiskit, unrolled to ``u`` and ``cx`` and simulated independently,
gate by gate, with ``quimb.tensor.CircuitMPS`` (``cutoff = 1e-14``, no bond
limit, exact here) and, for ``n <= --sv-max`` (default 24), with qiskit's
``Statevector``; ``F = |<target|psi>|^2`` with the target MPS.  Each code's
reported fidelity must agree with these within 1e-6 (``--tol``), or the
script says so and exits with status 1 after writing the JSON.

Threads: both codes run on JAX's CPU backend with its default thread pool
(XLA's intra-op threads) and scipy's L-BFGS-B; nothing is pinned.  The machine
may be shared: the load average is recorded before and after every phase.

Run (from the repository root, with the project venv; the peer comes from
``pip install "qiskit-addon-aqc-tensor[quimb-jax]==0.3.1"``)::

    python benchmarks/bench_aqc.py                  # n = 20 and 50, L = 4, t = 1
    python benchmarks/bench_aqc.py --n 20 --iters 100 --repeat 5

Results go to ``benchmarks/results/aqc_peer.json`` (``--out``): parameters,
times, fidelities, iterations, versions, host and load averages.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
LBFGS_OPTIONS = {"maxcor": 20, "ftol": 1e-13, "gtol": 1e-10}  # tnqc's (aqc.optimize)


# ------------------------------------------------------------------ environment
def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load() -> list[float]:
    return [round(x, 3) for x in os.getloadavg()]


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    names = ("tnqc", "numpy", "scipy", "jax", "jaxlib", "quimb", "cotengra", "autoray",
             "qiskit", "qiskit-addon-aqc-tensor", "qiskit-quimb", "plum-dispatch", "kahypar",
             "optax")
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"

    def git(*cmd: str) -> bytes:
        try:
            return subprocess.run(
                ["git", "-C", str(REPO), *cmd], capture_output=True, check=False, timeout=10
            ).stdout
        except (OSError, subprocess.SubprocessError):
            return b""

    commit = git("rev-parse", "HEAD").decode().strip() or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no").strip()
    out["tnqc_git_commit"] = commit + ("+dirty" if dirty else "")
    if dirty:
        out["tnqc_git_diff_sha256"] = hashlib.sha256(git("diff", "HEAD")).hexdigest()
    return out


# ------------------------------------------------------------------ independent check
def simulate_fidelity(qc: Any, target_q: Any, sv_max: int) -> dict[str, Any]:
    """``|<target|qc|0>|^2`` from an independent gate-by-gate simulation of ``qc``.

    ``qc`` is unrolled to ``u``/``cx`` and applied with ``quimb.tensor.CircuitMPS``
    (qiskit's 2-qubit matrices are little-endian in their qargs, quimb's
    big-endian in ``where``), and, for ``n <= sv_max``, with qiskit's
    ``Statevector`` (reordered to quimb's big-endian dense vector).
    """
    import quimb.tensor as qtn
    from qiskit import transpile
    from qiskit.quantum_info import Operator, Statevector

    n = qc.num_qubits
    flat = transpile(qc, basis_gates=["u", "cx"], optimization_level=0)
    circ = qtn.CircuitMPS(n, cutoff=1e-14)
    for inst in flat.data:
        if inst.operation.name == "barrier":
            continue
        qs = [flat.find_bit(b).index for b in inst.qubits]
        mat = Operator(inst.operation).data
        circ.apply_gate_raw(mat, tuple(reversed(qs)))
    psi = circ.psi
    out: dict[str, Any] = {
        "fidelity_circuitmps": float(abs(target_q.H @ psi) ** 2),
        "circuitmps_max_bond": int(psi.max_bond()),
        "circuitmps_norm": float(abs(psi.H @ psi)),
    }
    if n <= sv_max:
        sv = Statevector(flat).data.reshape((2,) * n)
        big_endian = np.transpose(sv, tuple(range(n - 1, -1, -1))).reshape(-1)
        out["fidelity_statevector"] = float(abs(np.vdot(target_q.to_dense().ravel(),
                                                        big_endian)) ** 2)
    return out


# ------------------------------------------------------------------ one problem size
def first_reaching(times: list[float], fids: list[float], goal: float) -> tuple[int, float]:
    """``(iteration, seconds)`` of the first iterate with fidelity ``>= goal`` (else -1, nan)."""
    for k, (t, f) in enumerate(zip(times, fids, strict=True)):
        if f >= goal:
            return k + 1, t
    return -1, float("nan")


def run_size(n: int, iters: int, args: argparse.Namespace) -> dict[str, Any]:
    import quimb.tensor as qtn
    import scipy.optimize
    from qiskit_addon_aqc_tensor import generate_ansatz_from_circuit
    from qiskit_addon_aqc_tensor.objective import MaximizeStateFidelity
    from qiskit_addon_aqc_tensor.simulation.quimb import QuimbSimulator

    import aqc
    from mps import MPS, evolve, heisenberg

    loads: dict[str, list[float]] = {"start": load()}
    print(f"\n=== n = {n}, layers = {args.layers}, t = {args.t}, peer iterations = {iters} "
          f"(load {loads['start'][0]:.2f}) ===", flush=True)

    # ---- the problem (outside every timer)
    s = time.perf_counter()
    chain = heisenberg(n, j=0.25)
    evo = evolve(chain, MPS.neel(n), args.t, dt=0.05, order=2, max_bond=128, cutoff=1e-10)
    target = evo.state
    t_target = time.perf_counter() - s
    ans = aqc.BrickworkAnsatz(n, layers=args.layers, block="su4")
    s = time.perf_counter()
    p0 = aqc.trotter_params(ans, chain, args.t, "01" * (n // 2) + "0" * (n % 2), order=2)
    qc0 = ans.to_circuit(p0)
    t_tnqc_init = time.perf_counter() - s
    target_q = target.to_quimb()
    print(f"target: max bond {target_q.max_bond()}, {t_target:.1f} s; tnqc ansatz "
          f"{ans.num_params} params, {ans.num_blocks} blocks, {ans.cx_count} CX", flush=True)

    s = time.perf_counter()
    p_ansatz, x0 = generate_ansatz_from_circuit(qc0, qubits_initially_zero=True)
    x0 = np.asarray(x0, dtype=float)
    t_peer_ansatz = time.perf_counter() - s
    peer_ops = {k: int(v) for k, v in p_ansatz.count_ops().items()}
    print(f"peer ansatz: {p_ansatz.num_parameters} params, blocks {peer_ops}, "
          f"generated in {t_peer_ansatz:.2f} s", flush=True)

    peer_opts = {"maxiter": iters, **LBFGS_OPTIONS}

    def peer_minimize(obj: Any, t_origin: float) -> tuple[Any, list[float], list[float], dict]:
        """scipy L-BFGS-B on the peer objective; per-iteration (seconds since t_origin, F)."""
        times: list[float] = []
        fids: list[float] = []
        calls = {"n": 0, "first": None}

        def fun(x):
            c0 = time.perf_counter()
            val = obj.loss_function(x)
            if calls["first"] is None:
                calls["first"] = (time.perf_counter() - c0, 1.0 - float(val[0]))
            calls["n"] += 1
            return val

        def cb(intermediate_result):
            times.append(time.perf_counter() - t_origin)
            fids.append(1.0 - float(intermediate_result.fun))

        res = scipy.optimize.minimize(fun, x0, method="L-BFGS-B", jac=True, callback=cb,
                                      options=peer_opts)
        return res, times, fids, calls

    # ---- 1. peer, cold
    sim = QuimbSimulator(partial(qtn.CircuitMPS, cutoff=1e-14), autodiff_backend="jax")
    loads["before_peer"] = load()
    t0 = time.perf_counter()
    p_obj = MaximizeStateFidelity(target_q, p_ansatz, sim)
    t_peer_build = time.perf_counter() - t0
    p_res, p_times, p_fids, p_calls = peer_minimize(p_obj, t0)
    t_peer_total = time.perf_counter() - t0
    loads["after_peer"] = load()
    f_peer = 1.0 - float(p_res.fun)
    f_goal = f_peer - args.delta
    p_goal_it, p_goal_t = first_reaching(p_times, p_fids, f_goal)
    t_first, f0_peer = p_calls["first"]
    print(f"peer: F0 = {f0_peer:.12f}, first call (path search + jit) {t_first:.2f} s, "
          f"build {t_peer_build:.2f} s", flush=True)
    print(f"peer: {p_res.nit} iterations, {p_calls['n']} evaluations, F = {f_peer:.10f}, "
          f"total {t_peer_total:.2f} s ({p_res.message})", flush=True)
    print(f"F_goal = F_peer - {args.delta:g} = {f_goal:.10f}: peer reaches it at iteration "
          f"{p_goal_it}, {p_goal_t:.2f} s after the objective construction started", flush=True)

    # ---- 2. tnqc, cold
    tnqc_cold: dict[str, Any] = {}
    tnqc_res: dict[str, Any] = {}
    for kind in args.objectives:
        loads[f"before_tnqc_{kind}"] = load()
        res = aqc.compile(target, ans, init=p0, optimizer="lbfgs", objective=kind,
                          maxiter=args.tnqc_maxiter, target_fidelity=f_goal)
        loads[f"after_tnqc_{kind}"] = load()
        tnqc_res[kind] = res
        tnqc_cold[kind] = {
            "time_total_s": res.timings["total"],
            "timings_s": dict(res.timings),
            "n_iter": res.n_iter,
            "stop_reason": res.stop_reason,
            "fidelity_reported": res.fidelity,
            "init_fidelity": res.init_fidelity,
            "reached_goal": bool(res.fidelity >= f_goal),
            "history": [float(f) for f in res.history],
        }
        print(f"tnqc ({kind}): F0 = {res.init_fidelity:.12f}, {res.n_iter} iterations, "
              f"F = {res.fidelity:.10f} ({res.stop_reason}), total {res.timings['total']:.2f} s "
              f"(setup {res.timings['setup']:.2f} s, optimize {res.timings['optimize']:.2f} s)",
              flush=True)

    # ---- 3. warm runs (compiled objectives), round-robin, best of --repeat
    warm_objs = {}
    for kind in args.objectives:
        obj = aqc.Objective.build(target, ans, kind=kind)
        obj.value_and_grad(p0)
        obj.log_fidelity(p0)
        warm_objs[kind] = obj
    stop = aqc.StopRule(maxiter=args.tnqc_maxiter, target_fidelity=f_goal)
    warm: dict[str, dict[str, list]] = {
        "peer_to_goal": {"times": []}, "peer_all_iters": {"times": []},
        **{f"tnqc_{k}": {"times": [], "n_iter": [], "n_evals": []} for k in args.objectives},
    }
    loads["before_warm"] = load()
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        _, w_times, w_fids, _ = peer_minimize(p_obj, t0)
        warm["peer_all_iters"]["times"].append(time.perf_counter() - t0)
        warm["peer_to_goal"]["times"].append(first_reaching(w_times, w_fids, f_goal)[1])
        for kind, obj in warm_objs.items():
            t0 = time.perf_counter()
            r = aqc.minimize(obj, p0, optimizer="lbfgs", stop=stop)
            warm[f"tnqc_{kind}"]["times"].append(time.perf_counter() - t0)
            warm[f"tnqc_{kind}"]["n_iter"].append(r.n_iter)
            warm[f"tnqc_{kind}"]["n_evals"].append(r.n_evals)
    loads["after_warm"] = load()
    for key, w in warm.items():
        w["best_s"] = float(np.nanmin(w["times"]))
        print(f"warm {key:20s} best {w['best_s']:8.3f} s  of {[round(x, 3) for x in w['times']]}"
              + (f"  iterations {w['n_iter']}" if "n_iter" in w else ""), flush=True)

    # ---- 4. independent fidelities
    checks = {
        "start_circuit_qc0": simulate_fidelity(qc0, target_q, args.sv_max),
        "peer_final": simulate_fidelity(p_ansatz.assign_parameters(p_res.x), target_q,
                                        args.sv_max),
        **{f"tnqc_{k}_final": simulate_fidelity(r.circuit, target_q, args.sv_max)
           for k, r in tnqc_res.items()},
    }
    reported = {
        "start_circuit_qc0": tnqc_res[args.objectives[0]].init_fidelity,
        "peer_final": f_peer,
        **{f"tnqc_{k}_final": r.fidelity for k, r in tnqc_res.items()},
    }
    problems = []
    print("independent fidelity check (|reported - simulated|):", flush=True)
    for key, chk in checks.items():
        chk["reported"] = reported[key]
        sims = [v for k, v in chk.items() if k.startswith("fidelity_")]
        chk["max_abs_diff"] = float(max(abs(v - reported[key]) for v in sims))
        print(f"  {key:22s} reported {reported[key]:.12f}  CircuitMPS "
              f"{chk['fidelity_circuitmps']:.12f}"
              + (f"  Statevector {chk['fidelity_statevector']:.12f}"
                 if "fidelity_statevector" in chk else "")
              + f"  diff {chk['max_abs_diff']:.1e}", flush=True)
        if chk["max_abs_diff"] > args.tol:
            problems.append(f"n={n} {key}: reported fidelity differs from the simulation by "
                            f"{chk['max_abs_diff']:.2e} > {args.tol:g}")
    f0_diff = abs(f0_peer - tnqc_res[args.objectives[0]].init_fidelity)
    if f0_diff > 1e-8:
        problems.append(f"n={n}: start fidelities differ by {f0_diff:.2e} (peer {f0_peer}, "
                        f"tnqc {tnqc_res[args.objectives[0]].init_fidelity})")

    # ---- 5. ratios
    main_kind = args.objectives[0]
    ratios = {}
    for kind in args.objectives:
        ratios[f"cold_peer_to_goal/tnqc_{kind}"] = p_goal_t / tnqc_cold[kind]["time_total_s"]
        ratios[f"warm_peer_to_goal/tnqc_{kind}"] = (warm["peer_to_goal"]["best_s"]
                                                   / warm[f"tnqc_{kind}"]["best_s"])
        ratios[f"cold_peer_to_goal_minus_first_call/tnqc_{kind}_warm"] = (
            (p_goal_t - t_first - t_peer_build) / warm[f"tnqc_{kind}"]["best_s"])
    print("time ratios peer / tnqc (> 1: tnqc faster):", flush=True)
    for k, v in ratios.items():
        print(f"  {k:52s} {v:7.2f}", flush=True)
    for kind in args.objectives:
        if not tnqc_cold[kind]["reached_goal"]:
            print(f"  note: tnqc ({kind}) did not reach F_goal "
                  f"({tnqc_cold[kind]['stop_reason']})", flush=True)
    loads["end"] = load()
    return {
        "n": n,
        "layers": args.layers,
        "t": args.t,
        "target": {"max_bond": int(target_q.max_bond()), "time_s": t_target,
                   "discarded_weight": float(getattr(evo, "truncation_error", float("nan")))},
        "tnqc_ansatz": {"num_params": ans.num_params, "num_blocks": ans.num_blocks,
                        "cx_count": ans.cx_count, "two_qubit_depth": ans.two_qubit_depth,
                        "trotter_init_time_s": t_tnqc_init},
        "peer_ansatz": {"num_params": int(p_ansatz.num_parameters), "blocks": peer_ops,
                        "generate_time_s": t_peer_ansatz},
        "start_fidelity": {"tnqc": tnqc_res[main_kind].init_fidelity, "peer": f0_peer,
                           "abs_diff": f0_diff},
        "peer_cold": {
            "iterations_requested": iters,
            "n_iter": int(p_res.nit),
            "n_evals": int(p_calls["n"]),
            "message": str(p_res.message),
            "fidelity": f_peer,
            "build_objective_s": t_peer_build,
            "first_call_s": t_first,
            "total_s": t_peer_total,
            "total_minus_build_and_first_call_s": t_peer_total - t_first - t_peer_build,
            "goal_iteration": p_goal_it,
            "time_to_goal_s": p_goal_t,
            "time_to_goal_minus_build_and_first_call_s": p_goal_t - t_first - t_peer_build,
            "history": [f0_peer, *p_fids],
            "iteration_times_s": p_times,
        },
        "f_goal": f_goal,
        "delta": args.delta,
        "tnqc_cold": tnqc_cold,
        "warm": warm,
        "ratios_peer_over_tnqc": ratios,
        "independent_fidelity": checks,
        "problems": problems,
        "load_average_1_5_15min": loads,
    }


# ------------------------------------------------------------------ main
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, nargs="+", default=[20, 50], help="qubit counts (20 50)")
    p.add_argument("--layers", type=int, default=4, help="brickwork layers (default 4)")
    p.add_argument("--t", type=float, default=1.0, help="evolution time (default 1)")
    p.add_argument("--iters", type=int, nargs="+", default=None,
                   help="peer L-BFGS-B iterations, one value or one per --n "
                   "(default 100 for n <= 30, 50 above)")
    p.add_argument("--delta", type=float, default=1e-6, help="F_goal = F_peer - delta (1e-6)")
    p.add_argument("--tnqc-maxiter", type=int, default=1000,
                   help="tnqc iteration cap while chasing F_goal (default 1000)")
    p.add_argument("--objectives", nargs="+", choices=["log", "infidelity"],
                   default=["log", "infidelity"],
                   help="tnqc costs to run; the first is the headline (default: log infidelity)")
    p.add_argument("--repeat", type=int, default=3, help="warm repeats, best kept (default 3)")
    p.add_argument("--sv-max", type=int, default=24,
                   help="largest n checked with a qiskit Statevector too (default 24)")
    p.add_argument("--tol", type=float, default=1e-6,
                   help="allowed |reported - simulated| fidelity (default 1e-6)")
    p.add_argument("--peer-single", action="store_true",
                   help="do not enable jax_enable_x64 (the peer then runs in complex64)")
    p.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "aqc_peer.json",
                   help="JSON output (default benchmarks/results/aqc_peer.json)")
    args = p.parse_args(argv)
    if args.iters is None:
        args.iters = [100 if n <= 30 else 50 for n in args.n]
    elif len(args.iters) == 1:
        args.iters = args.iters * len(args.n)
    elif len(args.iters) != len(args.n):
        p.error("--iters takes one value or one per --n")
    if min(args.n) < 4 or args.layers < 1 or args.repeat < 1 or min(args.iters) < 1:
        p.error("need --n >= 4, --layers >= 1, --repeat >= 1, --iters >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import jax
    import jax.numpy as jnp

    if not args.peer_single:
        jax.config.update("jax_enable_x64", True)
    # imports and JAX backend start-up, outside every timer
    import qiskit_addon_aqc_tensor  # noqa: F401
    import quimb.tensor  # noqa: F401

    import aqc  # noqa: F401

    float(jnp.ones(2).sum())
    load_before = load()
    print(f"tnqc AQC vs qiskit-addon-aqc-tensor (quimb + jax), n = {args.n}, L = {args.layers}, "
          f"t = {args.t}, J S.S Heisenberg from Neel")
    print(f"host {socket.gethostname()}, {cpu_model()}, {os.cpu_count()} CPUs, load average "
          f"{load_before} (other processes skew the times); jax_enable_x64 = "
          f"{jax.config.jax_enable_x64}", flush=True)
    sizes = [run_size(n, it, args) for n, it in zip(args.n, args.iters, strict=True)]

    print("\nsummary (time to F_goal; ratio = peer / tnqc, > 1: tnqc faster)")
    hdr = (f"{'n':>4s} {'F_goal':>14s} {'peer it':>7s} {'peer s':>8s} {'tnqc it':>7s} "
           f"{'tnqc s':>8s} {'ratio':>6s} | {'peer warm':>9s} {'tnqc warm':>9s} {'ratio':>6s}")
    print(hdr)
    print("-" * len(hdr))
    k = args.objectives[0]
    for r in sizes:
        print(f"{r['n']:4d} {r['f_goal']:14.10f} {r['peer_cold']['goal_iteration']:7d} "
              f"{r['peer_cold']['time_to_goal_s']:8.2f} {r['tnqc_cold'][k]['n_iter']:7d} "
              f"{r['tnqc_cold'][k]['time_total_s']:8.2f} "
              f"{r['ratios_peer_over_tnqc'][f'cold_peer_to_goal/tnqc_{k}']:6.2f} | "
              f"{r['warm']['peer_to_goal']['best_s']:9.3f} {r['warm'][f'tnqc_{k}']['best_s']:9.3f} "
              f"{r['ratios_peer_over_tnqc'][f'warm_peer_to_goal/tnqc_{k}']:6.2f}")
    print(f"(tnqc objective: {k}; cold = with objective construction and jit compilation)")

    problems = [p for r in sizes for p in r["problems"]]
    out = {
        "benchmark": "tnqc aqc.compile vs qiskit-addon-aqc-tensor (QuimbSimulator, jax)",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.argv[0]).name, *(argv if argv is not None
                                                       else sys.argv[1:])]),
        "host": {
            "hostname": socket.gethostname(),
            "cpu_model": cpu_model(),
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "load_average_1_5_15min_before": load_before,
            "load_average_1_5_15min_after": load(),
            "env": {v: os.environ.get(v) for v in ("OMP_NUM_THREADS", "XLA_FLAGS",
                                                   "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")},
        },
        "parameters": {
            "model": "heisenberg, H = 0.25 sum (XX+YY+ZZ) = sum S.S (J = 1)",
            "initial_state": "neel |0101...>",
            "t": args.t,
            "target": {"dt": 0.05, "order": 2, "max_bond": 128, "cutoff": 1e-10,
                       "method": "tnqc mps.evolve (TEBD)"},
            "layers": args.layers,
            "block": "su4 (tnqc: 15 params/block; peer: KAK + 2 ZXZ = 9 params/block)",
            "init": "2nd-order Trotter circuit in the ansatz (aqc.trotter_params), "
                    "peer ansatz from generate_ansatz_from_circuit(qc0)",
            "optimizer": {"method": "scipy L-BFGS-B", **LBFGS_OPTIONS},
            "peer_iterations": dict(zip(map(str, args.n), args.iters, strict=True)),
            "delta": args.delta,
            "tnqc_maxiter": args.tnqc_maxiter,
            "tnqc_objectives": args.objectives,
            "repeat_warm": args.repeat,
            "jax_enable_x64": bool(jax.config.jax_enable_x64),
            "fidelity_tolerance": args.tol,
        },
        "versions": package_versions(),
        "results": sizes,
        "problems": problems,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {args.out}")
    if problems:
        print("PROBLEMS:\n  " + "\n  ".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
