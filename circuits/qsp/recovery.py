"""Noisy QSP (coherent under/over-rotation errors) and appended recovery sequences.

Error model (our reading of Tan, Liu, Tran, Chuang, arXiv:2301.08542; see the
package docstring for what is and is not the paper's construction): every
signal-*processing* operator ``e^{iφZ}`` is implemented with a coherent error
whose angle is proportional to the intended rotation,

    ``S_ε(φ) = e^{iφZ} e^{iεφP}``,   ``P ∈ {X, Y, Z}``,   ``|ε| < 1``,

so ``P = Z`` is the pure under/over-rotation ``e^{i(1+ε)φZ}``; the signal
operator ``W(a)`` is exact.  Equal phases carry equal errors, which is why the
paper's bounds depend on the number ``c`` of distinct phases.

Recovery (an alternative, *numerical* construction, not the paper's): append a
recovery QSP ``R_ψ`` (its own length ``m``, made of the same noisy gates) after
``U_φ`` and choose ``ψ`` so that, at every operating signal ``a_i``,

* ``<0|R_ψ U_φ|0>`` at ``ε = 0`` equals ``<0|U_φ|0>`` (ideal response kept), and
* ``∂^j/∂ε^j <0|R_ψ,ε U_φ,ε|0> = 0`` at ``ε = 0`` for ``j = 1..k``,

so the error is ``O(ε^{k+1})``.  Derivatives come from nested JAX forward-mode
autodiff, and the ``2(k+1)·#points`` real equations are solved by Gauss-Newton
with minimum-norm steps (``m + 1 >= 2(k+1)·#points`` unknowns).  The guarantee
holds at the operating signals, not uniformly in ``a``: a uniform appended
recovery cannot come from phase fitting alone (the number of polynomial
coefficients to cancel, ``~(k+1)(d+m)``, always exceeds the ``m+1`` phases).

Z errors are not recoverable by any appended QSP (:func:`z_error_obstruction`):
at ``a = ±1`` every ``W = ±I``, the composite is ``±e^{i(1+ε)S Z}`` with ``S`` the
sum of all phases, keeping the ideal response forces ``S ≡ s (mod 2π)`` where
``s = Σφ``, and then ``|∂_ε <0|·|0>| = |S| >= dist(s, 2πℤ) > 0``.

Example
-------
>>> import numpy as np
>>> from circuits.qsp import ErrorModel, RecoveryConfig, find_recovery, noisy_response
>>> phases = np.array([0.3, -0.2, 0.5, -0.2, 0.3])
>>> rec = find_recovery(phases, RecoveryConfig(order=1, pauli="X", points=(0.4,)))
>>> bool(rec.residual < 1e-10)
True
>>> e = lambda eps: abs(noisy_response(phases, 0.4, ErrorModel("X", eps), rec.phases)
...                     - noisy_response(phases, 0.4, ErrorModel("X", 0.0)))
>>> bool(e(1e-3) < 1e-5 < e(1e-1))
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from circuits.qsp.core import check_phases, check_signal

__all__ = [
    "ErrorModel",
    "RecoveryConfig",
    "RecoveryResult",
    "check_eps",
    "find_recovery",
    "gauss_newton",
    "noisy_response",
    "noisy_unitary",
    "paper_length_bounds",
    "z_error_obstruction",
]

_PAULI = {
    "X": np.array([[0, 1], [1, 0]], dtype=complex),
    "Y": np.array([[0, -1j], [1j, 0]], dtype=complex),
    "Z": np.diag([1.0 + 0j, -1.0]),
}


def check_eps(eps: object) -> float:
    """Return ``eps`` as a float with ``|eps| < 1``."""
    if isinstance(eps, bool) or not isinstance(eps, int | float | np.floating | np.integer):
        raise TypeError(f"eps must be a real number, got {type(eps).__name__}")
    eps = float(eps)
    if not math.isfinite(eps) or abs(eps) >= 1.0:
        raise ValueError(f"eps must satisfy |eps| < 1, got {eps}")
    return eps


def _check_pauli(pauli: object) -> str:
    if pauli not in _PAULI:
        raise ValueError(f"pauli must be 'X', 'Y' or 'Z', got {pauli!r}")
    return str(pauli)


@dataclass(frozen=True)
class ErrorModel:
    """Coherent error ``e^{iφZ} → e^{iφZ} e^{iεφP}`` on every phase gate."""

    pauli: str = "X"
    eps: float = 0.0

    def __post_init__(self) -> None:
        _check_pauli(self.pauli)
        object.__setattr__(self, "eps", check_eps(self.eps))


def _noisy_unitary_xp(phases, a, eps, pauli: str, xp, ctype=complex):
    """Noisy ``U_φ(a)`` for a 1-D array ``a``; ``xp`` is numpy or jax.numpy."""
    p = xp.asarray(_PAULI[pauli], dtype=ctype)
    eye = xp.eye(2, dtype=ctype)
    s = xp.sqrt(1.0 - a**2)
    w = a[:, None, None] * eye + 1j * s[:, None, None] * xp.asarray(_PAULI["X"], dtype=ctype)

    def gate(phi):
        z = xp.stack([xp.exp(1j * phi), xp.exp(-1j * phi)])
        err = xp.cos(eps * phi) * eye + 1j * xp.sin(eps * phi) * p
        return z[:, None] * err

    u = xp.broadcast_to(gate(phases[0]), w.shape)
    for k in range(1, phases.shape[0]):
        u = u @ w @ gate(phases[k])
    return u


def noisy_unitary(
    phases: object, a: object, model: ErrorModel, *, extended: bool = False
) -> np.ndarray:
    """Noisy ``U_φ(a)`` (shape ``a.shape + (2, 2)``) under ``model``.

    ``extended=True`` computes in ``np.clongdouble`` (80-bit on x86), to resolve
    errors below double-precision round-off (used for the order-3 scaling fits).
    """
    phases = check_phases(phases)
    a = check_signal(a)
    if not isinstance(model, ErrorModel):
        raise TypeError(f"model must be an ErrorModel, got {type(model).__name__}")
    if extended:
        ld = np.longdouble
        u = _noisy_unitary_xp(
            phases.astype(ld), np.ravel(a).astype(ld), ld(model.eps), model.pauli, np,
            np.clongdouble,
        )
    else:
        u = _noisy_unitary_xp(phases, np.ravel(a), model.eps, model.pauli, np)
    return u.reshape(*a.shape, 2, 2)


def noisy_response(
    phases: object,
    a: object,
    model: ErrorModel,
    recovery: object | None = None,
    *,
    extended: bool = False,
) -> np.ndarray:
    """``<0|R_ψ,ε U_φ,ε(a)|0>``; without ``recovery`` just ``<0|U_φ,ε(a)|0>``."""
    u = noisy_unitary(phases, a, model, extended=extended)
    if recovery is not None:
        u = noisy_unitary(check_phases(recovery, "recovery"), a, model, extended=extended) @ u
    return u[..., 0, 0]


def z_error_obstruction(phases: object) -> float:
    """Lower bound ``dist(Σφ, 2πℤ)`` on ``|∂_ε response|`` at ``a = ±1`` under Z errors.

    Holds for *every* appended recovery sequence that keeps the ideal response at
    ``a = 1``; a positive value proves the Z error is not recoverable there.
    """
    s = float(np.sum(check_phases(phases)))
    return abs(s - 2 * math.pi * round(s / (2 * math.pi)))


def paper_length_bounds(d: int, c: int, k: int) -> dict[str, float]:
    """The paper's recovery-length scalings: ``2^k c^{k²} d`` (upper, O) and ``c d`` (lower, k=1).

    Constants are not given in the abstract; these are the bare expressions.
    """
    for name, v in (("d", d), ("c", c), ("k", k)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {v!r}")
    return {"upper": float(2**k * c ** (k * k) * d), "lower": float(c * d)}


@dataclass(frozen=True)
class RecoveryConfig:
    """Recovery problem: order ``k``, error axis, operating signals, recovery length.

    ``length=None`` picks the smallest ``m`` with ``m + 1 >= 2(k+1)·len(points) + 2``.
    """

    order: int = 1
    pauli: str = "X"
    points: tuple[float, ...] = (0.5,)
    length: int | None = None
    seed: int = 0
    restarts: int = 20
    tol: float = 1e-13

    def __post_init__(self) -> None:
        if isinstance(self.order, bool) or not isinstance(self.order, int) or self.order < 1:
            raise ValueError(f"order (k) must be an integer >= 1, got {self.order!r}")
        _check_pauli(self.pauli)
        pts = tuple(float(v) for v in np.atleast_1d(check_signal(self.points, "points")))
        if not pts:
            raise ValueError("points must not be empty")
        object.__setattr__(self, "points", pts)
        if self.length is not None and (
            isinstance(self.length, bool) or not isinstance(self.length, int) or self.length < 1
        ):
            raise ValueError(f"length must be an integer >= 1 or None, got {self.length!r}")

    @property
    def recovery_length(self) -> int:
        if self.length is not None:
            return self.length
        return 2 * (self.order + 1) * len(self.points) + 3


@dataclass(frozen=True)
class RecoveryResult:
    """Recovery phases (length ``m + 1``, ``m`` signal calls) and the final residual."""

    phases: np.ndarray
    residual: float
    length: int
    config: RecoveryConfig = field(repr=False)


def _residual_fn(phases: np.ndarray, cfg: RecoveryConfig):
    import jax
    import jax.numpy as jnp

    a = jnp.asarray(cfg.points)
    main = jnp.asarray(phases)
    ideal = _noisy_unitary_xp(main, a, 0.0, cfg.pauli, jnp)[:, 0, 0]

    def resp(psi, eps):
        u = _noisy_unitary_xp(main, a, eps, cfg.pauli, jnp)
        r = _noisy_unitary_xp(psi, a, eps, cfg.pauli, jnp)
        v = (r @ u)[:, 0, 0]
        return jnp.concatenate([jnp.real(v), jnp.imag(v)])

    def residual(psi):
        out = [resp(psi, 0.0) - jnp.concatenate([jnp.real(ideal), jnp.imag(ideal)])]
        f = resp
        for j in range(1, cfg.order + 1):
            f = jax.jacfwd(f, argnums=1)
            out.append(f(psi, 0.0) / math.factorial(j))
        return jnp.concatenate(out)

    return jax.jit(residual), jax.jit(jax.jacfwd(residual))


def gauss_newton(fun, jac, n: int, seed: int, restarts: int, tol: float):
    """Minimum-norm Gauss-Newton with backtracking and random restarts (small initial angles).

    Returns ``(max |residual|, x)`` of the best restart; ``fun``/``jac`` take a JAX array.
    """
    import jax.numpy as jnp

    rng = np.random.default_rng(seed)
    best: tuple[float, np.ndarray] = (np.inf, np.zeros(n))
    for _ in range(restarts):
        x = rng.uniform(-0.5, 0.5, n)
        for _ in range(200):
            r = np.asarray(fun(jnp.asarray(x)))
            nr = float(np.max(np.abs(r)))
            if nr < tol or not np.isfinite(nr):
                break
            step = np.linalg.lstsq(np.asarray(jac(jnp.asarray(x))), r, rcond=None)[0]
            t = 1.0
            trial = x - step
            while t > 1e-4:
                trial = x - t * step
                if np.max(np.abs(np.asarray(fun(jnp.asarray(trial))))) < nr:
                    break
                t /= 2
            x = trial
        nr = float(np.max(np.abs(np.asarray(fun(jnp.asarray(x))))))
        if nr < best[0]:
            best = (nr, x.copy())
        if nr < tol:
            break
    return best


def find_recovery(phases: object, config: RecoveryConfig) -> RecoveryResult:
    """Recovery phases cancelling the error of ``U_φ`` to order ``k`` at ``config.points``.

    Raises ``RuntimeError`` when no restart reaches ``config.tol`` (e.g. Z errors at
    ``a = ±1``; the best residual is then available from the error message).
    """
    phases = check_phases(phases)
    if not isinstance(config, RecoveryConfig):
        raise TypeError(f"config must be a RecoveryConfig, got {type(config).__name__}")
    import jax

    m = config.recovery_length
    with jax.enable_x64(True):
        fun, jac = _residual_fn(phases, config)
        best = gauss_newton(fun, jac, m + 1, config.seed, config.restarts, config.tol)
    if best[0] >= config.tol:
        raise RuntimeError(
            f"find_recovery: no recovery found, best residual {best[0]:.3e} "
            f"(order {config.order}, pauli {config.pauli}, length {m})"
        )
    return RecoveryResult(best[1], best[0], m, config)
