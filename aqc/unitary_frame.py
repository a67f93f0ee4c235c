"""Framed unitary AQC: a repeated kernel ``V`` inside a frame ``K`` applied once.

The circuit for ``U(m tau)`` is ``K^dagger V^m K``: the frame ``K`` (``frame_layers``
brickwork layers, applied once at the start) and its inverse at the end, around
``m`` copies of the kernel ``V`` (``layers`` layers, even).  The compile fits the
one-block circuit ``W = K^dagger V K`` to ``U(tau)`` by maximising

    F = |Tr(U(tau)^dagger K^dagger V K)|^2 / 4^n,

jointly over ``K`` and ``V``, with the exact contraction of
:func:`aqc.unitary_objective.log_trace_gates` (``W`` is a brickwork of
``2 frame_layers + layers - 1`` layers: the last kernel layer and the first
layer of ``K^dagger`` act on the same bonds and are merged).  Since
``(K^dagger V K)^m = K^dagger V^m K``, the block fidelity is that of ``W``, and
the repeated circuit costs ``m layers + 2 frame_layers - 1`` layers: CX depth
``3 (m L + 2 L_K - 1)``.

This is the *processing* technique of geometric integration (Butcher's
effective order; Blanes, Casas and Ros): the kernel need only be a good
approximation of ``K U(tau) K^dagger`` for *some* cheap ``K``.  Second-order
Trotter is the case ``L = 2``, ``L_K = 1``: the kernel ``e^{-iA dt} e^{-iB dt}``
(first order by itself) in the frame ``K = e^{-iA dt/2}``; this is also the
start of the compile (``2 tau / L`` per Trotter step, ``L / 2`` steps in ``W``),
so ``F`` starts at the fidelity of the second-order Trotter circuit with
``L / 2`` steps and only improves.

Gates are 4x4 matrices with site ``i`` the more significant index (as in
:mod:`mps.tebd`); qubit ``i`` is site ``i`` (qiskit little-endian); Pauli
operators, ``hbar = 1``.

Example
-------
>>> import numpy as np
>>> from mps import heisenberg
>>> from aqc.unitary_frame import SymmetricAnsatz, framed_gates_np, trotter_symmetric_params
>>> sa = SymmetricAnsatz(6, layers=4)           # V = X^T X, X of 3 layers
>>> g = framed_gates_np(sa, trotter_symmetric_params(sa, heisenberg(6), 0.5))
>>> g.shape, sa.two_qubit_depth(m=4)            # 5 layers; V^4 has 4 * 4 + 1 layers
((5, 7, 4, 4), 51)

``compile_framed(chain, tau, sa)`` then fits the block (see the tests for
dense checks of the fidelity, the exported circuit and the repeated states).
"""

from __future__ import annotations

import copy
import math
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import scipy.optimize
from threadpoolctl import threadpool_limits

from mps import MPS, BondGates, SpinChain
from mps._validate import check_int, check_real
from mps.mpo import MPO, evolution_mpo
from mps.tebd import _VidalState

from .ansatz import (
    BLOCK_PARAMS,
    CX_PER_BLOCK,
    append_su4_block,
    block_unitaries_np,
    brickwork_bonds,
    check_block,
)
from .init import _su4_params
from .objective import block_unitaries_jax
from .unitary import as_chain
from .unitary_objective import log_trace_gates, pad_mpo
from .unitary_repeat import product_vectors

__all__ = ["FRAMED_INITS", "FramedAnsatz", "FramedResult", "SymmetricAnsatz", "compile_framed",
           "framed_circuit", "iter_framed_states"]


@dataclass(frozen=True)
class FramedAnsatz:
    """Kernel of ``layers`` (even) brickwork layers in a frame of ``frame_layers`` layers.

    Frame layer ``j`` acts on the bonds ``(i, i+1)`` with ``i = j mod 2``; kernel
    layer ``j`` on ``i = (frame_layers + j) mod 2``.  Parameters: the frame's
    blocks, then the kernel's (``BLOCK_PARAMS[block]`` each, in bond order).
    """

    n: int
    layers: int
    frame_layers: int = 1
    block: str = "su4"

    def __post_init__(self) -> None:
        object.__setattr__(self, "n", check_int(self.n, "n", minimum=4))
        object.__setattr__(self, "layers", check_int(self.layers, "layers", minimum=2))
        object.__setattr__(self, "frame_layers",
                           check_int(self.frame_layers, "frame_layers", minimum=1))
        if self.layers % 2:
            raise ValueError(f"layers (of the kernel) must be even, got {self.layers}")
        check_block(self.block)

    @cached_property
    def frame_bonds(self) -> tuple[tuple[int, int], ...]:
        return brickwork_bonds(self.n, self.frame_layers)

    @cached_property
    def kernel_bonds(self) -> tuple[tuple[int, int], ...]:
        return brickwork_bonds(self.n, self.layers, first=self.frame_layers)

    @property
    def num_params(self) -> int:
        return (len(self.frame_bonds) + len(self.kernel_bonds)) * BLOCK_PARAMS[self.block]

    @property
    def block_layers(self) -> int:
        """Layers of the one-block circuit ``K^dagger V K`` (merged)."""
        return 2 * self.frame_layers + self.layers - 1

    def two_qubit_depth(self, m: int = 1) -> int:
        """CX depth of ``K^dagger V^m K``."""
        return CX_PER_BLOCK * (m * self.layers + 2 * self.frame_layers - 1)

    def cx_count(self, m: int = 1) -> int:
        nb = lambda p: len(range(p, self.n - 1, 2))  # noqa: E731
        kernel = sum(nb((self.frame_layers + j) % 2) for j in range(self.layers))
        frame = sum(nb(j % 2) for j in range(self.frame_layers))
        merged = nb((self.frame_layers - 1) % 2)  # the last kernel layer absorbs one
        return CX_PER_BLOCK * (m * kernel + 2 * frame - merged)

    def split(self, params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        p = np.asarray(params, dtype=float)
        if p.shape != (self.num_params,) or not np.all(np.isfinite(p)):
            raise ValueError(f"params must be {self.num_params} finite numbers, got {p.shape}")
        k = len(self.frame_bonds) * BLOCK_PARAMS[self.block]
        npb = BLOCK_PARAMS[self.block]
        return p[:k].reshape(-1, npb), p[k:].reshape(-1, npb)


# --------------------------------------------------------------- objective
def _scatter(xp, base, layers, sites, values):
    if xp is np:
        out = np.array(base)
        out[layers, sites + 1] = values
        return out
    return base.at[layers, sites + 1].set(values)


def _composite_gates(params, *, fa: FramedAnsatz, n_pad: int, xp, unitaries):
    """Gates ``(block_layers, n_pad + 1, 4, 4)`` of ``K^dagger V K`` (merged layer).

    Frame layer ``j`` sits at composite layer ``j`` and (inverted) at
    ``last + L_K - 1 - j`` (``last = L_K + L - 1``, the last kernel layer), kernel
    layer ``j`` at ``L_K + j``; the product ``D @ G`` of the inverse-frame and the
    forward layers merges the two at ``last`` and leaves the others alone.
    """
    npb = BLOCK_PARAMS[fa.block]
    nf = len(fa.frame_bonds) * npb
    gk = unitaries(fa.block, params[:nf].reshape(-1, npb))
    gv = unitaries(fa.block, params[nf:].reshape(-1, npb))
    lk, lv = fa.frame_layers, fa.layers
    fl = np.asarray([b[0] for b in fa.frame_bonds])
    fs = np.asarray([b[1] for b in fa.frame_bonds])
    kl = np.asarray([b[0] for b in fa.kernel_bonds])
    ks = np.asarray([b[1] for b in fa.kernel_bonds])
    eye = xp.broadcast_to(xp.eye(4, dtype=complex), (fa.block_layers, n_pad + 1, 4, 4))
    fwd = _scatter(xp, eye, fl, fs, gk)
    fwd = _scatter(xp, fwd, lk + kl, ks, gv)
    last = lk + lv - 1
    inv = _scatter(xp, eye, last + lk - 1 - fl, fs, xp.conj(xp.swapaxes(gk, -1, -2)))
    return inv @ fwd


def block_gates(ansatz, params, *, n_pad: int | None = None, xp=np):
    """Gates of the one-block circuit (layout of :func:`log_trace_gates`)."""
    n_pad = ansatz.n if n_pad is None else n_pad
    unitaries = block_unitaries_np if xp is np else block_unitaries_jax
    if isinstance(ansatz, SymmetricAnsatz):
        return _symmetric_gates(params, sa=ansatz, n_pad=n_pad, xp=xp, unitaries=unitaries)
    return _composite_gates(params, fa=ansatz, n_pad=n_pad, xp=xp, unitaries=unitaries)


@partial(jax.jit, static_argnames=("fa", "n"))
def _framed_value_and_grad(flat, target, *, fa, n: int):
    def cost(x):
        gates = block_gates(fa, x, n_pad=target.shape[0], xp=jnp)
        logabs, phase = log_trace_gates(gates, target)
        log_f = 2.0 * logabs
        return -log_f / n, (log_f, phase)

    return jax.value_and_grad(cost, has_aux=True)(flat)


def framed_gates_np(fa, params: np.ndarray) -> np.ndarray:
    """NumPy gates of the block (layout of :func:`log_trace_gates`, ``n_pad = n``)."""
    fa.split(params)
    return block_gates(fa, np.asarray(params, dtype=float))


def trotter_frame_params(fa: FramedAnsatz, chain: SpinChain, tau: float) -> np.ndarray:
    """Start: ``K^dagger V K`` = second-order Trotter with ``L / 2`` steps of ``2 tau / L``.

    The last frame layer is ``e^{-iA dt/2}`` (``A``: its bonds), the other frame
    layers the identity, every kernel layer a full step ``e^{-iX dt}``.
    """
    if fa.block != "su4":
        raise ValueError("the Trotter start of a framed ansatz needs block='su4'")
    gates = BondGates(chain)
    dt = 2.0 * tau / fa.layers
    npb = BLOCK_PARAMS["su4"]
    frame = np.zeros((len(fa.frame_bonds), npb))
    for k, (j, i) in enumerate(fa.frame_bonds):
        if j == fa.frame_layers - 1:
            frame[k] = _su4_params(gates(i, dt / 2))
    kernel = np.array([_su4_params(gates(i, dt)) for _, i in fa.kernel_bonds])
    return np.concatenate([frame.ravel(), kernel.ravel()])


# ------------------------------------------------------------------ result
@dataclass(frozen=True)
class FramedResult:
    """Outcome of :func:`compile_framed` (``fidelity`` of ``K^dagger V K`` vs ``U(tau)``).

    ``circuit`` is the one-block circuit (``K^dagger V K``, or ``V`` for a symmetric
    ansatz) in ``u``/``cx`` gates, 3 CX per merged two-qubit gate, global phase set
    so that ``Tr(U^dagger W) > 0`` (``trace_phase`` is ``arg Tr(U^dagger W)`` of the
    gates before that correction).
    """

    ansatz: FramedAnsatz
    params: np.ndarray
    fidelity: float
    log_fidelity: float
    init_fidelity: float
    history: np.ndarray
    chain: SpinChain
    tau: float
    n_iter: int
    stop_reason: str
    timings: dict = field(default_factory=dict)
    trace_phase: float = 0.0
    target: MPO | None = None
    init: str = "trotter"
    seed: int = 0

    def gates(self) -> np.ndarray:
        return framed_gates_np(self.ansatz, self.params)

    @property
    def variant(self) -> str:
        return "symmetric" if isinstance(self.ansatz, SymmetricAnsatz) else "framed"

    @property
    def two_qubit_depth(self) -> int:
        return self.ansatz.two_qubit_depth(1)

    @property
    def cx_count(self) -> int:
        return self.ansatz.cx_count(1)

    @cached_property
    def circuit(self):  # -> qiskit.QuantumCircuit
        return framed_circuit(self, 1, decompose=True)

    def summary(self) -> dict[str, Any]:
        """JSON-serialisable numbers of the compile (no arrays but the history)."""
        a = self.ansatz
        return {
            "n": a.n, "tau": self.tau, "layers": a.layers, "variant": self.variant,
            "frame_layers": getattr(a, "frame_layers", None), "block": a.block,
            "fidelity": self.fidelity, "log_fidelity": self.log_fidelity,
            "infidelity": -math.expm1(self.log_fidelity), "init": self.init,
            "init_fidelity": self.init_fidelity, "two_qubit_depth": self.two_qubit_depth,
            "cx_count": self.cx_count, "n_iter": self.n_iter, "stop_reason": self.stop_reason,
            "seed": self.seed, "timings": dict(self.timings),
            "target_max_bond": None if self.target is None else self.target.max_bond(),
            "history": [float(x) for x in self.history],
        }


FRAMED_INITS = ("trotter", "identity", "random")


def compile_framed(chain: Any, tau: float, ansatz: FramedAnsatz, *, maxiter: int = 300,
                   init: str | np.ndarray = "trotter", target: MPO | None = None,
                   max_time: float | None = None, maxcor: int = 30,
                   seed: int = 0, dt: float = 0.05, order: int = 4,
                   max_bond: int | None = None, cutoff: float = 1e-12,
                   checkpoint: Any = None) -> FramedResult:
    """Fit ``K^dagger V K`` to ``U(tau)`` (L-BFGS-B on ``-log(F)/n``, all parameters at once).

    ``init``: ``"trotter"`` (:func:`trotter_frame_params` /
    :func:`trotter_symmetric_params`; needs ``block="su4"``), ``"identity"``,
    ``"random"`` (seeded, near the identity) or a parameter vector.  ``target``: a
    precomputed MPO of ``U(tau)``, else built by :func:`mps.mpo.evolution_mpo` with
    ``dt``, ``order``, ``max_bond`` and ``cutoff`` (as in
    :func:`aqc.unitary.compile_unitary`).  ``checkpoint``: ``f(iteration, x, fidelity)``
    after the start and every iteration (``x`` is a valid ``init`` to resume from).
    """
    t0 = time.perf_counter()
    chain = as_chain(chain)
    tau = check_real(tau, "tau", minimum=0.0, strict=True)
    if not isinstance(ansatz, (FramedAnsatz, SymmetricAnsatz)):
        raise TypeError("ansatz must be a FramedAnsatz or SymmetricAnsatz, got "
                        f"{type(ansatz).__name__}")
    if isinstance(ansatz, SymmetricAnsatz) and any(chain.hy):
        raise ValueError("a symmetric block needs a real Hamiltonian (no Y fields)")
    if ansatz.n != chain.n:
        raise ValueError(f"the ansatz has n={ansatz.n} qubits but the chain has n={chain.n}")
    maxiter = check_int(maxiter, "maxiter", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    if checkpoint is not None and not callable(checkpoint):
        raise TypeError("checkpoint must be callable")
    if isinstance(init, str):
        if init not in FRAMED_INITS:
            raise ValueError(f"init must be one of {FRAMED_INITS} or an array, got {init!r}")
        if init == "trotter":
            x0 = (trotter_symmetric_params(ansatz, chain, tau)
                  if isinstance(ansatz, SymmetricAnsatz)
                  else trotter_frame_params(ansatz, chain, tau))
        elif init == "identity":
            x0 = np.zeros(ansatz.num_params)
        else:
            x0 = 0.1 * np.random.default_rng(seed).standard_normal(ansatz.num_params)
        name = "trotter-symmetric" if init == "trotter" and isinstance(
            ansatz, SymmetricAnsatz) else "trotter-framed" if init == "trotter" else init
    else:
        x0 = np.asarray(init, dtype=float)
        ansatz.split(x0)
        name = "given"
    if target is None:
        target = evolution_mpo(chain, tau, dt=dt, order=order, max_bond=max_bond, cutoff=cutoff)
    elif not isinstance(target, MPO) or target.n != chain.n:
        raise ValueError(f"target must be an MPO on n={chain.n} qubits")
    t_mpo = time.perf_counter()
    n = ansatz.n
    with jax.enable_x64(True):
        tgt = jnp.asarray(pad_mpo(target))

    def evaluate(x, with_phase=False):
        with jax.enable_x64(True):
            (v, (log_f, ph)), g = _framed_value_and_grad(jnp.asarray(x), tgt, fa=ansatz, n=n)
            out = float(v), np.asarray(g, dtype=float), float(log_f)
            return (*out, float(ph)) if with_phase else out

    v0, _, lf0 = evaluate(x0)
    t_build = time.perf_counter()
    history, best = [math.exp(lf0)], {"x": x0, "v": v0, "reason": "maxiter"}
    if checkpoint is not None:
        checkpoint(0, np.array(x0), history[0])

    def fun(x):
        v, g, _ = evaluate(x)
        if v < best["v"]:
            best.update(x=np.array(x), v=v)
        return v, g

    def cb(intermediate_result):
        history.append(math.exp(-float(intermediate_result.fun) * n))
        if checkpoint is not None:
            checkpoint(len(history) - 1, np.array(intermediate_result.x), history[-1])
        if max_time is not None and time.perf_counter() - t_build > max_time:
            best["reason"] = "max_time"
            raise StopIteration
        if len(history) - 1 >= maxiter:
            raise StopIteration

    res = scipy.optimize.minimize(fun, x0, jac=True, method="L-BFGS-B", callback=cb,
                                  options={"maxiter": maxiter + 1, "ftol": 0.0, "gtol": 0.0,
                                           "maxcor": maxcor, "maxfun": 50 * maxiter + 100})
    if len(history) - 1 < maxiter and best["reason"] == "maxiter":
        best["reason"] = "converged" if res.success else "stalled"
    _, _, lf, phase = evaluate(best["x"], with_phase=True)
    t_end = time.perf_counter()
    return FramedResult(
        ansatz=ansatz, params=best["x"], fidelity=math.exp(lf), log_fidelity=lf,
        init_fidelity=math.exp(lf0), history=np.asarray(history), chain=chain, tau=tau,
        n_iter=len(history) - 1, stop_reason=best["reason"],
        timings={"mpo": t_mpo - t0, "build": t_build - t_mpo, "optimize": t_end - t_build,
                 "total": t_end - t0},
        trace_phase=phase, target=target, init=name, seed=seed)


# -------------------------------------------------------------- repetition
def _layers_of(ansatz, params: np.ndarray):
    """``(head, body, tail)``: lists of ``(bonds, gates)`` layers; the circuit for ``m``
    blocks is ``head + body * m + tail`` (adjacent layers on the same bonds merge)."""
    if isinstance(ansatz, SymmetricAnsatz):
        g = framed_gates_np(ansatz, params)
        body = []
        for c in range(ansatz.layers + 1):
            bonds = list(range(c % 2, ansatz.n - 1, 2))
            body.append((bonds, [g[c, i + 1] for i in bonds]))
        return [], body, []
    pk, pv = ansatz.split(params)
    gk, gv = block_unitaries_np(ansatz.block, pk), block_unitaries_np(ansatz.block, pv)

    def layers_from(bonds, gates, count):
        out = [([], []) for _ in range(count)]
        for (j, i), u in zip(bonds, gates, strict=True):
            out[j][0].append(i)
            out[j][1].append(u)
        return out

    frame = layers_from(ansatz.frame_bonds, gk, ansatz.frame_layers)
    kernel = layers_from(ansatz.kernel_bonds, gv, ansatz.layers)
    tail = [(b, [u.conj().T for u in us]) for b, us in reversed(frame)]
    return frame, kernel, tail


def _check_framed(result: Any) -> FramedResult:
    if not isinstance(result, FramedResult):
        raise TypeError(f"result must be a FramedResult, got {type(result).__name__}")
    return result


def _merge(first, second):
    """One layer equal to ``first`` then ``second`` (same bonds)."""
    return first[0], [b @ a for a, b in zip(first[1], second[1], strict=True)]


def iter_framed_states(result: FramedResult, psi0: MPS, m: int, *, max_bond: int | None = 128,
                       cutoff: float = 1e-12, want: set[int] | None = None,
                       threads: int | None = None):
    """Yield ``(k, W_k|psi0>, discarded weight)`` for ``k`` in ``want`` (default ``1..m``).

    ``W_k = K^dagger V^k K`` (framed) or ``V^k`` (symmetric); the gates are applied
    to the MPS with the TEBD bond update of :mod:`mps.tebd`, adjacent layers on the
    same bonds merged as in :func:`framed_circuit` (so ``V^k`` costs ``k L + 1``
    layers, not ``k (L + 1)``), independent bonds on ``threads`` threads (default:
    CPUs, <= 8) with single-threaded BLAS (multi-threaded BLAS on these small SVDs
    was measured 35x slower at n = 20 on 2 cores).
    """
    result = _check_framed(result)
    m = check_int(m, "m (repeat)", minimum=1)
    if not isinstance(psi0, MPS) or psi0.n != result.ansatz.n:
        raise ValueError(f"psi0 must be an MPS on n={result.ansatz.n} sites")
    want = set(range(1, m + 1)) if want is None else set(want)
    threads = min(os.cpu_count() or 1, 8) if threads is None else check_int(
        threads, "threads", minimum=1)
    head, body, tail = _layers_of(result.ansatz, result.params)
    pool = ThreadPoolExecutor(threads) if threads > 1 and psi0.n > 3 else None

    def push(state, pending, layer):
        """Merge ``layer`` into the pending one, or apply the pending one: (pending, weight)."""
        if pending is not None and pending[0] == layer[0]:
            return _merge(pending, layer), 0.0
        w = 0.0 if pending is None else state.apply_layer(*pending, max_bond, cutoff, pool)
        return layer, w

    blas1 = lambda: threadpool_limits(limits=1, user_api="blas")  # noqa: E731
    try:
        with blas1():
            vidal, trunc, pending = _VidalState(psi0), 0.0, None
            for layer in head:
                pending, w = push(vidal, pending, layer)
                trunc += w
        for k in range(1, m + 1):
            with blas1():
                for layer in body:
                    pending, w = push(vidal, pending, layer)
                    trunc += w
                if k not in want:
                    continue
                out = copy.copy(vidal)
                out.B, out.S = list(vidal.B), list(vidal.S)  # bond updates replace, never mutate
                last, t_out = pending, trunc
                for layer in tail:
                    last, w = push(out, last, layer)
                    t_out += w
                t_out += out.apply_layer(*last, max_bond, cutoff, pool)
                state = out.to_mps()
            yield k, state, t_out
    finally:
        if pool is not None:
            pool.shutdown()


def framed_circuit(result: FramedResult, m: int, initial: Any = None, *,
                   decompose: bool = False, seed: int = 0):
    """The circuit for ``U(m tau)`` (optionally after a product-state layer), qiskit.

    Adjacent layers on the same bonds are merged (the depth is
    ``ansatz.two_qubit_depth(m) / 3`` layers).  Two-qubit gates are ``UnitaryGate``
    4x4 blocks (site ``i`` the more significant index, i.e. on qiskit qubits
    ``[i + 1, i]``), or with ``decompose=True`` su4 blocks of ``u`` gates and 3 CX
    each (KAK, :func:`aqc.ansatz.append_su4_block`; CX depth
    ``ansatz.two_qubit_depth(m)``), global phase ``-m trace_phase`` (so the block,
    ``m = 1``, has ``Tr(U^dagger W) > 0``, and ``m`` blocks carry ``m`` times its phase).
    ``initial`` (``"neel"``, a bitstring, ``"random"`` with ``seed``, a product MPS)
    prepends ``RY``, ``RZ`` per qubit.
    """
    from qiskit import QuantumCircuit
    from qiskit.circuit.library import UnitaryGate

    result = _check_framed(result)
    fa = result.ansatz
    m = check_int(m, "m (repeat)", minimum=1)
    qc = QuantumCircuit(fa.n, name=f"{type(fa).__name__}_L{fa.layers}_x{m}")
    if initial is not None:
        for q, (a0, a1) in enumerate(product_vectors(initial, fa.n, seed)):
            qc.ry(2.0 * math.atan2(abs(a1), abs(a0)), q)
            if abs(a0) * abs(a1) > 0:
                qc.rz(float(np.angle(a1) - np.angle(a0)), q)
    head, body, tail = _layers_of(fa, result.params)
    merged: list[tuple[list[int], list[np.ndarray]]] = []
    for bonds, gates in head + body * m + tail:
        if merged and merged[-1][0] == bonds:
            merged[-1] = (bonds, [g @ h for g, h in zip(gates, merged[-1][1], strict=True)])
        else:
            merged.append((bonds, list(gates)))
    for bonds, gates in merged:
        for i, g in zip(bonds, gates, strict=True):
            if not decompose:
                qc.append(UnitaryGate(g, check_input=False), [i + 1, i])
                continue
            p = _su4_params(g)
            b = block_unitaries_np("su4", p[None])[0]
            qc.global_phase += float(np.angle(np.vdot(b, g)))  # g = e^{i phi} B(p)
            append_su4_block(qc, i, p)
    if decompose:
        qc.global_phase -= m * result.trace_phase
    return qc


# ------------------------------------------------------- symmetric blocks
@dataclass(frozen=True)
class SymmetricAnsatz:
    """A transpose-symmetric block ``V = X^T X``, ``X`` a brickwork of ``layers / 2 + 1`` layers.

    ``V`` has ``layers + 1`` layers (the last of ``X`` and the first of ``X^T``
    act on the same bonds and merge into the symmetric ``W^T W``), and in
    ``V^m`` the last layer of one block merges with the first of the next, so
    ``V^m`` costs ``m layers + 1`` layers (CX depth ``3 (m L + 1)``), like
    second-order Trotter (the case ``layers = 2``).
    """

    n: int
    layers: int
    block: str = "su4"

    def __post_init__(self) -> None:
        object.__setattr__(self, "n", check_int(self.n, "n", minimum=4))
        object.__setattr__(self, "layers", check_int(self.layers, "layers", minimum=2))
        if self.layers % 2:
            raise ValueError(f"layers must be even, got {self.layers}")
        check_block(self.block)

    @cached_property
    def half_bonds(self) -> tuple[tuple[int, int], ...]:
        return brickwork_bonds(self.n, self.layers // 2 + 1)

    @property
    def num_params(self) -> int:
        return len(self.half_bonds) * BLOCK_PARAMS[self.block]

    @property
    def block_layers(self) -> int:
        return self.layers + 1

    def two_qubit_depth(self, m: int = 1) -> int:
        return CX_PER_BLOCK * (m * self.layers + 1)

    def cx_count(self, m: int = 1) -> int:
        nb = [len(range(p, self.n - 1, 2)) for p in (0, 1)]
        per = sum(nb[c % 2] for c in range(self.layers))  # one block minus its last layer
        return CX_PER_BLOCK * (m * per + nb[self.layers % 2])

    def split(self, params: np.ndarray) -> np.ndarray:
        p = np.asarray(params, dtype=float)
        if p.shape != (self.num_params,) or not np.all(np.isfinite(p)):
            raise ValueError(f"params must be {self.num_params} finite numbers, got {p.shape}")
        return p.reshape(-1, BLOCK_PARAMS[self.block])


def _symmetric_gates(params, *, sa: SymmetricAnsatz, n_pad: int, xp, unitaries):
    """Gates ``(layers + 1, n_pad + 1, 4, 4)`` of ``X^T X``: layer ``c`` of ``X`` at ``c``,
    its transpose at ``layers - c`` (merged with ``X``'s last at ``c = layers / 2``)."""
    g = unitaries(sa.block, params.reshape(-1, BLOCK_PARAMS[sa.block]))
    hl = np.asarray([b[0] for b in sa.half_bonds])
    hs = np.asarray([b[1] for b in sa.half_bonds])
    eye = xp.broadcast_to(xp.eye(4, dtype=complex), (sa.layers + 1, n_pad + 1, 4, 4))
    fwd = _scatter(xp, eye, hl, hs, g)
    inv = _scatter(xp, eye, sa.layers - hl, hs, xp.swapaxes(g, -1, -2))
    return inv @ fwd


def trotter_symmetric_params(sa: SymmetricAnsatz, chain: SpinChain, tau: float) -> np.ndarray:
    """Start: ``X^T X`` = second-order Trotter, ``L / 2`` steps of ``2 tau / L``."""
    if sa.block != "su4":
        raise ValueError("the Trotter start of a symmetric ansatz needs block='su4'")
    gates, dt, mid = BondGates(chain), 2.0 * tau / sa.layers, sa.layers // 2
    return np.concatenate([_su4_params(gates(i, dt / 2 if j in (0, mid) else dt))
                           for j, i in sa.half_bonds])
