"""``tnqc pulse --paper``: the paper's molecular MET at one bond distance or over the scan.

:func:`run_paper` runs the protocol of :mod:`circuits.pulse.protocol` on the lab-frame device
(:meth:`circuits.pulse.lab.LabSpinChain.long2024`, 10 slices, energy criterion
``E - E0 <= tol``, the paper's grid of the molecule) and writes into ``out``:

* ``report.json``: ``met_ns`` (the maximum over the bond distances run, with ``r``), the
  criterion, the grid, per-r METs and energy errors, device, parameters, seed, versions;
* ``schedule.json``: the pulse at the MET of the r with the largest MET, self-describing
  (:func:`schedule_document`): units, the Hamiltonian written out, the device, tone
  frequencies, per-slice durations and ``I``, ``Q``, ``J``, the initial state, the target
  as Pauli terms with ``E0``, and the energy error reached.  Anyone can re-simulate it with
  scipy alone (``tests/test_pulse_lab.py`` does).

Example
-------
``tnqc pulse --target h2 --paper --bond 0.75 --out runs/h2-paper``
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np

from .lab import LabControls, LabSpinChain, evolve
from .protocol import grid_bisection
from .tables import HF_INDEX, SCAN_FORWARD, hamiltonian_at, scan_distances

__all__ = ["PAPER_GRIDS", "pauli_terms", "run_paper", "schedule_document"]

PAPER_GRIDS = {("h2", 1.0): (24.0, 307), ("heh+", 1.0): (10.0, 128), ("lih", 1.0): (50.0, 128),
               ("h2", 0.01): (100.0, 256)}
"""The paper's time grids ``(T_max ns, points)`` keyed by ``(molecule, J_max GHz)``."""
PAPER_METS = {("h2", 1.0): 2.4, ("heh+", 1.0): 4.4, ("lih", 1.0): 27.2, ("h2", 0.01): 84.3}
HAMILTONIAN_TEXT = (
    "H(t)/h = sum_i E_i/2 Z_i + g(t)/2 sum_i X_i + sum_b J_b(t)/4 (X_b X_{b+1} + Y_b Y_{b+1} "
    "+ Z_b Z_{b+1}),  g(t) = sum_j [I_j cos(2 pi f_j t) + Q_j sin(2 pi f_j t)]; "
    "psi_lab(t) solves d psi/dt = -2 pi i H(t) psi (H in GHz, t in ns); the figure of merit "
    "uses psi_I(T) = exp(+2 pi i H0 T) psi_lab(T), H0 = sum_i E_i Z_i / 2")
_P = {"I": np.eye(2), "X": np.array([[0, 1], [1, 0]]), "Y": np.array([[0, -1j], [1j, 0]]),
      "Z": np.diag([1.0, -1.0])}


def pauli_terms(h: np.ndarray, cutoff: float = 1e-12) -> dict[str, float]:
    """Pauli coefficients of a real-symmetric/Hermitian ``h`` (qiskit labels: rightmost
    character = qubit 0), ``|c| > cutoff`` kept.

    Example
    -------
    >>> pauli_terms(np.diag([1.0, -1.0, 1.0, -1.0]))
    {'IZ': 1.0}
    """
    h = np.asarray(h)
    n = round(math.log2(h.shape[0]))
    out = {}
    for label in np.ndindex(*(4,) * n):
        s = "".join("IXYZ"[k] for k in label)
        m = np.ones((1, 1))
        for ch in s:  # leftmost = highest qubit = most significant kron factor
            m = np.kron(m, _P[ch])
        c = np.trace(m @ h) / h.shape[0]
        if abs(c) > cutoff:
            out[s] = float(c.real)
    return out


def schedule_document(controls: LabControls, x: np.ndarray, duration: float, psi0, ham,
                      e0: float, *, criterion: str, tol: float, extra: dict | None = None
                      ) -> dict:
    """The self-describing schedule (module docstring) of controls ``x`` over ``duration``."""
    i_env, q_env, j, f = controls.physical(np.asarray(x, dtype=float))
    dt = duration / controls.n_slices
    psi = evolve(controls, x, duration, psi0)
    energy = float(np.real(np.vdot(psi, ham @ psi)))
    psi0 = np.asarray(psi0, dtype=complex)
    doc = {
        "format": "tnqc.pulse.lab_schedule/1",
        "units": {"time": "ns", "frequency": "GHz (cyclic: H/h)", "energy": "Hartree"},
        "conventions": {
            "pauli": "X, Y, Z with eigenvalues +-1; |0> is the Z = +1 eigenstate",
            "qubit_order": "little-endian: qubit 0 is the least significant bit of an index",
            "pauli_labels": "qiskit order: the rightmost character acts on qubit 0",
            "frame": "psi_I(T) = exp(+2 pi i H0 T) psi_lab(T), H0 = sum_i E_i Z_i / 2",
            "rwa": "none (exact lab frame)"},
        "hamiltonian": HAMILTONIAN_TEXT,
        "device": controls.device.as_dict(),
        "tone_frequencies_ghz": [float(v) for v in f],
        "duration_ns": float(duration),
        "slices": [{"t_start_ns": k * dt, "duration_ns": dt,
                    "I_ghz": i_env[k].tolist(), "Q_ghz": q_env[k].tolist(),
                    "J_ghz": j[k].tolist()} for k in range(controls.n_slices)],
        "initial_state": {"basis_index": int(np.argmax(np.abs(psi0))),
                          "amplitudes": [[float(z.real), float(z.imag)] for z in psi0]},
        "target": {"criterion": criterion, "tol": tol, "pauli_terms": pauli_terms(ham),
                   "e0": float(e0)},
        "result": {"energy": energy, "energy_error": energy - float(e0)},
        "raw_controls_x": np.asarray(x, dtype=float).tolist(),
    }
    if extra:
        doc.update(extra)
    return doc


def run_paper(
    molecule: str, *, bonds: list[float], j_max: float = 1.0, grid: tuple | None = None,
    tol: float = 1e-7, restarts: int = 3, maxiter: int = 300, seed: int = 0,
    max_step: float = 0.02, progress=None, method: str = "lbfgs", memory: int = 10,
    checkpoint=None, resume: dict | None = None,
) -> tuple[dict, dict]:
    """Run the protocol for ``molecule`` at the bond distances ``bonds`` (Å).

    ``method`` and ``memory`` choose the optimiser of
    :func:`circuits.pulse.lab_met.optimize_batch`; ``checkpoint`` and ``resume`` are those
    of :func:`circuits.pulse.protocol.grid_bisection` (after every round / from a state).

    Returns ``(report, schedule)`` dicts (see the module docstring).
    """
    if molecule not in HF_INDEX:
        raise ValueError(f"--paper needs a molecule target h2, heh+ or lih, got {molecule!r}")
    hams = np.stack([hamiltonian_at(molecule, r) for r in bonds])
    e0 = np.linalg.eigvalsh(hams)[:, 0]
    n = round(math.log2(hams.shape[1]))
    tmax, pts = grid or PAPER_GRIDS.get((molecule, j_max), (50.0, 128))
    times = np.linspace(0.0, tmax, pts)
    dev = LabSpinChain.long2024(n, j_max=j_max, max_step=max_step)
    ctl = LabControls(dev, 10)
    psi0 = np.eye(2**n)[HF_INDEX[molecule]]
    start = time.perf_counter()
    res = grid_bisection(ctl, times, psi0, hams, e0, tol=tol, restarts=restarts,
                         maxiter=maxiter, seed=seed, neighbour=len(bonds) > 1,
                         forward=SCAN_FORWARD[molecule], progress=progress,
                         method=method, memory=memory, checkpoint=checkpoint, resume=resume)
    ok = np.isfinite(res.met)
    if not ok.any():
        raise RuntimeError(f"no bond distance reached E - E0 <= {tol} within {tmax} ns; "
                           "raise the grid's T_max (--grid) or --restarts/--maxiter")
    k = int(np.nanargmax(np.where(ok, res.met, -np.inf)))
    met = float(res.met[k])
    report = {
        "molecule": molecule, "met_ns": met, "r_angstrom": float(bonds[k]),
        "criterion": "energy", "tol_hartree": tol,
        "grid": {"t_min_ns": 0.0, "t_max_ns": tmax, "points": pts,
                 "rule": "numpy.minimum.accumulate of E - E0, first T with E - E0 <= tol "
                         "(bisection on the grid index)"},
        "energy_error_hartree": float(res.error[k]),
        "per_r": [{"r_angstrom": float(r), "met_ns": None if not np.isfinite(m) else float(m),
                   "energy_error_hartree": float(e), "unreached_below_ns": float(lo)}
                  for r, m, e, lo in zip(bonds, res.met, res.error, res.lower, strict=True)],
        "paper_met_ns": PAPER_METS.get((molecule, j_max)),
        "paper_note": "the paper's MET is the maximum over its 80-point scan (--scan-bond)",
        "device": dev.as_dict(), "n_slices": 10, "substeps_per_slice": res.substeps,
        "parameters": {"restarts": restarts, "maxiter": maxiter, "seed": seed,
                       "method": method, "memory": memory,
                       "max_step_ns": max_step, "j_max_ghz": j_max},
        "rounds": res.rounds, "seconds": time.perf_counter() - start,
    }
    sched = schedule_document(ctl, res.x[k], met, psi0, hams[k], e0[k], criterion="energy",
                              tol=tol, extra={"molecule": molecule, "r_angstrom": float(bonds[k])})
    return report, sched


def default_bonds(molecule: str, bond: float | None, scan: bool) -> list[float]:
    """The bond distances of a run: the scan, one given ``bond``, or the check geometry."""
    if scan:
        return scan_distances(molecule).tolist()
    if bond is not None:
        return [bond]
    return [{"h2": 0.75, "heh+": 1.0, "lih": 1.5}[molecule]]


def write_outputs(out: Path, report: dict, sched: dict) -> None:
    """``report.json`` and ``schedule.json`` (atomic)."""
    from mps._versions import versions
    from mps.atomic import atomic_write_json

    report = dict(report, versions=versions(), files=["report.json", "schedule.json"])
    atomic_write_json(out / "schedule.json", sched, overwrite=True)
    atomic_write_json(out / "report.json", report, overwrite=True)
