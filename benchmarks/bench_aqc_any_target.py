"""AQC of targets without a Trotter circuit: DMRG ground states and a random MPS.

The job (part 3 of issue 13)
----------------------------
Targets (Pauli convention, open chains):

* ground states by quimb ``DMRG2`` (:func:`mps.ground.ground_state`, ``chi <= 64``,
  cutoff 1e-10) of the Heisenberg chain ``J S.S`` (``heisenberg(n, 0.25)``) and
  of the XXZ chain ``sum XX + YY + 0.5 ZZ`` (``xxz(n, 1, 0.5)``), ``n = 50, 100``;
* a random MPS, ``n = 12``, ``chi = 4``, seed 7 (its circuits' fidelities are
  checked against a qiskit ``Statevector``).

Starts compared (all Hamiltonian-free, su4 blocks, per-qubit log-fidelity,
L-BFGS-B, ``--maxiter`` iterations per run):

* ``grow`` (the default for such targets): ``L = 1`` from the best product state,
  then one layer at a time near the identity, all parameters re-optimised;
  the fidelity after every stage is the fidelity at that ``L``;
* ``product``: the same product state with all blocks near the identity (seeded
  ``1e-2 N(0, 1)``, as grow's new layers), all ``L`` layers at once;
* ``random``: seeded ``0.1 N(0, 1)`` parameters, all ``L`` layers at once.

Every final circuit is re-checked by the exact, SVD-based ``ansatz.state``
(an independent contraction), and for ``n <= 12`` by ``Statevector``.  The
sequential (Ran / Rudolph et al.) baselines on the same targets are written as
``"sequential": null`` per target and filled in by
``benchmarks/bench_sequential_any_target.py``.

Run: ``python benchmarks/bench_aqc_any_target.py`` (GPU: a few minutes; ``--quick``
for a CPU smoke test).  Targets are cached in ``--targets`` (``.npz``).
Results: ``benchmarks/results/aqc_any_target.json`` (written after every row).
"""

from __future__ import annotations

import argparse
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

import aqc
from mps import MPS, heisenberg, xxz
from mps.atomic import atomic_write_json
from mps.ground import ground_state

HERE = Path(__file__).resolve().parent


def _write(report: dict, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_json(out, report, overwrite=True)  # the project's atomic writer


def random_target(n: int, chi: int, seed: int) -> MPS:
    rng = np.random.default_rng(seed)
    dims = [1] + [min(chi, 2 ** min(i, n - i)) for i in range(1, n)] + [1]
    shapes = [(dims[i], 2, dims[i + 1]) for i in range(n)]
    ts = [rng.normal(size=s) + 1j * rng.normal(size=s) for s in shapes]
    return MPS(ts).normalize().with_metadata({"kind": "random", "chi": chi, "seed": seed})


def ground_target(model: str, n: int, chi: int, cache: Path) -> tuple[MPS, dict]:
    path = cache / f"gs_{model}_n{n}_chi{chi}.npz"
    chain = heisenberg(n, 0.25) if model == "heisenberg" else xxz(n, 1.0, 0.5)
    if path.is_file():
        state = MPS.load(path)
        info = {"energy": state.metadata["energy"], "cached": True}
    else:
        res = ground_state(chain, chi)
        state = res.state
        cache.mkdir(parents=True, exist_ok=True)
        state.save(path, overwrite=True)
        info = {"energy": res.energy, "energy_check": res.energy_check, "sweeps": res.sweeps,
                "converged": res.converged, "dmrg_s": res.seconds, "cached": False}
    info.update(max_bond=state.max_bond(),
                half_chain_entropy=float(state.entanglement_entropy(n // 2 - 1)))
    return state, info


def checks(target: MPS, ans: aqc.BrickworkAnsatz, params: np.ndarray) -> dict:
    out = {"fidelity_check_mps": abs(target.overlap(ans.state(params))) ** 2}
    if target.n <= 12:
        from qiskit.quantum_info import Statevector

        sv = Statevector(ans.to_circuit(params)).data
        out["fidelity_statevector"] = abs(np.vdot(target.to_dense(), sv)) ** 2
    return out


def run(target: MPS, layers: int, init: str, maxiter: int, seed: int) -> tuple[dict, list]:
    ans = aqc.BrickworkAnsatz(target.n, layers)
    res = aqc.compile(target, ans, init=init, maxiter=maxiter, seed=seed)
    row = {"init": init, "layers": layers, "two_qubit_depth": res.two_qubit_depth,
           "fidelity": res.fidelity, "log_fidelity": res.log_fidelity,
           "init_fidelity": res.init_fidelity, "iterations": res.n_iter,
           "seconds": res.timings["total"], "optimize_s": res.timings["optimize"],
           **checks(target, ans, res.params)}
    per_layer = [{"layers": s["layers"], "fidelity": s["fidelity"], "n_iter": s["n_iter"],
                  "two_qubit_depth": 3 * s["layers"]} for s in res.stages]
    return row, per_layer


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[50, 100])
    ap.add_argument("--models", nargs="+", default=["heisenberg", "xxz"])
    ap.add_argument("--chi", type=int, default=64, help="DMRG bond dimension")
    ap.add_argument("--layers", type=int, default=6, help="largest L (grow runs 1..L)")
    ap.add_argument("--compare-layers", type=int, nargs="+", default=[2, 4, 6],
                    help="L of the product / random runs")
    ap.add_argument("--maxiter", type=int, default=150)
    ap.add_argument("--random", action=argparse.BooleanOptionalAction, default=True,
                    help="also the n = 12, chi = 4 random MPS")
    ap.add_argument("--random-only", action="store_true")
    ap.add_argument("--targets", type=Path, default=HERE / "device" / "targets")
    ap.add_argument("--only-targets", action="store_true", help="compute the DMRG targets, stop")
    ap.add_argument("--cached-only", action="store_true",
                    help="skip ground states that are not cached in --targets")
    ap.add_argument("--budget", type=float, default=1e9, help="skip runs after this many s")
    ap.add_argument("--device-label", default=None)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "aqc_any_target.json")
    args = ap.parse_args()
    if args.quick:
        args.n, args.models, args.chi = [12], ["heisenberg"], 8
        args.layers, args.compare_layers, args.maxiter = 3, [3], 20
    start = time.perf_counter()
    report = {
        "benchmark": "AQC of Hamiltonian-free targets: grow vs product vs random starts",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "host": {"hostname": platform.node(), "cpu": _provenance.cpu_model(),
                 "cpus": os.cpu_count(), "jax_devices": [str(d) for d in jax.devices()],
                 "device_label": args.device_label},
        "parameters": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "versions": _provenance.package_versions(("numpy", "scipy", "jax", "jaxlib", "quimb",
                                                  "qiskit")),
        "targets": [],
    }
    todo: list[tuple[str, int]] = []
    if not args.random_only:
        todo += [(m, n) for n in args.n for m in args.models]
    if args.random:
        todo.insert(0, ("random", 12))
    for model, n in todo:
        if time.perf_counter() - start > args.budget:
            break
        if model == "random":
            target, info = random_target(12, 4, 7), {"chi": 4, "seed": 7}
        else:
            cached = args.targets / f"gs_{model}_n{n}_chi{args.chi}.npz"
            if args.cached_only and not cached.is_file():
                print(f"target {model} n={n}: not cached, skipped", flush=True)
                continue
            target, info = ground_target(model, n, args.chi, args.targets)
            print(f"target {model} n={n}: E={info['energy']:.8f} chi={info['max_bond']}",
                  flush=True)
            if args.only_targets:
                continue
        entry = {"model": model, "n": n, "kind": target.metadata.get("kind"), **info,
                 "runs": [], "grow_per_layer": [], "sequential": None}
        report["targets"].append(entry)
        row, per_layer = run(target, args.layers, "grow", args.maxiter, 0)
        entry["runs"].append(row)
        entry["grow_per_layer"] = per_layer
        print(f"  grow L=1..{args.layers}: " + ", ".join(
            f"L={r['layers']}:F={r['fidelity']:.5f}" for r in per_layer), flush=True)
        _write(report, args.out)
        for layers in args.compare_layers:
            for init in ("product", "random"):
                if time.perf_counter() - start > args.budget:
                    break
                row, _ = run(target, layers, init, args.maxiter, 0)
                entry["runs"].append(row)
                print(f"  {init} L={layers}: F={row['fidelity']:.5f} ({row['seconds']:.1f} s)",
                      flush=True)
                _write(report, args.out)
    report["wall_s"] = time.perf_counter() - start
    _write(report, args.out)


if __name__ == "__main__":
    main()
