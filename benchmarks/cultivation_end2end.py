"""End-to-end cultivation (injection, cultivation, escape) vs GSJ 2024's gap curves.

Samples ``end_to_end_circuit(d1, d2, r1, r2)`` under uniform depolarising noise with the
complementary-gap matching decoder and prints logical error per kept shot and discard
rate for a sweep of gap thresholds, next to the GSJ numbers at the same thresholds
(sums over the C/E gap histograms of the ``end2end-inplace-distillation`` rows of
``assets/stats.csv`` in github.com/Strilanc/magic-state-cultivation: d1 = 3, d2 = 15,
r1 = 3, r2 = 5, p = 1e-3, 1e9 shots; their decoder is the "desaturation" matcher).

Usage: ``python benchmarks/cultivation_end2end.py --d1 3 --d2 15 --shots 2e6``.
Writes ``benchmarks/results/cultivation_end2end_d{d1}_d{d2}.json``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from _provenance import cpu_model, package_versions

from circuits.cultivation import GapDecoder, end_to_end_circuit, sample, uniform_depolarizing
from mps.atomic import atomic_write_json

# GSJ d1 = 3, d2 = 15, p = 1e-3: gap threshold (dB) -> (discard rate, error per kept shot)
GSJ_D3 = {0: (0.4613, 3.075e-3), 40: (0.529, 3.2e-5), 50: (0.623, 3.8e-6),
          60: (0.686, 1.9e-6)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--d1", type=int, default=3)
    ap.add_argument("--d2", type=int, default=15)
    ap.add_argument("--r1", type=int, default=None)
    ap.add_argument("--r2", type=int, default=5)
    ap.add_argument("--p", type=float, default=1e-3)
    ap.add_argument("--shots", type=float, default=2e5)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--seed", type=int, default=2024)
    args = ap.parse_args()
    t0 = time.perf_counter()
    circuit = end_to_end_circuit(args.d1, args.d2, r1=args.r1, r2=args.r2,
                                 noise=uniform_depolarizing(args.p))
    decoder = GapDecoder(circuit)
    build = time.perf_counter() - t0
    stats = sample(circuit, int(args.shots), seed=args.seed, num_workers=args.workers,
                   decoder=decoder)
    rows = []
    for gap in (0, 10, 20, 30, 40, 50, 60, 70):
        s = stats.with_gap_threshold(gap)
        if not s.kept:
            break
        ref = GSJ_D3.get(gap) if (args.d1, args.d2, args.p) == (3, 15, 1e-3) else None
        rows.append({"gap_db": gap, "discard_rate": s.discard_rate, "errors": s.errors,
                     "kept": s.kept, "logical_error_rate": s.logical_error_rate,
                     "ci95": list(s.confidence_interval()),
                     "expected_qubit_rounds": s.expected_qubit_rounds,
                     "gsj_discard_rate": ref[0] if ref else None,
                     "gsj_logical_error_rate": ref[1] if ref else None})
        lo, hi = s.confidence_interval()
        gsj = f"  GSJ: discard {ref[0]:.3f}, error {ref[1]:.2g}" if ref else ""
        print(f"gap >= {gap:3d} dB: discard {s.discard_rate:.4f}, {s.errors:6d} errors in "
              f"{s.kept} kept = {s.logical_error_rate:.3g} [{lo:.2g}, {hi:.2g}]{gsj}")
    out = {"parameters": vars(args), "qubits": circuit.num_qubits,
           "measurement_layers": stats.measurement_layers, "build_seconds": build,
           "decoded_detectors": decoder.num_decoded,
           "potential_conflicts": decoder.potential_conflicts,
           "sample_seconds": stats.seconds, "stats": stats.to_dict(), "gap_sweep": rows,
           "cpu": cpu_model(),
           "versions": package_versions(["stim", "sinter", "pymatching", "numpy"])}
    path = Path(__file__).parent / "results" / f"cultivation_end2end_d{args.d1}_d{args.d2}.json"
    atomic_write_json(path, out, overwrite=True)
    print(f"{stats.shots} shots in {stats.seconds:.0f} s -> {path}")


if __name__ == "__main__":
    main()
