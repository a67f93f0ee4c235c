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

The compiled block is then repeated (:mod:`aqc.unitary_repeat`, re-exported
here): :func:`repeat` gives ``V^m`` (CX depth
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
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.optimize

from mps import SpinChain
from mps._validate import check_int, check_real
from mps._versions import versions
from mps.mpo import MPO, evolution_mpo

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
    checkpoint: Callable[[int, np.ndarray, float], None] | None = None,
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
    checkpoint : callable, optional
        ``f(iteration, x, fidelity)`` after the start and every iteration, ``x`` the
        block parameters (a valid ``init`` to resume from).

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
    if checkpoint is not None and not callable(checkpoint):
        raise TypeError("checkpoint must be callable")
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
        if checkpoint is not None:
            checkpoint(len(history) - 1, state["x"], fid)
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

    if checkpoint is not None:
        checkpoint(0, x0.copy(), history[0])
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


def _check_result(result: Any) -> UnitaryCompileResult:
    if not isinstance(result, UnitaryCompileResult):
        raise TypeError(f"result must be a UnitaryCompileResult, got {type(result).__name__}")
    return result


# Repetition lives in aqc.unitary_repeat; re-exported here (the public path aqc.unitary.repeat).
from .unitary_repeat import (  # noqa: E402
    StateEvolution,
    evolve_circuit,
    iter_block_states,
    product_vectors,
    repeat,
    repeat_depth,
    state_circuit,
)
