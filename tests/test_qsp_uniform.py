"""Uniform-in-signal recovery to order k = 1, 2, 3 (circuits.qsp.shift_recovery).

References: the exact Taylor coefficients are checked against finite differences of the
noisy unitary, the ideal recovery against the identity, and the error scaling against a
direct extended-precision simulation of the noisy sequence (circuits.qsp.recovery).
"""

from __future__ import annotations

import numpy as np
import pytest

from circuits.qsp import ErrorModel, noisy_response, qsp_unitary, response, z_error_obstruction
from circuits.qsp.recovery import error_operator, merge_phases, noisy_unitary, xy_z_errors
from circuits.qsp.shift_recovery import (
    error_taylor,
    realize_coefficient,
    rotate_block,
    shift_block,
    taylor_unitary,
    uniform_recovery,
)

PHASES = np.array([0.3, -0.2, 0.5, 0.1, 0.5, -0.2, 0.3])  # d = 6, c = 4 unique phases
GRID = np.linspace(-1, 1, 61)
EPS = np.logspace(-4, -2, 7)  # the asymptotic window (see test_saturation_documented)


def _slope(eps, vals):
    return float(np.polyfit(np.log(eps), np.log(np.asarray(vals, dtype=float)), 1)[0])


@pytest.fixture(scope="module")
def recoveries():
    return {k: uniform_recovery(PHASES, k) for k in (1, 2, 3)}


def test_taylor_matches_finite_differences():
    phases = np.random.default_rng(3).uniform(-2, 2, 6)
    a = np.linspace(-0.9, 0.9, 7)
    t = taylor_unitary(phases, a, 2)
    h = 1e-4
    u = {e: noisy_unitary(phases, a, ErrorModel("Z", e)) for e in (-h, 0.0, h)}
    np.testing.assert_allclose(t[0], u[0.0], atol=1e-14)
    np.testing.assert_allclose(t[1], (u[h] - u[-h]) / (2 * h), atol=1e-7)
    np.testing.assert_allclose(t[2], (u[h] - 2 * u[0.0] + u[-h]) / (2 * h * h), atol=1e-5)


def test_shift_block_is_identity_with_predicted_generator():
    rng = np.random.default_rng(5)
    phases = rng.uniform(-1, 1, 5)
    n = np.array([0, 1, 0, -2, 1])
    blk = shift_block(phases, n, 1, -1)
    a = np.linspace(-1, 1, 21)
    t = taylor_unitary(blk, a, 1)
    sign = -1 * 1 * (-1) * (-1) ** int(n.sum())
    np.testing.assert_allclose(t[0], sign * np.broadcast_to(np.eye(2), t[0].shape), atol=1e-13)
    # first-order error = iG(v), v = (pi/2) e_d - (pi/2) e_0 + pi n, G(v) = dU/dphi . v (input side)
    v = np.pi * n.astype(float)
    v[-1] += np.pi / 2
    v[0] -= np.pi / 2
    h = 1e-6
    du = (qsp_unitary(phases + h * v, a) - qsp_unitary(phases - h * v, a)) / (2 * h)
    gen = np.conj(np.swapaxes(qsp_unitary(phases, a), -1, -2)) @ du
    np.testing.assert_allclose(t[1] / sign, gen, atol=1e-8)
    # a rotated block is still +-I ideally
    t_rot = taylor_unitary(rotate_block(blk, 0.37), a, 0)
    np.testing.assert_allclose(t_rot[0], t[0], atol=1e-13)


@pytest.mark.parametrize("mu", [0.3, 1.9 - 0.4j, -3.7 + 2.2j, 7.0j])
def test_realize_coefficient(mu):
    betas = realize_coefficient(mu)
    assert len(betas) % 2 == 0
    assert abs(sum(np.exp(-2j * b) for b in betas) - mu) < 1e-12


@pytest.mark.parametrize("k", [1, 2, 3])
def test_uniform_recovery_cancels_orders_up_to_k(recoveries, k):
    rec = recoveries[k]
    # ideally the identity at every signal (the response of the main sequence is kept)
    eye = np.broadcast_to(np.eye(2), (GRID.size, 2, 2))
    np.testing.assert_allclose(qsp_unitary(rec.phases, GRID), eye, atol=1e-9)
    np.testing.assert_allclose(response(rec.merged, GRID), response(PHASES, GRID), atol=1e-9)
    # exact Taylor coefficients of the X/Y error on a grid finer than the solve nodes
    v = error_taylor(PHASES, GRID, k + 1, rec.phases)
    scale = np.abs(error_taylor(PHASES, GRID, k + 1)[1:, :, 1, 0]).max()
    for j in range(1, k + 1):
        assert np.abs(v[j, :, 1, 0]).max() < 1e-9 * max(scale, rec.taylor_norms[k + 1])
    assert np.abs(v[k + 1, :, 1, 0]).max() > 1e-3
    assert rec.taylor_norms[k + 1] > 1e-3


@pytest.mark.parametrize("k", [1, 2, 3])
def test_uniform_recovery_slope(recoveries, k):
    rec = recoveries[k]
    raw = [xy_z_errors(PHASES, GRID, e, extended=True)[0].max() for e in EPS]
    fixed = [xy_z_errors(PHASES, GRID, e, rec.phases, extended=True)[0].max() for e in EPS]
    assert abs(_slope(EPS, raw) - 1) < 0.1
    assert abs(_slope(EPS, fixed) - (k + 1)) < 0.1
    # the success probability |<0|U|0>|^2 inherits the order
    ideal = np.abs(response(PHASES, GRID)) ** 2
    prob = [np.abs(np.abs(noisy_response(rec.merged, GRID, ErrorModel("Z", e), extended=True))
                   ** 2 - ideal).max() for e in EPS]
    assert _slope(EPS, prob) > k + 0.9


def test_saturation_documented(recoveries):
    # above eps ~ 1/(total rotation) the expansion stops being asymptotic: at eps = 0.1
    # the k = 1 recovery is no longer better than no recovery (module docstring).
    rec = recoveries[1]
    raw = xy_z_errors(PHASES, GRID, 0.1)[0].max()
    fixed = xy_z_errors(PHASES, GRID, 0.1, rec.phases)[0].max()
    small = xy_z_errors(PHASES, GRID, 1e-3, rec.phases)[0].max()
    assert small < 0.2 * xy_z_errors(PHASES, GRID, 1e-3)[0].max()  # helps at eps = 1e-3
    assert fixed > raw


def test_z_part_not_recovered(recoveries):
    rec = recoveries[2]
    z = [xy_z_errors(PHASES, GRID, e, rec.phases, extended=True)[1].max() for e in EPS]
    assert abs(_slope(EPS, z) - 1) < 0.1
    h = 1e-6
    dz = (np.angle(error_operator(PHASES, 1.0, h, rec.phases)[0, 0])
          - np.angle(error_operator(PHASES, 1.0, -h, rec.phases)[0, 0])) / (2 * h)
    assert abs(dz) >= z_error_obstruction(PHASES) - 1e-6


def test_order_one_length_is_order_cd():
    # few unique phases: the shift construction is O(c d), the degree-wise one O(d^2)
    from circuits.qsp import degreewise_recovery

    for d in (12, 16):
        phases = np.where(np.arange(d + 1) % 2 == 0, 0.4, -0.7)  # c = 2
        rec = uniform_recovery(phases, 1)
        assert rec.c == 2
        assert rec.paper_bounds["lower"] <= rec.calls <= 4 * d * (rec.c + 1)
        assert rec.taylor_norms[1] < 1e-10
        assert degreewise_recovery(phases).calls > rec.calls


def test_random_phases_order_two():
    phases = np.random.default_rng(2).uniform(-np.pi, np.pi, 5)
    rec = uniform_recovery(phases, 2)
    assert max(rec.taylor_norms[1:3]) < 1e-9 * rec.taylor_norms[3]
    assert rec.calls <= rec.paper_bounds["upper"]
    merged = merge_phases(phases, rec.phases)
    np.testing.assert_allclose(response(merged, GRID), response(phases, GRID), atol=1e-9)


def test_bad_inputs():
    with pytest.raises(ValueError, match="order"):
        uniform_recovery(PHASES, 0)
    with pytest.raises(ValueError, match="order"):
        uniform_recovery(PHASES, 4)
    with pytest.raises(ValueError, match="order"):
        uniform_recovery(PHASES, 1.5)
    with pytest.raises(ValueError, match="signal call"):
        uniform_recovery([0.3], 1)
    with pytest.raises(ValueError, match="finite"):
        uniform_recovery([0.3, np.nan], 1)
    with pytest.raises(ValueError, match="shift"):
        shift_block(PHASES, np.zeros(3))
    with pytest.raises(ValueError, match="sigma"):
        shift_block(PHASES, np.zeros(PHASES.size), 2, 1)


@pytest.mark.parametrize("k", [1, 2, pytest.param(3, marks=pytest.mark.slow)])
def test_pointwise_recovery_paper_model_full_window(k):
    # acceptance window eps in [1e-4, 1e-1]: the short pointwise recovery (exact at the
    # operating signal only) keeps the slope k + 1 over the whole window
    from circuits.qsp import RecoveryConfig, find_recovery

    eps = np.logspace(-4, -1, 7)
    pts = np.array([0.6])
    rec = find_recovery(PHASES, RecoveryConfig(order=k, pauli="Z", points=(0.6,)))
    ideal = noisy_response(PHASES, pts, ErrorModel("Z", 0.0))
    raw = [np.abs(noisy_response(PHASES, pts, ErrorModel("Z", e)) - ideal).max() for e in eps]
    fixed = [np.abs(noisy_response(PHASES, pts, ErrorModel("Z", e), rec.phases, extended=True)
                    - ideal).max() for e in eps]
    assert abs(_slope(eps, raw) - 1) < 0.1
    assert abs(_slope(eps, fixed) - (k + 1)) < 0.1
