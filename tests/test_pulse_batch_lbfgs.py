"""The batched projected L-BFGS of circuits.pulse.batch_lbfgs and the grid search's test points.

References: closed-form minimisers of box-constrained quadratics and scipy's L-BFGS-B on the
same Rosenbrock problem.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest
import scipy.optimize

from circuits.pulse import batch_lbfgs
from circuits.pulse.batch_lbfgs import minimize_batch
from circuits.pulse.protocol import _test_points


def _quad(x, a, w):
    return jnp.sum(w * (x - a) ** 2)


def test_box_constrained_quadratics_reach_the_projected_minimiser():
    rng = np.random.default_rng(0)
    a = rng.uniform(-2, 2, (5, 6))  # some minimisers outside [-1, 1]
    w = rng.uniform(0.5, 20.0, (5, 6))  # ill-conditioned
    res = minimize_batch(_quad, rng.uniform(-1, 1, (5, 6)), (a, w), maxiter=300)
    assert np.allclose(res.x, np.clip(a, -1, 1), atol=1e-6)
    assert np.all(np.abs(res.x) <= 1.0)
    assert np.all(res.stopped)


def test_full_bfgs_reaches_the_quadratic_minimiser_in_fewer_iterations():
    # memory=0 keeps the dense inverse Hessian: on an ill-conditioned quadratic inside the
    # box it converges to the minimiser, in no more iterations than a history of 2
    rng = np.random.default_rng(1)
    a = rng.uniform(-0.8, 0.8, (3, 8))
    w = np.geomspace(1.0, 300.0, 8)[None].repeat(3, 0)  # condition number 300
    full = minimize_batch(_quad, np.zeros((3, 8)), (a, w), maxiter=400, memory=0)
    lim = minimize_batch(_quad, np.zeros((3, 8)), (a, w), maxiter=400, memory=2)
    assert np.allclose(full.x, a, atol=1e-6) and np.all(full.stopped)
    assert np.allclose(lim.x, a, atol=1e-6)
    assert np.all(full.iterations <= lim.iterations)
    with pytest.raises(ValueError, match="memory"):
        minimize_batch(_quad, np.zeros((1, 8)), (a[:1], w[:1]), memory=-1)


@pytest.mark.parametrize("memory", [0, 5])
def test_compacted_batch_gives_every_problem_the_same_result(memory, monkeypatch):
    # problems that stop at very different iterations: compaction moves the open ones into
    # smaller compiled batches and must not change any problem's path
    rng = np.random.default_rng(3)
    a = rng.uniform(-0.8, 0.8, (12, 6))
    w = np.geomspace(1.0, 1.0, 6)[None] * np.geomspace(1.0, 3e3, 12)[:, None] ** (
        np.linspace(0, 1, 6)[None])
    x0 = rng.uniform(-1, 1, (12, 6))
    seen, sizes = [], []
    kw = dict(maxiter=600, memory=memory, chunk=5, stop=1e-20)
    ref = minimize_batch(_quad, x0, (a, w), **kw)
    bucket = batch_lbfgs._bucket
    monkeypatch.setattr(batch_lbfgs, "_bucket", lambda n, k: sizes.append(bucket(n, k))
                        or sizes[-1])
    cmp = minimize_batch(_quad, x0, (a, w), compact=2,
                         progress=lambda it, n, f: seen.append((n, f.shape)), **kw)
    assert len(set(ref.iterations.tolist())) > 3  # the stopping times differ
    assert np.allclose(cmp.x, ref.x, atol=1e-13, rtol=0)
    assert np.array_equal(cmp.iterations, ref.iterations)
    assert np.array_equal(cmp.stopped, ref.stopped) and np.all(cmp.stopped)
    assert np.allclose(cmp.values, ref.values, atol=1e-25, rtol=1e-9)
    assert all(shape == (12,) for _, shape in seen) and seen[-1][0] == 12
    assert len(sizes) >= 2 and sizes == sorted(sizes, reverse=True) and sizes[-1] >= 2
    with pytest.raises(ValueError, match="compact"):
        minimize_batch(_quad, x0, (a, w), compact=-1)


def _rosen(x, s):
    return jnp.sum(100.0 * (s * x[1:] - (s * x[:-1]) ** 2) ** 2 + (1 - s * x[:-1]) ** 2)


@pytest.mark.slow  # ~10 s on 2 loaded cores (two compilations)
def test_rosenbrock_matches_scipy_and_stop_value_stops_early():
    x0 = np.full((2, 4), -0.3)
    s = np.array([1.25, 1.25])  # minimum at x = 1/1.25 = 0.8, inside the box
    res = minimize_batch(_rosen, x0, (s,), maxiter=2000)
    ref = scipy.optimize.minimize(
        lambda v: scipy.optimize.rosen(1.25 * v), x0[0],
        jac=lambda v: 1.25 * scipy.optimize.rosen_der(1.25 * v), method="L-BFGS-B",
        bounds=[(-1, 1)] * 4, options={"ftol": 1e-15, "gtol": 1e-12})
    assert np.allclose(res.x[0], ref.x, atol=1e-5) and np.allclose(res.x[0], 0.8, atol=1e-5)
    early = minimize_batch(_rosen, x0, (s,), maxiter=2000, stop=1e-2)
    assert np.all(early.values <= 1e-2) and np.all(early.iterations < res.iterations)


def test_grid_search_test_points():
    assert _test_points(0, 76, False, 3) == [25, 51, 76]  # first round includes the top
    assert _test_points(0, 76, False, 1) == [76]
    assert _test_points(25, 51, True, 3) == [31, 38, 45]  # interior only
    assert _test_points(10, 12, True, 3) == [11]
    assert _test_points(-1, 0, False, 2) == [0]
