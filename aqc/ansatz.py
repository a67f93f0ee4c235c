"""Brickwork ansatz on a line of qubits: the parametric circuit V(theta) of AQC.

Structure
---------
``V(theta) = B_{L-1} ... B_1 B_0 P`` acting on ``|0...0>``:

* ``P``: an initial single-qubit layer, ``RZ(b_q) RY(a_q)`` on every qubit ``q``
  (2 parameters per qubit); it prepares any product state, e.g. the Neel state
  a time evolution starts from.
* ``B_l``: layer ``l`` of two-qubit blocks on the bonds ``(i, i+1)`` with
  ``i = l mod 2, l mod 2 + 2, ...`` (even bonds on even layers, odd bonds on
  odd layers).

Block types (``block=``):

* ``"su4"`` (15 parameters): a general two-qubit unitary in KAK form,
  ``(U3 ⊗ U3) · N(a, b, c) · (U3 ⊗ U3)`` with
  ``N(a, b, c) = exp(i (a XX + b YY + c ZZ))``; exported with 3 CX.
* ``"xxz"`` (5 parameters): ``(RZ ⊗ RZ) · RXX(tx) RYY(ty) RZZ(tz)``, the
  gate set of XXZ chains with Z fields; exported with the same 3-CX core.
* ``"u1"`` (4 parameters): ``(RZ ⊗ RZ) · exp(-i (txy (XX + YY) + tz ZZ) / 2)``,
  which commutes with ``Z_i + Z_{i+1}``: the whole circuit conserves the
  magnetisation ``sum Z`` (charge-conserving ansatz for XXZ dynamics).  In a
  brickwork this is the general U(1)-symmetric block: the phase of the
  ``|01>, |10>`` mixing and the sector phases come from the RZ of the
  neighbouring blocks and of the initial layer.  Exported with the 3-CX core.

All-zero parameters give the identity (every block is the identity at zero).

Parameter vector layout: ``[a_0, b_0, a_1, b_1, ..., a_{n-1}, b_{n-1}]``
followed by the blocks in layer order, bonds ascending within a layer.  Per
``su4`` block: ``[after_first(3), after_second(3), a, b, c, before_first(3),
before_second(3)]`` where "first" is the block's lower qubit ``i`` and each
triple is the ``(theta, phi, lambda)`` of qiskit's ``U`` gate.  Per ``xxz``
block: ``[tx, ty, tz, rz_first, rz_second]``; per ``u1`` block: ``[txy, tz,
rz_first, rz_second]``.

Conventions: qubit ``i`` is MPS site ``i`` (qiskit little-endian for dense
vectors); a block's 4x4 matrix has the lower qubit ``i`` as the *more
significant* index (``2 s_i + s_{i+1}``), the MPS tensor convention.

Example
-------
>>> from aqc.ansatz import BrickworkAnsatz
>>> ans = BrickworkAnsatz(n=4, layers=2, block="su4")
>>> ans.num_blocks, ans.num_params, ans.cx_count, ans.two_qubit_depth
(3, 53, 9, 6)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from mps._validate import check_int

__all__ = [
    "BLOCK_PARAMS",
    "BrickworkAnsatz",
    "block_unitaries_np",
    "brickwork_bonds",
    "check_block",
    "kak_core_np",
]

BLOCK_PARAMS = {"su4": 15, "xxz": 5, "u1": 4}
CX_PER_BLOCK = 3

_X = np.array([[0, 1], [1, 0]], dtype=complex)
_Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
_Z = np.array([[1, 0], [0, -1]], dtype=complex)


def check_block(block: object) -> str:
    """``block`` if it names a two-qubit block type, else a ``ValueError`` naming the choices."""
    if not isinstance(block, str) or block not in BLOCK_PARAMS:
        raise ValueError(f"block must be one of {sorted(BLOCK_PARAMS)}, got {block!r}")
    return block


def brickwork_bonds(n: int, layers: int, first: int = 0) -> tuple[tuple[int, int], ...]:
    """``(layer, i)`` of a brickwork's blocks on qubits ``i, i+1``, layer by layer.

    Layer ``j`` starts on bond ``(first + j) % 2``: ``first = 0`` is the even-bond layer.

    >>> brickwork_bonds(4, 2)
    ((0, 0), (0, 2), (1, 1))
    """
    return tuple((j, i) for j in range(layers) for i in range((first + j) % 2, n - 1, 2))


@dataclass(frozen=True)
class BrickworkAnsatz:
    """A brickwork circuit of ``layers`` layers of two-qubit blocks on ``n`` qubits.

    Parameters
    ----------
    n : int
        Number of qubits (>= 2).
    layers : int
        Number of block layers ``L`` (>= 1).
    block : {"su4", "xxz", "u1"}
        Block type (see module docstring).
    """

    n: int
    layers: int
    block: str = "su4"

    def __post_init__(self) -> None:
        object.__setattr__(self, "n", check_int(self.n, "n", minimum=2))
        object.__setattr__(self, "layers", check_int(self.layers, "layers", minimum=1))
        check_block(self.block)

    # ----------------------------------------------------------- structure
    @cached_property
    def bonds(self) -> tuple[tuple[int, int], ...]:
        """``(layer, i)`` of every block (acting on qubits ``i, i+1``), in parameter order."""
        return brickwork_bonds(self.n, self.layers)

    @property
    def num_blocks(self) -> int:
        return len(self.bonds)

    @property
    def params_per_block(self) -> int:
        return BLOCK_PARAMS[self.block]

    @property
    def num_initial_params(self) -> int:
        """Parameters of the initial single-qubit layer (2 per qubit)."""
        return 2 * self.n

    @property
    def num_params(self) -> int:
        return self.num_initial_params + self.num_blocks * self.params_per_block

    @property
    def cx_count(self) -> int:
        """CX gates of the exported circuit (3 per block)."""
        return CX_PER_BLOCK * self.num_blocks

    @property
    def two_qubit_depth(self) -> int:
        """Two-qubit (CX) depth of the exported circuit."""
        active = sum(1 for layer in range(self.layers) if layer % 2 < self.n - 1)
        return CX_PER_BLOCK * active

    def split(self, params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(initial (n, 2), blocks (num_blocks, params_per_block))`` views of ``params``."""
        params = self.check_params(params)
        init = params[: self.num_initial_params].reshape(self.n, 2)
        blocks = params[self.num_initial_params :].reshape(self.num_blocks, self.params_per_block)
        return init, blocks

    def check_params(self, params: object) -> np.ndarray:
        """``params`` as a finite float array of length ``num_params`` (else ValueError)."""
        arr = np.asarray(params, dtype=float)
        if arr.shape != (self.num_params,):
            raise ValueError(
                f"params must have shape ({self.num_params},) for {self}, got {arr.shape}"
            )
        if not np.all(np.isfinite(arr)):
            raise ValueError("params must be finite")
        return arr

    def zero_params(self) -> np.ndarray:
        """Parameters of the identity circuit (``V = I``)."""
        return np.zeros(self.num_params)

    def random_params(self, seed: int, scale: float = 0.1) -> np.ndarray:
        """Seeded random parameters, ``scale * N(0, 1)`` around the identity."""
        rng = np.random.default_rng(check_int(seed, "seed", minimum=0))
        return scale * rng.standard_normal(self.num_params)

    # ------------------------------------------------------------ matrices
    def block_unitaries(self, params: np.ndarray) -> np.ndarray:
        """The ``(num_blocks, 4, 4)`` block matrices (NumPy; lower qubit most significant)."""
        _, blocks = self.split(params)
        return block_unitaries_np(self.block, blocks)

    def initial_states(self, params: np.ndarray) -> np.ndarray:
        """``(n, 2)`` single-qubit states ``RZ(b) RY(a) |0>`` of the initial layer."""
        init, _ = self.split(params)
        a, b = init[:, 0], init[:, 1]
        return np.stack(
            [np.cos(a / 2) * np.exp(-0.5j * b), np.sin(a / 2) * np.exp(0.5j * b)], axis=1
        )

    def state(self, params: np.ndarray, max_bond: int | None = None):  # -> mps.MPS
        """``V(theta)|0...0>`` as an MPS, by exact SVD splitting of the blocks.

        An independent path from the JAX contraction of :mod:`aqc.objective`
        (used to cross-check fidelities and to measure the circuit's observables).
        """
        from mps import MPS, apply_gates

        psi = MPS.product_state(list(self.initial_states(params)))
        units = self.block_unitaries(params)
        return apply_gates(psi, [(i, u) for (_, i), u in zip(self.bonds, units, strict=True)],
                           max_bond=max_bond)[0]

    def to_circuit(self, params: np.ndarray):  # -> qiskit.QuantumCircuit
        """The circuit as a qiskit ``QuantumCircuit`` with bound parameters.

        Gates: ``ry``, ``rz``, ``u`` and ``cx``; every block uses 3 CX.  Qubit
        ``i`` is site ``i`` (little-endian statevectors).
        """
        from qiskit import QuantumCircuit

        init, blocks = self.split(params)
        qc = QuantumCircuit(self.n, name=f"aqc_L{self.layers}_{self.block}")
        for q in range(self.n):
            if init[q, 0] != 0.0:
                qc.ry(float(init[q, 0]), q)
            if init[q, 1] != 0.0:
                qc.rz(float(init[q, 1]), q)
        for (_, i), p in zip(self.bonds, blocks, strict=True):
            if self.block == "su4":
                append_su4_block(qc, i, p)
            else:
                tx, ty, tz, r1, r2 = (map(float, p) if self.block == "xxz"
                                      else map(float, (p[0], *p)))
                # RXX(tx) RYY(ty) RZZ(tz) = N(-tx/2, -ty/2, -tz/2)
                _append_kak_core(qc, i, i + 1, -tx / 2, -ty / 2, -tz / 2)
                qc.rz(r1, i)
                qc.rz(r2, i + 1)
        return qc


# --------------------------------------------------------------- numpy blocks
def u3_np(theta: np.ndarray, phi: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """qiskit's ``U(theta, phi, lambda)`` for arrays of angles: shape (..., 2, 2)."""
    c, s = np.cos(theta / 2), np.sin(theta / 2)
    return np.stack(
        [
            np.stack([c, -np.exp(1j * lam) * s], axis=-1),
            np.stack([np.exp(1j * phi) * s, np.exp(1j * (phi + lam)) * c], axis=-1),
        ],
        axis=-2,
    )


def kak_core_np(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """``N(a, b, c) = exp(i (a XX + b YY + c ZZ))`` for arrays: shape (..., 4, 4).

    In the Bell basis N is diagonal; in the computational basis it has the
    closed form used here (XX, YY, ZZ commute).
    """
    a, b, c = np.asarray(a), np.asarray(b), np.asarray(c)
    out = np.zeros((*a.shape, 4, 4), dtype=complex)
    # |00>,|11> block: ZZ = +1, XX and YY couple them with signs (+1, -1)
    e_pp = np.exp(1j * c)
    out[..., 0, 0] = e_pp * np.cos(a - b)
    out[..., 3, 3] = e_pp * np.cos(a - b)
    out[..., 0, 3] = 1j * e_pp * np.sin(a - b)
    out[..., 3, 0] = 1j * e_pp * np.sin(a - b)
    # |01>,|10> block: ZZ = -1, XX and YY both +1
    e_mm = np.exp(-1j * c)
    out[..., 1, 1] = e_mm * np.cos(a + b)
    out[..., 2, 2] = e_mm * np.cos(a + b)
    out[..., 1, 2] = 1j * e_mm * np.sin(a + b)
    out[..., 2, 1] = 1j * e_mm * np.sin(a + b)
    return out


def rz_np(angle: np.ndarray) -> np.ndarray:
    """``RZ(angle) = diag(e^{-i angle/2}, e^{i angle/2})``, shape (..., 2, 2)."""
    angle = np.asarray(angle)
    out = np.zeros((*angle.shape, 2, 2), dtype=complex)
    out[..., 0, 0] = np.exp(-0.5j * angle)
    out[..., 1, 1] = np.exp(0.5j * angle)
    return out


def _kron2(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Batched ``a ⊗ b`` with ``a`` on the more significant qubit."""
    return np.einsum("...ij,...kl->...ikjl", a, b).reshape(*a.shape[:-2], 4, 4)


def block_unitaries_np(block: str, p: np.ndarray) -> np.ndarray:
    """Block matrices for a ``(num_blocks, params_per_block)`` array (NumPy reference)."""
    p = np.asarray(p, dtype=float)
    if block == "su4":
        after = _kron2(u3_np(p[:, 0], p[:, 1], p[:, 2]), u3_np(p[:, 3], p[:, 4], p[:, 5]))
        before = _kron2(u3_np(p[:, 9], p[:, 10], p[:, 11]), u3_np(p[:, 12], p[:, 13], p[:, 14]))
        return after @ kak_core_np(p[:, 6], p[:, 7], p[:, 8]) @ before
    if block == "xxz":
        core = kak_core_np(-p[:, 0] / 2, -p[:, 1] / 2, -p[:, 2] / 2)
        return _kron2(rz_np(p[:, 3]), rz_np(p[:, 4])) @ core
    if block == "u1":
        core = kak_core_np(-p[:, 0] / 2, -p[:, 0] / 2, -p[:, 1] / 2)
        return _kron2(rz_np(p[:, 2]), rz_np(p[:, 3])) @ core
    raise ValueError(f"block must be one of {sorted(BLOCK_PARAMS)}, got {block!r}")


def append_su4_block(qc, i: int, p: np.ndarray) -> None:
    """Append the su4 block of parameters ``p`` (15) on qubits ``(i, i + 1)``: 3 CX.

    The circuit equals ``block_unitaries_np("su4", p[None])[0]`` exactly (qubit ``i``
    the more significant index of the 4x4 matrix), global phase included.
    """
    qc.u(*map(float, p[9:12]), i)
    qc.u(*map(float, p[12:15]), i + 1)
    _append_kak_core(qc, i, i + 1, *map(float, p[6:9]))
    qc.u(*map(float, p[0:3]), i)
    qc.u(*map(float, p[3:6]), i + 1)


def _append_kak_core(qc, q0: int, q1: int, a: float, b: float, c: float) -> None:
    """Append ``exp(i(a XX + b YY + c ZZ))`` on (q0, q1) with 3 CX, exactly.

    The three-CNOT circuit of Vatan and Williams, Phys. Rev. A 69, 032315
    (2004), Fig. 6, which equals ``N(a, b, c)`` times ``exp(-i pi/4)``; the
    circuit's global phase is corrected so statevectors match exactly
    (checked in the tests).
    """
    qc.global_phase += np.pi / 4
    qc.rz(-np.pi / 2, q1)
    qc.cx(q1, q0)
    qc.rz(np.pi / 2 - 2 * c, q0)
    qc.ry(2 * a - np.pi / 2, q1)
    qc.cx(q0, q1)
    qc.ry(np.pi / 2 - 2 * b, q1)
    qc.cx(q1, q0)
    qc.rz(np.pi / 2, q0)


def bitstring_angles(bits: Sequence[str] | str) -> np.ndarray:
    """Initial-layer angles ``(n, 2)`` preparing a computational basis state."""
    return np.array([[np.pi if ch == "1" else 0.0, 0.0] for ch in bits])
