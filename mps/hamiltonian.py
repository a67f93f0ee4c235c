"""Nearest-neighbour spin-chain Hamiltonians on open boundaries.

Conventions (the same throughout tnqc)
-------------------------------------
* Operators are **Pauli** matrices X, Y, Z (eigenvalues +-1), not spin-1/2
  operators S = sigma/2.  A user with a Hamiltonian written in spins,
  ``J S.S``, passes ``j = J / 4`` here and fields ``h S^z`` as ``hz = h / 2``.
* Sites ``0 .. n-1`` from left to right; site ``i`` is qiskit qubit ``i``.
  Dense vectors and sparse matrices are **little-endian** like qiskit:
  basis index ``k = sum_i b_i 2**i`` where ``b_i`` is the bit of qubit ``i``.
* ``|0>`` is the Z = +1 eigenstate.
* Units: hbar = 1; time is measured in units of 1/J where J is the energy
  scale of the couplings, and states evolve as ``exp(-i H t)``.

The Hamiltonian is

    H = sum_{i=0}^{n-2} ( Jx_i X_i X_{i+1} + Jy_i Y_i Y_{i+1} + Jz_i Z_i Z_{i+1} )
      + sum_{i=0}^{n-1} ( hx_i X_i + hy_i Y_i + hz_i Z_i ).

Example
-------
>>> from mps import heisenberg
>>> chain = heisenberg(4, j=1.0)
>>> chain.n, chain.jz
(4, (1.0, 1.0, 1.0))
>>> op = chain.to_sparse_pauli_op()
>>> op.num_qubits
4
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from ._validate import check_int

__all__ = ["SpinChain", "heisenberg", "ising", "xxz"]

_PAULI = {
    "I": np.eye(2, dtype=complex),
    "X": np.array([[0, 1], [1, 0]], dtype=complex),
    "Y": np.array([[0, -1j], [1j, 0]], dtype=complex),
    "Z": np.array([[1, 0], [0, -1]], dtype=complex),
}

# The largest n for which dense/sparse matrices are built.
MAX_SPARSE_QUBITS = 24


def _as_couplings(value: Any, length: int, name: str) -> tuple[float, ...]:
    """Broadcast a scalar or a sequence to a tuple of ``length`` finite floats."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a real number or a sequence of {length} real numbers")
    try:
        if np.iscomplexobj(np.asarray(value)):
            raise TypeError(f"{name} must be real, got complex values")
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        if "complex" in str(exc):
            raise
        raise TypeError(
            f"{name} must be a real number or a sequence of {length} real numbers"
        ) from exc
    if arr.ndim == 0:
        arr = np.full(length, float(arr))
    if arr.shape != (length,):
        raise ValueError(f"{name} must have length {length}, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {arr.tolist()}")
    return tuple(float(x) for x in arr)


@dataclass(frozen=True)
class SpinChain:
    """A nearest-neighbour spin-1/2 chain with open boundaries (Pauli convention).

    Parameters
    ----------
    n : int
        Number of sites (qubits), ``n >= 2``.
    jx, jy, jz : float or sequence of float
        Couplings on the ``n - 1`` bonds ``(i, i+1)``; a scalar is broadcast.
    hx, hy, hz : float or sequence of float
        Fields on the ``n`` sites; a scalar is broadcast.
    name : str
        A label recorded in metadata and reports (``"heisenberg"``, ...).

    Notes
    -----
    All coupling tuples are stored as plain Python floats, so a chain is
    hashable, comparable and serialisable with :meth:`to_dict`.
    """

    n: int
    jx: tuple[float, ...] = field(default=0.0)  # type: ignore[assignment]
    jy: tuple[float, ...] = field(default=0.0)  # type: ignore[assignment]
    jz: tuple[float, ...] = field(default=0.0)  # type: ignore[assignment]
    hx: tuple[float, ...] = field(default=0.0)  # type: ignore[assignment]
    hy: tuple[float, ...] = field(default=0.0)  # type: ignore[assignment]
    hz: tuple[float, ...] = field(default=0.0)  # type: ignore[assignment]
    name: str = "custom"

    def __post_init__(self) -> None:
        n = check_int(self.n, "n", minimum=2)
        object.__setattr__(self, "n", n)
        for key in ("jx", "jy", "jz"):
            object.__setattr__(self, key, _as_couplings(getattr(self, key), n - 1, key))
        for key in ("hx", "hy", "hz"):
            object.__setattr__(self, key, _as_couplings(getattr(self, key), n, key))
        if not isinstance(self.name, str):
            raise TypeError(f"name must be a str, got {type(self.name).__name__}")

    # ------------------------------------------------------------------ terms
    def bond_hamiltonian(self, i: int) -> np.ndarray:
        """The 4x4 term on bond ``(i, i+1)`` used by TEBD.

        The two-qubit basis is ordered with site ``i`` as the *more*
        significant bit (``index = 2 * s_i + s_{i+1}``), the natural order of
        the MPS tensors.  Single-site fields are shared equally among the
        bonds that touch a site (an edge site gives its whole field to its one
        bond), so that ``sum_i bond_hamiltonian(i)`` (embedded) equals ``H``.
        """
        i = check_int(i, "i", minimum=0)
        if i >= self.n - 1:
            raise ValueError(f"bond index i must be in [0, {self.n - 2}], got {i}")
        X, Y, Z, I2 = _PAULI["X"], _PAULI["Y"], _PAULI["Z"], _PAULI["I"]
        h = self.jx[i] * np.kron(X, X) + self.jy[i] * np.kron(Y, Y) + self.jz[i] * np.kron(Z, Z)
        for site, embed in ((i, lambda o: np.kron(o, I2)), (i + 1, lambda o: np.kron(I2, o))):
            share = 1.0 / (1 if site in (0, self.n - 1) else 2)
            local = self.hx[site] * X + self.hy[site] * Y + self.hz[site] * Z
            h = h + share * embed(local)
        return h

    def pauli_terms(self) -> list[tuple[str, tuple[int, ...], float]]:
        """The Hamiltonian as ``(pauli_label, qubits, coefficient)`` triples.

        Labels are written in the order of ``qubits`` (qiskit's
        ``SparsePauliOp.from_sparse_list`` format); zero terms are omitted.
        """
        terms: list[tuple[str, tuple[int, ...], float]] = []
        for i in range(self.n - 1):
            for label, coeffs in (("XX", self.jx), ("YY", self.jy), ("ZZ", self.jz)):
                if coeffs[i] != 0.0:
                    terms.append((label, (i, i + 1), coeffs[i]))
        for i in range(self.n):
            for label, coeffs in (("X", self.hx), ("Y", self.hy), ("Z", self.hz)):
                if coeffs[i] != 0.0:
                    terms.append((label, (i,), coeffs[i]))
        return terms

    # ------------------------------------------------------------ conversions
    def to_sparse_pauli_op(self):  # -> qiskit.quantum_info.SparsePauliOp
        """The Hamiltonian as a qiskit ``SparsePauliOp`` (qubit ``i`` = site ``i``)."""
        from qiskit.quantum_info import SparsePauliOp

        terms = [(label, list(qubits), coeff) for label, qubits, coeff in self.pauli_terms()]
        if not terms:
            return SparsePauliOp.from_sparse_list([("", [], 0.0)], num_qubits=self.n)
        return SparsePauliOp.from_sparse_list(terms, num_qubits=self.n).simplify(atol=0.0)

    def to_sparse(self) -> sp.csr_matrix:
        """The Hamiltonian as a ``2**n x 2**n`` sparse CSR matrix (little-endian).

        Raises
        ------
        ValueError
            If ``n > 24`` (the matrix would not fit in memory).
        """
        if self.n > MAX_SPARSE_QUBITS:
            raise ValueError(
                f"to_sparse() builds a 2**n matrix; n must be <= {MAX_SPARSE_QUBITS}, got {self.n}"
            )
        dim = 2**self.n
        # Diagonal (Z/ZZ) and off-diagonal (X, Y) parts built from bit masks.
        idx = np.arange(dim, dtype=np.int64)
        bits = [(idx >> q) & 1 for q in range(self.n)]
        zsign = [1 - 2 * b for b in bits]  # +1 for |0>, -1 for |1>
        diag = np.zeros(dim)
        rows, cols, vals = [], [], []
        for label, qubits, coeff in self.pauli_terms():
            if set(label) == {"Z"}:
                term = np.full(dim, coeff)
                for q in qubits:
                    term = term * zsign[q]
                diag += term
                continue
            flip = 0
            phase = np.full(dim, complex(coeff))
            for p, q in zip(label, qubits, strict=True):
                if p in "XY":
                    flip |= 1 << q
                if p == "Y":  # Y|b> = i(-1)^b |1-b>
                    phase = phase * (1j * zsign[q])
                elif p == "Z":
                    phase = phase * zsign[q]
            rows.append(idx ^ flip)
            cols.append(idx)
            vals.append(phase)
        rows.append(idx)
        cols.append(idx)
        vals.append(diag.astype(complex))
        mat = sp.coo_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(dim, dim)
        )
        return mat.tocsr()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable description (inverse: :meth:`from_dict`)."""
        return {
            "name": self.name,
            "n": self.n,
            **{k: list(getattr(self, k)) for k in ("jx", "jy", "jz", "hx", "hy", "hz")},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SpinChain:
        """Rebuild a chain from :meth:`to_dict` output."""
        if not isinstance(data, Mapping):
            raise TypeError(f"data must be a mapping, got {type(data).__name__}")
        allowed = {"name", "n", "jx", "jy", "jz", "hx", "hy", "hz"}
        unknown = set(data) - allowed
        if unknown:
            raise ValueError(f"unknown SpinChain keys: {sorted(unknown)}")
        if "n" not in data:
            raise ValueError("SpinChain data needs the key 'n'")
        return cls(**dict(data))

    def norm_bound(self) -> float:
        """An upper bound on the operator norm of H (sum of |coefficients|)."""
        return float(sum(abs(c) for _, _, c in self.pauli_terms()))


def heisenberg(n: int, j: float | Sequence[float] = 1.0) -> SpinChain:
    """Heisenberg chain ``H = sum_i j_i (X X + Y Y + Z Z)`` (Pauli operators).

    ``j > 0`` is antiferromagnetic.  ``j`` may be a sequence of ``n - 1``
    bond couplings.
    """
    return SpinChain(n, jx=j, jy=j, jz=j, name="heisenberg")


def xxz(
    n: int,
    jxy: float | Sequence[float],
    jz: float | Sequence[float],
    hz: float | Sequence[float] = 0.0,
) -> SpinChain:
    """XXZ chain ``H = sum_i [jxy (X X + Y Y) + jz Z Z] + sum_i hz Z_i``."""
    return SpinChain(n, jx=jxy, jy=jxy, jz=jz, hz=hz, name="xxz")


def ising(n: int, j: float | Sequence[float], hx: float | Sequence[float]) -> SpinChain:
    """Transverse-field Ising chain ``H = sum_i j Z_i Z_{i+1} + sum_i hx X_i``.

    Use negative ``j`` and ``hx`` for the common ``-J ZZ - h X`` form.
    """
    return SpinChain(n, jz=j, hx=hx, name="ising")

