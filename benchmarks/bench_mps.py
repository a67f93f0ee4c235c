"""Benchmark tnqc's TEBD against quimb's and TeNPy's on one fixed job.

The job (an acceptance criterion of tnqc)
-----------------------------------------
Heisenberg chain of ``n = 100`` qubits with open boundaries,

    H = J sum_i (X_i X_{i+1} + Y_i Y_{i+1} + Z_i Z_{i+1}),   J = 1   (Pauli operators),

Neel initial state ``|0101...>`` (site 0 is ``|0>``, Z = +1), real-time
evolution ``exp(-iHt)`` to ``t = 2`` with ``dt = 0.05`` (40 steps),
second-order Trotter, ``max_bond = 64``, ``cutoff = 1e-10``.

The same job is run in one process with (a) tnqc (``mps.evolve``), once with
``--threads`` worker threads (default 2) and once with one thread, (b) quimb's
``TEBD`` and (c) TeNPy's ``TEBDEngine``.  Each code's time is the wall clock of
the evolution call only; imports, building the Hamiltonian and the initial
state are outside the timer.  Every code first does a tiny warm-up evolution
(4 sites, one step) so that one-off costs (numba JIT compilation in quimb,
caches) are not timed.  With ``--repeat k`` each code is run ``k`` times and the
best time is kept.  quimb and TeNPy run with BLAS limited to one thread
(threadpoolctl); tnqc always limits BLAS to one thread inside ``evolve`` and
runs independent bonds of a layer in ``--threads`` Python threads, so the
ratios against tnqc with ``threads=1`` are the like-for-like comparison.

Checks: ``<Z_c>`` (Pauli) on site ``c = n // 2`` (site 50) and the von Neumann
entanglement entropy (natural log) of the cut between sites ``c - 1`` and
``c`` (49 | 50) must agree between the codes; quimb and TeNPy are each
compared with tnqc (threads = ``--threads``).  The script exits with status 1
if they do not agree within the tolerance below, after writing the JSON.

Tolerance (measured on the machine that produced benchmarks/results/mps.json).
Mapping check without truncation, ``--n 40 --t 1 --max-bond 1000 --cutoff
1e-14`` (chi reaches 158, total discarded weight 4e-12): the three codes agree
to 1.3e-13 on ``<Z_20>`` and 1.7e-13 relative on the entropy, which validates
the convention mappings below, the Trotter ordering included (a different
even/odd order would differ at the 1e-3 level).  ``--n 40 --t 1`` with
``max_bond = 64`` truncates slightly (1e-7) and still agrees to 2e-10 (quimb)
and 4e-15 (TeNPy).  In the acceptance job, about 0.74 of total weight is
discarded and the results are far from converged in chi: changing
``max_bond`` to 63 or 65 or ``cutoff`` to 1e-12 moves ``<Z_50>`` (about
-0.004) by up to 6e-3 and the entropy (about 3.61) by up to 0.3 %.  TeNPy
runs the same Vidal-form algorithm as tnqc and agrees to 2e-14; quimb keeps
an exactly canonical MPS (QR sweeps), a slightly different algorithm, and
differs by 8e-4 on Z and 3e-4 relative on S.  The default tolerance is
therefore ``|dZ| <= --tol-z = 1e-2`` (absolute) and ``|dS| / S <= --tol-s =
1e-2`` (relative), 1.5 to 3 times that truncation sensitivity; note that it is
larger than ``|<Z_50>|`` itself, so at t = 2 the entropy is the sharper
check.  If every code's total discarded weight is below 1e-8, the strict
tolerance 1e-8 (absolute on Z, relative on S) applies instead.

Conventions mapping
-------------------
* tnqc: Pauli operators, ``exp(-iHt)``, splitting
  ``e^{-i dt/2 H_even} e^{-i dt H_odd} e^{-i dt/2 H_even}`` with even bonds
  ``(0,1), (2,3), ...``; consecutive half-layers are merged.  Truncation per SVD:
  drop the smallest values while their squared weight relative to the total is
  ``<= cutoff``, then keep at most ``max_bond``.
* quimb: ``LocalHam1D`` with ``H2 = J (XX + YY + ZZ)`` built from
  ``quimb.pauli`` (Pauli, not spin, matrices; ``quimb.ham_heis`` would use
  spin-1/2 operators).  ``TEBD._step_order2`` sweeps right (even bonds, dt/2),
  left (odd bonds, dt), right (even, dt/2) and queued sweeps of one direction
  are merged: the same schedule.  ``split_opts = {max_bond, cutoff,
  cutoff_mode="rsum2"}`` is the same rule (``sum discarded s^2 <= cutoff *
  sum s^2``).  We call ``TEBD.step(order=2, queue=True)`` ``nsteps`` times and
  flush the last queued half-sweep with a zero-time sweep the other way
  (``--quimb-mode steps``, default).  ``TEBD.update_to`` (``--quimb-mode
  update_to``) is not used by default because in quimb 1.15.0 its final step
  drains the queued even half-sweep and then runs a second even half-sweep
  without moving the orthogonality centre back to site 0 (it sits at site
  ``n - 1``), so that sweep truncates in a non-orthonormal gauge: at ``--n 40
  --t 1`` it discards 1.6e-5 instead of 1e-7 and shifts ``<Z>`` by 2e-5.
  quimb does not renormalise after truncation (``renorm=0``) and reports no
  truncation error, so we report the norm loss ``-ln <psi|psi>`` (equal to the
  sum of discarded relative weights when the gauge is exact); observables use
  the normalised state.  ``MPS.entropy(i)`` cuts after the first ``i`` sites
  and uses log2; we use ``entropy(c) * ln 2``.  Initial state:
  ``MPS_computational_state("0101...")``.
* TeNPy: ``SpinChain`` (spin-1/2 operators ``S = sigma/2``), so
  ``Jx = Jy = Jz = 4 J`` and ``<Z> = 2 <Sz>``; Neel state ``["up", "down", ...]``
  where "up" is ``Sz = +1/2`` (our ``|0>``).  TeNPy's bond ``i`` joins sites
  ``(i-1, i)``, so its "odd" bonds are our even bonds; its order-2 schedule
  ``[odd dt/2, even dt, odd dt, even dt, ..., odd dt/2]`` is therefore exactly
  ours.  ``trunc_cut`` discards while ``sum discarded S^2 <= trunc_cut**2`` (S
  normalised), so ``trunc_cut = sqrt(cutoff)``; ``svd_min = None`` (tnqc has no
  such threshold); ``chi_max = max_bond``.  TeNPy reports
  the sum of discarded weights, the same quantity as tnqc's; TeNPy 1.1.1 adds
  it to ``eng.trunc_err`` twice per ``run()`` (in ``TEBDEngine.evolve`` and in
  ``run_evolution``), so we sum what ``evolve()`` returns and record the
  attribute separately.  TeNPy's ``expectation_value`` and
  ``entanglement_entropy`` use its stored Schmidt values, which later
  truncations on neighbouring bonds make slightly stale (0.02 in S here), so
  we call ``psi.canonical_form()`` first and also record the stored-S values.
  ``entanglement_entropy(bonds=[c])`` is the cut ``(c-1) | c``, natural log.
  By default TeNPy runs without symmetry (``conserve=None``), like tnqc and
  quimb; ``--tenpy-conserve Sz`` uses its block-sparse U(1) tensors (same
  results, faster).

Run it from the repository root::

    python benchmarks/bench_mps.py                      # the acceptance job
    python benchmarks/bench_mps.py --n 40 --t 1 --max-bond 1000 --cutoff 1e-14 \
        --out /tmp/mps_check.json                       # no-truncation mapping check
    python benchmarks/bench_mps.py --repeat 3 --out /tmp/mps.json

Results go to ``benchmarks/results/mps.json`` (``--out``).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import logging
import math
import os
import platform
import socket
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import _provenance
import numpy as np
from _provenance import cpu_model
from threadpoolctl import threadpool_info, threadpool_limits

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

STRICT_TOL = 1e-8  # used when no code truncated (total discarded weight < STRICT_TOL)
PEER_BLAS_THREADS = 1


# ------------------------------------------------------------------ helpers
def neel_bits(n: int) -> str:
    """``"0101..."``: site 0 is ``|0>`` (Z = +1)."""
    return "".join("0" if i % 2 == 0 else "1" for i in range(n))


def n_steps(t: float, dt: float) -> int:
    """Number of equal Trotter steps, as tnqc chooses them (``ceil(t/dt)``)."""
    return 0 if t == 0.0 else max(1, math.ceil(t / dt - 1e-9))


@dataclass
class Runner:
    """One code, set up and warmed up: ``once() -> (seconds, payload)`` runs the job,
    ``summarize(payload)`` measures the final state (outside the timer)."""

    once: Callable[[], tuple[float, Any]]
    summarize: Callable[[Any], dict[str, Any]]


# ------------------------------------------------------------------ tnqc
def setup_tnqc(args: argparse.Namespace, threads: int) -> Runner:
    from mps import MPS, evolve, heisenberg

    site = args.n // 2

    def once(n: int, t: float) -> tuple[float, Any]:
        chain = heisenberg(n, j=args.j)
        psi0 = MPS.neel(n)
        start = time.perf_counter()
        res = evolve(
            chain,
            psi0,
            t,
            args.dt,
            order=2,
            max_bond=args.max_bond,
            cutoff=args.cutoff,
            threads=threads,
        )
        return time.perf_counter() - start, res

    once(4, args.dt)  # warm-up

    def summarize(res: Any) -> dict[str, Any]:
        state = res.state
        return {
            "z": float(state.expect("Z", site)),
            "entropy": float(state.entanglement_entropy(site - 1)),
            "truncation_error": float(res.truncation_error),
            "truncation_error_definition": "sum of discarded relative weights over all SVDs",
            "max_bond_reached": int(state.max_bond()),
            "steps": int(res.steps),
            "threads": threads,
            "blas_threads": 1,
            "norm": float(state.norm()),
        }

    return Runner(lambda: once(args.n, args.t), summarize)


# ------------------------------------------------------------------ quimb
def setup_quimb(args: argparse.Namespace) -> Runner:
    import quimb as qu
    import quimb.tensor as qtn

    site = args.n // 2
    nsteps = n_steps(args.t, args.dt)
    dt_eff = args.t / nsteps
    X, Y, Z = (np.asarray(qu.pauli(s)) for s in "XYZ")
    h2 = args.j * (np.kron(X, X) + np.kron(Y, Y) + np.kron(Z, Z))
    split_opts = {"max_bond": args.max_bond, "cutoff": args.cutoff, "cutoff_mode": "rsum2"}

    def once(n: int, t: float, dt: float) -> tuple[float, Any]:
        ham = qtn.LocalHam1D(n, H2=h2)
        psi0 = qtn.MPS_computational_state(neel_bits(n))
        tebd = qtn.TEBD(psi0, ham, dt=dt, split_opts=split_opts, progbar=False)
        steps = [0]
        step = tebd.step

        def counted_step(*a, **k):
            steps[0] += 1
            return step(*a, **k)

        tebd.step = counted_step
        with threadpool_limits(limits=PEER_BLAS_THREADS, user_api="blas"):
            start = time.perf_counter()
            if args.quimb_mode == "update_to":
                tebd.update_to(t, order=2, progbar=False)
            else:
                for _ in range(round(t / dt)):
                    tebd.step(order=2, queue=True)
                # Flush the queued final even half-sweep.  A queued sweep only runs when a
                # sweep of the other direction arrives, so queue a zero-time odd sweep
                # (it is never executed).
                tebd.sweep("left", 0.0, queue=True)
            sec = time.perf_counter() - start
        return sec, (tebd, steps[0])

    once(4, args.dt, args.dt)  # warm-up (numba JIT of quimb's SVD helpers)

    def summarize(payload: Any) -> dict[str, Any]:
        tebd, steps = payload
        psi = tebd.pt
        norm2 = float(np.real(psi.H @ psi))
        psi.normalize()
        z = float(np.real(psi.local_expectation_canonical(Z, site, normalized=True)))
        entropy = float(psi.entropy(site)) * math.log(2.0)
        return {
            "z": z,
            "entropy": entropy,
            "truncation_error": -math.log(norm2),
            "truncation_error_definition": (
                "-ln <psi|psi> of quimb's unrenormalised state (quimb reports no truncation "
                "error; this equals the sum of discarded relative weights to first order)"
            ),
            "one_minus_norm2": 1.0 - norm2,
            "max_bond_reached": int(psi.max_bond()),
            "steps": steps,
            "t_reached": float(tebd.t),
            "blas_threads": PEER_BLAS_THREADS,
            "split_opts": split_opts,
            "mode": args.quimb_mode,
        }

    return Runner(lambda: once(args.n, args.t, dt_eff), summarize)


# ------------------------------------------------------------------ TeNPy
def setup_tenpy(args: argparse.Namespace) -> Runner:
    logging.getLogger("tenpy").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module=r"tenpy(\..*)?")
    from tenpy.algorithms.tebd import TEBDEngine
    from tenpy.models.spins import SpinChain
    from tenpy.networks.mps import MPS as TenpyMPS

    site = args.n // 2
    nsteps = n_steps(args.t, args.dt)
    dt_eff = args.t / nsteps
    conserve = None if args.tenpy_conserve == "none" else args.tenpy_conserve
    trunc_params = {
        "chi_max": args.max_bond,
        "svd_min": None,
        "trunc_cut": math.sqrt(args.cutoff) if args.cutoff > 0 else None,
    }

    def once(n: int, steps: int, dt: float) -> tuple[float, Any]:
        model = SpinChain(
            {
                "L": n,
                "S": 0.5,
                "Jx": 4 * args.j,
                "Jy": 4 * args.j,
                "Jz": 4 * args.j,
                "conserve": conserve,
                "bc_MPS": "finite",
            }
        )
        labels = ["up" if i % 2 == 0 else "down" for i in range(n)]
        psi = TenpyMPS.from_product_state(model.lat.mps_sites(), labels, bc="finite")
        options = {
            "N_steps": steps,
            "dt": dt,
            "order": 2,
            "trunc_params": dict(trunc_params),
        }
        eng = TEBDEngine(psi, model, options)
        # TeNPy 1.1.1 adds each evolve()'s error to eng.trunc_err twice (in
        # TEBDEngine.evolve and again in run_evolution); keep what evolve() returns.
        errors: list[Any] = []
        evolve = eng.evolve

        def evolve_recorded(*a, **k):
            err = evolve(*a, **k)
            errors.append(err)
            return err

        eng.evolve = evolve_recorded
        with threadpool_limits(limits=PEER_BLAS_THREADS, user_api="blas"):
            start = time.perf_counter()
            eng.run()
            sec = time.perf_counter() - start
        return sec, (psi, eng, sum(e.eps for e in errors))

    once(4, 1, args.dt)  # warm-up

    def summarize(payload: Any) -> dict[str, Any]:
        psi, eng, eps = payload
        # TeNPy measures with its stored Schmidt values, assuming exact canonical form, which
        # truncations at neighbouring bonds have spoiled slightly; canonical_form() recomputes
        # them from the final tensors (tnqc and quimb measure on an exactly canonical state).
        z_stored = 2.0 * float(np.real(psi.expectation_value("Sz", sites=[site])[0]))
        entropy_stored = float(psi.entanglement_entropy(bonds=[site])[0])
        psi.canonical_form()
        return {
            "z": 2.0 * float(np.real(psi.expectation_value("Sz", sites=[site])[0])),
            "entropy": float(psi.entanglement_entropy(bonds=[site])[0]),
            "z_stored_schmidt": z_stored,
            "entropy_stored_schmidt": entropy_stored,
            "measured_after": "psi.canonical_form(); *_stored_schmidt: with stored S",
            "truncation_error": float(eps),
            "truncation_error_definition": (
                "sum of discarded weights, TruncationError.eps returned by TEBDEngine.evolve"
            ),
            "truncation_error_engine_attribute": float(eng.trunc_err.eps),
            "max_bond_reached": int(max(psi.chi)),
            "steps": nsteps,
            "t_reached": float(np.real(eng.evolved_time)),
            "blas_threads": PEER_BLAS_THREADS,
            "conserve": args.tenpy_conserve,
            "trunc_params": trunc_params,
        }

    return Runner(lambda: once(args.n, nsteps, dt_eff), summarize)


# ------------------------------------------------------------------ environment
def package_versions() -> dict[str, str]:
    return _provenance.package_versions(
        ("tnqc", "numpy", "scipy", "quimb", "physics-tenpy", "threadpoolctl", "numba", "autoray"))


def thread_settings(args: argparse.Namespace) -> dict[str, Any]:
    env = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")
    return {
        "cpu_count": os.cpu_count(),
        "tnqc_threads": args.threads,
        "tnqc_blas_threads": 1,
        "peer_blas_threads": PEER_BLAS_THREADS,
        "env": {k: os.environ.get(k) for k in env},
        "blas_default": [
            {k: d.get(k) for k in ("internal_api", "version", "num_threads", "threading_layer")}
            for d in threadpool_info()
        ],
    }


# ------------------------------------------------------------------ main
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=100, help="number of qubits (default 100)")
    p.add_argument("--t", type=float, default=2.0, help="final time (default 2)")
    p.add_argument("--dt", type=float, default=0.05, help="time step (default 0.05)")
    p.add_argument("--j", type=float, default=1.0, help="Pauli coupling J (default 1)")
    p.add_argument("--max-bond", type=int, default=64, help="bond dimension cap (default 64)")
    p.add_argument("--cutoff", type=float, default=1e-10, help="discarded weight per SVD")
    p.add_argument("--threads", type=int, default=2, help="tnqc worker threads (default 2)")
    p.add_argument("--repeat", type=int, default=1, help="runs per code, best kept (default 1)")
    p.add_argument("--skip-tenpy", action="store_true", help="do not run TeNPy")
    p.add_argument(
        "--tenpy-conserve",
        choices=["none", "Sz"],
        default="none",
        help="TeNPy symmetry (default none: dense tensors like tnqc and quimb)",
    )
    p.add_argument(
        "--quimb-mode",
        choices=["steps", "update_to"],
        default="steps",
        help="steps (default): TEBD.step() x nsteps, then flush the queued half-sweep; "
        "update_to: TEBD.update_to(t), whose final step truncates in a wrong gauge",
    )
    p.add_argument("--tol-z", type=float, default=1e-2, help="absolute tolerance on <Z_c>")
    p.add_argument("--tol-s", type=float, default=1e-2, help="relative tolerance on the entropy")
    p.add_argument(
        "--out",
        type=Path,
        default=REPO / "benchmarks" / "results" / "mps.json",
        help="JSON output path (default benchmarks/results/mps.json)",
    )
    args = p.parse_args(argv)
    if args.n < 4 or args.repeat < 1 or args.threads < 1 or args.dt <= 0 or args.t <= 0:
        p.error("need --n >= 4, --repeat >= 1, --threads >= 1, --dt > 0, --t > 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    site = args.n // 2
    nsteps = n_steps(args.t, args.dt)
    print(
        f"Heisenberg n={args.n} J={args.j} (Pauli), Neel |0101...>, t={args.t}, dt={args.dt} "
        f"({nsteps} steps), order 2, max_bond={args.max_bond}, cutoff={args.cutoff:g}"
    )
    print(f"observables: <Z_{site}>, entropy of cut {site - 1}|{site} (natural log)")
    load_before = os.getloadavg()
    print(
        f"host {socket.gethostname()}, {cpu_model()}, {os.cpu_count()} CPUs, "
        f"load average {load_before[0]:.2f} (other processes skew the times)\n",
        flush=True,
    )

    setups = [
        ("tnqc", lambda: setup_tnqc(args, args.threads)),
        ("tnqc_1thread", lambda: setup_tnqc(args, 1)),
        ("quimb", lambda: setup_quimb(args)),
    ]
    if not args.skip_tenpy:
        setups.append(("tenpy", lambda: setup_tenpy(args)))
    labels = {
        "tnqc": f"tnqc (threads={args.threads})",
        "tnqc_1thread": "tnqc (threads=1)",
        "quimb": f"quimb TEBD (BLAS 1 thread, {args.quimb_mode})",
        "tenpy": f"TeNPy TEBD (BLAS 1 thread, conserve={args.tenpy_conserve})",
    }
    runners = {name: setup() for name, setup in setups}  # imports and warm-ups
    # Round-robin over the codes, so that a change of machine load hits all of them.
    times: dict[str, list[float]] = {name: [] for name in runners}
    payloads: dict[str, Any] = {}
    for rep in range(args.repeat):
        for name, runner in runners.items():
            sec, payloads[name] = runner.once()
            times[name].append(sec)
            print(f"  run {rep + 1}/{args.repeat}  {labels[name]:44s} {sec:8.3f} s", flush=True)
    results: dict[str, dict[str, Any]] = {}
    header = f"{'code':44s} {'time [s]':>9s} {'<Z>':>14s} {'S':>14s} {'trunc err':>11s} {'chi':>4s}"
    print(f"\n{header}")
    print("-" * len(header))
    for name, runner in runners.items():
        r = {"time_s": min(times[name]), "times_s": times[name]}
        r.update(runner.summarize(payloads[name]))
        results[name] = r
        print(
            f"{labels[name]:44s} {r['time_s']:9.3f} {r['z']:14.10f} {r['entropy']:14.10f} "
            f"{r['truncation_error']:11.4e} {r['max_bond_reached']:4d}",
            flush=True,
        )

    ref = results["tnqc"]
    ratios: dict[str, float] = {}
    for peer in ("quimb", "tenpy"):
        if peer in results:
            ratios[f"{peer}/tnqc"] = results[peer]["time_s"] / ref["time_s"]
            ratios[f"{peer}/tnqc_1thread"] = (
                results[peer]["time_s"] / results["tnqc_1thread"]["time_s"]
            )
    ratios["tnqc_1thread/tnqc"] = results["tnqc_1thread"]["time_s"] / ref["time_s"]
    print("\ntime ratios (> 1: tnqc faster):")
    for key, val in ratios.items():
        print(f"  {key:24s} {val:7.3f}")

    strict = all(r["truncation_error"] < STRICT_TOL for r in results.values())
    tol_z = STRICT_TOL if strict else args.tol_z
    tol_s = STRICT_TOL if strict else args.tol_s
    agreement: dict[str, Any] = {
        "tolerance": {
            "z_abs": tol_z,
            "entropy_rel": tol_s,
            "rule": "strict (no truncation by any code)" if strict else "truncated run",
        },
        "pairs": {},
    }
    ok = True
    print(
        f"\nagreement (tolerance: |dZ| <= {tol_z:g}, |dS|/S <= {tol_s:g}; "
        f"{agreement['tolerance']['rule']}):"
    )
    pairs = [(a, "tnqc") for a in ("tnqc_1thread", "quimb", "tenpy") if a in results]
    if "tenpy" in results:
        pairs.append(("tenpy", "quimb"))
    for a, b in pairs:
        dz = abs(results[a]["z"] - results[b]["z"])
        ds = abs(results[a]["entropy"] - results[b]["entropy"])
        ds_rel = ds / max(abs(results[b]["entropy"]), 1e-300)
        checked = b == "tnqc"
        good = dz <= tol_z and ds_rel <= tol_s
        if checked:
            ok = ok and good
        agreement["pairs"][f"{a}-{b}"] = {
            "dz": dz,
            "dentropy": ds,
            "dentropy_rel": ds_rel,
            "ok": good,
            "checked": checked,
        }
        status = ("ok" if good else "FAIL") if checked else ("info, ok" if good else "info")
        print(
            f"  {a:>12s} vs {b:5s}: |dZ| = {dz:.3e}  |dS| = {ds:.3e} (rel {ds_rel:.3e})  [{status}]"
        )
    agreement["ok"] = ok

    record = {
        "benchmark": "tnqc TEBD vs quimb vs TeNPy",
        "date": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "host": {
            "hostname": socket.gethostname(),
            "cpu_model": cpu_model(),
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "load_average_1_5_15min_before": list(load_before),
            "load_average_1_5_15min_after": list(os.getloadavg()),
        },
        "parameters": {
            "model": "heisenberg",
            "convention": "Pauli",
            "n": args.n,
            "j": args.j,
            "initial_state": "neel |0101...>",
            "t": args.t,
            "dt": args.dt,
            "steps": nsteps,
            "order": 2,
            "max_bond": args.max_bond,
            "cutoff": args.cutoff,
            "cutoff_rule": "discarded relative weight sum s^2 <= cutoff, then max_bond",
            "repeat": args.repeat,
            "site": site,
            "entropy_cut": [site - 1, site],
            "entropy_log": "natural",
        },
        "versions": package_versions(),
        "threads": thread_settings(args),
        "results": results,
        "times_s": {k: r["time_s"] for k, r in results.items()},
        "ratios": ratios,
        "observables": {k: {"z": r["z"], "entropy": r["entropy"]} for k, r in results.items()},
        "truncation_error": {k: r["truncation_error"] for k, r in results.items()},
        "agreement": agreement,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2) + "\n")
    print(f"\nwrote {args.out}")
    if not ok:
        print("FAIL: the codes do not agree within the tolerance", file=sys.stderr)
        return 1
    print("PASS: the codes agree within the tolerance")
    return 0


if __name__ == "__main__":
    sys.exit(main())
