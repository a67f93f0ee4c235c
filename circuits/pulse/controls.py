"""Piecewise-constant controls with hard bounds built into the parameterisation.

A :class:`ControlGrid` splits ``[0, T]`` (ns) into ``N`` slices of duration ``dt = T/N``.
Each slice holds, for every qubit, the drive envelopes ``(Ωx_i, Ωy_i)`` and, for every
bond, the exchange ``J_b`` (all GHz; see :mod:`circuits.pulse.device`).

The optimiser works on unconstrained raw parameters ``u`` of shape ``(N, 2n + n - 1)``
(columns: ``n`` drive "amplitude" angles, ``n`` drive "phase" angles, ``n - 1`` exchange
angles) mapped smoothly onto the allowed set, so the bounds hold for every ``u`` and
nothing is clipped:

* ``drive="disk"`` (default): ``Ωx + iΩy = Ω_max sin(a) e^{iθ}``, so the Rabi frequency
  ``|Ω| = Ω_max |sin a| <= Ω_max``;
* ``drive="box"``: ``Ωx = Ω_max sin(a)``, ``Ωy = Ω_max sin(θ)`` (each quadrature bounded);
* exchange: ``J = J_min + (J_max - J_min) sin²(c) ∈ [J_min, J_max]`` (``J_min = 0`` by
  default).

The optional smoothness penalty is ``Σ_k Σ_c ((p_{k+1,c} - p_{k,c}) / bound_c)²`` over the
physical controls ``p`` (``Ωx``, ``Ωy`` normalised by ``Ω_max``, ``J`` by ``J_max``).

Example
-------
>>> import numpy as np
>>> from circuits.pulse import ControlGrid, SpinQubitDevice
>>> grid = ControlGrid(SpinQubitDevice.silicon_line(2, max_drive=0.01), duration=20.0, n_slices=10)
>>> grid.raw_shape, grid.dt
((10, 5), 2.0)
>>> sched = grid.schedule(grid.random_raw(seed=0))
>>> bool(np.all(np.hypot(sched.omega_x, sched.omega_y) <= 0.01))
True
>>> bool(np.all((sched.exchange >= 0) & (sched.exchange <= 0.1)))
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from mps._validate import check_int, check_real

from .device import SpinQubitDevice

ArrayLike = Any  # a NumPy or JAX array

__all__ = ["DRIVE_PARAMETRISATIONS", "ControlGrid", "PulseSchedule"]

DRIVE_PARAMETRISATIONS = ("disk", "box")


@dataclass(frozen=True)
class PulseSchedule:
    """Physical piecewise-constant controls (NumPy, GHz) on slices of ``dt`` ns.

    Attributes
    ----------
    omega_x, omega_y : numpy.ndarray
        Drive envelopes, shape ``(N, n)``.
    exchange : numpy.ndarray
        Exchange per bond, shape ``(N, n - 1)``.
    dt : float
        Slice duration (ns).
    """

    omega_x: np.ndarray
    omega_y: np.ndarray
    exchange: np.ndarray
    dt: float

    @property
    def n_slices(self) -> int:
        return int(self.omega_x.shape[0])

    @property
    def duration(self) -> float:
        return self.n_slices * self.dt

    def slice_edges(self) -> np.ndarray:
        """The ``N + 1`` slice boundaries ``k dt`` (ns)."""
        return np.arange(self.n_slices + 1) * self.dt

    def slice_midpoints(self) -> np.ndarray:
        """The slice midpoints ``(k + 1/2) dt`` (ns)."""
        return (np.arange(self.n_slices) + 0.5) * self.dt


@dataclass(frozen=True)
class ControlGrid:
    """``N`` slices of ``dt = T/N`` on a device, with the bounded parameterisation.

    Parameters
    ----------
    device : SpinQubitDevice
    duration : float
        Total evolution time ``T`` in ns (> 0).
    n_slices : int
        Number of piecewise-constant slices ``N`` (>= 1).
    drive : {"disk", "box"}
        How the drive bound is imposed (module docstring).
    """

    device: SpinQubitDevice
    duration: float
    n_slices: int
    drive: str = "disk"

    def __post_init__(self) -> None:
        if not isinstance(self.device, SpinQubitDevice):
            raise TypeError(
                f"device must be a SpinQubitDevice, got {type(self.device).__name__}"
            )
        t = check_real(self.duration, "duration", minimum=0.0, strict=True)
        object.__setattr__(self, "duration", t)
        object.__setattr__(self, "n_slices", check_int(self.n_slices, "n_slices", minimum=1))
        if self.drive not in DRIVE_PARAMETRISATIONS:
            raise ValueError(f"drive must be one of {DRIVE_PARAMETRISATIONS}, got {self.drive!r}")

    @property
    def dt(self) -> float:
        return self.duration / self.n_slices

    @property
    def raw_shape(self) -> tuple[int, int]:
        return (self.n_slices, self.device.n_controls)

    def slice_midpoints(self) -> np.ndarray:
        """The slice midpoints ``(k + 1/2) dt`` (ns)."""
        return (np.arange(self.n_slices) + 0.5) * self.dt

    def check_raw(self, raw: object, *, batched: bool = False) -> np.ndarray:
        """Return ``raw`` as a finite float array, shape ``raw_shape`` (or ``(B, *raw_shape)``)."""
        try:
            arr = np.asarray(raw, dtype=float)
        except (TypeError, ValueError) as exc:
            raise TypeError("raw controls must be an array of real numbers") from exc
        want = self.raw_shape
        if batched:
            if arr.ndim != 3 or arr.shape[1:] != want or arr.shape[0] < 1:
                raise ValueError(f"raw controls must have shape (B, {want[0]}, {want[1]}), "
                                 f"got {arr.shape}")
        elif arr.shape != want:
            raise ValueError(f"raw controls must have shape {want}, got {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise ValueError("raw controls must be finite")
        return arr

    # ------------------------------------------------------------ maps (pure, JAX-traceable)
    def physical(self, raw: ArrayLike) -> tuple[ArrayLike, ArrayLike, ArrayLike]:
        """Map raw parameters (``(..., N, C)``) to ``(Ωx, Ωy, J)`` in GHz.

        JAX arrays (and tracers) give JAX arrays, anything else is computed in NumPy
        float64; no validation, so that the map can be traced.
        """
        xp = jnp if isinstance(raw, jax.Array) else np
        raw = raw if xp is jnp else np.asarray(raw, dtype=float)
        n = self.device.n_qubits
        a, th, c = raw[..., :n], raw[..., n : 2 * n], raw[..., 2 * n :]
        om = self.device.max_drive
        if self.drive == "disk":
            amp = om * xp.sin(a)
            ox, oy = amp * xp.cos(th), amp * xp.sin(th)
        else:
            ox, oy = om * xp.sin(a), om * xp.sin(th)
        jmin = self.device.min_exchange
        j = jmin + (self.device.max_exchange - jmin) * xp.sin(c) ** 2
        return ox, oy, j

    def smoothness_penalty(self, raw: ArrayLike) -> ArrayLike:
        """``Σ_k Σ_c ((p_{k+1,c} - p_{k,c}) / bound_c)²`` of the physical controls.

        JAX in, JAX out (traceable); otherwise a NumPy float64 value.
        """
        xp = jnp if isinstance(raw, jax.Array) else np
        ox, oy, j = self.physical(raw)
        dev = self.device
        p = xp.concatenate([ox / dev.max_drive, oy / dev.max_drive, j / dev.max_exchange], -1)
        return xp.sum(xp.diff(p, axis=-2) ** 2, axis=(-2, -1))

    # ------------------------------------------------------------ NumPy helpers
    def schedule(self, raw: object) -> PulseSchedule:
        """The :class:`PulseSchedule` (physical controls) of raw parameters ``raw``."""
        ox, oy, j = self.physical(self.check_raw(raw))
        return PulseSchedule(ox, oy, j, self.dt)

    def to_raw(self, omega_x: object, omega_y: object, exchange: object) -> np.ndarray:
        """Raw parameters of given physical controls (inverse of :meth:`physical`).

        Shapes ``(N, n)``, ``(N, n)``, ``(N, n - 1)``; values must satisfy the bounds.

        Example
        -------
        >>> import numpy as np
        >>> from circuits.pulse import ControlGrid, SpinQubitDevice
        >>> grid = ControlGrid(SpinQubitDevice.silicon_line(2, max_drive=0.01), 10.0, 4)
        >>> s = grid.schedule(grid.random_raw(seed=3))
        >>> t = grid.schedule(grid.to_raw(s.omega_x, s.omega_y, s.exchange))
        >>> bool(np.allclose(t.omega_x, s.omega_x) and np.allclose(t.exchange, s.exchange))
        True
        """
        n, nb, N = self.device.n_qubits, len(self.device.bonds), self.n_slices
        ox, oy, j = (np.asarray(v, dtype=float) for v in (omega_x, omega_y, exchange))
        for name, arr, shape in (("omega_x", ox, (N, n)), ("omega_y", oy, (N, n)),
                                 ("exchange", j, (N, nb))):
            if arr.shape != shape:
                raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"{name} must be finite")
        om, jm = self.device.max_drive, self.device.max_exchange
        tol = 1e-12
        if self.drive == "disk":
            amp = np.hypot(ox, oy) / om
            if np.any(amp > 1 + tol):
                raise ValueError(f"drive amplitudes must satisfy sqrt(Ωx² + Ωy²) <= {om} GHz")
            a, th = np.arcsin(np.minimum(amp, 1.0)), np.arctan2(oy, ox)
        else:
            if np.any(np.abs(ox) > om * (1 + tol)) or np.any(np.abs(oy) > om * (1 + tol)):
                raise ValueError(f"drive quadratures must satisfy |Ωx|, |Ωy| <= {om} GHz")
            a, th = np.arcsin(np.clip(ox / om, -1, 1)), np.arcsin(np.clip(oy / om, -1, 1))
        jmin = self.device.min_exchange
        if np.any(j < jmin * (1 - tol)) or np.any(j > jm * (1 + tol)):
            raise ValueError(f"exchange must lie in [{jmin}, {jm}] GHz")
        c = np.arcsin(np.sqrt(np.clip((j - jmin) / (jm - jmin), 0.0, 1.0)))
        return np.concatenate([a, th, c], axis=1)

    def random_raw(
        self, seed: int | None = None, batch: int | None = None, scale: float = 1.0
    ) -> np.ndarray:
        """Seeded random raw parameters, ``N(0, scale²)`` entries.

        Shape ``raw_shape``, or ``(batch, *raw_shape)`` when ``batch`` is given (for restarts).
        """
        scale = check_real(scale, "scale", minimum=0.0)
        shape = self.raw_shape
        if batch is not None:
            shape = (check_int(batch, "batch", minimum=1), *shape)
        return np.random.default_rng(seed).normal(scale=scale, size=shape)
