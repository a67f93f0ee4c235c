"""Minimal evolution time search: analytic single-qubit speed limits, JIT reuse, bad input.

Independent reference: a resonant drive with Rabi frequency ``|Ω| <= Ω_max`` (device
convention ``H/h = (Ωx X + Ωy Y)/2``, ``U = exp(-2πi H t)``) turns the Bloch vector by at
most ``2π Ω_max t``.  A target at polar angle ``Θ`` from the start is reached with fidelity
``F = cos²((Θ - 2π Ω_max T)/2)`` at best, so the minimal time to fidelity ``F*`` is
``T* = (Θ - 2 arcsin √(1 - F*)) / (2π Ω_max)`` (``arcsin √F* / (π Ω_max)`` for a π flip).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from circuits.pulse import ControlGrid, SpinQubitDevice
from circuits.pulse import grape as grape_mod
from circuits.pulse.met import DEFAULT_THRESHOLD, METConfig, minimal_evolution_time

OMEGA = 0.05  # GHz


def analytic_met(theta: float, f: float, omega: float = OMEGA) -> float:
    return (theta - 2 * math.asin(math.sqrt(1 - f))) / (2 * math.pi * omega)


@pytest.fixture(scope="module")
def qubit():
    return SpinQubitDevice((28.0,), max_drive=OMEGA, max_exchange=0.1)


@pytest.mark.parametrize(
    ("target", "theta", "f"),
    [
        ([0, 1], math.pi, DEFAULT_THRESHOLD),
        ([2**-0.5, 1j * 2**-0.5], math.pi / 2, 0.9999),
        ([math.cos(0.3), math.sin(0.3)], 0.6, 0.999),
    ],
)
def test_single_qubit_met_matches_the_speed_limit(qubit, target, theta, f):
    cfg = METConfig(threshold=f, n_slices=8, rel_tol=0.004, restarts=3, seed=1)
    res = minimal_evolution_time(qubit, [1, 0], target, cfg)
    exact = analytic_met(theta, f)
    assert res.fidelity >= f
    assert exact * (1 - 1e-9) <= res.met <= exact * (1 + 2 * cfg.rel_tol)
    assert res.lower_bound < exact * (1 + 1e-9)  # the bracket contains the true MET
    # where the threshold was missed GRAPE ran to convergence: F(T) is the analytic optimum
    # (reached points stop at the threshold and are only checked against it)
    missed = [p for p in res.history if not p.reached]
    assert missed and all(p.fidelity >= f for p in res.history if p.reached)
    ts = np.array([p.duration for p in missed])
    want = np.cos((theta - 2 * math.pi * OMEGA * ts) / 2) ** 2
    np.testing.assert_allclose([p.fidelity for p in missed], want, atol=1e-6)
    assert res.schedule.n_slices == 8 and res.grid.duration == res.met
    # bounds hold for the returned pulses
    assert np.all(np.hypot(res.schedule.omega_x, res.schedule.omega_y) <= OMEGA * (1 + 1e-12))


def test_repeated_searches_reuse_the_compiled_kernel(qubit):
    cfg = METConfig(n_slices=6, rel_tol=0.05, restarts=2)
    minimal_evolution_time(qubit, [1, 0], [0, 1], cfg)
    before = dict(grape_mod._TRACES)
    # other durations, another target, another seed and restart count: same shapes
    res = minimal_evolution_time(qubit, [0, 1], [2**-0.5, 2**-0.5],
                                 METConfig(n_slices=6, rel_tol=0.05, restarts=3, seed=5))
    assert len({p.duration for p in res.history}) >= 3
    assert grape_mod._TRACES == before


def test_two_qubit_swap_met_is_bounded_by_the_exchange_swap_time():
    # |01> -> |10> by exchange alone takes 1/(2 J_max) when the qubits are degenerate
    dev = SpinQubitDevice((28.0, 28.0), max_drive=0.001, max_exchange=0.1)
    res = minimal_evolution_time(dev, [0, 1, 0, 0], [0, 0, 1, 0],
                                 METConfig(n_slices=4, rel_tol=0.01, restarts=2))
    swap = 1 / (2 * 0.1)
    exact = math.asin(math.sqrt(DEFAULT_THRESHOLD)) / (math.pi * 0.1)  # sin²(π J T) = F
    assert res.met <= swap * 1.001
    assert exact * 0.98 <= res.met <= exact * 1.03


def test_unreachable_threshold_raises(qubit):
    with pytest.raises(RuntimeError, match="no duration up to"):
        minimal_evolution_time(qubit, [1, 0], [0, 1],
                               METConfig(n_slices=4, t_start=1.0, t_max=4.0, restarts=1))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"threshold": 1.0}, "threshold must be < 1"),
        ({"threshold": 0.0}, "threshold must be > 0"),
        ({"n_slices": 0}, "n_slices must be >= 1"),
        ({"t_start": -1.0}, "t_start must be > 0"),
        ({"t_min": -1.0}, "t_min must be > 0"),
        ({"t_min": 5.0, "t_max": 4.0}, "t_min must be < t_max"),
        ({"rel_tol": 0.0}, "rel_tol must be > 0"),
        ({"restarts": 0}, "restarts must be >= 1"),
        ({"optimizer": "sgd"}, "optimizer must be one of"),
        ({"drive": "square"}, "drive must be one of"),
    ],
)
def test_bad_config(kwargs, message):
    with pytest.raises(ValueError, match=message):
        METConfig(**kwargs)


def test_bad_types_and_states(qubit):
    with pytest.raises(TypeError, match="threshold must be a real number"):
        METConfig(threshold="0.99")
    with pytest.raises(TypeError, match="device must be a SpinQubitDevice"):
        minimal_evolution_time("device", [1, 0], [0, 1])
    with pytest.raises(ValueError, match="target must be normalised"):
        minimal_evolution_time(qubit, [1, 0], [1, 1])
    with pytest.raises(ValueError, match=r"target must have shape \(2,\)"):
        minimal_evolution_time(qubit, [1, 0], [1, 0, 0, 0])
    with pytest.raises(ValueError, match="psi0 must be normalised"):
        minimal_evolution_time(qubit, [0.5, 0], [0, 1])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_drive": 0.0}, "max_drive must be > 0"),
        ({"max_drive": -0.01}, "max_drive must be > 0"),
        ({"max_exchange": 0.0}, "max_exchange must be > 0"),
    ],
)
def test_bounds_must_be_positive(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SpinQubitDevice.silicon_line(2, **kwargs)


@pytest.mark.parametrize("t", [-1.0, 0.0])
def test_duration_must_be_positive(qubit, t):
    with pytest.raises(ValueError, match="duration must be > 0"):
        ControlGrid(qubit, t, 4)
