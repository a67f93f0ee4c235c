"""Framed ``K^dagger V^k K`` and symmetric ``(X^T X)^k`` blocks vs Trotter at equal CX depth (Néel).

For one chain (Heisenberg ``J S.S`` or XXZ ``jz = 0.5``, J = 1), ``n``, block time ``tau`` and
kernel layers ``L``: compile with :func:`aqc.unitary_frame.compile_framed` for frame widths
``--frames`` (0 = the transpose-symmetric block), repeat to ``t = 1, 2, 4`` and compare the
state infidelity against a TEBD reference (order 4, dt = 0.125, chi <= 128, cutoff 1e-12)
with second-order Trotter whose CX depth ``3 (2 s + 1)`` equals the repeated circuit's.
Prints one line per time and writes ``--out`` (JSON rows).

Run: ``python benchmarks/aqc_unitary_frames.py --n 20 --tau 0.5 --layers 4 --frames 1 2 3``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _provenance import cpu_model, package_versions

from aqc.unitary_frame import FramedAnsatz, SymmetricAnsatz, compile_framed, iter_framed_states
from mps import MPS, evolve, heisenberg, xxz
from mps.mpo import evolution_mpo


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", choices=["heisenberg", "xxz"], default="heisenberg")
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--tau", type=float, default=0.5)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--frames", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--maxiter", type=int, default=400)
    ap.add_argument("--times", type=float, nargs="+", default=[1.0, 2.0, 4.0])
    ap.add_argument("--out", type=Path, default=Path("/tmp/aqc_unitary_frames.json"))
    args = ap.parse_args()
    n, tau, big_l = args.n, args.tau, args.layers
    chain = heisenberg(n, 0.25) if args.model == "heisenberg" else xxz(n, 0.25, 0.125)
    psi0 = MPS.neel(n)
    refs, state, prev = {}, psi0, 0.0
    for t in args.times:
        state = evolve(chain, state, t - prev, 0.125, order=4, max_bond=128, cutoff=1e-12).state
        refs[t], prev = state, t
    target = evolution_mpo(chain, tau, dt=0.05, order=4, cutoff=1e-12)
    rows = []
    for lk in args.frames:
        ansatz = FramedAnsatz(n, big_l, lk) if lk > 0 else SymmetricAnsatz(n, big_l)
        t1 = time.perf_counter()
        res = compile_framed(chain, tau, ansatz, maxiter=args.maxiter, target=target)
        secs = time.perf_counter() - t1
        print(f"frame={lk} L={big_l} block 1-F={1 - res.fidelity:.3e} (start "
              f"{1 - res.init_fidelity:.3e}, {res.n_iter} it, {secs:.0f} s)", flush=True)
        ks = {round(t / tau): t for t in args.times}
        for k, st, _ in iter_framed_states(res, psi0, max(ks), want=set(ks)):
            t = ks[k]
            depth = ansatz.two_qubit_depth(k)
            s = (depth // 3 - 1) // 2
            tro = evolve(chain, psi0, t, t / s, order=2, max_bond=128, cutoff=1e-12).state
            inf_a = 1 - abs(refs[t].overlap(st)) ** 2
            inf_t = 1 - abs(refs[t].overlap(tro)) ** 2
            print(f"   t={t:g} k={k} CX depth {depth}: AQC {inf_a:.3e}, Trotter (s={s}) "
                  f"{inf_t:.3e}, ratio {inf_t / inf_a:.2f}", flush=True)
            rows.append({"model": args.model, "n": n, "tau": tau, "layers": big_l,
                         "frame_layers": lk, "variant": "symmetric" if lk == 0 else "framed",
                         "t": t, "repeats": k, "cx_depth": depth,
                         "block_infidelity": 1 - res.fidelity, "n_iter": res.n_iter,
                         "compile_s": secs, "aqc_state_infidelity": inf_a,
                         "trotter_steps": s, "trotter_state_infidelity": inf_t,
                         "ratio_trotter_over_aqc": inf_t / inf_a})
    args.out.write_text(json.dumps({
        "benchmark": "aqc_unitary_frames", "rows": rows, "command": " ".join(sys.argv),
        "machine": {"cpu": cpu_model()},
        "versions": package_versions(["numpy", "scipy", "jax"])}, indent=2) + "\n")


if __name__ == "__main__":
    main()
