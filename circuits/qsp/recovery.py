"""Noisy QSP (coherent under/over-rotation errors) and appended recovery sequences.

Two parts.  (1) The paper's model and a *uniform-in-signal* k = 1 recovery
(:func:`degreewise_recovery`, bottom of the module): over-rotation
``e^{iφZ} → e^{iφ(1+ε)Z}`` (= ``ErrorModel("Z", ε)``), the paper's "Pauli X/Y/Z
errors" being the X/Y/Z components of ``U_0† U_ε R_ε``.  Provenance: the paper body
was not reachable; the model and the k = 1 construction follow a third-party
implementation (github.com/Raiyan78/ALEC, not the authors'), re-derived and tested
here.  Recovery to orders k = 1, 2, 3 uniform in the signal, of length O(cd) at k = 1,
is in :mod:`circuits.qsp.shift_recovery`.
(2) The earlier numerical stand-in below (per-gate error axis ``P``, operating points).

Error model of part (2) (an earlier reading of Tan, Liu, Tran, Chuang, arXiv:2301.08542,
now known to differ from the paper's X/Y/Z classification): every
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
    "DegreewiseRecovery",
    "ErrorModel",
    "RecoveryConfig",
    "RecoveryResult",
    "check_eps",
    "conjugation_block",
    "degreewise_recovery",
    "error_operator",
    "find_recovery",
    "first_order_generator",
    "gauss_newton",
    "merge_phases",
    "noisy_response",
    "noisy_unitary",
    "paper_length_bounds",
    "xy_profile",
    "xy_z_errors",
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


# ---------------------------------------------------------------------------
# The paper's error model and its first-order (k = 1) uniform recovery
# ---------------------------------------------------------------------------
#
# Provenance (see the module docstring): the paper body is not available to us; this
# follows the k = 1 "degree-wise" construction as implemented by a third party
# (github.com/Raiyan78/ALEC, not by the authors), re-derived and checked here.
#
# Model: every phase gate over-rotates, e^{iφZ} → e^{iφ(1+ε)Z} (= ErrorModel("Z", ε));
# W(a) is exact.  The recovery R is *appended to the phase list* (merged phase
# φ_d + r_0), so the noisy total is U_ε R_ε and the error operator is
# E(a, ε) = U_0(a)† U_ε(a) R_ε(a).  The paper's "Pauli X/Y errors" are the X/Y
# (off-diagonal) components of E, its "Pauli Z errors" the Z (diagonal) one.
#
# First order: E ≈ I + εG with G = Σ_j iφ_j s_j† Z s_j (s_j the product after gate j),
# and q(θ) = <1|G|0> = sin 2θ · Q(cos 2θ) with deg Q <= d - 1 (a = cos θ).
# Identity block: C_{η,n}[R] = (-(η+c), c + r_0, r_1, ..., r_m, η), c = π(n + 1/2), equals
# e^{-iηZ} W† R W e^{iηZ} ideally (e^{-icZ} W e^{icZ} = W†), so it is the identity for every a
# when R is, while its first-order X/Y profile is q' = e^{2iη}[c sin 2θ + <1|W† G_R W|0>].
# A chain of j + 1 blocks with angles (0, ..., 0, η_top, η_last) has a profile of degree j
# in cos 2θ with leading Chebyshev coefficient 2c cos²(η_top) e^{2iη_last}; two single
# blocks give 2c cos(η_1 - η_2) e^{i(η_1+η_2)} at degree 0.  Cancelling the top surviving
# degree, then the next, ..., leaves q ≡ 0: the X/Y error is O(ε²) uniformly in a.


def merge_phases(left: object, right: object) -> np.ndarray:
    """Phase list of ``U_left · U_right``: ``(l_0..l_{d-1}, l_d + r_0, r_1..)``.

    Exact also under over-rotation: ``e^{iα(1+ε)Z} e^{iβ(1+ε)Z} = e^{i(α+β)(1+ε)Z}``.
    """
    left, right = check_phases(left, "left"), check_phases(right, "right")
    return np.concatenate([left[:-1], [left[-1] + right[0]], right[1:]])


def conjugation_block(phases: object, eta: float, n: int) -> np.ndarray:
    """``C_{η,n}[R] = (-(η+c), c + r_0, r_1, ..., r_m, η)`` with ``c = π(n + 1/2)``.

    Ideally ``e^{-iηZ} W(a)† U_R(a) W(a) e^{iηZ}`` for every ``a`` (two more signal calls).
    """
    r = check_phases(phases)
    c = math.pi * (int(n) + 0.5)
    return np.concatenate([[-(eta + c), c + r[0]], r[1:], [eta]])


def first_order_generator(phases: object, a: object) -> np.ndarray:
    """``G(a) = U_0(a)† ∂_ε U_ε(a)|_{ε=0}`` under over-rotation, shape ``a.shape + (2, 2)``."""
    phases = check_phases(phases)
    a = check_signal(a)
    flat = np.ravel(a)
    w = signal_operator_batch(flat)
    zd = np.array([1.0, -1.0])
    s = np.broadcast_to(np.eye(2, dtype=complex), w.shape).copy()
    g = np.zeros_like(s)
    for j in range(len(phases) - 1, -1, -1):
        # s_j† (iφ_j Z) s_j
        g += 1j * phases[j] * (np.conj(np.swapaxes(s, -1, -2)) * zd[None, None, :]) @ s
        if j > 0:
            s = w @ (np.exp(1j * phases[j] * zd)[None, :, None] * s)
    return g.reshape(*a.shape, 2, 2)


def signal_operator_batch(a: np.ndarray) -> np.ndarray:
    """``W(a)`` for a 1-D array (no checks)."""
    s = 1j * np.sqrt(1.0 - a**2)
    w = np.empty((a.size, 2, 2), dtype=complex)
    w[:, 0, 0] = w[:, 1, 1] = a
    w[:, 0, 1] = w[:, 1, 0] = s
    return w


def xy_profile(phases: object) -> np.ndarray:
    """Chebyshev coefficients (in ``u = cos 2θ = 2a² - 1``) of ``<1|G|0> / sin 2θ``.

    Exact interpolation at ``d + 4`` Chebyshev nodes (the quotient has degree <= d - 1).
    """
    phases = check_phases(phases)
    deg = max(len(phases) - 2, 0)
    m = deg + 4
    u = np.cos((2 * np.arange(m) + 1) * np.pi / (2 * m))
    a = np.sqrt((1 + u) / 2)
    q = first_order_generator(phases, a)[:, 1, 0] / (2 * a * np.sqrt(1 - a**2))
    coef = np.polynomial.chebyshev.chebfit(u, q, deg)
    return np.asarray(coef, dtype=complex)


def _degree_block(target: complex, j: int) -> np.ndarray:
    """Identity-at-ε=0 block whose X/Y profile has degree ``j``, leading coefficient ``target``."""
    mag, ang = abs(target), float(np.angle(target))
    n = max(0, math.ceil(mag / (2 * math.pi) - 0.5))
    c = math.pi * (n + 0.5)
    ratio = min(mag / (2 * c), 1.0)
    if j == 0:
        delta = math.acos(ratio)
        b1 = conjugation_block([0.0], (ang + delta) / 2, n)
        b2 = conjugation_block([0.0], (ang - delta) / 2, n)
        return merge_phases(b1, b2)
    etas = [0.0] * (j - 1) + [math.acos(math.sqrt(ratio)), ang / 2]
    block = np.array([0.0])
    for eta in etas:
        block = conjugation_block(block, eta, n)
    return block


@dataclass(frozen=True)
class DegreewiseRecovery:
    """k = 1 uniform recovery: recovery phases, merged phases, length, residual profile.

    ``calls`` is the number of signal calls of the recovery (``len(phases) - 1``);
    ``residual`` is ``max |coefficient|`` of the remaining first-order X/Y profile.
    """

    phases: np.ndarray
    merged: np.ndarray
    calls: int
    residual: float
    blocks: tuple[tuple[int, int], ...]  # (degree, signal calls) per block


def degreewise_recovery(phases: object, *, tol: float = 1e-12) -> DegreewiseRecovery:
    """First-order recovery of the X/Y error, *uniform in the signal* (over-rotation model).

    Cancels the top surviving degree of the first-order X/Y profile with an identity
    block of that degree, then the next one, down to degree 0 (one pass; each block of
    degree ``j`` only changes degrees ``<= j``).  Length ``<= d² + d + 2`` signal calls.
    """
    phases = check_phases(phases)
    d = len(phases) - 1
    if d < 1:
        raise ValueError("phases must contain at least one signal call (length >= 2)")
    rec = np.array([0.0])
    blocks = []
    scale = max(1.0, float(np.max(np.abs(xy_profile(phases)))))
    for j in range(d - 1, -1, -1):
        coef = xy_profile(merge_phases(phases, rec))
        if j >= coef.size or abs(coef[j]) <= tol * scale:
            continue
        block = _degree_block(-coef[j], j)
        rec = merge_phases(rec, block)
        blocks.append((j, len(block) - 1))
    merged = merge_phases(phases, rec)
    residual = float(np.max(np.abs(xy_profile(merged))))
    return DegreewiseRecovery(rec, merged, len(rec) - 1, residual, tuple(blocks))


def error_operator(
    phases: object, a: object, eps: float, recovery: object | None = None, *, extended: bool = False
) -> np.ndarray:
    """``E(a, ε) = U_0(a)† U_ε(a) R_ε(a)`` under over-rotation (``R`` appended to the list)."""
    phases = check_phases(phases)
    full = phases if recovery is None else merge_phases(phases, recovery)
    ideal = noisy_unitary(phases, a, ErrorModel("Z", 0.0), extended=extended)
    noisy = noisy_unitary(full, a, ErrorModel("Z", eps), extended=extended)
    return np.conj(np.swapaxes(ideal, -1, -2)) @ noisy


def xy_z_errors(
    phases: object, a: object, eps: float, recovery: object | None = None, *, extended: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """``(|E_10|, |arg E_00|)``: the X/Y (recoverable) and Z (not recoverable) error sizes."""
    e = error_operator(phases, a, eps, recovery, extended=extended)
    return np.abs(e[..., 1, 0]), np.abs(np.angle(e[..., 0, 0]))
