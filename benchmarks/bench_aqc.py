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
precision unless ``jax_enable_x64`` is set: its start fidelity is then off by
1e-5 (n = 20) to 2e-5 (n = 50) and L-BFGS-B stops early (line-search failure)
at a lower fidelity, with no gain in speed per evaluation on this CPU.  tnqc
always computes in complex128, so by default this script sets
``jax_enable_x64`` globally and both run in double precision;
``--peer-single`` leaves it off (not used for the reported results; the
fidelity check then fails for the peer, as expected).

Protocol: "time to reach the same fidelity"
-------------------------------------------
Every "cold" run is made in a fresh Python process (``spawn``), after the
imports and JAX's backend start-up and outside the timer, so that no JAX,
XLA or cotengra cache of an earlier run helps it; there are ``--cold-repeat``
(default 3) cold runs per code, round-robin, and the best time is kept.

1. The peer runs ``--iters`` L-BFGS-B iterations (default 100 for n <= 30, 50
   above), or fewer if scipy stops earlier.  ``F_goal = F_peer - --delta``
   (default 1e-6) where ``F_peer`` is the final fidelity of its first cold run
   (the margin avoids ties; the runs are deterministic).  Its time to goal
   is the wall clock from the start of the objective construction
   (``MaximizeStateFidelity(...)``, which builds the quimb circuit and the
   TNOptimizer) to the end of the first iteration whose fidelity is
   ``>= F_goal`` (scipy callback), so it includes the one-off cost of the
   first call (cotengra path search and jit compilation: what a user waits
   for).  The time of the first loss-and-gradient call and the total time of
   all iterations are reported too.  Building the ansatz
   (``generate_ansatz_from_circuit``) is timed separately and not included,
   as tnqc's ``trotter_params`` is not.
2. tnqc runs ``aqc.compile(..., init=p0, target_fidelity=F_goal,
   maxiter=--tnqc-maxiter)``; its time is ``res.timings["total"]`` (objective
   build, jit compilation, optimisation, final evaluation, circuit export).
3. Without compilation ("warm", in the main process): each code is re-run
   ``--repeat`` times (default 3, best kept, round-robin) on an objective that
   has already been compiled and called once: the peer's
   ``MaximizeStateFidelity.loss_function``, tnqc's ``aqc.minimize`` on an
   ``aqc.Objective`` (what ``aqc.compile`` runs).  The peer's warm time is
   again the time to its first iterate ``>= F_goal``.
4. Ratios ``peer / tnqc`` (> 1: tnqc faster) with and without compilation.

Fidelity check: the final circuits of both codes' first cold runs (and the
start circuit) are exported to qiskit, unrolled to ``u`` and ``cx`` and
simulated independently, gate by gate, with ``quimb.tensor.CircuitMPS`` (``cutoff = 1e-14``, no bond
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
import json
import multiprocessing
import os
import platform
import socket
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import _provenance
import numpy as np
from _provenance import cpu_model

REPO = Path(__file__).resolve().parents[1]
LBFGS_OPTIONS = {"maxcor": 20, "ftol": 1e-13, "gtol": 1e-10}  # tnqc's (aqc.optimize)


# ------------------------------------------------------------------ environment
def load() -> list[float]:
    return [round(x, 3) for x in os.getloadavg()]


def package_versions() -> dict[str, str]:
    return _provenance.package_versions(
        ("tnqc", "numpy", "scipy", "jax", "jaxlib", "quimb", "cotengra", "autoray", "qiskit",
         "qiskit-addon-aqc-tensor", "qiskit-quimb", "plum-dispatch", "kahypar", "optax"))


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


# ------------------------------------------------------------------ cold runs (fresh processes)
def jax_setup(x64: bool) -> None:
    """Imports and JAX backend start-up, outside every timer."""
    import jax
    import jax.numpy as jnp

    if x64:
        jax.config.update("jax_enable_x64", True)
    import qiskit_addon_aqc_tensor  # noqa: F401
    import quimb.tensor  # noqa: F401

    import aqc  # noqa: F401

    float(jnp.ones(2).sum())


def make_problem(n: int, layers: int, t: float) -> dict[str, Any]:
    """Target MPS, tnqc ansatz, Trotter start ``p0`` and its circuit ``qc0``."""
    import aqc
    from mps import MPS, evolve, heisenberg

    s = time.perf_counter()
    chain = heisenberg(n, j=0.25)
    evo = evolve(chain, MPS.neel(n), t, dt=0.05, order=2, max_bond=128, cutoff=1e-10)
    t_target = time.perf_counter() - s
    ans = aqc.BrickworkAnsatz(n, layers=layers, block="su4")
    s = time.perf_counter()
    p0 = aqc.trotter_params(ans, chain, t, "01" * (n // 2) + "0" * (n % 2), order=2)
    qc0 = ans.to_circuit(p0)
    t_init = time.perf_counter() - s
    return {"target": evo.state, "evo": evo, "ans": ans, "p0": p0, "qc0": qc0,
            "t_target": t_target, "t_init": t_init}


def peer_objective(target_q: Any, p_ansatz: Any) -> Any:
    import quimb.tensor as qtn
    from qiskit_addon_aqc_tensor.objective import MaximizeStateFidelity
    from qiskit_addon_aqc_tensor.simulation.quimb import QuimbSimulator

    # the CircuitMPS factory is not used by the jax value-and-gradient path
    sim = QuimbSimulator(partial(qtn.CircuitMPS, cutoff=1e-14), autodiff_backend="jax")
    return MaximizeStateFidelity(target_q, p_ansatz, sim)


def peer_minimize(obj: Any, x0: np.ndarray, iters: int, t_origin: float) -> dict[str, Any]:
    """scipy L-BFGS-B on the peer objective; per iteration: seconds since t_origin, F."""
    import scipy.optimize

    times: list[float] = []
    fids: list[float] = []
    calls: dict[str, Any] = {"n": 0, "first_s": None, "first_f": None}

    def fun(x):
        c0 = time.perf_counter()
        val = obj.loss_function(x)
        if calls["first_s"] is None:
            calls["first_s"] = time.perf_counter() - c0
            calls["first_f"] = 1.0 - float(val[0])
        calls["n"] += 1
        return val

    def cb(intermediate_result):
        times.append(time.perf_counter() - t_origin)
        fids.append(1.0 - float(intermediate_result.fun))

    res = scipy.optimize.minimize(fun, x0, method="L-BFGS-B", jac=True, callback=cb,
                                  options={"maxiter": iters, **LBFGS_OPTIONS})
    return {"x": np.asarray(res.x, dtype=float), "fidelity": 1.0 - float(res.fun),
            "n_iter": int(res.nit), "n_evals": calls["n"], "message": str(res.message),
            "first_call_s": calls["first_s"], "f0": calls["first_f"],
            "iteration_times_s": times, "history": fids}


def cold_peer(n: int, layers: int, t: float, iters: int, x64: bool) -> dict[str, Any]:
    """One cold peer run (call in a fresh process): objective construction + L-BFGS-B."""
    jax_setup(x64)
    from qiskit_addon_aqc_tensor import generate_ansatz_from_circuit

    prob = make_problem(n, layers, t)
    target_q = prob["target"].to_quimb()
    s = time.perf_counter()
    p_ansatz, x0 = generate_ansatz_from_circuit(prob["qc0"], qubits_initially_zero=True)
    t_ansatz = time.perf_counter() - s
    load_before = load()
    t0 = time.perf_counter()
    obj = peer_objective(target_q, p_ansatz)
    t_build = time.perf_counter() - t0
    out = peer_minimize(obj, np.asarray(x0, dtype=float), iters, t0)
    out["total_s"] = time.perf_counter() - t0
    out.update(build_objective_s=t_build, generate_ansatz_s=t_ansatz,
               load_before=load_before, load_after=load())
    return out


def cold_tnqc(n: int, layers: int, t: float, kind: str, f_goal: float, maxiter: int,
              x64: bool) -> dict[str, Any]:
    """One cold ``aqc.compile`` (call in a fresh process)."""
    jax_setup(x64)
    import aqc

    prob = make_problem(n, layers, t)
    load_before = load()
    res = aqc.compile(prob["target"], prob["ans"], init=prob["p0"], optimizer="lbfgs",
                      objective=kind, maxiter=maxiter, target_fidelity=f_goal)
    return {"params": res.params, "time_total_s": res.timings["total"],
            "timings_s": dict(res.timings), "n_iter": res.n_iter,
            "stop_reason": res.stop_reason, "fidelity": res.fidelity,
            "init_fidelity": res.init_fidelity, "reached_goal": bool(res.fidelity >= f_goal),
            "history": [float(f) for f in res.history],
            "load_before": load_before, "load_after": load()}


def in_fresh_process(fn: Any, *args: Any) -> Any:
    """Run ``fn(*args)`` in a new Python process (no JAX/cotengra caches carried over)."""
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as ex:
        return ex.submit(fn, *args).result()


# ------------------------------------------------------------------ one problem size
def first_reaching(times: list[float], fids: list[float], goal: float) -> tuple[int, float]:
    """``(iteration, seconds)`` of the first iterate with fidelity ``>= goal`` (else -1, nan)."""
    for k, (t, f) in enumerate(zip(times, fids, strict=True)):
        if f >= goal:
            return k + 1, t
    return -1, float("nan")


def best(values: list[float]) -> float:
    vals = [v for v in values if np.isfinite(v)]
    return float(min(vals)) if vals else float("nan")


def run_size(n: int, iters: int, args: argparse.Namespace) -> dict[str, Any]:
    from qiskit_addon_aqc_tensor import generate_ansatz_from_circuit

    import aqc

    x64 = not args.peer_single
    kinds = args.objectives
    loads: dict[str, list[float]] = {"start": load()}
    print(f"\n=== n = {n}, layers = {args.layers}, t = {args.t}, peer iterations = {iters} "
          f"(load {loads['start'][0]:.2f}) ===", flush=True)
    prob = make_problem(n, args.layers, args.t)
    target, ans, p0, qc0 = prob["target"], prob["ans"], prob["p0"], prob["qc0"]
    target_q = target.to_quimb()
    p_ansatz, x0 = generate_ansatz_from_circuit(qc0, qubits_initially_zero=True)
    x0 = np.asarray(x0, dtype=float)
    peer_ops = {k: int(v) for k, v in p_ansatz.count_ops().items()}
    print(f"target: max bond {target_q.max_bond()}, TEBD {prob['t_target']:.1f} s; tnqc ansatz "
          f"{ans.num_params} params, {ans.num_blocks} blocks, {ans.cx_count} CX; peer ansatz "
          f"{p_ansatz.num_parameters} params, {peer_ops}", flush=True)

    # ---- 1-2. cold runs, each in a fresh process, round-robin
    peer_runs: list[dict[str, Any]] = []
    tnqc_runs: dict[str, list[dict[str, Any]]] = {k: [] for k in kinds}
    f_goal = float("nan")
    for rep in range(args.cold_repeat):
        r = in_fresh_process(cold_peer, n, args.layers, args.t, iters, x64)
        peer_runs.append(r)
        if rep == 0:
            f_goal = r["fidelity"] - args.delta
        r["goal_iteration"], r["time_to_goal_s"] = first_reaching(
            r["iteration_times_s"], r["history"], f_goal)
        print(f"cold {rep + 1}/{args.cold_repeat} peer: F0 = {r['f0']:.12f}, build "
              f"{r['build_objective_s']:.2f} s, first call {r['first_call_s']:.2f} s, "
              f"{r['n_iter']} it / {r['n_evals']} evals, F = {r['fidelity']:.10f}, total "
              f"{r['total_s']:.2f} s, F_goal at it {r['goal_iteration']} after "
              f"{r['time_to_goal_s']:.2f} s (load {r['load_before'][0]:.2f})", flush=True)
        if rep == 0:
            print(f"F_goal = F_peer - {args.delta:g} = {f_goal:.10f}", flush=True)
        for kind in kinds:
            c = in_fresh_process(cold_tnqc, n, args.layers, args.t, kind, f_goal,
                                 args.tnqc_maxiter, x64)
            tnqc_runs[kind].append(c)
            print(f"cold {rep + 1}/{args.cold_repeat} tnqc ({kind}): F0 = "
                  f"{c['init_fidelity']:.12f}, {c['n_iter']} it, F = {c['fidelity']:.10f} "
                  f"({c['stop_reason']}), total {c['time_total_s']:.2f} s (setup "
                  f"{c['timings_s']['setup']:.2f} s, optimize {c['timings_s']['optimize']:.2f} s) "
                  f"(load {c['load_before'][0]:.2f})", flush=True)

    # ---- 3. warm runs on compiled objectives, in this process, round-robin
    p_obj = peer_objective(target_q, p_ansatz)
    p_obj.loss_function(x0)
    warm_objs = {}
    for kind in kinds:
        obj = aqc.Objective.build(target, ans, kind=kind)
        obj.value_and_grad(p0)
        obj.log_fidelity(p0)
        warm_objs[kind] = obj
    stop = aqc.StopRule(maxiter=args.tnqc_maxiter, target_fidelity=f_goal)
    warm: dict[str, dict[str, Any]] = {
        "peer_to_goal": {"times_s": []}, "peer_all_iterations": {"times_s": []},
        **{f"tnqc_{k}": {"times_s": [], "n_iter": [], "n_evals": []} for k in kinds},
    }
    loads["before_warm"] = load()
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        w = peer_minimize(p_obj, x0, iters, t0)
        warm["peer_all_iterations"]["times_s"].append(time.perf_counter() - t0)
        warm["peer_to_goal"]["times_s"].append(
            first_reaching(w["iteration_times_s"], w["history"], f_goal)[1])
        for kind, obj in warm_objs.items():
            t0 = time.perf_counter()
            r = aqc.minimize(obj, p0, optimizer="lbfgs", stop=stop)
            warm[f"tnqc_{kind}"]["times_s"].append(time.perf_counter() - t0)
            warm[f"tnqc_{kind}"]["n_iter"].append(r.n_iter)
            warm[f"tnqc_{kind}"]["n_evals"].append(r.n_evals)
    loads["after_warm"] = load()
    for key, w in warm.items():
        w["best_s"] = best(w["times_s"])
        print(f"warm {key:20s} best {w['best_s']:8.3f} s of "
              f"{[round(x, 3) for x in w['times_s']]}"
              + (f", iterations {w['n_iter']}" if "n_iter" in w else ""), flush=True)

    # ---- 4. independent fidelities (first cold run of each code)
    p1 = peer_runs[0]
    checks = {
        "start_circuit_qc0": simulate_fidelity(qc0, target_q, args.sv_max),
        "peer_final": simulate_fidelity(p_ansatz.assign_parameters(p1["x"]), target_q,
                                        args.sv_max),
        **{f"tnqc_{k}_final": simulate_fidelity(ans.to_circuit(runs[0]["params"]), target_q,
                                                args.sv_max)
           for k, runs in tnqc_runs.items()},
    }
    reported = {
        "start_circuit_qc0": tnqc_runs[kinds[0]][0]["init_fidelity"],
        "peer_final": p1["fidelity"],
        **{f"tnqc_{k}_final": runs[0]["fidelity"] for k, runs in tnqc_runs.items()},
    }
    problems = []
    print("independent fidelity check:", flush=True)
    for key, chk in checks.items():
        chk["reported"] = reported[key]
        sims = [v for k, v in chk.items() if k.startswith("fidelity_")]
        chk["max_abs_diff"] = float(max(abs(v - reported[key]) for v in sims))
        print(f"  {key:22s} reported {reported[key]:.12f}  CircuitMPS "
              f"{chk['fidelity_circuitmps']:.12f}"
              + (f"  Statevector {chk['fidelity_statevector']:.12f}"
                 if "fidelity_statevector" in chk else "")
              + f"  |diff| {chk['max_abs_diff']:.1e}", flush=True)
        if chk["max_abs_diff"] > args.tol:
            problems.append(f"n={n} {key}: reported fidelity differs from the simulation by "
                            f"{chk['max_abs_diff']:.2e} > {args.tol:g}")
    f0_tnqc = tnqc_runs[kinds[0]][0]["init_fidelity"]
    f0_diff = abs(p1["f0"] - f0_tnqc)
    print(f"start fidelity: tnqc {f0_tnqc:.14f}, peer {p1['f0']:.14f}, |diff| {f0_diff:.1e}")
    if f0_diff > 1e-8:
        problems.append(f"n={n}: start fidelities differ by {f0_diff:.2e}")
    for kind in kinds:
        for c in tnqc_runs[kind]:
            if not c["reached_goal"]:
                problems.append(f"n={n}: tnqc ({kind}) did not reach F_goal ({c['stop_reason']})")

    # ---- 5. ratios (best of the repeats)
    peer_cold = best([r["time_to_goal_s"] for r in peer_runs])
    peer_cold_excl = best([r["time_to_goal_s"] - r["build_objective_s"] - r["first_call_s"]
                           for r in peer_runs])
    ratios: dict[str, float] = {}
    for kind in kinds:
        tn_cold = best([c["time_total_s"] for c in tnqc_runs[kind]])
        ratios[f"cold_{kind}"] = peer_cold / tn_cold
        ratios[f"warm_{kind}"] = warm["peer_to_goal"]["best_s"] / warm[f"tnqc_{kind}"]["best_s"]
    print("time ratios peer / tnqc, best of repeats (> 1: tnqc faster):", flush=True)
    for k, v in ratios.items():
        print(f"  {k:20s} {v:7.2f}", flush=True)
    loads["end"] = load()
    for r in peer_runs:
        r["x"] = None  # parameters are not written to the JSON
    for runs in tnqc_runs.values():
        for c in runs:
            c["params"] = None
    return {
        "n": n,
        "layers": args.layers,
        "t": args.t,
        "target": {"max_bond": int(target_q.max_bond()), "tebd_time_s": prob["t_target"],
                   "truncation_error": float(prob["evo"].truncation_error)},
        "tnqc_ansatz": {"num_params": ans.num_params, "num_blocks": ans.num_blocks,
                        "cx_count": ans.cx_count, "two_qubit_depth": ans.two_qubit_depth,
                        "trotter_params_time_s": prob["t_init"]},
        "peer_ansatz": {"num_params": int(p_ansatz.num_parameters), "blocks": peer_ops,
                        "generate_time_s": [r["generate_ansatz_s"] for r in peer_runs]},
        "start_fidelity": {"tnqc": f0_tnqc, "peer": p1["f0"], "abs_diff": f0_diff},
        "peer_iterations_requested": iters,
        "f_goal": f_goal,
        "delta": args.delta,
        "summary": {
            "peer_cold_time_to_goal_s": peer_cold,
            "peer_cold_time_to_goal_excl_build_and_first_call_s": peer_cold_excl,
            "peer_goal_iteration": p1["goal_iteration"],
            "peer_fidelity": p1["fidelity"],
            **{f"tnqc_{k}_cold_time_s": best([c["time_total_s"] for c in tnqc_runs[k]])
               for k in kinds},
            **{f"tnqc_{k}_n_iter": tnqc_runs[k][0]["n_iter"] for k in kinds},
            **{f"tnqc_{k}_fidelity": tnqc_runs[k][0]["fidelity"] for k in kinds},
            "peer_warm_time_to_goal_s": warm["peer_to_goal"]["best_s"],
            **{f"tnqc_{k}_warm_time_s": warm[f"tnqc_{k}"]["best_s"] for k in kinds},
            "ratios_peer_over_tnqc": ratios,
        },
        "peer_cold_runs": peer_runs,
        "tnqc_cold_runs": tnqc_runs,
        "warm": warm,
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
    p.add_argument("--cold-repeat", type=int, default=3,
                   help="cold runs per code, each in a fresh process, best kept (default 3)")
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
    if (min(args.n) < 4 or args.layers < 1 or args.repeat < 1 or args.cold_repeat < 1
            or min(args.iters) < 1):
        p.error("need --n >= 4, --layers >= 1, --repeat >= 1, --cold-repeat >= 1, --iters >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    jax_setup(not args.peer_single)
    import jax

    load_before = load()
    print(f"tnqc AQC vs qiskit-addon-aqc-tensor (quimb + jax), n = {args.n}, L = {args.layers}, "
          f"t = {args.t}, J S.S Heisenberg from Neel")
    print(f"host {socket.gethostname()}, {cpu_model()}, {os.cpu_count()} CPUs, load average "
          f"{load_before} (other processes skew the times); jax_enable_x64 = "
          f"{jax.config.jax_enable_x64}", flush=True)
    sizes = [run_size(n, it, args) for n, it in zip(args.n, args.iters, strict=True)]

    print("\nsummary: time to F_goal, best of repeats; ratio = peer / tnqc (> 1: tnqc faster)")
    for k in args.objectives:
        hdr = (f"{'n':>4s} {'F_goal':>13s} {'peer it':>7s} {'peer s':>8s} {'tnqc it':>7s} "
               f"{'tnqc s':>8s} {'ratio':>6s} | {'peer warm':>9s} {'tnqc warm':>9s} {'ratio':>6s}")
        print(f"tnqc objective {k!r}; cold = with objective construction and jit compilation")
        print(hdr)
        print("-" * len(hdr))
        for r in sizes:
            s = r["summary"]
            ratios = s["ratios_peer_over_tnqc"]
            print(f"{r['n']:4d} {r['f_goal']:13.10f} {s['peer_goal_iteration']:7d} "
                  f"{s['peer_cold_time_to_goal_s']:8.2f} {s[f'tnqc_{k}_n_iter']:7d} "
                  f"{s[f'tnqc_{k}_cold_time_s']:8.2f} {ratios[f'cold_{k}']:6.2f} | "
                  f"{s['peer_warm_time_to_goal_s']:9.3f} {s[f'tnqc_{k}_warm_time_s']:9.3f} "
                  f"{ratios[f'warm_{k}']:6.2f}")

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
            "repeat_cold": args.cold_repeat,
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
