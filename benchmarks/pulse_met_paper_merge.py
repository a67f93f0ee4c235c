"""Merge runs of ``benchmarks/pulse_met_paper.py`` (GPU and CPU) into one results file.

Usage::

    python benchmarks/pulse_met_paper_merge.py RUN.json [RUN.json ...] \
        --out benchmarks/results/pulse_met_paper.json

Every run is kept whole under ``runs`` (each with its device, command and versions); the
``summary`` puts, per molecular case, every run's maximum MET beside the paper's (ratio,
within 10 %, same grid point, r of the maximum, energy errors, time per MET), and per Haar
set the MET statistics and the abstract's claims.  ``--verify`` adds runs of
``benchmarks/pulse_met_paper_verify.py`` (fixed grid times over a scan: which r reach);
``--polish`` adds runs of ``benchmarks/pulse_met_paper_polish.py`` (saved pulses optimised
further); ``--keep-from`` carries the ``grid_point_checks`` and ``verdict`` of an earlier
merged file and ``--verdict CASE=TEXT`` sets one verdict.  With ``--haar-out`` the Haar sets
of all runs are also pooled per qubit number and IQ bound (:func:`combined_haar`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from mps.atomic import atomic_write_json

CASE_KEYS = ("max_met_ns", "argmax_r_angstrom", "paper_ns", "paper_grid_ns", "ratio_to_paper",
             "within_10_percent", "same_grid_point", "energy_error_at_max",
             "fine_energy_error_at_max", "r_run", "r_reached", "all_complete",
             "met_is_upper_bound", "window_ns", "substeps_per_slice", "step_ns", "seconds")
HAAR_KEYS = ("drive_check", "qubits", "drive_scale", "pairs", "unreached", "max_met_ns",
             "median_met_ns", "quantiles_ns", "all_complete", "claim_all_below_50ns",
             "seconds", "seconds_per_met", "pairs_requested", "chunk_pairs", "step_ns",
             "maxiter_per_round", "points_per_round", "restarts", "kernel_compare",
             "partial_chunk")


def claim_below_50ns(met: np.ndarray) -> bool | None:
    """True when every pair reached the tolerance below 50 ns, else None (not established).

    An unreached pair, or one reached only at >= 50 ns, is an upper bound set by the
    optimiser's iteration cap, not a lower bound on the MET: it cannot refute the claim.
    """
    met = np.asarray(met, dtype=float)
    return True if met.size and np.all(np.isfinite(met)) and met.max() < 50.0 else None


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


def combined_haar(sets: list[dict], boots: int = 1000, seed: int = 0) -> list[dict]:
    """Every run's Haar results pooled per ``(qubits, drive_scale)`` and pair index.

    All runs draw their pairs in order from the same seed (``--seed`` + 1000 n), so pair
    ``i`` is the same pair in every run; ``--first-pair`` and the chunks give each result
    its index.  A time at which a pair was reached (a finished search's MET or a cut
    search's reached time) is an upper bound on its MET (the monotone rule), so each pair
    keeps the least such time over all runs and the pooled empirical CDF is a lower bound
    on the CDF of the attempted pairs (unreached pairs count as never).
    """
    groups: dict = {}
    for h in sets:
        if h.get("seed", 0) != 0:
            continue
        key = (h["qubits"], float(h.get("drive_scale", 1.0)))
        g = groups.setdefault(key, {"best": {}, "runs": [], "grid_times": set()})
        g["runs"].append(h["run"])
        tmax, pts = h["grid"]["t_max_ns"], h["grid"]["points"]
        g["grid_times"].update(np.round(np.linspace(0.0, tmax, pts)[1:], 6).tolist())
        parts = [(h.get("first_pair", 0), h.get("met_ns", []))]
        if h.get("partial_chunk"):
            parts.append((h["partial_chunk"]["first_pair"], h["partial_chunk"]["met_ns"]))
        for first, mets in parts:
            for i, m in enumerate(mets):
                old = g["best"].get(first + i, np.inf)
                g["best"][first + i] = min(old, np.inf if m is None else float(m))
    out = []
    for (n, scale), g in sorted(groups.items()):
        idx = sorted(g["best"])
        met = np.array([g["best"][i] for i in idx])
        ts = np.array(sorted(g["grid_times"]))
        reached = met[np.isfinite(met)]
        out.append({"qubits": n, "drive_scale": scale, "pairs": len(idx),
                    "pair_indices": [min(idx), max(idx)], "reached": int(reached.size),
                    "met_upper_ns": [None if not np.isfinite(v) else float(v) for v in met],
                    "median_reached_ns": float(np.median(reached)) if reached.size else None,
                    "max_reached_ns": float(reached.max()) if reached.size else None,
                    "reached_below_50ns": int(np.sum(reached < 50.0)),
                    "cdf_lower_bound": ecdf_with_bands(met, ts, boots, seed),
                    "runs": sorted(set(g["runs"]))})
    return out


def haar_claims(pooled: list[dict]) -> dict:
    """The abstract's two Haar claims beside the pooled results (counts, not verdicts where
    pairs are open: an unreached pair bounds the optimiser, not the MET)."""
    claims = {"abstract": "all 4-qubit transitions below 50 ns; raising the drive bound "
                          "from 884 kHz to 56.6 MHz shortens 2-qubit transitions from "
                          "about 1000 ns to 25 ns",
              "iq_bound_note": "drive_scale multiplies 3.5355 MHz per quadrature (the "
                               "paper's 7.07 MHz); x8 = the paper's 56.6 MHz",
              "met_note": "every MET here is an upper bound (the first grid time our "
                          "optimiser reached); a pair not reached is open, not a "
                          "counterexample"}
    by = {(g["qubits"], g["drive_scale"]): g for g in pooled}
    four = by.get((4, 1.0))
    if four:
        k, n = four["reached_below_50ns"], four["pairs"]
        claims["four_qubits_below_50ns"] = (
            ("established for these pairs" if k == n else "consistent, not established")
            + f": {k} of {n} four-qubit pairs reached below 50 ns; {n - k} open")
    two = []
    for scale, name in ((8.0, "56.6 MHz"), (0.125, "884 kHz")):
        g = by.get((2, scale))
        if g:
            two.append(f"{name} (x{scale:g}): {g['reached']} of {g['pairs']} pairs reached, "
                       f"median {_ns(g['median_reached_ns'])}, max {_ns(g['max_reached_ns'])}"
                       " of the reached")
        else:
            two.append(f"{name} (x{scale:g}): not run")
    claims["drive_bound_2q"] = "; ".join(two)
    return claims


def _ns(v):
    return "-" if v is None else f"{v:.1f} ns"


def case_summary(rep: dict, run: dict) -> dict:
    out = {k: rep.get(k) for k in CASE_KEYS}
    n = max(rep.get("r_run") or 0, 1)
    out["seconds_per_met"] = None if rep.get("seconds") is None else rep["seconds"] / n
    out["compile_s"] = rep.get("compile", {}).get("compile_s")
    out["seconds_per_iteration"] = rep.get("compile", {}).get("seconds_per_iteration")
    out["batch"] = rep.get("compile", {}).get("batch")
    out["device"], out["run"] = run["device"], run["label"]
    return out


def verify_summary(path: str) -> dict:
    """Which r of a verification run reach ``E - E0 <= 1e-7`` at each grid time."""
    d = json.loads(Path(path).read_text())
    p = d.get("parameters", {})
    return {"file": Path(path).name, "case": d["case"], "t_ns": d["t_ns"],
            "r_count": len(d["r_angstrom"]), "reached_per_t": d.get("reached_per_t"),
            "unreached_r": d.get("unreached_r"), "rounds": len(d.get("rounds", [])),
            "restarts": p.get("restarts"), "maxiter": p.get("maxiters"),
            "memory": p.get("memory"), "fidelity_weight": p.get("fidelity_weight", 0.0),
            "step_ns": d.get("step_ns"), "r_angstrom": d["r_angstrom"],
            "best_cost": d.get("best_energy_error"),
            "fine_energy_error": d.get("fine_energy_error"),
            "seconds": d.get("seconds", d.get("wall_seconds")), "device": d.get("device")}


def polish_summary(path: str) -> dict:
    """Which (r, T) of a ``pulse_met_paper_polish.py`` run (saved pulses optimised further)
    reach ``E - E0 <= 1e-7`` (5 ps re-simulation), and with the monotone rule which r are
    reached by the longest T."""
    d = json.loads(Path(path).read_text())
    r, t = np.asarray(d["r_angstrom"]), np.asarray(d["t_ns"], dtype=float).reshape(-1)
    t = np.broadcast_to(t, r.shape)
    fine = np.asarray(d["fine_energy_error"])
    ok = fine <= 1e-7
    by_r = {float(v): bool(ok[r == v].any()) for v in np.unique(r)}
    p = d.get("parameters", {})
    return {"file": Path(path).name, "from_run": d.get("run"), "r_angstrom": r.tolist(),
            "t_ns": t.tolist(), "start_energy_error": d.get("start_energy_error"),
            "fine_energy_error": fine.tolist(), "iterations": d.get("iterations"),
            "reached": ok.tolist(), "r_reached_by_max_t": sum(by_r.values()),
            "r_count": len(by_r), "max_t_ns": float(t.max()),
            "method": p.get("method"), "memory": p.get("memory"),
            "seconds": d.get("seconds"), "device": d.get("device")}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", nargs="+")
    ap.add_argument("--out", required=True)
    ap.add_argument("--note", action="append", default=[], help="FILE=TEXT: a note on a "
                    "run (e.g. the branch commit it ran), kept as the run's 'run_note'")
    ap.add_argument("--verify", action="append", default=[], help="a run of "
                    "pulse_met_paper_verify.py (repeatable)")
    ap.add_argument("--polish", action="append", default=[], help="a run of "
                    "pulse_met_paper_polish.py (repeatable)")
    ap.add_argument("--keep-from", default=None, help="an earlier merged file whose "
                    "summary's grid_point_checks and verdict are kept")
    ap.add_argument("--verdict", action="append", default=[], help="CASE=TEXT")
    ap.add_argument("--headline", action="append", default=[], help="CASE=NS: our settled "
                    "MET (max over r) beside the paper's grid value (kept by --keep-from)")
    ap.add_argument("--haar-out", default=None, help="also write the Haar sets (with their "
                    "METs and CDFs) to this file")
    args = ap.parse_args(argv)
    runs = []
    for p in args.runs:
        doc = json.loads(Path(p).read_text())
        doc["label"] = Path(p).name
        for note in args.note:
            name, _, text = note.partition("=")
            if name == doc["label"]:
                doc["run_note"] = text
        runs.append(doc)
    summary = {"molecules": {}, "haar": []}
    for run in runs:
        for name, rep in run.get("molecules", {}).items():
            summary["molecules"].setdefault(name, []).append(case_summary(rep, run))
        for h in run.get("haar", []):
            if "met_ns" in h:
                summary["haar"].append({**{k: h.get(k) for k in HAAR_KEYS},
                                        "grid": h.get("grid"), "device": run["device"],
                                        "run": run["label"]})
    if args.keep_from:
        old = json.loads(Path(args.keep_from).read_text()).get("summary", {})
        for key in ("grid_point_checks", "verdict", "headline"):
            if key in old:
                summary[key] = old[key]
    for v in args.verify:
        summary.setdefault("verifications", []).append(verify_summary(v))
    for v in args.polish:
        summary.setdefault("polish", []).append(polish_summary(v))
    paper = {"h2": 2.4314, "heh+": 4.4094, "lih": 27.1654, "h2-10mhz": 84.3137}
    for item in args.headline:
        case, _, ns = item.partition("=")
        ours = None if ns in ("", "none") else float(ns)
        summary.setdefault("headline", {})[case] = {
            "ours_ns": ours, "paper_grid_ns": paper[case],
            "ratio": None if ours is None else ours / paper[case]}
    for item in args.verdict:
        case, _, text = item.partition("=")
        summary.setdefault("verdict", {})[case] = text
    doc = {"benchmark": "pulse_met_paper", "summary": summary, "runs": runs}
    if args.haar_out:
        sets = [{**h, "device": run["device"], "run": run["label"],
                 "seed": run.get("parameters", {}).get("seed", 0),
                 "versions": run.get("versions")} for run in runs for h in run.get("haar", [])
                if "met_ns" in h]
        for h in sets:  # per run, the 4-qubit claim is tri-state: True, or None = not shown
            if h.get("qubits") == 4 and "met_ns" in h:
                h["claim_all_below_50ns"] = claim_below_50ns(
                    [np.inf if m is None else m for m in h["met_ns"]])
        pooled = combined_haar(sets)
        summary["haar_pooled"] = [{k: v for k, v in g.items() if k != "cdf_lower_bound"}
                                  for g in pooled]
        atomic_write_json(args.haar_out, {"claims": haar_claims(pooled), "pooled": pooled,
                                          "sets": sets}, overwrite=True, default=float)
    atomic_write_json(args.out, doc, overwrite=True)
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
