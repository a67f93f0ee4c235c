"""The paper's lab-frame device, MET definitions, molecular tables and ``--paper`` export.

References: scipy's DOP853 on the lab-frame Schrödinger equation (no frames, no moments),
the analytic bounded single-qubit flip, the paper's printed Hamiltonian coefficients, and a
plain-scipy re-simulation of an exported schedule that reads nothing but the JSON.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import scipy.integrate
import scipy.linalg

from circuits.pulse import tables
from circuits.pulse.lab import IQ_MAX_GHZ, LabControls, LabSpinChain, evolve, lab_hamiltonian
from circuits.pulse.lab_met import bisect_met, check_grid, grid_met, optimize_batch
from circuits.pulse.paper_run import pauli_terms, schedule_document
from circuits.pulse.protocol import grid_bisection


def _scipy_lab(dev, ctl, x, duration, psi0):
    """Lab-frame ODE, slice by slice, then the H0 frame (H(t) = A_k + g(t) B, with A_k and
    B taken from ``lab_hamiltonian``)."""
    i_env, q_env, j, f = ctl.physical(x)
    n = dev.n_qubits
    dt = duration / ctl.n_slices
    y = np.asarray(psi0, dtype=complex)
    zero = np.zeros(n)
    b = lab_hamiltonian(dev, np.eye(n)[0], zero, np.zeros(n - 1), zero, 0.0) - dev.drift()
    for k in range(ctl.n_slices):
        a = lab_hamiltonian(dev, zero, zero, j[k], f, 0.0)

        def rhs(t, v, k=k, a=a):
            w = 2 * np.pi * f * t
            g = np.sum(i_env[k] * np.cos(w) + q_env[k] * np.sin(w))
            return -2j * np.pi * ((a + g * b) @ v)

        sol = scipy.integrate.solve_ivp(rhs, (k * dt, (k + 1) * dt), y, method="DOP853",
                                        rtol=1e-13, atol=1e-13)
        y = sol.y[:, -1]
    return scipy.linalg.expm(2j * np.pi * dev.drift() * duration) @ y


def test_device_preset_matches_the_paper_code():
    dev = LabSpinChain.long2024(4)
    assert dev.zeeman == (28.03, 28.01, 27.99, 27.97)
    assert LabSpinChain.long2024(2).zeeman == (28.03, 27.97)
    assert math.isclose(dev.iq_max, math.pi * 0.02 / (2 * math.sqrt(2)) / (2 * math.pi))
    assert math.isclose(2e3 * IQ_MAX_GHZ, 7.0710678, rel_tol=1e-7)  # the paper's "7.07 MHz"
    assert dev.j_max == 1.0 and dev.j_min == 0.0 and dev.freq_bounds == (27.0, 29.0)
    ctl = LabControls(dev, 10)
    i_env, q_env, j, f = ctl.physical(ctl.initial_x())
    assert np.all(i_env == 0) and np.all(q_env == 0) and np.all(j == 0)
    assert np.allclose(f, dev.zeeman)


def test_lab_propagation_matches_scipy_ode():
    dev = LabSpinChain.long2024(2)
    ctl = LabControls(dev, 2)
    x = np.random.default_rng(1).uniform(-1, 1, ctl.n_params)
    psi0 = np.array([0.6, 0.8j, 0, 0])
    ref = _scipy_lab(dev, ctl, x, 1.2, psi0)
    psi = evolve(ctl, x, 1.2, psi0)  # default steps: h <= 0.005 ns
    assert np.max(np.abs(psi - ref)) < 1e-8


def test_parallel_slice_kernel_matches_scipy_and_sequential():
    # all slice propagators at once + a product tree == one slice after the other == ODE
    dev = LabSpinChain.long2024(2)
    ctl = LabControls(dev, 3)
    x = np.random.default_rng(2).uniform(-1, 1, ctl.n_params)
    psi0 = np.array([0.6, 0.0, 0.8j, 0])
    ref = _scipy_lab(dev, ctl, x, 0.9, psi0)
    par = evolve(ctl, x, 0.9, psi0, parallel=True)
    assert np.max(np.abs(par - ref)) < 1e-8
    assert np.max(np.abs(par - evolve(ctl, x, 0.9, psi0))) < 1e-13
    with pytest.raises(TypeError, match="parallel must be a bool"):
        evolve(ctl, x, 0.9, psi0, parallel=1)


@pytest.mark.slow  # two compilations of the optimiser (~1 min on 2 CPU cores)
def test_parallel_slice_kernel_gives_the_same_optimisation_and_gradient():
    # the optimiser's path depends on every gradient: equal paths = equal gradients, and
    # the gradient is checked against central finite differences of the error
    import jax

    from circuits.pulse.lab import _Shape, device_params
    from circuits.pulse.lab_met import _objective, batch_errors

    ctl = LabControls(LabSpinChain.long2024(2), 3)
    h = tables.hamiltonian_at("h2", 0.75)
    e0 = float(np.linalg.eigvalsh(h)[0])
    x0 = ctl.random_x(3, 2)
    runs = [optimize_batch(ctl, x0, 1.5, np.eye(4)[1], h, e0, substeps=4, maxiter=20,
                           chunk=10, parallel_slices=par) for par in (False, True)]
    assert np.allclose(runs[0].x, runs[1].x, atol=1e-9)
    assert np.allclose(runs[0].errors, runs[1].errors, atol=1e-12)
    p = device_params(ctl.device)
    args = tuple(np.asarray(p[k]) for k in ("zeeman", "iq_max", "j_min", "j_max", "f_lo",
                                            "f_hi"))
    x = np.clip(x0[0], -0.9, 0.9)
    with jax.enable_x64(True):
        g = np.asarray(jax.grad(_objective(_Shape(2, 3, 4, True)))(
            x, *args, 1.5, np.eye(4)[1].astype(complex), h.astype(complex), e0))
    eps, k = 1e-6, [0, 3, 12]  # a J, a tone frequency, an I envelope
    xs = np.stack([x + s * eps * np.eye(x.size)[i] for i in k for s in (1, -1)])
    f = batch_errors(ctl, xs, 1.5, np.eye(4)[1], h, e0, substeps=4).reshape(len(k), 2)
    assert np.allclose(g[k], (f[:, 0] - f[:, 1]) / (2 * eps), rtol=1e-5, atol=1e-8)


def test_grid_met_monotone_rule_and_errors():
    r = grid_met([0, 1, 2, 3, 4], [1.0, 5e-8, 2e-7, 3e-7, 1e-9], tol=1e-7)
    assert r.met == 1.0 and r.index == 1
    assert np.allclose(r.monotone_errors, [1.0, 5e-8, 5e-8, 5e-8, 1e-9])
    late = grid_met([0, 1, 2], [1.0, 0.5, 0.5], tol=1e-7)
    assert late.met is None and late.index is None
    with pytest.raises(ValueError, match="tol must be > 0"):
        grid_met([0, 1], [1, 1], tol=0.0)
    with pytest.raises(ValueError, match="tol must be > 0"):
        grid_met([0, 1], [1, 1], tol=-1e-7)
    with pytest.raises(ValueError, match="strictly increasing"):
        grid_met([0, 2, 1], [1, 1, 1])
    with pytest.raises(ValueError, match="strictly increasing"):
        check_grid([0.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="grid's shape"):
        grid_met([0, 1, 2], [1, 1])
    with pytest.raises(ValueError, match="tol must be > 0"):
        bisect_met(lambda t: 0.0, 0.0, 1.0, tol=0.0)


def _flip_problem():
    """|0> -> |1> under H = Z: E - E0 = 1 + cos(θ), θ = π |a| T at most (|a| <= √2 iq_max),
    so the MET at tol is arccos(tol - 1) / (π √2 iq_max) = 199.97 ns (RWA; the counter-
    rotating terms move it by ~1e-5 relative)."""
    dev = LabSpinChain.long2024(1, max_step=0.5)
    tol = 1e-7
    exact = math.acos(tol - 1) / (math.pi * math.sqrt(2) * dev.iq_max)
    return LabControls(dev, 1), np.diag([1.0, -1.0]).astype(complex), tol, exact


@pytest.mark.slow  # minutes of batched L-BFGS on 2 CPU cores
def test_energy_met_of_a_bounded_single_qubit_flip_on_a_grid_is_exact():
    ctl, z, tol, exact = _flip_problem()
    grid = np.arange(0.0, 260.0, 7.0)  # exact = 199.97 lies between 196 and 203
    assert 196.0 < exact < 203.0
    res = grid_bisection(ctl, grid, np.eye(2)[0], z[None], [-1.0], tol=tol, restarts=1,
                         maxiter=60, seed=0, substeps=16)
    assert res.met[0] == 203.0 and res.lower[0] == 196.0 and res.complete[0]
    assert res.error[0] <= tol


@pytest.mark.slow
def test_energy_met_of_a_bounded_single_qubit_flip_by_bisection_is_exact():
    ctl, z, tol, exact = _flip_problem()

    def error_at(t):
        # a batch of 3 like grid_bisection's padded rounds: the same compiled kernel
        r = optimize_batch(ctl, ctl.random_x(3, 3), t, np.eye(2)[0], z, -1.0, substeps=16,
                           maxiter=60, gtol=1e-10)
        return float(r.errors.min())

    b = bisect_met(error_at, 150.0, 250.0, tol=tol, rel_tol=2e-4)
    assert abs(b.met - exact) <= 3e-4 * exact
    assert b.lower < exact * (1 + 1e-4)


def test_tables_reproduce_the_paper_hamiltonians():
    h2 = pauli_terms(tables.hamiltonian_at("h2", 0.75), cutoff=1e-9)
    want = {"II": -0.34983342, "IZ": 0.38874759, "ZI": -0.38874759, "ZZ": -0.01117714,
            "XX": 0.18177154}
    assert set(h2) == set(want)
    for k, v in want.items():
        assert abs(h2[k] - v) < 1e-6, k
    heh = pauli_terms(tables.hamiltonian_at("heh+", 1.0), cutoff=1e-9)
    want = {"II": -1.98670649, "IZ": 0.50258052, "ZI": -0.50258052, "ZZ": -0.13894646,
            "XX": 0.11714671, "IX": 0.11926278, "XI": 0.11926278, "XZ": 0.11926145,
            "ZX": -0.11926145}
    assert set(heh) == set(want)
    for k, v in want.items():
        assert abs(heh[k] - v) < 1e-6, k
    for name, r, e0 in (("h2", 0.75, -1.13711707), ("heh+", 1.0, -2.86020512)):
        assert abs(np.linalg.eigvalsh(tables.hamiltonian_at(name, r))[0] - e0) < 1e-7
    for name in ("h2", "heh+", "lih"):
        rs, hs, e0s = tables.table(name)
        scan = tables.scan_distances(name)
        assert scan.size == 80 and np.all(np.isin(np.round(scan, 9), np.round(rs, 9)))
        assert np.allclose(np.linalg.eigvalsh(hs)[:, 0], e0s)
        assert np.allclose(hs, np.swapaxes(hs, 1, 2))
        # the Hartree-Fock basis state is the lowest diagonal entry at the check geometry
        k = int(np.argmin(np.abs(rs - tables.EXTRA_POINTS[name][-1])))
        assert int(np.argmin(np.diag(hs[k]))) == tables.HF_INDEX[name]
    assert hs.shape[1:] == (16, 16)


def test_off_table_distance_without_chemistry_is_a_clear_error(monkeypatch):
    import circuits.pulse.chem as chem

    def missing():
        raise ImportError("no pyscf")

    monkeypatch.setattr(chem, "require_pyscf", missing)
    with pytest.raises(ValueError, match=r"outside the shipped h2 table.*tnqc\[chem\]"):
        tables.hamiltonian_at("h2", 5.0)
    with pytest.raises(ValueError, match="between the points of the shipped lih table"):
        tables.hamiltonian_at("lih", 1.2345)
    with pytest.raises(ValueError, match="molecule must be one of"):
        tables.hamiltonian_at("h2o", 1.0)
    with pytest.raises(ValueError, match="r must be > 0"):
        tables.hamiltonian_at("h2", -1.0)


def _resimulate(doc: dict) -> float:
    """Energy of a schedule from its JSON alone: numpy + scipy, lab frame, small steps."""
    dev = doc["device"]
    ez = np.asarray(dev["zeeman_ghz"])
    n = ez.size
    paulis = {"I": np.eye(2), "X": np.array([[0, 1], [1, 0]]),
              "Y": np.array([[0, -1j], [1j, 0]]), "Z": np.diag([1.0, -1.0])}

    def op(ops):  # ops: {qubit: matrix}, little-endian
        m = np.ones((1, 1))
        for q in range(n - 1, -1, -1):
            m = np.kron(m, ops.get(q, np.eye(2)))
        return m

    zs = [op({q: paulis["Z"]}) for q in range(n)]
    xs = [op({q: paulis["X"]}) for q in range(n)]
    heis = [sum(op({b: paulis[p], b + 1: paulis[p]}) for p in "XYZ") for b in range(n - 1)]
    h0 = sum(0.5 * e * z for e, z in zip(ez, zs, strict=True))
    f = np.asarray(doc["tone_frequencies_ghz"])
    y = np.array([complex(*a) for a in doc["initial_state"]["amplitudes"]])
    for sl in doc["slices"]:
        i_env, q_env, j = (np.asarray(sl[k]) for k in ("I_ghz", "Q_ghz", "J_ghz"))
        t0, dt = sl["t_start_ns"], sl["duration_ns"]

        def rhs(t, v, i_env=i_env, q_env=q_env, j=j):
            g = np.sum(i_env * np.cos(2 * np.pi * f * t) + q_env * np.sin(2 * np.pi * f * t))
            h = h0 + 0.5 * g * sum(xs) + sum(0.25 * jb * hb for jb, hb in zip(j, heis,
                                                                             strict=True))
            return -2j * np.pi * (h @ v)

        y = scipy.integrate.solve_ivp(rhs, (t0, t0 + dt), y, method="DOP853", rtol=1e-12,
                                      atol=1e-12, max_step=0.004).y[:, -1]
    y = scipy.linalg.expm(2j * np.pi * h0 * doc["duration_ns"]) @ y
    ham = np.zeros((2**n, 2**n), dtype=complex)
    for label, c in doc["target"]["pauli_terms"].items():
        ham += c * op({n - 1 - k: paulis[ch] for k, ch in enumerate(label)})
    return float(np.real(np.vdot(y, ham @ y))) - doc["target"]["e0"]


@pytest.mark.slow  # minutes of batched L-BFGS on 2 CPU cores
def test_exported_schedule_resimulates_with_scipy_alone():
    ham = tables.hamiltonian_at("h2", 0.75)
    e0 = float(np.linalg.eigvalsh(ham)[0])
    ctl = LabControls(LabSpinChain.long2024(2), 4)
    res = optimize_batch(ctl, ctl.random_x(0, 3), 1.6, np.eye(4)[1], ham, e0, maxiter=60,
                         substeps=40)
    best = int(np.argmin(res.errors))
    doc = json.loads(json.dumps(schedule_document(
        ctl, res.x[best], 1.6, np.eye(4)[1], ham, e0, criterion="energy", tol=1e-7)))
    assert doc["target"]["pauli_terms"]["XX"] == pytest.approx(0.18177154, abs=1e-6)
    reported = doc["result"]["energy_error"]
    assert reported < 0.0209  # below Hartree-Fock (0.02097): a non-trivial pulse
    assert abs(_resimulate(doc) - reported) < 1e-8


@pytest.mark.slow
def test_pyscf_regenerates_the_shipped_tables():
    pytest.importorskip("pyscf")
    from circuits.pulse.chem import molecular_hamiltonian

    for name in ("h2", "heh+", "lih"):
        rs, hs, _ = tables.table(name)
        for k in (0, 40, rs.size - 1):
            assert np.allclose(molecular_hamiltonian(name, float(rs[k])), hs[k], atol=1e-8)


# ------------------------------------------------------------------ tnqc pulse --paper
def _cli():
    import typer
    from typer.testing import CliRunner

    from circuits.pulse.cli import pulse_cmd

    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Stands in for the tnqc root app."""

    app.command("pulse")(pulse_cmd)
    return CliRunner(), app


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--paper", "--target", "bell"], "needs --target h2, heh+ or lih"),
     (["--paper", "--tol", "0"], "tol must be > 0"),
     (["--paper", "--tol", "-1e-7"], "tol must be > 0"),
     (["--bond", "0.75"], "need --paper"),
     (["--paper", "--grid", "24"], "grid must be TMAX,POINTS"),
     (["--paper", "--grid", "24,1"], "POINTS >= 2"),
     (["--paper", "--bond", "0.75", "--scan-bond"], "either --bond or --scan-bond"),
     (["--paper", "--bond", "5.0"], "outside the shipped h2 table"),
     (["--paper", "--jmax", "fast"], "jmax must be a number"),
     (["--paper", "--optimizer", "newton"], "--optimizer must be one of lbfgs, bfgs, lm"),
     (["--optimizer", "lm"], "need --paper"),
     (["--resume"], "need --paper"),
     (["--paper", "--resume", "--force"], "exclude each other"),
     (["--paper", "--resume"], "job.json is missing")])
def test_paper_cli_bad_input_is_one_line_exit_2(tmp_path, monkeypatch, args, message):
    import circuits.pulse.chem as chem

    def missing():
        raise ImportError("no pyscf")

    monkeypatch.setattr(chem, "require_pyscf", missing)
    runner, app = _cli()
    out = tmp_path / "run"
    res = runner.invoke(app, ["pulse", "--out", str(out), *args])
    assert res.exit_code == 2, res.output
    assert message in " ".join(res.output.split())
    assert "Traceback" not in res.output
    assert not out.exists()  # validated before any work or folder


@pytest.mark.slow
@pytest.mark.parametrize("optimizer", ["lbfgs", "lm"])
def test_paper_cli_run_writes_a_resimulable_schedule(tmp_path, optimizer):
    runner, app = _cli()
    out = tmp_path / "h2"
    res = runner.invoke(app, ["pulse", "--out", str(out), "--paper", "--target", "h2",
                              "--bond", "0.75", "--grid", "4,5", "--restarts", "2",
                              "--maxiter", "150", "--optimizer", optimizer])
    assert res.exit_code == 0, res.output
    rep = json.loads((out / "report.json").read_text())
    doc = json.loads((out / "schedule.json").read_text())
    assert rep["criterion"] == "energy" and rep["r_angstrom"] == 0.75
    assert rep["parameters"]["optimizer"] == optimizer
    assert rep["met_ns"] in (1.0, 2.0, 3.0, 4.0) and rep["energy_error_hartree"] <= 1e-7
    assert doc["duration_ns"] == rep["met_ns"]
    assert abs(_resimulate(doc) - rep["energy_error_hartree"]) < 1e-9
    # the finished search resumes from its last checkpoint to the same answer
    state = json.loads((out / "checkpoint.json").read_text())
    res = runner.invoke(app, ["pulse", "--out", str(out), "--paper", "--target", "h2",
                              "--bond", "0.75", "--grid", "4,5", "--optimizer", optimizer,
                              "--resume"])
    assert res.exit_code == 0, res.output
    again = json.loads((out / "report.json").read_text())
    assert again["met_ns"] == rep["met_ns"]
    assert again["parameters"]["resumed_after_round"] == len(state["rounds"])


def test_paper_cli_resume_refuses_another_job(tmp_path):
    runner, app = _cli()
    out = tmp_path / "run"
    out.mkdir()
    job = {"target": "h2", "bonds": [0.75], "j_max_ghz": 1.0, "grid": [4.0, 5], "tol": 1e-7,
           "seed": 0, "optimizer": "lbfgs", "restarts": 2, "maxiter": 150}
    (out / "job.json").write_text(json.dumps(job))
    res = runner.invoke(app, ["pulse", "--out", str(out), "--paper", "--target", "h2",
                              "--bond", "0.75", "--grid", "4,5", "--seed", "1", "--resume"])
    assert res.exit_code == 2 and "--seed differs" in " ".join(res.output.split())
    assert sorted(p.name for p in out.iterdir()) == ["job.json"]  # nothing written


def test_minimal_evolution_time_bad_input_is_rejected_before_work():
    from circuits.pulse.protocol import minimal_evolution_time

    ctl = LabControls(LabSpinChain.long2024(1), 1)
    z = np.diag([1.0, -1.0])
    with pytest.raises(ValueError, match="tol must be > 0"):
        minimal_evolution_time(ctl, [1, 0], z, tol=0.0, grid=[0, 1, 2])
    with pytest.raises(ValueError, match="strictly increasing"):
        minimal_evolution_time(ctl, [1, 0], z, grid=[0, 2, 1])
    with pytest.raises(ValueError, match="criterion must be one of"):
        minimal_evolution_time(ctl, [1, 0], z, criterion="speed", grid=[0, 1])
    with pytest.raises(ValueError, match="Hermitian 2 x 2"):
        minimal_evolution_time(ctl, [1, 0], [0, 1], grid=[0, 1])
    with pytest.raises(ValueError, match="normalised state"):
        minimal_evolution_time(ctl, [1, 0], z, criterion="fidelity", grid=[0, 1])
    with pytest.raises(ValueError, match="t_max"):
        minimal_evolution_time(ctl, [1, 0], z)


def test_grid_search_resumed_from_a_checkpoint_follows_the_uninterrupted_path():
    # the bounded flip on a coarse grid (MET 200 ns between 156 and 208): the state after
    # round 1, through JSON, resumes to exactly the result of the run that never stopped
    import json

    ctl, z, tol, _ = _flip_problem()
    grid = np.linspace(0.0, 260.0, 6)
    kw = dict(tol=tol, restarts=1, maxiter=25, seed=3, substeps=4, points_per_round=1)
    states = []
    full = grid_bisection(ctl, grid, np.eye(2)[0], z[None], [-1.0], checkpoint=states.append,
                          **kw)
    assert len(states) == len(full.rounds) >= 2
    state = json.loads(json.dumps(states[0]))
    res = grid_bisection(ctl, grid, np.eye(2)[0], z[None], [-1.0], resume=state, **kw)
    assert len(res.rounds) == len(full.rounds)
    assert np.array_equal(res.met, full.met, equal_nan=True)
    assert np.array_equal(res.lower, full.lower) and np.array_equal(res.complete, full.complete)
    assert np.allclose(res.error, full.error, rtol=1e-12, atol=1e-15)
    with pytest.raises(ValueError, match="resume holds 1 problems"):
        grid_bisection(ctl, grid[:5], np.eye(2)[0], z[None], [-1.0], resume=state, **kw)
    with pytest.raises(ValueError, match="not a grid_bisection checkpoint"):
        grid_bisection(ctl, grid, np.eye(2)[0], z[None], [-1.0], resume={"x": 1}, **kw)
