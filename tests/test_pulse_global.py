"""The paper's global-antenna drive (``drive_model="global"``) and the CF4 slice integrator.

References are independent of the code under test: Hamiltonians written out with Kronecker
products (``conftest.kron_op``) from the formulas of the device docstring, and scipy's
``solve_ivp`` (DOP853, tolerances 1e-12) on the time-dependent Hamiltonian.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.integrate
from conftest import PAULI, kron_op

from circuits.pulse import ControlGrid, SpinQubitDevice, final_state, value_and_grad

SP = np.array([[0, 1], [0, 0]], dtype=complex)  # σ+ = |0><1|


def rwa_hamiltonian(dev: SpinQubitDevice, i_env, q_env, j, t: float) -> np.ndarray:
    """Rotating-frame RWA Hamiltonian of the global antenna, term by term."""
    n = dev.n_qubits
    ez = np.asarray(dev.zeeman)
    f = ez if dev.frame == "qubit" else np.full(n, dev.reference_frequency)
    h = np.zeros((2**n, 2**n), dtype=complex)
    for i in range(n):
        h += 0.5 * (ez[i] - f[i]) * kron_op({i: PAULI["Z"]}, n)
        for k in range(n):  # tone k (carrier ez[k]) on qubit i
            c = -(i_env[k] + 1j * q_env[k]) / 4 * np.exp(2j * math.pi * (f[i] - ez[k]) * t)
            term = c * kron_op({i: SP}, n)
            h += term + term.conj().T
    for b in range(n - 1):  # J/4 σ·σ in the frame: flip-flop phase e^{2πi (f_b - f_{b+1}) t}
        ph = np.exp(2j * math.pi * (f[b] - f[b + 1]) * t)
        ff = ph * kron_op({b: SP, b + 1: SP.conj().T}, n)
        h += j[b] * (0.25 * kron_op({b: PAULI["Z"], b + 1: PAULI["Z"]}, n)
                     + 0.5 * (ff + ff.conj().T))
    return h


def ode_state(grid: ControlGrid, raw, psi0, ham) -> np.ndarray:
    """Fine ODE solution with piecewise-constant envelopes, slice by slice."""
    s = grid.schedule(raw)
    psi = np.asarray(psi0, dtype=complex)
    for k in range(grid.n_slices):
        def rhs(t, y, k=k):
            return -2j * math.pi * (ham(grid.device, s.omega_x[k], s.omega_y[k],
                                        s.exchange[k], t) @ y)

        sol = scipy.integrate.solve_ivp(rhs, (k * grid.dt, (k + 1) * grid.dt), psi,
                                        method="DOP853", rtol=1e-12, atol=1e-12)
        psi = sol.y[:, -1]
    return psi


def global_device(n=2, frame="qubit", integrator="cf4", substeps=4, **kw):
    kw = {"zeeman_step": 0.02, "max_drive": 0.04, "max_exchange": 0.1, **kw}
    return SpinQubitDevice.silicon_line(n, frame=frame, drive_model="global",
                                        integrator=integrator, substeps=substeps, **kw)


def random_state(dim, seed):
    rng = np.random.default_rng(seed)
    v = rng.normal(size=dim) + 1j * rng.normal(size=dim)
    return v / np.linalg.norm(v)


@pytest.mark.parametrize("frame", ["qubit", "common"])
def test_global_hamiltonian_matches_term_by_term_reference(frame):
    dev = SpinQubitDevice((28.0, 28.013, 27.991), 0.04, 0.1, frame=frame, drive_model="global")
    rng = np.random.default_rng(1)
    iv, qv, j = 0.04 * rng.uniform(-1, 1, 3), 0.04 * rng.uniform(-1, 1, 3), rng.uniform(0, .1, 2)
    for t in (0.0, 2.3, 57.1):
        assert np.max(np.abs(dev.hamiltonian(iv, qv, j, t) - rwa_hamiltonian(dev, iv, qv, j, t))) \
            < 1e-15


@pytest.mark.parametrize("frame", ["qubit", "common"])
def test_global_propagation_matches_fine_ode(frame):
    """CF4 with 4 sub-steps per 2 ns slice vs DOP853 at 1e-12: agreement to 1e-6."""
    grid = ControlGrid(global_device(frame=frame), 20.0, 10, drive="box")
    raw = grid.random_raw(seed=3)
    psi0 = random_state(4, 4)
    err = np.max(np.abs(final_state(grid, raw, psi0) - ode_state(grid, raw, psi0,
                                                                  rwa_hamiltonian)))
    assert err < 1e-6, err


def test_cf4_converges_at_fourth_order():
    psi0 = random_state(4, 5)
    errs = {}
    ref = None
    for integ in ("cf4",):
        for m in (1, 2):
            grid = ControlGrid(global_device(integrator=integ, substeps=m, zeeman_step=0.03),
                               30.0, 6, drive="box")
            raw = grid.random_raw(seed=6)
            if ref is None:
                ref = ode_state(grid, raw, psi0, rwa_hamiltonian)
            errs[integ, m] = np.max(np.abs(final_state(grid, raw, psi0) - ref))
    assert errs["cf4", 1] / errs["cf4", 2] > 10  # ~ 2^4 (the midpoint rule gives ~ 2^2)


def test_single_tone_crosstalk_is_a_detuned_rabi_oscillation():
    """Tone 0 alone, no exchange: qubit 0 Rabi-flips at A/2, qubit 1 sees it detuned by dB."""
    db, amp, t = 0.015, 0.03, 23.0
    dev = global_device(zeeman_step=db, max_drive=amp)
    grid = ControlGrid(dev, t, 4, drive="box")
    n = grid.n_slices
    raw = grid.to_raw(np.tile([amp, 0.0], (n, 1)), np.zeros((n, 2)), np.zeros((n, 1)))
    psi = final_state(grid, raw, np.eye(4)[0])
    p = np.abs(psi) ** 2
    p1_q0, p1_q1 = p[1] + p[3], p[2] + p[3]
    om = amp / 2
    assert abs(p1_q0 - math.sin(math.pi * om * t) ** 2) < 1e-6
    w = math.hypot(om, db)
    assert abs(p1_q1 - (om / w) ** 2 * math.sin(math.pi * w * t) ** 2) < 1e-6


def test_rwa_matches_lab_frame_at_a_few_ghz():
    """Lab frame (counter-rotating terms kept) vs the rotating frame: error ~ Ω/E."""
    dev = global_device(mean_zeeman=2.0)
    grid = ControlGrid(dev, 2.0, 2, drive="box")
    raw = grid.random_raw(seed=8)
    psi0 = random_state(4, 9)

    def lab(d, i, q, j, t):
        return d.lab_hamiltonian(i, q, j, t)

    psi_lab = ode_state(grid, raw, psi0, lab)
    z = sum(0.5 * f * np.diag(kron_op({q: PAULI["Z"]}, 2)).real
            for q, f in enumerate(dev.frame_frequencies()))
    psi_rot = np.exp(2j * math.pi * grid.duration * z) * psi_lab
    err = np.max(np.abs(psi_rot - final_state(grid, raw, psi0)))
    assert err < 4e-3, err


@pytest.mark.slow
def test_rwa_matches_lab_frame_at_28_ghz():
    dev = global_device(mean_zeeman=28.0)
    grid = ControlGrid(dev, 6.0, 6, drive="box")
    raw = grid.random_raw(seed=2)
    psi0 = random_state(4, 9)
    psi_lab = ode_state(grid, raw, psi0, lambda d, i, q, j, t: d.lab_hamiltonian(i, q, j, t))
    z = sum(0.5 * f * np.diag(kron_op({q: PAULI["Z"]}, 2)).real
            for q, f in enumerate(dev.frame_frequencies()))
    psi_rot = np.exp(2j * math.pi * grid.duration * z) * psi_lab
    assert np.max(np.abs(psi_rot - final_state(grid, raw, psi0))) < 5e-4


def test_global_gradient_matches_central_differences():
    grid = ControlGrid(global_device(substeps=1), 10.0, 4, drive="box")
    psi0, target = random_state(4, 10), random_state(4, 11)
    vg = value_and_grad(grid, psi0, target)
    raw = grid.random_raw(seed=12)
    _, g = vg(raw)
    eps = 1e-6
    for idx in [(0, 0), (1, 2), (3, 4), (2, 1)]:
        up, dn = raw.copy(), raw.copy()
        up[idx] += eps
        dn[idx] -= eps
        fd = (vg(up)[0] - vg(dn)[0]) / (2 * eps)
        assert abs(fd - g[idx]) < 1e-7 * max(1.0, abs(fd))


def test_local_default_is_unchanged():
    dev = SpinQubitDevice.silicon_line(2)
    assert (dev.drive_model, dev.integrator, dev.substeps) == ("local", "midpoint", 1)
    assert dev.operators().drive_detuning is None


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"drive_model": "antenna"}, "drive_model"),
    ({"integrator": "rk4"}, "integrator"),
    ({"substeps": 0}, "substeps"),
])
def test_bad_global_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SpinQubitDevice((28.0, 28.02), 0.04, 0.1, **kwargs)


def test_global_hamiltonian_checks_the_quadrature_bound():
    dev = global_device()
    dev.hamiltonian([0.04, -0.04], [0.04, 0.0], [0.05])  # the box is allowed
    with pytest.raises(ValueError, match="tone envelopes"):
        dev.hamiltonian([0.05, 0.0], [0.0, 0.0], [0.05])


def test_schedule_json_keeps_the_drive_model():
    from circuits.pulse.export import schedule_dict, schedule_from_dict

    dev = global_device(substeps=2)
    grid = ControlGrid(dev, 5.0, 3, drive="box")
    sched = grid.schedule(grid.random_raw(seed=1))
    back, dev2 = schedule_from_dict(schedule_dict(sched, dev))
    assert dev2 == dev
    assert np.allclose(back.omega_x, sched.omega_x)


@pytest.mark.slow
def test_h2_met_at_1ghz_with_the_global_antenna_matches_the_paper():
    """H2 (R = 0.75 Å) from Hartree-Fock, J_max = 1 GHz, global antenna |I|, |Q| <= 40 MHz,
    dB = +20 MHz, "qubit" frame, threshold 0.999: the paper's 2.4 ns within 10 %
    (benchmarks/pulse_met_scan.py measured 2.29 ns).  The other two METs of the paper
    (HeH+ 4.4 ns, H2 84.3 ns at 10 MHz) are not reproduced by any scanned configuration."""
    from circuits.pulse.met import METConfig, minimal_evolution_time
    from circuits.pulse.targets import molecule_target

    dev = global_device(max_exchange=1.0, substeps=1)
    tgt = molecule_target("h2")
    cfg = METConfig(threshold=0.999, n_slices=30, t_start=2.4, rel_tol=0.02, restarts=3,
                    maxiter=300, drive="box")
    res = minimal_evolution_time(dev, tgt.psi0, tgt.target, cfg)
    assert abs(res.met / 2.4 - 1) < 0.10, res.met
