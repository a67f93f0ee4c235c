"""``aqc.compile``: fit a constant-depth brickwork circuit to an MPS target.

The orthogonality catastrophe and its remedy
--------------------------------------------
For ``n`` qubits the fidelity of an approximate circuit with the target is
roughly ``f**n`` for a per-qubit fidelity ``f < 1``: at ``n = 100`` even a good
start has ``F`` of 1e-2 .. 1e-10.  The naive cost ``1 - F`` is then flat to
within ``F``: its gradient is ``-grad F = -F grad log F``, exponentially small
in ``n``, and L-BFGS stops on its tolerances (or crawls) although the circuit is
far from the optimum.  Following the AQCtensor paper we

1. **start from a Trotter circuit** of the same depth (``init="trotter"``):
   the ansatz reproduces a ``k``-step Trotter circuit of the target's own
   Hamiltonian exactly, so the start already has a per-qubit fidelity close to
   one (and the optimiser can only improve on Trotter);
2. **optimise the per-qubit log-fidelity** ``-log(F)/n`` (``objective="log"``,
   the default) computed without underflow by a rescaled contraction
   (:mod:`aqc.objective`).  Its gradient ``-grad(F)/(n F)`` is the gradient of
   ``1 - F`` divided by ``n F``: of order one whatever ``n``, so the optimiser
   sees the same landscape at 100 qubits as at 10; the optimum is unchanged
   (``log`` is monotone);
3. optionally **climb in time** (``schedule=m``): compile the targets at
   ``t/m, 2t/m, ..., t`` in turn, each stage starting from the better (on the
   new target) of the previous stage's optimum and the Trotter circuit at the
   new time.  Early targets are easy (high start fidelity), and each stage
   starts close to its optimum, as in the paper's sequence of time horizons.

Points 1 and 3 are the AQCtensor recipe (the paper and its companion code);
point 2 is how we keep the global objective well conditioned at 100 qubits.
``tests/test_aqc.py::test_orthogonality_catastrophe_naive_stalls_log_does_not``
shows it at ``n = 100`` (Heisenberg ``j = 1``, ``t = 1``, ``L = 4``, Trotter
start ``F = 7e-14``): L-BFGS-B on ``1 - F`` stops at iteration 0, on
``-log(F)/n`` it raises ``F`` to 6e-8 in 100 iterations and keeps going.

Example
-------
>>> from mps import MPS, evolve, heisenberg
>>> import aqc
>>> target = evolve(heisenberg(8), MPS.neel(8), t=0.5, dt=0.05, max_bond=64).state
>>> res = aqc.compile(target, aqc.BrickworkAnsatz(8, layers=3), maxiter=50)
>>> res.fidelity > res.init_fidelity
True
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mps import MPS, SpinChain, evolve
from mps._validate import check_int, check_real
from mps._versions import versions

from .ansatz import BrickworkAnsatz
from .init import basis_params, grow_params, max_trotter_steps, product_params, trotter_params
from .objective import OBJECTIVES, PRECISIONS, Objective, check_target
from .optimize import OPTIMIZERS, IterInfo, StopRule, minimize

__all__ = ["CompileResult", "compile", "target_info"]

INITS = ("auto", "trotter", "grow", "product", "random", "zeros")


@dataclass(frozen=True)
class CompileResult:
    """Outcome of :func:`compile`.

    Attributes
    ----------
    circuit : qiskit.QuantumCircuit
        ``V(theta)`` with bound parameters (gates ``ry, rz, u, cx``; qubit ``i`` =
        site ``i``); ``V|0>`` approximates the target.
    params : numpy.ndarray
        Optimised parameters (layout in :mod:`aqc.ansatz`).
    fidelity : float
        ``|<target|V|0>|^2`` at ``params`` (exact contraction).
    log_fidelity : float
        ``log`` of it (finite even when ``fidelity`` underflows).
    init_fidelity : float
        Fidelity of the starting circuit (of the final stage's start).
    history : numpy.ndarray
        Fidelity after every iteration, all stages concatenated.
    two_qubit_depth, cx_count : int
        Of the exported circuit.
    timings : dict
        Seconds: ``targets`` (intermediate targets), ``setup`` (objective
        build and first compilation), ``optimize``, ``total``.
    stages : list of dict
        Per stage: ``t``, ``init_fidelity``, ``fidelity``, ``n_iter``, ``stop_reason``.
    """

    circuit: Any
    params: np.ndarray
    fidelity: float
    log_fidelity: float
    init_fidelity: float
    history: np.ndarray
    two_qubit_depth: int
    cx_count: int
    timings: dict[str, float]
    ansatz: BrickworkAnsatz
    objective: str
    optimizer: str
    n_iter: int
    stop_reason: str
    seed: int
    stages: list[dict[str, Any]] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)
    init: str = "trotter"
    precision: str = "double"

    def summary(self) -> dict[str, Any]:
        """JSON-serialisable summary (no circuit, no parameters)."""
        return {
            "n": self.ansatz.n,
            "layers": self.ansatz.layers,
            "block": self.ansatz.block,
            "fidelity": self.fidelity,
            "log_fidelity": self.log_fidelity,
            "init_fidelity": self.init_fidelity,
            "two_qubit_depth": self.two_qubit_depth,
            "cx_count": self.cx_count,
            "objective": self.objective,
            "optimizer": self.optimizer,
            "n_iter": self.n_iter,
            "stop_reason": self.stop_reason,
            "seed": self.seed,
            "init": self.init,
            "precision": self.precision,
            "timings": dict(self.timings),
            "stages": list(self.stages),
            "versions": dict(self.versions),
        }


def target_info(target: MPS) -> tuple[SpinChain | None, float | None, str | None]:
    """``(chain, t, initial bitstring)`` recorded by :func:`mps.evolve` in ``target.metadata``."""
    meta = target.metadata
    chain = SpinChain.from_dict(meta["model"]) if isinstance(meta.get("model"), dict) else None
    t = meta.get("t")
    bits = meta.get("initial_bitstring")
    return chain, (float(t) if t is not None else None), bits


def compile(
    target: MPS,
    ansatz: BrickworkAnsatz,
    *,
    init: str | np.ndarray = "auto",
    optimizer: str = "lbfgs",
    maxiter: int = 300,
    seed: int = 0,
    objective: str = "log",
    chain: SpinChain | None = None,
    t: float | None = None,
    initial: str | None = None,
    trotter_order: int | str = "auto",
    schedule: int = 1,
    target_fidelity: float | None = None,
    max_time: float | None = None,
    learning_rate: float = 0.01,
    callback: Callable[[IterInfo], bool | None] | None = None,
    resume: dict[str, Any] | None = None,
    precision: str = "double",
) -> CompileResult:
    """Compile ``target`` into ``ansatz`` by optimising all parameters at once.

    Parameters
    ----------
    target : mps.MPS
        Normalised target state (typically ``mps.evolve(...).state``).
    ansatz : BrickworkAnsatz
        The circuit structure (same ``n``).
    init : {"auto", "trotter", "grow", "product", "random", "zeros"} or array
        Start: ``"trotter"``, the Trotter circuit of ``chain`` for time ``t``
        from ``initial``; ``"grow"`` (Hamiltonian-free): one layer from the
        ``"product"`` start, optimised, then one more layer at a time, each new
        layer near the identity (seeded noise of 1e-2), all parameters
        re-optimised, up to ``ansatz.layers`` (``maxiter`` per layer);
        ``"product"``: the better of two product states (along the target's
        single-site Bloch vectors, or its greedy most probable bitstring) with
        all blocks near the identity (seeded noise of 1e-2; exactly zero is a
        saddle), all layers at once; seeded random parameters; the identity; or explicit
        parameters.  ``"auto"`` (default) is ``"trotter"`` when the target
        carries its chain, time and initial state (a :func:`mps.evolve`
        target) and ``"grow"`` otherwise, the better of the Hamiltonian-free
        starts on ground states (``benchmarks/results/aqc_any_target.json``).
    optimizer : {"lbfgs", "adam", "optax-lbfgs"}
    maxiter : int
        Iterations per stage (>= 1).
    seed : int
        Seed of ``init="random"`` (recorded in any case).
    objective : {"log", "infidelity"}
        ``"log"`` (default) is the per-qubit log-infidelity; ``"infidelity"`` is
        the naive ``1 - F`` (see the module docstring).
    chain, t, initial : optional
        Hamiltonian, time and initial bitstring of the target; read from
        ``target.metadata`` (written by :func:`mps.evolve`) when omitted.
    trotter_order : {"auto", 1, 2, 4}
        Order of the initial Trotter circuit (the most steps that fit in ``L``
        layers); ``"auto"`` takes whichever of orders 1 and 2 has the higher
        fidelity with the target.
    schedule : int
        Number of time stages ``m`` (>= 1); see the module docstring.
    target_fidelity, max_time : optional
        Extra stopping rules (per stage).
    learning_rate : float
        Adam's step size.
    callback : callable, optional
        ``f(IterInfo)`` each iteration; returning True stops the stage.
    resume : dict, optional
        Continue an interrupted run from a checkpoint: ``{"stage": k, "params":
        theta, "iteration": i, "history": [...], "stages": [...]}`` (what a
        checkpointing callback saved).  Stages before ``k`` are skipped, stage
        ``k`` restarts from ``theta`` with ``maxiter - i`` iterations left.
    precision : {"double", "single"}
        Contraction precision of the optimisation.  ``"single"``: complex64
        (faster on GPUs) until the optimiser stops, then complex128 for the
        iterations left (complex64 rounding hides the last decreases of the
        cost).  The returned fidelity is always evaluated in complex128.

    Returns
    -------
    CompileResult
    """
    total_start = time.perf_counter()
    check_target(target, ansatz)
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}, got {objective!r}")
    stop = StopRule(maxiter=maxiter, target_fidelity=target_fidelity, max_time=max_time)
    seed = check_int(seed, "seed", minimum=0)
    schedule = check_int(schedule, "schedule", minimum=1)
    if isinstance(init, str) and init not in INITS:
        raise ValueError(f"init must be one of {INITS} or a parameter array, got {init!r}")

    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    meta_chain, meta_t, meta_bits = target_info(target)
    chain = chain if chain is not None else meta_chain
    t = check_real(t, "t", minimum=0.0) if t is not None else meta_t
    initial = initial if initial is not None else meta_bits
    has_physics = chain is not None and t is not None and initial is not None
    if isinstance(init, str) and init == "auto":
        init = "trotter" if has_physics else "grow"
    grow = isinstance(init, str) and init == "grow"
    if grow and schedule > 1:
        raise ValueError("init='grow' grows in depth, not in time: use schedule=1")
    needs_physics = (isinstance(init, str) and init == "trotter") or schedule > 1
    if needs_physics and not has_physics:
        raise ValueError(
            "init='trotter' and schedule > 1 need the target's chain, t and initial bitstring: "
            "pass chain=, t=, initial= or use a target made by mps.evolve"
        )

    if trotter_order not in ("auto", 1, 2, 4):
        raise ValueError(f"trotter_order must be 'auto', 1, 2 or 4, got {trotter_order!r}")
    orders = [1, 2] if trotter_order == "auto" else [trotter_order]

    def start_params(t_stage: float, ans: BrickworkAnsatz) -> list[np.ndarray]:
        if isinstance(init, str):
            if init == "trotter":
                return [
                    trotter_params(ans, chain, t_stage, initial, order=o,
                                   steps=max_trotter_steps(ans.layers, o))
                    for o in orders
                ]
            if init == "random":
                return [ans.random_params(seed)]
            if init in ("product", "grow"):  # the better of the two product states is kept
                starts = [product_params(ans, target), basis_params(ans, target)]
                # identity blocks are a stationary point (e.g. on a singlet-like ground state
                # the gradient there is ~1e-12 and L-BFGS stops at once): start near them
                noise = ans.random_params(seed, scale=1e-2)
                noise[: ans.num_initial_params] = 0.0
                return [x + noise for x in starts]
            return [ans.zero_params()]
        return [ans.check_params(init)]

    # stages: (t, target, ansatz); time stages climb in t, grow stages in depth
    t0 = time.perf_counter()
    stage_list: list[tuple[float | None, MPS, BrickworkAnsatz]] = []
    if schedule > 1:
        meta = target.metadata
        dt = float(meta.get("dt", 0.05))
        for k in range(1, schedule):
            t_k = t * k / schedule
            res = evolve(chain, MPS.from_bitstring(initial), t_k, dt,
                         order=int(meta.get("order", 2)), max_bond=meta.get("max_bond"),
                         cutoff=float(meta.get("cutoff", 1e-10)))
            stage_list.append((t_k, res.state, ansatz))
    if grow:
        stage_list.extend((t, target, BrickworkAnsatz(ansatz.n, k, ansatz.block))
                          for k in range(1, ansatz.layers))
    stage_list.append((t, target, ansatz))
    t_targets = time.perf_counter() - t0

    t_setup = 0.0
    t_opt = 0.0
    history: list[np.ndarray] = []
    stages: list[dict[str, Any]] = []
    params: np.ndarray | None = None
    result = None
    obj = None

    def staged(index: int, offset: int) -> Callable[[IterInfo], bool | None] | None:
        if callback is None:
            return None
        return lambda info: callback(info._replace(stage=index, iteration=info.iteration + offset))

    def record(index, t_stage, ans, init_log_f, res, start, iters=0):
        stages.append({"t": t_stage, "layers": ans.layers,
                       "init_fidelity": float(np.exp(init_log_f)),
                       "init_log_fidelity": float(init_log_f), "fidelity": res.fidelity,
                       "n_iter": res.n_iter + iters, "n_evals": res.n_evals,
                       "stop_reason": res.stop_reason, "start": start, **res.extra})

    first_stage, iters_done = 0, 0
    if resume is not None:
        first_stage = check_int(resume.get("stage", 0), "resume['stage']", minimum=0)
        if first_stage >= len(stage_list):
            raise ValueError(f"resume['stage'] must be < {len(stage_list)}, got {first_stage}")
        iters_done = check_int(resume.get("iteration", 0), "resume['iteration']", minimum=0)
        params = stage_list[first_stage][2].check_params(resume["params"])
        history.append(np.asarray(resume.get("history", [])[:-1], dtype=float))
        stages.extend(resume.get("stages", [])[:first_stage])
    prev_ans = None
    for index, (t_stage, tgt, ans) in enumerate(stage_list):
        if index < first_stage:
            prev_ans = ans
            continue
        s0 = time.perf_counter()
        obj = Objective.build(tgt, ans, kind=objective, precision=precision)
        if index == first_stage and resume is not None:
            stage_stop = StopRule(maxiter=max(stop.maxiter - iters_done, 1),
                                  target_fidelity=target_fidelity, max_time=max_time)
            x0 = params
            init_log_f = obj.log_fidelity(x0)
            t_setup += time.perf_counter() - s0
            s1 = time.perf_counter()
            result = minimize(obj, x0, optimizer=optimizer, stop=stage_stop,
                              learning_rate=learning_rate, callback=staged(index, iters_done))
            t_opt += time.perf_counter() - s1
            params = result.params
            history.append(result.history)
            prior = resume.get("history", [])
            if index == 0 and len(prior) > 0:  # report the original start, not the checkpoint
                init_log_f = float(np.log(prior[0]))
            record(index, t_stage, ans, init_log_f, result, "checkpoint", iters_done)
            prev_ans = ans
            continue
        if grow and params is not None:
            candidates = [grow_params(params, prev_ans, ans, seed=seed + index)]
            fresh = 1
        else:
            candidates = start_params(t_stage if t_stage is not None else 0.0, ans)
            fresh = len(candidates)
            if params is not None:
                candidates.append(params)
        scores = [obj.log_fidelity(c) for c in candidates]
        best = int(np.argmax(scores))
        x0 = candidates[best]
        init_log_f = scores[best]
        t_setup += time.perf_counter() - s0
        s1 = time.perf_counter()
        result = minimize(obj, x0, optimizer=optimizer, stop=stop,
                          learning_rate=learning_rate, callback=staged(index, 0))
        hist = result.history
        left = None if max_time is None else max_time - result.wall_time
        if precision == "single" and result.n_iter < stop.maxiter and (
                target_fidelity is None or result.fidelity < target_fidelity) and (
                left is None or left > 0):
            # complex64 stalls where its rounding hides the decrease: finish in complex128
            polish = minimize(obj.with_precision("double"), result.params, optimizer=optimizer,
                              stop=StopRule(maxiter=stop.maxiter - result.n_iter,
                                            target_fidelity=target_fidelity, max_time=left),
                              learning_rate=learning_rate,
                              callback=staged(index, result.n_iter))
            hist = np.concatenate([hist, polish.history[1:]])
            extra = {"complex64_iterations": result.n_iter,
                     "complex64_stop_reason": result.stop_reason,
                     "complex64_message": result.message,
                     "complex64_seconds": result.wall_time, "complex128_seconds": polish.wall_time}
            result = dataclasses.replace(polish, n_iter=polish.n_iter + result.n_iter,
                                         n_evals=polish.n_evals + result.n_evals,
                                         history=hist, extra=extra)
        t_opt += time.perf_counter() - s1
        params = result.params
        history.append(hist if not history else hist[1:])
        if grow:
            start = "product state" if index == 0 else f"grown from L={prev_ans.layers}"
        elif best >= fresh:
            start = "previous stage"
        elif isinstance(init, str):
            start = f"trotter order {orders[best]}" if init == "trotter" else init
        else:
            start = "given"
        record(index, t_stage, ans, init_log_f, result, start)
        prev_ans = ans
    if result is None or obj is None or params is None:
        raise RuntimeError("no stage was run")
    s2 = time.perf_counter()
    # the reported fidelity is always a complex128 contraction
    log_f = obj.with_precision("double").log_fidelity(params)
    t_final = time.perf_counter() - s2
    return CompileResult(
        circuit=ansatz.to_circuit(params),
        params=params,
        fidelity=float(np.exp(log_f)),
        log_fidelity=log_f,
        init_fidelity=stages[-1]["init_fidelity"],
        history=np.concatenate(history),
        two_qubit_depth=ansatz.two_qubit_depth,
        cx_count=ansatz.cx_count,
        timings={"targets": t_targets, "setup": t_setup, "optimize": t_opt,
                 "final_check": t_final, "total": time.perf_counter() - total_start},
        ansatz=ansatz,
        objective=objective,
        optimizer=optimizer,
        n_iter=sum(s["n_iter"] for s in stages),
        stop_reason=stages[-1]["stop_reason"],
        seed=seed,
        stages=stages,
        versions=versions(),
        init=init if isinstance(init, str) else "given",
        precision=precision,
    )
