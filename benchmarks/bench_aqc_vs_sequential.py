"""AQC brickwork circuits against the generic sequential MPS-to-circuit encodings.

The job (issue "AQC, part 2", points 2 and 4)
---------------------------------------------
Heisenberg ``H = J sum S_i . S_{i+1}`` with ``J = 1`` (``heisenberg(n, 0.25)`` in
tnqc's Pauli units), Néel start, ``n = 20, 50, 100``, ``t = 1, 2, 4``.  Targets:
4th-order TEBD, ``dt = 0.025``, discarded weight <= 1e-10 per SVD, ``chi <= 256``.
Fidelity against CX depth for

* ``aqc``: :func:`aqc.compile`, brickwork ``L = 2 .. 12`` su4 layers, Trotter
  start, L-BFGS-B on ``-log(F)/n`` (CX depth ``3 L``);
* ``ran``: :func:`aqc.sequential_circuit` (Ran's layers), ``D = 1 .. 16`` or until
  ``F >= 0.999`` (CX depth ``3 (n + 2 D - 3)``); the residual MPS ``V^dagger|psi>``
  is kept at bond <= ``4 chi`` (``--residual-factor``; its summed discarded weight,
  a bound on the fidelity's error, is in each row); the last row's fidelity is exact
  (contraction) where feasible;
* ``sequential_opt``: the same with all gates optimised after each added layer
  (Rudolph et al.), ``D = 1 .. --seqopt-max``;
* ``trotter``: second-order Trotter circuits, ``k = 1 .. --trotter-max`` steps
  (CX depth ``3 (2 k + 1)``), states by exact TEBD with ``dt = t/k``;
* ``aqc+trotter`` (t = 2 only): AQC at ``t = 1`` (``L`` of ``--extend-layers``)
  followed by ``k`` Trotter steps to ``t = 2`` (:func:`aqc.extend`), with the plain
  Trotter circuits of the same depth and of the same fidelity, and (``--quimb``)
  the extended circuit's fidelity re-computed by quimb's ``CircuitMPS`` from the
  qiskit circuit, gate by gate.

Ratios: for every fidelity level ``F*`` that both AQC and a sequential method
reach, the smallest AQC CX depth with ``F >= F*`` over the smallest sequential
one (best of ``ran`` and ``sequential_opt``).  The paper's claim is ``<= 0.1`` at
``n = 100``.

Every row: ``method, n, t, param`` (L, D or k), ``cx_depth``, ``cx_count``,
``fidelity``, ``time_s``, ``device``.  Rows are merged into
``benchmarks/results/aqc_vs_sequential.json`` (a row replaces one with the same
method, n, t, param and device), so parts run on different machines (here: n = 20,
50 on the CPU; n = 100 on the lent H200, ``benchmarks/device/issue-13a.sh``)
combine into one table; ``--plot`` redraws ``aqc_vs_sequential.png`` from it.

Run: ``python benchmarks/bench_aqc_vs_sequential.py --n 20 --t 1 2 4`` (a part);
``--plot-only`` (table and plot from the JSON).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import aqc  # noqa: E402
from circuits.trotter import trotter_depth  # noqa: E402
from mps import MPS, evolve, heisenberg  # noqa: E402
from mps.atomic import atomic_write, atomic_write_json  # noqa: E402

sys.path.insert(0, str(HERE))
from _provenance import cpu_model, package_versions  # noqa: E402

RESULTS = HERE / "results" / "aqc_vs_sequential.json"
METHODS = ("aqc", "ran", "sequential_opt", "trotter", "aqc+trotter")
SEQUENTIAL = ("ran", "sequential_opt")


def device_name() -> str:
    import jax

    dev = jax.devices()[0]
    if dev.platform == "cpu":
        return f"cpu: {cpu_model()} ({os.cpu_count()} cores)"
    return f"{dev.platform}: {getattr(dev, 'device_kind', str(dev))}"


def make_target(n: int, t: float, cache: Path | None) -> tuple[MPS, dict]:
    path = cache / f"target_n{n}_t{t:g}.npz" if cache else None
    if path is not None and path.is_file():
        st = MPS.load(path)
        return st, {"n": n, "t": t, "chi": st.max_bond(), "cached": True,
                    "truncation_error": st.metadata.get("truncation_error")}
    t0 = time.perf_counter()
    res = evolve(heisenberg(n, 0.25), MPS.neel(n), t, 0.025, order=4, max_bond=256,
                 cutoff=1e-10)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        res.state.save(path, overwrite=True)
    return res.state, {"n": n, "t": t, "chi": res.state.max_bond(),
                       "truncation_error": res.truncation_error,
                       "seconds": time.perf_counter() - t0}


def row(method, n, t, param, cx_depth, cx_count, fidelity, time_s, device, **extra):
    return {"method": method, "n": n, "t": t, "param": param, "cx_depth": cx_depth,
            "cx_count": cx_count, "fidelity": float(fidelity), "time_s": time_s,
            "device": device, **extra}


def run_aqc(target, n, t, layers, maxiter, device, keep, save=lambda rows: None):
    out = []
    for L in layers:
        res = aqc.compile(target, aqc.BrickworkAnsatz(n, L), maxiter=maxiter,
                          target_fidelity=1 - 1e-7)
        if keep is not None:
            keep[L] = res
        out.append(row("aqc", n, t, L, res.two_qubit_depth, res.cx_count, res.fidelity,
                       res.timings["total"], device, param_name="L",
                       init_fidelity=res.init_fidelity, n_iter=res.n_iter,
                       stop_reason=res.stop_reason, timings=res.timings))
        save(out[-1:])
        print(f"  aqc n={n} t={t:g} L={L}: F={res.fidelity:.6f} depth={res.two_qubit_depth} "
              f"{res.timings['total']:.1f}s", flush=True)
    return out


def run_sequential(target, n, t, d_max, optimize, maxiter, device, residual_bond,
                   save=lambda rows: None):
    method = "sequential_opt" if optimize else "ran"
    t_start = time.perf_counter()

    def layer_row(d, f, time_s, scope):
        ans = aqc.StaircaseAnsatz(n, d)
        return row(method, n, t, d, ans.two_qubit_depth, ans.cx_count, f, time_s, device,
                   param_name="D", time_scope=scope,
                   fidelity_method="contraction" if optimize else "mps",
                   residual_max_bond=residual_bond)

    def partial(d, f):  # saved as it goes: a timeout keeps the layers found so far
        save([layer_row(d, f, time.perf_counter() - t_start, f"D = 1..{d} so far")])
        print(f"    {method} n={n} t={t:g} D={d}: F={f:.6g} "
              f"({time.perf_counter() - t_start:.1f}s)", flush=True)

    res = aqc.sequential_circuit(target, d_max, optimize=optimize, maxiter=maxiter,
                                 target_fidelity=0.999, max_bond=residual_bond,
                                 callback=partial)
    out = []
    for d, f in enumerate(res.fidelity_per_layer, start=1):
        out.append(layer_row(d, f, res.timings["total"], f"one run of D = 1..{res.ansatz.layers}"))
        out[-1]["truncation_error"] = res.truncation_error
    out[-1]["fidelity"] = res.fidelity  # the final circuit's fidelity (exact when feasible)
    out[-1]["fidelity_method"] = res.fidelity_method
    print(f"  {method} n={n} t={t:g} D=1..{res.ansatz.layers}: "
          f"F={[round(float(f), 6) for f in res.fidelity_per_layer]} "
          f"{res.timings['total']:.1f}s", flush=True)
    return out


def run_trotter(target, n, t, k_max, device, save=lambda rows: None):
    chain = heisenberg(n, 0.25)
    out = []
    for k in range(1, k_max + 1):
        t0 = time.perf_counter()
        st = evolve(chain, MPS.neel(n), t, t / k, order=2, max_bond=256, cutoff=1e-12).state
        cost = trotter_depth(n, k, 2)
        out.append(row("trotter", n, t, k, cost.two_qubit_depth, cost.cx_count,
                       abs(target.overlap(st)) ** 2, time.perf_counter() - t0, device,
                       param_name="k"))
        save(out[-1:])
    print(f"  trotter n={n} t={t:g}: F(k=1..{k_max}) = "
          f"{[round(r['fidelity'], 5) for r in out]}", flush=True)
    return out


def quimb_fidelity(qc, tensors: list) -> float:
    """|<target|qc|0>|^2 by quimb's CircuitMPS, gate by gate (independent of tnqc's contraction).

    ``tensors``: the target MPS's tensors (an MPS itself does not pickle to a worker).
    """
    import quimb.tensor as qtn
    from qiskit.quantum_info import Operator

    target = MPS([np.asarray(t) for t in tensors])

    circ = qtn.CircuitMPS(qc.num_qubits, cutoff=1e-14)
    for inst in qc.data:
        qubits = [qc.find_bit(q).index for q in inst.qubits]
        circ.apply_gate_raw(Operator(inst.operation).data, tuple(reversed(qubits)),
                            contract="swap+split")
    return float(abs(target.to_quimb().H @ circ.psi) ** 2)


def run_extend(compiled, target1, target2, n, steps_list, trotter_rows, device, quimb,
               save=lambda rows: None):
    """AQC(t=1) + k Trotter steps to t = 2; quimb checks (if asked) run in worker processes."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chain = heisenberg(n, 0.25)
    out, checks = [], []
    # spawned workers: forking a process that holds a GPU context is unsafe
    pool = ProcessPoolExecutor(min(8, os.cpu_count() or 1),
                               mp_context=multiprocessing.get_context("spawn")) if quimb else None
    for L, res in sorted(compiled.items()):
        for k in steps_list:
            t0 = time.perf_counter()
            # with --quimb the independent check is quimb's; skip the contraction's JIT then
            ext = aqc.extend(res, chain, 1.0, k, target=target1, final=target2,
                             max_env=0 if quimb else 2**22)
            sec = time.perf_counter() - t0
            same_depth = max((r for r in trotter_rows if r["cx_depth"] <= ext.two_qubit_depth),
                             key=lambda r: r["param"], default=None)
            same_fid = min((r for r in trotter_rows if r["fidelity"] >= ext.fidelity),
                           key=lambda r: r["param"], default=None)
            out.append(row(
                "aqc+trotter", n, 2.0, f"L{L}+k{k}", ext.two_qubit_depth, ext.cx_count,
                ext.fidelity, sec + res.timings["total"], device, param_name="L+k", L=L,
                steps=k, compiled_fidelity=ext.compiled_fidelity,
                fidelity_contraction=ext.fidelity_contraction,
                truncation_error=ext.truncation_error,
                trotter_same_depth=None if same_depth is None else
                {"k": same_depth["param"], "cx_depth": same_depth["cx_depth"],
                 "fidelity": same_depth["fidelity"]},
                trotter_same_fidelity=None if same_fid is None else
                {"k": same_fid["param"], "cx_depth": same_fid["cx_depth"],
                 "fidelity": same_fid["fidelity"]}))
            save(out[-1:])
            if pool is not None:
                checks.append((out[-1], pool.submit(quimb_fidelity, ext.circuit,
                                                    [np.array(t) for t in target2.tensors])))
            print(f"  aqc(t=1,L={L})+trotter(k={k}) n={n}: F={ext.fidelity:.6f} "
                  f"depth={ext.two_qubit_depth}; Trotter same depth F="
                  f"{same_depth and same_depth['fidelity']}; same F depth="
                  f"{same_fid and same_fid['cx_depth']}", flush=True)
    t0 = time.perf_counter()
    for r, fut in checks:
        try:
            r["fidelity_quimb"] = fut.result()
        except Exception as exc:  # keep the row; say why the check failed
            r["quimb_error"] = f"{type(exc).__name__}: {exc}"
            print(f"  quimb {r['param']}: failed ({r['quimb_error']})", flush=True)
            continue
        r["quimb_check"] = "quimb CircuitMPS of the qiskit circuit, gate by gate, cutoff 1e-14"
        save([r])
        print(f"  quimb {r['param']}: {r['fidelity_quimb']:.10f} (tnqc {r['fidelity']:.10f})",
              flush=True)
    if pool is not None:
        pool.shutdown()
        print(f"  quimb checks: {time.perf_counter() - t0:.1f}s after the extensions", flush=True)
    return out


# ------------------------------------------------------------------ table, ratios, plot
def ratios(rows: list[dict], n: int, t: float) -> dict | None:
    a = [(r["cx_depth"], r["fidelity"]) for r in rows
         if r["method"] == "aqc" and r["n"] == n and r["t"] == t]
    s = [(r["cx_depth"], r["fidelity"]) for r in rows
         if r["method"] in SEQUENTIAL and r["n"] == n and r["t"] == t]
    if not a or not s:
        return None
    top = min(max(f for _, f in a), max(f for _, f in s))
    levels = sorted({f for _, f in a + s if f <= top} | ({0.99} if top >= 0.99 else set()))
    out = []
    for lev in levels:
        da = min(d for d, f in a if f >= lev)
        ds = min(d for d, f in s if f >= lev)
        out.append({"fidelity": lev, "aqc_depth": da, "sequential_depth": ds, "ratio": da / ds})
    worst = max(out, key=lambda x: x["ratio"])
    at99 = next((x for x in out if x["fidelity"] == 0.99), None)
    return {"n": n, "t": t, "max_common_fidelity": top, "worst": worst, "at_0.99": at99,
            "levels": out, "target_met": worst["ratio"] <= 0.1}


def _unique(runs: list[dict]) -> list[dict]:
    """Each run once (every saved row merges its run again)."""
    out: list[dict] = []
    for r in runs:
        if r not in out:
            out.append(r)
    return out


def merge(path: Path, new_rows: list[dict], targets: list[dict], run: dict) -> dict:
    data = json.loads(path.read_text()) if path.is_file() else {}
    key = lambda r: (r["method"], r["n"], r["t"], str(r["param"]), r["device"])  # noqa: E731
    rows = {key(r): r for r in data.get("rows", [])}
    rows.update({key(r): r for r in new_rows})
    tg = {(x["n"], x["t"]): x for x in data.get("targets", [])}
    tg.update({(x["n"], x["t"]): x for x in targets})
    all_rows = sorted(rows.values(), key=lambda r: (r["n"], r["t"], r["method"], str(r["param"])))
    cases = sorted({(r["n"], r["t"]) for r in all_rows})
    data.update({
        "benchmark": "AQC brickwork vs sequential (Ran, optimised) vs Trotter: F vs CX depth",
        "hamiltonian": "heisenberg(n, 0.25) = J S.S, J = 1 (Pauli units), Neel start",
        "targets_spec": "TEBD order 4, dt 0.025, cutoff 1e-10 (weight per SVD), chi <= 256",
        "targets": sorted(tg.values(), key=lambda x: (x["n"], x["t"])),
        "rows": all_rows,
        "ratios": [r for c in cases if (r := ratios(all_rows, *c)) is not None],
        "runs": _unique([*data.get("runs", []), run]),
    })
    atomic_write_json(path, data, overwrite=True)
    return data


def plot(data: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = data["rows"]
    ns = sorted({r["n"] for r in rows})
    ts = sorted({r["t"] for r in rows})
    fig, axes = plt.subplots(len(ns), len(ts), figsize=(4.2 * len(ts), 3.4 * len(ns)),
                             squeeze=False)
    style = {"aqc": ("o-", "C0"), "ran": ("s-", "C1"), "sequential_opt": ("^-", "C2"),
             "trotter": ("x--", "C3"), "aqc+trotter": ("D", "C4")}
    for i, n in enumerate(ns):
        for j, t in enumerate(ts):
            ax = axes[i][j]
            for m in METHODS:
                best: dict[int, float] = {}  # best measured fidelity per depth (all devices)
                for r in rows:
                    if r["method"] == m and r["n"] == n and r["t"] == t:
                        best[r["cx_depth"]] = max(best.get(r["cx_depth"], 0.0), r["fidelity"])
                if best:
                    pts = sorted((d, max(1 - f, 1e-12)) for d, f in best.items())
                    ax.plot(*zip(*pts, strict=True), style[m][0], color=style[m][1], ms=4,
                            label=m)
            ax.set_yscale("log")
            ax.set_xscale("log")
            ax.set_title(f"n={n}, t={t:g}")
            ax.set_xlabel("CX depth")
            ax.set_ylabel("1 - F")
            ax.grid(alpha=0.3)
    handles = [plt.Line2D([], [], linestyle="--" if m == "trotter" else "-" if m != "aqc+trotter"
                          else "", marker=style[m][0][0], color=style[m][1], label=m)
               for m in METHODS]
    fig.legend(handles=handles, loc="upper center", ncol=len(METHODS), fontsize=8)
    fig.suptitle("Heisenberg J S.S, Neel start: 1 - F vs CX depth", y=1.03)
    fig.tight_layout()
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    atomic_write(path, lambda fh: fh.write(buf.getvalue()), overwrite=True)
    plt.close(fig)


def print_table(data: dict) -> None:
    for r in data["ratios"]:
        w, a = r["worst"], r["at_0.99"]
        print(f"n={r['n']:>3} t={r['t']:g}: worst AQC/sequential depth ratio {w['ratio']:.3f} "
              f"at F={w['fidelity']:.4g} ({w['aqc_depth']} vs {w['sequential_depth']})"
              + (f"; at F=0.99: {a['ratio']:.3f} ({a['aqc_depth']} vs {a['sequential_depth']})"
                 if a else "") + f"; max common F {r['max_common_fidelity']:.6f}")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[20, 50, 100])
    ap.add_argument("--t", type=float, nargs="+", default=[1.0, 2.0, 4.0])
    ap.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    ap.add_argument("--layers", type=int, nargs="+", default=[2, 4, 6, 8, 10, 12])
    ap.add_argument("--maxiter", type=int, default=300)
    ap.add_argument("--ran-max", type=int, default=16)
    ap.add_argument("--residual-factor", type=int, default=4,
                    help="bond cap of the residual MPS of the sequential methods: this times the "
                         "target's chi (at most --residual-cap); the discarded weight is recorded")
    ap.add_argument("--residual-cap", type=int, default=256)
    ap.add_argument("--seqopt-max", type=int, default=4)
    ap.add_argument("--seqopt-maxiter", type=int, default=100)
    ap.add_argument("--trotter-max", type=int, default=20)
    ap.add_argument("--extend-layers", type=int, nargs="+", default=[4, 6, 8])
    ap.add_argument("--extend-steps", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--quimb", action="store_true", help="check extended circuits with quimb")
    ap.add_argument("--cache", type=Path, default=None, help="folder caching the TEBD targets")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--plot-only", action="store_true")
    ap.add_argument("--plot", action=argparse.BooleanOptionalAction, default=True,
                    help="draw the plot next to --out at the end (--no-plot: the JSON only)")
    ap.add_argument("--merge-from", type=Path, nargs="+", default=[],
                    help="merge the rows of other result files (e.g. a device run) into --out")
    args = ap.parse_args(argv)
    for extra in args.merge_from:
        other = json.loads(extra.read_text())
        for r in other.get("runs", []):
            merge(args.out, [], [], r)
        merge(args.out, other.get("rows", []), other.get("targets", []),
              {"command": " ".join(sys.argv), "merged_from": str(extra),
               "date": datetime.now(UTC).isoformat()})

    if args.plot_only:
        data = json.loads(args.out.read_text())
        plot(data, args.out.with_suffix(".png"))
        print_table(data)
        return
    device = device_name()
    run = {"command": " ".join(["python", *sys.argv]), "device": device,
           "date": datetime.now(UTC).isoformat(), "cpus": os.cpu_count(),
           "versions": package_versions(["numpy", "scipy", "jax", "optax", "qiskit", "quimb"]),
           "parameters": {k: (str(v) if isinstance(v, Path) else v)
                          for k, v in vars(args).items()}}
    data = {}
    extend = "aqc+trotter" in args.methods
    for n in args.n:
        tgt, trot = {}, {}
        for t in sorted(set(args.t) | ({1.0, 2.0} if extend else set())):
            tgt[t], info = make_target(n, t, args.cache)
            data = merge(args.out, [], [info], run)
            print(f"target n={n} t={t:g}: chi={info['chi']}", flush=True)

        def trotter_for(t, n=n, tgt=tgt, trot=trot):
            if t not in trot:
                trot[t] = run_trotter(tgt[t], n, t, args.trotter_max, device, save)
            return trot[t]

        compiled: dict[int, object] = {}

        def save(rows):
            merge(args.out, rows, [], run)

        for t in args.t:
            cap = min(args.residual_cap, args.residual_factor * tgt[t].max_bond())
            if "trotter" in args.methods:
                save(trotter_for(t))
            if "ran" in args.methods:
                save(run_sequential(tgt[t], n, t, args.ran_max, False, 1, device, cap, save))
            if "sequential_opt" in args.methods:
                save(run_sequential(tgt[t], n, t, args.seqopt_max, True, args.seqopt_maxiter,
                                    device, cap, save))
            if "aqc" in args.methods:
                layers = args.layers
                if extend and t == 1.0:
                    layers = sorted(set(layers) | set(args.extend_layers))
                run_aqc(tgt[t], n, t, layers, args.maxiter, device,
                        compiled if t == 1.0 else None, save)
        if extend:
            missing = [L for L in args.extend_layers if L not in compiled]
            if missing:
                run_aqc(tgt[1.0], n, 1.0, missing, args.maxiter, device, compiled, save)
            save(trotter_for(2.0))
            run_extend({L: compiled[L] for L in args.extend_layers}, tgt[1.0], tgt[2.0],
                       n, args.extend_steps, trotter_for(2.0), device, args.quimb, save)
        data = json.loads(args.out.read_text())
    if args.plot:
        plot(data, args.out.with_suffix(".png"))
    print_table(data)


if __name__ == "__main__":
    main()
