"""Silicon spin-qubit device model: a line of exchange-coupled electron spins under microwave drive.

Units and conventions
---------------------
* time in **ns**, every frequency and energy in **GHz**: the Hamiltonians below are
  ``H/h`` (cyclic frequencies, not angular), so the propagator of a constant ``H`` over
  ``dt`` is ``exp(-2πi H dt)``; the factor ``2π`` is always written explicitly;
* Pauli matrices X, Y, Z (eigenvalues ±1), ``|0>`` is the Z = +1 eigenstate, qubit 0 is
  the least significant bit of a dense vector (tnqc's little-endian convention);
* ``σ+ = |0><1| = (X + iY)/2``, ``σ- = (σ+)†``.

Lab-frame model (a line of ``n`` qubits, bonds ``(i, i+1)``)::

    H_lab/h = Σ_i (E_i/2) Z_i
              + Σ_i [Ωx_i(t) cos(2π f_i t) - Ωy_i(t) sin(2π f_i t)] X_i
              + Σ_i J_i(t)/4 (X_i X_{i+1} + Y_i Y_{i+1} + Z_i Z_{i+1})

with Zeeman (qubit) frequencies ``E_i``, one microwave tone of carrier ``f_i`` and
in-phase/quadrature envelopes ``(Ωx_i, Ωy_i)`` addressing qubit ``i`` only (no crosstalk:
see "Not modelled" below), and Heisenberg exchange ``J_i(t) ∈ [0, J_max]`` on bond ``i``.
In the Heisenberg term ``X X + Y Y = 2 (σ+σ- + σ-σ+)`` (the flip-flop part).

Rotating frames (``SpinQubitDevice.frame``); states are ``|ψ_rot> = U0(t)|ψ_lab>`` with
``U0(t) = exp(+2πi t Σ_i f_i Z_i/2)``, and the rotating-wave approximation (RWA) drops
the drive terms at ``±2 f_i``:

``"qubit"`` (default; ``f_i = E_i``, each qubit in the frame of its own resonant tone)::

    H/h = Σ_i (Ωx_i X_i + Ωy_i Y_i)/2
          + Σ_i J_i/4 [Z_i Z_{i+1} + 2 (e^{+iφ_i(t)} σ+_i σ-_{i+1} + e^{-iφ_i(t)} σ-_i σ+_{i+1})]
    φ_i(t) = 2π (E_i - E_{i+1}) t

    The drive is static within a slice, but the flip-flop phases are not.  The piecewise-
    constant propagation evaluates ``φ_i`` at the **midpoint of each slice** (error
    ``O(dt²)`` overall, exact when ``E_i = E_{i+1}``).

``"common"`` (``f_i = f_ref`` for every qubit, default ``f_ref = mean(E)``)::

    H/h = Σ_i ((E_i - f_ref)/2) Z_i + Σ_i (Ωx_i X_i + Ωy_i Y_i)/2
          + Σ_i J_i/4 (X_i X_{i+1} + Y_i Y_{i+1} + Z_i Z_{i+1})

    Exchange commutes with the total Z, so nothing here depends on time besides the
    controls: piecewise-constant controls give an exactly piecewise-constant ``H``.

A resonant drive of constant ``(Ωx, Ωy)`` gives Rabi oscillations of frequency
``Ω = sqrt(Ωx² + Ωy²)`` (a π pulse takes ``1/(2Ω)`` ns); ``max_drive`` bounds this Rabi
frequency.  A constant exchange ``J`` between degenerate qubits swaps them in ``1/(2J)`` ns.

Not modelled (yet): the global-antenna crosstalk of the paper's drive (tone ``j`` acting
on qubit ``i`` at detuning ``E_i - E_j``), counter-rotating terms, decoherence, and the
paper's sign convention ``-B_i/2 σz`` with ``|0> = |↓>`` (equivalent up to the direction
of the frame rotation).

Defaults (:meth:`SpinQubitDevice.silicon_line`) follow the SiMOS parameters of Long et al.,
"Minimal evolution times for fast, pulse-based state preparation in silicon spin qubits"
(2024): mean Zeeman frequency 28 GHz, neighbouring qubits detuned by 20 MHz; the paper
sweeps ``J_max`` over :data:`MAX_EXCHANGE_RANGE` and the drive over
:data:`MAX_DRIVE_RANGE` (any positive value is accepted).

Example
-------
>>> import numpy as np
>>> from circuits.pulse.device import SpinQubitDevice
>>> dev = SpinQubitDevice.silicon_line(2, max_exchange=0.1)
>>> dev.zeeman
(27.99, 28.01)
>>> h = dev.hamiltonian(omega_x=[0.01, 0.0], omega_y=[0.0, 0.0], exchange=[0.05], t=0.0)
>>> h.shape, bool(np.allclose(h, h.conj().T))
((4, 4), True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from mps._validate import check_int, check_real

__all__ = [
    "FRAMES",
    "MAX_DRIVE_RANGE",
    "MAX_EXCHANGE_RANGE",
    "MAX_QUBITS",
    "DeviceOperators",
    "SpinQubitDevice",
    "embed",
]

FRAMES = ("qubit", "common")
MAX_DRIVE_RANGE = (884e-6, 56.6e-3)
"""The paper's range of maximal Rabi frequencies, GHz (884 kHz .. 56.6 MHz)."""
MAX_EXCHANGE_RANGE = (10e-3, 1.0)
"""The paper's range of maximal exchange, GHz (10 MHz .. 1 GHz)."""
MAX_QUBITS = 10
"""Dense ``2^n × 2^n`` matrices are built: ``n`` is capped here."""

_I2 = np.eye(2, dtype=complex)
_X = np.array([[0, 1], [1, 0]], dtype=complex)
_Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
_Z = np.diag([1.0 + 0j, -1.0])
_SP = np.array([[0, 1], [0, 0]], dtype=complex)  # σ+ = |0><1|


def embed(ops: dict[int, np.ndarray], n: int) -> np.ndarray:
    """Dense ``2^n × 2^n`` operator acting with ``ops[q]`` on qubit ``q`` (little-endian).

    Example
    -------
    >>> import numpy as np
    >>> z0 = embed({0: np.diag([1.0, -1.0])}, 2)
    >>> np.diag(z0).real.tolist()  # index b0 + 2 b1: qubit 0 flips sign fastest
    [1.0, -1.0, 1.0, -1.0]
    """
    out = np.ones((1, 1), dtype=complex)
    for q in range(n - 1, -1, -1):  # np.kron's left factor is the more significant one
        out = np.kron(out, ops.get(q, _I2))
    return out


class DeviceOperators(NamedTuple):
    """Static operators of a device (dense, complex128; ``d = 2^n``, ``b = n - 1`` bonds).

    ``H = drift + Σ_i (Ωx_i x[i] + Ωy_i y[i])/2
    + Σ_b J_b [zz[b]/4 + (e^{iφ_b} flipflop[b] + h.c.)/2]`` with
    ``φ_b(t) = 2π detuning[b] t``.
    """

    drift: np.ndarray  # (d, d)
    x: np.ndarray  # (n, d, d)
    y: np.ndarray  # (n, d, d)
    zz: np.ndarray  # (b, d, d)
    flipflop: np.ndarray  # (b, d, d): σ+_i σ-_{i+1}
    detuning: np.ndarray  # (b,): E_i - E_{i+1} in the "qubit" frame, 0 in the "common" frame


def _check_vector(value: object, name: str, length: int) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a sequence of {length} real numbers") from exc
    if arr.shape != (length,):
        raise ValueError(f"{name} must have shape ({length},), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {arr}")
    return arr


@dataclass(frozen=True)
class SpinQubitDevice:
    """A line of silicon spin qubits (see the module docstring for the Hamiltonian).

    Parameters
    ----------
    zeeman : tuple of float
        Lab-frame qubit (Zeeman) frequencies ``E_i/h`` in GHz, one per qubit (> 0).
    max_drive : float
        Maximal Rabi frequency ``sqrt(Ωx² + Ωy²)`` of each qubit's drive, GHz (> 0).
    max_exchange : float
        Maximal exchange ``J_max`` of each bond, GHz (> 0); ``J ∈ [0, J_max]``.
    frame : {"qubit", "common"}
        The rotating frame (and drive carriers) described in the module docstring.
    reference_frequency : float, optional
        ``f_ref`` (GHz) of the ``"common"`` frame; default: the mean Zeeman frequency.
        Must be left out for the ``"qubit"`` frame.

    Example
    -------
    >>> dev = SpinQubitDevice((28.0, 28.02, 28.04), max_drive=0.01, max_exchange=0.1)
    >>> dev.n_qubits, dev.bonds, dev.dim
    (3, ((0, 1), (1, 2)), 8)
    """

    zeeman: tuple[float, ...]
    max_drive: float
    max_exchange: float
    frame: str = "qubit"
    reference_frequency: float | None = None

    def __post_init__(self) -> None:
        try:
            ez = np.asarray(self.zeeman, dtype=float)
        except (TypeError, ValueError) as exc:
            raise TypeError("zeeman must be a sequence of real frequencies in GHz") from exc
        if ez.ndim != 1 or not 1 <= ez.size <= MAX_QUBITS:
            raise ValueError(
                f"zeeman must be a 1-D sequence of 1..{MAX_QUBITS} frequencies, "
                f"got shape {ez.shape}"
            )
        if not np.all(np.isfinite(ez)) or np.any(ez <= 0):
            raise ValueError(f"zeeman frequencies must be finite and > 0 GHz, got {ez.tolist()}")
        object.__setattr__(self, "zeeman", tuple(float(v) for v in ez))
        md = check_real(self.max_drive, "max_drive", minimum=0.0, strict=True)
        mj = check_real(self.max_exchange, "max_exchange", minimum=0.0, strict=True)
        object.__setattr__(self, "max_drive", md)
        object.__setattr__(self, "max_exchange", mj)
        if self.frame not in FRAMES:
            raise ValueError(f"frame must be one of {FRAMES}, got {self.frame!r}")
        if self.frame == "qubit":
            if self.reference_frequency is not None:
                raise ValueError(
                    'reference_frequency applies to frame="common" only '
                    '(the "qubit" frame rotates each qubit at its own frequency)'
                )
        else:
            f = self.reference_frequency
            f = float(ez.mean()) if f is None else check_real(f, "reference_frequency")
            object.__setattr__(self, "reference_frequency", f)

    # ------------------------------------------------------------ constructors
    @classmethod
    def silicon_line(
        cls,
        n_qubits: int = 2,
        *,
        mean_zeeman: float = 28.0,
        zeeman_step: float = 0.02,
        max_drive: float = 0.0566,
        max_exchange: float = 0.1,
        frame: str = "qubit",
        reference_frequency: float | None = None,
    ) -> SpinQubitDevice:
        """Paper-like line: ``E_i = mean_zeeman + (i - (n-1)/2) zeeman_step`` (GHz).

        Parameters
        ----------
        n_qubits : int
            Number of qubits (1..:data:`MAX_QUBITS`).
        mean_zeeman, zeeman_step : float
            Mean Zeeman frequency (> 0) and neighbour detuning ``E_{i+1} - E_i``, GHz.
        max_drive, max_exchange : float
            Bounds in GHz; the paper sweeps :data:`MAX_DRIVE_RANGE` and
            :data:`MAX_EXCHANGE_RANGE`.
        frame, reference_frequency
            As in :class:`SpinQubitDevice`.

        Example
        -------
        >>> SpinQubitDevice.silicon_line(3, zeeman_step=0.01).zeeman
        (27.99, 28.0, 28.01)
        """
        n = check_int(n_qubits, "n_qubits", minimum=1)
        mean = check_real(mean_zeeman, "mean_zeeman", minimum=0.0, strict=True)
        step = check_real(zeeman_step, "zeeman_step")
        ez = tuple(round(mean + (i - (n - 1) / 2) * step, 12) for i in range(n))
        return cls(ez, max_drive, max_exchange, frame, reference_frequency)

    # ------------------------------------------------------------ properties
    @property
    def n_qubits(self) -> int:
        return len(self.zeeman)

    @property
    def dim(self) -> int:
        return 2**self.n_qubits

    @property
    def bonds(self) -> tuple[tuple[int, int], ...]:
        """Nearest-neighbour bonds ``(i, i+1)`` of the line, in order."""
        return tuple((i, i + 1) for i in range(self.n_qubits - 1))

    @property
    def n_controls(self) -> int:
        """Controls per slice: ``Ωx`` and ``Ωy`` per qubit, ``J`` per bond."""
        return 2 * self.n_qubits + len(self.bonds)

    def frame_frequencies(self) -> np.ndarray:
        """Carrier frequencies ``f_i`` (GHz) of the rotating frame, one per qubit."""
        if self.frame == "qubit":
            return np.asarray(self.zeeman)
        return np.full(self.n_qubits, self.reference_frequency)

    # ------------------------------------------------------------ operators
    def operators(self) -> DeviceOperators:
        """The static operators of the rotating-frame Hamiltonian (see :class:`DeviceOperators`)."""
        n = self.n_qubits
        ez = np.asarray(self.zeeman)
        if self.frame == "qubit":
            drift = np.zeros((self.dim, self.dim), dtype=complex)
            detuning = np.array([ez[i] - ez[j] for i, j in self.bonds], dtype=float)
        else:
            delta = ez - self.reference_frequency
            drift = sum(
                (0.5 * delta[q] * embed({q: _Z}, n) for q in range(n)),
                np.zeros((self.dim, self.dim), dtype=complex),
            )
            detuning = np.zeros(len(self.bonds))
        empty = np.zeros((0, self.dim, self.dim), dtype=complex)
        x = np.stack([embed({q: _X}, n) for q in range(n)])
        y = np.stack([embed({q: _Y}, n) for q in range(n)])
        zz = np.stack([embed({i: _Z, j: _Z}, n) for i, j in self.bonds]) if self.bonds else empty
        ff = (
            np.stack([embed({i: _SP, j: _SP.T}, n) for i, j in self.bonds])
            if self.bonds
            else empty
        )
        return DeviceOperators(drift, x, y, zz, ff, detuning)

    def hamiltonian(
        self, omega_x: object, omega_y: object, exchange: object, t: float = 0.0
    ) -> np.ndarray:
        """Rotating-frame ``H/h`` (GHz, dense ``2^n × 2^n``) for given controls at time ``t`` (ns).

        Parameters
        ----------
        omega_x, omega_y : sequence of float
            Drive envelopes per qubit (GHz); ``sqrt(Ωx² + Ωy²) <= max_drive`` is required.
        exchange : sequence of float
            Exchange per bond (GHz), in ``[0, max_exchange]``.
        t : float
            Time (ns); enters only through the flip-flop phases of the ``"qubit"`` frame.

        Example
        -------
        >>> import numpy as np
        >>> dev = SpinQubitDevice((28.0, 28.0), max_drive=0.01, max_exchange=0.1)
        >>> h = dev.hamiltonian([0, 0], [0, 0], [0.04])  # J/4 σ·σ: singlet at -3J/4
        >>> np.round(np.linalg.eigvalsh(h), 6).tolist()
        [-0.03, 0.01, 0.01, 0.01]
        """
        n, nb = self.n_qubits, len(self.bonds)
        ox = _check_vector(omega_x, "omega_x", n)
        oy = _check_vector(omega_y, "omega_y", n)
        j = _check_vector(exchange, "exchange", nb)
        t = check_real(t, "t")
        tol = 1e-12 * max(1.0, self.max_drive)
        if np.any(np.hypot(ox, oy) > self.max_drive + tol):
            raise ValueError(
                f"drive amplitude sqrt(omega_x² + omega_y²) must be <= max_drive = "
                f"{self.max_drive} GHz, got {np.hypot(ox, oy).tolist()}"
            )
        if np.any(j < 0) or np.any(j > self.max_exchange * (1 + 1e-12)):
            raise ValueError(
                f"exchange must lie in [0, max_exchange = {self.max_exchange}] GHz, "
                f"got {j.tolist()}"
            )
        ops = self.operators()
        h = ops.drift.copy()
        h += 0.5 * (np.tensordot(ox, ops.x, 1) + np.tensordot(oy, ops.y, 1))
        for b in range(nb):
            phase = np.exp(2j * math.pi * ops.detuning[b] * t)
            ff = phase * ops.flipflop[b]
            h += j[b] * (0.25 * ops.zz[b] + 0.5 * (ff + ff.conj().T))
        return h
