"""Acceptance 3 of issue 13, measured: DMRG ground state -> ``tnqc compile --target`` -> quimb.

For every ``n`` in ``--n``: ``tnqc ground --model heisenberg --n N --j 0.25 --max-bond CHI``
(quimb's DMRG2), then ``tnqc compile --target target.npz --layers L --maxiter M`` (the
Hamiltonian-free ``grow`` start), both run as the user runs them (``python -m circuits.cli``
in a subprocess, so their exit codes and one-line errors are what a shell sees).  The
compiled ``circuit.qpy`` is then re-simulated gate by gate by quimb's ``CircuitMPS``
(qiskit's 2-qubit matrices with the qubits reversed, as in ``tests/conftest.py``), and
``|<target|circuit>|^2`` is compared with the fidelity in ``report.json`` (acceptance: to
1e-6).  The same check is the slow test ``tests/test_aqc_targets.py::
test_cli_ground_then_compile_from_target_n100``; this script records the figures.

Run: ``python benchmarks/bench_ground_compile_cli.py --n 50 100`` (``--quick``: n = 12).
Results: ``benchmarks/results/aqc_ground_cli.json`` (written after every n).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _provenance

from mps import MPS
from mps.atomic import atomic_write_json

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def quimb_fidelity(circuit_file: Path, target: MPS) -> tuple[float, float]:
    """``|<target|circuit>|^2`` by quimb's CircuitMPS (exact: no bond cap) and its seconds."""
    import quimb.tensor as qtn
    from qiskit import qpy
    from qiskit.quantum_info import Operator

    t0 = time.perf_counter()
    with open(circuit_file, "rb") as fh:
        qc = qpy.load(fh)[0]
    circ = qtn.CircuitMPS(qc.num_qubits, cutoff=1e-14)
    for inst in qc.data:
        qubits = [qc.find_bit(q).index for q in inst.qubits]
        circ.apply_gate_raw(Operator(inst.operation).data, tuple(reversed(qubits)),
                            contract="swap+split")
    fid = float(abs(target.to_quimb().H @ circ.psi) ** 2)
    return fid, time.perf_counter() - t0


def cli(args: list[str]) -> tuple[int, str, float]:
    t0 = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    proc = subprocess.run([sys.executable, "-m", "circuits.cli", *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, check=False)
    return proc.returncode, (proc.stdout + proc.stderr)[-2000:], time.perf_counter() - t0


def one(n: int, chi: int, layers: int, maxiter: int, work: Path) -> dict:
    gs_dir, c_dir = work / f"gs{n}_chi{chi}", work / f"c{n}_chi{chi}"
    rc, log, t_ground = cli(["ground", "--model", "heisenberg", "--n", str(n), "--j", "0.25",
                             "--max-bond", str(chi), "--out", str(gs_dir)])
    if rc:
        return {"n": n, "error": f"tnqc ground exit {rc}", "log": log}
    gs = json.loads((gs_dir / "report.json").read_text())
    print(f"n={n}: ground E={gs['energy']:.10f} chi={gs['max_bond_reached']} "
          f"({t_ground:.1f} s)", flush=True)
    rc, log, t_compile = cli(["compile", "--target", str(gs_dir / "target.npz"), "--layers",
                              str(layers), "--maxiter", str(maxiter), "--out", str(c_dir),
                              "--no-plots"])
    if rc:
        return {"n": n, "error": f"tnqc compile exit {rc}", "log": log}
    rep = json.loads((c_dir / "report.json").read_text())
    target = MPS.load(gs_dir / "target.npz")
    f_quimb, t_quimb = quimb_fidelity(c_dir / "circuit.qpy", target)
    row = {"n": n, "max_bond": chi, "layers": layers, "maxiter_per_stage": maxiter,
           "ground_energy": gs["energy"], "ground_energy_check": gs.get("energy_check"),
           "ground_max_bond_reached": gs["max_bond_reached"],
           "target_in_report": rep.get("target"), "init": rep.get("init"),
           "fidelity_tnqc": rep["fidelity"], "fidelity_quimb": f_quimb,
           "abs_diff": abs(f_quimb - rep["fidelity"]),
           "agree_to_1e-6": bool(abs(f_quimb - rep["fidelity"]) <= 1e-6),
           "two_qubit_depth": rep.get("two_qubit_depth"),
           "seconds": {"ground_cli": t_ground, "compile_cli": t_compile, "quimb": t_quimb}}
    print(f"n={n}: compile L={layers} F={rep['fidelity']:.10f} quimb {f_quimb:.10f} "
          f"|dF|={row['abs_diff']:.1e} ({t_compile:.1f} s, quimb {t_quimb:.1f} s)", flush=True)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[50, 100])
    ap.add_argument("--max-bond", type=int, nargs="+", default=[16, 64],
                    help="DMRG bond dimension per n (last one repeats)")
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--maxiter", type=int, default=100)
    ap.add_argument("--device-label", default=None)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "aqc_ground_cli.json")
    args = ap.parse_args()
    if args.quick:
        args.n, args.max_bond, args.layers, args.maxiter = [12], [8], 2, 10
    report = {
        "benchmark": "tnqc ground -> tnqc compile --target -> quimb CircuitMPS (issue 13, "
                     "acceptance 3)",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "host": {"hostname": platform.node(), "cpu": _provenance.cpu_model(),
                 "cpus": os.cpu_count(), "load": os.getloadavg(),
                 "device_label": args.device_label},
        "model": "heisenberg(n, 0.25) = J S.S, J = 1, open chain",
        "versions": _provenance.package_versions(("numpy", "scipy", "jax", "qiskit", "quimb")),
        "rows": [],
    }
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for i, n in enumerate(args.n):
            chi = args.max_bond[min(i, len(args.max_bond) - 1)]
            report["rows"].append(one(n, chi, args.layers, args.maxiter, Path(tmp)))
            report["wall_s"] = time.perf_counter() - start
            args.out.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_json(args.out, report, overwrite=True)
    ok = all(r.get("agree_to_1e-6") for r in report["rows"])
    print(f"all agree to 1e-6: {ok} ({report['wall_s']:.1f} s)", flush=True)
    if not ok or not np.isfinite(report["wall_s"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
