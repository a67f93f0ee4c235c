"""Quantum signal processing (QSP): signal operator, phase sequences, responses, phase finding.

Convention (the "Wx" convention of pyqsp, QSPPACK and Dong-Lin et al.):

* signal operator ``W(a) = exp(i arccos(a) X) = [[a, i√(1-a²)], [i√(1-a²), a]]``
  for a signal ``a ∈ [-1, 1]``;
* phase sequence ``φ = (φ_0, ..., φ_d)`` of length ``d`` (``d`` signal calls):
  ``U_φ(a) = e^{iφ_0 Z} Π_{k=1}^{d} W(a) e^{iφ_k Z}`` (leftmost factor first);
* response ``P_φ(a) = <0|U_φ(a)|0>``, a polynomial of degree ``d`` and parity
  ``d mod 2``; a *real* target ``f`` is matched by ``Re P_φ = f``.

Only this convention is implemented (the reflection convention
``R(a) = [[a, √(1-a²)], [√(1-a²), -a]]`` is ``-i e^{iπ/4 Z} W(a) e^{iπ/4 Z}``, so
its phases map to Wx phases by shifts of ±π/4 if ever needed).

Phase finding (:func:`find_phases`) is the symmetric-QSP optimisation method of
Dong, Meng, Whaley and Lin (2021) and Dong, Lin, Ni, Wang (2022): symmetric phases
``φ_j = φ_{d-j}``, solve ``Re P_φ(x_j) = f(x_j)`` on the ``⌈(d+1)/2⌉`` positive
Chebyshev nodes with Newton's method (Jacobian by JAX forward-mode autodiff),
starting from ``φ = (π/4, 0, ..., 0, π/4)``.

Example
-------
>>> import numpy as np
>>> from circuits.qsp import TargetPolynomial, find_phases, response, response_reference
>>> f = TargetPolynomial.from_function(lambda x: 0.8 * np.sin(3 * x), degree=9)
>>> res = find_phases(f)
>>> bool(res.max_error < 1e-12)
True
>>> a = np.linspace(-1, 1, 7)
>>> bool(np.allclose(response(res.phases, a), response_reference(res.phases, a), atol=1e-12))
True
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.polynomial import chebyshev as C

__all__ = [
    "PhaseFindingResult",
    "TargetPolynomial",
    "chebyshev_nodes",
    "check_phases",
    "check_signal",
    "find_phases",
    "phase_gate",
    "qsp_unitary",
    "response",
    "response_reference",
    "signal_operator",
]

_I2 = np.eye(2, dtype=complex)
_X = np.array([[0, 1], [1, 0]], dtype=complex)
_Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
_Z = np.diag([1.0 + 0j, -1.0])
PAULIS = {"X": _X, "Y": _Y, "Z": _Z}


def check_phases(phases: object, name: str = "phases") -> np.ndarray:
    """Return ``phases`` as a 1-D float array of length >= 1 with finite entries."""
    try:
        arr = np.asarray(phases, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a sequence of real numbers") from exc
    if arr.ndim != 1 or arr.size < 1:
        raise ValueError(f"{name} must be a non-empty 1-D sequence, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {arr}")
    return arr


def check_signal(a: object, name: str = "a") -> np.ndarray:
    """Return ``a`` as a float array (any shape) with entries in ``[-1, 1]``."""
    try:
        arr = np.asarray(a, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be real numbers in [-1, 1]") from exc
    if not np.all(np.isfinite(arr)) or np.any(np.abs(arr) > 1.0):
        raise ValueError(f"{name} must lie in [-1, 1]")
    return arr


def signal_operator(a: object) -> np.ndarray:
    """``W(a) = exp(i arccos(a) X)``, shape ``a.shape + (2, 2)``."""
    a = check_signal(a)
    s = 1j * np.sqrt(1.0 - a**2)
    out = np.empty((*a.shape, 2, 2), dtype=complex)
    out[..., 0, 0] = out[..., 1, 1] = a
    out[..., 0, 1] = out[..., 1, 0] = s
    return out


def phase_gate(phi: float) -> np.ndarray:
    """``e^{iφZ} = diag(e^{iφ}, e^{-iφ})``."""
    return np.diag([np.exp(1j * phi), np.exp(-1j * phi)])


def qsp_unitary(phases: object, a: object) -> np.ndarray:
    """``U_φ(a)`` for every signal in ``a`` (vectorised), shape ``a.shape + (2, 2)``."""
    phases = check_phases(phases)
    w = signal_operator(a)
    u = np.broadcast_to(phase_gate(phases[0]), w.shape).copy()
    for phi in phases[1:]:
        u = (u @ w) * np.exp(1j * phi * np.array([1.0, -1.0]))  # right-multiply diag
    return u


def response(phases: object, a: object) -> np.ndarray:
    """``P_φ(a) = <0|U_φ(a)|0>`` (complex), vectorised over ``a``.

    Uses the first row only: ``[u00, u01] ← [u00, u01] W(a) e^{iφ_k Z}``.
    """
    phases = check_phases(phases)
    a = check_signal(a)
    s = 1j * np.sqrt(1.0 - a**2)
    r0 = np.full(a.shape, np.exp(1j * phases[0]), dtype=complex)
    r1 = np.zeros(a.shape, dtype=complex)
    for phi in phases[1:]:
        r0, r1 = (r0 * a + r1 * s) * np.exp(1j * phi), (r0 * s + r1 * a) * np.exp(-1j * phi)
    return r0


def response_reference(phases: object, a: object) -> np.ndarray:
    """Direct reference: the product of explicit 2×2 matrices, one signal value at a time."""
    phases = check_phases(phases)
    out = []
    for x in np.ravel(check_signal(a)):
        th = math.acos(float(x))
        w = math.cos(th) * _I2 + 1j * math.sin(th) * _X
        u = phase_gate(phases[0])
        for phi in phases[1:]:
            u = u @ w @ phase_gate(phi)
        out.append(u[0, 0])
    return np.asarray(out).reshape(np.shape(a))


def chebyshev_nodes(n: int) -> np.ndarray:
    """The ``n`` positive Chebyshev nodes ``cos((2j-1)π/(4n))``, ``j = 1..n`` (Dong-Lin)."""
    j = np.arange(1, n + 1)
    return np.cos((2 * j - 1) * np.pi / (4 * n))


@dataclass(frozen=True)
class TargetPolynomial:
    """A real target polynomial of definite parity, ``sup_{[-1,1]} |f| < 1``, in Chebyshev form.

    Parameters
    ----------
    coefficients : tuple of float
        Chebyshev coefficients ``c_0..c_d`` (``f = Σ c_n T_n``); the last is nonzero.
    """

    coefficients: tuple[float, ...]

    def __post_init__(self) -> None:
        c = np.asarray(self.coefficients, dtype=float)
        if c.ndim != 1 or c.size < 1 or not np.all(np.isfinite(c)):
            raise ValueError("coefficients must be a non-empty 1-D sequence of finite reals")
        c = np.trim_zeros(c, "b") if np.any(c) else c[:1]
        d = c.size - 1
        wrong = c[(d + 1) % 2 :: 2]
        if np.any(np.abs(wrong) > 1e-14 * max(1.0, np.max(np.abs(c)))):
            raise ValueError(
                "coefficients: the target polynomial must have definite parity "
                f"(degree {d} needs {'odd' if d % 2 else 'even'} Chebyshev terms only)"
            )
        c[(d + 1) % 2 :: 2] = 0.0
        x = np.cos(np.linspace(0, np.pi, 4 * d + 101))
        sup = float(np.max(np.abs(C.chebval(x, c))))
        if sup >= 1.0:
            raise ValueError(f"coefficients: target sup-norm on [-1, 1] must be < 1, got {sup}")
        object.__setattr__(self, "coefficients", tuple(float(v) for v in c))

    @property
    def degree(self) -> int:
        return len(self.coefficients) - 1

    @property
    def parity(self) -> int:
        return self.degree % 2

    def __call__(self, x: object) -> np.ndarray:
        return C.chebval(np.asarray(x, dtype=float), np.asarray(self.coefficients))

    @classmethod
    def from_function(
        cls, func: Callable[[np.ndarray], np.ndarray], degree: int, *, scale: float = 1.0
    ) -> TargetPolynomial:
        """Chebyshev interpolant of ``func`` of the given degree, projected on its parity."""
        if isinstance(degree, bool) or not isinstance(degree, int) or degree < 0:
            raise ValueError(f"degree must be a non-negative integer, got {degree!r}")
        c = C.chebinterpolate(func, degree) * scale
        c[(degree + 1) % 2 :: 2] = 0.0
        return cls(tuple(c))


@dataclass(frozen=True)
class PhaseFindingResult:
    """Output of :func:`find_phases`: full symmetric phases, max error on a test grid, timing."""

    phases: np.ndarray
    max_error: float
    iterations: int
    seconds: float


def _reduced_to_full(red, d: int, xp=np):
    """Symmetric phases of length d+1 from the ⌈(d+1)/2⌉ free ones."""
    if d % 2:  # d+1 even: mirror everything
        return xp.concatenate([red, red[::-1]])
    return xp.concatenate([red, red[:-1][::-1]])


def _response_and_jacobian(phases: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``Re P_phi(x)`` and its exact Jacobian in every phase, by prefix/suffix products.

    ``U = P_0 W P_1 W ... W P_d`` with ``P_k = exp(i phi_k Z)``;
    ``dU/dphi_k = prefix_k (iZ) suffix_k`` where ``prefix_k = P_0 W ... W P_k``.
    """
    m, d = len(x), len(phases) - 1
    s = 1j * np.sqrt(1.0 - x**2)
    w = np.empty((m, 2, 2), dtype=complex)
    w[:, 0, 0] = w[:, 1, 1] = x
    w[:, 0, 1] = w[:, 1, 0] = s
    diag = np.exp(1j * np.outer(phases, [1.0, -1.0]))  # (d+1, 2): P_k = diag(diag[k])
    prefix = np.empty((d + 1, m, 2, 2), dtype=complex)
    prefix[0] = np.diag(diag[0])
    for k in range(1, d + 1):
        prefix[k] = (prefix[k - 1] @ w) * diag[k][None, None, :]
    suffix = np.empty((d + 1, m, 2, 2), dtype=complex)
    suffix[d] = np.eye(2)
    for k in range(d - 1, -1, -1):
        suffix[k] = w @ (diag[k + 1][None, :, None] * suffix[k + 1])
    iz = np.array([1j, -1j])
    # (prefix_k iZ suffix_k)[0, 0] = sum_b prefix_k[0, b] iz[b] suffix_k[b, 0]
    jac = np.einsum("kmb,b,kmb->mk", prefix[:, :, 0, :], iz, suffix[:, :, :, 0]).real
    return prefix[d][:, 0, 0].real, jac


def find_phases(
    target: TargetPolynomial, *, tol: float = 1e-14, max_iter: int = 100
) -> PhaseFindingResult:
    """Symmetric phases ``φ`` with ``Re <0|U_φ(a)|0> = f(a)``, by Newton on Chebyshev nodes.

    Parameters
    ----------
    target : TargetPolynomial
        Real target of definite parity and sup-norm < 1.
    tol : float
        Stop when the max residual on the nodes is below ``tol``.
    max_iter : int
        Newton iteration limit (``RuntimeError`` if not converged).

    Returns
    -------
    PhaseFindingResult
        ``max_error`` is ``max |Re P_φ - f|`` on 2001 Chebyshev points of ``[-1, 1]``.

    Examples
    --------
    >>> import numpy as np
    >>> f = TargetPolynomial.from_function(lambda x: 0.5 * x**3, degree=3)
    >>> find_phases(f).max_error < 1e-13
    True
    """
    if not isinstance(target, TargetPolynomial):
        raise TypeError(f"target must be a TargetPolynomial, got {type(target).__name__}")
    d = target.degree
    if d == 0:
        raise ValueError("target: degree must be >= 1")
    n = (d + 2) // 2
    t0 = time.perf_counter()
    x = chebyshev_nodes(n)
    fx = np.asarray(target(x))
    # the reduced (symmetric) phases map linearly onto the full ones
    fold = np.zeros((d + 1, n))
    for k in range(d + 1):
        fold[k, min(k, d - k)] = 1.0
    red = np.zeros(n)
    red[0] = np.pi / 4
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007
        value, jac = _response_and_jacobian(_reduced_to_full(red, d), x)
        r = value - fx
        if np.max(np.abs(r)) < tol:
            break
        red = red - np.linalg.solve(jac @ fold, r)
    else:
        raise RuntimeError(f"find_phases: Newton did not converge in {max_iter} iterations")
    phases = _reduced_to_full(red, d)
    seconds = time.perf_counter() - t0
    grid = np.cos(np.linspace(0, np.pi, 2001))
    err = float(np.max(np.abs(response(phases, grid).real - target(grid))))
    return PhaseFindingResult(phases, err, it, seconds)
