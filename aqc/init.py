"""Initial parameters for AQC: Trotter circuits written exactly in the brickwork ansatz.

``trotter_params(ansatz, chain, t, initial)`` returns parameters for which
``V(theta)|0>`` is the ``k``-step Trotter-Suzuki approximation of
``exp(-i H t)|initial>``, with the splitting of :mod:`mps.tebd` (even bonds
first; order 1, 2 or 4, adjacent half-layers merged).  Layer ``l`` of the
merged product formula is layer ``l`` of the brickwork; spare layers are the
identity (all-zero block parameters).  ``k`` defaults to the most steps that
fit in ``L`` layers: ``L // 2`` for order 1, ``(L - 1) // 2`` for order 2.

* ``su4`` blocks: each bond gate ``exp(-i tau h_bond)`` is split by the KAK
  (Weyl) decomposition (qiskit's ``TwoQubitWeylDecomposition``) into the
  block's ``(U3 ⊗ U3) N(a, b, c) (U3 ⊗ U3)`` form.
* ``xxz`` blocks: ``exp(-i tau (Jx XX + Jy YY + Jz ZZ))`` is
  ``RXX(2 tau Jx) RYY(2 tau Jy) RZZ(2 tau Jz)``; ``u1`` blocks the same with
  ``Jx = Jy`` (required on every bond: the block conserves the magnetisation).
  Z fields are supported when they commute with the couplings (``Jx = Jy`` on
  every bond and a uniform ``hz``): the field evolution ``exp(-i t hz sum Z)``
  is then exact and placed in the ``RZ`` of the first block touching each
  qubit, so the circuit is the Trotter circuit of the couplings alone times
  the exact field rotation (a different, more accurate product formula than
  TEBD's, where fields are shared among bond terms).  Other fields need ``su4`` blocks.

The initial product state (a bitstring) is prepared by the ansatz's initial
``RY`` layer (``RY(pi)|0> = |1>``).

Example
-------
>>> import numpy as np
>>> from qiskit.quantum_info import Statevector
>>> from mps import MPS, evolve, heisenberg
>>> from aqc import BrickworkAnsatz, max_trotter_steps, trotter_params
>>> max_trotter_steps(layers=5, order=2)
2
>>> ansatz, chain = BrickworkAnsatz(4, layers=5), heisenberg(4)
>>> theta = trotter_params(ansatz, chain, 0.2, "0101")  # 2 steps of 2nd order
>>> tebd = evolve(chain, MPS.neel(4), t=0.2, dt=0.1, order=2, cutoff=0.0).state
>>> circ = Statevector(ansatz.to_circuit(theta)).data
>>> round(float(abs(np.vdot(tebd.to_dense(), circ)) ** 2), 10)
1.0
"""

from __future__ import annotations

import numpy as np

from mps import BondGates, SpinChain, trotter_layers
from mps._validate import check_int, check_real

from .ansatz import BrickworkAnsatz, bitstring_angles

__all__ = ["basis_params", "grow_params", "max_trotter_steps", "product_params",
           "trotter_params"]


def max_trotter_steps(layers: int, order: int) -> int:
    """The most Trotter steps of the given order whose merged layers fit in ``layers``."""
    if order == 1:
        return layers // 2
    if order == 2:
        return (layers - 1) // 2
    if order == 4:
        return (layers - 1) // 10
    raise ValueError(f"order must be 1, 2 or 4, got {order}")


def _u3_angles(u: np.ndarray) -> tuple[float, float, float]:
    from qiskit.synthesis import OneQubitEulerDecomposer

    theta, phi, lam = OneQubitEulerDecomposer(basis="U3").angles(u)
    return float(theta), float(phi), float(lam)


def _su4_params(gate: np.ndarray) -> np.ndarray:
    """KAK parameters of a 4x4 unitary (lower qubit most significant), up to global phase."""
    from qiskit.synthesis import TwoQubitWeylDecomposition

    # qiskit reads a 4x4 matrix little-endian: its qubit 1 is our first (more significant) qubit,
    # and K1l/K2l act on that more significant factor.
    d = TwoQubitWeylDecomposition(gate)
    p = np.zeros(15)
    p[0:3] = _u3_angles(d.K1l)
    p[3:6] = _u3_angles(d.K1r)
    p[6:9] = (d.a, d.b, d.c)
    p[9:12] = _u3_angles(d.K2l)
    p[12:15] = _u3_angles(d.K2r)
    return p


def trotter_params(
    ansatz: BrickworkAnsatz,
    chain: SpinChain,
    t: float,
    initial: str,
    *,
    order: int = 2,
    steps: int | None = None,
) -> np.ndarray:
    """Parameters reproducing a Trotter circuit of ``chain`` for time ``t`` from ``initial``.

    Parameters
    ----------
    ansatz : BrickworkAnsatz
    chain : SpinChain
        Hamiltonian (same ``n`` as the ansatz).
    t : float
        Evolution time (>= 0).
    initial : str
        Initial computational basis state, in site order (e.g. ``"0101..."``).
    order : {1, 2, 4}
        Trotter order of the circuit.
    steps : int, optional
        Number of Trotter steps (default: the most that fit).

    Raises
    ------
    ValueError
        If the steps do not fit in the ansatz's layers, the sizes differ, or the
        ``xxz`` block cannot express the chain.
    """
    if not isinstance(ansatz, BrickworkAnsatz):
        raise TypeError(f"ansatz must be a BrickworkAnsatz, got {type(ansatz).__name__}")
    if not isinstance(chain, SpinChain):
        raise TypeError(f"chain must be a SpinChain, got {type(chain).__name__}")
    if chain.n != ansatz.n:
        raise ValueError(f"chain has n={chain.n} but the ansatz has n={ansatz.n}")
    t = check_real(t, "t", minimum=0.0)
    if not isinstance(initial, str) or len(initial) != ansatz.n or set(initial) - {"0", "1"}:
        raise ValueError(f"initial must be a bitstring of length {ansatz.n}, got {initial!r}")
    fit = max_trotter_steps(ansatz.layers, order)
    steps = fit if steps is None else check_int(steps, "steps", minimum=0)
    if steps > fit:
        raise ValueError(
            f"{steps} Trotter steps of order {order} need more than {ansatz.layers} layers "
            f"(at most {fit} fit)"
        )
    params = ansatz.zero_params()
    params[: 2 * ansatz.n] = bitstring_angles(initial).ravel()
    blocks = params[2 * ansatz.n :].reshape(ansatz.num_blocks, ansatz.params_per_block)
    if steps == 0 or t == 0.0:
        return params
    layers = trotter_layers(order, t / steps, steps)
    index = {bond: k for k, bond in enumerate(ansatz.bonds)}
    if ansatz.block in ("xxz", "u1"):
        field = _xxz_field(chain, ansatz.block)
    gates = BondGates(chain)
    for layer, (parity, tau, _) in enumerate(layers):
        if parity != layer % 2:  # cannot happen for merged schedules; guard anyway
            raise AssertionError("Trotter layers must alternate even/odd")
        for i in range(parity, ansatz.n - 1, 2):
            k = index[(layer, i)]
            if ansatz.block == "su4":
                blocks[k] = _su4_params(gates(i, tau))
            elif ansatz.block == "u1":
                blocks[k, 0:2] = (2 * tau * chain.jx[i], 2 * tau * chain.jz[i])
            else:
                blocks[k, 0:3] = (2 * tau * chain.jx[i], 2 * tau * chain.jy[i],
                                  2 * tau * chain.jz[i])
    if ansatz.block in ("xxz", "u1") and field != 0.0:
        # exp(-i t hz Z_q) = RZ(2 t hz): on the first block touching qubit q (layer 0 or 1)
        rz1 = 3 if ansatz.block == "xxz" else 2
        for q in range(ansatz.n):
            if (0, q) in index:
                blocks[index[(0, q)], rz1] += 2 * t * field
            elif (0, q - 1) in index:
                blocks[index[(0, q - 1)], rz1 + 1] += 2 * t * field
            elif (1, q - 1) in index:
                blocks[index[(1, q - 1)], rz1 + 1] += 2 * t * field
            else:
                raise ValueError(f"the {ansatz.block} ansatz needs >= 2 layers to place the fields")
    return params


def _xxz_field(chain: SpinChain, block: str = "xxz") -> float:
    """The uniform Z field an ``xxz``/``u1`` Trotter circuit carries exactly (else ValueError)."""
    if any(chain.hx) or any(chain.hy):
        raise ValueError(f"the {block} block has no X/Y field rotations; use block='su4'")
    if block == "u1" and any(a != b for a, b in zip(chain.jx, chain.jy, strict=True)):
        raise ValueError("the u1 block conserves the magnetisation and needs Jx == Jy on every "
                         "bond; use block='xxz' or 'su4'")
    hz = set(chain.hz)
    if len(hz) == 1 and next(iter(hz)) == 0.0:
        return 0.0
    if len(hz) != 1 or any(a != b for a, b in zip(chain.jx, chain.jy, strict=True)):
        raise ValueError(
            f"the {block} block's Trotter circuit is exact only for a uniform hz with Jx == Jy "
            "(the field then commutes with H); use block='su4'"
        )
    return next(iter(hz))


# ------------------------------------------------------- Hamiltonian-free starts
def product_params(ansatz: BrickworkAnsatz, target) -> np.ndarray:
    """Identity blocks on the product state closest to ``target`` site by site.

    Each qubit starts in the pure state along its reduced Bloch vector
    ``(<X_i>, <Y_i>, <Z_i>)`` of the target (``|0>`` where the vector
    vanishes, e.g. in a singlet-like ground state), prepared by the initial
    ``RZ(b) RY(a)`` layer: ``a = arccos(z/r)``, ``b = atan2(y, x)``.
    """
    n = ansatz.n
    if target.n != n:
        raise ValueError(f"target has n={target.n} qubits but the ansatz has n={n}")
    x, y, z = (np.real(np.asarray([target.expect(p, i) for i in range(n)])) for p in "XYZ")
    r = np.sqrt(x**2 + y**2 + z**2)
    a = np.where(r > 1e-8, np.arccos(np.clip(z / np.maximum(r, 1e-300), -1, 1)), 0.0)
    b = np.where(np.hypot(x, y) > 1e-8, np.arctan2(y, x), 0.0)
    params = ansatz.zero_params()
    params[: 2 * n] = np.stack([a, b], axis=1).ravel()
    return params


def basis_params(ansatz: BrickworkAnsatz, target) -> np.ndarray:
    """Identity blocks on a computational basis state of large weight in ``target``.

    Bits are chosen greedily from the left, each the more probable value given
    the bits before it (exact marginals of the right-canonical form, cost
    ``O(n chi^2)``).  For an SU(2)- or U(1)-symmetric ground state, whose
    single-site Bloch vectors vanish, this is a Neel-like configuration, a much
    better start than ``|0...0>``.
    """
    n = ansatz.n
    if target.n != n:
        raise ValueError(f"target has n={target.n} qubits but the ansatz has n={n}")
    ts = target.canonicalize(0).tensors
    left = np.ones(1, dtype=complex)
    bits = []
    for a in ts:
        branch = np.einsum("x,xsy->sy", left, a)
        weights = np.sum(np.abs(branch) ** 2, axis=1)
        bit = int(np.argmax(weights))
        bits.append(str(bit))
        left = branch[bit] / np.sqrt(weights[bit])
    params = ansatz.zero_params()
    params[: 2 * n] = bitstring_angles("".join(bits)).ravel()
    return params


def grow_params(params: np.ndarray, old: BrickworkAnsatz, new: BrickworkAnsatz, *,
                seed: int, scale: float = 1e-2) -> np.ndarray:
    """``params`` of ``old`` with the extra top layers of ``new`` near the identity.

    The new blocks get seeded ``scale * N(0, 1)`` parameters (exactly zero is a
    saddle of the cost for some targets); the circuit of the old layers is
    unchanged, so the start is within ``O(scale)`` of the old optimum.
    """
    if new.n != old.n or new.block != old.block or new.layers < old.layers:
        raise ValueError(f"cannot grow {old} into {new}")
    params = old.check_params(params)
    rng = np.random.default_rng(check_int(seed, "seed", minimum=0))
    extra = new.num_params - old.num_params
    return np.concatenate([params, scale * rng.standard_normal(extra)])
