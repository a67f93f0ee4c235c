"""Compare our cultivation statistics with Gidney, Shutty, Jones (2024) on the same noise.

Reference numbers: ``assets/stats.csv`` of the paper's repository
(github.com/Strilanc/magic-state-cultivation, the data behind the paper's figures),
rows ``inject[unitary]+cultivate``, gate set ``css``, ``uniform`` noise, decoder
``perfectionist`` (discard a shot when any detector fires):

    d  p       shots            errors  discards
    3  5e-4    30952001331      1026    5305074614
    3  1e-3    4377310754       1029    1371081100
    3  2e-3    744115473        1000    392699580
    5  1e-3    1000000000000    50      856037097464

Usage: ``python benchmarks/cultivation_vs_gsj.py --d 3 --p 1e-3 --shots 4e9 --workers 2``.
Writes ``benchmarks/results/cultivation_gsj_d{d}_p{p}.json`` with both sets of counts, the
discard-rate z-score and the two-sample test of the error rates.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

from _provenance import cpu_model, package_versions
from scipy import stats as st

from circuits.cultivation import cultivation_circuit, sample, uniform_depolarizing
from mps.atomic import atomic_write_json

GSJ = {  # (d, p): (shots, errors, discards)
    (3, 5e-4): (30952001331, 1026, 5305074614),
    (3, 1e-3): (4377310754, 1029, 1371081100),
    (3, 2e-3): (744115473, 1000, 392699580),
    (5, 5e-4): (1000000000000, 0, 620811691699),
    (5, 1e-3): (1000000000000, 50, 856037097464),
    (5, 2e-3): (1000000000000, 263, 979169240903),
}


def compare(d: int, p: float, shots: int, workers: int, seed: int) -> dict:
    circuit = cultivation_circuit(d, noise=uniform_depolarizing(p))
    t0 = time.perf_counter()
    ours = sample(circuit, shots, seed=seed, num_workers=workers)
    seconds = time.perf_counter() - t0
    g_shots, g_err, g_disc = GSJ[(d, p)]
    g_kept = g_shots - g_disc
    r1, r2 = ours.discard_rate, g_disc / g_shots
    se = math.sqrt(r1 * (1 - r1) / ours.shots + r2 * (1 - r2) / g_shots)
    z_discard = (r1 - r2) / se
    # errors: conditional binomial test of ours vs GSJ given the total error count
    total = ours.errors + g_err
    frac = ours.kept / (ours.kept + g_kept)
    p_errors = float(st.binomtest(ours.errors, total, frac).pvalue) if total else 1.0
    out = {
        "d": d, "p": p, "noise": "uniform", "seed": seed, "workers": workers,
        "ours": ours.to_dict(), "seconds": seconds, "shots_per_second": ours.shots / seconds,
        "gsj": {"shots": g_shots, "errors": g_err, "discards": g_disc,
                "discard_rate": r2, "logical_error_rate": g_err / g_kept},
        "discard_rate_z": z_discard,
        "errors_two_sample_p_value": p_errors,
        "cpu": cpu_model(),
        "versions": package_versions(["stim", "sinter", "numpy"]),
    }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--d", type=int, default=3)
    ap.add_argument("--p", type=float, default=1e-3)
    ap.add_argument("--shots", type=float, default=1e8)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--seed", type=int, default=2024)
    args = ap.parse_args()
    res = compare(args.d, args.p, int(args.shots), args.workers, args.seed)
    o = res["ours"]
    print(f"d={args.d} p={args.p:g}: ours {o['shots']} shots, discard {o['discard_rate']:.5f}"
          f" (GSJ {res['gsj']['discard_rate']:.5f}, z={res['discard_rate_z']:.2f}); errors "
          f"{o['errors']}/{o['kept']} = {o['logical_error_rate']:.3g} CI95 "
          f"{o['logical_error_rate_ci95']} (GSJ {res['gsj']['logical_error_rate']:.3g}, "
          f"two-sample p={res['errors_two_sample_p_value']:.3f}); "
          f"{res['shots_per_second']:.3g} shots/s")
    path = Path(__file__).parent / "results" / f"cultivation_gsj_d{args.d}_p{args.p:g}.json"
    atomic_write_json(path, res, overwrite=True)
    print(f"-> {path}")


if __name__ == "__main__":
    main()
