"""The exact slice exponential of GRAPE (``grape.expm_hermitian``) against scipy.

References: ``scipy.linalg.expm`` (values) and ``scipy.linalg.expm_frechet`` (derivatives),
on random Hermitian matrices of the sizes and norms GRAPE meets, on degenerate spectra, and
on the sub-step exponentials of the global-drive CF4 path.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.linalg

from circuits.pulse import ControlGrid, SpinQubitDevice, value_and_grad
from circuits.pulse import grape as grape_mod
from circuits.pulse.device import CF4_WEIGHTS
from circuits.pulse.grape import expm_hermitian

TOL = 1e-12


def random_hermitian(rng, d: int, norm: float) -> np.ndarray:
    a = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    a = a + a.conj().T
    return norm * a / np.linalg.norm(a, 2)


def jexpm(a: np.ndarray) -> np.ndarray:
    with jax.enable_x64(True):
        return np.asarray(jax.jit(expm_hermitian)(jnp.asarray(a)))


DEGENERATE = [
    np.zeros((4, 4), dtype=complex),
    0.7 * np.eye(4, dtype=complex),
    np.diag([0.3, 0.3, -1.1, 2.0]).astype(complex),
    np.diag([0.3, 0.3 + 1e-9, -1.1, 2.0]).astype(complex),  # nearly degenerate
]


@pytest.mark.parametrize("d", [2, 4, 8, 16])
def test_expm_hermitian_matches_scipy_expm(d, rng):
    # ||a|| = ||2π dt H|| from tiny slices up to far beyond the benchmarks' ~1
    a = np.stack([random_hermitian(rng, d, s) for s in (1e-6, 0.05, 0.5, 1.0, 3.0, 10.0, 40.0)])
    u = jexpm(a)
    ref = np.stack([scipy.linalg.expm(-1j * x) for x in a])
    assert np.max(np.abs(u - ref)) < TOL
    eye = np.eye(d)
    assert np.max(np.abs(np.conj(np.swapaxes(u, 1, 2)) @ u - eye)) < TOL


def test_expm_hermitian_degenerate_spectra(rng):
    v = np.linalg.qr(rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4)))[0]
    cases = DEGENERATE + [v @ c @ v.conj().T for c in DEGENERATE]
    u = jexpm(np.stack(cases))
    ref = np.stack([scipy.linalg.expm(-1j * x) for x in cases])
    assert np.max(np.abs(u - ref)) < TOL


def frechet_reference(a: np.ndarray, ct: np.ndarray) -> np.ndarray:
    """JAX's cotangent of ``a`` for ``L = Re Σ conj(ct) ∘ exp(-i a)``, from expm_frechet:
    the real directional derivatives along ``E_pq`` and ``i E_pq``."""
    d = a.shape[0]
    out = np.zeros((d, d), dtype=complex)
    for p in range(d):
        for q in range(d):
            e = np.zeros((d, d), dtype=complex)
            e[p, q] = 1.0
            re = np.real(np.vdot(ct, scipy.linalg.expm_frechet(-1j * a, -1j * e)[1]))
            im = np.real(np.vdot(ct, scipy.linalg.expm_frechet(-1j * a, 1j * (-1j) * e)[1]))
            out[p, q] = re - 1j * im  # JAX: grad of a real loss wrt complex z is dL/dx - i dL/dy
    return out


@pytest.mark.parametrize("case", ["random", "large", *range(len(DEGENERATE))])
def test_expm_hermitian_gradient_matches_expm_frechet(case, rng):
    if case == "random":
        a = random_hermitian(rng, 4, 0.9)
    elif case == "large":
        a = random_hermitian(rng, 4, 25.0)
    else:
        a = DEGENERATE[case]
    ct = rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4))
    with jax.enable_x64(True):
        def loss(x):
            return jnp.real(jnp.vdot(jnp.asarray(ct), expm_hermitian(x)))

        g = np.asarray(jax.grad(loss)(jnp.asarray(a)))
    ref = frechet_reference(a, ct)
    # only Hermitian perturbations of a are meaningful: compare their projections
    herm = rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4))
    herm = herm + herm.conj().T
    assert abs(np.real(np.vdot(g, herm)) - np.real(np.vdot(ref, herm))) < TOL * max(
        1.0, np.abs(ref).max())
    assert np.all(np.isfinite(g))


@pytest.mark.parametrize(
    ("kwargs", "drive"),
    [({"frame": "common"}, "box"),
     ({"frame": "qubit", "drive_model": "global", "integrator": "cf4", "substeps": 3}, "box")],
)
def test_slice_propagators_match_scipy_expm(kwargs, drive):
    """All sub-step exponentials of a grid (incl. the global-drive CF4 path) vs scipy."""
    dev = SpinQubitDevice.silicon_line(2, max_drive=0.0566, max_exchange=1.0, **kwargs)
    grid = ControlGrid(dev, 9.0, 10, drive=drive)
    raw = grid.random_raw(seed=4)
    with jax.enable_x64(True):
        ops = grape_mod._operators(grid)
        ph = {k: jnp.asarray(v) for k, v in grape_mod._phases(grid).items()}
        us = np.asarray(grape_mod._propagators(grid, ops, jnp.asarray(raw), grid.dt, ph))
        h = np.asarray(grape_mod._hamiltonians(grid, ops, jnp.asarray(raw), ph))
    step = grid.dt / dev.substeps
    if dev.integrator == "cf4":
        a1, a2 = CF4_WEIGHTS
        h1, h2 = h[:, 0::2], h[:, 1::2]
        h = np.stack([a1 * h1 + a2 * h2, a2 * h1 + a1 * h2], axis=2).reshape(h.shape)
    h = h.reshape(-1, dev.dim, dev.dim)
    assert np.max(np.abs(h - np.conj(np.swapaxes(h, 1, 2)))) < 1e-15
    ref = np.stack([scipy.linalg.expm(-2j * math.pi * step * x) for x in h])
    assert us.shape == ref.shape
    assert np.max(np.abs(us - ref)) < TOL


def test_gradient_at_degenerate_zero_controls():
    """Zero controls: degenerate slice spectra; the gradient is finite and exact."""
    dev = SpinQubitDevice.silicon_line(2, max_drive=0.0566, max_exchange=1.0, frame="common",
                                       zeeman_step=0.0)
    grid = ControlGrid(dev, 9.0, 4, drive="box")
    psi0 = np.array([1, 0, 0, 0], dtype=complex)
    target = np.array([0, 1, 1, 0], dtype=complex) / math.sqrt(2)
    vg = value_and_grad(grid, psi0, target)
    raw = np.zeros(grid.raw_shape)
    raw[:, 4] = 0.3  # some exchange, still a degenerate triplet
    _, g = vg(raw)
    assert np.all(np.isfinite(g))
    eps = 1e-6
    for idx in np.ndindex(raw.shape):
        up, dn = raw.copy(), raw.copy()
        up[idx] += eps
        dn[idx] -= eps
        fd = (vg(up)[0] - vg(dn)[0]) / (2 * eps)
        assert abs(fd - g[idx]) < 1e-8, (idx, fd, g[idx])
