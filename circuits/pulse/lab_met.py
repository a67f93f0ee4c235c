"""Minimal evolution times of Long et al. (2024): energy / infidelity threshold, grid or bisection.

The paper's definitions (read from their published code):

* **criterion** ``"energy"``: the pulse minimises ``E(T) = <ψ_I(T)|H|ψ_I(T)>`` (``H`` the
  molecular qubit Hamiltonian, ``ψ_I`` the state in the frame of the drift, see
  :mod:`circuits.pulse.lab`); ``T`` is reachable when ``E - E0 <= tol`` (default
  ``1e-7`` Hartree, ``E0`` the lowest eigenvalue of ``H``);
* **criterion** ``"fidelity"``: the same with ``H = 1 - |target><target|`` (``E0 = 0``), i.e.
  infidelity ``<= tol`` (the Haar-transition experiment);
* **on a grid** (:func:`grid_met`): the errors are made non-increasing in ``T``
  (``numpy.minimum.accumulate``: what can be done in ``T`` can be done in ``T' > T``) and the
  MET is the first grid time whose error is ``<= tol``;
* **by bisection** (:func:`bisect_met`): the continuous MET, ``hi - lo <= rel_tol hi``.

Optimisation (:func:`optimize_batch`): the paper runs BFGS on controls clipped to
``[-1, 1]`` with exact gradients; here ``method="lbfgs"`` is a projected L-BFGS (or, with
``memory=0``, full BFGS) with a parallel line search (:mod:`circuits.pulse.batch_lbfgs`) on
the same parameterisation and exact JAX gradients, and ``method="lm"`` a Levenberg-Marquardt
on the residual ``(H - E0)^{1/2} ψ`` whose square is the same cost
(:mod:`circuits.pulse.batch_lm`).  Both are ``jax.vmap``-ed over a batch of problems (bond
distances, restarts, durations ``T``), so that one compiled call optimises them all at once
on a GPU.  Each problem stops at ``maxiter``, when no step finds a decrease, or once its
error is ``<= stop_error`` (set it to ``tol`` to decide reachability without polishing
further).

Example
-------
>>> import numpy as np
>>> grid_met([0.0, 1.0, 2.0, 3.0], [1.0, 1e-3, 2e-8, 5e-7], tol=1e-7).met  # 5e-7 -> 2e-8
2.0
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from mps._validate import check_int, check_real

from .batch_lbfgs import minimize_batch
from .batch_lm import minimize_lsq_batch
from .lab import LabControls, _evolve_core, _Shape, device_params, kernel_shape, substeps_for

__all__ = [
    "CRITERIA",
    "BisectionMET",
    "GridMET",
    "bisect_met",
    "check_grid",
    "check_tol",
    "fidelity_cost",
    "grid_met",
    "optimize_batch",
    "psd_sqrt",
]

CRITERIA = ("energy", "fidelity")
DEFAULT_TOL = 1e-7


def check_tol(tol: object) -> float:
    """``tol`` as a float > 0 (else ValueError/TypeError naming it)."""
    return check_real(tol, "tol", minimum=0.0, strict=True)


def check_grid(times: object) -> np.ndarray:
    """A 1-D strictly increasing array of finite durations >= 0 (ns)."""
    try:
        t = np.asarray(times, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError("grid must be a sequence of durations in ns") from exc
    if t.ndim != 1 or t.size < 1:
        raise ValueError(f"grid must be a non-empty 1-D sequence of durations, got shape {t.shape}")
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        raise ValueError("grid durations must be finite and >= 0 ns")
    if np.any(np.diff(t) <= 0):
        k = int(np.argmax(np.diff(t) <= 0))
        raise ValueError(f"grid must be strictly increasing, but grid[{k + 1}] = {t[k + 1]} "
                         f"<= grid[{k}] = {t[k]}")
    return t


class GridMET(NamedTuple):
    """MET on a grid: ``met`` (ns, ``None`` if never reached), its ``index``, and the
    monotone errors ``numpy.minimum.accumulate(errors)``."""

    met: float | None
    index: int | None
    monotone_errors: np.ndarray


def grid_met(times: object, errors: object, tol: float = DEFAULT_TOL) -> GridMET:
    """The paper's MET on a grid: first ``T`` whose accumulated-minimum error is ``<= tol``.

    Parameters
    ----------
    times : array_like
        Strictly increasing durations (ns).
    errors : array_like
        ``E - E0`` (or infidelity) at each time, same length (NaN = not evaluated).
    tol : float
        Threshold (> 0).

    Example
    -------
    >>> r = grid_met([1, 2, 3], [0.5, 0.01, 0.2], tol=0.1)
    >>> r.met, r.index, r.monotone_errors.tolist()
    (2.0, 1, [0.5, 0.01, 0.01])
    """
    t = check_grid(times)
    tol = check_tol(tol)
    e = np.asarray(errors, dtype=float)
    if e.shape != t.shape:
        raise ValueError(f"errors must have the grid's shape {t.shape}, got {e.shape}")
    mono = np.fmin.accumulate(np.where(np.isnan(e), np.inf, e))
    hit = np.flatnonzero(mono <= tol)
    if hit.size == 0:
        return GridMET(None, None, mono)
    return GridMET(float(t[hit[0]]), int(hit[0]), mono)


class BisectionMET(NamedTuple):
    """Continuous MET: shortest reachable ``met`` found, longest unreachable ``lower``,
    and every evaluation ``(T, error)`` in order."""

    met: float
    lower: float
    history: tuple


def bisect_met(
    error_at: Callable[[float], float], t_lo: float, t_hi: float, *,
    tol: float = DEFAULT_TOL, rel_tol: float = 1e-3, max_steps: int = 60,
) -> BisectionMET:
    """Bisect ``[t_lo, t_hi]`` for the shortest ``T`` with ``error_at(T) <= tol``.

    ``t_hi`` must be reachable (checked first; ``RuntimeError`` otherwise); ``t_lo`` is
    taken as unreachable (pass 0 or a known lower bound).

    Example
    -------
    >>> r = bisect_met(lambda t: max(0.0, 2.0 - t), 0.0, 4.0, tol=1e-12, rel_tol=1e-6)
    >>> abs(r.met - 2.0) < 1e-5
    True
    """
    tol = check_tol(tol)
    lo = check_real(t_lo, "t_lo", minimum=0.0)
    hi = check_real(t_hi, "t_hi", minimum=0.0, strict=True)
    if not lo < hi:
        raise ValueError(f"t_lo must be < t_hi, got {lo} and {hi}")
    rel = check_real(rel_tol, "rel_tol", minimum=0.0, strict=True)
    check_int(max_steps, "max_steps", minimum=1)
    hist = [(hi, float(error_at(hi)))]
    if not hist[0][1] <= tol:
        raise RuntimeError(f"t_hi = {hi} ns is not reachable (error {hist[0][1]:.3g} > {tol})")
    while len(hist) < max_steps and hi - lo > rel * hi:
        mid = 0.5 * (lo + hi)
        e = float(error_at(mid))
        hist.append((mid, e))
        if e <= tol:
            hi = mid
        else:
            lo = mid
    return BisectionMET(hi, lo, tuple(hist))


def fidelity_cost(target: object) -> np.ndarray:
    """``1 - |target><target|``: its expectation is the infidelity (the paper's Haar cost)."""
    t = np.asarray(target, dtype=complex)
    return np.eye(t.size) - np.outer(t, t.conj())


# ------------------------------------------------------------------ batched L-BFGS
_PKEYS = ("zeeman", "iq_max", "j_min", "j_max", "f_lo", "f_hi")


@functools.lru_cache(maxsize=16)
def _objective(shape: _Shape):
    """``E - E0`` of one problem; device values are arguments (one compilation per shape)."""
    def error(x, zeeman, iq_max, j_min, j_max, f_lo, f_hi, t, psi0, ham, e0):
        p = dict(zip(_PKEYS, (zeeman, iq_max, j_min, j_max, f_lo, f_hi), strict=True))
        psi = _evolve_core(shape, p, x, t, psi0)
        return jnp.real(jnp.vdot(psi, ham @ psi)) - e0

    return error


@functools.lru_cache(maxsize=16)
def _residual(shape: _Shape):
    """``[Re, Im](A ψ)`` with ``A = (H - E0)^{1/2}`` an argument: ``||r||^2 = E - E0``."""
    def res(x, zeeman, iq_max, j_min, j_max, f_lo, f_hi, t, psi0, sqrt_cost):
        p = dict(zip(_PKEYS, (zeeman, iq_max, j_min, j_max, f_lo, f_hi), strict=True))
        v = sqrt_cost @ _evolve_core(shape, p, x, t, psi0)
        return jnp.concatenate([jnp.real(v), jnp.imag(v)])

    return res


def psd_sqrt(hams: object, e0: object) -> np.ndarray:
    """``(H_b - E0_b)^{1/2}`` of a batch ``(B, d, d)``; ``ValueError`` unless ``H_b >= E0_b``.

    Example
    -------
    >>> a = psd_sqrt(np.diag([1.0, 5.0])[None], [1.0])
    >>> np.allclose(a[0] @ a[0], np.diag([0.0, 4.0]))
    True
    """
    h = np.asarray(hams, dtype=complex)
    e0 = np.asarray(e0, dtype=float).reshape(-1)
    lam, v = np.linalg.eigh(h)
    gap = lam - e0[:, None]
    if np.any(gap < -1e-9 * np.maximum(1.0, np.abs(lam).max(axis=1, keepdims=True))):
        raise ValueError("method='lm' needs e0 <= the lowest eigenvalue of every cost "
                         f"(found {float(gap.min()):.3g} below)")
    return np.einsum("bij,bj,bkj->bik", v, np.sqrt(np.maximum(gap, 0.0)), v.conj())


@functools.lru_cache(maxsize=16)
def _errors_jit(shape: _Shape):
    return jax.jit(jax.vmap(_objective(shape)))


def _batched_params(controls: LabControls, b: int) -> tuple:
    p = device_params(controls.device)
    return tuple(np.broadcast_to(np.asarray(p[k], dtype=float), (b, *np.shape(p[k])))
                 for k in _PKEYS)


class BatchResult(NamedTuple):
    """Optimised controls ``x`` ``(B, P)``, final errors ``(B,)``, iterations ``(B,)``,
    seconds, and whether each problem stopped by a criterion (``stopped``)."""

    x: np.ndarray
    errors: np.ndarray
    iterations: np.ndarray
    seconds: float
    stopped: np.ndarray | None = None


def _batch_inputs(controls, x, durations, psi0, hams, e0):
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[1] != controls.n_params or not np.all(np.isfinite(x)):
        raise ValueError(f"x0 must be finite with shape (B, {controls.n_params}), got {x.shape}")
    b, d = x.shape[0], controls.device.dim
    t = np.broadcast_to(np.asarray(durations, dtype=float), (b,)).copy()
    if not np.all(np.isfinite(t)) or np.any(t <= 0):
        raise ValueError("durations must be finite and > 0 ns")
    psi = np.broadcast_to(np.asarray(psi0, dtype=complex), (b, d)).copy()
    if np.any(np.abs(np.linalg.norm(psi, axis=1) - 1) > 1e-8):
        raise ValueError(f"psi0 must be normalised vectors of {d} amplitudes")
    h = np.broadcast_to(np.asarray(hams, dtype=complex), (b, d, d)).copy()
    if not np.allclose(h, np.conj(np.swapaxes(h, 1, 2)), atol=1e-12):
        raise ValueError(f"hams must be Hermitian {d} x {d} matrices")
    e0 = np.broadcast_to(np.asarray(e0, dtype=float), (b,)).copy()
    return x, t, psi, h, e0


def optimize_batch(
    controls: LabControls, x0: object, durations: object, psi0: object, hams: object,
    e0: object, *, substeps: int | None = None, maxiter: int = 500, stop_error: float = 0.0,
    gtol: float = 1e-8, memory: int = 10, alphas: tuple | None = None, chunk: int = 10,
    deadline: float | None = None, progress=None, parallel_slices: bool = False,
    method: str = "lbfgs", lm_batch_size: int | None = None, compact: int = 0,
) -> BatchResult:
    """Minimise ``<ψ_I(T_b)|H_b|ψ_I(T_b)> - E0_b`` for a batch of problems at once.

    ``method="lbfgs"``: projected L-BFGS (``memory=0``: full BFGS) with a parallel line
    search (:mod:`circuits.pulse.batch_lbfgs`); ``method="lm"``: Levenberg-Marquardt on the
    residual ``(H - E0)^{1/2} ψ`` (:mod:`circuits.pulse.batch_lm`; the cost is the same
    number, a sum of squares that vanishes at a solution).  Both are ``jax.vmap``-ed over
    the batch; one compilation per ``(qubits, slices, substeps, batch size)``: durations,
    device values, starts and costs are traced arguments.

    Parameters
    ----------
    controls : LabControls
    x0 : array_like
        Starts, ``(B, controls.n_params)``.
    durations : array_like
        ``T_b`` (ns, > 0), shape ``(B,)`` (or a scalar for all).
    psi0 : array_like
        Start states ``(B, d)`` (or one ``(d,)`` for all).
    hams, e0 : array_like
        Hermitian costs ``(B, d, d)`` (or ``(d, d)``) and their offsets ``(B,)`` (or scalar).
    substeps : int, optional
        Integration steps per slice; default :func:`circuits.pulse.lab.substeps_for` of the
        longest duration.
    maxiter, stop_error, gtol, memory
        Iterations, early-stop error, gradient tolerance and L-BFGS history size (``0``:
        full BFGS, the dense inverse Hessian of the paper's optimiser).
    alphas, chunk, deadline, progress
        See :func:`circuits.pulse.batch_lbfgs.minimize_batch`.
    parallel_slices : bool
        All slice propagators at once (:func:`circuits.pulse.lab.kernel_shape`).
    method : {"lbfgs", "lm"}
        The optimiser (``memory``, ``gtol`` and ``alphas`` apply to ``"lbfgs"`` only).
    lm_batch_size : int, optional
        ``"lm"`` only: problems vectorised together (the ``batch_size`` of
        :func:`circuits.pulse.batch_lm.minimize_lsq_batch`; its Jacobians need memory in
        proportion to it).
    compact : int, optional
        ``k > 0``: once half the batch has stopped, continue the open problems in a smaller
        compiled batch (a power of two, at least ``k``; one compilation per size): the
        same results, at the cost of the open problems only (:func:`circuits.pulse.
        batch_lbfgs.run_chunks`).  Pays on a GPU when stopping times differ widely.
    """
    x0, t, psi, h, e0 = _batch_inputs(controls, x0, durations, psi0, hams, e0)
    s = substeps_for(controls, float(t.max())) if substeps is None else check_int(
        substeps, "substeps", minimum=1)
    maxiter = check_int(maxiter, "maxiter", minimum=1)
    stop = check_real(stop_error, "stop_error")
    gtol = check_real(gtol, "gtol", minimum=0.0)
    memory = check_int(memory, "memory", minimum=0)
    if method not in ("lbfgs", "lm"):
        raise ValueError(f"method must be 'lbfgs' or 'lm', got {method!r}")
    if method == "lm":
        r = minimize_lsq_batch(
            _residual(kernel_shape(controls, s, parallel_slices)), x0,
            (*_batched_params(controls, x0.shape[0]), t, psi, psd_sqrt(h, e0)),
            maxiter=maxiter, stop=stop, chunk=chunk, deadline=deadline, progress=progress,
            batch_size=lm_batch_size, compact=compact)
        return BatchResult(np.clip(r.x, -1, 1), r.values, r.iterations, r.seconds, r.stopped)
    with jax.enable_x64(True):
        r = minimize_batch(_objective(kernel_shape(controls, s, parallel_slices)), x0,
                           (*_batched_params(controls, x0.shape[0]), t, psi, h, e0),
                           maxiter=maxiter, stop=stop, gtol=gtol, memory=memory,
                           alphas=alphas, chunk=chunk, deadline=deadline, progress=progress,
                           compact=compact)
    return BatchResult(np.clip(r.x, -1, 1), r.values, r.iterations, r.seconds, r.stopped)


def batch_errors(controls: LabControls, x, durations, psi0, hams, e0,
                 substeps: int | None = None, parallel_slices: bool = False) -> np.ndarray:
    """``E - E0`` of a batch of controls without optimising (same shapes as
    :func:`optimize_batch`)."""
    x, t, psi, h, e0 = _batch_inputs(controls, x, durations, psi0, hams, e0)
    s = substeps_for(controls, float(t.max())) if substeps is None else substeps
    with jax.enable_x64(True):
        return np.asarray(_errors_jit(kernel_shape(controls, s, parallel_slices))(
            jnp.asarray(x), *(jnp.asarray(v) for v in _batched_params(controls, x.shape[0])),
            jnp.asarray(t), jnp.asarray(psi), jnp.asarray(h), jnp.asarray(e0)))
