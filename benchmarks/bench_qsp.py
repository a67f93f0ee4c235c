"""Phase finding: circuits.qsp.find_phases vs pyqsp (sym_qsp) on the same degree-20 target.

Both run on the same target in one process, best of ``--repeat`` runs (default 20)
each; prints the time ratio and writes ``benchmarks/results/qsp.json``.  Needs
``pip install pyqsp`` (the ``bench`` extra).  The error is measured for both by
the same routine (``response`` on 2001 Chebyshev points).
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
from scipy.special import erf

from circuits.qsp import TargetPolynomial, find_phases, response


def main() -> None:
    from pyqsp.angle_sequence import QuantumSignalProcessingPhases

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    target = TargetPolynomial.from_function(lambda x: 0.9 * erf(6 * (x**2 - 0.3)), 20)
    grid = np.cos(np.linspace(0, np.pi, 2001))

    def best(fn):
        times, out = [], None
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            out = fn()
            times.append(time.perf_counter() - t0)
        return min(times), out

    t_ours, ours = best(lambda: find_phases(target))
    t_pyqsp, out = best(lambda: QuantumSignalProcessingPhases(
        np.asarray(target.coefficients), signal_operator="Wx", method="sym_qsp",
        chebyshev_basis=True,
    ))
    phases_pyqsp = np.asarray(out[0] if isinstance(out, tuple) else out, dtype=float)
    # pyqsp's sym_qsp phases fit Im<0|U|0>; shifting the end phases by -π/4 gives Re (ours)
    phases_pyqsp[[0, -1]] -= np.pi / 4
    err_pyqsp = float(np.max(np.abs(response(phases_pyqsp, grid).real - target(grid))))
    result = {
        "target": "0.9 erf(6 (x^2 - 0.3)), Chebyshev degree 20",
        "tnqc": {"seconds": t_ours, "max_error": ours.max_error, "iterations": ours.iterations},
        "pyqsp": {"seconds": t_pyqsp, "max_error": err_pyqsp, "method": "sym_qsp"},
        "time_ratio_tnqc_over_pyqsp": t_ours / t_pyqsp,
        "repeat": args.repeat,
        "python": platform.python_version(),
    }
    print(json.dumps(result, indent=2))
    path = Path(__file__).parent / "results" / "qsp.json"
    path.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
