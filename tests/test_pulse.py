"""Pulse-level model of silicon spin qubits: Hamiltonian, propagation, gradients, GRAPE, errors.

References are independent of the code under test: Hamiltonians from explicit Kronecker
products of Pauli matrices (``conftest.kron_op``), slice propagators from
``scipy.linalg.expm``, and (if installed) qutip's ``sesolve`` ODE integration.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
import scipy.linalg
from conftest import PAULI, kron_op

from circuits.pulse import (
    ControlGrid,
    GrapeConfig,
    SpinQubitDevice,
    final_state,
    optimize_state_transfer,
    propagator,
    slice_hamiltonians,
    state_fidelity,
    value_and_grad,
)

SP = np.array([[0, 1], [0, 0]], dtype=complex)  # σ+ = |0><1|


def reference_hamiltonian(dev: SpinQubitDevice, ox, oy, j, t: float) -> np.ndarray:
    """``H/h`` from the module docstring, written out with Kronecker products."""
    n = dev.n_qubits
    ez = np.asarray(dev.zeeman)
    h = np.zeros((2**n, 2**n), dtype=complex)
    for q in range(n):
        h += 0.5 * ox[q] * kron_op({q: PAULI["X"]}, n) + 0.5 * oy[q] * kron_op({q: PAULI["Y"]}, n)
        if dev.frame == "common":
            h += 0.5 * (ez[q] - dev.reference_frequency) * kron_op({q: PAULI["Z"]}, n)
    for b in range(n - 1):
        if dev.frame == "common":
            for p in "XYZ":
                h += 0.25 * j[b] * kron_op({b: PAULI[p], b + 1: PAULI[p]}, n)
        else:
            ph = np.exp(2j * math.pi * (ez[b] - ez[b + 1]) * t)
            ff = ph * kron_op({b: SP, b + 1: SP.conj().T}, n)
            h += j[b] * (0.25 * kron_op({b: PAULI["Z"], b + 1: PAULI["Z"]}, n)
                         + 0.5 * (ff + ff.conj().T))
    return h


def reference_propagator(grid: ControlGrid, raw: np.ndarray) -> np.ndarray:
    """``Π_k scipy.linalg.expm(-2πi dt H_k)`` with ``H_k`` at the slice midpoint."""
    s = grid.schedule(raw)
    u = np.eye(grid.device.dim, dtype=complex)
    for k, t in enumerate(s.slice_midpoints()):
        h = reference_hamiltonian(grid.device, s.omega_x[k], s.omega_y[k], s.exchange[k], t)
        u = scipy.linalg.expm(-2j * math.pi * grid.dt * h) @ u
    return u


def random_state(dim: int, rng) -> np.ndarray:
    v = rng.normal(size=dim) + 1j * rng.normal(size=dim)
    return v / np.linalg.norm(v)


def make_grid(n: int, frame: str, n_slices: int = 12, duration: float = 40.0, **kw):
    dev = SpinQubitDevice.silicon_line(n, max_drive=0.03, max_exchange=0.1, frame=frame, **kw)
    return ControlGrid(dev, duration=duration, n_slices=n_slices)


# ------------------------------------------------------------------ Hamiltonian
@pytest.mark.parametrize("frame", ["qubit", "common"])
def test_hamiltonian_matches_kronecker_reference(frame, rng):
    dev = SpinQubitDevice((28.0, 28.013, 27.991), 0.03, 0.1, frame=frame)
    ox, oy = 0.01 * rng.uniform(-1, 1, 3), 0.01 * rng.uniform(-1, 1, 3)
    j = 0.1 * rng.uniform(0, 1, 2)
    for t in (0.0, 3.7, 41.2):
        h = dev.hamiltonian(ox, oy, j, t=t)
        assert np.max(np.abs(h - reference_hamiltonian(dev, ox, oy, j, t))) < 1e-15


def test_frames_agree_for_degenerate_qubits(rng):
    """Equal Zeeman frequencies: no flip-flop phase, no detuning; the two frames coincide."""
    q = ControlGrid(SpinQubitDevice((28.0,) * 3, 0.03, 0.1, frame="qubit"), 30.0, 8)
    c = ControlGrid(SpinQubitDevice((28.0,) * 3, 0.03, 0.1, frame="common"), 30.0, 8)
    raw = q.random_raw(seed=5)
    assert np.max(np.abs(propagator(q, raw) - propagator(c, raw))) < 1e-13


def test_exchange_eigenvalues():
    """``J/4 σ·σ`` on degenerate qubits: triplet at +J/4, singlet at -3J/4."""
    dev = SpinQubitDevice((28.0, 28.0), 0.01, 0.2)
    w = np.linalg.eigvalsh(dev.hamiltonian([0, 0], [0, 0], [0.2]))
    assert np.allclose(w, [-0.15, 0.05, 0.05, 0.05], atol=1e-14)


# ------------------------------------------------------------------ propagation
@pytest.mark.parametrize("n", [2, 3])
@pytest.mark.parametrize("frame", ["qubit", "common"])
def test_propagation_matches_scipy_expm(n, frame, rng):
    grid = make_grid(n, frame)
    raw = grid.random_raw(seed=10 + n)
    s = grid.schedule(raw)
    hs = slice_hamiltonians(grid, raw)
    for k, t in enumerate(s.slice_midpoints()):
        ref = reference_hamiltonian(grid.device, s.omega_x[k], s.omega_y[k], s.exchange[k], t)
        assert np.max(np.abs(hs[k] - ref)) < 1e-14
    u, u_ref = propagator(grid, raw), reference_propagator(grid, raw)
    err = np.max(np.abs(u - u_ref))
    assert err < 1e-8, err
    psi0 = random_state(grid.device.dim, rng)
    err_state = np.max(np.abs(final_state(grid, raw, psi0) - u_ref @ psi0))
    assert err_state < 1e-8, err_state


@pytest.mark.parametrize("n", [2, 3])
@pytest.mark.parametrize("frame", ["qubit", "common"])
def test_propagation_matches_qutip_sesolve(n, frame, rng):
    qutip = pytest.importorskip("qutip")
    grid = make_grid(n, frame, n_slices=6, duration=20.0)
    dev = grid.device
    raw = grid.random_raw(seed=20 + n)
    s = grid.schedule(raw)
    psi0 = random_state(dev.dim, rng)
    edges = s.slice_edges()

    def step(values):  # order-0 (step) interpolation: value k on [t_k, t_{k+1})
        return qutip.coefficient(np.append(values, values[-1]), tlist=edges, order=0)

    def op(ops):
        return qutip.Qobj(2 * math.pi * kron_op(ops, dev.n_qubits))

    zero = np.zeros_like(s.omega_x[0])
    h0 = qutip.Qobj(2 * math.pi * reference_hamiltonian(dev, zero, zero, np.zeros(n - 1), 0.0))
    terms = [h0]
    for q in range(n):
        terms.append([0.5 * op({q: PAULI["X"]}), step(s.omega_x[:, q])])
        terms.append([0.5 * op({q: PAULI["Y"]}), step(s.omega_y[:, q])])
    ez = np.asarray(dev.zeeman)
    for b in range(n - 1):
        jb = s.exchange[:, b]
        if frame == "common":
            heis = sum(op({b: PAULI[p], b + 1: PAULI[p]}) for p in "XYZ")
            terms.append([0.25 * heis, step(jb)])
        else:
            ph = np.exp(2j * math.pi * (ez[b] - ez[b + 1]) * s.slice_midpoints())
            ff = op({b: SP, b + 1: SP.conj().T})
            terms.append([0.25 * op({b: PAULI["Z"], b + 1: PAULI["Z"]}), step(jb)])
            terms.append([0.5 * ff, step(jb * ph)])
            terms.append([0.5 * ff.dag(), step(jb * np.conj(ph))])
    h = qutip.QobjEvo(terms)
    # 9th-order Verner with tight tolerances; max_step < dt resolves the step-function kinks
    res = qutip.sesolve(h, qutip.Qobj(psi0), edges,
                        options={"method": "vern9", "atol": 1e-14, "rtol": 1e-12,
                                 "nsteps": 100000, "max_step": grid.dt / 8})
    psi_q = res.states[-1].full().ravel()
    err = np.max(np.abs(final_state(grid, raw, psi0) - psi_q))
    assert err < 1e-8, err


def test_qubit_frame_converges_to_common_frame():
    """Exchange only: the "common" frame is exact, and ``|ψ_qubit(T)> = R(T)|ψ_common(T)>``.

    ``R(T) = exp(+2πi T Σ_i (E_i - f_ref) Z_i/2)``; midpoint phases converge as ``O(dt²)``.
    """
    ez = (28.0, 28.02, 27.97)
    dq = SpinQubitDevice(ez, 0.03, 0.1, frame="qubit")
    dc = SpinQubitDevice(ez, 0.03, 0.1, frame="common")
    T, N0 = 20.0, 8
    rng = np.random.default_rng(7)
    j = rng.uniform(0.02, 0.1, size=(N0, 2))
    zero = np.zeros((N0, 3))
    psi0 = random_state(8, rng)
    gc = ControlGrid(dc, T, N0)
    psi_c = final_state(gc, gc.to_raw(zero, zero, j), psi0)
    n = 3
    rot = np.diag(np.exp(2j * math.pi * T * sum(
        0.5 * (ez[q] - dc.reference_frequency) * np.diag(kron_op({q: PAULI["Z"]}, n)).real
        for q in range(n))))
    errs = []
    for m in (4, 8, 16):  # refine each slice m times, same piecewise-constant J(t)
        gq = ControlGrid(dq, T, N0 * m)
        jm, zm = np.repeat(j, m, axis=0), np.zeros((N0 * m, 3))
        psi_q = final_state(gq, gq.to_raw(zm, zm, jm), psi0)
        errs.append(np.linalg.norm(psi_q - rot @ psi_c))
    assert errs[-1] < 5e-3
    assert errs[0] / errs[1] > 3.5 and errs[1] / errs[2] > 3.5, errs  # second order


# ------------------------------------------------------------------ controls
@pytest.mark.parametrize("drive", ["disk", "box"])
def test_bounds_hold_by_construction(drive):
    dev = SpinQubitDevice.silicon_line(3, max_drive=0.005, max_exchange=0.05)
    grid = ControlGrid(dev, 10.0, 7, drive=drive)
    raw = grid.random_raw(seed=1, scale=50.0)
    s = grid.schedule(raw)
    if drive == "disk":
        assert np.all(np.hypot(s.omega_x, s.omega_y) <= 0.005 * (1 + 1e-15))
    else:
        assert np.all(np.abs(s.omega_x) <= 0.005) and np.all(np.abs(s.omega_y) <= 0.005)
    assert np.all(s.exchange >= 0) and np.all(s.exchange <= 0.05)
    back = grid.schedule(grid.to_raw(s.omega_x, s.omega_y, s.exchange))
    for a, b in ((back.omega_x, s.omega_x), (back.omega_y, s.omega_y),
                 (back.exchange, s.exchange)):
        assert np.allclose(a, b, atol=1e-14)


def test_residual_exchange_bounds_and_round_trip():
    # J in [J_min, J_max] by construction (the authors' device code has J_min = 5 MHz)
    from circuits.pulse.export import schedule_dict, schedule_from_dict

    dev = SpinQubitDevice.silicon_line(3, max_drive=0.005, max_exchange=0.05,
                                       min_exchange=0.005)
    grid = ControlGrid(dev, 10.0, 7, drive="box")
    s = grid.schedule(grid.random_raw(seed=2, scale=50.0))
    assert s.exchange.min() >= 0.005 * (1 - 1e-15) and s.exchange.max() <= 0.05
    assert s.exchange.min() < 0.006 and s.exchange.max() > 0.049  # the whole range is used
    back = grid.schedule(grid.to_raw(s.omega_x, s.omega_y, s.exchange))
    assert np.allclose(back.exchange, s.exchange, atol=1e-14)
    with pytest.raises(ValueError, match=r"exchange must lie in \[0.005"):
        grid.to_raw(s.omega_x, s.omega_y, np.zeros_like(s.exchange))
    with pytest.raises(ValueError, match="min_exchange, max_exchange"):
        dev.hamiltonian([0.0] * 3, [0.0] * 3, [0.001, 0.01])
    back2, dev2 = schedule_from_dict(schedule_dict(s, dev))
    assert dev2 == dev and dev2.min_exchange == 0.005
    assert np.allclose(back2.exchange, s.exchange)


def test_smoothness_penalty_value():
    dev = SpinQubitDevice.silicon_line(2, max_drive=0.01, max_exchange=0.1)
    grid = ControlGrid(dev, 10.0, 3)
    ox = np.array([[0.0, 0.01], [0.01, 0.01], [0.0, 0.0]])
    j = np.array([[0.0], [0.1], [0.1]])
    raw = grid.to_raw(ox, np.zeros((3, 2)), j)
    # Ωx/Ω_max differences: (1, 0), (-1, -1); J/J_max: 1, 0
    assert float(grid.smoothness_penalty(raw)) == pytest.approx(1 + 2 + 1, abs=1e-12)


# ------------------------------------------------------------------ gradients
@pytest.mark.parametrize("smoothness", [0.0, 0.3])
def test_gradient_matches_central_differences(smoothness, rng):
    grid = make_grid(2, "qubit", n_slices=5, duration=25.0)
    psi0, target = random_state(4, rng), random_state(4, rng)
    vg = value_and_grad(grid, psi0, target, smoothness=smoothness)
    raw = grid.random_raw(seed=3)
    _, g = vg(raw)
    h = 1e-6
    fd = np.zeros_like(raw)
    for idx in np.ndindex(raw.shape):
        e = np.zeros_like(raw)
        e[idx] = h
        fd[idx] = (vg(raw + e)[0] - vg(raw - e)[0]) / (2 * h)
    err = np.max(np.abs(g - fd)) / np.max(np.abs(g))
    assert err < 1e-7, err
    f = state_fidelity(grid, raw, psi0, target)
    pen = float(grid.smoothness_penalty(raw))
    assert vg(raw)[0] == pytest.approx(1 - f + smoothness * pen, abs=1e-13)


# ------------------------------------------------------------------ GRAPE
def test_grape_lbfgs_prepares_bell_state():
    dev = SpinQubitDevice.silicon_line(2, max_drive=0.02, max_exchange=0.1)
    grid = ControlGrid(dev, duration=60.0, n_slices=30)
    psi0 = np.array([1, 0, 0, 0], dtype=complex)
    bell = np.array([1, 0, 0, 1], dtype=complex) / math.sqrt(2)
    t0 = time.perf_counter()
    res = optimize_state_transfer(grid, psi0, bell, GrapeConfig(restarts=3, seed=1, maxiter=300))
    assert time.perf_counter() - t0 < 20
    assert res.fidelity >= 0.999, res.fidelities
    assert res.fidelity == pytest.approx(state_fidelity(grid, res.raw, psi0, bell), abs=1e-12)
    s = res.schedule
    assert np.all(np.hypot(s.omega_x, s.omega_y) <= 0.02 * (1 + 1e-15))
    assert np.all((s.exchange >= 0) & (s.exchange <= 0.1))
    assert res.history[0] <= res.history[-1] + 1e-12
    assert res.history[-1] == pytest.approx(res.fidelity, abs=1e-12)


def test_grape_adam_batched_swap_transfer():
    dev = SpinQubitDevice.silicon_line(2, max_drive=0.02, max_exchange=0.1)
    grid = ControlGrid(dev, duration=30.0, n_slices=15)
    psi0, target = np.eye(4)[1], np.eye(4)[2]  # |01> -> |10> (qubit 0 in |1> -> qubit 1)
    cfg = GrapeConfig(optimizer="adam", restarts=4, seed=2, maxiter=400, learning_rate=0.05,
                      target_fidelity=0.999, smoothness=1e-4)
    res = optimize_state_transfer(grid, psi0, target, cfg)
    assert res.fidelities.shape == (4,)
    assert res.fidelity >= 0.999
    assert res.stop_reason == "target_fidelity"


def test_grape_same_seed_same_result():
    grid = make_grid(2, "common", n_slices=6, duration=20.0)
    cfg = GrapeConfig(restarts=2, seed=4, maxiter=10)
    a = optimize_state_transfer(grid, np.eye(4)[0], np.eye(4)[3], cfg)
    b = optimize_state_transfer(grid, np.eye(4)[0], np.eye(4)[3], cfg)
    assert np.array_equal(a.raw, b.raw) and a.fidelity == b.fidelity


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"max_drive": 0.0}, ValueError, "max_drive must be > 0"),
        ({"max_drive": -1e-3}, ValueError, "max_drive must be > 0"),
        ({"max_exchange": 0.0}, ValueError, "max_exchange must be > 0"),
        ({"max_exchange": float("nan")}, ValueError, "max_exchange must be finite"),
        ({"max_drive": "big"}, TypeError, "max_drive must be a real number"),
        ({"frame": "lab"}, ValueError, "frame must be one of"),
        ({"mean_zeeman": -28.0}, ValueError, "mean_zeeman must be > 0"),
        ({"n_qubits": 0}, ValueError, "n_qubits must be >= 1"),
        ({"n_qubits": 11}, ValueError, "1..10 frequencies"),
        ({"reference_frequency": 28.0}, ValueError, "reference_frequency applies to frame"),
        ({"min_exchange": -1e-3}, ValueError, "min_exchange must be >= 0"),
        ({"min_exchange": 0.1, "max_exchange": 0.1}, ValueError, "min_exchange must be <"),
    ],
)
def test_bad_device(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        SpinQubitDevice.silicon_line(**kwargs)


def test_bad_zeeman_and_hamiltonian_controls():
    with pytest.raises(ValueError, match="zeeman frequencies must be finite and > 0"):
        SpinQubitDevice((28.0, 0.0), 0.01, 0.1)
    dev = SpinQubitDevice.silicon_line(2, max_drive=0.01, max_exchange=0.1)
    with pytest.raises(ValueError, match="max_drive"):
        dev.hamiltonian([0.01, 0.0], [0.01, 0.0], [0.0])
    with pytest.raises(ValueError, match="exchange must lie in"):
        dev.hamiltonian([0, 0], [0, 0], [-0.01])
    with pytest.raises(ValueError, match=r"omega_x must have shape \(2,\)"):
        dev.hamiltonian([0, 0, 0], [0, 0], [0.0])


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"duration": -5.0}, ValueError, "duration must be > 0"),
        ({"duration": 0.0}, ValueError, "duration must be > 0"),
        ({"n_slices": 0}, ValueError, "n_slices must be >= 1"),
        ({"n_slices": 2.5}, TypeError, "n_slices must be an integer"),
        ({"drive": "circle"}, ValueError, "drive must be one of"),
        ({"device": "si"}, TypeError, "device must be a SpinQubitDevice"),
    ],
)
def test_bad_grid(kwargs, exc, match):
    args = {"device": SpinQubitDevice.silicon_line(2), "duration": 10.0, "n_slices": 4}
    with pytest.raises(exc, match=match):
        ControlGrid(**{**args, **kwargs})


def test_bad_states_and_config():
    grid = make_grid(2, "qubit", n_slices=4, duration=10.0)
    ok = np.eye(4)[0]
    with pytest.raises(ValueError, match="target must be normalised"):
        optimize_state_transfer(grid, ok, np.array([1, 1, 0, 0], dtype=complex))
    with pytest.raises(ValueError, match=r"target must have shape \(4,\)"):
        optimize_state_transfer(grid, ok, np.eye(8)[0])
    with pytest.raises(ValueError, match=r"psi0 must have shape \(4,\)"):
        state_fidelity(grid, grid.random_raw(seed=0), np.eye(2)[0], ok)
    with pytest.raises(ValueError, match="raw controls must have shape"):
        propagator(grid, np.zeros((3, 5)))
    with pytest.raises(ValueError, match="optimizer must be one of"):
        GrapeConfig(optimizer="bfgs")
    with pytest.raises(ValueError, match="target_fidelity must be <= 1"):
        GrapeConfig(target_fidelity=1.5)
    with pytest.raises(ValueError, match="restarts must be >= 1"):
        GrapeConfig(restarts=0)
    with pytest.raises(TypeError, match="config must be a GrapeConfig"):
        optimize_state_transfer(grid, ok, ok, {"maxiter": 3})
