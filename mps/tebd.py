"""Real-time evolution of MPS by TEBD (time-evolving block decimation).

Conventions: Pauli operators, ``hbar = 1``, ``|psi(t)> = exp(-i H t)|psi(0)>``
(see :mod:`mps.hamiltonian`); MPS index convention of :mod:`mps.state`.

Splitting
---------
``H = H_even + H_odd`` where ``H_even`` holds the bonds ``(0,1), (2,3), ...``
and ``H_odd`` the bonds ``(1,2), (3,4), ...``; single-site fields are shared
equally among the bonds touching a site (:meth:`SpinChain.bond_hamiltonian`).

* order 1: ``e^{-i dt H_odd} e^{-i dt H_even}`` (even applied first)
* order 2: ``S2(dt) = e^{-i dt/2 H_even} e^{-i dt H_odd} e^{-i dt/2 H_even}``
* order 4: Suzuki's fractal ``S2(p dt)^2 S2((1-4p) dt) S2(p dt)^2`` with
  ``p = 1 / (4 - 4**(1/3))``.

Adjacent half-layers of the same parity are merged between steps unless
observables are recorded at that step, which halves the work of order 2.

Algorithm
---------
The state is kept as right-canonical tensors ``B_i`` with the Schmidt values
``S_i`` on every bond (Vidal/Hastings form, as in TeNPy).  A bond update forms
``C = U (B_i B_{i+1})``, takes the SVD of ``theta = S_i C`` (LAPACK ``gesdd``,
falling back to ``gesvd`` when it does not converge), truncates, and sets
``B_{i+1} = Z`` and ``B_i = C Z^dagger``, which needs no division by small
Schmidt values.  Gate exponentials are built once per bond from an
eigendecomposition of the 4x4 bond term and cached per time fraction.

Truncation: on each SVD the smallest singular values are dropped while their
summed squared weight (relative to the total) stays <= ``cutoff``, then at most
``max_bond`` are kept.  The returned ``truncation_error`` is the sum of the
discarded weights over all SVDs, a first-order estimate of ``1 - fidelity``.
After truncations the ``B`` are right-canonical only approximately, so the
state handed out (result and observable snapshots) is re-canonicalised and
normalised by one QR sweep.

Example
-------
>>> from mps import MPS, evolve, heisenberg
>>> res = evolve(heisenberg(8), MPS.neel(8), t=0.5, dt=0.05, order=2, max_bond=32)
>>> res.state.n, res.steps
(8, 10)
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import scipy.linalg as sla
from threadpoolctl import threadpool_limits

from ._validate import check_int, check_real
from ._versions import versions
from .hamiltonian import SpinChain
from .state import MPS

__all__ = [
    "BondGates",
    "EvolveResult",
    "StepInfo",
    "TEBDConfig",
    "apply_gates",
    "evolve",
    "trotter_layers",
]

SUZUKI_P = 1.0 / (4.0 - 4.0 ** (1.0 / 3.0))


@dataclass(frozen=True)
class TEBDConfig:
    """Parameters of a TEBD run (validated on construction).

    Parameters
    ----------
    dt : float
        Largest time step (> 0).  ``t`` is split into ``ceil(t/dt)`` equal steps.
    order : {1, 2, 4}
        Trotter-Suzuki order.
    max_bond : int or None
        Largest bond dimension kept (>= 1); None means unbounded.
    cutoff : float
        Largest discarded weight per SVD (>= 0).
    """

    dt: float
    order: int = 2
    max_bond: int | None = None
    cutoff: float = 1e-10

    def __post_init__(self) -> None:
        object.__setattr__(self, "dt", check_real(self.dt, "dt", minimum=0.0, strict=True))
        order = check_int(self.order, "order")
        if order not in (1, 2, 4):
            raise ValueError(f"order must be 1, 2 or 4, got {order}")
        object.__setattr__(self, "order", order)
        if self.max_bond is not None:
            object.__setattr__(self, "max_bond", check_int(self.max_bond, "max_bond", minimum=1))
        object.__setattr__(self, "cutoff", check_real(self.cutoff, "cutoff", minimum=0.0))


class StepInfo(NamedTuple):
    """Progress report passed to the ``callback`` of :func:`evolve` after each step."""

    step: int
    nsteps: int
    t: float
    max_bond: int
    truncation_error: float


@dataclass(frozen=True)
class EvolveResult:
    """Result of :func:`evolve`.

    Attributes
    ----------
    state : MPS
        The evolved, normalised state (right-canonical), with metadata.
    truncation_error : float
        Sum of discarded weights over all SVDs.
    times : numpy.ndarray
        Times at which observables were recorded.
    observables : dict of str to numpy.ndarray
        Recorded values, stacked along the first axis (one row per time).
    steps : int
        Number of Trotter steps taken.
    dt : float
        The step actually used (``t / steps``).
    wall_time : float
        Seconds spent in the evolution.
    """

    state: MPS
    truncation_error: float
    times: np.ndarray
    observables: dict[str, np.ndarray] = field(default_factory=dict)
    steps: int = 0
    dt: float = 0.0
    wall_time: float = 0.0


# ----------------------------------------------------------------- schedule
def _step_layers(order: int, dt: float) -> list[tuple[int, float]]:
    """The (parity, time) layers of one Trotter step, parity 0 = even bonds.

    Adjacent layers of equal parity (inside Suzuki's fourth-order product)
    are merged, so every step alternates even and odd layers.
    """
    if order == 1:
        return [(0, dt), (1, dt)]
    if order == 2:
        return [(0, dt / 2), (1, dt), (0, dt / 2)]
    p = SUZUKI_P
    out: list[tuple[int, float]] = []
    for w in (p, p, 1 - 4 * p, p, p):
        for parity, tau in _step_layers(2, w * dt):
            if out and out[-1][0] == parity:
                out[-1] = (parity, out[-1][1] + tau)
            else:
                out.append((parity, tau))
    return out


def trotter_layers(
    order: int, dt: float, nsteps: int, keep_boundaries: set[int] | None = None
) -> list[tuple[int, float, tuple[int, ...]]]:
    """The merged layer schedule of ``nsteps`` Trotter steps.

    Returns ``(parity, time, steps_done)`` triples: apply ``exp(-i time H_parity)``;
    ``steps_done`` lists the (1-based) steps completed once this layer is applied.
    Layers of equal parity that meet at a step boundary are merged, except at
    the steps listed in ``keep_boundaries`` (where the state must be exact).
    """
    keep = keep_boundaries or set()
    one = _step_layers(order, dt)
    out: list[list[Any]] = []
    for step in range(1, nsteps + 1):
        for k, (parity, tau) in enumerate(one):
            mergeable = k == 0 and out and out[-1][0] == parity and (step - 1) not in keep
            if mergeable:
                out[-1][1] += tau
            else:
                out.append([parity, tau, []])
        out[-1][2].append(step)
    return [(int(p), float(tau), tuple(done)) for p, tau, done in out]


# --------------------------------------------------------------- linear algebra
def svd(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Thin SVD by LAPACK ``gesdd``, falling back to the slower, more robust ``gesvd``.

    ``numpy.linalg.svd`` (gesdd) is used first because, unlike scipy's f2py
    wrappers, it releases the GIL, so bonds of one layer run in parallel threads.
    """
    try:
        return np.linalg.svd(theta, full_matrices=False)
    except np.linalg.LinAlgError:
        return sla.svd(
            theta, full_matrices=False, overwrite_a=False, check_finite=False, lapack_driver="gesvd"
        )


def truncation_rank(s: np.ndarray, max_bond: int | None, cutoff: float) -> tuple[int, float]:
    """How many singular values to keep, and the discarded relative weight.

    Keeps the fewest leading values whose discarded tail weight
    ``sum_{j >= k} s_j**2 / sum s**2`` is <= ``cutoff``, then at most
    ``max_bond``, and at least one.
    """
    w = s * s
    total = float(w.sum())
    tail = np.cumsum(w[::-1])[::-1]  # tail[k] = sum_{j >= k} w_j
    keep = int(np.count_nonzero(tail > cutoff * total))
    if max_bond is not None:
        keep = min(keep, max_bond)
    keep = max(keep, 1)
    discarded = float(tail[keep] / total) if keep < len(s) else 0.0
    return keep, discarded


class BondGates:
    """``exp(-i tau h_bond)`` for every bond, from one eigendecomposition per bond, cached.

    The 4x4 gates TEBD applies (site ``i`` the more significant index); the
    Trotter circuits of :mod:`aqc` and :mod:`circuits` use the same matrices.

    >>> from mps import BondGates, heisenberg
    >>> BondGates(heisenberg(3))(0, 0.1).shape
    (4, 4)
    """

    def __init__(self, chain: SpinChain) -> None:
        self._eig = [np.linalg.eigh(chain.bond_hamiltonian(i)) for i in range(chain.n - 1)]
        self._cache: dict[tuple[int, float], np.ndarray] = {}

    def __call__(self, bond: int, tau: float) -> np.ndarray:
        key = (bond, tau)
        gate = self._cache.get(key)
        if gate is None:
            e, v = self._eig[bond]
            gate = (v * np.exp(-1j * tau * e)) @ v.conj().T
            self._cache[key] = gate
        return gate


class _VidalState:
    """Right-canonical tensors ``B`` and Schmidt values ``S`` (``S[i]`` left of site i)."""

    def __init__(self, state: MPS) -> None:
        ts = [np.array(t) for t in state.tensors]
        n = len(ts)
        for i in range(n - 1):  # left-canonical sweep (QR)
            l_, d, r = ts[i].shape
            q, rr = np.linalg.qr(ts[i].reshape(l_ * d, r))
            ts[i] = q.reshape(l_, d, -1)
            ts[i + 1] = np.tensordot(rr, ts[i + 1], axes=(1, 0))
        nrm = np.linalg.norm(ts[-1])
        if nrm == 0.0 or not math.isfinite(nrm):
            raise ValueError("state must have a finite, nonzero norm")
        ts[-1] = ts[-1] / nrm
        self.S: list[np.ndarray] = [np.ones(1)] * (n + 1)
        for i in range(n - 1, 0, -1):  # right-to-left SVD sweep: Schmidt values
            l_, d, r = ts[i].shape
            u, s, vh = svd(ts[i].reshape(l_, d * r))
            keep = s > 1e-15 * s[0]  # drop exact zeros from redundant bonds
            u, s, vh = u[:, keep], s[keep], vh[keep]
            ts[i] = vh.reshape(-1, d, r)
            self.S[i] = s / np.linalg.norm(s)
            ts[i - 1] = np.tensordot(ts[i - 1], u * s, axes=(2, 0))
        ts[0] = ts[0] / np.linalg.norm(ts[0])
        self.B: list[np.ndarray] = ts

    def update_bond(
        self, i: int, gate: np.ndarray, max_bond: int | None, cutoff: float
    ) -> float:
        """Apply a 4x4 gate on sites (i, i+1); return the discarded weight."""
        bi, bj = self.B[i], self.B[i + 1]
        chi_l, _, chi_m = bi.shape
        chi_r = bj.shape[2]
        c = (bi.reshape(chi_l * 2, chi_m) @ bj.reshape(chi_m, 2 * chi_r)).reshape(chi_l, 4, chi_r)
        c = np.matmul(gate, c).reshape(chi_l * 2, 2 * chi_r)  # gate acts on (s_i, s_j)
        theta = self.S[i][:, None] * c.reshape(chi_l, 2 * 2 * chi_r)
        _, s, z = svd(theta.reshape(chi_l * 2, 2 * chi_r))
        keep, discarded = truncation_rank(s, max_bond, cutoff)
        s = s[:keep]
        z = z[:keep]
        self.S[i + 1] = s / np.linalg.norm(s)
        self.B[i + 1] = z.reshape(keep, 2, chi_r)
        self.B[i] = (c @ z.conj().T).reshape(chi_l, 2, keep)
        return discarded

    def apply_layer(
        self,
        bonds: list[int],
        gates: list[np.ndarray],
        max_bond: int | None,
        cutoff: float,
        pool: ThreadPoolExecutor | None,
    ) -> float:
        """Apply gates on independent bonds, split over the pool's threads."""
        if pool is None or len(bonds) < 2:
            return sum(
                self.update_bond(i, g, max_bond, cutoff) for i, g in zip(bonds, gates, strict=True)
            )
        workers = pool._max_workers

        def run(k: int) -> float:
            return sum(
                self.update_bond(i, g, max_bond, cutoff)
                for i, g in zip(bonds[k::workers], gates[k::workers], strict=True)
            )

        return sum(pool.map(run, range(workers)))

    def to_mps(self, metadata: Mapping[str, Any] | None = None) -> MPS:
        """The state as a normalised MPS in canonical form (centre 0).

        After a truncation the ``B`` are right-canonical only approximately
        (in directions of small Schmidt values), so one QR sweep restores the
        canonical form and the norm exactly.
        """
        return MPS._trusted(list(self.B), metadata, center=None).normalize()

    def max_bond(self) -> int:
        return max(len(s) for s in self.S)


# ------------------------------------------------------------------ evolve
Observable = Callable[[MPS], Any]


def evolve(
    chain: SpinChain,
    state: MPS,
    t: float,
    dt: float,
    order: int = 2,
    max_bond: int | None = None,
    cutoff: float = 1e-10,
    *,
    observables: Mapping[str, Observable] | None = None,
    record_every: int = 1,
    callback: Callable[[StepInfo], None] | None = None,
    threads: int | None = None,
) -> EvolveResult:
    """Evolve ``state`` under ``chain`` for time ``t`` by TEBD.

    Parameters
    ----------
    chain : SpinChain
        The Hamiltonian (Pauli convention, open boundaries).
    state : MPS
        Initial state, same ``n``; it is normalised first.
    t : float
        Total time (>= 0), ``hbar = 1``.
    dt : float
        Largest time step (> 0); ``ceil(t/dt)`` equal steps of ``t/steps`` are taken.
    order : {1, 2, 4}
        Trotter-Suzuki order.
    max_bond : int, optional
        Bond-dimension cap (>= 1).  None: limited by ``cutoff`` only.
    cutoff : float
        Discarded-weight threshold per SVD (>= 0).
    observables : mapping of str to callable, optional
        ``name -> f(MPS)``, evaluated at ``t = 0`` and after every
        ``record_every`` steps (and at the end).
    record_every : int
        Recording interval in steps (>= 1).
    callback : callable, optional
        Called with a :class:`StepInfo` after every step (progress bars).
    threads : int, optional
        Worker threads for the independent bonds of a layer (default: the
        number of CPUs, at most 8).  BLAS is limited to one thread inside
        ``evolve`` because threaded BLAS is slower on these small matrices.

    Returns
    -------
    EvolveResult
    """
    if not isinstance(chain, SpinChain):
        raise TypeError(f"chain must be a SpinChain, got {type(chain).__name__}")
    if not isinstance(state, MPS):
        raise TypeError(f"state must be an MPS, got {type(state).__name__}")
    if state.n != chain.n:
        raise ValueError(f"state has n={state.n} sites but chain has n={chain.n}")
    t = check_real(t, "t", minimum=0.0)
    config = TEBDConfig(dt=dt, order=order, max_bond=max_bond, cutoff=cutoff)
    record_every = check_int(record_every, "record_every", minimum=1)
    observables = dict(observables or {})
    for name, fn in observables.items():
        if not callable(fn):
            raise TypeError(f"observables[{name!r}] must be callable f(MPS)")
    if callback is not None and not callable(callback):
        raise TypeError("callback must be callable")
    if threads is None:
        threads = min(os.cpu_count() or 1, 8)
    threads = check_int(threads, "threads", minimum=1)

    start = time.perf_counter()
    nsteps = 0 if t == 0.0 else max(1, math.ceil(t / config.dt - 1e-9))
    dt_eff = t / nsteps if nsteps else 0.0
    record_steps = set(range(record_every, nsteps + 1, record_every)) | {nsteps}
    keep = record_steps if observables else set()
    layers = trotter_layers(config.order, dt_eff, nsteps, keep) if nsteps else []

    vidal = _VidalState(state)
    gates = BondGates(chain)
    n = chain.n
    trunc = 0.0
    times: list[float] = []
    recorded: dict[str, list[Any]] = {k: [] for k in observables}

    def record(time_now: float) -> None:
        if not observables:
            return
        snapshot = vidal.to_mps()
        times.append(time_now)
        for key, fn in observables.items():
            recorded[key].append(np.asarray(fn(snapshot)))

    record(0.0)
    pool = ThreadPoolExecutor(threads) if threads > 1 and n > 3 else None
    try:
        with threadpool_limits(limits=1, user_api="blas"):
            for parity, tau, steps_done in layers:
                bonds = list(range(parity, n - 1, 2))
                layer_gates = [gates(i, tau) for i in bonds]
                trunc += vidal.apply_layer(
                    bonds, layer_gates, config.max_bond, config.cutoff, pool
                )
                for step_done in steps_done:
                    if step_done in keep:
                        record(step_done * dt_eff)
                    if callback is not None:
                        callback(
                            StepInfo(step_done, nsteps, step_done * dt_eff, vidal.max_bond(), trunc)
                        )
    finally:
        if pool is not None:
            pool.shutdown()

    wall = time.perf_counter() - start
    metadata = {
        "model": chain.to_dict(),
        "t": t,
        "dt": config.dt,
        "dt_used": dt_eff,
        "steps": nsteps,
        "order": config.order,
        "max_bond": config.max_bond,
        "cutoff": config.cutoff,
        "truncation_error": trunc,
        "threads": threads,
        "initial_bitstring": state.as_bitstring(),
        "initial_metadata": dict(state.metadata),
        "versions": versions(),
    }
    return EvolveResult(
        state=vidal.to_mps(metadata),
        truncation_error=trunc,
        times=np.asarray(times),
        observables={k: np.stack(v) for k, v in recorded.items()},
        steps=nsteps,
        dt=dt_eff,
        wall_time=wall,
    )


def apply_gates(
    state: MPS,
    gates: list[tuple[int, np.ndarray]],
    max_bond: int | None = None,
    cutoff: float = 1e-14,
) -> tuple[MPS, float]:
    """Apply two-qubit gates ``(i, U)`` on bonds ``(i, i+1)`` in order, by SVD splitting.

    ``U`` is a 4x4 unitary with site ``i`` as the more significant index.  With
    the defaults nothing but numerical zeros is truncated, so the result is the
    exact circuit state.  Returns the normalised state and the discarded weight.
    """
    if not isinstance(state, MPS):
        raise TypeError(f"state must be an MPS, got {type(state).__name__}")
    config = TEBDConfig(dt=1.0, max_bond=max_bond, cutoff=cutoff)
    vidal = _VidalState(state)
    trunc = 0.0
    with threadpool_limits(limits=1, user_api="blas"):
        for i, u in gates:
            i = check_int(i, "gate site", minimum=0)
            if i >= state.n - 1:
                raise ValueError(f"gate site must be in [0, {state.n - 2}], got {i}")
            u = np.asarray(u, dtype=complex)
            if u.shape != (4, 4):
                raise ValueError(f"gates must be 4x4, got shape {u.shape}")
            trunc += vidal.update_bond(i, u, config.max_bond, config.cutoff)
    return vidal.to_mps(), trunc
