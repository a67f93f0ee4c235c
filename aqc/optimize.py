"""Optimisers for AQC objectives: all parameters at once.

* ``"lbfgs"``: scipy's L-BFGS-B on the JAX value-and-gradient (the default);
* ``"adam"``: optax's Adam, jit-compiled step;
* ``"optax-lbfgs"``: optax's L-BFGS with its zoom line search, jit-compiled step.

Stopping rules (:class:`StopRule`): a maximal number of iterations, a target
fidelity, a wall-clock limit, and the optimiser's own convergence tests.
The start and every iteration append the fidelity to the history and call
``callback`` with an :class:`IterInfo` (``iteration`` 0 is the start); a
callback returning ``True`` stops the run (the CLI uses it for progress bars
and checkpoints).

Example
-------
>>> from mps import MPS
>>> from aqc.ansatz import BrickworkAnsatz
>>> from aqc.objective import Objective
>>> from aqc.optimize import StopRule, minimize
>>> obj = Objective.build(MPS.from_bitstring("0110"), BrickworkAnsatz(4, 1))
>>> res = minimize(obj, obj.ansatz.random_params(seed=1), stop=StopRule(maxiter=100))
>>> res.fidelity > 0.999999
True
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
import scipy.optimize

from mps._validate import check_int, check_real

from .objective import Objective

__all__ = ["OPTIMIZERS", "IterInfo", "OptimizeResult", "StopRule", "minimize"]

OPTIMIZERS = ("lbfgs", "adam", "optax-lbfgs")


@dataclass(frozen=True)
class StopRule:
    """When to stop.

    Parameters
    ----------
    maxiter : int
        Maximal number of iterations (>= 1).
    target_fidelity : float, optional
        Stop once the fidelity reaches this value.
    max_time : float, optional
        Stop after this many seconds (checked every iteration).
    ftol, gtol : float
        L-BFGS-B's tolerances on the decrease of the cost and on the projected
        gradient, both relative to the starting cost ``|f(x0)|``: scipy's tests
        (``(f_k - f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) <= ftol``, ``max|g_i| <= gtol``)
        are absolute for costs below 1, and the per-qubit log-infidelity is often
        1e-3 .. 1e-8, where an absolute ``ftol`` of 1e-13 stops far from the optimum.
        :func:`minimize` therefore hands L-BFGS-B the cost divided by ``|f(x0)|``.
    """

    maxiter: int = 500
    target_fidelity: float | None = None
    max_time: float | None = None
    ftol: float = 1e-13
    gtol: float = 1e-10

    def __post_init__(self) -> None:
        object.__setattr__(self, "maxiter", check_int(self.maxiter, "maxiter", minimum=1))
        if self.target_fidelity is not None:
            f = check_real(self.target_fidelity, "target_fidelity", minimum=0.0)
            if f > 1.0:
                raise ValueError(f"target_fidelity must be <= 1, got {f}")
        if self.max_time is not None:
            check_real(self.max_time, "max_time", minimum=0.0, strict=True)
        check_real(self.ftol, "ftol", minimum=0.0)
        check_real(self.gtol, "gtol", minimum=0.0)


class IterInfo(NamedTuple):
    """Progress after one iteration (``stage``: the time stage of :func:`aqc.compile`)."""

    iteration: int
    fidelity: float
    value: float
    elapsed: float
    params: np.ndarray
    stage: int = 0


@dataclass(frozen=True)
class OptimizeResult:
    """Outcome of :func:`minimize`.

    ``history[k]`` is the fidelity after ``k`` iterations (``history[0]``:
    the start).  ``stop_reason`` is one of ``"maxiter"``, ``"target_fidelity"``,
    ``"max_time"``, ``"callback"``, ``"converged"``.
    """

    params: np.ndarray
    fidelity: float
    history: np.ndarray
    values: np.ndarray
    n_iter: int
    n_evals: int
    stop_reason: str
    wall_time: float
    message: str = ""
    extra: dict = field(default_factory=dict)


class _Stop(Exception):
    pass


def minimize(
    objective: Objective,
    x0: np.ndarray,
    *,
    optimizer: str = "lbfgs",
    stop: StopRule | None = None,
    learning_rate: float = 0.01,
    callback: Callable[[IterInfo], bool | None] | None = None,
) -> OptimizeResult:
    """Minimise ``objective`` from ``x0`` over all parameters at once.

    Parameters
    ----------
    objective : Objective
        Built by :meth:`aqc.objective.Objective.build`.
    x0 : numpy.ndarray
        Starting parameters.
    optimizer : {"lbfgs", "adam", "optax-lbfgs"}
    stop : StopRule, optional
        Stopping rules (default ``StopRule()``).
    learning_rate : float
        Step size of Adam (ignored by the L-BFGS methods).
    callback : callable, optional
        ``f(IterInfo)`` at the start and after each iteration; returning True stops.
    """
    needed = ("value_and_grad", "fidelity_from_value", "cost_fn", "ansatz")
    if not isinstance(objective, Objective) and not all(hasattr(objective, a) for a in needed):
        raise TypeError(f"objective must be an aqc Objective (or offer {', '.join(needed)}), "
                        f"got {type(objective).__name__}")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    stop = stop or StopRule()
    if not isinstance(stop, StopRule):
        raise TypeError(f"stop must be a StopRule, got {type(stop).__name__}")
    learning_rate = check_real(learning_rate, "learning_rate", minimum=0.0, strict=True)
    x0 = objective.ansatz.check_params(x0)

    start = time.perf_counter()
    history: list[float] = []
    values: list[float] = []
    counters = {"evals": 0}
    state = {"reason": "maxiter", "x": x0.copy()}

    def record(x: np.ndarray, value: float) -> None:
        """Log one iterate; raise _Stop when a rule says so."""
        fid = objective.fidelity_from_value(value)
        history.append(fid)
        values.append(value)
        state["x"] = np.array(x, dtype=float)
        it = len(history) - 1
        elapsed = time.perf_counter() - start
        if callback is not None:
            if callback(IterInfo(it, fid, value, elapsed, state["x"])):
                state["reason"] = "callback"
                raise _Stop
        if stop.target_fidelity is not None and fid >= stop.target_fidelity:
            state["reason"] = "target_fidelity"
            raise _Stop
        if stop.max_time is not None and elapsed >= stop.max_time:
            state["reason"] = "max_time"
            raise _Stop
        if it >= stop.maxiter:
            state["reason"] = "maxiter"
            raise _Stop

    message = ""
    v0, g0 = objective.value_and_grad(x0)
    counters["evals"] += 1
    try:
        record(x0, v0)
        if optimizer == "lbfgs":
            message = _run_scipy(objective, x0, stop, record, counters, v0, g0)
            state["reason"] = "converged"
        else:
            _run_optax(objective, x0, optimizer, learning_rate, record, counters)
    except _Stop:
        pass
    # every recorded value is the cost at the recorded parameters: no evaluation again
    return OptimizeResult(
        params=state["x"],
        fidelity=objective.fidelity_from_value(values[-1]),
        history=np.asarray(history),
        values=np.asarray(values),
        n_iter=len(history) - 1,
        n_evals=counters["evals"],
        stop_reason=state["reason"],
        wall_time=time.perf_counter() - start,
        message=message,
    )


def _run_scipy(objective, x0, stop, record, counters, v0: float, g0: np.ndarray) -> str:
    # scipy's ftol / gtol tests are absolute below 1: make them relative to |f(x0)|
    scale = 1.0 / abs(v0) if np.isfinite(v0) and abs(v0) > 1e-300 else 1.0
    first = [(x0, v0, g0)]  # scipy starts at x0, already evaluated by minimize

    def fun(x):
        if first:
            x_0, value, grad = first.pop()
            if np.array_equal(x, x_0):
                return value * scale, grad * scale
        counters["evals"] += 1
        value, grad = objective.value_and_grad(x)
        return value * scale, grad * scale

    def cb(intermediate_result):
        try:
            record(intermediate_result.x, float(intermediate_result.fun) / scale)
        except _Stop:
            raise StopIteration from None

    res = scipy.optimize.minimize(
        fun, x0, jac=True, method="L-BFGS-B", callback=cb,
        options={"maxiter": stop.maxiter + 1, "ftol": stop.ftol, "gtol": stop.gtol,
                 "maxcor": 20, "maxfun": 50 * stop.maxiter + 100},
    )
    if res.status == 99 or "STOP" in str(res.message).upper():  # stopped by the callback
        raise _Stop
    return str(res.message)


def _run_optax(objective, x0, optimizer, learning_rate, record, counters) -> None:
    cost = objective.cost_fn
    with jax.enable_x64(True):
        if optimizer == "adam":
            opt = optax.adam(learning_rate)
            vg = jax.value_and_grad(cost)

            @jax.jit
            def step(x, st):
                v, g = vg(x)
                updates, st = opt.update(g, st, x)
                return optax.apply_updates(x, updates), st, v
        else:
            opt = optax.lbfgs()
            vg = optax.value_and_grad_from_state(cost)

            @jax.jit
            def step(x, st):
                v, g = vg(x, state=st)
                updates, st = opt.update(g, st, x, value=v, grad=g, value_fn=cost)
                return optax.apply_updates(x, updates), st, v

        cost_j = jax.jit(cost)
        x = jnp.asarray(x0)
        st = opt.init(x)
        while True:
            x_new, st, _ = step(x, st)
            counters["evals"] += 1
            x = x_new
            value = float(cost_j(x))
            counters["evals"] += 1
            if not np.isfinite(value):
                raise FloatingPointError("the optimiser produced a non-finite cost")
            record(np.asarray(x, dtype=float), value)
