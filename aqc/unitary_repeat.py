"""Repetition of a compiled unitary block: ``V^m`` as a circuit, and ``V^k|psi0>`` against TEBD.

:func:`repeat` gives ``V^m`` (CX depth and count: :func:`repeat_depth`),
:func:`state_circuit` prepends a product state, and :func:`evolve_circuit`
measures the state fidelity of ``V^k|psi0>`` against the TEBD state at
``t = k tau`` for product states ``psi0`` (Néel, any bitstring, seeded random
product states), next to the second-order Trotter circuit of equal CX depth.
Every function takes a plain :class:`aqc.unitary.UnitaryCompileResult` or a
symmetric / framed :class:`aqc.unitary_frame.FramedResult` (whose repeats merge
the shared layer of adjacent copies).  All names are re-exported by
:mod:`aqc.unitary`.  Conventions: Pauli operators, ``hbar = 1``, qubit ``i`` =
site ``i`` (qiskit little-endian), see the README.

Example
-------
>>> from aqc.unitary_repeat import product_vectors
>>> product_vectors("neel", 4)[:, 1].real          # site order: 0101
array([0., 1., 0., 1.])

(``repeat(res, m)`` and ``evolve_circuit(res, m)`` for a compiled ``res``: see
:mod:`aqc.unitary`.)
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from threadpoolctl import threadpool_limits

from mps import MPS, evolve
from mps._validate import check_int, check_real
from mps.tebd import _VidalState

if TYPE_CHECKING:  # aqc.unitary re-exports this module: import it lazily
    from .unitary import UnitaryCompileResult

__all__ = [
    "StateEvolution",
    "evolve_circuit",
    "iter_block_states",
    "product_vectors",
    "repeat",
    "repeat_depth",
    "state_circuit",
]


def _check_any(result: Any):
    """A :class:`UnitaryCompileResult` or an :class:`aqc.unitary_frame.FramedResult`."""
    from .unitary import UnitaryCompileResult
    from .unitary_frame import FramedResult

    if not isinstance(result, (UnitaryCompileResult, FramedResult)):
        raise TypeError("result must be a UnitaryCompileResult or a FramedResult, got "
                        f"{type(result).__name__}")
    return result


def _is_framed(result: Any) -> bool:
    from .unitary import UnitaryCompileResult

    return not isinstance(result, UnitaryCompileResult)


def repeat_depth(result: Any, m: int) -> tuple[int, int]:
    """``(CX depth, CX count)`` of :func:`repeat` ``(result, m)``.

    Plain blocks: ``m`` times the block's.  Symmetric ``X^T X`` blocks:
    ``3 (m L + 1)`` (adjacent repeats share a layer); framed ``K^dagger V^m K``:
    ``3 (m L + 2 L_K - 1)``.
    """
    result = _check_any(result)
    m = check_int(m, "m (repeat)", minimum=1)
    if _is_framed(result):
        return result.ansatz.two_qubit_depth(m), result.ansatz.cx_count(m)
    return m * result.two_qubit_depth, m * result.cx_count


def repeat(result: UnitaryCompileResult, m: int):  # -> qiskit.QuantumCircuit
    """``V^m`` as a circuit (CX depth and count: :func:`repeat_depth`).

    A plain block is composed ``m`` times.  A symmetric or framed result
    (:mod:`aqc.unitary_frame`) gives ``V^m`` / ``K^dagger V^m K`` with adjacent
    layers on the same bonds merged, each merged gate as an su4 block of 3 CX.

    Raises
    ------
    ValueError
        If ``m < 1``.
    """
    result = _check_any(result)
    m = check_int(m, "m (repeat)", minimum=1)
    if _is_framed(result):
        from .unitary_frame import framed_circuit

        return framed_circuit(result, m, decompose=True)
    block = result.circuit
    qc = block.copy_empty_like(name=f"{block.name}_x{m}")
    qc.global_phase = 0.0  # compose adds the block's phase m times
    for _ in range(m):
        qc.compose(block, inplace=True)
    return qc


def product_vectors(initial: Any, n: int, seed: int = 0) -> np.ndarray:
    """``(n, 2)`` single-qubit states of a product state.

    ``initial``: ``"neel"`` (``0101...``), ``"zeros"``, a bitstring in site order,
    ``"random"`` (seeded Haar-random qubits) or an :class:`mps.MPS` of bond dimension 1.
    """
    n = check_int(n, "n", minimum=2)
    if isinstance(initial, MPS):
        if initial.n != n or initial.max_bond() != 1:
            raise ValueError(f"initial must be a product MPS (bond dimension 1) on n={n} sites")
        vecs = np.array([t[0, :, 0] for t in initial.tensors])
        return vecs / np.linalg.norm(vecs, axis=1, keepdims=True)
    if not isinstance(initial, str):
        raise TypeError(f"initial must be a str or a product MPS, got {type(initial).__name__}")
    if initial == "random":
        rng = np.random.default_rng(check_int(seed, "seed", minimum=0))
        v = rng.standard_normal((n, 2)) + 1j * rng.standard_normal((n, 2))
        return v / np.linalg.norm(v, axis=1, keepdims=True)
    bits = {"neel": "01" * (n // 2) + "0" * (n % 2), "zeros": "0" * n}.get(initial, initial)
    if len(bits) != n or set(bits) - {"0", "1"}:
        raise ValueError(f"initial must be 'neel', 'zeros', 'random' or a bitstring of length "
                         f"{n}, got {initial!r}")
    return np.array([[1.0, 0.0] if b == "0" else [0.0, 1.0] for b in bits], dtype=complex)


def state_circuit(result: UnitaryCompileResult, m: int, initial: Any = "neel", seed: int = 0):
    """The circuit of ``V^m |psi0>``: a product-state layer ``RY``, ``RZ`` then :func:`repeat`.

    The preparation is exact up to a global phase per qubit (irrelevant for fidelities).
    Symmetric and framed results (:mod:`aqc.unitary_frame`) are accepted too.
    """
    result = _check_any(result)
    if _is_framed(result):
        from .unitary_frame import framed_circuit

        return framed_circuit(result, check_int(m, "m (repeat)", minimum=1), initial,
                              decompose=True, seed=seed)
    vecs = product_vectors(initial, result.ansatz.n, seed)
    rep = repeat(result, m)
    qc = rep.copy_empty_like(name=f"{rep.name}_state")
    qc.global_phase = 0.0
    for q, (a0, a1) in enumerate(vecs):
        theta = 2.0 * math.atan2(abs(a1), abs(a0))
        if theta != 0.0:
            qc.ry(theta, q)
        phi = float(np.angle(a1) - np.angle(a0)) if abs(a0) * abs(a1) > 0 else 0.0
        if phi != 0.0:
            qc.rz(phi, q)
    qc.compose(rep, inplace=True)
    return qc


@dataclass(frozen=True)
class StateEvolution:
    """Outcome of :func:`evolve_circuit`: rows ``k = 1 .. m`` (``t = k tau``).

    ``fidelity[k-1] = |<psi_TEBD(k tau)|V^k|psi0>|^2``; ``trotter_fidelity`` is
    that of the second-order Trotter circuit of ``trotter_steps`` steps, the most
    whose CX depth ``3 (2 s + 1)`` fits in ``two_qubit_depth`` (NaN where none fits
    or where Trotter was not asked for).  ``final_state`` is ``V^m|psi0>`` and
    ``reference_state`` the TEBD state at ``t = m tau`` (both normalised MPS).
    """

    times: np.ndarray
    fidelity: np.ndarray
    two_qubit_depth: np.ndarray
    cx_count: np.ndarray
    trotter_fidelity: np.ndarray
    trotter_steps: np.ndarray
    trotter_depth: np.ndarray
    truncation_error: np.ndarray
    reference_truncation_error: np.ndarray
    initial: str
    final_state: MPS
    reference_state: MPS
    wall_time: float = 0.0

    def rows(self) -> list[dict[str, Any]]:
        keys = ("times", "fidelity", "two_qubit_depth", "cx_count", "trotter_fidelity",
                "trotter_steps", "trotter_depth", "truncation_error",
                "reference_truncation_error")
        return [{k.rstrip("s") if k == "times" else k: _num(getattr(self, k)[i]) for k in keys}
                for i in range(len(self.times))]


def _num(x: Any) -> Any:
    x = x.item() if hasattr(x, "item") else x
    return None if isinstance(x, float) and not math.isfinite(x) else x


def iter_block_states(
    result: UnitaryCompileResult,
    psi0: MPS,
    m: int,
    *,
    max_bond: int | None = 128,
    cutoff: float = 1e-12,
    threads: int | None = None,
):
    """Yield ``(k, V^k|psi0>, discarded weight so far)`` for ``k = 1 .. m``.

    The blocks' 4x4 matrices (:meth:`aqc.BrickworkAnsatz.block_unitaries`, equal to
    the circuit's up to its global phase) are applied to the MPS layer by layer with
    the TEBD bond update of :mod:`mps.tebd` (independent bonds on a thread pool).
    """
    from .unitary import _check_result

    result = _check_result(result)
    if not isinstance(psi0, MPS) or psi0.n != result.ansatz.n:
        raise ValueError(f"psi0 must be an MPS on n={result.ansatz.n} sites")
    m = check_int(m, "m (repeat)", minimum=1)
    ansatz = result.ansatz
    units = ansatz.block_unitaries(result.params)
    by_layer = [[(i, u) for (lay, i), u in zip(ansatz.bonds, units, strict=True) if lay == ly]
                for ly in range(ansatz.layers)]
    threads = min(os.cpu_count() or 1, 8) if threads is None else threads
    vidal = _VidalState(psi0)
    trunc = 0.0
    pool = ThreadPoolExecutor(threads) if threads > 1 and ansatz.n > 3 else None
    try:
        for k in range(1, m + 1):
            with threadpool_limits(limits=1, user_api="blas"):
                for gates in by_layer:
                    trunc += vidal.apply_layer([i for i, _ in gates], [u for _, u in gates],
                                               max_bond, cutoff, pool)
            yield k, vidal.to_mps(), trunc
    finally:
        if pool is not None:
            pool.shutdown()


def evolve_circuit(
    result: UnitaryCompileResult,
    m: int,
    initial: Any = "neel",
    *,
    seed: int = 0,
    max_bond: int = 128,
    cutoff: float = 1e-12,
    dt: float = 0.05,
    order: int = 4,
    trotter: bool | Sequence[int] = True,
    threads: int | None = None,
) -> StateEvolution:
    """State fidelity of ``V^k|psi0>`` against TEBD at ``t = k tau``, ``k = 1 .. m``.

    ``V^k|psi0>`` is computed by applying the blocks' matrices to the product
    MPS (SVDs truncated at ``max_bond`` / ``cutoff``, their discarded weight
    reported); the reference by :func:`mps.evolve` (order ``order``, step <= ``dt``,
    same truncation) chained block by block.  ``trotter``: True for all ``k``,
    False for none, or the ``k`` at which to compute the equal-depth Trotter state.
    ``result`` may be a symmetric or framed result of :mod:`aqc.unitary_frame`
    (CX depth per ``k``: :func:`repeat_depth`).
    """
    result = _check_any(result)
    m = check_int(m, "m (repeat)", minimum=1)
    max_bond = check_int(max_bond, "max_bond", minimum=1)
    cutoff = check_real(cutoff, "cutoff", minimum=0.0)
    ansatz, chain, tau = result.ansatz, result.chain, result.tau
    n, layers = ansatz.n, ansatz.layers
    name = initial if isinstance(initial, str) else "mps"
    psi0 = MPS.product_state(list(product_vectors(initial, n, seed)))
    trotter_ks = set(range(1, m + 1)) if trotter is True else set() if trotter is False \
        else {check_int(k, "trotter k", minimum=1) for k in trotter}
    threads = min(os.cpu_count() or 1, 8) if threads is None else threads
    start = time.perf_counter()

    ref = psi0
    rows: dict[str, list] = {k: [] for k in ("fid", "tf", "ts", "td", "tr", "rt")}
    if _is_framed(result):
        from .unitary_frame import iter_framed_states

        states = iter_framed_states(result, psi0, m, max_bond=max_bond, cutoff=cutoff,
                                    threads=threads)
    else:
        states = iter_block_states(result, psi0, m, max_bond=max_bond, cutoff=cutoff,
                                   threads=threads)
    for k, state, trunc in states:
        ev = evolve(chain, ref, tau, dt, order=order, max_bond=max_bond, cutoff=cutoff,
                    threads=threads)
        ref = ev.state
        rows["rt"].append(ev.truncation_error + (rows["rt"][-1] if rows["rt"] else 0.0))
        rows["fid"].append(abs(ref.overlap(state)) ** 2)
        rows["tr"].append(trunc)
        steps = (repeat_depth(result, k)[0] // 3 - 1) // 2 if _is_framed(result) \
            else (k * layers - 1) // 2  # the most steps whose depth 3 (2 s + 1) fits
        if k in trotter_ks and steps >= 1:
            tro = evolve(chain, psi0, k * tau, k * tau / steps, order=2,
                         max_bond=max_bond, cutoff=cutoff, threads=threads).state
            rows["tf"].append(abs(ref.overlap(tro)) ** 2)
        else:
            rows["tf"].append(math.nan)
        rows["ts"].append(steps)
        rows["td"].append(3 * (2 * steps + 1) if n > 2 else 3 * (steps + 1))
    ks = np.arange(1, m + 1)
    depths = np.array([repeat_depth(result, int(k)) for k in ks])
    return StateEvolution(
        times=ks * tau, fidelity=np.asarray(rows["fid"]),
        two_qubit_depth=depths[:, 0], cx_count=depths[:, 1],
        trotter_fidelity=np.asarray(rows["tf"]), trotter_steps=np.asarray(rows["ts"]),
        trotter_depth=np.asarray(rows["td"]), truncation_error=np.asarray(rows["tr"]),
        reference_truncation_error=np.asarray(rows["rt"]), initial=name, final_state=state,
        reference_state=ref,
        wall_time=time.perf_counter() - start,
    )
