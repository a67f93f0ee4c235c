"""The METs of Long et al. (2024) with their definitions: bond-distance scans and Haar pairs.

Molecules (the four headline numbers are maxima over an 80-point bond-distance scan):

| case | molecule | J_max | grid (T_max ns, points) | paper MET (grid value) |
|---|---|---|---|---|
| h2 | H2 | 1 GHz | (24, 307) | 2.4 ns (2.4314) |
| heh+ | HeH+ | 1 GHz | (10, 128) | 4.4 ns (4.4094) |
| lih | LiH | 1 GHz | (50, 128) | 27.2 ns (27.1654) |
| h2-10mhz | H2 | 10 MHz | (100, 256) | 84.3 ns (84.3137) |

Device :meth:`circuits.pulse.lab.LabSpinChain.long2024` (exact lab frame, no RWA, tones
optimised in [27, 29] GHz, 10 slices), energy criterion ``E - E0 <= 1e-7`` Ha, per-r MET
by bisection on the grid index (:func:`circuits.pulse.protocol.grid_bisection`), all r
and starts of a round in one ``jax.vmap``-ed L-BFGS batch.

Haar transitions (``--haar N``): independent Haar-random start and target states, 40
slices, infidelity ``<= 1e-7``, grids 2 qubits (290 ns, 145), 3 (100, 50), 4 (60, 30), or
``--haar-grid TMAX,POINTS``; ``--drive-scale`` multiplies the IQ bound (the paper's
x0.125 = 884 kHz and x8 = 56.6 MHz).

Usage::

    python benchmarks/pulse_met_paper.py --cases h2 --r-points 3 --out /tmp/m.json   # CPU check
    python benchmarks/pulse_met_paper.py --cases h2,heh+,lih,h2-10mhz --haar 2,3,4 --pairs 256

Writes JSON (default ``benchmarks/results/pulse_met_paper.json``): per case the MET per r,
the maximum and its r, the energy errors, the rounds' timings, the device, and the time per
MET; per Haar set the METs, the empirical CDF with bootstrap bands, and the claims checked.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._provenance import cpu_model, package_versions
from circuits.pulse.lab import LabControls, LabSpinChain, substeps_for
from circuits.pulse.lab_met import fidelity_cost
from circuits.pulse.protocol import grid_bisection, haar_pair
from circuits.pulse.tables import HF_INDEX, SCAN_FORWARD, scan_distances, table

CASES = {
    "h2": {"molecule": "h2", "j_max": 1.0, "grid": (24.0, 307), "paper_ns": 2.4,
           "paper_grid_ns": 2.4314},
    "heh+": {"molecule": "heh+", "j_max": 1.0, "grid": (10.0, 128), "paper_ns": 4.4,
             "paper_grid_ns": 4.4094},
    "lih": {"molecule": "lih", "j_max": 1.0, "grid": (50.0, 128), "paper_ns": 27.2,
            "paper_grid_ns": 27.1654},
    "h2-10mhz": {"molecule": "h2", "j_max": 0.01, "grid": (100.0, 256), "paper_ns": 84.3,
                 "paper_grid_ns": 84.3137},
}
HAAR_GRIDS = {1: (500.0, 250), 2: (290.0, 145), 3: (100.0, 50), 4: (60.0, 30)}
TOL = 1e-7


def device_name() -> str:
    import jax

    d = jax.devices()[0]
    return f"{d.platform}: {getattr(d, 'device_kind', '')}".strip()


def pick(n: int, k: int | None) -> np.ndarray:
    """``k`` evenly spread indices of ``range(n)`` including both ends (all if None)."""
    if k is None or k >= n:
        return np.arange(n)
    return np.unique(np.round(np.linspace(0, n - 1, k)).astype(int))


def run_case(name: str, args) -> dict:
    c = CASES[name]
    mol = c["molecule"]
    rs_all, hs_all, e0_all = table(mol)
    scan = scan_distances(mol)
    rows = [int(np.argmin(np.abs(rs_all - r))) for r in scan[pick(scan.size, args.r_count)]]
    rs, hs, e0 = rs_all[rows], hs_all[rows], e0_all[rows]
    n = int(np.log2(hs.shape[1]))
    dev = LabSpinChain.long2024(n, j_max=c["j_max"], max_step=args.max_step)
    ctl = LabControls(dev, 10)
    tmax, pts = c["grid"]
    pts = args.grid_points or pts
    grid = np.linspace(0.0, tmax, pts)
    psi0 = np.eye(2**n)[HF_INDEX[mol]]
    sub = max(args.case_substeps or 0, substeps_for(ctl, tmax))
    log(f"[{name}] {rs.size} r, substeps {sub}, grid {pts} to {tmax} ns")
    res = grid_bisection(ctl, grid, psi0, hs, e0, tol=TOL, restarts=args.restarts,
                         substeps=sub,
                         maxiter=args.maxiter, seed=args.seed, neighbour=True,
                         forward=SCAN_FORWARD[mol], budget_s=args.budget,
                         progress=progress_logger(name, args.partial))
    ok = np.isfinite(res.met)
    k = int(np.nanargmax(np.where(ok, res.met, -np.inf))) if ok.any() else None
    mx = float(res.met[k]) if k is not None else None
    n_opt = sum(r["batch"] for r in res.rounds)
    return {
        "case": name, "molecule": mol, "device": dev.as_dict(), "n_slices": 10,
        "substeps_per_slice": res.substeps, "max_step_ns": args.max_step,
        "grid": {"t_max_ns": tmax, "points": pts}, "tol_hartree": TOL,
        "r_angstrom": rs.tolist(), "met_ns": [None if not np.isfinite(v) else float(v)
                                              for v in res.met],
        "unreached_below_ns": res.lower.tolist(), "energy_error_at_met": res.error.tolist(),
        "complete": res.complete.tolist(),
        "max_met_ns": mx, "argmax_r_angstrom": float(rs[k]) if k is not None else None,
        "paper_ns": c["paper_ns"], "paper_grid_ns": c["paper_grid_ns"],
        "within_10_percent": None if mx is None else bool(abs(mx / c["paper_ns"] - 1) <= 0.1),
        "same_grid_point": None if mx is None else bool(abs(mx - c["paper_grid_ns"]) < 1e-3),
        "rounds": res.rounds, "seconds": res.seconds, "optimisations": n_opt,
        "seconds_per_met": res.seconds / rs.size,
        "seconds_per_optimisation": res.seconds / max(n_opt, 1),
        "all_complete": bool(res.complete.all()),
    }


def ecdf_with_bands(values: np.ndarray, ts: np.ndarray, boots: int, seed: int) -> dict:
    """Empirical CDF of ``values`` on ``ts`` and a 95% bootstrap band (NaN = never)."""
    rng = np.random.default_rng(seed)
    v = np.where(np.isfinite(values), values, np.inf)
    cdf = (v[None, :] <= ts[:, None]).mean(1)
    samples = rng.choice(v, size=(boots, v.size), replace=True)
    bc = (samples[:, None, :] <= ts[None, :, None]).mean(2)
    return {"t_ns": ts.tolist(), "cdf": cdf.tolist(),
            "lo95": np.quantile(bc, 0.025, axis=0).tolist(),
            "hi95": np.quantile(bc, 0.975, axis=0).tolist()}


def run_haar(n: int, args, scale: float, grid_spec=None, n_pairs: int = 1024) -> dict:
    tmax, pts = grid_spec or HAAR_GRIDS[n]
    pts = min(args.grid_points or pts, pts)
    grid = np.linspace(0.0, tmax, pts)
    dev = LabSpinChain.long2024(n, drive_scale=scale, max_step=args.max_step)
    ctl = LabControls(dev, 40)
    rng = np.random.default_rng(args.seed + 1000 * n)
    pairs = [haar_pair(2**n, rng) for _ in range(n_pairs)]
    psi0 = np.stack([p[0] for p in pairs])
    hams = np.stack([fidelity_cost(p[1]) for p in pairs])
    tag = f"haar{n}x{scale:g}"
    # steps of the qubit number's own grid (a shorter drive-check grid then shares its kernel)
    sub = substeps_for(ctl, max(tmax, HAAR_GRIDS[n][0]))
    log(f"[{tag}] {len(pairs)} pairs, substeps {sub}, grid {pts} to {tmax}")
    res = grid_bisection(ctl, grid, psi0, hams, np.zeros(len(pairs)), tol=TOL, substeps=sub,
                         restarts=args.haar_restarts, maxiter=args.maxiter, seed=args.seed,
                         zero_start=False, budget_s=args.budget,
                         progress=progress_logger(tag, args.partial))
    met = res.met
    fin = met[np.isfinite(met)]
    return {
        "qubits": n, "drive_scale": scale, "device": dev.as_dict(), "n_slices": 40,
        "pairs": len(pairs), "grid": {"t_max_ns": tmax, "points": pts}, "tol_infidelity": TOL,
        "met_ns": [None if not np.isfinite(v) else float(v) for v in met],
        "complete": res.complete.tolist(), "all_complete": bool(res.complete.all()),
        "unreached": int(np.sum(~np.isfinite(met))),
        "max_met_ns": float(fin.max()) if fin.size else None,
        "median_met_ns": float(np.median(fin)) if fin.size else None,
        "cdf": ecdf_with_bands(met, grid, 1000, args.seed),
        "rounds": res.rounds, "seconds": res.seconds,
        "seconds_per_met": res.seconds / len(pairs),
    }


def log(msg: str) -> None:
    print(msg, flush=True)


def progress_logger(tag: str, partial: Path | None):
    """Log a round (without the bracket lists) and keep the brackets in ``partial``."""
    def cb(info: dict) -> None:
        log(f"  [{tag}] " + str({k: v for k, v in info.items() if not k.endswith("_ns")}))
        if partial is not None:
            partial.write_text(json.dumps({"tag": tag, **info}))

    return cb


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default="h2,heh+,lih,h2-10mhz")
    ap.add_argument("--r-points", default=None, help="bond distances per scan (evenly "
                    "spread, both ends; default all 80); one value or one per case")
    ap.add_argument("--restarts", type=int, default=3)
    ap.add_argument("--haar", default="", help="qubit numbers, e.g. 2,3,4")
    ap.add_argument("--pairs", default="1024", help="Haar pairs, one value or one per "
                    "--haar entry")
    ap.add_argument("--haar-restarts", type=int, default=2)
    ap.add_argument("--drive-scale", default="1", help="IQ bound scales for the Haar runs")
    ap.add_argument("--haar-grid", default=None, help="TMAX,POINTS for the Haar runs")
    ap.add_argument("--grid-points", type=int, default=None,
                    help="replace the paper's number of grid points (quick tests only)")
    ap.add_argument("--maxiter", type=int, default=300)
    ap.add_argument("--max-step", type=float, default=0.02)
    ap.add_argument("--substeps", default=None, help="steps per slice per case (0 = from "
                    "--max-step); equal values let cases share one compilation")
    ap.add_argument("--budget-s", default=None, help="seconds per case (one value, or one "
                    "per case then per Haar run)")
    ap.add_argument("--drive-check", default=None, help="SCALE,PAIRS,TMAX,POINTS: one more "
                    "2-qubit Haar run at IQ bound x SCALE (the paper's x8 = 56.6 MHz)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dry-run", action="store_true", help="check the arguments, print the "
                    "plan and exit")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" /
                                         "pulse_met_paper.json"))
    ap.add_argument("--partial", default=None, help="file for the brackets of the running "
                    "round (default: next to --out)")
    args = ap.parse_args(argv)
    args.partial = Path(args.partial or Path(args.out).with_suffix(".partial.json"))
    cases = [c for c in args.cases.split(",") if c]
    for c in cases:
        if c not in CASES:
            ap.error(f"unknown case {c!r}; choose from {sorted(CASES)}")
    haar = [int(v) for v in args.haar.split(",") if v]
    npairs = [int(v) for v in args.pairs.split(",")]
    npairs = npairs * len(haar) if len(npairs) == 1 else npairs
    if haar and len(npairs) != len(haar):
        ap.error("--pairs needs one value or one per --haar entry")
    scales = [float(v) for v in args.drive_scale.split(",") if v]
    budgets = [float(v) for v in args.budget_s.split(",")] if args.budget_s else [None]
    n_runs = len(cases) + len(haar) * len(scales) + (1 if args.drive_check else 0)
    budgets = budgets * n_runs if len(budgets) == 1 else budgets
    if len(budgets) != n_runs:
        ap.error(f"--budget-s needs one value or {n_runs} (cases, Haar runs, drive check)")
    budget_iter = iter(budgets)
    subs = [int(v) or None for v in args.substeps.split(",")] if args.substeps else [None]
    subs = subs * len(cases) if len(subs) == 1 else subs
    if len(subs) != len(cases):
        ap.error("--substeps needs one value or one per case")
    rpts = [int(v) for v in args.r_points.split(",")] if args.r_points else [None]
    rpts = rpts * len(cases) if len(rpts) == 1 else rpts
    if len(rpts) != len(cases):
        ap.error("--r-points needs one value or one per case")
    hgrid = None
    if args.haar_grid:
        a, b = args.haar_grid.split(",")
        hgrid = (float(a), int(b))
    if args.dry_run:
        print({"cases": cases, "r_points": rpts, "substeps": subs, "haar": haar,
               "pairs": npairs, "scales": scales, "budgets": budgets,
               "drive_check": args.drive_check})
        return
    t0 = time.perf_counter()
    out = {"benchmark": "pulse_met_paper", "command": " ".join(sys.argv),
           "device": device_name(), "cpu": cpu_model(), "host": platform.node(),
           "note": "MET per r by bisection on the paper's grid index; see "
                   "circuits/pulse/protocol.py for what differs from the paper's code",
           "versions": package_versions(["jax", "jaxlib", "numpy", "scipy", "optax"]),
           "parameters": {k: str(v) if isinstance(v, Path) else v
                          for k, v in vars(args).items()}, "molecules": {}, "haar": []}
    path = Path(args.out)
    path.parent.mkdir(parents=True, exist_ok=True)

    def save() -> None:
        out["wall_seconds"] = time.perf_counter() - t0
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(out, indent=1))
        os.replace(tmp, path)
        log(f"wrote {path} ({out['wall_seconds']:.1f} s)")

    for c, k, sub in zip(cases, rpts, subs, strict=True):
        args.budget, args.r_count, args.case_substeps = next(budget_iter), k, sub
        out["molecules"][c] = run_case(c, args)
        log(f"[{c}] max MET {out['molecules'][c]['max_met_ns']} ns at r = "
            f"{out['molecules'][c]['argmax_r_angstrom']} (paper {CASES[c]['paper_ns']})")
        save()
    for n, k in zip(haar, npairs, strict=False):
        for sc in scales:
            args.budget = next(budget_iter)
            out["haar"].append(run_haar(n, args, sc, hgrid, k))
            h = out["haar"][-1]
            log(f"[haar {n}q x{sc:g}] max MET {h['max_met_ns']} median {h['median_met_ns']} "
                f"unreached {h['unreached']}")
            save()
    if args.drive_check:
        sc, k, tm, pts = args.drive_check.split(",")
        args.budget = next(budget_iter)
        out["drive_check"] = run_haar(2, args, float(sc), (float(tm), int(pts)), int(k))
        h = out["drive_check"]
        log(f"[drive check x{sc}] max MET {h['max_met_ns']} median {h['median_met_ns']}")
    save()


if __name__ == "__main__":
    main()
