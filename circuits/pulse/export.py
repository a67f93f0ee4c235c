"""Export of optimised pulses: JSON schedule, ``.npz``, OpenQASM 3 (gates, OpenPulse), plots.

Every file is written atomically (temporary file in the same folder, then ``os.replace``,
via :mod:`mps.atomic`), and an existing file is refused (``FileExistsError``) unless
``force=True``.

Formats
-------
``schedule.json`` (:func:`schedule_dict`)
    ``units`` (time ns, frequency GHz), ``device`` (Zeeman frequencies, bounds, frame),
    ``n_slices``, ``dt``, ``duration`` and one entry per slice with its start time,
    duration, ``omega_x``/``omega_y`` per qubit and ``exchange`` per bond (GHz).
``pulses.npz``
    The same arrays (``omega_x``, ``omega_y``: ``(N, n)``; ``exchange``: ``(N, n-1)``;
    ``edges``: ``(N+1,)`` ns), plus ``raw``, ``psi0``, ``target`` and, for a MET result,
    the search history ``history_T``/``history_F``.
``pulses.qasm`` (:func:`pulse_circuit`, :func:`to_gate_qasm3`)
    Gate-level OpenQASM 3 that any importer reads (``qiskit.qasm3.loads``,
    ``qiskit_qasm3_import``): the propagator the pulses achieve (rotating frame at ``T``,
    global phase included as a final ``gphase``) synthesised into ``u`` and ``cx`` gates on
    ``q[0..n-1]`` (qubit 0 = least significant bit, as everywhere in tnqc).  Its
    statevector from ``|psi0>`` is the prepared state.
``pulses.openpulse`` (:func:`to_openqasm3`)
    The pulse-level program: OpenQASM 3 with ``defcalgrammar "openpulse"``: a ``cal``
    block declares one port and frame per drive (carrier = the qubit's rotating-frame
    frequency, in Hz) and per exchange bond (no carrier), and ``defcal prepare_target`` plays one
    ``constant(dt, amplitude)`` waveform per slice and frame.  Amplitudes are normalised
    to the device bounds: ``(Ωx + iΩy)/Ω_max`` (|a| <= 1) and ``J/J_max`` (in [0, 1]); the
    bounds are stated in comments.  The main program applies ``prepare_target`` to the
    physical qubits ``$0 .. $(n-1)``.  The reference parser (``openqasm3``) reads it;
    qiskit has no OpenPulse importer, which is why the gate-level circuit is a separate file.
``pulses.png``, ``fidelity.png`` (:func:`plot_pulses`, :func:`plot_fidelity_vs_time`)
    Matplotlib with the Agg backend.

Example
-------
>>> import numpy as np
>>> from circuits.pulse import ControlGrid, SpinQubitDevice
>>> from circuits.pulse.export import schedule_dict, to_openqasm3
>>> dev = SpinQubitDevice.silicon_line(2)
>>> grid = ControlGrid(dev, 4.0, 2)
>>> d = schedule_dict(grid.schedule(grid.random_raw(seed=0)), dev)
>>> d["units"], len(d["slices"]), d["slices"][1]["t_start"]
({'time': 'ns', 'frequency': 'GHz'}, 2, 2.0)
>>> to_openqasm3(grid.schedule(grid.random_raw(seed=0)), dev).splitlines()[0]
'OPENQASM 3.0;'
"""

from __future__ import annotations

import dataclasses
import io
import os
from pathlib import Path
from typing import Any

import numpy as np

from mps.atomic import atomic_write, atomic_write_json, atomic_write_text

from .controls import PulseSchedule
from .device import SpinQubitDevice

__all__ = [
    "SCHEDULE_FORMAT",
    "load_schedule",
    "plot_fidelity_vs_time",
    "plot_pulses",
    "pulse_circuit",
    "schedule_dict",
    "schedule_from_dict",
    "to_gate_qasm3",
    "to_openqasm3",
    "write_all",
    "write_npz",
    "write_qasm",
    "write_schedule_json",
]

SCHEDULE_FORMAT = "tnqc.pulse.schedule/1"


def _check_schedule(schedule: object, device: object) -> None:
    if not isinstance(schedule, PulseSchedule):
        raise TypeError(f"schedule must be a PulseSchedule, got {type(schedule).__name__}")
    if not isinstance(device, SpinQubitDevice):
        raise TypeError(f"device must be a SpinQubitDevice, got {type(device).__name__}")
    if schedule.omega_x.shape[1] != device.n_qubits:
        raise ValueError(f"schedule has {schedule.omega_x.shape[1]} qubits, device "
                         f"{device.n_qubits}")


def schedule_dict(
    schedule: PulseSchedule, device: SpinQubitDevice, **extra: Any
) -> dict[str, Any]:
    """JSON-ready description of a schedule on a device (module docstring); ``extra`` is
    merged in at the top level (e.g. fidelity, target)."""
    _check_schedule(schedule, device)
    edges = schedule.slice_edges()
    slices = [
        {"index": k, "t_start": float(edges[k]), "duration": float(schedule.dt),
         "omega_x": schedule.omega_x[k].tolist(), "omega_y": schedule.omega_y[k].tolist(),
         "exchange": schedule.exchange[k].tolist()}
        for k in range(schedule.n_slices)
    ]
    out = {
        "format": SCHEDULE_FORMAT,
        "units": {"time": "ns", "frequency": "GHz"},
        "device": {**dataclasses.asdict(device), "zeeman": list(device.zeeman),
                   "bonds": [list(b) for b in device.bonds],
                   "frame_frequencies": device.frame_frequencies().tolist()},
        "hamiltonian": "H/h = Σ_i (Ωx_i X_i + Ωy_i Y_i)/2 + Σ_b J_b/4 σ_b·σ_{b+1} "
                       "(rotating frame; see circuits/pulse/device.py)",
        "n_slices": schedule.n_slices,
        "dt": float(schedule.dt),
        "duration": float(schedule.duration),
        "slices": slices,
    }
    out.update(extra)
    return out


def schedule_from_dict(data: dict[str, Any]) -> tuple[PulseSchedule, SpinQubitDevice]:
    """Inverse of :func:`schedule_dict` (``ValueError`` on a malformed document)."""
    try:
        if data["format"] != SCHEDULE_FORMAT:
            raise ValueError(f"unknown schedule format {data['format']!r}")
        d = data["device"]
        device = SpinQubitDevice(tuple(d["zeeman"]), d["max_drive"], d["max_exchange"],
                                 d["frame"], d["reference_frequency"],
                                 d.get("drive_model", "local"), d.get("integrator", "midpoint"),
                                 d.get("substeps", 1), d.get("min_exchange", 0.0))
        sl = data["slices"]
        n, nb = device.n_qubits, len(device.bonds)
        ox = np.array([s["omega_x"] for s in sl], dtype=float).reshape(len(sl), n)
        oy = np.array([s["omega_y"] for s in sl], dtype=float).reshape(len(sl), n)
        j = np.array([s["exchange"] for s in sl], dtype=float).reshape(len(sl), nb)
        return PulseSchedule(ox, oy, j, float(data["dt"])), device
    except (KeyError, TypeError) as exc:
        raise ValueError(f"malformed schedule document: {exc!r}") from exc


def load_schedule(path: str | os.PathLike[str]) -> tuple[PulseSchedule, SpinQubitDevice]:
    """Read a ``schedule.json`` written by :func:`write_schedule_json`."""
    import json

    return schedule_from_dict(json.loads(Path(path).read_text()))


def write_schedule_json(path, schedule: PulseSchedule, device: SpinQubitDevice, *,
                        force: bool = False, **extra: Any) -> Path:
    """Write :func:`schedule_dict` as JSON (atomic; refuses to overwrite unless ``force``)."""
    return atomic_write_json(path, schedule_dict(schedule, device, **extra), overwrite=force)


def write_npz(path, schedule: PulseSchedule, *, force: bool = False,
              **arrays: Any) -> Path:
    """Write the schedule's arrays (and any extra ``arrays``) as a compressed ``.npz``."""
    if not isinstance(schedule, PulseSchedule):
        raise TypeError(f"schedule must be a PulseSchedule, got {type(schedule).__name__}")
    data = {"omega_x": schedule.omega_x, "omega_y": schedule.omega_y,
            "exchange": schedule.exchange, "dt": np.float64(schedule.dt),
            "edges": schedule.slice_edges(), **{k: np.asarray(v) for k, v in arrays.items()}}
    buf = io.BytesIO()
    np.savez_compressed(buf, **data)
    return atomic_write(path, lambda fh: fh.write(buf.getvalue()), overwrite=force)


def _num(x: float) -> str:
    return f"{x:.12g}"


def to_openqasm3(schedule: PulseSchedule, device: SpinQubitDevice,
                 name: str = "prepare_target") -> str:
    """OpenQASM 3 program with OpenPulse ``cal``/``defcal`` blocks (module docstring)."""
    _check_schedule(schedule, device)
    if not name.isidentifier():
        raise ValueError(f"name must be an identifier, got {name!r}")
    n, bonds = device.n_qubits, device.bonds
    dt = _num(schedule.dt)
    lines = [
        "OPENQASM 3.0;",
        'defcalgrammar "openpulse";',
        f"// tnqc pulse schedule: {schedule.n_slices} slices of {dt} ns, "
        f"T = {_num(schedule.duration)} ns",
        f"// drive amplitude a = (Ωx + iΩy) / Ω_max, Ω_max = {_num(device.max_drive)} GHz "
        "(Rabi frequency)",
        f"// exchange amplitude = J / J_max, J_max = {_num(device.max_exchange)} GHz",
        f"// rotating frame: {device.frame!r}; Zeeman frequencies (GHz): "
        + ", ".join(_num(z) for z in device.zeeman),
        "cal {",
    ]
    freqs = device.frame_frequencies()
    for q in range(n):
        lines += [f"    extern port drive_q{q};",
                  f"    frame q{q}_drive = newframe(drive_q{q}, {_num(freqs[q] * 1e9)}, 0.0);"]
    for b, (i, j) in enumerate(bonds):
        lines += [f"    extern port exchange_{i}_{j};",
                  f"    frame b{b}_exchange = newframe(exchange_{i}_{j}, 0.0, 0.0);"]
    lines.append("}")
    phys = ", ".join(f"${q}" for q in range(n))
    lines.append(f"defcal {name} {phys} {{")
    om, jm = device.max_drive, device.max_exchange
    for k in range(schedule.n_slices):
        lines.append(f"    // slice {k}: t = {_num(k * schedule.dt)} ns")
        for q in range(n):
            re, im = schedule.omega_x[k, q] / om, schedule.omega_y[k, q] / om
            lines.append(f"    play(q{q}_drive, constant({dt}ns, {_num(re)} + {_num(im)}im));")
        for b in range(len(bonds)):
            lines.append(f"    play(b{b}_exchange, constant({dt}ns, "
                         f"{_num(schedule.exchange[k, b] / jm)}));")
    frames = [f"q{q}_drive" for q in range(n)] + [f"b{b}_exchange" for b in range(len(bonds))]
    lines += [f"    barrier {', '.join(frames)};", "}", f"{name} {phys};", ""]
    return "\n".join(lines)


def write_qasm(path, schedule: PulseSchedule, device: SpinQubitDevice, *,
               force: bool = False) -> Path:
    """Write :func:`to_openqasm3` (atomic; refuses to overwrite unless ``force``)."""
    return atomic_write_text(path, to_openqasm3(schedule, device), overwrite=force)


def pulse_circuit(grid: Any, raw: object, name: str = "prepare_target") -> Any:
    """The gate-level circuit of the propagator that ``raw`` achieves on ``grid``.

    Parameters
    ----------
    grid : circuits.pulse.ControlGrid
        Device, duration and slices of the pulses.
    raw : array_like
        Raw control parameters (``grid.check_raw``).
    name : str
        Name of the returned ``QuantumCircuit``.

    Returns
    -------
    qiskit.QuantumCircuit
        ``u``/``cx`` gates on ``n`` qubits (qubit 0 = least significant bit) whose operator,
        global phase included, is the rotating-frame propagator ``U(T)`` to ~1e-12.

    Example
    -------
    >>> import numpy as np
    >>> from qiskit.quantum_info import Operator
    >>> from circuits.pulse import ControlGrid, SpinQubitDevice
    >>> from circuits.pulse.grape import propagator
    >>> grid = ControlGrid(SpinQubitDevice.silicon_line(2), 4.0, 2)
    >>> raw = grid.random_raw(seed=0)
    >>> qc = pulse_circuit(grid, raw)
    >>> bool(np.allclose(Operator(qc).data, propagator(grid, raw), atol=1e-10))
    True
    """
    from qiskit import QuantumCircuit, transpile
    from qiskit.circuit.library import UnitaryGate

    from .grape import propagator

    u = propagator(grid, raw)
    n = grid.device.n_qubits
    qc = QuantumCircuit(n, name=name)
    qc.append(UnitaryGate(u, check_input=False), range(n))
    return transpile(qc, basis_gates=["u", "cx"], optimization_level=1)


def to_gate_qasm3(grid: Any, raw: object) -> str:
    """OpenQASM 3 text of :func:`pulse_circuit` (with its global phase as ``gphase``).

    Example
    -------
    >>> import qiskit.qasm3
    >>> from circuits.pulse import ControlGrid, SpinQubitDevice
    >>> grid = ControlGrid(SpinQubitDevice.silicon_line(2), 4.0, 2)
    >>> qiskit.qasm3.loads(to_gate_qasm3(grid, grid.random_raw(seed=0))).num_qubits
    2
    """
    from ..export import to_qasm3

    return to_qasm3(pulse_circuit(grid, raw))


def _png(path, fig, force: bool) -> Path:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120, bbox_inches="tight")
    return atomic_write(path, lambda fh: fh.write(buf.getvalue()), overwrite=force)


def plot_pulses(path, schedule: PulseSchedule, device: SpinQubitDevice, *,
                force: bool = False, title: str = "") -> Path:
    """Step plots of ``Ωx``, ``Ωy`` (MHz) per qubit and ``J`` (MHz) per bond against ns."""
    _check_schedule(schedule, device)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = schedule.slice_edges()
    fig, axes = plt.subplots(2, 1, figsize=(7, 5), sharex=True)
    for q in range(device.n_qubits):
        for arr, ls, lab in ((schedule.omega_x, "-", "Ωx"), (schedule.omega_y, "--", "Ωy")):
            y = np.append(arr[:, q], arr[-1, q]) * 1e3
            axes[0].step(t, y, where="post", ls=ls, label=f"{lab} q{q}")
    axes[0].set_ylabel("drive (MHz)")
    axes[0].legend(fontsize=7, ncol=2)
    for b, (i, j) in enumerate(device.bonds):
        y = np.append(schedule.exchange[:, b], schedule.exchange[-1, b]) * 1e3
        axes[1].step(t, y, where="post", label=f"J {i}-{j}")
    axes[1].set_ylabel("exchange (MHz)")
    axes[1].set_xlabel("time (ns)")
    if device.bonds:
        axes[1].legend(fontsize=7)
    if title:
        fig.suptitle(title)
    try:
        return _png(path, fig, force)
    finally:
        plt.close(fig)


def plot_fidelity_vs_time(path, durations: object, fidelities: object, *, threshold: float,
                          met: float | None = None, force: bool = False,
                          title: str = "") -> Path:
    """Best fidelity found at each evaluated ``T`` (infidelity on a log axis)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = np.asarray(durations, dtype=float)
    f = np.asarray(fidelities, dtype=float)
    order = np.argsort(t)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.semilogy(t[order], np.maximum(1 - f[order], 1e-16), "o-", label="1 - F (best restart)")
    ax.axhline(1 - threshold, color="k", ls=":", label=f"threshold F = {threshold}")
    if met is not None:
        ax.axvline(met, color="r", ls="--", label=f"MET = {met:.4g} ns")
    ax.set_xlabel("total time T (ns)")
    ax.set_ylabel("infidelity")
    ax.legend()
    if title:
        ax.set_title(title)
    try:
        return _png(path, fig, force)
    finally:
        plt.close(fig)


def write_all(out: str | os.PathLike[str], result: Any, *, force: bool = False,
              plots: bool = True, title: str = "") -> dict[str, Path]:
    """Write ``schedule.json``, ``pulses.npz``, ``pulses.qasm``, ``pulses.openpulse`` (and
    the two plots) of a
    :class:`circuits.pulse.met.METResult` into folder ``out``."""
    from .met import METResult

    if not isinstance(result, METResult):
        raise TypeError(f"result must be a METResult, got {type(result).__name__}")
    out = Path(out)
    names = ["schedule.json", "pulses.npz", "pulses.qasm", "pulses.openpulse"]
    names += ["pulses.png", "fidelity.png"] if plots else []
    existing = [n for n in names if (out / n).exists()]
    if existing and not force:  # refuse before writing anything
        raise FileExistsError(f"{out / existing[0]} exists; refusing to overwrite it "
                              "(pass force=True)")
    sched, dev = result.schedule, result.device
    ts, fs = result.fidelity_vs_time()
    files = {
        "schedule": write_schedule_json(
            out / "schedule.json", sched, dev, force=force, fidelity=result.fidelity,
            met=result.met, threshold=result.config.threshold),
        "npz": write_npz(out / "pulses.npz", sched, force=force, raw=result.raw,
                         psi0=result.psi0, target=result.target, history_T=ts, history_F=fs),
        "qasm": atomic_write_text(out / "pulses.qasm",
                                  to_gate_qasm3(result.grid, result.raw), overwrite=force),
        "openpulse": write_qasm(out / "pulses.openpulse", sched, dev, force=force),
    }
    if plots:
        files["pulses_png"] = plot_pulses(out / "pulses.png", sched, dev, force=force,
                                          title=title)
        files["fidelity_png"] = plot_fidelity_vs_time(
            out / "fidelity.png", ts, fs, threshold=result.config.threshold, met=result.met,
            force=force, title=title)
    return files
