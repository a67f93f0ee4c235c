"""Batched GRAPE restarts (optax Adam, vmapped) on whatever JAX device is present.

Random 4-qubit state transfer |0000> -> a seeded random state on a silicon
line (``SpinQubitDevice.silicon_line(4)``, J_max = 100 MHz, Omega_max = 56.6 MHz),
T = 50 ns in 100 slices; ``--restarts`` starts optimised together for
``--maxiter`` Adam steps.  Prints wall time (with and without JIT) and the
best fidelity; writes ``benchmarks/results/pulse_gpu.json`` (or ``--out``).
A work-in-progress timing for the pulse issue, not a comparison with a peer.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import jax
import numpy as np

from circuits.pulse import ControlGrid, GrapeConfig, SpinQubitDevice, optimize_state_transfer


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--restarts", type=int, nargs="+", default=[1, 16, 64])
    ap.add_argument("--maxiter", type=int, default=200)
    default_out = Path(__file__).parent / "results" / "pulse_gpu.json"
    ap.add_argument("--out", type=Path, default=default_out)
    args = ap.parse_args()
    dev = SpinQubitDevice.silicon_line(4, max_drive=0.0566, max_exchange=0.1)
    grid = ControlGrid(dev, 50.0, 100)
    rng = np.random.default_rng(7)
    target = rng.normal(size=16) + 1j * rng.normal(size=16)
    target /= np.linalg.norm(target)
    psi0 = np.zeros(16, complex)
    psi0[0] = 1.0
    rows = []
    for b in args.restarts:
        cfg = GrapeConfig(optimizer="adam", maxiter=args.maxiter, restarts=b, seed=0,
                          learning_rate=0.05)
        t0 = time.perf_counter()
        optimize_state_transfer(grid, psi0, target, GrapeConfig(
            optimizer="adam", maxiter=2, restarts=b, seed=0, learning_rate=0.05))
        t_warm = time.perf_counter() - t0
        t0 = time.perf_counter()
        res = optimize_state_transfer(grid, psi0, target, cfg)
        wall = time.perf_counter() - t0
        rows.append({"restarts": b, "maxiter": args.maxiter, "seconds": wall,
                     "warmup_seconds_incl_jit": t_warm, "best_fidelity": res.fidelity,
                     "seconds_per_restart_iteration": wall / (b * args.maxiter)})
        print(rows[-1], flush=True)
    out = {"device": [str(d) for d in jax.devices()], "rows": rows,
           "problem": "4 qubits, |0000> -> random state, T=50 ns, 100 slices, Adam"}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
