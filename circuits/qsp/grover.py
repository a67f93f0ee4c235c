"""Grover fixed-point search (Yoder, Low, Chuang 2014) under coherent phase errors, with recovery.

In the plane spanned by the target ``|t>`` and ``|t⊥>`` the start state is
``|s> = √λ|t> + √(1-λ)|t⊥>`` (``λ`` = marked fraction).  One iterate is
``G(α, β) = -S_s(α) S_t(β)`` with ``S_t(β) = I - (1 - e^{iβ})|t><t|`` and
``S_s(α) = I - (1 - e^{-iα})|s><s|``.  With ``L = 2l + 1`` oracle queries,
``γ^{-1} = T_{1/L}(1/δ)`` and ``α_j = -β_{l-j+1} = 2 arccot(tan(2πj/L)√(1-γ²))``
the success probability is ``1 - δ² T_L(T_{1/L}(1/δ)√(1-λ))²`` and lies in the
band ``[1 - δ², 1]`` for every ``λ >= w`` (YLC, Eq. (1)-(4)).

Noise: each phase gate is, up to a global phase, a Z rotation in its own frame
(``S_t(β) ∝ e^{i(β/2)Z}``, ``S_s(α) ∝ B e^{-i(α/2)Z} B†`` with ``B|0> = |s>``);
it gets the error of :class:`circuits.qsp.ErrorModel`, ``e^{iθZ} → e^{iθZ}e^{iεθP}``.
Recovery: ``r`` extra noisy iterates with free phases are appended and solved
(as in :func:`circuits.qsp.find_recovery`) so that at the operating ``λ`` values
the ideal success probability is kept and its first ``k`` ε-derivatives vanish.

Over-rotation model with the uniform first-order recovery (the paper's model, see
:mod:`circuits.qsp.recovery`): with ``B = e^{-iϑY}``, ``cos ϑ = √λ``, one has
``B = e^{iπZ/4} W(√λ) e^{-iπZ/4}`` and ``B† = e^{-iπZ/4} W(√λ) e^{iπZ/4}``, so the
whole search is a Wx QSP sequence in the signal ``a = √λ`` with ``L = 2l + 1``
signal calls (:func:`grover_qsp_phases`),

    ``φ = (0, -α_l/2 - π/2, β_l/2 + π/2, ..., -α_1/2 - π/2, β_1/2 + π/2, 0)``  (mod π),

and ``|<t|ψ>|² = |<0|U_φ(√λ)|0>|²``.  Every QSP phase gate is over-rotated,
``e^{iφZ} → e^{iφ(1+ε)Z}`` (phases reduced to ``[-π/2, π/2)`` first, i.e. the
frame changes ``e^{±iπZ/4}`` are merged into the oracle / diffusion phases and
carry the error too; this is a different noise than the per-gate axis above).
:func:`circuits.qsp.degreewise_recovery` then makes ``|<t|ψ>|²`` correct to
``O(ε²)`` uniformly in ``λ`` (:func:`grover_over_rotation_scan`).

Example
-------
>>> import numpy as np
>>> from circuits.qsp.grover import fixed_point_phases, success_probability
>>> alpha, beta = fixed_point_phases(l=3, delta=0.3)
>>> p = success_probability(alpha, beta, np.array([0.2, 0.5, 0.9]))
>>> bool(np.all(p >= 1 - 0.3**2 - 1e-12))
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from circuits.qsp.core import check_phases
from circuits.qsp.recovery import (
    _PAULI,
    DegreewiseRecovery,
    ErrorModel,
    _check_pauli,
    check_eps,
    degreewise_recovery,
    gauss_newton,
    merge_phases,
    noisy_response,
)

__all__ = [
    "GroverOverRotationScan",
    "GroverRecovery",
    "find_grover_recovery",
    "fixed_point_phases",
    "grover_over_rotation_scan",
    "grover_qsp_phases",
    "lambda_threshold",
    "success_probability",
    "success_probability_over_rotation",
]


def fixed_point_phases(l: int, delta: float) -> tuple[np.ndarray, np.ndarray]:
    """YLC phases ``(α_1..α_l, β_1..β_l)`` for ``L = 2l + 1`` queries and band ``1 - δ²``."""
    if isinstance(l, bool) or not isinstance(l, int) or l < 1:
        raise ValueError(f"l must be an integer >= 1, got {l!r}")
    if not (isinstance(delta, int | float) and 0 < delta < 1):
        raise ValueError(f"delta must be in (0, 1), got {delta!r}")
    big_l = 2 * l + 1
    gamma = 1.0 / math.cosh(math.acosh(1.0 / delta) / big_l)
    j = np.arange(1, l + 1)
    alpha = 2.0 * np.arctan2(1.0, np.tan(2 * np.pi * j / big_l) * math.sqrt(1 - gamma**2))
    beta = -alpha[::-1]
    return alpha, beta


def lambda_threshold(l: int, delta: float) -> float:
    """Smallest ``λ = w`` with guaranteed success ``>= 1 - δ²``: ``w = 1 - γ²``."""
    gamma = 1.0 / math.cosh(math.acosh(1.0 / delta) / (2 * l + 1))
    return 1.0 - gamma**2


def _final_state(alpha, beta, lam, eps, pauli: str, xp, extra=None):
    """Amplitudes ``<t|ψ>`` after the (noisy) iterates, for a 1-D array ``lam``."""
    p = xp.asarray(_PAULI[pauli])
    eye = xp.eye(2, dtype=complex)
    c, s = xp.sqrt(lam), xp.sqrt(1.0 - lam)
    b = xp.stack([xp.stack([c, -s], -1), xp.stack([s, c], -1)], -2).astype(complex)
    bd = xp.swapaxes(b, -1, -2)

    def rot(theta):
        z = xp.stack([xp.exp(1j * theta), xp.exp(-1j * theta)])
        return z[:, None] * (xp.cos(eps * theta) * eye + 1j * xp.sin(eps * theta) * p)

    psi = b[..., :, 0]
    al, be = alpha, beta
    if extra is not None:
        n = extra.shape[0] // 2
        al = xp.concatenate([alpha, extra[:n]])
        be = xp.concatenate([beta, extra[n:]])
    for j in range(al.shape[0]):
        psi = (rot(be[j] / 2) @ psi[..., None])[..., 0]
        psi = (b @ (rot(-al[j] / 2) @ (bd @ psi[..., None])))[..., 0]
    return psi[..., 0]


def success_probability(
    alpha: object,
    beta: object,
    lam: object,
    *,
    eps: float = 0.0,
    pauli: str = "X",
    recovery: object | None = None,
) -> np.ndarray:
    """Success probability ``|<t|ψ>|²`` of the (noisy, optionally recovered) search."""
    alpha = np.asarray(alpha, dtype=float)
    beta = np.asarray(beta, dtype=float)
    if alpha.shape != beta.shape or alpha.ndim != 1:
        raise ValueError("alpha and beta must be 1-D of equal length")
    if not (np.all(np.isfinite(alpha)) and np.all(np.isfinite(beta))):
        raise ValueError("alpha and beta must be finite")
    lam = np.atleast_1d(np.asarray(lam, dtype=float))
    if np.any((lam < 0) | (lam > 1)):
        raise ValueError("lam must lie in [0, 1]")
    eps = check_eps(eps)
    _check_pauli(pauli)
    extra = None if recovery is None else np.asarray(recovery, dtype=float)
    return np.abs(_final_state(alpha, beta, lam, eps, pauli, np, extra)) ** 2


@dataclass(frozen=True)
class GroverRecovery:
    """Appended iterates' phases (``α'`` then ``β'``), residual, and the configuration."""

    phases: np.ndarray
    residual: float
    extra_iterates: int
    order: int
    pauli: str
    points: tuple[float, ...]


def find_grover_recovery(
    alpha: object,
    beta: object,
    points: tuple[float, ...],
    *,
    order: int = 1,
    pauli: str = "X",
    extra_iterates: int | None = None,
    seed: int = 0,
    restarts: int = 10,
    tol: float = 1e-12,
) -> GroverRecovery:
    """Appended iterates that keep ``P(λ_i)`` and cancel its ε-derivatives up to ``order``."""
    import jax
    import jax.numpy as jnp

    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"order (k) must be an integer >= 1, got {order!r}")
    _check_pauli(pauli)
    pts = tuple(float(v) for v in points)
    r = extra_iterates or ((order + 1) * len(pts) + 2) // 2 + 1
    with jax.enable_x64(True):
        al, be, lam = jnp.asarray(alpha), jnp.asarray(beta), jnp.asarray(pts)
        ideal = jnp.abs(_final_state(al, be, lam, 0.0, pauli, jnp)) ** 2

        def prob(x, eps):
            return jnp.abs(_final_state(al, be, lam, eps, pauli, jnp, x)) ** 2

        def residual(x):
            out, f = [prob(x, 0.0) - ideal], prob
            for j in range(1, order + 1):
                f = jax.jacfwd(f, argnums=1)
                out.append(f(x, 0.0) / math.factorial(j))
            return jnp.concatenate(out)

        res, x = gauss_newton(
            jax.jit(residual), jax.jit(jax.jacfwd(residual)), 2 * r, seed, restarts, tol
        )
    if res >= tol:
        raise RuntimeError(f"find_grover_recovery: best residual {res:.3e}")
    return GroverRecovery(x, res, r, order, pauli, pts)


# ---------------------------------------------------------------------------
# Over-rotation model (the paper's) with the uniform first-order recovery
# ---------------------------------------------------------------------------


def grover_qsp_phases(alpha: object, beta: object) -> np.ndarray:
    """Wx QSP phases (``2l + 2`` of them, ``L = 2l + 1`` calls of ``W(√λ)``) of the search.

    ``|<0|U_φ(√λ)|0>|² = success_probability(alpha, beta, λ)`` for every ``λ``; the
    phases are reduced to ``[-π/2, π/2)`` (a shift by ``π`` only flips the overall sign).
    """
    alpha, beta = check_phases(alpha, "alpha"), check_phases(beta, "beta")
    if alpha.shape != beta.shape:
        raise ValueError("alpha and beta must be 1-D of equal length")
    mid = np.column_stack([-alpha[::-1] / 2 - np.pi / 2, beta[::-1] / 2 + np.pi / 2]).ravel()
    phases = np.concatenate([[0.0], mid, [0.0]])
    return phases - np.pi * np.floor(phases / np.pi + 0.5)


def success_probability_over_rotation(
    phases: object, lam: object, eps: float, recovery: object | None = None
) -> np.ndarray:
    """``|<0|U_ε R_ε(√λ)|0>|²`` with every phase over-rotated (``R`` appended to the list)."""
    lam = np.atleast_1d(np.asarray(lam, dtype=float))
    if not np.all(np.isfinite(lam)) or np.any((lam < 0) | (lam > 1)):
        raise ValueError("lam must lie in [0, 1]")
    full = check_phases(phases) if recovery is None else merge_phases(phases, recovery)
    return np.abs(noisy_response(full, np.sqrt(lam), ErrorModel("Z", eps))) ** 2


@dataclass(frozen=True)
class GroverOverRotationScan:
    """Success probabilities on ``lam`` (band ``[w, 1]``) for each ``eps``: ideal, noisy, recovered.

    ``noisy`` and ``recovered`` have shape ``(len(eps), len(lam))``; ``target = 1 - δ²``
    with the *target* ``δ`` (the sequence may be designed with a smaller ``design_delta``).
    """

    l: int
    delta: float
    design_delta: float
    lam: np.ndarray
    eps: np.ndarray
    ideal: np.ndarray
    noisy: np.ndarray
    recovered: np.ndarray
    phases: np.ndarray
    recovery: DegreewiseRecovery

    @property
    def target(self) -> float:
        return 1.0 - self.delta**2

    def max_deviation(self) -> tuple[np.ndarray, np.ndarray]:
        """``max_λ |P - P_ideal|`` per ε, for the noisy and the recovered sequence."""
        return (
            np.max(np.abs(self.noisy - self.ideal), axis=1),
            np.max(np.abs(self.recovered - self.ideal), axis=1),
        )

    def min_margin(self) -> tuple[np.ndarray, np.ndarray]:
        """``min_λ P - (1 - δ²)`` per ε (negative: leaves the target band somewhere)."""
        return self.noisy.min(axis=1) - self.target, self.recovered.min(axis=1) - self.target


def grover_over_rotation_scan(
    l: int,
    delta: float,
    eps: object,
    *,
    design_delta: float | None = None,
    n_lam: int = 201,
) -> GroverOverRotationScan:
    """Noisy vs degree-wise-recovered fixed-point search over ``λ ∈ [w, 1]`` and ``eps``.

    The sequence is designed for ``design_delta`` (default ``delta``; a smaller value
    leaves a margin ``δ² - δ_design²`` inside the target band ``1 - δ²``, since the ideal
    curve touches ``1 - δ_design²`` at several ``λ``), and ``w = lambda_threshold(l,
    design_delta)``.
    """
    dd = delta if design_delta is None else design_delta
    if not (isinstance(dd, int | float) and 0 < dd <= delta):
        raise ValueError(f"design_delta must be in (0, delta], got {design_delta!r}")
    if isinstance(n_lam, bool) or not isinstance(n_lam, int) or n_lam < 2:
        raise ValueError(f"n_lam must be an integer >= 2, got {n_lam!r}")
    alpha, beta = fixed_point_phases(l, dd)
    eps = np.array([check_eps(e) for e in np.atleast_1d(np.asarray(eps, dtype=float))])
    phases = grover_qsp_phases(alpha, beta)
    rec = degreewise_recovery(phases)
    lam = np.linspace(lambda_threshold(l, dd), 1.0, n_lam)
    ideal = success_probability(alpha, beta, lam)
    noisy = np.array([success_probability_over_rotation(phases, lam, e) for e in eps])
    recovered = np.array(
        [success_probability_over_rotation(phases, lam, e, rec.phases) for e in eps]
    )
    return GroverOverRotationScan(
        l, float(delta), float(dd), lam, eps, ideal, noisy, recovered, phases, rec
    )
