"""Unitary AQC: compile ``U(tau) = exp(-i H tau)`` into a brickwork block and repeat it.

``compile_unitary(chain, tau, ansatz)`` fits the blocks of a
:class:`aqc.BrickworkAnsatz` ``V(theta)`` (initial single-qubit layer held at the
identity) to the MPO of ``U(tau)`` (:func:`mps.mpo.evolution_mpo`, TEBD on the
vectorised operator) by maximising the operator fidelity

    F = |Tr(U^dagger V)|^2 / 4^n

through the exact, linear-in-``n`` JAX contraction of
:mod:`aqc.unitary_objective` (no approximation: at ``n = 100`` the MPO of
``U(tau <= 0.5)`` has bond dimension <= 16, so the exact sweep is cheap for every
``L <= 8``), all parameters at once with scipy's L-BFGS-B on the per-qubit
log-infidelity ``-log(F) / n`` (``F`` is a product of local factors, so it decays
exponentially in ``n``, the orthogonality catastrophe of operators; the
per-qubit log keeps the gradients of order 1).  The start is the best Trotter
circuit that fits in ``L`` layers (:func:`aqc.trotter_params`).

The compiled block is then repeated: :func:`repeat` gives ``V^m`` (CX depth
``m`` times the block's) and :func:`evolve_circuit` measures the state fidelity
of ``V^k|psi0>`` against the TEBD state at ``t = k tau`` for product states
``psi0`` (Néel, any bitstring, seeded random product states), next to the
second-order Trotter circuit of equal CX depth.  The three accept the
transpose-symmetric and framed results of :mod:`aqc.unitary_frame` too (CX depth
of ``V^m``: :func:`repeat_depth`).

The returned circuit's global phase is set so that ``Tr(U^dagger V)`` is real
and positive.  Conventions: Pauli operators, ``hbar = 1``, qubit ``i`` = site
``i`` (qiskit little-endian), see the README.

Example
-------
>>> from mps import heisenberg
>>> from aqc import BrickworkAnsatz
>>> from aqc.unitary import compile_unitary, repeat
>>> res = compile_unitary(heisenberg(6, 0.25), 0.25, BrickworkAnsatz(6, 4), maxiter=50)
>>> res.fidelity > 0.9999, res.two_qubit_depth, repeat(res, 3).num_qubits
(True, 12, 6)
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.optimize
from threadpoolctl import threadpool_limits

from mps import MPS, SpinChain, evolve
from mps._validate import check_int, check_real
from mps._versions import versions
from mps.mpo import MPO, evolution_mpo
from mps.tebd import _VidalState

from .ansatz import BrickworkAnsatz
from .init import max_trotter_steps, trotter_params
from .optimize import StopRule
from .unitary_objective import OBJECTIVES, UnitaryObjective

__all__ = [
    "INITS",
    "StateEvolution",
    "UnitaryCompileResult",
    "as_chain",
    "compile_unitary",
    "evolve_circuit",
    "iter_block_states",
    "product_vectors",
    "repeat",
    "repeat_depth",
    "state_circuit",
    "tile_params",
]

INITS = ("trotter", "identity", "random")


# ---------------------------------------------------------------- validation
def as_chain(chain: Any) -> SpinChain:
    """A :class:`mps.SpinChain` from a chain or from a nearest-neighbour Pauli Hamiltonian.

    ``chain`` may be a ``SpinChain``, a qiskit ``SparsePauliOp`` or a list of
    ``(label, qubits, coefficient)`` terms (the format of
    :meth:`SpinChain.pauli_terms`).  Only ``XX``, ``YY``, ``ZZ`` couplings on
    neighbouring qubits ``(i, i+1)`` and ``X``, ``Y``, ``Z`` fields are accepted.

    Raises
    ------
    ValueError
        For a term on non-neighbouring qubits, on three or more qubits, a mixed
        coupling such as ``XY``, or a complex coefficient.
    """
    if isinstance(chain, SpinChain):
        return chain
    terms: list[tuple[str, tuple[int, ...], complex]] = []
    if hasattr(chain, "to_sparse_list") and hasattr(chain, "num_qubits"):  # SparsePauliOp
        n = int(chain.num_qubits)
        for label, qubits, coeff in chain.to_sparse_list():
            terms.append((label, tuple(int(q) for q in qubits), complex(coeff)))
    elif isinstance(chain, (list, tuple)):
        n = 0
        for term in chain:
            if not (isinstance(term, (list, tuple)) and len(term) == 3):
                raise TypeError("chain terms must be (label, qubits, coefficient) triples")
            label, qubits, coeff = term
            qubits = tuple(check_int(q, "qubit", minimum=0) for q in qubits)
            if not isinstance(label, str) or len(label) != len(qubits):
                raise ValueError(f"term {term!r}: the label must have one Pauli per qubit")
            terms.append((label.upper(), qubits, complex(coeff)))
            n = max(n, *(q + 1 for q in qubits)) if qubits else n
    else:
        raise TypeError(
            "chain must be an mps.SpinChain, a qiskit SparsePauliOp or a list of "
            f"(label, qubits, coefficient) terms, got {type(chain).__name__}"
        )
    if n < 2:
        raise ValueError(f"the Hamiltonian must act on >= 2 qubits, got {n}")
    j = {k: np.zeros(n - 1) for k in "XYZ"}
    h = {k: np.zeros(n) for k in "XYZ"}
    for label, qubits, coeff in terms:
        if abs(coeff.imag) > 1e-12 or not math.isfinite(coeff.real):
            raise ValueError(f"term {label} on {qubits}: coefficient must be real and finite")
        ops = [(p, q) for p, q in zip(label, qubits, strict=True) if p != "I"]
        if not ops:
            continue  # identity: a global phase
        if len(ops) == 1 and ops[0][0] in "XYZ":
            h[ops[0][0]][ops[0][1]] += coeff.real
            continue
        (p0, q0), (p1, q1) = ops[0], ops[-1]
        if len(ops) > 2 or abs(q0 - q1) != 1:
            raise ValueError(
                f"chain must be nearest-neighbour: term {label} on qubits {list(qubits)} "
                "couples qubits that are not neighbours (i, i+1)"
            )
        if p0 != p1:
            raise ValueError(f"term {label} on {list(qubits)}: only XX, YY and ZZ couplings "
                             "are supported")
        j[p0][min(q0, q1)] += coeff.real
    return SpinChain(n, jx=j["X"], jy=j["Y"], jz=j["Z"], hx=h["X"], hy=h["Y"], hz=h["Z"],
                     name="custom")


# -------------------------------------------------------------------- result
@dataclass(frozen=True)
class UnitaryCompileResult:
    """Outcome of :func:`compile_unitary`.

    Attributes
    ----------
    circuit : qiskit.QuantumCircuit
        The block ``V`` (gates ``u``, ``rz``, ``ry``, ``cx``; 3 CX per block),
        global phase set so that ``Tr(U^dagger V) > 0``.
    params : numpy.ndarray
        Full ansatz parameters (initial layer zero).
    fidelity, log_fidelity : float
        ``F = |Tr(U^dagger V)|^2 / 4^n`` against the MPO target, and ``log F``.
    history : numpy.ndarray
        ``F`` at the start (index 0) and after every iteration.
    init_fidelity : float
        ``F`` of the start (``init`` names it, e.g. ``"trotter-o2-k1"``).
    timings : dict
        Seconds: ``mpo`` (target), ``build`` (JIT and first evaluation),
        ``optimize``, ``total``.
    """

    circuit: Any
    params: np.ndarray
    fidelity: float
    log_fidelity: float
    history: np.ndarray
    ansatz: BrickworkAnsatz
    chain: SpinChain
    tau: float
    target: MPO
    init: str
    init_fidelity: float
    n_iter: int
    stop_reason: str
    seed: int
    timings: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)

    @property
    def two_qubit_depth(self) -> int:
        return self.ansatz.two_qubit_depth

    @property
    def cx_count(self) -> int:
        return self.ansatz.cx_count

    @property
    def infidelity_per_qubit(self) -> float:
        """``-log(F) / n``."""
        return -self.log_fidelity / self.ansatz.n

    def summary(self) -> dict[str, Any]:
        """JSON-serialisable numbers of the compile (no arrays but the history)."""
        return {
            "n": self.ansatz.n, "tau": self.tau, "layers": self.ansatz.layers,
            "block": self.ansatz.block, "fidelity": self.fidelity,
            "log_fidelity": self.log_fidelity, "infidelity": -math.expm1(self.log_fidelity),
            "init": self.init, "init_fidelity": self.init_fidelity,
            "two_qubit_depth": self.two_qubit_depth, "cx_count": self.cx_count,
            "n_iter": self.n_iter, "stop_reason": self.stop_reason, "seed": self.seed,
            "timings": dict(self.timings), "target_max_bond": self.target.max_bond(),
            "target_truncation_error": self.target.metadata.get("truncation_error"),
            "history": [float(x) for x in self.history], **self.metadata,
        }


# ------------------------------------------------------------------- compile
def _start(obj: UnitaryObjective, chain: SpinChain, tau: float, init: Any, seed: int):
    """``(name, block params)`` of the start."""
    ansatz = obj.ansatz
    if isinstance(init, str):
        if init == "identity":
            return "identity", obj.zero_blocks()
        if init == "random":
            rng = np.random.default_rng(seed)
            return "random", 0.1 * rng.standard_normal(obj.num_params)
        best = ("identity", obj.zero_blocks(), obj.log_fidelity(obj.zero_blocks()))
        for order in (2, 1):
            if max_trotter_steps(ansatz.layers, order) < 1:
                continue
            try:
                full = trotter_params(ansatz, chain, tau, "0" * ansatz.n, order=order)
            except ValueError:  # e.g. fields the xxz block cannot carry
                continue
            blocks = obj.blocks_of(full)
            log_f = obj.log_fidelity(blocks)
            if log_f > best[2]:
                steps = max_trotter_steps(ansatz.layers, order)
                best = (f"trotter-o{order}-k{steps}", blocks, log_f)
        return best[0], best[1]
    arr = np.asarray(init, dtype=float)
    if arr.shape == (ansatz.num_params,):
        arr = arr[ansatz.num_initial_params:]
    return "given", obj._check(arr)


def compile_unitary(
    chain: Any,
    tau: float,
    ansatz: BrickworkAnsatz,
    *,
    init: str | np.ndarray = "trotter",
    maxiter: int = 300,
    seed: int = 0,
    objective: str = "log",
    target: MPO | None = None,
    dt: float = 0.05,
    order: int = 4,
    max_bond: int | None = None,
    cutoff: float = 1e-12,
    target_fidelity: float | None = None,
    max_time: float | None = None,
    callback: Callable[[int, float], bool | None] | None = None,
) -> UnitaryCompileResult:
    """Compile ``U(tau) = exp(-i H tau)`` of a nearest-neighbour chain into ``ansatz``.

    Parameters
    ----------
    chain : SpinChain or SparsePauliOp or list of terms
        The Hamiltonian (see :func:`as_chain`); must be nearest-neighbour.
    tau : float
        Time of one block (> 0, finite), ``hbar = 1``.
    ansatz : BrickworkAnsatz
        The block's circuit; same ``n`` as the chain.
    init : {"trotter", "identity", "random"} or array
        Start: the best Trotter circuit of order 2 or 1 that fits (default), the
        identity, seeded random parameters near the identity, or given parameters
        (full ansatz vector or block part).
    maxiter : int
        L-BFGS-B iterations (>= 1).
    seed : int
        Seed of ``init="random"`` (recorded in any case).
    objective : {"log", "infidelity"}
        Cost minimised: ``-log(F)/n`` (default) or ``1 - F``.
    target : MPO, optional
        A precomputed MPO of ``U(tau)`` (else built by :func:`mps.mpo.evolution_mpo`
        with ``dt``, ``order``, ``max_bond`` and ``cutoff``).
    target_fidelity, max_time : float, optional
        Extra stopping rules (see :class:`aqc.StopRule`).
    callback : callable, optional
        ``f(iteration, fidelity)`` after the start and every iteration; True stops.

    Returns
    -------
    UnitaryCompileResult
    """
    t_start = time.perf_counter()
    chain = as_chain(chain)
    tau = check_real(tau, "tau", minimum=0.0, strict=True)
    if not isinstance(ansatz, BrickworkAnsatz):
        raise TypeError(f"ansatz must be an aqc.BrickworkAnsatz, got {type(ansatz).__name__}")
    if ansatz.n != chain.n:
        raise ValueError(f"the ansatz has n={ansatz.n} qubits but the chain has n={chain.n}")
    if isinstance(init, str) and init not in INITS:
        raise ValueError(f"init must be one of {INITS} or an array, got {init!r}")
    seed = check_int(seed, "seed", minimum=0)
    # scipy's ftol/gtol are absolute for costs below 1, and -log(F)/n is ~1e-8 here:
    # run to maxiter (or until the line search stalls) instead
    stop = StopRule(maxiter=maxiter, target_fidelity=target_fidelity, max_time=max_time,
                    ftol=0.0, gtol=0.0)
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}, got {objective!r}")
    if callback is not None and not callable(callback):
        raise TypeError("callback must be callable")
    if target is None:
        target = evolution_mpo(chain, tau, dt=dt, order=order, max_bond=max_bond, cutoff=cutoff)
    elif not isinstance(target, MPO) or target.n != chain.n:
        raise ValueError(f"target must be an MPO on n={chain.n} qubits")
    t_mpo = time.perf_counter()

    obj = UnitaryObjective.build(target, ansatz, kind=objective)
    name, x0 = _start(obj, chain, tau, init, seed)
    _, _, log_f0 = obj.value_and_grad(x0)
    t_build = time.perf_counter()

    history = [math.exp(log_f0)]
    state = {"x": x0.copy(), "reason": "maxiter"}

    def record(x: np.ndarray, value: float) -> bool:
        fid = obj.fidelity_from_value(value)
        history.append(fid)
        state["x"] = np.array(x, dtype=float)
        if callback is not None and callback(len(history) - 1, fid):
            state["reason"] = "callback"
            return True
        if stop.target_fidelity is not None and fid >= stop.target_fidelity:
            state["reason"] = "target_fidelity"
            return True
        if stop.max_time is not None and time.perf_counter() - t_build >= stop.max_time:
            state["reason"] = "max_time"
            return True
        return len(history) - 1 >= stop.maxiter

    def fun(x):
        v, g, _ = obj.value_and_grad(x)
        return v, g

    def cb(intermediate_result):
        if record(intermediate_result.x, float(intermediate_result.fun)):
            state["stopped"] = True
            raise StopIteration

    if callback is not None and callback(0, history[0]):
        state["reason"] = "callback"
    else:
        res = scipy.optimize.minimize(
            fun, x0, jac=True, method="L-BFGS-B", callback=cb,
            options={"maxiter": stop.maxiter + 1, "ftol": stop.ftol, "gtol": stop.gtol,
                     "maxcor": 30, "maxfun": 50 * stop.maxiter + 100},
        )
        if not state.get("stopped"):  # scipy ended on its own: converged or line search stalled
            state["reason"] = "converged" if res.success else "stalled"
            if obj.value_and_grad(res.x)[0] < obj.value_and_grad(state["x"])[0]:
                state["x"] = np.array(res.x)
    x = state["x"]
    log_f = obj.log_fidelity(x)
    t_opt = time.perf_counter()

    params = obj.full_params(x)
    qc = ansatz.to_circuit(params)
    qc.global_phase -= obj.trace_phase(x)
    qc.name = f"u_aqc_L{ansatz.layers}_tau{tau:g}"
    timings = {"mpo": t_mpo - t_start, "build": t_build - t_mpo, "optimize": t_opt - t_build,
               "total": time.perf_counter() - t_start}
    meta = {"model": chain.to_dict(), "objective": objective, "versions": versions()}
    return UnitaryCompileResult(
        circuit=qc, params=params, fidelity=math.exp(log_f), log_fidelity=log_f,
        history=np.asarray(history), ansatz=ansatz, chain=chain, tau=tau, target=target,
        init=name, init_fidelity=math.exp(log_f0), n_iter=len(history) - 1,
        stop_reason=state["reason"], seed=seed, timings=timings, metadata=meta,
    )


def tile_params(result: UnitaryCompileResult, ansatz: BrickworkAnsatz) -> np.ndarray:
    """Warm start for a longer chain: the blocks of a compiled shorter chain, tiled.

    For translation-invariant chains the optimal blocks depend only on the distance
    to the edges.  Block ``(layer, b)`` of ``ansatz`` copies the block of the short
    chain at the same distance from the nearer edge, and bulk bonds copy the
    short chain's middle bond of the same parity.  Needs the same layers, block
    type and parity of ``n``.  Returns a full parameter vector for ``ansatz``.
    """
    result = _check_result(result)
    small = result.ansatz
    if not isinstance(ansatz, BrickworkAnsatz):
        raise TypeError(f"ansatz must be an aqc.BrickworkAnsatz, got {type(ansatz).__name__}")
    if (ansatz.layers, ansatz.block) != (small.layers, small.block) or ansatz.n < small.n \
            or (ansatz.n - small.n) % 2:
        raise ValueError("tile_params needs the same layers and block, n >= the compiled n, "
                         "and n of the same parity")
    _, blocks = small.split(result.params)
    index = {bond: k for k, bond in enumerate(small.bonds)}
    ns, n, half = small.n, ansatz.n, small.n // 2
    out = ansatz.zero_params()
    big = out[ansatz.num_initial_params:].reshape(ansatz.num_blocks, ansatz.params_per_block)
    for k, (layer, b) in enumerate(ansatz.bonds):
        right = (n - 2) - b
        if b < half - 1:
            bs = b
        elif right < ns - 1 - half:
            bs = (ns - 2) - right
        else:
            bs = half - 1 if (half - 1) % 2 == b % 2 else half - 2
        big[k] = blocks[index[(layer, bs)]]
    return out


# ----------------------------------------------------------------- repetition
def _check_result(result: Any) -> UnitaryCompileResult:
    if not isinstance(result, UnitaryCompileResult):
        raise TypeError(f"result must be a UnitaryCompileResult, got {type(result).__name__}")
    return result


def _check_any(result: Any):
    """A :class:`UnitaryCompileResult` or an :class:`aqc.unitary_frame.FramedResult`."""
    from .unitary_frame import FramedResult

    if not isinstance(result, (UnitaryCompileResult, FramedResult)):
        raise TypeError("result must be a UnitaryCompileResult or a FramedResult, got "
                        f"{type(result).__name__}")
    return result


def _is_framed(result: Any) -> bool:
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
