"""GRAPE for state transfer on a silicon spin-qubit line: exact slice propagators, JAX gradients.

For piecewise-constant controls the propagator is ``U(T) = U_N ... U_2 U_1`` with
``U_k = exp(-2πi dt H_k)`` (``H_k`` in GHz, ``dt`` in ns; the dense ``2^n × 2^n`` slice
Hamiltonian of :mod:`circuits.pulse.device`, whose flip-flop phases in the ``"qubit"`` frame
are taken at the slice midpoints).  Every exponential is exact to rounding: all slice
Hamiltonians are Hermitian, so :func:`expm_hermitian` diagonalises them at once (batched
``eigh``) and differentiates through the exact Fréchet derivative of the exponential
(Daleckii-Krein divided differences, written with ``sinc`` so that they stay exact for
degenerate or nearly degenerate eigenvalues), not through the eigenvectors.  Where the Hamiltonian
depends on time inside a slice (those phases, and the cross-tone phases of the paper's
global antenna, ``drive_model="global"``), the device's ``integrator``/``substeps`` apply:
each slice is a product of ``substeps`` midpoint exponentials, or of ``2 substeps``
fourth-order commutator-free Magnus (``"cf4"``) exponentials (device docstring).
The figure of merit is
the state-transfer fidelity ``F = |<target|U(T)|psi0>|²`` in the device's rotating frame at
time ``T``; the cost ``1 - F + smoothness · penalty`` (penalty of
:meth:`ControlGrid.smoothness_penalty`) is differentiated by JAX autodiff and jit-compiled.

Optimisers (:class:`GrapeConfig`):

* ``"lbfgs"``: scipy's L-BFGS-B on the jitted JAX value-and-gradient, restarts one after
  the other (stopping early once one reaches ``target_fidelity``);
* ``"adam"``: optax's Adam on all restarts at once (``jax.vmap`` over the batch).

Restarts start from seeded random raw parameters (:meth:`ControlGrid.random_raw`); bounds
hold by construction of the parameterisation.  All JAX work runs inside
``jax.enable_x64(True)`` (complex128).

Example
-------
>>> import numpy as np
>>> from circuits.pulse import ControlGrid, GrapeConfig, SpinQubitDevice, optimize_state_transfer
>>> dev = SpinQubitDevice.silicon_line(2, max_drive=0.02, max_exchange=0.1)
>>> grid = ControlGrid(dev, duration=30.0, n_slices=20)
>>> psi0 = np.array([0, 1, 0, 0], dtype=complex)          # |01>: qubit 0 in |1>
>>> target = np.array([0, 0, 1, 0], dtype=complex)        # |10>
>>> res = optimize_state_transfer(grid, psi0, target, GrapeConfig(restarts=2, seed=0))
>>> bool(res.fidelity > 0.999)
True
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
import scipy.optimize
from threadpoolctl import ThreadpoolController

from mps._validate import check_int, check_real

from .controls import ControlGrid, PulseSchedule
from .device import SpinQubitDevice

__all__ = [
    "OPTIMIZERS",
    "GrapeConfig",
    "GrapeResult",
    "check_state",
    "expm_hermitian",
    "final_state",
    "optimize_state_transfer",
    "propagator",
    "slice_hamiltonians",
    "state_fidelity",
    "value_and_grad",
]

OPTIMIZERS = ("lbfgs", "adam")
NORM_TOL = 1e-8


def check_state(psi: object, dim: int, name: str) -> np.ndarray:
    """Return ``psi`` as a normalised complex vector of length ``dim`` (else ValueError)."""
    try:
        arr = np.asarray(psi, dtype=complex)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a vector of complex amplitudes") from exc
    if arr.shape != (dim,):
        raise ValueError(f"{name} must have shape ({dim},) (2^n amplitudes), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    norm = float(np.linalg.norm(arr))
    if abs(norm - 1.0) > NORM_TOL:
        raise ValueError(f"{name} must be normalised (norm 1 ± {NORM_TOL}), got norm {norm:.12g}")
    return arr


# ------------------------------------------------------------------ traceable core
@jax.custom_vjp
def expm_hermitian(a: jax.Array) -> jax.Array:
    """``exp(-i a)`` of Hermitian matrices ``a`` (shape ``(..., d, d)``), exact to rounding.

    ``a = V diag(w) V†`` (``jnp.linalg.eigh``, batched over the leading axes), so
    ``exp(-i a) = V diag(e^{-i w}) V†``: no truncation, no scaling and squaring, accurate
    for any norm of ``a`` (about ``1e-15 (1 + ||a||)``).  The reverse-mode derivative is
    the exact Fréchet derivative of the exponential,
    ``L(E) = V [Φ ∘ (V† E V)] V†`` with ``Φ_jk = (e^{-i w_j} - e^{-i w_k}) / (w_j - w_k)
    = -i e^{-i (w_j + w_k)/2} sinc((w_j - w_k)/2)`` (``-i e^{-i w_j}`` on degenerate pairs),
    so degenerate spectra (e.g. zero controls) are handled, unlike differentiating ``eigh``.
    Only the Hermitian part of ``a`` is used.

    Example
    -------
    >>> import numpy as np, scipy.linalg, jax
    >>> a = np.array([[0.3, 0.2 - 0.1j], [0.2 + 0.1j, -0.7]])
    >>> with jax.enable_x64(True):
    ...     u = np.asarray(expm_hermitian(jax.numpy.asarray(a)))
    >>> bool(np.allclose(u, scipy.linalg.expm(-1j * a), atol=1e-14, rtol=0))
    True
    """
    return _expm_hermitian_fwd(a)[0]


def _expm_hermitian_fwd(a):
    w, v = jnp.linalg.eigh(a)
    u = (v * jnp.exp(-1j * w)[..., None, :]) @ jnp.conj(jnp.swapaxes(v, -1, -2))
    return u, (w, v)


def _expm_hermitian_bwd(res, ct):
    # JAX cotangents of a holomorphic map are the transpose (not the adjoint) of its
    # derivative: L^T(G) = conj(V) [(V^T G conj(V)) ∘ Φ] V^T (Φ is symmetric).
    w, v = res
    wj, wk = w[..., :, None], w[..., None, :]
    phi = -1j * jnp.exp(-0.5j * (wj + wk)) * jnp.sinc((wj - wk) / (2 * math.pi))
    vt = jnp.swapaxes(v, -1, -2)
    return (jnp.conj(v) @ (((vt @ ct) @ jnp.conj(v)) * phi) @ vt,)


expm_hermitian.defvjp(_expm_hermitian_fwd, _expm_hermitian_bwd)


def _operators(grid: ControlGrid) -> dict[str, jax.Array]:
    """Static device operators (JAX arrays); the T-dependent phases are :func:`_phases`."""
    ops = grid.device.operators()
    return {
        "drift": jnp.asarray(ops.drift), "x": jnp.asarray(ops.x), "y": jnp.asarray(ops.y),
        "zz": jnp.asarray(ops.zz), "ff": jnp.asarray(ops.flipflop),
    }


def _node_offsets(device: SpinQubitDevice) -> np.ndarray:
    """Times of the Hamiltonian evaluations inside a slice, in units of ``dt``."""
    m = device.substeps
    base = np.arange(m) / m
    if device.integrator == "midpoint":
        return base + 0.5 / m
    from .device import CF4_NODES

    return (base[:, None] + np.asarray(CF4_NODES)[None, :] / m).ravel()


def _phases(grid: ControlGrid, midpoints: bool = False) -> dict[str, np.ndarray]:
    """Time-dependent phases at the evaluation nodes ``t_{k,s}`` of every slice ``k``.

    ``"ex"``: flip-flop phases ``e^{2πi Δ_b t}``, shape ``(N, S, b)``; ``"dr"`` (global drive
    only): cross-tone phases ``e^{2πi (f_i - ω_j) t}``, shape ``(N, S, n, n)``.  ``S`` nodes
    per slice (:func:`_node_offsets`), or the slice midpoints only when ``midpoints``.
    """
    dev = grid.device
    ops = dev.operators()
    off = np.array([0.5]) if midpoints else _node_offsets(dev)
    t = (np.arange(grid.n_slices)[:, None] + off[None, :]) * grid.dt  # (N, S)
    out = {"ex": np.exp(2j * math.pi * t[..., None] * ops.detuning)}
    if ops.drive_detuning is not None:
        out["dr"] = np.exp(2j * math.pi * t[..., None, None] * ops.drive_detuning)
    return out


def _hamiltonians(grid: ControlGrid, ops: dict, raw: jax.Array, phase: dict) -> jax.Array:
    """Hamiltonians ``H_{k,s}`` (GHz) at the nodes of ``phase``, shape ``(N, S, d, d)``; only
    the device and parameterisation of ``grid`` are used (``dt`` enters through ``phase``)."""
    ox, oy, j = grid.physical(raw)
    ox, oy, j = ox[:, None, :], oy[:, None, :], j[:, None, :]  # broadcast over the nodes
    if "dr" in phase:  # global antenna: time-dependent per-qubit drive (device docstring)
        z = jnp.einsum("ksij,ksj->ksi", phase["dr"], (ox + 1j * oy).astype(complex))
        ox, oy = -0.5 * jnp.real(z), 0.5 * jnp.imag(z)
    h = ops["drift"] + 0.5 * (jnp.einsum("ksq,qab->ksab", ox, ops["x"])
                              + jnp.einsum("ksq,qab->ksab", oy, ops["y"]))
    jj = jnp.broadcast_to(j, phase["ex"].shape)
    ff = jnp.einsum("ksb,bxy->ksxy", jj * phase["ex"], ops["ff"])
    h = h + 0.25 * jnp.einsum("ksb,bxy->ksxy", jj.astype(complex), ops["zz"])
    return h + 0.5 * (ff + jnp.conj(jnp.swapaxes(ff, -1, -2)))


def _propagators(grid: ControlGrid, ops: dict, raw, dt, phase) -> jax.Array:
    """The exponentials of all sub-steps in time order, shape ``(N * E, d, d)``
    (``E = substeps`` for ``"midpoint"``, ``2 substeps`` for ``"cf4"``)."""
    dev = grid.device
    h = _hamiltonians(grid, ops, raw, phase)  # (N, S, d, d)
    step = dt / dev.substeps
    if dev.integrator == "cf4":
        from .device import CF4_WEIGHTS

        a1, a2 = CF4_WEIGHTS
        h1, h2 = h[:, 0::2], h[:, 1::2]
        first, second = a1 * h1 + a2 * h2, a2 * h1 + a1 * h2  # first is applied first
        h = jnp.stack([first, second], axis=2).reshape(h.shape)
    d = h.shape[-1]
    return expm_hermitian((2 * math.pi * step) * h.reshape(-1, d, d))


def _evolve(grid: ControlGrid, ops: dict, raw, dt, phase, psi0) -> jax.Array:
    us = _propagators(grid, ops, raw, dt, phase)

    def step(psi, u):
        return u @ psi, None

    psi, _ = jax.lax.scan(step, psi0, us)
    return psi


_TRACES = {"cost": 0}
"""How often the GRAPE cost has been traced (compiled); tests check that it is reused."""


class _Kernels(NamedTuple):
    """Jitted functions of one ``(device, n_slices, drive)``; ``dt``, phases, states,
    smoothness and learning rate are runtime arguments, so no shape-preserving change
    (duration ``T``, targets, restarts' values) recompiles anything."""

    vg: Callable  # (raw, dt, phase, psi0, tconj, smooth) -> ((cost, fid), grad)
    fid: Callable  # (raw, dt, phase, psi0, tconj) -> fid (one raw: no batch-size retrace)
    adam_step: Callable  # (x[B], state, dt, phase, psi0, tconj, smooth, lr) -> (x, state, fid)
    adam_init: Callable
    evolve: Callable  # (raw, dt, phase, psi0) -> psi


@functools.lru_cache(maxsize=64)
def _kernels(device: SpinQubitDevice, n_slices: int, drive: str) -> _Kernels:
    ref = ControlGrid(device, 1.0, n_slices, drive)  # duration unused: dt is an argument
    with jax.enable_x64(True):
        ops = _operators(ref)

    def cost(raw, dt, phase, psi0, tconj, smooth):
        _TRACES["cost"] += 1  # runs at trace time only
        psi = _evolve(ref, ops, raw, dt, phase, psi0)
        fid = jnp.abs(jnp.dot(tconj, psi)) ** 2
        return 1.0 - fid + smooth * ref.smoothness_penalty(raw), fid

    vg = jax.value_and_grad(cost, has_aux=True)
    bvg = jax.vmap(vg, in_axes=(0, None, None, None, None, None))
    adam = optax.scale_by_adam()

    def adam_step(x, st, dt, phase, psi0, tconj, smooth, lr):
        (_, fid), g = bvg(x, dt, phase, psi0, tconj, smooth)
        updates, st = adam.update(g, st, x)
        return x - lr * updates, st, fid

    def fid(raw, dt, phase, psi0, tconj):
        return cost(raw, dt, phase, psi0, tconj, 0.0)[1]

    return _Kernels(
        vg=jax.jit(vg), fid=jax.jit(fid), adam_step=jax.jit(adam_step),
        adam_init=adam.init,
        evolve=jax.jit(lambda raw, dt, phase, psi0: _evolve(ref, ops, raw, dt, phase, psi0)),
    )


# ------------------------------------------------------------------ NumPy API
def _jphases(grid: ControlGrid) -> dict[str, jax.Array]:
    return {k: jnp.asarray(v) for k, v in _phases(grid).items()}


def slice_hamiltonians(grid: ControlGrid, raw: object) -> np.ndarray:
    """The slice Hamiltonians ``H_k/h`` in GHz, shape ``(N, 2^n, 2^n)``.

    Example
    -------
    >>> import numpy as np
    >>> from circuits.pulse import ControlGrid, SpinQubitDevice
    >>> grid = ControlGrid(SpinQubitDevice.silicon_line(2), 10.0, 5)
    >>> h = slice_hamiltonians(grid, grid.random_raw(seed=0))
    >>> h.shape, bool(np.allclose(h, np.conj(np.swapaxes(h, 1, 2))))
    ((5, 4, 4), True)
    """
    raw = grid.check_raw(raw)
    with jax.enable_x64(True):
        ph = {k: jnp.asarray(v) for k, v in _phases(grid, midpoints=True).items()}
        return np.asarray(_hamiltonians(grid, _operators(grid), jnp.asarray(raw), ph))[:, 0]


def propagator(grid: ControlGrid, raw: object) -> np.ndarray:
    """The full ``U(T) = U_N ... U_1`` (rotating frame), shape ``(2^n, 2^n)``.

    Example
    -------
    >>> import numpy as np
    >>> from circuits.pulse import ControlGrid, SpinQubitDevice
    >>> grid = ControlGrid(SpinQubitDevice.silicon_line(2), 10.0, 5)
    >>> u = propagator(grid, grid.random_raw(seed=0))
    >>> bool(np.allclose(u.conj().T @ u, np.eye(4)))
    True
    """
    raw = grid.check_raw(raw)
    with jax.enable_x64(True):
        us = _propagators(grid, _operators(grid), jnp.asarray(raw), grid.dt,
                          _jphases(grid))
        u = jax.lax.fori_loop(0, us.shape[0], lambda k, acc: us[k] @ acc,
                              jnp.eye(grid.device.dim, dtype=complex))
        return np.asarray(u)


def final_state(grid: ControlGrid, raw: object, psi0: object) -> np.ndarray:
    """``U(T)|psi0>`` (rotating frame at ``T``)."""
    raw = grid.check_raw(raw)
    psi0 = check_state(psi0, grid.device.dim, "psi0")
    with jax.enable_x64(True):
        k = _kernels(grid.device, grid.n_slices, grid.drive)
        return np.asarray(k.evolve(jnp.asarray(raw), grid.dt, _jphases(grid),
                                   jnp.asarray(psi0)))


def state_fidelity(grid: ControlGrid, raw: object, psi0: object, target: object) -> float:
    """``F = |<target|U(T)|psi0>|²``."""
    target = check_state(target, grid.device.dim, "target")
    return float(abs(np.vdot(target, final_state(grid, raw, psi0))) ** 2)


def value_and_grad(
    grid: ControlGrid, psi0: object, target: object, smoothness: float = 0.0
):
    """A jitted ``raw -> (cost, grad)`` (NumPy in, float and NumPy out) for this problem.

    Example
    -------
    >>> import numpy as np
    >>> from circuits.pulse import ControlGrid, SpinQubitDevice
    >>> grid = ControlGrid(SpinQubitDevice.silicon_line(2), 10.0, 4)
    >>> vg = value_and_grad(grid, np.eye(4)[0], np.eye(4)[3])
    >>> v, g = vg(grid.random_raw(seed=0))
    >>> g.shape
    (4, 5)
    """
    psi0 = check_state(psi0, grid.device.dim, "psi0")
    target = check_state(target, grid.device.dim, "target")
    smoothness = check_real(smoothness, "smoothness", minimum=0.0)
    k = _kernels(grid.device, grid.n_slices, grid.drive)
    with jax.enable_x64(True):
        args = (grid.dt, _jphases(grid), jnp.asarray(psi0),
                jnp.asarray(np.conj(target)), smoothness)

    def fn(raw: object) -> tuple[float, np.ndarray]:
        raw = grid.check_raw(raw)
        with jax.enable_x64(True):
            (v, _), g = k.vg(jnp.asarray(raw), *args)
            return float(v), np.asarray(g, dtype=float)

    return fn


# ------------------------------------------------------------------ optimisation
@dataclass(frozen=True)
class GrapeConfig:
    """Settings of :func:`optimize_state_transfer`.

    Parameters
    ----------
    optimizer : {"lbfgs", "adam"}
    maxiter : int
        Iterations per restart (>= 1).
    restarts : int
        Number of seeded random starts (>= 1).
    seed : int
        Seed of the random starts.
    init_scale : float
        Standard deviation of the random raw parameters (>= 0).
    learning_rate : float
        Adam's step size (> 0; ignored by L-BFGS-B).
    target_fidelity : float, optional
        Stop once a restart reaches this fidelity (in ``(0, 1]``).
    smoothness : float
        Weight of the smoothness penalty in the cost (>= 0).
    ftol, gtol : float
        L-BFGS-B tolerances (scipy's meaning).
    """

    optimizer: str = "lbfgs"
    maxiter: int = 300
    restarts: int = 4
    seed: int = 0
    init_scale: float = 1.0
    learning_rate: float = 0.05
    target_fidelity: float | None = None
    smoothness: float = 0.0
    ftol: float = 1e-14
    gtol: float = 1e-10

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")
        check_int(self.maxiter, "maxiter", minimum=1)
        check_int(self.restarts, "restarts", minimum=1)
        check_int(self.seed, "seed", minimum=0)
        check_real(self.init_scale, "init_scale", minimum=0.0)
        check_real(self.learning_rate, "learning_rate", minimum=0.0, strict=True)
        if self.target_fidelity is not None:
            f = check_real(self.target_fidelity, "target_fidelity", minimum=0.0, strict=True)
            if f > 1.0:
                raise ValueError(f"target_fidelity must be <= 1, got {f}")
        check_real(self.smoothness, "smoothness", minimum=0.0)
        check_real(self.ftol, "ftol", minimum=0.0)
        check_real(self.gtol, "gtol", minimum=0.0)


@dataclass(frozen=True)
class GrapeResult:
    """Outcome of :func:`optimize_state_transfer`.

    Attributes
    ----------
    schedule : PulseSchedule
        Physical controls (GHz) of the best restart.
    raw : numpy.ndarray
        Its raw parameters.
    fidelity : float
        ``|<target|U(T)|psi0>|²`` of the best restart.
    history : numpy.ndarray
        Fidelity of the best restart after each iteration (``history[0]``: the start).
    fidelities : numpy.ndarray
        Final fidelity of every restart that ran.
    best_restart : int
    n_iter : int
        Iterations of the best restart.
    stop_reason : str
        ``"target_fidelity"``, ``"maxiter"`` or ``"converged"`` (L-BFGS-B's own tests).
    wall_time : float
        Seconds, including compilation.
    config : GrapeConfig
    """

    schedule: PulseSchedule
    raw: np.ndarray
    fidelity: float
    history: np.ndarray
    fidelities: np.ndarray
    best_restart: int
    n_iter: int
    stop_reason: str
    wall_time: float
    config: GrapeConfig


def optimize_state_transfer(
    grid: ControlGrid,
    psi0: object,
    target: object,
    config: GrapeConfig | None = None,
    *,
    raw0: object | None = None,
) -> GrapeResult:
    """Maximise ``|<target|U(T)|psi0>|²`` over bounded piecewise-constant controls (GRAPE).

    Parameters
    ----------
    grid : ControlGrid
        Device, duration ``T`` and slicing.
    psi0, target : array_like
        Normalised initial and target states (``2^n`` amplitudes, little-endian), both
        in the device's rotating frame.
    config : GrapeConfig, optional
    raw0 : array_like, optional
        Starting raw parameters, shape ``grid.raw_shape`` or ``(B, *grid.raw_shape)``
        (replaces the random restarts).

    Returns
    -------
    GrapeResult
    """
    if not isinstance(grid, ControlGrid):
        raise TypeError(f"grid must be a ControlGrid, got {type(grid).__name__}")
    config = GrapeConfig() if config is None else config
    if not isinstance(config, GrapeConfig):
        raise TypeError(f"config must be a GrapeConfig, got {type(config).__name__}")
    dim = grid.device.dim
    psi0 = check_state(psi0, dim, "psi0")
    target = check_state(target, dim, "target")
    if raw0 is None:
        starts = grid.random_raw(config.seed, batch=config.restarts, scale=config.init_scale)
    else:
        arr = np.asarray(raw0, dtype=float)
        starts = grid.check_raw(arr[None] if arr.ndim == 2 else arr, batched=True)

    start = time.perf_counter()
    k = _kernels(grid.device, grid.n_slices, grid.drive)
    with jax.enable_x64(True):
        args = (grid.dt, _jphases(grid), jnp.asarray(psi0),
                jnp.asarray(np.conj(target)))
        if config.optimizer == "adam":
            raws, hists, reason = _run_adam(k, args, starts, config)
        else:
            raws, hists, reason = _run_lbfgs(k, args, starts, config)
        fids = np.array([float(k.fid(jnp.asarray(r), *args)) for r in raws])
    best = int(np.argmax(fids))
    return GrapeResult(
        schedule=grid.schedule(raws[best]),
        raw=np.asarray(raws[best]),
        fidelity=float(fids[best]),
        history=np.asarray(hists[best]),
        fidelities=fids,
        best_restart=best,
        n_iter=len(hists[best]) - 1,
        stop_reason=reason[best] if isinstance(reason, list) else reason,
        wall_time=time.perf_counter() - start,
        config=config,
    )


def _reached(config: GrapeConfig, fid: float) -> bool:
    return config.target_fidelity is not None and fid >= config.target_fidelity


def _run_adam(k: _Kernels, args: tuple, starts: np.ndarray, config: GrapeConfig):
    """All restarts at once: vmapped value-and-grad, elementwise Adam on the batch."""
    x = jnp.asarray(starts)
    st = k.adam_init(x)
    hist = []
    reason = "maxiter"
    for _ in range(config.maxiter):
        x_new, st, fid = k.adam_step(x, st, *args, config.smoothness, config.learning_rate)
        hist.append(np.asarray(fid))
        if _reached(config, float(np.max(hist[-1]))):
            reason = "target_fidelity"
            break
        x = x_new
    else:
        hist.append(np.array([float(k.fid(r, *args)) for r in x]))
    hists = np.stack(hist, axis=1)  # (B, iterations + 1)
    return np.asarray(x), list(hists), reason


@functools.lru_cache(maxsize=1)
def _blas_controller() -> ThreadpoolController:
    """threadpoolctl's view of the loaded BLAS libraries (scanning them takes ~2 ms)."""
    return ThreadpoolController()


def _run_lbfgs(k: _Kernels, args: tuple, starts: np.ndarray, config: GrapeConfig):
    """Restarts one after the other with scipy's L-BFGS-B on the jitted value-and-grad."""
    shape = starts.shape[1:]
    full = (*args, config.smoothness)

    last: dict = {}  # the last evaluated point: L-BFGS-B's iterate is usually that one

    def fun(flat):
        # float64 NumPy in, one device_get of (cost, fid, grad) out: a single sync per call
        (v, fid), g = jax.device_get(k.vg(flat.reshape(shape), *full))
        last.update(x=flat.copy(), fid=float(fid))
        return float(v), np.asarray(g, dtype=float).ravel()

    def fidelity_at(x):
        if "x" in last and np.array_equal(x, last["x"]):
            return last["fid"]
        return float(k.vg(jnp.asarray(x.reshape(shape)), *full)[0][1])

    def make_callback(hist: list, state: dict):
        def cb(intermediate_result):  # scipy passes the iterate by this exact name
            hist.append(fidelity_at(intermediate_result.x))
            if _reached(config, hist[-1]):
                state["reason"] = "target_fidelity"
                raise StopIteration

        return cb

    raws, hists, reasons = [], [], []
    for x0 in starts:
        hist = [float(k.vg(jnp.asarray(x0), *full)[0][1])]
        state = {"reason": "converged"}
        cb = make_callback(hist, state)

        # L-BFGS-B's BLAS calls are tiny (a few hundred variables); letting OpenBLAS start
        # its thread pool next to XLA's CPU threads made each of its steps cost ~2 ms.
        with _blas_controller().limit(limits=1, user_api="blas"):
            res = scipy.optimize.minimize(
                fun, x0.ravel(), jac=True, method="L-BFGS-B", callback=cb,
                options={"maxiter": config.maxiter, "ftol": config.ftol, "gtol": config.gtol,
                         "maxcor": 30, "maxfun": 20 * config.maxiter + 100},
            )
        if state["reason"] != "target_fidelity" and res.nit >= config.maxiter:
            state["reason"] = "maxiter"
        raws.append(res.x.reshape(shape))
        hists.append(np.asarray(hist))
        reasons.append(state["reason"])
        if state["reason"] == "target_fidelity":
            break
    return np.stack(raws), hists, reasons
