"""Sequential (layered staircase) MPS-to-circuit encoding: Ran's layers and their optimisation.

The generic baseline of MPS-to-circuit compilation, whose circuits grow linearly
in ``n``:

* **Ran** (S.-J. Ran, PRA 101, 032310 (2020), arXiv:1908.07958): truncate the
  current MPS to bond dimension 2; a chi = 2 MPS in right-canonical form is
  prepared *exactly* from ``|0...0>`` by one staircase of two-qubit gates (gate
  ``i`` on qubits ``(i, i+1)`` maps the bond carried by qubit ``i`` and a fresh
  ``|0>`` on qubit ``i+1`` to the physical qubit ``i`` and the next bond; the
  isometry is completed to a unitary, the last site's 2x2 unitary is folded into
  the last gate).  Apply the inverse of that layer to the full MPS (it moves
  the state towards ``|0...0>``) and repeat.  After ``D`` layers
  ``|psi> ≈ U_1 U_2 ... U_D |0...0>``: the last layer found acts first.
* **Optimised** (``optimize=True``; Rudolph et al., arXiv:2209.00595): layers
  are added one at a time as above (each one from the chi = 2 truncation of the
  residual ``V^dagger |psi>`` of the current circuit ``V``), and after each
  addition *all* gates are optimised together with L-BFGS-B on the per-qubit
  log-infidelity ``-log(F)/n``, differentiated by JAX through the exact
  gate-list contraction of :mod:`aqc.contraction` (the machinery of
  :mod:`aqc.objective` applied to staircases).

Depth
-----
A staircase is sequential (two-qubit depth ``n - 1``), but consecutive layers
pipeline: gate ``j`` of the ``m``-th layer in time order (``m = 0`` acts first)
can run in step ``j + 2 m``.  ``D`` layers on ``n >= 3`` qubits therefore have
two-qubit *gate* depth ``n + 2 D - 3`` (``D`` on ``n = 2``), and since every
gate is exported in KAK form with 3 CX on the same pair, **CX depth
``3 (n + 2 D - 3)``** and ``3 D (n - 1)`` CX (:attr:`StaircaseAnsatz.two_qubit_depth`;
the test checks it against qiskit's ``depth`` of the exported circuit).

Fidelity
--------
``fidelity`` is ``|<target|V|0>|^2`` by the exact contraction of
:mod:`aqc.contraction` whenever its largest intermediate, ``2 chi 4^D`` complex
numbers, fits in ``max_env`` (``fidelity_method = "contraction"``).  The exact
contraction is exponential in ``D`` (every layer puts one gate on every bond);
beyond ``max_env`` the fidelity is ``|<0|V^dagger target>|^2`` with ``V^dagger``
applied to the target MPS by SVD splitting with discarded weight at most
``cutoff`` per SVD (``fidelity_method = "mps"``, the summed discarded weight in
``truncation_error``).  ``optimize=True`` needs the exact contraction.  The ``"mps"``
value is exact only up to that truncation: the residual is renormalised after each
truncation, so with a bond cap (``max_bond``) whose discarded weight is not small the
reported fidelity overstates the circuit's (measured: 0.968 reported vs 0.895 by a
statevector on a random n = 12 target with a cap of 16, discarded weight 0.072); compare
``truncation_error`` with ``1 - fidelity`` before trusting it.

Conventions: qubit ``i`` = MPS site ``i`` (qiskit little-endian); 4x4 gate
matrices have the lower qubit as the more significant index (:mod:`aqc.ansatz`).

Example
-------
>>> from mps import MPS, evolve, heisenberg
>>> from aqc.sequential import sequential_circuit
>>> target = evolve(heisenberg(8, 0.25), MPS.neel(8), t=0.5, dt=0.05).state
>>> res = sequential_circuit(target, layers=2)
>>> res.circuit.num_qubits, res.two_qubit_depth, res.cx_count
(8, 27, 42)
>>> bool(res.fidelity_per_layer[1] > res.fidelity_per_layer[0] > 0.9)
True
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import scipy.linalg

from mps import MPS, apply_gates
from mps._validate import check_int, check_real
from mps._versions import versions

from .ansatz import _append_kak_core, block_unitaries_np
from .contraction import GateList, gate_list_log_overlap
from .init import _su4_params
from .objective import block_unitaries_jax, pad_target
from .optimize import StopRule, minimize

__all__ = ["SequentialResult", "StaircaseAnsatz", "ran_layer", "sequential_circuit",
           "truncate_right_canonical"]

SU4_PARAMS = 15


@dataclass(frozen=True)
class StaircaseAnsatz:
    """``layers`` staircases of ``su4`` blocks on ``n`` qubits, acting on ``|0...0>``.

    Layer ``m = 0`` acts first; within a layer the gates act on ``(0, 1)``,
    ``(1, 2)``, ..., ``(n-2, n-1)`` in this order.  Parameters: 15 per block
    (the ``su4`` layout of :mod:`aqc.ansatz`), blocks in time order; there is no
    initial single-qubit layer.
    """

    n: int
    layers: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "n", check_int(self.n, "n", minimum=2))
        object.__setattr__(self, "layers", check_int(self.layers, "layers", minimum=1))

    @property
    def bonds(self) -> tuple[int, ...]:
        """The lower qubit of every block, in time order."""
        return tuple(i for _ in range(self.layers) for i in range(self.n - 1))

    @property
    def block(self) -> str:
        return "su4"

    @property
    def num_blocks(self) -> int:
        return self.layers * (self.n - 1)

    @property
    def num_params(self) -> int:
        return SU4_PARAMS * self.num_blocks

    @property
    def cx_count(self) -> int:
        return 3 * self.num_blocks

    @property
    def two_qubit_depth(self) -> int:
        """CX depth ``3 (n + 2 D - 3)`` (``3 D`` for ``n = 2``): pipelined staircases."""
        gate_depth = self.layers if self.n == 2 else self.n + 2 * self.layers - 3
        return 3 * gate_depth

    def check_params(self, params: object) -> np.ndarray:
        arr = np.asarray(params, dtype=float)
        if arr.shape != (self.num_params,):
            raise ValueError(f"params must have shape ({self.num_params},) for {self}, "
                             f"got {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise ValueError("params must be finite")
        return arr

    def block_unitaries(self, params: np.ndarray) -> np.ndarray:
        p = self.check_params(params).reshape(self.num_blocks, SU4_PARAMS)
        return block_unitaries_np("su4", p)

    def to_circuit(self, params: np.ndarray):  # -> qiskit.QuantumCircuit
        """The circuit (gates ``u`` and ``cx``, 3 CX per block); qubit ``i`` = site ``i``."""
        from qiskit import QuantumCircuit

        p = self.check_params(params).reshape(self.num_blocks, SU4_PARAMS)
        qc = QuantumCircuit(self.n, name=f"sequential_D{self.layers}")
        for i, q in zip(self.bonds, p, strict=True):
            qc.u(*map(float, q[9:12]), i)
            qc.u(*map(float, q[12:15]), i + 1)
            _append_kak_core(qc, i, i + 1, *map(float, q[6:9]))
            qc.u(*map(float, q[0:3]), i)
            qc.u(*map(float, q[3:6]), i + 1)
        return qc


@dataclass(frozen=True)
class SequentialResult:
    """Outcome of :func:`sequential_circuit`.

    Attributes
    ----------
    circuit : qiskit.QuantumCircuit
        ``V`` with ``V|0...0> ≈ target`` (gates ``u``, ``cx``; qubit ``i`` = site ``i``).
    params : numpy.ndarray
        ``su4`` parameters of :class:`StaircaseAnsatz` (time order).
    fidelity, log_fidelity : float
        ``|<target|V|0>|^2`` and its log (see ``fidelity_method``).
    fidelity_per_layer : numpy.ndarray
        Fidelity after 1, 2, ..., ``layers`` layers (for ``optimize=True``: after
        each layer's joint optimisation).
    fidelity_method : {"contraction", "mps"}
        How ``fidelity`` was computed (module docstring).
    truncation_error : float
        Summed discarded weight of the residual MPS (0 if nothing was dropped).
    two_qubit_depth, cx_count : int
        Of the exported circuit.
    timings : dict
        Seconds: ``layers`` (Ran's layers), ``optimize``, ``fidelity``, ``total``.
    """

    circuit: Any
    params: np.ndarray
    fidelity: float
    log_fidelity: float
    fidelity_per_layer: np.ndarray
    fidelity_method: str
    truncation_error: float
    two_qubit_depth: int
    cx_count: int
    ansatz: StaircaseAnsatz
    optimize: bool
    n_iter: int
    timings: dict[str, float]
    seed: int
    versions: dict[str, str] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """JSON-serialisable summary (no circuit, no parameters)."""
        return {"n": self.ansatz.n, "layers": self.ansatz.layers, "optimize": self.optimize,
                "fidelity": self.fidelity, "log_fidelity": self.log_fidelity,
                "fidelity_per_layer": [float(f) for f in self.fidelity_per_layer],
                "fidelity_method": self.fidelity_method,
                "truncation_error": self.truncation_error,
                "two_qubit_depth": self.two_qubit_depth, "cx_count": self.cx_count,
                "n_iter": self.n_iter, "timings": dict(self.timings), "seed": self.seed,
                "versions": dict(self.versions)}


# ----------------------------------------------------------------- Ran's layer
def truncate_right_canonical(state: MPS, max_bond: int) -> list[np.ndarray]:
    """Right-canonical tensors of ``state`` truncated by SVD to bond ``max_bond``, normalised.

    Left-canonicalise, then sweep right to left keeping the ``max_bond`` largest
    singular values at each bond (the standard MPS truncation).
    """
    ts = [np.array(t) for t in state.canonicalize(state.n - 1).tensors]
    for i in range(state.n - 1, 0, -1):
        cl, d, cr = ts[i].shape
        u, s, vh = np.linalg.svd(ts[i].reshape(cl, d * cr), full_matrices=False)
        k = max(1, min(max_bond, int(np.sum(s > 1e-15 * s[0]))))
        ts[i] = vh[:k].reshape(k, d, cr)
        ts[i - 1] = np.einsum("asb,bc->asc", ts[i - 1], u[:, :k] * s[:k])
    ts[0] = ts[0] / np.linalg.norm(ts[0])
    return ts


def _complete(columns: np.ndarray, positions: list[int]) -> np.ndarray:
    """A 4x4 unitary whose columns ``positions`` are the orthonormal ``columns`` (4, k)."""
    out = np.zeros((4, 4), dtype=complex)
    out[:, positions] = columns
    rest = [p for p in range(4) if p not in positions]
    if rest:
        out[:, rest] = scipy.linalg.null_space(columns.conj().T)[:, : len(rest)]
    return out


def ran_layer(state: MPS) -> list[np.ndarray]:
    """Ran's staircase for ``state``: gates ``G_0, ..., G_{n-2}`` (time order) with
    ``G_{n-2} ... G_0 |0...0> = T_2(state)``, the chi = 2 truncation of ``state``."""
    ts = truncate_right_canonical(state, 2)
    n = state.n
    gates = []
    for i in range(n - 1):
        b = ts[i]  # (a, s, b): input (bond a on qubit i, |0> on i+1) -> output (s, b)
        da, _, db = b.shape
        cols = np.zeros((4, da), dtype=complex)
        for a in range(da):
            cols[:, a] = np.pad(b[a], ((0, 0), (0, 2 - db))).reshape(4)
        gates.append(_complete(cols, [2 * a for a in range(da)]))
    last = ts[n - 1][:, :, 0].T  # W[s, a]: the bond on qubit n-1 -> its physical state
    w = np.zeros((2, 2), dtype=complex)
    w[:, : last.shape[1]] = last
    if last.shape[1] == 1:
        w[:, 1] = scipy.linalg.null_space(last.conj().T)[:, 0]
    gates[-1] = np.kron(np.eye(2), w) @ gates[-1]
    return gates


def _dagger_layers(state: MPS, layers: list[list[np.ndarray]], max_bond, cutoff):
    """``V^dagger |state>`` for ``V`` = ``layers`` (time order): (MPS, discarded weight)."""
    seq = [(i, g.conj().T) for layer in reversed(layers)
           for i, g in reversed(list(enumerate(layer)))]
    return apply_gates(state, seq, max_bond=max_bond, cutoff=cutoff)


def _zero_amplitude(state: MPS) -> complex:
    return complex(state.overlap(MPS.zeros(state.n)))


def _params_of(layers: list[list[np.ndarray]]) -> np.ndarray:
    return np.concatenate([_su4_params(g) for layer in layers for g in layer])


def _gates_of(ansatz: StaircaseAnsatz, params: np.ndarray) -> list[list[np.ndarray]]:
    units = ansatz.block_unitaries(params)
    m = ansatz.n - 1
    return [list(units[k * m : (k + 1) * m]) for k in range(ansatz.layers)]


def _staircase_objective(target: MPS, ansatz: StaircaseAnsatz) -> _StaircaseObjective:
    """An :class:`aqc.objective.Objective` (cost ``-log(F)/n``) for a staircase ansatz."""
    gl = GateList(ansatz.n, ansatz.bonds)
    patterns, closing = gl.structure
    n = ansatz.n
    with jax.enable_x64(True):
        tgt = jnp.asarray(pad_target(target)[:n])
        v0 = jnp.zeros((n, 2), dtype=complex).at[:, 0].set(1.0)

        # the target is an argument, not a closed-over constant: XLA would constant-fold it
        def log_overlap(params, tgt):
            gates = block_unitaries_jax("su4", params.reshape(-1, SU4_PARAMS))
            return gate_list_log_overlap(gates, tgt, v0, patterns, closing)

        def cost_and_log_f(params, tgt):
            log_f = 2.0 * log_overlap(params, tgt)[0]
            return -log_f / n, log_f

        vg = jax.jit(jax.value_and_grad(cost_and_log_f, has_aux=True))
        lo = jax.jit(log_overlap)
    return _StaircaseObjective(ansatz=ansatz, n=n, _vg=lambda p: vg(p, tgt),
                               _lo=lambda p: lo(p, tgt),
                               cost_fn=lambda p: cost_and_log_f(p, tgt)[0])


@dataclass(frozen=True)
class _StaircaseObjective:
    """The part of :class:`aqc.objective.Objective`'s interface that
    :func:`aqc.optimize.minimize` and this module use (cost ``-log(F)/n``)."""

    ansatz: StaircaseAnsatz
    n: int
    _vg: Callable
    _lo: Callable
    cost_fn: Callable
    kind: str = "log"

    def value_and_grad(self, params: np.ndarray) -> tuple[float, np.ndarray]:
        with jax.enable_x64(True):
            (val, _), grad = self._vg(jnp.asarray(params, dtype=float))
            return float(val), np.asarray(grad, dtype=float)

    def log_fidelity(self, params: np.ndarray) -> float:
        with jax.enable_x64(True):
            (_, log_f), _ = self._vg(jnp.asarray(params, dtype=float))
            return float(log_f)

    def fidelity(self, params: np.ndarray) -> float:
        return float(np.exp(self.log_fidelity(params)))

    def fidelity_from_value(self, value: float) -> float:
        return float(np.exp(-value * self.n))


def _check_target(target: object) -> MPS:
    if not isinstance(target, MPS):
        raise TypeError(f"target must be an mps.MPS, got {type(target).__name__}")
    if target.n < 2:
        raise ValueError(f"target must have n >= 2 qubits, got {target.n}")
    norm = target.norm()
    if not np.isfinite(norm):
        raise ValueError("target has non-finite entries")
    if abs(norm - 1.0) > 1e-8:
        raise ValueError(f"target must be normalised (norm 1), got norm {norm:.12g}")
    return target


def sequential_circuit(
    target: MPS,
    layers: int,
    *,
    optimize: bool = False,
    maxiter: int = 200,
    seed: int = 0,
    target_fidelity: float | None = None,
    max_bond: int | None = None,
    cutoff: float = 1e-14,
    max_env: int = 2**24,
    callback: Callable[[int, float], None] | None = None,
) -> SequentialResult:
    """Encode ``target`` in ``layers`` pipelined staircases of two-qubit gates.

    Parameters
    ----------
    target : mps.MPS
        Normalised target state on ``n >= 2`` qubits.
    layers : int
        Number of staircase layers ``D`` (>= 1).
    optimize : bool
        False: Ran's layers as they are.  True: Rudolph et al.'s variant, all
        gates optimised together after every added layer (module docstring).
    maxiter : int
        L-BFGS-B iterations per added layer (``optimize=True``).
    seed : int
        Recorded (the algorithm is deterministic).
    target_fidelity : float, optional
        Stop adding layers once the fidelity reaches this value (the circuit may
        then have fewer than ``layers`` layers).
    max_bond, cutoff :
        Truncation of the residual MPS ``V^dagger |target>`` (default: no cap,
        discarded weight <= 1e-14 per SVD).
    max_env : int
        Largest exact-contraction intermediate (complex numbers) used for the
        fidelity and the optimisation.
    callback : callable, optional
        ``f(d, fidelity)`` after each added layer ``d`` (progress, partial results).

    Returns
    -------
    SequentialResult

    Raises
    ------
    TypeError, ValueError
        For a target that is not a normalised MPS, ``layers < 1``, bad options, or
        ``optimize=True`` beyond ``max_env``.
    """
    start = time.perf_counter()
    target = _check_target(target)
    layers = check_int(layers, "layers", minimum=1)
    maxiter = check_int(maxiter, "maxiter", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    cutoff = check_real(cutoff, "cutoff", minimum=0.0)
    max_env = check_int(max_env, "max_env", minimum=1)
    if max_bond is not None:
        max_bond = check_int(max_bond, "max_bond", minimum=2)
    if target_fidelity is not None:
        target_fidelity = check_real(target_fidelity, "target_fidelity", minimum=0.0)
    if not isinstance(optimize, bool):
        raise TypeError(f"optimize must be a bool, got {type(optimize).__name__}")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable, got {type(callback).__name__}")
    n, chi = target.n, target.max_bond()
    if optimize and GateList(n, StaircaseAnsatz(n, layers).bonds).env_size(chi) > max_env:
        raise ValueError(
            f"optimize=True with {layers} layers needs an exact contraction of "
            f"2*chi*4^layers = {2 * chi * 4**layers} > max_env = {max_env} numbers; "
            "use fewer layers or a larger max_env")

    found: list[list[np.ndarray]] = []  # Ran's layers in the order found (U_1 first)
    per_layer: list[float] = []
    t_layers = t_opt = 0.0
    trunc = 0.0
    n_iter = 0
    residual = target
    params = np.zeros(0)
    for d in range(1, layers + 1):
        t0 = time.perf_counter()
        new = ran_layer(residual)
        found.append(new)
        if optimize:
            ansatz = StaircaseAnsatz(n, d)
            # time order: the newest layer acts first, then the optimised circuit so far
            x0 = np.concatenate([_params_of([new]), params])
            t_layers += time.perf_counter() - t0
            t0 = time.perf_counter()
            obj = _staircase_objective(target, ansatz)
            res = minimize(obj, x0, stop=StopRule(maxiter=maxiter))
            params, n_iter = res.params, n_iter + res.n_iter
            per_layer.append(obj.fidelity(params))
            t_opt += time.perf_counter() - t0
            t0 = time.perf_counter()
            if d < layers:
                residual, w = _dagger_layers(target, _gates_of(ansatz, params), max_bond, cutoff)
                trunc += w
            t_layers += time.perf_counter() - t0
        else:
            residual, w = _dagger_layers(residual, [new], max_bond, cutoff)
            trunc += w
            per_layer.append(abs(_zero_amplitude(residual)) ** 2)
            t_layers += time.perf_counter() - t0
        if callback is not None:
            callback(d, per_layer[-1])
        if target_fidelity is not None and per_layer[-1] >= target_fidelity:
            break
    depth = len(found)
    ansatz = StaircaseAnsatz(n, depth)
    if not optimize:
        params = _params_of(list(reversed(found)))
    t0 = time.perf_counter()
    gl = GateList(n, ansatz.bonds)
    if gl.env_size(chi) <= max_env:
        logabs, _ = gl.log_overlap(target, ansatz.block_unitaries(params))
        log_f, method = 2.0 * logabs, "contraction"
    else:
        if optimize:  # pragma: no cover - excluded by the max_env check above
            raise AssertionError
        log_f, method = float(np.log(max(per_layer[-1], 1e-300))), "mps"
    t_fid = time.perf_counter() - t0
    return SequentialResult(
        circuit=ansatz.to_circuit(params), params=params, fidelity=float(np.exp(log_f)),
        log_fidelity=float(log_f), fidelity_per_layer=np.asarray(per_layer),
        fidelity_method=method, truncation_error=float(trunc),
        two_qubit_depth=ansatz.two_qubit_depth, cx_count=ansatz.cx_count, ansatz=ansatz,
        optimize=optimize, n_iter=n_iter,
        timings={"layers": t_layers, "optimize": t_opt, "fidelity": t_fid,
                 "total": time.perf_counter() - start},
        seed=seed, versions=versions())
