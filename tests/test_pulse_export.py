"""Pulse export: JSON/npz round trips, OpenQASM 3 + OpenPulse text structure, plots,
atomic writes that refuse to overwrite."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from circuits.pulse import ControlGrid, SpinQubitDevice
from circuits.pulse.export import (
    load_schedule,
    plot_fidelity_vs_time,
    plot_pulses,
    schedule_from_dict,
    to_openqasm3,
    write_all,
    write_npz,
    write_qasm,
    write_schedule_json,
)
from circuits.pulse.met import METConfig, minimal_evolution_time


@pytest.fixture(scope="module")
def problem():
    dev = SpinQubitDevice.silicon_line(3, max_drive=0.02, max_exchange=0.1)
    grid = ControlGrid(dev, 12.0, 5)
    return dev, grid.schedule(grid.random_raw(seed=4))


def test_json_round_trip(tmp_path, problem):
    dev, s = problem
    path = write_schedule_json(tmp_path / "s.json", s, dev, fidelity=0.5)
    data = json.loads(path.read_text())
    assert data["units"] == {"time": "ns", "frequency": "GHz"} and data["fidelity"] == 0.5
    assert data["device"]["zeeman"] == list(dev.zeeman) and len(data["slices"]) == 5
    s2, dev2 = load_schedule(path)
    assert dev2 == dev
    for a in ("omega_x", "omega_y", "exchange"):
        np.testing.assert_array_equal(getattr(s2, a), getattr(s, a))
    assert s2.dt == s.dt
    with pytest.raises(FileExistsError, match="refusing to overwrite"):
        write_schedule_json(path, s, dev)
    write_schedule_json(path, s, dev, force=True)
    with pytest.raises(ValueError, match="malformed schedule"):
        schedule_from_dict({"format": "tnqc.pulse.schedule/1"})
    assert not list(tmp_path.glob("*.tmp"))


def test_npz_round_trip(tmp_path, problem):
    _, s = problem
    path = write_npz(tmp_path / "p.npz", s, raw=np.arange(3))
    with np.load(path) as z:
        np.testing.assert_array_equal(z["omega_x"], s.omega_x)
        np.testing.assert_array_equal(z["exchange"], s.exchange)
        np.testing.assert_allclose(z["edges"], s.slice_edges())
        assert float(z["dt"]) == s.dt and z["raw"].tolist() == [0, 1, 2]
    with pytest.raises(FileExistsError):
        write_npz(path, s)


def test_openqasm3_structure_and_amplitudes(tmp_path, problem):
    dev, s = problem
    text = to_openqasm3(s, dev)
    lines = text.splitlines()
    assert lines[0] == "OPENQASM 3.0;" and lines[1] == 'defcalgrammar "openpulse";'
    assert text.count("{") == text.count("}")
    cal = re.search(r"^cal \{\n(.*?)^\}", text, re.S | re.M).group(1)
    assert cal.count("extern port") == 3 + 2 and cal.count("newframe(") == 3 + 2
    freqs = [float(f) for f in re.findall(r"newframe\(drive_q\d, ([0-9.e+]+), 0.0\)", cal)]
    np.testing.assert_allclose(freqs, np.array(dev.zeeman) * 1e9)
    assert re.search(r"^defcal prepare_target \$0, \$1, \$2 \{$", text, re.M)
    assert lines[-1] == "prepare_target $0, $1, $2;"
    # every statement ends with ';' or opens/closes a block
    for ln in lines:
        st = ln.strip()
        assert not st or st.startswith("//") or st.endswith((";", "{", "}")), ln
    # amplitudes read back from the text reproduce the schedule; durations add up to T
    drive = re.findall(r"play\(q(\d)_drive, constant\(([0-9.e+-]+)ns, ([-0-9.e+]+) \+ "
                       r"([-0-9.e+]+)im\)\);", text)
    exch = re.findall(r"play\(b(\d)_exchange, constant\(([0-9.e+-]+)ns, ([-0-9.e+]+)\)\);", text)
    assert len(drive) == 5 * 3 and len(exch) == 5 * 2
    for q in range(3):
        rows = [r for r in drive if int(r[0]) == q]
        assert sum(float(r[1]) for r in rows) == pytest.approx(s.duration)
        amp = np.array([float(r[2]) + 1j * float(r[3]) for r in rows])
        np.testing.assert_allclose(amp, (s.omega_x[:, q] + 1j * s.omega_y[:, q]) / 0.02,
                                   atol=1e-11)
        assert np.all(np.abs(amp) <= 1 + 1e-12)
    j0 = np.array([float(r[2]) for r in exch if int(r[0]) == 0])
    np.testing.assert_allclose(j0, s.exchange[:, 0] / 0.1, atol=1e-11)
    path = write_qasm(tmp_path / "p.qasm", s, dev)
    assert path.read_text() == text
    with pytest.raises(FileExistsError):
        write_qasm(path, s, dev)


def test_plots_and_write_all(tmp_path, problem):
    dev, s = problem
    p = plot_pulses(tmp_path / "pulses.png", s, dev)
    assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    p = plot_fidelity_vs_time(tmp_path / "f.png", [1, 2, 3], [0.5, 0.9, 0.9999],
                              threshold=0.999, met=3)
    assert p.stat().st_size > 1000
    qubit = SpinQubitDevice((28.0,), max_drive=0.05, max_exchange=0.1)
    res = minimal_evolution_time(qubit, [1, 0], [0, 1],
                                 METConfig(n_slices=4, rel_tol=0.05, restarts=1))
    out = tmp_path / "run"
    files = write_all(out, res)
    assert {f.name for f in files.values()} == {"schedule.json", "pulses.npz", "pulses.qasm",
                                                "pulses.openpulse",
                                                "pulses.png", "fidelity.png"}
    with np.load(out / "pulses.npz") as z:
        np.testing.assert_allclose(z["history_T"], res.fidelity_vs_time()[0])
    with pytest.raises(FileExistsError):
        write_all(out, res)
    write_all(out, res, force=True, plots=False)
    with pytest.raises(TypeError, match="result must be a METResult"):
        write_all(out, None)
