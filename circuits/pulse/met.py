"""Minimal evolution time (MET): the shortest ``T`` at which optimised pulses reach a fidelity.

For a device, a start state and a target, :func:`minimal_evolution_time` searches the total
time ``T`` (ns):

1. **bracketing**: from ``t_start``, double ``T`` until GRAPE reaches ``threshold``
   (or halve it until it no longer does), which gives ``lo < MET <= hi``;
2. **bisection** of ``[lo, hi]`` until ``hi - lo <= rel_tol * hi``.

At each ``T`` GRAPE (:func:`circuits.pulse.optimize_state_transfer`) runs from ``restarts``
seeded random starts plus a warm start (the raw parameters of the best solution found so
far at a longer time: the slice count is fixed, so the same raw parameters describe a
time-compressed version of that pulse).  ``T`` is declared reachable once one start reaches
the threshold.  The returned MET is the shortest reachable ``T`` found (an upper bound on
the true MET of this slicing, within ``rel_tol``), with its pulses.

The slice count ``n_slices`` is fixed over the search, so every GRAPE call has the same
shapes and reuses one compiled kernel (see :mod:`circuits.pulse.grape`).

Fidelity threshold: Long et al. (2024) define the MET by a fidelity threshold; their value
could not be checked offline (only the abstract was available), so the default here is
:data:`DEFAULT_THRESHOLD` ``= 0.999``, stated in every result.

Example
-------
A single qubit under a resonant drive of Rabi frequency ``<= Ω`` reaches ``|1>`` from
``|0>`` with fidelity ``F`` no sooner than ``arcsin(√F) / (π Ω)``:

>>> import math
>>> import numpy as np
>>> from circuits.pulse import SpinQubitDevice
>>> from circuits.pulse.met import METConfig, minimal_evolution_time
>>> dev = SpinQubitDevice((28.0,), max_drive=0.05, max_exchange=0.1)
>>> res = minimal_evolution_time(dev, [1, 0], [0, 1], METConfig(n_slices=8, rel_tol=0.005))
>>> exact = math.asin(math.sqrt(0.999)) / (math.pi * 0.05)
>>> bool(exact <= res.met <= 1.01 * exact)
True
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from mps._validate import check_int, check_real

from .controls import DRIVE_PARAMETRISATIONS, ControlGrid, PulseSchedule
from .device import SpinQubitDevice
from .grape import GrapeConfig, GrapeResult, check_state, optimize_state_transfer

__all__ = ["DEFAULT_THRESHOLD", "METConfig", "METPoint", "METResult", "minimal_evolution_time"]

DEFAULT_THRESHOLD = 0.999
"""Default fidelity threshold of the MET (the paper's value could not be verified offline)."""


@dataclass(frozen=True)
class METConfig:
    """Settings of :func:`minimal_evolution_time`.

    Parameters
    ----------
    threshold : float
        Fidelity that defines "reachable", in ``(0, 1)`` (default 0.999).
    n_slices : int
        Piecewise-constant slices (fixed for the whole search).
    t_start : float, optional
        First ``T`` tried (ns, > 0); default: ``1 / (4 max_drive)`` (a π/2 rotation).
    t_min, t_max : float
        The search stays in ``[t_min, t_max]`` ns; if ``t_max`` is not reachable a
        ``RuntimeError`` is raised.
    rel_tol : float
        Bisection stops when ``hi - lo <= rel_tol * hi``.
    restarts : int
        Random GRAPE starts per ``T`` (plus one warm start once a pulse is known).
    seed : int
        Seed of all random starts (each ``T`` gets its own stream from it).
    maxiter : int
        L-BFGS-B iterations per start.
    optimizer : {"lbfgs", "adam"}
    drive : {"disk", "box"}
        Drive parameterisation (:class:`circuits.pulse.ControlGrid`).
    init_scale, learning_rate, smoothness
        Passed to :class:`circuits.pulse.GrapeConfig`.
    max_steps : int
        Cap on GRAPE evaluations of ``T`` (bracketing and bisection together).
    """

    threshold: float = DEFAULT_THRESHOLD
    n_slices: int = 40
    t_start: float | None = None
    t_min: float = 1e-3
    t_max: float = 2000.0
    rel_tol: float = 0.01
    restarts: int = 4
    seed: int = 0
    maxiter: int = 500
    optimizer: str = "lbfgs"
    drive: str = "disk"
    init_scale: float = 1.0
    learning_rate: float = 0.05
    smoothness: float = 0.0
    max_steps: int = 60

    def __post_init__(self) -> None:
        f = check_real(self.threshold, "threshold", minimum=0.0, strict=True)
        if not f < 1.0:
            raise ValueError(f"threshold must be < 1, got {f}")
        check_int(self.n_slices, "n_slices", minimum=1)
        if self.t_start is not None:
            check_real(self.t_start, "t_start", minimum=0.0, strict=True)
        lo = check_real(self.t_min, "t_min", minimum=0.0, strict=True)
        hi = check_real(self.t_max, "t_max", minimum=0.0, strict=True)
        if not lo < hi:
            raise ValueError(f"t_min must be < t_max, got {lo} and {hi}")
        tol = check_real(self.rel_tol, "rel_tol", minimum=0.0, strict=True)
        if not tol < 1.0:
            raise ValueError(f"rel_tol must be < 1, got {tol}")
        check_int(self.restarts, "restarts", minimum=1)
        check_int(self.seed, "seed", minimum=0)
        check_int(self.maxiter, "maxiter", minimum=1)
        check_int(self.max_steps, "max_steps", minimum=2)
        if self.drive not in DRIVE_PARAMETRISATIONS:
            raise ValueError(f"drive must be one of {DRIVE_PARAMETRISATIONS}, got {self.drive!r}")
        # optimizer, init_scale, learning_rate, smoothness: checked by GrapeConfig
        self.grape_config()

    def grape_config(self, seed: int | None = None) -> GrapeConfig:
        """The :class:`GrapeConfig` used at each ``T`` (stops at ``threshold``)."""
        return GrapeConfig(
            optimizer=self.optimizer, maxiter=self.maxiter, restarts=self.restarts,
            seed=self.seed if seed is None else seed, init_scale=self.init_scale,
            learning_rate=self.learning_rate, target_fidelity=self.threshold,
            smoothness=self.smoothness,
        )


@dataclass(frozen=True)
class METPoint:
    """One GRAPE evaluation of the search: duration ``T`` (ns), best fidelity, reached?"""

    duration: float
    fidelity: float
    reached: bool
    n_iter: int
    seconds: float


@dataclass(frozen=True)
class METResult:
    """Outcome of :func:`minimal_evolution_time`.

    Attributes
    ----------
    met : float
        Shortest duration (ns) found to reach ``config.threshold``.
    lower_bound : float
        Longest duration (ns) found not to reach it (0 if none was tried).
    fidelity : float
        Fidelity of the returned pulses at ``met``.
    schedule : PulseSchedule
        Physical controls (GHz) at ``met``.
    raw : numpy.ndarray
        Their raw parameters (``ControlGrid(device, met, n_slices, drive)``).
    history : tuple of METPoint
        Every evaluated ``T`` in search order (``fidelity_vs_time`` sorts them).
    device : SpinQubitDevice
    psi0, target : numpy.ndarray
    config : METConfig
    wall_time : float
        Seconds for the whole search (including JIT compilation).
    """

    met: float
    lower_bound: float
    fidelity: float
    schedule: PulseSchedule
    raw: np.ndarray
    history: tuple[METPoint, ...]
    device: SpinQubitDevice
    psi0: np.ndarray = field(repr=False)
    target: np.ndarray = field(repr=False)
    config: METConfig
    wall_time: float

    @property
    def grid(self) -> ControlGrid:
        """The :class:`ControlGrid` of the returned pulses."""
        return ControlGrid(self.device, self.met, self.config.n_slices, self.config.drive)

    def fidelity_vs_time(self) -> tuple[np.ndarray, np.ndarray]:
        """``(T, F)`` of all evaluations, sorted by ``T`` (ns)."""
        pts = sorted(self.history, key=lambda p: p.duration)
        return (np.array([p.duration for p in pts]), np.array([p.fidelity for p in pts]))


def minimal_evolution_time(
    device: SpinQubitDevice,
    psi0: object,
    target: object,
    config: METConfig | None = None,
    *,
    progress: Callable[[METPoint, float, float], None] | None = None,
) -> METResult:
    """Bracket and bisect the total time ``T`` for the shortest pulse reaching a fidelity.

    Parameters
    ----------
    device : SpinQubitDevice
    psi0, target : array_like
        Normalised start and target states (``2^n`` amplitudes, little-endian, rotating
        frame).
    config : METConfig, optional
    progress : callable, optional
        Called as ``progress(point, lo, hi)`` after every evaluation (``hi = inf`` until
        a reachable ``T`` is known).

    Returns
    -------
    METResult

    Raises
    ------
    RuntimeError
        If no ``T <= config.t_max`` reaches the threshold within ``config.max_steps``.
    """
    if not isinstance(device, SpinQubitDevice):
        raise TypeError(f"device must be a SpinQubitDevice, got {type(device).__name__}")
    config = METConfig() if config is None else config
    if not isinstance(config, METConfig):
        raise TypeError(f"config must be a METConfig, got {type(config).__name__}")
    psi0 = check_state(psi0, device.dim, "psi0")
    target = check_state(target, device.dim, "target")
    start = time.perf_counter()
    seeds = np.random.SeedSequence(config.seed)
    history: list[METPoint] = []
    best: dict[str, object] = {}  # shortest reachable T: "t", "res"
    lo, hi = 0.0, float("inf")

    def evaluate(t: float) -> bool:
        nonlocal lo, hi
        grid = ControlGrid(device, t, config.n_slices, config.drive)
        seed = int(seeds.spawn(1)[0].generate_state(1)[0] % (2**31))
        gcfg = config.grape_config(seed)
        starts = grid.random_raw(seed, batch=config.restarts, scale=config.init_scale)
        if "res" in best:  # warm start first: the best pulse so far, time-compressed
            starts = np.concatenate([best["res"].raw[None], starts])
        t0 = time.perf_counter()
        res: GrapeResult = optimize_state_transfer(grid, psi0, target, gcfg, raw0=starts)
        ok = res.fidelity >= config.threshold
        point = METPoint(t, res.fidelity, ok, res.n_iter, time.perf_counter() - t0)
        history.append(point)
        if ok:
            hi = min(hi, t)
            if t <= best.get("t", float("inf")):
                best.update(t=t, res=res)
        else:
            lo = max(lo, t)
        if progress is not None:
            progress(point, lo, hi)
        return ok

    t = config.t_start if config.t_start is not None else 0.25 / device.max_drive
    t = min(max(t, config.t_min), config.t_max)
    steps = 0
    # -- bracketing
    if evaluate(t):
        steps += 1
        while steps < config.max_steps and t / 2 >= config.t_min:
            t /= 2
            steps += 1
            if not evaluate(t):
                break
    else:
        steps += 1
        while steps < config.max_steps and t < config.t_max:
            t = min(2 * t, config.t_max)
            steps += 1
            if evaluate(t):
                break
    if "res" not in best:
        raise RuntimeError(
            f"no duration up to {t:.6g} ns reached fidelity {config.threshold} "
            f"(best {max(p.fidelity for p in history):.6g}); raise t_max, restarts or maxiter"
        )
    # -- bisection
    while steps < config.max_steps and hi - lo > config.rel_tol * hi:
        steps += 1
        evaluate(0.5 * (lo + hi))
    res = best["res"]
    return METResult(
        met=float(best["t"]), lower_bound=float(lo), fidelity=float(res.fidelity),
        schedule=res.schedule, raw=np.asarray(res.raw), history=tuple(history),
        device=device, psi0=psi0, target=target, config=config,
        wall_time=time.perf_counter() - start,
    )
