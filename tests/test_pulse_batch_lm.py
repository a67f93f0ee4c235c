"""The batched Levenberg-Marquardt of circuits.pulse.batch_lm and its pulse residual.

References: scipy.optimize.least_squares on the same residuals (unconstrained and with the
box), and the energy error E - E0 of circuits.pulse.lab_met.batch_errors for the residual
(H - E0)^(1/2) psi.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.optimize

from circuits.pulse import tables
from circuits.pulse.batch_lm import minimize_lsq_batch
from circuits.pulse.lab import LabControls, LabSpinChain, device_params, kernel_shape
from circuits.pulse.lab_met import _residual, batch_errors, optimize_batch, psd_sqrt


def _res(x, a, s):
    # zero-residual, curved (a scaled Rosenbrock valley through a) plus a box-bound part
    return jnp.concatenate([x - a, s * (x[1:] - x[:-1] ** 2 - (a[1:] - a[:-1] ** 2))])


def _res_np(x, a, s):
    return np.concatenate([x - a, s * (x[1:] - x[:-1] ** 2 - (a[1:] - a[:-1] ** 2))])


def test_zero_residual_and_box_bound_problems_match_scipy_least_squares():
    rng = np.random.default_rng(2)
    a = rng.uniform(-0.7, 0.7, (3, 5))
    a[2, 1] = 1.6  # this minimiser lies outside the box: the projected one is the answer
    s = np.array([10.0, 30.0, 0.0])  # the bounded problem is linear: one minimiser
    x0 = rng.uniform(-1, 1, (3, 5))
    res = minimize_lsq_batch(_res, x0, (a, s), maxiter=200, stop=1e-28)
    for b in range(3):
        ref = scipy.optimize.least_squares(
            lambda v, b=b: _res_np(v, a[b], s[b]), x0[b], bounds=(-1, 1),
            xtol=1e-15, ftol=1e-15, gtol=1e-15)
        assert np.allclose(res.x[b], ref.x, atol=1e-6)
        assert res.values[b] == pytest.approx(2 * ref.cost, abs=1e-9)
    assert np.allclose(res.x[:2], a[:2], atol=1e-10) and np.all(res.values[:2] <= 1e-20)
    assert np.allclose(res.x[2], np.clip(a[2], -1, 1), atol=1e-10)
    assert np.all(np.abs(res.x) <= 1.0)
    # problems vectorised in groups (lax.map, less memory) take the same steps
    grouped = minimize_lsq_batch(_res, x0, (a, s), maxiter=200, stop=1e-28, batch_size=2)
    assert np.allclose(grouped.x, res.x, atol=1e-12)
    assert np.array_equal(grouped.iterations, res.iterations)
    # and continuing the open problems in a smaller compiled batch changes none of them
    compacted = minimize_lsq_batch(_res, x0, (a, s), maxiter=200, stop=1e-28, chunk=2,
                                   compact=1)
    stepwise = minimize_lsq_batch(_res, x0, (a, s), maxiter=200, stop=1e-28, chunk=2)
    assert np.allclose(compacted.x, stepwise.x, atol=1e-12)
    assert np.array_equal(compacted.iterations, stepwise.iterations)
    with pytest.raises(ValueError, match="dampings"):
        minimize_lsq_batch(_res, x0, (a, s), dampings=(1.0, -1.0))
    with pytest.raises(ValueError, match="batch_size"):
        minimize_lsq_batch(_res, x0, (a, s), batch_size=0)


def test_lm_residual_squares_to_the_energy_error_and_refuses_non_psd_costs():
    ham = tables.hamiltonian_at("h2", 0.75)
    e0 = float(np.linalg.eigvalsh(ham)[0])
    ctl = LabControls(LabSpinChain.long2024(2), 2)
    x = ctl.random_x(4, 2)
    p = device_params(ctl.device)
    args = [np.asarray(p[k]) for k in ("zeeman", "iq_max", "j_min", "j_max", "f_lo", "f_hi")]
    a = psd_sqrt(np.stack([ham, ham]), [e0, e0 - 0.5])
    assert np.allclose(a[1] @ a[1], ham - (e0 - 0.5) * np.eye(4), atol=1e-12)
    with jax.enable_x64(True):
        res = jax.jit(jax.vmap(_residual(kernel_shape(ctl, 150, False)),
                               in_axes=(0, *[None] * 9)))
        r = np.asarray(res(x, *args, 1.5, np.eye(4)[1].astype(complex), a[0]))
    direct = batch_errors(ctl, x, 1.5, np.eye(4)[1], ham, e0, substeps=150)
    assert np.allclose(np.sum(r**2, axis=1), direct, rtol=1e-10, atol=1e-14)
    with pytest.raises(ValueError, match="lowest eigenvalue"):
        optimize_batch(ctl, x, 1.5, np.eye(4)[1], ham, e0 + 0.1, substeps=2, maxiter=5,
                       method="lm")
    with pytest.raises(ValueError, match="method"):
        optimize_batch(ctl, x, 1.5, np.eye(4)[1], ham, e0, method="newton")


@pytest.mark.slow  # ~20 s: one compilation of the LM kernel of a 2-qubit pulse problem
def test_lm_lowers_a_pulse_energy_error_and_reports_it_exactly():
    ham = tables.hamiltonian_at("h2", 0.75)
    e0 = float(np.linalg.eigvalsh(ham)[0])
    ctl = LabControls(LabSpinChain.long2024(2), 2)
    x0 = ctl.random_x(4, 2)
    # the default steps keep the integrator unitary to rounding, so ||A psi||^2 = E - E0
    res = optimize_batch(ctl, x0, 1.5, np.eye(4)[1], ham, e0, maxiter=10, chunk=5,
                         method="lm")
    direct = batch_errors(ctl, res.x, 1.5, np.eye(4)[1], ham, e0)
    assert np.allclose(res.errors, direct, rtol=1e-9, atol=1e-13)
    assert np.all(res.errors < batch_errors(ctl, x0, 1.5, np.eye(4)[1], ham, e0))
