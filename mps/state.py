"""Matrix product states of qubit chains with open boundaries.

Index convention
----------------
``MPS.tensors[i]`` is a complex array of shape ``(chi_i, 2, chi_{i+1})`` with
indices ``(left bond, physical, right bond)``; ``chi_0 = chi_n = 1``.  The
physical index ``s = 0`` is ``|0>`` (Z = +1) and ``s = 1`` is ``|1>``.
Site ``i`` is qiskit qubit ``i``.  Bitstrings given to
:meth:`MPS.from_bitstring` are read in **site order** (character ``i`` is
qubit ``i``), which is the reverse of qiskit's printed labels.
:meth:`MPS.to_dense` returns qiskit's little-endian vector by default
(index ``sum_i b_i 2**i``).

An ``MPS`` is immutable: its tensors are read-only and every method returns a
new object.  ``metadata`` is a read-only mapping (JSON-serialisable values)
that :func:`mps.evolve` fills and :meth:`MPS.save` stores.

Example
-------
>>> from mps import MPS
>>> psi = MPS.neel(4)
>>> psi.expect_z().tolist()
[1.0, -1.0, 1.0, -1.0]
>>> round(abs(psi.overlap(MPS.from_bitstring("0101"))), 12)
1.0
"""

from __future__ import annotations

import json
import math
import os
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from ._validate import check_int
from .atomic import atomic_write

__all__ = ["MAX_DENSE_QUBITS", "MPS", "local_operator"]

MAX_DENSE_QUBITS = 20
_FORMAT = "tnqc.mps"
_FORMAT_VERSION = 1

_OPS = {
    "I": np.eye(2, dtype=complex),
    "X": np.array([[0, 1], [1, 0]], dtype=complex),
    "Y": np.array([[0, -1j], [1j, 0]], dtype=complex),
    "Z": np.array([[1, 0], [0, -1]], dtype=complex),
    "+": np.array([[0, 1], [0, 0]], dtype=complex),  # sigma^+ = |0><1|
    "-": np.array([[0, 0], [1, 0]], dtype=complex),  # sigma^- = |1><0|
    "N": np.array([[0, 0], [0, 1]], dtype=complex),  # |1><1|
}


def local_operator(op: str | np.ndarray) -> np.ndarray:
    """A single-qubit operator from a name (``"X"``, ``"Y"``, ``"Z"``, ``"I"``,
    ``"+"``, ``"-"``, ``"N"``; Pauli convention) or a 2x2 array."""
    if isinstance(op, str):
        key = op.upper() if op not in "+-" else op
        if key not in _OPS:
            raise ValueError(f"op must be one of {sorted(_OPS)} or a 2x2 array, got {op!r}")
        return _OPS[key]
    arr = np.asarray(op)
    if arr.shape != (2, 2) or not np.issubdtype(arr.dtype, np.number):
        raise ValueError(f"op must be a 2x2 numeric array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("op must be finite")
    return arr.astype(complex)


def _readonly(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


def _real_if_close(x: complex | np.ndarray, op: np.ndarray) -> Any:
    """Return real parts for Hermitian operators (their expectations are real)."""
    if np.allclose(op, op.conj().T, atol=1e-14):
        return np.real(x) if isinstance(x, np.ndarray) else float(np.real(x))
    return x


class MPS:
    """An open-boundary matrix product state of ``n >= 2`` qubits.

    Parameters
    ----------
    tensors : sequence of array_like
        Site tensors of shape ``(chi_left, 2, chi_right)``, see the module
        docstring for the index convention.  They are copied.
    metadata : mapping, optional
        JSON-serialisable information carried along and saved.

    Raises
    ------
    ValueError
        If shapes are inconsistent, the physical dimension is not 2, the
        boundary bonds are not 1, or any entry is not finite.
    """

    __slots__ = ("_center", "_metadata", "_tensors")

    def __init__(
        self, tensors: Sequence[np.ndarray], metadata: Mapping[str, Any] | None = None
    ) -> None:
        arrays = [np.array(t, dtype=complex) for t in tensors]  # copies
        _check_tensors(arrays)
        self._tensors: tuple[np.ndarray, ...] = tuple(_readonly(a) for a in arrays)
        self._metadata = MappingProxyType(dict(_check_metadata(metadata)))
        self._center: int | None = None

    @classmethod
    def _trusted(
        cls,
        tensors: Sequence[np.ndarray],
        metadata: Mapping[str, Any] | None = None,
        center: int | None = None,
    ) -> MPS:
        """Wrap freshly computed arrays without copying or checking (internal)."""
        obj = cls.__new__(cls)
        obj._tensors = tuple(_readonly(a) for a in tensors)
        obj._metadata = MappingProxyType(dict(metadata or {}))
        obj._center = center
        return obj

    # ---------------------------------------------------------- constructors
    @classmethod
    def from_bitstring(cls, bits: str, n: int | None = None) -> MPS:
        """Computational-basis product state; character ``i`` is qubit ``i``.

        If ``n`` is given, ``bits`` must have exactly ``n`` characters.

        >>> MPS.from_bitstring("10").to_dense().nonzero()[0].tolist()  # little-endian
        [1]
        """
        if not isinstance(bits, str):
            raise TypeError(f"bits must be a str of '0'/'1', got {type(bits).__name__}")
        if n is not None and len(bits) != check_int(n, "n", minimum=2):
            raise ValueError(f"bits must have length n={n}, got {len(bits)} in {bits!r}")
        if len(bits) < 2:
            raise ValueError(f"bits must have length n >= 2, got {len(bits)}")
        bad = sorted(set(bits) - {"0", "1"})
        if bad:
            raise ValueError(f"bits may contain only '0' and '1', found {bad} in {bits!r}")
        tensors = []
        for b in bits:
            t = np.zeros((1, 2, 1), dtype=complex)
            t[0, int(b), 0] = 1.0
            tensors.append(t)
        return cls._trusted(tensors, center=0)

    @classmethod
    def zeros(cls, n: int) -> MPS:
        """The all-zero state ``|00...0>``."""
        n = check_int(n, "n", minimum=2)
        return cls.from_bitstring("0" * n)

    @classmethod
    def neel(cls, n: int, first: str = "0") -> MPS:
        """Neel state ``|0101...>`` (or ``|1010...>`` with ``first="1"``)."""
        n = check_int(n, "n", minimum=2)
        if first not in ("0", "1"):
            raise ValueError(f"first must be '0' or '1', got {first!r}")
        other = "1" if first == "0" else "0"
        return cls.from_bitstring("".join(first if i % 2 == 0 else other for i in range(n)))

    @classmethod
    def product_state(cls, vectors: Sequence[np.ndarray]) -> MPS:
        """Product state from one 2-component (unnormalised allowed) vector per site."""
        vecs = [np.asarray(v, dtype=complex) for v in vectors]
        if len(vecs) < 2:
            raise ValueError(f"vectors must describe n >= 2 sites, got {len(vecs)}")
        for i, v in enumerate(vecs):
            if v.shape != (2,):
                raise ValueError(f"vectors[{i}] must have shape (2,), got {v.shape}")
        return cls([v.reshape(1, 2, 1) for v in vecs])

    # ------------------------------------------------------------ properties
    @property
    def n(self) -> int:
        """Number of sites (qubits)."""
        return len(self._tensors)

    @property
    def tensors(self) -> tuple[np.ndarray, ...]:
        """Read-only site tensors ``(chi_left, 2, chi_right)``."""
        return self._tensors

    @property
    def metadata(self) -> Mapping[str, Any]:
        """Read-only metadata (model, t, dt, truncation error, versions, ...)."""
        return self._metadata

    def with_metadata(self, metadata: Mapping[str, Any]) -> MPS:
        """A copy of this state carrying ``metadata`` instead."""
        return MPS._trusted(self._tensors, _check_metadata(metadata), self._center)

    def as_bitstring(self) -> str | None:
        """The bitstring if this is a computational basis state (up to phase), else None."""
        bits = []
        for t in self._tensors:
            if t.shape != (1, 2, 1):
                return None
            v = t[0, :, 0]
            nz = np.flatnonzero(np.abs(v) > 1e-12 * np.abs(v).max())
            if len(nz) != 1:
                return None
            bits.append(str(nz[0]))
        return "".join(bits)

    def bond_dims(self) -> list[int]:
        """Bond dimensions ``chi_1 .. chi_{n-1}`` (``n - 1`` values)."""
        return [t.shape[2] for t in self._tensors[:-1]]

    def max_bond(self) -> int:
        """Largest bond dimension."""
        return max(self.bond_dims())

    def __repr__(self) -> str:
        return f"MPS(n={self.n}, max_bond={self.max_bond()})"

    # -------------------------------------------------------- canonical forms
    def canonicalize(self, center: int = 0) -> MPS:
        """Mixed canonical form with orthogonality centre ``center`` (norm kept).

        Sites left of ``center`` are left-canonical, sites right of it are
        right-canonical; all the state's norm sits in ``tensors[center]``.
        """
        center = check_int(center, "center", minimum=0)
        if center >= self.n:
            raise ValueError(f"center must be in [0, {self.n - 1}], got {center}")
        ts = _canonical_arrays(list(self._tensors), center, self._center)
        return MPS._trusted(ts, self._metadata, center)

    def norm(self) -> float:
        """The 2-norm ``sqrt(<psi|psi>)``."""
        c = self._center if self._center is not None else 0
        ts = _canonical_arrays(list(self._tensors), c, self._center)
        return float(np.linalg.norm(ts[c]))

    def normalize(self) -> MPS:
        """The state divided by its norm (in canonical form, centre at 0)."""
        ts = _canonical_arrays(list(self._tensors), 0, self._center)
        nrm = np.linalg.norm(ts[0])
        if nrm == 0.0:
            raise ValueError("cannot normalise a state of zero norm")
        ts[0] = ts[0] / nrm
        return MPS._trusted(ts, self._metadata, 0)

    def overlap(self, other: MPS) -> complex:
        """The inner product ``<self|other>`` (``self`` is conjugated)."""
        if not isinstance(other, MPS):
            raise TypeError(f"other must be an MPS, got {type(other).__name__}")
        if other.n != self.n:
            raise ValueError(f"other has n={other.n} sites, expected n={self.n}")
        env = np.ones((1, 1), dtype=complex)
        for a, b in zip(self._tensors, other._tensors, strict=True):
            # env[a', b'] -> sum a^*[a', s, x] env b[b', s, y]
            tmp = np.tensordot(env, b, axes=(1, 0))  # (a', s, y)
            env = np.tensordot(a.conj(), tmp, axes=([0, 1], [0, 1]))  # (x, y)
        return complex(env[0, 0])

    # ------------------------------------------------------------ observables
    def expect(self, op: str | np.ndarray, site: int | None = None) -> Any:
        """``<psi|op_site|psi> / <psi|psi>``, or an array over all sites if ``site`` is None.

        Real for Hermitian ``op``.  ``op`` is a name (``"X"``, ``"Y"``,
        ``"Z"``, ...) or a 2x2 array.
        """
        mat = local_operator(op)
        if site is not None:
            site = check_int(site, "site", minimum=0)
            if site >= self.n:
                raise ValueError(f"site must be in [0, {self.n - 1}], got {site}")
            ts = _canonical_arrays(list(self._tensors), site, self._center)
            a = ts[site]
            val = np.einsum("asb,st,atb->", a.conj(), mat, a) / np.vdot(a, a)
            return _real_if_close(complex(val), mat)
        vals = np.empty(self.n, dtype=complex)
        ts = _canonical_arrays(list(self._tensors), 0, self._center)
        for i in range(self.n):
            a = ts[i]
            vals[i] = np.einsum("asb,st,atb->", a.conj(), mat, a) / np.vdot(a, a)
            if i < self.n - 1:
                _move_center_right(ts, i)
        return _real_if_close(vals, mat)

    def expect_z(self) -> np.ndarray:
        """``<Z_i>`` for every site (Pauli Z, values in [-1, 1])."""
        return self.expect("Z")

    def correlation(self, op_a: str | np.ndarray, op_b: str | np.ndarray, i: int, j: int) -> Any:
        """Two-point function ``<op_a(i) op_b(j)>`` (normalised).

        For ``i == j`` this is ``<(op_a op_b)(i)>``.
        """
        i = check_int(i, "i", minimum=0)
        j = check_int(j, "j", minimum=0)
        if i >= self.n or j >= self.n:
            raise ValueError(f"sites must be in [0, {self.n - 1}], got i={i}, j={j}")
        a, b = local_operator(op_a), local_operator(op_b)
        if i == j:
            return self.expect(a @ b, i)
        if i > j:  # operators on different sites commute
            i, j, a, b = j, i, b, a
        row = self._correlation_row(a, b, i, stop=j)
        return row[j - i - 1] if np.iscomplexobj(row) else float(row[j - i - 1])

    def correlation_matrix(self, op_a: str | np.ndarray, op_b: str | np.ndarray) -> np.ndarray:
        """The ``n x n`` matrix ``C[i, j] = <op_a(i) op_b(j)>`` (diagonal: ``<op_a op_b>``).

        Cost ``O(n^2 chi^3)``.
        """
        a, b = local_operator(op_a), local_operator(op_b)
        out = np.empty((self.n, self.n), dtype=complex)
        for i in range(self.n):
            out[i, i] = self.expect(a @ b, i)
            if i < self.n - 1:
                out[i, i + 1 :] = self._correlation_row(a, b, i, stop=self.n - 1)
                out[i + 1 :, i] = self._correlation_row(b, a, i, stop=self.n - 1)
        herm = np.allclose(a, a.conj().T) and np.allclose(b, b.conj().T)
        return out.real if herm and np.allclose(a @ b, b @ a) else out

    def _correlation_row(self, a: np.ndarray, b: np.ndarray, i: int, stop: int) -> np.ndarray:
        """``<a(i) b(j)>`` for ``j = i+1 .. stop`` with the centre at ``i``."""
        ts = _canonical_arrays(list(self._tensors), i, self._center)
        c = ts[i]
        norm2 = np.vdot(c, c)
        env = np.einsum("asb,st,atc->bc", c.conj(), a, c)  # (bra, ket)
        vals = []
        for j in range(i + 1, stop + 1):
            t = ts[j]
            val = np.einsum("bc,bsd,st,ctd->", env, t.conj(), b, t)
            vals.append(val / norm2)
            if j < stop:
                env = np.einsum("bc,bsd,csf->df", env, t.conj(), t)
        out = np.asarray(vals, dtype=complex)
        return _real_if_close(out, a @ b) if np.allclose(a @ b, b @ a) else out

    def schmidt_values(self, bond: int) -> np.ndarray:
        """Normalised Schmidt values across ``bond`` (between sites ``bond`` and ``bond + 1``)."""
        bond = check_int(bond, "bond", minimum=0)
        if bond >= self.n - 1:
            raise ValueError(f"bond must be in [0, {self.n - 2}], got {bond}")
        ts = _canonical_arrays(list(self._tensors), bond, self._center)
        c = ts[bond]
        s = np.linalg.svd(c.reshape(-1, c.shape[2]), compute_uv=False)
        return s / np.linalg.norm(s)

    def entanglement_entropy(self, bond: int | None = None, base: float = math.e) -> Any:
        """Von Neumann entropy ``-sum p log p`` (``p = s**2``) across a bond, or all bonds.

        ``bond = i`` cuts between sites ``i`` and ``i + 1``; with ``bond=None``
        an array of the ``n - 1`` entropies is returned.  ``base`` is the
        logarithm's base (natural log by default; ``base=2`` gives bits).
        """
        if not (isinstance(base, (int, float)) and base > 1):
            raise ValueError(f"base must be a number > 1, got {base!r}")
        if bond is not None:
            return _entropy(self.schmidt_values(bond), base)
        out = np.empty(self.n - 1)
        ts = _canonical_arrays(list(self._tensors), 0, self._center)
        for i in range(self.n - 1):
            c = ts[i]
            l_, d, r = c.shape
            u, s, vh = np.linalg.svd(c.reshape(l_ * d, r), full_matrices=False)
            nrm = np.linalg.norm(s)
            out[i] = _entropy(s / nrm, base)
            ts[i] = u.reshape(l_, d, -1)
            ts[i + 1] = np.tensordot(s[:, None] * vh, ts[i + 1], axes=(1, 0))
        return out

    # ------------------------------------------------------------ conversions
    def to_dense(self, endian: str = "little") -> np.ndarray:
        """The state vector (length ``2**n``), for ``n <= 20``.

        ``endian="little"`` (default) is qiskit's order, index ``sum_i b_i 2**i``;
        ``endian="big"`` puts site 0 as the most significant bit (quimb's order).
        """
        if endian not in ("little", "big"):
            raise ValueError(f"endian must be 'little' or 'big', got {endian!r}")
        if self.n > MAX_DENSE_QUBITS:
            raise ValueError(
                f"to_dense() is limited to n <= {MAX_DENSE_QUBITS} qubits, this MPS has n={self.n}"
            )
        v = self._tensors[0].reshape(2, -1)
        for t in self._tensors[1:]:
            v = (v @ t.reshape(t.shape[0], -1)).reshape(-1, t.shape[2])
        v = v.reshape(-1)  # big-endian: site 0 most significant
        if endian == "little":
            v = v.reshape((2,) * self.n).transpose(tuple(range(self.n - 1, -1, -1))).reshape(-1)
        return np.ascontiguousarray(v)

    def to_quimb(self):  # -> quimb.tensor.MatrixProductState
        """Convert to ``quimb.tensor.MatrixProductState`` (site ``i`` tagged ``I{i}``)."""
        import quimb.tensor as qtn

        arrays = [np.array(t) for t in self._tensors]
        arrays[0] = arrays[0][0]  # (p, r)
        arrays[-1] = arrays[-1][:, :, 0]  # (l, p)
        return qtn.MatrixProductState(arrays, shape="lpr")

    @classmethod
    def from_quimb(cls, qmps: Any) -> MPS:
        """Build from a ``quimb.tensor.MatrixProductState`` with open boundaries."""
        import quimb.tensor as qtn

        if not isinstance(qmps, qtn.MatrixProductState):
            raise TypeError(f"qmps must be a quimb MatrixProductState, got {type(qmps).__name__}")
        if qmps.cyclic:
            raise ValueError("periodic (cyclic) quimb MPS are not supported")
        q = qmps.copy()
        q.permute_arrays("lpr")
        arrays = [np.asarray(a) for a in q.arrays]
        if len(arrays) < 2:
            raise ValueError("the quimb MPS must have at least 2 sites")
        arrays[0] = arrays[0].reshape(1, *arrays[0].shape)
        arrays[-1] = arrays[-1].reshape(*arrays[-1].shape, 1)
        return cls(arrays)

    # ------------------------------------------------------------ save / load
    def save(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
        """Write the state and its metadata to an ``.npz`` file, atomically.

        The file holds ``tensor_{i}`` arrays and a JSON header (format name and
        version, ``n``, ``metadata``).  Floats round-trip exactly.

        Raises
        ------
        FileExistsError
            If ``path`` exists and ``overwrite`` is False.
        """
        path = Path(path)
        if path.suffix != ".npz":
            raise ValueError(f"path must end in .npz, got {str(path)!r}")
        if path.exists() and not overwrite:
            raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
        header = {
            "format": _FORMAT,
            "format_version": _FORMAT_VERSION,
            "n": self.n,
            "metadata": dict(self._metadata),
        }
        arrays = {f"tensor_{i}": t for i, t in enumerate(self._tensors)}
        arrays["header"] = np.array(json.dumps(header))
        atomic_write(path, lambda fh: np.savez(fh, **arrays), overwrite=overwrite)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> MPS:
        """Read a state written by :meth:`save`.

        Raises
        ------
        ValueError
            If the file is not a tnqc MPS file or is corrupt.
        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"no such file: {path}")
        try:
            with np.load(path, allow_pickle=False) as data:
                files = set(data.files)
                if "header" not in files:
                    raise ValueError(f"{path} is not a tnqc MPS file (no 'header' entry)")
                header = json.loads(str(data["header"]))
                if not isinstance(header, dict) or header.get("format") != _FORMAT:
                    raise ValueError(f"{path} is not a tnqc MPS file (format is not {_FORMAT!r})")
                if header.get("format_version") != _FORMAT_VERSION:
                    raise ValueError(
                        f"{path}: unsupported format_version {header.get('format_version')!r}"
                    )
                n = header.get("n")
                if not isinstance(n, int) or n < 2:
                    raise ValueError(f"{path}: corrupt header, bad n={n!r}")
                names = [f"tensor_{i}" for i in range(n)]
                missing = [k for k in names if k not in files]
                if missing:
                    raise ValueError(f"{path}: corrupt file, missing {missing[:3]}")
                tensors = [data[k] for k in names]
        except (zipfile.BadZipFile, OSError, EOFError, json.JSONDecodeError, KeyError) as exc:
            raise ValueError(f"{path} is not a readable tnqc MPS file: {exc}") from exc
        except ValueError as exc:
            if str(path) in str(exc):
                raise
            # numpy reads a file that is neither .npy nor .npz as a pickle and suggests
            # allow_pickle=True: never a hint to give for a state file
            why = "not an .npz archive" if "allow_pickle" in str(exc) else str(exc)
            raise ValueError(f"{path} is not a readable tnqc MPS file: {why}") from exc
        for i, t in enumerate(tensors):
            if t.dtype != np.complex128:
                raise ValueError(f"{path}: corrupt file, tensor_{i} has dtype {t.dtype}")
        try:
            _check_tensors(tensors)
        except ValueError as exc:
            raise ValueError(f"{path}: corrupt file: {exc}") from exc
        metadata = header.get("metadata", {})
        if not isinstance(metadata, dict):
            raise ValueError(f"{path}: corrupt header, metadata is not a mapping")
        return cls._trusted([np.array(t) for t in tensors], metadata)


# ---------------------------------------------------------------- helpers
def _check_tensors(arrays: list[np.ndarray]) -> None:
    if len(arrays) < 2:
        raise ValueError(f"an MPS needs n >= 2 site tensors, got {len(arrays)}")
    for i, t in enumerate(arrays):
        if t.ndim != 3 or t.shape[1] != 2:
            raise ValueError(f"tensor {i} must have shape (chi_l, 2, chi_r), got {t.shape}")
        if i > 0 and t.shape[0] != arrays[i - 1].shape[2]:
            raise ValueError(
                f"bond mismatch between tensors {i - 1} and {i}: "
                f"{arrays[i - 1].shape[2]} != {t.shape[0]}"
            )
        if not np.all(np.isfinite(t)):
            raise ValueError(f"tensor {i} has non-finite entries")
    if arrays[0].shape[0] != 1 or arrays[-1].shape[2] != 1:
        raise ValueError("open boundaries need chi = 1 on the outer bonds of the first/last tensor")


def _check_metadata(metadata: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if metadata is None:
        return {}
    if not isinstance(metadata, Mapping):
        raise TypeError(f"metadata must be a mapping, got {type(metadata).__name__}")
    try:
        text = json.dumps(dict(metadata), allow_nan=True)
    except TypeError as exc:
        raise TypeError(f"metadata must be JSON-serialisable: {exc}") from exc
    return json.loads(text)


def _move_center_right(ts: list[np.ndarray], i: int) -> None:
    l_, d, r = ts[i].shape
    q, rr = np.linalg.qr(ts[i].reshape(l_ * d, r))
    ts[i] = q.reshape(l_, d, -1)
    ts[i + 1] = np.tensordot(rr, ts[i + 1], axes=(1, 0))


def _move_center_left(ts: list[np.ndarray], i: int) -> None:
    l_, d, r = ts[i].shape
    q, rr = np.linalg.qr(ts[i].reshape(l_, d * r).T)  # M^T = Q R  ->  M = R^T Q^T
    ts[i] = q.T.reshape(-1, d, r)
    ts[i - 1] = np.tensordot(ts[i - 1], rr.T, axes=(2, 0))


def _canonical_arrays(ts: list[np.ndarray], center: int, known: int | None) -> list[np.ndarray]:
    """Bring ``ts`` (a fresh list) into mixed canonical form around ``center``."""
    n = len(ts)
    if known is None:
        for i in range(center):
            _move_center_right(ts, i)
        for i in range(n - 1, center, -1):
            _move_center_left(ts, i)
    elif known < center:
        for i in range(known, center):
            _move_center_right(ts, i)
    else:
        for i in range(known, center, -1):
            _move_center_left(ts, i)
    return ts


def _entropy(s: np.ndarray, base: float) -> float:
    p = s[s > 0] ** 2
    p = p / p.sum()
    return float(-np.sum(p * np.log(p)) / math.log(base))
