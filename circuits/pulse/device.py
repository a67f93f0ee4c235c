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

Global antenna (``drive_model="global"``, the drive of Long et al.)
-------------------------------------------------------------------
The paper drives all qubits with ONE antenna (their Eq. (1)-(2))::

    H_paper = -Σ_i B_i/2 σz_i - g(t)/2 Σ_i σx_i + Σ_i J_i(t)/4 σ_i·σ_{i+1}
    g(t)    = Σ_j [I_j(t) cos(2π ω_j t) + Q_j(t) sin(2π ω_j t)]

with ``|0> = |↓>``, i.e. ``σz = -Z``: ``-B_i/2 σz_i = +E_i/2 Z_i`` with ``E_i = B_i``, and
``σx = X`` (``σy = -Y``, which enters nowhere).  So in our basis::

    H_lab/h = Σ_i (E_i/2) Z_i - g(t)/2 Σ_i X_i + Σ_i J_i/4 σ_i·σ_{i+1}

(:meth:`SpinQubitDevice.lab_hamiltonian`).  Tone ``j`` has carrier ``ω_j = E_j`` (resonant
with qubit ``j``) and envelopes ``(I_j, Q_j)`` (GHz), but it acts on every qubit.  In the
rotating frame ``U0(t)`` of the device's ``frame`` (frame frequency ``f_i`` of qubit ``i``)
and with the RWA (the terms at ``f_i + ω_j ≈ 56 GHz`` dropped; their Bloch-Siegert effect is
``~ (I² + Q²)/(16 E) ≈ 1e-5 GHz`` for 40 MHz envelopes, checked against the lab frame in
the tests)::

    H/h = drift + Σ_i Σ_j [-(I_j + iQ_j)/4 e^{2πi (f_i - ω_j) t} σ+_i + h.c.] + exchange
        = drift + Σ_i (Ωx_i(t) X_i + Ωy_i(t) Y_i)/2,
    z_i(t) = Σ_j (I_j + iQ_j) e^{2πi (f_i - ω_j) t},  Ωx_i = -Re z_i/2,  Ωy_i = +Im z_i/2.

On resonance (``i = j``) a constant tone gives Rabi oscillations of frequency
``sqrt(I² + Q²)/2``; the cross terms ``i ≠ j`` oscillate at the detunings ``E_i - E_j``
(10-30 MHz), comparable to the Rabi frequency, so they are NOT static within a slice.
``max_drive`` then bounds the tone envelopes: ``sqrt(I² + Q²) <= max_drive``
(``ControlGrid(drive="disk")``) or ``|I|, |Q| <= max_drive`` (``drive="box"``, the
per-quadrature bound; :meth:`hamiltonian` accepts the box).

Time integration inside a slice (``integrator``, ``substeps``): each control slice is
cut into ``substeps`` equal sub-steps of length ``h``; ``"midpoint"`` takes one exponential
of ``H`` at the sub-step midpoint (second order, the default, exact for a Hamiltonian
constant in the slice), ``"cf4"`` the fourth-order commutator-free Magnus integrator of
Blanes & Moan (2006) with the two Gauss nodes ``t_{1,2} = t + (1/2 ∓ √3/6) h``::

    U_h = exp(-2πi h (α2 H(t1) + α1 H(t2))) exp(-2πi h (α1 H(t1) + α2 H(t2))),
    α1 = 1/4 + √3/6,  α2 = 1/4 - √3/6,

whose error per slice is ``O(h^5 |Δ|^4 ...)``: with the time-dependent phases above this is
the approximation of the ``"global"`` model (tested against a fine scipy ODE solution to
1e-6).  :meth:`SpinQubitDevice.paper` uses ``"cf4"``.

Not modelled (yet): counter-rotating terms (RWA), decoherence.

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
    "DRIVE_MODELS",
    "FRAMES",
    "INTEGRATORS",
    "MAX_DRIVE_RANGE",
    "MAX_EXCHANGE_RANGE",
    "MAX_QUBITS",
    "DeviceOperators",
    "SpinQubitDevice",
    "embed",
]

FRAMES = ("qubit", "common")
DRIVE_MODELS = ("local", "global")
"""``"local"``: one drive per qubit, no crosstalk; ``"global"``: the paper's single antenna."""
INTEGRATORS = ("midpoint", "cf4")
"""Integrator inside a control slice (module docstring)."""
CF4_NODES = (0.5 - math.sqrt(3) / 6, 0.5 + math.sqrt(3) / 6)
CF4_WEIGHTS = (0.25 + math.sqrt(3) / 6, 0.25 - math.sqrt(3) / 6)
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
    drive_detuning: np.ndarray | None = None  # (n, n): f_i - ω_j ("global" drive only)


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
        Maximal exchange ``J_max`` of each bond, GHz (> 0); ``J ∈ [J_min, J_max]``.
    frame : {"qubit", "common"}
        The rotating frame (and drive carriers) described in the module docstring.
    reference_frequency : float, optional
        ``f_ref`` (GHz) of the ``"common"`` frame; default: the mean Zeeman frequency.
        Must be left out for the ``"qubit"`` frame.
    drive_model : {"local", "global"}
        ``"local"`` (default): controls ``(Ωx_i, Ωy_i)`` drive qubit ``i`` only;
        ``"global"``: controls ``(I_j, Q_j)`` of tone ``j`` (carrier ``E_j``) on one antenna
        acting on all qubits (module docstring).
    integrator : {"midpoint", "cf4"}
        Propagation inside a slice (module docstring); default ``"midpoint"``.
    substeps : int
        Sub-steps per control slice (>= 1); default 1.
    min_exchange : float
        Residual exchange ``J_min`` (GHz, ``0 <= J_min < J_max``); default 0.  The device
        code of Long et al. (``qugradlab``) bounds ``J`` to ``[J_min, J_max]`` with
        ``J_min = 5 MHz`` by default (exchange cannot be switched fully off).

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
    drive_model: str = "local"
    integrator: str = "midpoint"
    substeps: int = 1
    min_exchange: float = 0.0

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
        jmin = check_real(self.min_exchange, "min_exchange", minimum=0.0)
        if jmin >= mj:
            raise ValueError(
                f"min_exchange must be < max_exchange = {mj} GHz, got {jmin}"
            )
        object.__setattr__(self, "min_exchange", jmin)
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
        if self.drive_model not in DRIVE_MODELS:
            raise ValueError(f"drive_model must be one of {DRIVE_MODELS}, got {self.drive_model!r}")
        if self.integrator not in INTEGRATORS:
            raise ValueError(f"integrator must be one of {INTEGRATORS}, got {self.integrator!r}")
        object.__setattr__(self, "substeps", check_int(self.substeps, "substeps", minimum=1))

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
        drive_model: str = "local",
        integrator: str = "midpoint",
        substeps: int = 1,
        min_exchange: float = 0.0,
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
        frame, reference_frequency, drive_model, integrator, substeps, min_exchange
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
        return cls(ez, max_drive, max_exchange, frame, reference_frequency, drive_model,
                   integrator, substeps, min_exchange)

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

    def tone_frequencies(self) -> np.ndarray:
        """Carrier ``ω_j`` (GHz) of drive tone ``j``: the resonance ``E_j`` of qubit ``j``."""
        return np.asarray(self.zeeman)

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
        ddet = None
        if self.drive_model == "global":
            ddet = self.frame_frequencies()[:, None] - self.tone_frequencies()[None, :]
        return DeviceOperators(drift, x, y, zz, ff, detuning, ddet)

    def effective_drive(self, i_env: object, q_env: object, t: object) -> tuple:
        """Per-qubit rotating-frame drive ``(Ωx_i, Ωy_i)`` (GHz) of the global antenna.

        ``z_i = Σ_j (I_j + iQ_j) e^{2πi (f_i - ω_j) t}``, ``Ωx = -Re z/2``, ``Ωy = Im z/2``
        (module docstring); ``i_env``, ``q_env`` of shape ``(..., n)``, ``t`` broadcast
        against their leading axes.  For ``drive_model="local"`` the envelopes are returned.
        """
        i_env, q_env = np.asarray(i_env, dtype=float), np.asarray(q_env, dtype=float)
        if self.drive_model == "local":
            return i_env, q_env
        ddet = self.operators().drive_detuning
        ph = np.exp(2j * math.pi * np.asarray(t, dtype=float)[..., None, None] * ddet)
        z = np.einsum("...ij,...j->...i", ph, i_env + 1j * q_env)
        return -0.5 * z.real, 0.5 * z.imag

    def lab_hamiltonian(
        self, i_env: object, q_env: object, exchange: object, t: float
    ) -> np.ndarray:
        """Lab-frame ``H/h`` (GHz) of the global antenna, no RWA (module docstring).

        ``Σ_i E_i/2 Z_i - g(t)/2 Σ_i X_i + Σ_b J_b/4 σ·σ``,
        ``g = Σ_j [I_j cos(2π ω_j t) + Q_j sin(2π ω_j t)]``.
        """
        n, nb = self.n_qubits, len(self.bonds)
        iv = _check_vector(i_env, "I", n)
        qv = _check_vector(q_env, "Q", n)
        j = _check_vector(exchange, "exchange", nb)
        w = 2 * math.pi * self.tone_frequencies() * t
        g = float(np.sum(iv * np.cos(w) + qv * np.sin(w)))
        h = np.zeros((self.dim, self.dim), dtype=complex)
        for q in range(n):
            h += 0.5 * self.zeeman[q] * embed({q: _Z}, n) - 0.5 * g * embed({q: _X}, n)
        for b, (a, c) in enumerate(self.bonds):
            for p in (_X, _Y, _Z):
                h += 0.25 * j[b] * embed({a: p, c: p}, n)
        return h

    def hamiltonian(
        self, omega_x: object, omega_y: object, exchange: object, t: float = 0.0
    ) -> np.ndarray:
        """Rotating-frame ``H/h`` (GHz, dense ``2^n × 2^n``) for given controls at time ``t`` (ns).

        Parameters
        ----------
        omega_x, omega_y : sequence of float
            Drive envelopes per qubit (GHz); ``sqrt(Ωx² + Ωy²) <= max_drive`` is required.
            For ``drive_model="global"``: the tone envelopes ``I_j, Q_j`` (``|I|, |Q| <=
            max_drive``), turned into the time-dependent per-qubit drive at ``t``.
        exchange : sequence of float
            Exchange per bond (GHz), in ``[min_exchange, max_exchange]``.
        t : float
            Time (ns); enters through the flip-flop phases of the ``"qubit"`` frame and the
            cross-tone phases of the ``"global"`` drive.

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
        if self.drive_model == "global":
            if max(np.max(np.abs(ox)), np.max(np.abs(oy))) > self.max_drive + tol:
                raise ValueError(
                    f"tone envelopes must satisfy |I|, |Q| <= max_drive = {self.max_drive} GHz, "
                    f"got I = {ox.tolist()}, Q = {oy.tolist()}"
                )
            ox, oy = self.effective_drive(ox, oy, t)
        elif np.any(np.hypot(ox, oy) > self.max_drive + tol):
            raise ValueError(
                f"drive amplitude sqrt(omega_x² + omega_y²) must be <= max_drive = "
                f"{self.max_drive} GHz, got {np.hypot(ox, oy).tolist()}"
            )
        if np.any(j < self.min_exchange * (1 - 1e-12)) or np.any(
            j > self.max_exchange * (1 + 1e-12)
        ):
            raise ValueError(
                f"exchange must lie in [min_exchange, max_exchange] = [{self.min_exchange}, "
                f"{self.max_exchange}] GHz, got {j.tolist()}"
            )
        ops = self.operators()
        h = ops.drift.copy()
        h += 0.5 * (np.tensordot(ox, ops.x, 1) + np.tensordot(oy, ops.y, 1))
        for b in range(nb):
            phase = np.exp(2j * math.pi * ops.detuning[b] * t)
            ff = phase * ops.flipflop[b]
            h += j[b] * (0.25 * ops.zz[b] + 0.5 * (ff + ff.conj().T))
        return h
