"""Batched projected L-BFGS with a parallel line search: one compilation, fixed cost per step.

The optimiser of :func:`circuits.pulse.lab_met.optimize_batch`, written for a GPU: every
problem of a batch (bond distances x starts x durations, or Haar pairs x starts) runs the
same fixed sequence of array operations, so ``jax.vmap`` maps it without inner loops of
data-dependent length (a vmapped zoom line search runs as long as its slowest member).

One iteration, per problem, on ``x ∈ [-1, 1]^P`` (the clipped control parameterisation of
:mod:`circuits.pulse.lab`):

1. ``f, g = value_and_grad(x)``; the curvature pair of the previous step
   ``(s, y = g - g_prev)`` enters the ``memory``-deep history if ``s·y > 0``;
2. direction ``d`` by the L-BFGS two-loop recursion, or, with ``memory=0``, from the full
   BFGS inverse Hessian ``H`` (``P x P``, started at ``(s·y / y·y) I`` with the first pair,
   as in scipy's BFGS after its first step); steepest descent with a step of
   :data:`FIRST_STEP` in parameter units while the history is empty; components that push
   an active bound outward are dropped (projected L-BFGS / BFGS);
3. **parallel line search**: ``f(clip(x + α d))`` for every ``α`` of ``alphas`` in one
   batched evaluation; the best one is taken if it lowers ``f``, else the history is reset
   (the next step is steepest descent) and a stall is counted.

A problem stops (its state is frozen) once ``f <= stop``, ``|g| <= gtol``, after
:data:`MAX_STALLS` line searches without decrease, or after :data:`NO_PROGRESS`
iterations whose relative decrease is below ``1e-10``.  The iterations run in chunks of
``chunk`` inside one jitted function (``jax.lax.fori_loop``); the host loop between chunks
checks whether all problems stopped and the wall-clock ``deadline``.  The duration ``T``,
costs and starts are traced arguments, so one compilation serves every round of a scan.

Example
-------
>>> import numpy as np, jax.numpy as jnp
>>> f = lambda x, a: jnp.sum((x - a) ** 2) + 1e-3 * jnp.sum(x**4)
>>> res = minimize_batch(f, np.zeros((3, 4)), (np.full((3, 4), 0.5),), maxiter=200)
>>> bool(np.all(res.iterations < 200)), float(np.max(np.abs(res.x - 0.4995))) < 2e-3
(True, True)
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["DEFAULT_ALPHAS", "LBFGSResult", "minimize_batch"]

DEFAULT_ALPHAS = (2.0, 1.0, 0.5, 0.25, 0.1, 0.03, 0.01, 0.001)
"""Trial step lengths of the parallel line search (multiples of the L-BFGS direction)."""
FIRST_STEP = 0.05
"""Longest steepest-descent step (parameter units) with an empty history (``-g`` itself
when ``|g|`` is smaller)."""
MAX_STALLS = 3
NO_PROGRESS = 25


class _State(NamedTuple):
    x: jax.Array  # (P,)
    f: jax.Array  # value at x
    gnorm: jax.Array
    s_prev: jax.Array  # last step (P,)
    g_prev: jax.Array  # gradient where the last step started (P,)
    have_prev: jax.Array  # bool
    mem_s: jax.Array  # (m, P)
    mem_y: jax.Array
    mem_rho: jax.Array  # (m,)
    count: jax.Array  # pairs pushed since the last reset
    stalls: jax.Array
    slow: jax.Array
    done: jax.Array
    iters: jax.Array
    hinv: jax.Array  # (P, P) full inverse Hessian with memory=0, else (0, 0)


class LBFGSResult(NamedTuple):
    """Final ``x`` ``(B, P)``, values ``(B,)``, iterations ``(B,)``, whether each problem
    stopped by a criterion (``False``: ran out of ``maxiter`` or the deadline), seconds."""

    x: np.ndarray
    values: np.ndarray
    iterations: np.ndarray
    stopped: np.ndarray
    seconds: float


def _two_loop(g, mem_s, mem_y, mem_rho, count):
    m = mem_s.shape[0]
    valid_n = jnp.minimum(count, m)
    order = (count - 1 - jnp.arange(m)) % m  # newest first
    valid = jnp.arange(m) < valid_n

    def first(q, j):
        i = order[j]
        a = jnp.where(valid[j], mem_rho[i] * jnp.dot(mem_s[i], q), 0.0)
        return q - a * mem_y[i], a

    q, alphas = jax.lax.scan(first, g, jnp.arange(m))
    newest = order[0]
    sy = jnp.dot(mem_s[newest], mem_y[newest])
    yy = jnp.dot(mem_y[newest], mem_y[newest])
    gamma = jnp.where(valid_n > 0, sy / jnp.maximum(yy, 1e-300), 1.0)
    r = gamma * q

    def second(r, j):
        jj = m - 1 - j  # oldest first
        i = order[jj]
        b = mem_rho[i] * jnp.dot(mem_y[i], r)
        return jnp.where(valid[jj], r + mem_s[i] * (alphas[jj] - b), r), None

    r, _ = jax.lax.scan(second, r, jnp.arange(m))
    return -r


def _bfgs_update(hinv, s, y, sy, first):
    """Inverse-Hessian BFGS update with the pair ``(s, y)``; ``hinv`` restarts at
    ``(s·y / y·y) I`` when ``first``."""
    p = s.shape[0]
    h = jnp.where(first, jnp.eye(p, dtype=s.dtype) * sy / jnp.maximum(jnp.dot(y, y), 1e-300),
                  hinv)
    rho = 1.0 / sy
    hy = h @ y
    return (h - rho * (jnp.outer(s, hy) + jnp.outer(hy, s))
            + (rho * rho * jnp.dot(y, hy) + rho) * jnp.outer(s, s))


def _iteration(fun, alphas, stop, gtol, st: _State, args) -> _State:
    f0, g = jax.value_and_grad(fun)(st.x, *args)
    m = st.mem_s.shape[0]
    dense = st.hinv.shape[0] > 0
    y = g - st.g_prev
    sy = jnp.dot(st.s_prev, y)
    push = st.have_prev & (sy > 1e-12 * jnp.linalg.norm(st.s_prev) * jnp.linalg.norm(y))
    if dense:
        mem_s, mem_y, mem_rho = st.mem_s, st.mem_y, st.mem_rho
        hinv = jnp.where(push, _bfgs_update(st.hinv, st.s_prev, y, jnp.where(push, sy, 1.0),
                                            st.count == 0), st.hinv)
    else:
        pos = st.count % m
        mem_s = jnp.where(push, st.mem_s.at[pos].set(st.s_prev), st.mem_s)
        mem_y = jnp.where(push, st.mem_y.at[pos].set(y), st.mem_y)
        mem_rho = jnp.where(push, st.mem_rho.at[pos].set(1.0 / jnp.where(push, sy, 1.0)),
                            st.mem_rho)
        hinv = st.hinv
    count = st.count + push.astype(st.count.dtype)
    gnorm = jnp.linalg.norm(g)
    sd = -g * jnp.minimum(1.0, FIRST_STEP / jnp.maximum(gnorm, 1e-300))
    quasi_newton = -(hinv @ g) if dense else _two_loop(g, mem_s, mem_y, mem_rho, count)
    d = jnp.where(count > 0, quasi_newton, sd)
    d = jnp.where(jnp.dot(d, g) < 0, d, sd)  # not a descent direction: steepest descent
    x = st.x
    d = jnp.where(((x >= 1.0) & (d > 0)) | ((x <= -1.0) & (d < 0)), 0.0, d)
    trial = jnp.clip(x[None] + jnp.asarray(alphas)[:, None] * d[None], -1.0, 1.0)
    ft = jax.vmap(lambda xt: fun(xt, *args))(trial)
    ft = jnp.where(jnp.isfinite(ft), ft, jnp.inf)
    k = jnp.argmin(ft)
    ok = ft[k] < f0
    x_new = jnp.where(ok, trial[k], x)
    f_new = jnp.where(ok, ft[k], f0)
    slow = jnp.where(f0 - f_new <= 1e-10 * jnp.abs(f0), st.slow + 1, 0)
    stalls = jnp.where(ok, 0, st.stalls + 1)
    done = ((f_new <= stop) | (gnorm <= gtol) | (stalls >= MAX_STALLS)
            | (slow >= NO_PROGRESS))
    new = _State(x_new, f_new, gnorm, x_new - x, g, ok, mem_s, mem_y, mem_rho,
                 jnp.where(ok, count, 0), stalls, slow, done, st.iters + 1, hinv)
    # a stopped problem keeps its state
    return jax.tree_util.tree_map(lambda a, b: jnp.where(st.done, a, b), st, new)


@functools.lru_cache(maxsize=32)
def _chunk_fn(fun: Callable, alphas: tuple, chunk: int):
    def one(st, args, stop, gtol):
        body = functools.partial(_iteration, fun, alphas, stop, gtol)
        return jax.lax.fori_loop(0, chunk, lambda _, s: body(s, args), st)

    return jax.jit(jax.vmap(one, in_axes=(0, 0, None, None)))


def _init(x0: jax.Array, memory: int) -> _State:
    b, p = x0.shape
    z = jnp.zeros((b, p), x0.dtype)
    inf = jnp.full((b,), jnp.inf, x0.dtype)
    zi = jnp.zeros((b,), jnp.int32)
    m, ph = (1, p) if memory == 0 else (memory, 0)  # memory=0: full inverse Hessian
    return _State(x0, inf, inf, z, z, jnp.zeros((b,), bool), jnp.zeros((b, m, p), x0.dtype),
                  jnp.zeros((b, m, p), x0.dtype), jnp.zeros((b, m), x0.dtype),
                  zi, zi, zi, jnp.zeros((b,), bool), zi, jnp.zeros((b, ph, ph), x0.dtype))


def minimize_batch(
    fun: Callable, x0: object, args: tuple, *, maxiter: int = 300, stop: float = -np.inf,
    gtol: float = 0.0, memory: int = 10, alphas: tuple | None = None, chunk: int = 10,
    deadline: float | None = None, progress: Callable | None = None, compact: int = 0,
) -> LBFGSResult:
    """Minimise ``fun(x_b, *args_b)`` over ``x_b ∈ [-1, 1]^P`` for every ``b`` of a batch.

    Parameters
    ----------
    fun : callable
        ``fun(x, *args) -> scalar`` for one problem (JAX-traceable; pass the same function
        object every time to reuse the compilation).
    x0 : array_like
        Starts ``(B, P)`` (clipped to [-1, 1]).
    args : tuple of array_like
        Per-problem arguments, each with leading axis ``B``.
    maxiter, stop, gtol
        Iteration cap (rounded up to a multiple of ``chunk``), value below which a problem
        stops, gradient-norm tolerance.
    memory, alphas, chunk
        L-BFGS history (``0``: full BFGS with a dense ``P x P`` inverse Hessian), trial
        steps of the parallel line search (default :data:`DEFAULT_ALPHAS`), iterations per
        compiled call.
    deadline : float, optional
        ``time.perf_counter()`` value after which no further chunk is started.
    progress : callable, optional
        ``progress(iteration, n_stopped, best_values)`` after every chunk.
    compact : int, optional
        ``0`` (default): the batch keeps its size.  ``k > 0``: once half the batch has
        stopped, the open problems continue in a smaller compiled batch (a power of two, at
        least ``k``); see :func:`run_chunks`.
    """
    if isinstance(memory, bool) or not isinstance(memory, (int, np.integer)) or memory < 0:
        raise ValueError(f"memory must be an int >= 0 (0: full BFGS), got {memory!r}")
    with jax.enable_x64(True):
        return _minimize(fun, x0, args, maxiter, stop, gtol, memory, alphas, chunk, deadline,
                         progress, compact)


def _minimize(fun, x0, args, maxiter, stop, gtol, memory, alphas, chunk, deadline, progress,
              compact):
    start = time.perf_counter()
    x0 = jnp.clip(jnp.asarray(x0, dtype=jnp.float64), -1.0, 1.0)
    st = _init(x0, memory)
    alphas = DEFAULT_ALPHAS if alphas is None else alphas
    step = _chunk_fn(fun, tuple(float(a) for a in alphas), int(chunk))
    args = tuple(jnp.asarray(a) for a in args)
    return run_chunks(lambda s, a: step(s, a, stop, gtol), st, maxiter, chunk, deadline,
                      progress, start, args=args, compact=compact)


def _bucket(n: int, floor: int) -> int:
    """The compiled batch size for ``n`` open problems: a power of two, at least ``floor``."""
    return max(int(floor), 1 << max(int(n) - 1, 0).bit_length())


def run_chunks(step: Callable, st, maxiter: int, chunk: int, deadline: float | None,
               progress: Callable | None, start: float, args: tuple = (),
               compact: int = 0) -> LBFGSResult:
    """The host loop of a batched optimiser: ``st = step(st, args)`` (``chunk`` compiled
    iterations) until every problem is done, ``maxiter`` or the ``deadline``; ``st`` has
    fields ``x, f, iters, done``.

    ``compact > 0``: once at most half of the compiled batch is still open, the open
    problems (and their ``args``) are gathered into a batch of the next power of two (at
    least ``compact``; padded with a stopped problem, which stays frozen) and continued
    there; one compilation per size.  A batch costs its size whether its problems are done
    or not, so this pays when stopping times differ (a grid search's easy and hard test
    times), and the result is the same problem by problem.
    """
    if isinstance(compact, bool) or not isinstance(compact, (int, np.integer)) or compact < 0:
        raise ValueError(f"compact must be an int >= 0 (0: off), got {compact!r}")
    full = None  # host copy of every problem's state, once compaction has started
    rows = None  # rows of ``full`` held by the compiled batch
    it = 0
    while it < maxiter:
        st = step(st, args)
        it += chunk
        done = np.asarray(st.done)
        if rows is not None:
            f_all = full.f.copy()
            f_all[rows] = np.asarray(st.f)
            d_all = full.done.copy()
            d_all[rows] = done
        else:
            f_all, d_all = np.asarray(st.f), done
        if progress is not None:
            progress(it, int(d_all.sum()), f_all)
        if d_all.all() or (deadline is not None and time.perf_counter() > deadline):
            break
        n_open = int((~done).sum())
        if compact and done.size > compact and n_open <= done.size // 2:
            host = jax.tree_util.tree_map(np.asarray, jax.device_get(st))
            if full is None:
                full, rows, args_host = host, np.arange(done.size), jax.device_get(args)
            else:
                full = jax.tree_util.tree_map(_put_rows(rows), full, host)
            open_rows = rows[~done]
            size = min(_bucket(n_open, compact), done.size)
            pad = np.flatnonzero(full.done)[:1]
            rows = np.concatenate([open_rows, np.repeat(pad, size - n_open)])
            st = jax.tree_util.tree_map(lambda a, r=rows: jnp.asarray(a[r]), full)
            args = tuple(jnp.asarray(np.asarray(a)[rows]) for a in args_host)
    if rows is not None:
        host = jax.tree_util.tree_map(np.asarray, jax.device_get(st))
        st = jax.tree_util.tree_map(_put_rows(rows), full, host)
    x, f, k, done = jax.device_get((st.x, st.f, st.iters, st.done))
    return LBFGSResult(np.asarray(x), np.asarray(f), np.asarray(k), np.asarray(done),
                       time.perf_counter() - start)


def _put_rows(rows: np.ndarray):
    """``full[rows] = part`` for the real (first-occurrence) rows of a compacted batch."""
    first = np.unique(rows, return_index=True)[1]

    def put(full_leaf, part_leaf):
        out = np.array(full_leaf, copy=True)
        out[rows[first]] = np.asarray(part_leaf)[first]
        return out

    return put
