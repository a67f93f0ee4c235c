"""``tnqc compile ... --extend-to T --extend-steps k``: compress, then extend (:mod:`aqc.extend`).

After a compile job has written its folder (``target.npz``, ``params.npz``,
``report.json``), :func:`run_extend` appends ``k`` second-order Trotter steps
from the compiled time ``t`` to ``T``, writes ``circuit_extended.qpy`` and
``circuit_extended.qasm`` (OpenQASM 3) atomically, and adds an ``"extend"`` row
to ``report.json``: the AQC-then-Trotter circuit, the plain Trotter circuit of
the same CX depth and the shallowest plain Trotter circuit of the same fidelity,
all against the TEBD target at ``T``.

:func:`check_extend_options` validates the two options before any work starts.

Example
-------
>>> from circuits.extend_job import check_extend_options
>>> check_extend_options(1.0, 0.5, 4)  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
ValueError: --extend-to must be greater than --t = 1, got 0.5
>>> check_extend_options(1.0, 2.0, 0)  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
ValueError: --extend-steps must be >= 1, got 0
>>> check_extend_options(1.0, 2.0, 4) is None  # a valid pair passes
True
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from mps import MPS
from mps.atomic import atomic_write, atomic_write_json

from .jobs import JobError, JobSpec, build_chain, initial_state

__all__ = ["check_extend_options", "run_extend"]


def check_extend_options(t: float, extend_to: float | None, steps: int) -> None:
    """Raise ValueError unless ``extend_to`` is None or a finite time > ``t`` and ``steps >= 1``."""
    if extend_to is None:
        return
    if not math.isfinite(extend_to):
        raise ValueError(f"--extend-to must be a finite time, got {extend_to}")
    if extend_to <= t:
        raise ValueError(f"--extend-to must be greater than --t = {t:g}, got {extend_to:g}")
    if steps < 1:
        raise ValueError(f"--extend-steps must be >= 1, got {steps}")


def run_extend(spec: JobSpec, extend_to: float, steps: int, max_steps: int = 40) -> dict[str, Any]:
    """Extend the circuit compiled in ``spec.output.out`` to ``extend_to``; the report row."""
    import aqc

    out = Path(spec.output.out)
    start = time.perf_counter()
    try:
        target = MPS.load(out / "target.npz")
        report = json.loads((out / "report.json").read_text())
        with np.load(out / "params.npz") as data:
            params = data["params"].copy()
    except (OSError, ValueError, KeyError) as exc:
        raise JobError(f"cannot extend: the compile output in {out} is incomplete ({exc})") from exc
    chain = build_chain(spec.model)
    ansatz = aqc.BrickworkAnsatz(spec.model.n, spec.circuit.layers, spec.circuit.block)

    class _Compiled:  # what aqc.extend reads from a CompileResult
        pass

    res = _Compiled()
    res.ansatz, res.params, res.fidelity = ansatz, params, report["fidelity"]
    res.circuit = ansatz.to_circuit(params)
    ext = aqc.extend(res, chain, extend_to - spec.target.t, steps, order=2, target=target)
    bits = initial_state(spec.target.initial, spec.model.n).as_bitstring()
    row = aqc.trotter_comparison(ext, chain, bits, max_steps=max_steps)
    row.update({"order": 2, "truncation_error": ext.truncation_error,
                "fidelity_contraction": ext.fidelity_contraction,
                "target_max_bond": ext.target.max_bond(),
                "seconds": time.perf_counter() - start,
                "files": ["circuit_extended.qpy", "circuit_extended.qasm"]})

    from qiskit import qpy

    from circuits.export import to_qasm3  # keeps the global phase (a final gphase)

    atomic_write(out / "circuit_extended.qpy", lambda fh: qpy.dump(ext.circuit, fh),
                 overwrite=True)
    atomic_write(out / "circuit_extended.qasm",
                 lambda fh: fh.write(to_qasm3(ext.circuit).encode()), overwrite=True)
    report["extend"] = row
    report["files"] = [*report.get("files", []), *row["files"]]
    atomic_write_json(out / "report.json", report, overwrite=True)
    return row


def summary_line(row: dict[str, Any]) -> str:
    """One line for the terminal."""
    e, d, f = row["extended"], row["same_depth"], row["same_fidelity"]
    same_d = f"F = {d['fidelity']:.6f}" if d else "none that shallow"
    same_f = (f"CX depth {f['two_qubit_depth']} ({f['steps']} steps)" if f
              else f"none within {row['max_steps']} steps")
    return (f"extended to t = {row['t_final']:g} with {e['steps']} Trotter steps: "
            f"F = {e['fidelity']:.6f} at CX depth {e['two_qubit_depth']}; plain Trotter at "
            f"that depth: {same_d}; plain Trotter of that fidelity: {same_f}")
