"""Unitary AQC vs Trotter at equal CX depth: compile ``U(tau)``, repeat it, evolve the Néel state.

For each model (Heisenberg ``J S.S`` with J = 1, i.e. ``heisenberg(n, 0.25)``; XXZ
``J (SxSx + SySy) + 0.5 J SzSz``, i.e. ``xxz(n, 0.25, 0.125)``), each ``n``, each
block time ``tau`` and layer count ``L``:

* the block fidelity ``|Tr(U^dagger V)|^2 / 4^n`` against the MPO of ``U(tau)``
  (:func:`aqc.unitary.compile_unitary`, Trotter start, L-BFGS-B);
* the state infidelity ``1 - |<psi(t)|V^k|Neel>|^2`` at ``t = k tau`` in
  ``--times`` against a TEBD reference (order 4, ``dt = 0.125``... ``--ref-dt``,
  bond cap ``--max-bond`` >= 128, cutoff 1e-12), next to the second-order Trotter
  circuit with the most steps ``s`` whose CX depth ``3 (2 s + 1)`` fits in ``3 k L``.

Writes ``benchmarks/results/aqc_unitary.json`` (rows, the best Trotter/AQC infidelity
ratio at ``n = 100, t = 2`` per model, timings, device, provenance) and
``benchmarks/results/aqc_unitary.png``.

Run: ``python benchmarks/bench_aqc_unitary.py`` (full grid; the lent GPU runs it via
``benchmarks/device/issue-15.sh``), or ``--quick`` for a seconds-long smoke run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _provenance import cpu_model, package_versions

from aqc import BrickworkAnsatz
from aqc.unitary import compile_unitary, iter_block_states, tile_params
from aqc.unitary_frame import SymmetricAnsatz, compile_framed, iter_framed_states
from mps import MPS, evolve, heisenberg, xxz
from mps.mpo import evolution_mpo

MODELS = {"heisenberg": lambda n: heisenberg(n, 0.25), "xxz": lambda n: xxz(n, 0.25, 0.125)}


def _device() -> str:
    import jax

    d = jax.devices()[0]
    return f"{d.platform}:{getattr(d, 'device_kind', '')}"


def run(args) -> dict:
    rows, refs_info = [], []
    times = sorted(args.times)
    done: dict[tuple, object] = {}  # (model, tau, layers) -> result at the largest n so far
    for model in args.models:
        for n, maxiter, max_time in zip(args.n, args.maxiter, args.max_time, strict=True):
            chain = MODELS[model](n)
            psi0 = MPS.neel(n)
            t0 = time.perf_counter()
            refs, source = _references(args, model, chain, psi0, times)
            refs_info.append({"model": model, "n": n, "seconds": time.perf_counter() - t0,
                              "source": source, "ref_dt": args.ref_dt, "order": 4,
                              "cutoff": 1e-12, "max_bond_cap": args.max_bond,
                              "max_bond": {str(t): refs[t].max_bond() for t in times}})
            print(f"[{model} n={n}] reference to t={times[-1]} ({source}) in "
                  f"{time.perf_counter() - t0:.1f} s", flush=True)
            if args.refs_only:
                continue
            trotter_cache: dict[tuple[float, int], float] = {}
            for tau in args.taus:
                t1 = time.perf_counter()
                target = evolution_mpo(chain, tau, dt=0.05, order=4, cutoff=1e-12)
                mpo_s = time.perf_counter() - t1
                ks = {t: round(t / tau) for t in times if abs(t / tau - round(t / tau)) < 1e-9}
                for layers in args.layers:
                    if (model, n, tau, layers) in args.skip or (
                            args.configs and (tau, layers) not in args.configs):
                        continue
                    want = {k: t for t, k in ks.items()}
                    res, states, rep_s, depth = _compile_and_repeat(
                        args, chain, tau, n, layers, target, maxiter, max_time, psi0, want,
                        done.get((model, tau, layers)))
                    done[(model, tau, layers)] = res
                    for t in sorted(states):
                        k = ks[t]
                        st, tr = states[t]
                        f_aqc = abs(refs[t].overlap(st)) ** 2
                        s = (depth(k) // 3 - 1) // 2
                        if (t, s) not in trotter_cache and s >= 1:
                            tro = _trotter_state(args, model, chain, psi0, t, s)
                            trotter_cache[(t, s)] = abs(refs[t].overlap(tro)) ** 2
                        f_tro = trotter_cache.get((t, s), math.nan)
                        inf_a, inf_t = 1.0 - f_aqc, 1.0 - f_tro
                        rows.append({
                            "model": model, "n": n, "tau": tau, "layers": layers, "t": t,
                            "variant": args.variant,
                            "repeats": k, "block_fidelity": res.fidelity,
                            "block_infidelity": -math.expm1(res.log_fidelity),
                            "block_init": getattr(res, "init", "trotter-symmetric"),
                            "block_init_fidelity": res.init_fidelity,
                            "n_iter": res.n_iter, "stop_reason": res.stop_reason,
                            "compile_s": res.timings["total"] - res.timings["mpo"],
                            "compile_timings": res.timings, "mpo_s": mpo_s,
                            "mpo_max_bond": target.max_bond(), "repeat_s": rep_s,
                            "cx_depth": depth(k),
                            "aqc_state_infidelity": inf_a, "aqc_truncation": tr,
                            "trotter_steps": s, "trotter_cx_depth": 3 * (2 * s + 1),
                            "trotter_state_infidelity": inf_t if s >= 1 else None,
                            "ratio_trotter_over_aqc": (inf_t / inf_a) if s >= 1 and inf_a > 0
                            else None,
                        })
                    r = [x for x in rows if x["model"] == model and x["n"] == n
                         and x["tau"] == tau and x["layers"] == layers
                         and x["variant"] == args.variant]
                    print(f"[{model} n={n} tau={tau} L={layers}] block 1-F="
                          f"{r[0]['block_infidelity']:.3e} ({res.n_iter} it, "
                          f"{r[0]['compile_s']:.1f} s); "
                          + "; ".join(f"t={x['t']:g}: {x['aqc_state_infidelity']:.2e} vs Trotter "
                                      f"{x['trotter_state_infidelity'] or float('nan'):.2e}"
                                      for x in r), flush=True)
                    _write(args, {"rows": rows, "references": refs_info, "partial": True})
    return summarise(rows, refs_info, args.models)


def _cache_file(args, name: str) -> Path | None:
    return None if args.ref_cache is None else args.ref_cache / f"{name}.npz"


def _cached_state(args, name: str, make):
    """``(MPS, "cache" | "computed")``: from ``--ref-cache`` if there, else ``make()`` (saved)."""
    path = _cache_file(args, name)
    if path is not None and path.is_file():
        return MPS.load(path), "cache"
    state = make()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        state.save(path, overwrite=True)  # atomic: parallel runs never read half a file
    return state, "computed"


def _references(args, model: str, chain, psi0, times) -> tuple[dict, str]:
    """TEBD references at every time (order 4, chained), each cached under ``--ref-cache``."""
    refs, state, prev, sources = {}, psi0, 0.0, set()
    for t in times:
        key = f"ref_{model}_n{chain.n}_t{t:g}_dt{args.ref_dt:g}_chi{args.max_bond}"

        def make(state=state, dt=t - prev):
            return evolve(chain, state, dt, args.ref_dt, order=4, max_bond=args.max_bond,
                          cutoff=1e-12, threads=args.threads).state

        state, src = _cached_state(args, key, make)
        sources.add(src)
        refs[t], prev = state, t
    return refs, "+".join(sorted(sources))


def _trotter_state(args, model: str, chain, psi0, t: float, s: int):
    """Second-order Trotter state with ``s`` steps to ``t`` (cached under ``--ref-cache``)."""
    key = f"trotter_{model}_n{chain.n}_t{t:g}_s{s}_chi{args.max_bond}"
    return _cached_state(args, key, lambda: evolve(
        chain, psi0, t, t / s, order=2, max_bond=args.max_bond, cutoff=1e-12,
        threads=args.threads).state)[0]


def _compile_and_repeat(args, chain, tau, n, layers, target, maxiter, max_time, psi0, want,
                        prev_res):
    """``(result, {t: (state, truncation)}, seconds, k -> CX depth)`` of one configuration."""
    if args.variant == "symmetric":
        ansatz = SymmetricAnsatz(n, layers)
        res = compile_framed(chain, tau, ansatz, target=target, maxiter=maxiter,
                             max_time=max_time)
        t2 = time.perf_counter()
        states = {want[k]: (st, tr) for k, st, tr in iter_framed_states(
            res, psi0, max(want), max_bond=args.max_bond, cutoff=1e-12, want=set(want),
            threads=args.threads)}
        return res, states, time.perf_counter() - t2, ansatz.two_qubit_depth
    ansatz = BrickworkAnsatz(n, layers)
    init = "trotter"
    if args.tile and prev_res is not None and prev_res.ansatz.n < n:
        init = tile_params(prev_res, ansatz)
    res = compile_unitary(chain, tau, ansatz, target=target, init=init,
                          maxiter=maxiter, max_time=max_time)
    states = {}
    t2 = time.perf_counter()
    for k, st, tr in iter_block_states(res, psi0, max(want), max_bond=args.max_bond,
                                       cutoff=1e-12, threads=args.threads):
        if k in want:
            states[want[k]] = (st, tr)
    return res, states, time.perf_counter() - t2, lambda k: k * res.two_qubit_depth


def summarise(rows: list, refs_info: list, models: list) -> dict:
    """The best Trotter/AQC infidelity ratio at the largest n and t = 2, per model."""
    best: dict = {}
    if not rows:  # e.g. every configuration skipped (--skip-from) or --refs-only
        return {"rows": rows, "references": refs_info, "best_ratio_n_max_t2": best}
    n_max = max(r["n"] for r in rows)
    for model in models:
        cand = [r for r in rows if r["model"] == model and r["n"] == n_max and r["t"] == 2
                and r["ratio_trotter_over_aqc"] is not None]
        if cand:
            b = max(cand, key=lambda r: r["ratio_trotter_over_aqc"])
            best[model] = {"variant": b.get("variant", "plain")}
            best[model].update({k: b[k] for k in ("n", "tau", "layers", "t", "cx_depth",
                                              "aqc_state_infidelity", "trotter_state_infidelity",
                                              "trotter_cx_depth", "ratio_trotter_over_aqc")})
            best[model]["target_100x_met"] = b["ratio_trotter_over_aqc"] >= 100
    return {"rows": rows, "references": refs_info, "best_ratio_n_max_t2": best}


def _write(args, data: dict) -> None:
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    tmp.replace(args.out)


def timing(args) -> None:
    """Acceptance timing: n = 100 Heisenberg, tau = 0.25, L = 4, 300 iterations (default)."""
    n = 100 if not args.quick else 10
    tau, layers = float(args.timing_config[0]), int(args.timing_config[1])
    chain = heisenberg(n, 0.25)
    t0, c0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    res = compile_unitary(chain, tau, BrickworkAnsatz(n, layers), maxiter=300)
    wall, c1 = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF)
    entry = {"n": n, "tau": tau, "layers": layers, "maxiter": 300, "n_iter": res.n_iter,
             "stop_reason": res.stop_reason, "block_fidelity": res.fidelity,
             "init_fidelity": res.init_fidelity, "timings": res.timings, "wall_s": wall,
             "s_per_iteration": res.timings["optimize"] / max(res.n_iter, 1),
             "cpu_s": {"user": c1.ru_utime - c0.ru_utime, "sys": c1.ru_stime - c0.ru_stime},
             "machine": {"cpu": cpu_model(), "cores": os.cpu_count(), "jax_device": _device(),
                         "load_avg": os.getloadavg()},
             "versions": package_versions(["numpy", "scipy", "jax"]),
             "command": " ".join(sys.argv)}
    out = args.out.with_name(args.out.stem + "_timing.json") if not args.timing_out \
        else args.timing_out
    old = json.loads(out.read_text()) if out.is_file() else {"runs": []}
    old["runs"].append(entry)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(old, indent=2) + "\n")
    print(json.dumps(entry, indent=2))


def plot(data: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = data["rows"]
    models = sorted({r["model"] for r in rows})
    ns = sorted({r["n"] for r in rows})
    fig, axes = plt.subplots(len(models), len(ns), figsize=(5.5 * len(ns), 4 * len(models)),
                             squeeze=False)
    for a, model in enumerate(models):
        for b, n in enumerate(ns):
            ax = axes[a][b]
            variants = sorted({r.get("variant", "plain") for r in rows})
            for (tau, mk), (var, ls) in ((a, v) for a in zip(sorted({r["tau"] for r in rows}),
                                                            "os^v", strict=False)
                                         for v in zip(variants, ["-", "--"], strict=False)):
                for t, col in zip(sorted({r["t"] for r in rows}), ["C0", "C1", "C2", "C3"],
                                  strict=False):
                    sel = sorted((r for r in rows if r["model"] == model and r["n"] == n
                                  and r["tau"] == tau and r["t"] == t
                                  and r.get("variant", "plain") == var),
                                 key=lambda r: r["cx_depth"])
                    if not sel:
                        continue
                    ax.semilogy([r["cx_depth"] for r in sel],
                                [max(r["aqc_state_infidelity"], 1e-16) for r in sel], mk + ls,
                                color=col, label=f"AQC {var} tau={tau:g}, t={t:g}")
            for t, col in zip(sorted({r["t"] for r in rows}), ["C0", "C1", "C2", "C3"],
                              strict=False):
                tro = {(r["trotter_cx_depth"], r["trotter_state_infidelity"]) for r in rows
                       if r["model"] == model and r["n"] == n and r["t"] == t
                       and r["trotter_state_infidelity"] is not None}
                tro = sorted(tro)
                if tro:
                    ax.semilogy([d for d, _ in tro], [max(f, 1e-16) for _, f in tro], "x:",
                                color=col, label=f"Trotter o2, t={t:g}")
            ax.set_xlabel("CX depth")
            ax.set_ylabel("state infidelity vs TEBD (Néel)")
            ax.set_title(f"{model}, n={n}")
            ax.legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    p.add_argument("--n", nargs="+", type=int, default=[20, 100])
    p.add_argument("--taus", nargs="+", type=float, default=[0.25, 0.5])
    p.add_argument("--layers", nargs="+", type=int, default=[2, 4, 6, 8])
    p.add_argument("--times", nargs="+", type=float, default=[1.0, 2.0, 4.0])
    p.add_argument("--maxiter", nargs="+", type=int, default=[2000, 400],
                   help="L-BFGS-B iterations per compile, one per --n")
    p.add_argument("--max-time", nargs="+", type=float, default=[30.0, 40.0],
                   help="seconds per compile, one per --n")
    p.add_argument("--no-tile", dest="tile", action="store_false",
                   help="start every n from Trotter (default: larger n start from the tiled "
                        "blocks of the smaller n)")
    p.add_argument("--timing", action="store_true",
                   help="only time the n = 100, tau = 0.25, L = 4 Heisenberg compile "
                        "(300 iterations from the Trotter start)")
    p.add_argument("--max-bond", type=int, default=128)
    p.add_argument("--ref-dt", type=float, default=0.125)
    p.add_argument("--out", type=Path,
                   default=Path(__file__).parent / "results" / "aqc_unitary.json")
    p.add_argument("--timing-out", type=Path, default=None)
    p.add_argument("--timing-config", nargs=2, default=["0.25", "4"], metavar=("TAU", "L"))
    p.add_argument("--threads", type=int, default=None, help="TEBD threads (default: CPUs, <= 8)")
    p.add_argument("--merge", nargs="+", default=None,
                   help="merge part files written by separate runs into --out")
    p.add_argument("--variant", choices=["plain", "symmetric"], default="plain",
                   help="block: the plain brickwork (default) or the transpose-symmetric "
                        "X^T X block whose repetitions merge a layer (aqc.unitary_frame)")
    p.add_argument("--no-plot", dest="plot", action="store_false", help="write no PNG")
    p.add_argument("--skip-from", type=Path, default=None,
                   help="skip the (model, n, tau, L) configurations with rows in this JSON")
    p.add_argument("--ref-cache", type=Path, default=None,
                   help="folder for the TEBD reference and Trotter states (.npz, keyed by "
                        "model, n, t, dt, chi): reused if present, so parallel or later runs "
                        "compute each once")
    p.add_argument("--configs", nargs="+", default=None, metavar="TAU:L",
                   help="only these (tau, L) pairs of the --taus x --layers grid")
    p.add_argument("--refs-only", action="store_true",
                   help="only compute (and cache) the references, no compiles")
    p.add_argument("--quick", action="store_true", help="tiny grid (seconds)")
    args = p.parse_args()
    args.skip = set()
    try:
        args.configs = {(float(c.split(":")[0]), int(c.split(":")[1])) for c in args.configs or ()}
    except (ValueError, IndexError):
        p.error(f"--configs takes TAU:L pairs such as 0.25:4, got {args.configs}")
    if args.skip_from is not None and args.skip_from.is_file():
        args.skip = {(r["model"], r["n"], r["tau"], r["layers"])
                     for r in json.loads(args.skip_from.read_text())["rows"]
                     if r.get("variant", "plain") == args.variant}
    if args.timing:
        timing(args)
        return
    if args.merge:
        parts = [json.loads(Path(f).read_text()) for f in args.merge]
        rows = [r for p_ in parts for r in p_["rows"]]
        refs = [r for p_ in parts for r in p_["references"]]
        data = summarise(rows, refs, sorted({r["model"] for r in rows}))
        data.update({"benchmark": "aqc_unitary", "parts": [p_.get("command") for p_ in parts],
                     "settings": [p_.get("settings") for p_ in parts],
                     "machine": parts[0].get("machine"), "versions": parts[0].get("versions"),
                     "wall_s": [p_.get("wall_s") for p_ in parts],
                     "complete": all(not p_.get("partial") for p_ in parts)})
        _write(args, data)
        plot(data, args.out.with_suffix(".png"))
        print(json.dumps(data["best_ratio_n_max_t2"], indent=2))
        return
    if args.quick:
        args.models, args.n, args.taus, args.layers, args.times = (
            ["heisenberg"], [6, 8], [0.5], [2, 4], [1.0, 2.0])
        args.maxiter, args.max_time = [30, 10], [20.0, 20.0]
    if len(args.maxiter) != len(args.n) or len(args.max_time) != len(args.n):
        raise SystemExit("--maxiter and --max-time need one value per --n")
    if args.max_bond < 128 and not args.quick:
        raise SystemExit("--max-bond must be >= 128 for the reference")
    start = time.perf_counter()
    data = run(args)
    data.update({
        "benchmark": "aqc_unitary", "command": " ".join(sys.argv),
        "settings": {k: (str(v) if isinstance(v, Path) else sorted(v) if isinstance(v, set)
                         else v) for k, v in vars(args).items() if k != "skip"},
        "machine": {"cpu": cpu_model(), "cores": os.cpu_count(), "jax_device": _device()},
        "versions": package_versions(["numpy", "scipy", "jax", "qiskit", "quimb"]),
        "wall_s": time.perf_counter() - start,
    })
    _write(args, data)
    if args.plot and data["rows"]:
        plot(data, args.out.with_suffix(".png"))
    print(json.dumps(data["best_ratio_n_max_t2"], indent=2))
    print(f"wrote {args.out} in {data['wall_s']:.1f} s")


if __name__ == "__main__":
    main()
