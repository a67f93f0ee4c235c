"""Matrix product operators (MPO) of qubit chains: Hamiltonians, evolution operators, circuits.

Index convention
----------------
``MPO.tensors[i]`` is a complex array of shape ``(chi_i, 2, 2, chi_{i+1})`` with
indices ``(left bond, out, in, right bond)``: the operator is
``A = sum A[0][., o_0, i_0, .] ... A[n-1][., o_{n-1}, i_{n-1}, .] |o><i|``.
Site ``i`` is qiskit qubit ``i``; :meth:`MPO.to_dense` returns the
little-endian matrix of qiskit (``qiskit.quantum_info.Operator(...).data``),
row index ``sum_i o_i 2**i``.  Pauli operators, ``hbar = 1``,
``U(tau) = exp(-i H tau)``, as everywhere in tnqc.

Vectorised operators
--------------------
An operator is a state of ``n`` sites of local dimension 4 (``p = 2 o + i``);
its 2-norm is the Frobenius norm, and ``<<A|B>> = Tr(A^dagger B)``.  The
evolution operator is built by TEBD on this vectorised operator
(:func:`evolution_mpo`): starting from the identity, every bond gate
``exp(-i tau h_bond)`` of :class:`mps.BondGates` acts on the *out* legs
(``G A``), with the layer schedule of :func:`mps.trotter_layers` and the
truncation rule of :func:`mps.evolve` (drop the smallest singular values while
their relative weight stays <= ``cutoff``, keep <= ``max_bond``).  The
discarded relative weight ``w`` bounds the normalised Frobenius error,
``||U - U_mpo||_F / 2^{n/2} <~ sqrt(w)``.

Overlaps
--------
:meth:`MPO.hs_overlap` is the normalised Hilbert-Schmidt overlap
``|Tr(A^dagger B)| / 2^n`` (1 for equal unitaries up to a phase), computed with a
running log-scale so that it stays finite at 100+ qubits; ``B`` may be an MPO
or a qiskit circuit of one- and nearest-neighbour two-qubit gates (converted
exactly by :meth:`MPO.from_circuit`).

Example
-------
>>> from mps import heisenberg
>>> from mps.mpo import MPO, evolution_mpo
>>> chain = heisenberg(6, j=0.25)
>>> u = evolution_mpo(chain, 0.25, dt=0.05)
>>> u.n, u.max_bond() <= 16
(6, True)
>>> round(u.hs_overlap(u), 12), round(MPO.identity(6).hs_overlap(MPO.identity(6)), 12)
(1.0, 1.0)
"""

from __future__ import annotations

import json
import math
import os
import zipfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from ._validate import check_int, check_real
from ._versions import versions
from .atomic import atomic_write
from .hamiltonian import SpinChain
from .tebd import BondGates, TEBDConfig, svd, trotter_layers, truncation_rank

__all__ = ["MAX_DENSE_QUBITS", "MPO", "evolution_mpo", "hamiltonian_mpo"]

MAX_DENSE_QUBITS = 10
_FORMAT = "tnqc.mpo"
_FORMAT_VERSION = 1
_PAULI = (
    np.eye(2, dtype=complex),
    np.array([[0, 1], [1, 0]], dtype=complex),
    np.array([[0, -1j], [1j, 0]], dtype=complex),
    np.array([[1, 0], [0, -1]], dtype=complex),
)


def _check_tensors(arrays: list[np.ndarray]) -> None:
    if len(arrays) < 2:
        raise ValueError(f"an MPO needs n >= 2 site tensors, got {len(arrays)}")
    for i, t in enumerate(arrays):
        if t.ndim != 4 or t.shape[1:3] != (2, 2):
            raise ValueError(f"tensor {i} must have shape (chi_l, 2, 2, chi_r), got {t.shape}")
        if i > 0 and t.shape[0] != arrays[i - 1].shape[3]:
            raise ValueError(
                f"bond mismatch between tensors {i - 1} and {i}: "
                f"{arrays[i - 1].shape[3]} != {t.shape[0]}"
            )
        if not np.all(np.isfinite(t)):
            raise ValueError(f"tensor {i} has non-finite entries")
    if arrays[0].shape[0] != 1 or arrays[-1].shape[3] != 1:
        raise ValueError("open boundaries need chi = 1 on the outer bonds of the first/last tensor")


class MPO:
    """An immutable matrix product operator on ``n`` qubits (see the module docstring).

    Parameters
    ----------
    tensors : sequence of numpy.ndarray
        ``n >= 2`` arrays of shape ``(chi_l, 2, 2, chi_r)`` (left, out, in, right).
    metadata : mapping, optional
        JSON-serialisable information (filled by :func:`evolution_mpo`, stored by :meth:`save`).
    """

    __slots__ = ("_metadata", "_tensors")

    def __init__(
        self, tensors: Sequence[np.ndarray], metadata: Mapping[str, Any] | None = None
    ) -> None:
        arrays = [np.array(t, dtype=complex) for t in tensors]
        _check_tensors(arrays)
        for a in arrays:
            a.flags.writeable = False
        self._tensors = tuple(arrays)
        meta = dict(metadata or {})
        try:
            meta = json.loads(json.dumps(meta, allow_nan=True))
        except TypeError as exc:
            raise TypeError(f"metadata must be JSON-serialisable: {exc}") from exc
        self._metadata = MappingProxyType(meta)

    # ------------------------------------------------------------ properties
    @property
    def n(self) -> int:
        return len(self._tensors)

    @property
    def tensors(self) -> tuple[np.ndarray, ...]:
        return self._tensors

    @property
    def metadata(self) -> Mapping[str, Any]:
        return self._metadata

    def bond_dims(self) -> list[int]:
        """Inner bond dimensions ``chi_1 .. chi_{n-1}``."""
        return [t.shape[3] for t in self._tensors[:-1]]

    def max_bond(self) -> int:
        return max(self.bond_dims())

    def __repr__(self) -> str:
        return f"MPO(n={self.n}, max_bond={self.max_bond()})"

    # ---------------------------------------------------------- constructors
    @classmethod
    def identity(cls, n: int) -> MPO:
        """The identity on ``n`` qubits (bond dimension 1)."""
        n = check_int(n, "n", minimum=2)
        eye = np.eye(2, dtype=complex).reshape(1, 2, 2, 1)
        return cls([eye] * n)

    @classmethod
    def from_hamiltonian(cls, chain: SpinChain) -> MPO:
        """The Hamiltonian of ``chain`` (bond dimension 5); see :func:`hamiltonian_mpo`."""
        return hamiltonian_mpo(chain)

    @classmethod
    def from_circuit(cls, circuit: Any, cutoff: float = 1e-14) -> MPO:
        """The unitary of a qiskit circuit, exactly (SVDs drop only weights <= ``cutoff``).

        Gates act on one qubit or on two neighbouring qubits ``(i, i+1)`` (either
        order); barriers are skipped and the global phase is kept.

        Raises
        ------
        ValueError
            For measurements, resets, gates on more than two or on non-adjacent qubits.
        """
        from qiskit import QuantumCircuit
        from qiskit.quantum_info import Operator

        if not isinstance(circuit, QuantumCircuit):
            raise TypeError(
                f"circuit must be a qiskit QuantumCircuit, got {type(circuit).__name__}")
        n = circuit.num_qubits
        if n < 2:
            raise ValueError(f"circuit must have >= 2 qubits, got {n}")
        op = _VidalOperator(cls.identity(n))
        swap = np.eye(4)[[0, 2, 1, 3]]
        with threadpool_limits(limits=1, user_api="blas"):
            for inst in circuit.data:
                name = inst.operation.name
                if name == "barrier":
                    continue
                qubits = [circuit.find_bit(q).index for q in inst.qubits]
                try:
                    mat = Operator(inst.operation).data
                except Exception as exc:  # measurement, reset, ...
                    raise ValueError(f"gate {name!r} has no unitary matrix") from exc
                if len(qubits) == 1:
                    op.apply_site(qubits[0], mat)
                elif len(qubits) == 2 and abs(qubits[0] - qubits[1]) == 1:
                    # qiskit: first listed qubit least significant; ours: lower site more
                    mat = mat if qubits[0] > qubits[1] else swap @ mat @ swap
                    op.update_bond(min(qubits), mat, None, cutoff)
                else:
                    raise ValueError(
                        f"gate {name!r} on qubits {qubits}: only one-qubit and nearest-neighbour "
                        "two-qubit gates are supported"
                    )
        out = op.to_mpo({"source": "circuit", "name": circuit.name})
        phase = np.exp(1j * float(circuit.global_phase))
        ts = list(out.tensors)
        ts[0] = ts[0] * phase
        return MPO(ts, out.metadata)

    # ------------------------------------------------------------ algebra
    def dagger(self) -> MPO:
        """The adjoint ``A^dagger``."""
        return MPO([t.transpose(0, 2, 1, 3).conj() for t in self._tensors], self._metadata)

    def log_trace_overlap(self, other: MPO) -> tuple[float, float]:
        """``(log|Tr(self^dagger other)|, phase)``, finite even when the trace under/overflows."""
        if not isinstance(other, MPO):
            raise TypeError(f"other must be an MPO, got {type(other).__name__}")
        if other.n != self.n:
            raise ValueError(f"other has n={other.n} sites, expected n={self.n}")
        env = np.ones((1, 1), dtype=complex)
        log = 0.0
        for a, b in zip(self._tensors, other._tensors, strict=True):
            tmp = np.tensordot(env, b, axes=(1, 0))  # (a', o, i, y)
            env = np.tensordot(a.conj(), tmp, axes=([0, 1, 2], [0, 1, 2]))  # (x, y)
            nrm = np.linalg.norm(env)
            if nrm == 0.0:
                return -math.inf, 0.0
            env = env / nrm
            log += math.log(nrm)
        amp = complex(env[0, 0])
        return log + math.log(abs(amp)) if amp != 0 else -math.inf, float(np.angle(amp))

    def trace_overlap(self, other: MPO) -> complex:
        """``Tr(self^dagger other)`` (may overflow for large n; see :meth:`log_trace_overlap`)."""
        log, phase = self.log_trace_overlap(other)
        return complex(np.exp(log + 1j * phase))

    def hs_overlap(self, other: Any) -> float:
        """The normalised Hilbert-Schmidt overlap ``|Tr(self^dagger other)| / 2^n``.

        ``other`` is an MPO or a qiskit ``QuantumCircuit`` (:meth:`from_circuit`).
        For unitaries, ``hs_overlap**2`` is the fidelity ``|Tr(U^dagger V)|^2 / 4^n``.
        """
        if not isinstance(other, MPO):
            other = MPO.from_circuit(other)
        log, _ = self.log_trace_overlap(other)
        return float(np.exp(log - self.n * math.log(2.0)))

    def frobenius_norm(self) -> float:
        """``sqrt(Tr(A^dagger A))``."""
        return float(np.exp(0.5 * self.log_trace_overlap(self)[0]))

    def apply(self, state):  # -> mps.MPS
        """``A|psi>`` as an (unnormalised) MPS, bond dimensions multiplied, no truncation."""
        from .state import MPS

        if not isinstance(state, MPS) or state.n != self.n:
            raise ValueError(f"state must be an MPS on n={self.n} sites")
        ts = []
        for a, s in zip(self._tensors, state.tensors, strict=True):
            t = np.einsum("aoib,xiy->axoby", a, s)
            ts.append(t.reshape(a.shape[0] * s.shape[0], 2, a.shape[3] * s.shape[2]))
        return MPS(ts)

    def to_dense(self) -> np.ndarray:
        """The ``2^n x 2^n`` matrix, little-endian (qiskit's ``Operator.data``); ``n <= 10``."""
        if self.n > MAX_DENSE_QUBITS:
            raise ValueError(
                f"to_dense() builds a 4**n matrix; n must be <= {MAX_DENSE_QUBITS}, got {self.n}"
            )
        out = self._tensors[0][0]  # (o0, i0, r)
        for t in self._tensors[1:]:
            out = np.tensordot(out, t, axes=(-1, 0))
        out = out[..., 0]  # (o0, i0, o1, i1, ...)
        n = self.n
        # little-endian: qubit n-1 most significant, so the axes go n-1 .. 0
        perm = [2 * q for q in range(n - 1, -1, -1)] + [2 * q + 1 for q in range(n - 1, -1, -1)]
        return out.transpose(perm).reshape(2**n, 2**n)

    # ------------------------------------------------------------ save / load
    def save(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
        """Write the tensors and metadata to an ``.npz`` file atomically (like :meth:`MPS.save`)."""
        path = Path(path)
        if path.suffix != ".npz":
            raise ValueError(f"path must end in .npz, got {str(path)!r}")
        if path.exists() and not overwrite:
            raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
        header = {"format": _FORMAT, "format_version": _FORMAT_VERSION, "n": self.n,
                  "metadata": dict(self._metadata)}
        arrays = {f"tensor_{i}": t for i, t in enumerate(self._tensors)}
        arrays["header"] = np.array(json.dumps(header))
        return atomic_write(path, lambda fh: np.savez(fh, **arrays), overwrite=overwrite)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> MPO:
        """Read an MPO written by :meth:`save` (ValueError for other or corrupt files)."""
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"no such file: {path}")
        try:
            with np.load(path, allow_pickle=False) as data:
                if "header" not in data.files:
                    raise ValueError("no 'header' entry")
                header = json.loads(str(data["header"]))
                if not isinstance(header, dict) or header.get("format") != _FORMAT:
                    raise ValueError(f"format is not {_FORMAT!r}")
                if header.get("format_version") != _FORMAT_VERSION:
                    raise ValueError(f"unsupported format_version {header.get('format_version')!r}")
                n = header.get("n")
                if not isinstance(n, int) or n < 2:
                    raise ValueError(f"bad n={n!r}")
                tensors = [data[f"tensor_{i}"] for i in range(n)]
            meta = header.get("metadata", {})
            if not isinstance(meta, dict):
                raise ValueError("metadata is not a mapping")
            if any(t.dtype != np.complex128 for t in tensors):
                raise ValueError("tensors must be complex128")
            return cls(tensors, meta)
        except (zipfile.BadZipFile, OSError, EOFError, json.JSONDecodeError, KeyError,
                ValueError) as exc:
            raise ValueError(f"{path} is not a readable tnqc MPO file: {exc}") from exc


# ------------------------------------------------------------------- builders
def hamiltonian_mpo(chain: SpinChain) -> MPO:
    """``H`` of a nearest-neighbour chain as an MPO of bond dimension 5.

    Finite-state form: bond index 4 = "no term started", 1..3 = "X/Y/Z placed on the
    previous site", 0 = "term complete"; site ``i`` carries ``W[4,4] = I``,
    ``W[4,k] = sigma_k``, ``W[k,0] = J^k_{i-1} sigma_k``, ``W[4,0] = h_i . sigma``,
    ``W[0,0] = I``.
    """
    if not isinstance(chain, SpinChain):
        raise TypeError(f"chain must be a SpinChain, got {type(chain).__name__}")
    n = chain.n
    ts = []
    for i in range(n):
        w = np.zeros((5, 2, 2, 5), dtype=complex)
        w[4, :, :, 4] = _PAULI[0]
        w[0, :, :, 0] = _PAULI[0]
        w[4, :, :, 0] = chain.hx[i] * _PAULI[1] + chain.hy[i] * _PAULI[2] + chain.hz[i] * _PAULI[3]
        for k, couplings in ((1, chain.jx), (2, chain.jy), (3, chain.jz)):
            w[4, :, :, k] = _PAULI[k]
            if i > 0:
                w[k, :, :, 0] = couplings[i - 1] * _PAULI[k]
        if i == 0:
            w = w[4:5]
        if i == n - 1:
            w = w[..., 0:1]
        ts.append(w)
    return MPO(ts, {"source": "hamiltonian", "model": chain.to_dict()})


class _VidalOperator:
    """A vectorised operator (local dimension 4) in right-canonical form with Schmidt values.

    ``B[i]`` has shape ``(chi_l, 2, 2, chi_r)``; the vector is ``B[0] B[1] ...`` with
    unit 2-norm; ``scale`` is its true Frobenius norm (kept apart to avoid overflow).
    """

    def __init__(self, mpo: MPO) -> None:
        ts = [np.array(t).reshape(t.shape[0], 4, t.shape[3]) for t in mpo.tensors]
        n = len(ts)
        log_scale = 0.0
        for i in range(n - 1):  # left-canonical QR sweep
            l_, d, r = ts[i].shape
            q, rr = np.linalg.qr(ts[i].reshape(l_ * d, r))
            ts[i] = q.reshape(l_, d, -1)
            ts[i + 1] = np.tensordot(rr, ts[i + 1], axes=(1, 0))
        nrm = float(np.linalg.norm(ts[-1]))
        ts[-1] = ts[-1] / nrm
        log_scale += math.log(nrm)
        self.S: list[np.ndarray] = [np.ones(1)] * (n + 1)
        for i in range(n - 1, 0, -1):  # right-to-left SVD sweep
            l_, d, r = ts[i].shape
            u, s, vh = svd(ts[i].reshape(l_, d * r))
            keep = s > 1e-15 * s[0]
            u, s, vh = u[:, keep], s[keep], vh[keep]
            ts[i] = vh.reshape(-1, d, r)
            self.S[i] = s / np.linalg.norm(s)
            ts[i - 1] = np.tensordot(ts[i - 1], u * s, axes=(2, 0))
        ts[0] = ts[0] / np.linalg.norm(ts[0])
        self.B = ts
        self.log_scale = log_scale

    def apply_site(self, i: int, mat: np.ndarray) -> None:
        """Left-multiply site ``i`` by a unitary 2x2 ``mat`` (keeps the canonical form)."""
        b = self.B[i].reshape(self.B[i].shape[0], 2, 2, -1)
        self.B[i] = np.einsum("ab,xbiy->xaiy", mat, b).reshape(b.shape[0], 4, -1)

    def update_bond(self, i: int, gate: np.ndarray, max_bond: int | None, cutoff: float) -> float:
        """Left-multiply bond ``(i, i+1)`` by a unitary 4x4 ``gate``; return the discarded weight.

        ``gate`` has site ``i`` as the more significant index (the TEBD convention).
        """
        bi, bj = self.B[i], self.B[i + 1]
        chi_l, chi_r = bi.shape[0], bj.shape[2]
        c = np.tensordot(bi, bj, axes=(2, 0)).reshape(chi_l, 2, 2, 2, 2, chi_r)
        c = np.einsum("abcd,lcxdyr->laxbyr", gate.reshape(2, 2, 2, 2), c)
        c = c.reshape(chi_l * 4, 4 * chi_r)
        theta = (self.S[i][:, None] * c.reshape(chi_l, -1)).reshape(chi_l * 4, 4 * chi_r)
        _, s, z = svd(theta)
        keep, discarded = truncation_rank(s, max_bond, cutoff)
        s, z = s[:keep], z[:keep]
        self.S[i + 1] = s / np.linalg.norm(s)
        self.B[i + 1] = z.reshape(keep, 4, chi_r)
        self.B[i] = (c @ z.conj().T).reshape(chi_l, 4, keep)
        return discarded

    def apply_layer(self, bonds, gates, max_bond, cutoff, pool) -> float:
        if pool is None or len(bonds) < 2:
            return sum(self.update_bond(i, g, max_bond, cutoff)
                       for i, g in zip(bonds, gates, strict=True))
        workers = pool._max_workers

        def run(k: int) -> float:
            return sum(self.update_bond(i, g, max_bond, cutoff)
                       for i, g in zip(bonds[k::workers], gates[k::workers], strict=True))

        return sum(pool.map(run, range(workers)))

    def to_mpo(self, metadata: Mapping[str, Any] | None = None) -> MPO:
        """The operator with its Frobenius norm spread evenly over the sites."""
        n = len(self.B)
        ts = [b.reshape(b.shape[0], 2, 2, b.shape[2]) for b in self.B]
        ts[0] = ts[0] / np.linalg.norm(ts[0])
        factor = math.exp(self.log_scale / n)
        return MPO([t * factor for t in ts], metadata)


def evolution_mpo(
    chain: SpinChain,
    tau: float,
    dt: float | None = None,
    order: int = 4,
    max_bond: int | None = None,
    cutoff: float = 1e-12,
    *,
    threads: int | None = None,
) -> MPO:
    """``U(tau) = exp(-i H tau)`` as an MPO, by TEBD on the vectorised operator.

    Parameters
    ----------
    chain : SpinChain
        Nearest-neighbour Hamiltonian (Pauli convention).
    tau : float
        Time (> 0, finite).
    dt : float, optional
        Largest Trotter step (default ``min(tau, 0.05)``); ``ceil(tau/dt)`` equal steps.
    order : {1, 2, 4}
        Trotter-Suzuki order (default 4).
    max_bond : int, optional
        Bond-dimension cap of the MPO.
    cutoff : float
        Largest discarded relative (Frobenius) weight per SVD.
    threads : int, optional
        Worker threads for the bonds of a layer (default: CPUs, at most 8).

    Returns
    -------
    MPO
        Its metadata holds ``tau``, ``dt_used``, ``steps``, ``order``, ``max_bond``,
        ``cutoff``, ``truncation_error`` (summed discarded weight), the model and versions.
    """
    if not isinstance(chain, SpinChain):
        raise TypeError(f"chain must be a SpinChain, got {type(chain).__name__}")
    tau = check_real(tau, "tau", minimum=0.0, strict=True)
    config = TEBDConfig(dt=min(tau, 0.05) if dt is None else dt, order=order,
                        max_bond=max_bond, cutoff=cutoff)
    if threads is None:
        threads = min(os.cpu_count() or 1, 8)
    threads = check_int(threads, "threads", minimum=1)
    nsteps = max(1, math.ceil(tau / config.dt - 1e-9))
    dt_eff = tau / nsteps
    gates = BondGates(chain)
    op = _VidalOperator(MPO.identity(chain.n))
    trunc = 0.0
    n = chain.n
    pool = ThreadPoolExecutor(threads) if threads > 1 and n > 3 else None
    try:
        with threadpool_limits(limits=1, user_api="blas"):
            for parity, t_layer, _ in trotter_layers(config.order, dt_eff, nsteps):
                bonds = list(range(parity, n - 1, 2))
                trunc += op.apply_layer(bonds, [gates(i, t_layer) for i in bonds],
                                        config.max_bond, config.cutoff, pool)
    finally:
        if pool is not None:
            pool.shutdown()
    meta = {"source": "evolution", "model": chain.to_dict(), "tau": tau, "dt": config.dt,
            "dt_used": dt_eff, "steps": nsteps, "order": config.order,
            "max_bond": config.max_bond, "cutoff": config.cutoff,
            "truncation_error": trunc, "versions": versions()}
    return op.to_mpo(meta)
