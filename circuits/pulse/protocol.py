"""The paper's MET protocols, batched: bond-distance scans and Haar-random transitions.

Both find, for every problem of a batch (a bond distance ``r``, or a Haar pair), the MET on
a fixed time grid by a **search on the grid index** (the monotone rule of
:func:`circuits.pulse.lab_met.grid_met` makes "reached" monotone in ``T``, so the first
reached grid point can be bracketed): every round optimises all still-open problems at
once (:func:`circuits.pulse.lab_met.optimize_batch`, ``jax.vmap`` over problems, test times
and starts) at ``points_per_round`` test times inside each problem's bracket (1: bisection,
``m``: an ``(m+1)``-ary search, ``~log_{m+1}(len(grid))`` rounds).  Starts per problem,
test time and round (the paper's, plus warm starts that a parallel scan can use):

* ``"own"``: the best pulse found so far for this problem (at a longer ``T``: the same
  ``x`` is a time-compressed pulse; the paper warm-starts its Haar runs this way, from the
  next longer grid time);
* ``"neighbour"``: the pulse of the previous bond distance in the paper's scan direction
  (or of both adjacent ones) at the same test time, else at the nearest time it was
  optimised at (the paper's warm start, which it runs sequentially over ``r`` at every
  ``T``);
* ``"zero"``: the paper's start (``J = J_min``, no drive, tones at the Zeeman splittings)
  plus a small seeded perturbation (from the exact zero start the optimiser stalls; for
  H2 every drive derivative vanishes there and every ``J`` sits on its lower bound);
* ``restarts`` random starts (the paper: 3 for molecules, 2 for Haar pairs).

What differs from the paper's code: they optimise every grid time (the ``r`` chain
sequentially, Haar pairs from ``T_max`` down) with scipy's BFGS to ``gtol = 1e-8``
(molecules) or 0 (Haar); here only the search's test times are optimised, each problem
stops once its error is ``<= tol`` (the decision is made), and the optimiser is a batched
projected L-BFGS with at most ``maxiter`` iterations per round
(:mod:`circuits.pulse.batch_lbfgs`).  A failed optimisation at a test time makes the MET
longer in both codes; the paper's full grid can still find a success below a failure, a
bisection cannot (our METs are then upper bounds of the paper's definition).
``benchmarks/pulse_met_paper_verify.py`` settles a scan's maximum from above: every ``r``
at fixed grid times, with warm-started rounds.

Example
-------
>>> import numpy as np
>>> from circuits.pulse.lab import LabControls, LabSpinChain
>>> ctl = LabControls(LabSpinChain.long2024(1), n_slices=1)
>>> z = np.diag([1.0, -1.0]).astype(complex)            # E - E0 = 1 + <Z>: flip |0> -> |1>
>>> grid = np.arange(0.0, 400.0, 7.0)
>>> bool(np.all(np.diff(grid) > 0)), len(grid)
(True, 58)
>>> # minutes on a CPU (tests/test_pulse_lab.py runs it as a slow test):
>>> res = grid_bisection(ctl, grid, np.eye(2)[0], z[None], [-1.0],  # doctest: +SKIP
...                      tol=1e-7, restarts=1, maxiter=100, seed=0)
>>> float(res.met[0])  # doctest: +SKIP
203.0
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from mps._validate import check_int

from .lab import LabControls, substeps_for
from .lab_met import (
    CRITERIA,
    BisectionMET,
    bisect_met,
    check_grid,
    check_tol,
    fidelity_cost,
    optimize_batch,
)

__all__ = ["BisectionScan", "LabMET", "grid_bisection", "haar_pair", "minimal_evolution_time"]


class BisectionScan(NamedTuple):
    """Per-problem grid METs.

    Attributes
    ----------
    met : numpy.ndarray
        MET (ns) per problem; NaN where even the last grid point was not reached.
    index : numpy.ndarray
        Its grid index (-1 where not reached).
    lower : numpy.ndarray
        Largest grid time found unreachable (ns).
    error : numpy.ndarray
        Best error at the MET.
    x : numpy.ndarray
        Best controls at the MET, ``(P, n_params)``.
    complete : numpy.ndarray
        Whether the bisection of each problem finished (``False``: stopped by ``budget_s``;
        ``met`` is then an upper bound).
    rounds : list of dict
        Per round: problems, batch size, seconds, mean/max iterations, problems reached,
        and the current brackets ``upper_ns`` / ``lower_ns`` (for partial reports).
    seconds : float
    substeps : int
    """

    met: np.ndarray
    index: np.ndarray
    lower: np.ndarray
    error: np.ndarray
    x: np.ndarray
    complete: np.ndarray
    rounds: list
    seconds: float
    substeps: int


def haar_pair(dim: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Independent Haar-random start and target states (normalised complex Gaussians)."""
    v = rng.normal(size=(2, dim)) + 1j * rng.normal(size=(2, dim))
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return v[0], v[1]


def _test_points(lo: int, hi: int, known: bool, m: int) -> list[int]:
    """Up to ``m`` grid indices to try next in the bracket ``(lo, hi]`` (``hi`` included
    while it is not yet known to be reachable)."""
    if not known:
        pts = lo + np.round((hi - lo) * np.arange(1, m + 1) / m)
        pts = pts[(pts > lo) & (pts <= hi)]
    else:
        pts = lo + np.round((hi - lo) * np.arange(1, m + 1) / (m + 1))
        pts = pts[(pts > lo) & (pts < hi)]
    return sorted({int(v) for v in pts})


def grid_bisection(
    controls: LabControls, grid: object, psi0: object, hams: object, e0: object, *,
    tol: float = 1e-7, restarts: int = 3, maxiter: int = 300, seed: int = 0,
    neighbour: bool = False, forward: bool = True, zero_start: bool = True,
    budget_s: float | None = None, substeps: int | None = None, progress=None,
    points_per_round: int = 1, zero_noise: float = 0.05, alphas: tuple | None = None,
    chunk: int = 10, deadline: float | None = None, top_attempts: int = 2,
    both_neighbours: bool = False, descent_rounds: int = 0, parallel_slices: bool = False,
    memory: int = 10, method: str = "lbfgs", compact: int = 0,
    checkpoint: Callable[[dict], None] | None = None, resume: dict | None = None,
) -> BisectionScan:
    """Grid METs of ``P`` problems (costs ``hams[p]`` with offsets ``e0[p]``) at once.

    Every round tests, for every open problem, ``points_per_round`` grid times inside its
    bracket (1: bisection; more: a ``(m+1)``-ary search, fewer rounds for a wider batch),
    all problems x test times x starts in one batched optimisation of a fixed batch size
    (padded, so all rounds share one compilation).  A test time is reached if any start
    reaches ``<= tol``; the bracket becomes (largest unreached test time below the smallest
    reached one, smallest reached one].

    Parameters
    ----------
    controls : LabControls
    grid : array_like
        Strictly increasing durations (ns); ``grid[0] = 0`` is allowed (never optimised:
        reached only if the start state already meets ``tol``).  Only ``grid[-1]`` needs to
        be reachable; pass a leading part of a longer grid to search a window of it.
    psi0 : array_like
        Start state(s), ``(d,)`` or ``(P, d)``.
    hams, e0 : array_like
        ``(P, d, d)`` Hermitian costs and ``(P,)`` offsets (``E0``).
    tol : float
        MET threshold on ``<H> - E0`` (> 0).
    restarts, maxiter, seed
        Random starts per problem, test time and round (the paper's: ``J`` and ``I, Q``
        uniform in [-1, 1], tones at the Zeeman splittings), optimiser iterations per round,
        seed of all random starts.
    neighbour, forward
        Add the warm start from the previous problem (``forward``: index ``p - 1``,
        else ``p + 1``), the paper's bond-distance chain (here the neighbour's best pulse
        of the previous rounds, time-compressed).
    zero_start : bool
        Add the paper's start (no drive, ``J = J_min``) with a seeded perturbation of
        ``zero_noise`` (the exact zero start is a stationary point of the energy).
    budget_s, deadline : float, optional
        Stop starting new rounds after ``budget_s`` seconds or at ``time.perf_counter()``
        value ``deadline`` (the running optimisation also stops there); results flagged
        incomplete.
    substeps : int, optional
        Steps per slice (default: for ``grid[-1]``).
    progress : callable, optional
        ``progress(round_info)`` after every round.
    points_per_round, alphas, chunk
        Test times per problem and round; line-search steps and iterations per compiled
        call of :func:`circuits.pulse.lab_met.optimize_batch`.
    top_attempts : int
        Rounds that may fail at ``grid[-1]`` before a problem is given up as unreached
        (each retry starts from the best pulse of the previous attempts and new random
        starts).
    both_neighbours : bool
        With ``neighbour``: warm starts from both adjacent problems (a parallel scan has
        both at hand), not only the paper's scan direction.
    descent_rounds : int
        After the search, up to this many rounds that test the ``points_per_round`` grid
        times just below every problem's MET again, with the current best pulses of the
        problem and its neighbours as starts (a failed test is often an optimisation
        failure that a neighbour's pulse avoids; the paper's full grid has the same
        second chance).  A problem leaves the descent when a round reaches none of them.
    parallel_slices : bool
        All slice propagators at once (:func:`circuits.pulse.lab.kernel_shape`).
    memory : int
        L-BFGS history size (the paper's BFGS keeps the full inverse Hessian: a history
        of the parameter count is its limited-memory counterpart; ``0`` is full BFGS).
    method : {"lbfgs", "lm"}
        The optimiser of :func:`circuits.pulse.lab_met.optimize_batch` (``"lm"``:
        Levenberg-Marquardt on the residual ``(H - E0)^{1/2} ψ``).
    compact : int
        ``k > 0``: the open problems of a round continue in a smaller compiled batch once
        half have stopped (the round's padding counts as stopped), a power of two of at
        least ``k``; see :func:`circuits.pulse.lab_met.optimize_batch`.
    checkpoint, resume
        ``checkpoint(state)`` after every round, with a JSON-ready dict of the search (the
        brackets, the tested points and their pulses, the random generator); passing that
        dict back as ``resume`` (same problems and grid) continues the search from there,
        on the same path as a run that was never stopped.  Other ``restarts`` or
        ``maxiter`` apply to the rounds still to come.
    """
    t = check_grid(grid)
    tol = check_tol(tol)
    hams = np.asarray(hams, dtype=complex)
    p_count, d = hams.shape[0], controls.device.dim
    if hams.ndim != 3 or hams.shape != (p_count, d, d):
        raise ValueError(f"hams must have shape (P, {d}, {d}), got {hams.shape}")
    e0 = np.broadcast_to(np.asarray(e0, dtype=float), (p_count,)).copy()
    psi = np.broadcast_to(np.asarray(psi0, dtype=complex), (p_count, d)).copy()
    restarts = check_int(restarts, "restarts", minimum=0)
    m = check_int(points_per_round, "points_per_round", minimum=1)
    if restarts == 0 and not zero_start:
        raise ValueError("need at least one start: restarts >= 1 or zero_start=True")
    s = substeps_for(controls, float(t[-1])) if substeps is None else check_int(
        substeps, "substeps", minimum=1)
    rng = np.random.default_rng(check_int(seed, "seed", minimum=0))
    t_start = time.perf_counter()
    if budget_s is not None:
        stop_at = t_start + float(budget_s)
        deadline = stop_at if deadline is None else min(deadline, stop_at)
    start_err = np.real(np.einsum("pi,pij,pj->p", psi.conj(), hams, psi)) - e0
    lo = np.zeros(p_count, dtype=int)  # unreachable (T = 0 unless already there)
    hi = np.full(p_count, t.size - 1)
    best_x = np.full((p_count, controls.n_params), np.nan)
    best_e = np.full(p_count, np.nan)
    known = np.zeros(p_count, dtype=bool)  # a reachable hi has been verified
    failed = np.zeros(p_count, dtype=bool)  # last grid point not reached
    done0 = start_err <= tol
    hi[done0], known[done0], best_e[done0] = 0, True, start_err[done0]
    best_x[done0] = controls.initial_x()
    base = -1 if (t.size == 1 or t[0] > 0) else 0  # T = 0 is never optimised
    lo[:] = base
    fails: list[set] = [set() for _ in range(p_count)]  # test indices not reached
    tested: list[dict] = [{} for _ in range(p_count)]  # grid index -> (error, best x)
    top_tries = np.zeros(p_count, dtype=int)
    descending = np.ones(p_count, dtype=bool)
    n_descent = 0
    rounds: list[dict] = []
    if resume is not None:
        (lo, hi, best_x, best_e, known, failed, top_tries, descending, n_descent, rounds,
         fails, tested) = _restore(resume, p_count, t.size, controls.n_params)
        rng.bit_generator.state = resume["rng"]
    per_test = restarts + int(zero_start) + 1 + int(neighbour) * (1 + int(both_neighbours))
    batch_max = p_count * m * per_test
    kw = {} if alphas is None else {"alphas": tuple(alphas)}
    while True:
        open_ = ~failed & ((~known) | (hi - lo > 1))
        descent = not open_.any()
        if descent:
            open_ = known & ~failed & descending & (hi > base + 1)
            if n_descent >= descent_rounds or not open_.any():
                break
            n_descent += 1
        if deadline is not None and time.perf_counter() > deadline:
            break
        xs, owner, tidx = [], [], []
        for p in np.flatnonzero(open_):
            if descent:
                pts = [k for k in range(int(hi[p]) - 1, int(hi[p]) - 1 - m, -1) if k > base]
            else:
                pts = _test_points(int(lo[p]), int(hi[p]), bool(known[p]), m)
            for k in pts:
                cand = []
                if np.all(np.isfinite(best_x[p])):
                    cand.append(best_x[p])
                qs = [p - 1, p + 1] if both_neighbours else [p - 1 if forward else p + 1]
                for q in qs if neighbour else []:
                    # the paper's warm start: the neighbour's pulse at the same T (else the
                    # nearest T it was optimised at)
                    if 0 <= q < p_count and tested[q]:
                        kq = min(tested[q], key=lambda i, k=k: (abs(i - k), i))
                        cand.append(tested[q][kq][1])
                if zero_start:
                    x0 = controls.initial_x()
                    cand.append(np.clip(x0 + zero_noise * rng.normal(size=x0.size), -1, 1))
                if restarts:
                    cand.extend(controls.random_x(int(rng.integers(2**31)), restarts))
                xs.extend(cand)
                owner.extend([p] * len(cand))
                tidx.extend([k] * len(cand))
        owner, tidx = np.asarray(owner), np.asarray(tidx)
        # pad to one fixed batch size (one compilation for all rounds): dummy problems with
        # a zero cost are done before their first iteration
        pad = batch_max - owner.size
        res = optimize_batch(
            controls, np.concatenate([np.stack(xs), np.tile(controls.initial_x(), (pad, 1))]),
            np.concatenate([t[tidx], np.full(pad, t[-1])]),
            np.concatenate([psi[owner], np.tile(psi[:1], (pad, 1))]),
            np.concatenate([hams[owner], np.zeros((pad, d, d))]),
            np.concatenate([e0[owner], np.zeros(pad)]),
            substeps=s, maxiter=maxiter, stop_error=tol, gtol=1e-12, chunk=chunk,
            deadline=deadline, parallel_slices=parallel_slices, memory=memory,
            method=method, compact=compact, **kw)
        err, xr = res.errors[:owner.size], res.x[:owner.size]
        # a round cut by the deadline proves only what it reached
        cut = deadline is not None and time.perf_counter() > deadline
        for p in np.unique(owner):
            mine = owner == p
            reached = {}
            tried = sorted(set(tidx[mine].tolist()))
            for k in tried:
                sel = np.flatnonzero(mine & (tidx == k))
                j = sel[int(np.argmin(err[sel]))]
                reached[k] = (err[j] <= tol, j)
                if not cut and (k not in tested[p] or err[j] < tested[p][k][0]):
                    tested[p][k] = (float(err[j]), xr[j])
            ok = [k for k in tried if reached[k][0]]
            if not cut:
                fails[p].update(k for k in tried if not reached[k][0])
            if descent and not ok and not cut:
                descending[p] = False
            if ok:
                k = ok[0]
                if not known[p] or k < hi[p]:
                    hi[p], known[p] = k, True
                    best_x[p], best_e[p] = xr[reached[k][1]], err[reached[k][1]]
                lo[p] = max([base, *(q for q in fails[p] if q < hi[p])])
            elif cut:
                continue
            elif known[p]:
                lo[p] = max([base, *(q for q in fails[p] if q < hi[p])])
            else:
                top_tries[p] += 1
                j = reached[tried[-1]][1]
                if not np.isfinite(best_e[p]) or err[j] < best_e[p]:
                    best_e[p], best_x[p] = err[j], xr[j]
                failed[p] = top_tries[p] >= top_attempts
        info = {"phase": "descent" if descent else "search",
                "problems": int(np.unique(owner).size), "batch": int(owner.size),
                "padded": int(batch_max), "seconds": res.seconds,
                "iterations_mean": float(res.iterations[:owner.size].mean()),
                "iterations_max": int(res.iterations[:owner.size].max()),
                "reached": int(np.sum(err <= tol)),
                "elapsed_s": time.perf_counter() - t_start,
                "upper_ns": np.where(known & ~failed, t[hi], np.nan).tolist(),
                "lower_ns": np.where(lo >= 0, t[np.maximum(lo, 0)], 0.0).tolist()}
        rounds.append(info)
        if checkpoint is not None:
            checkpoint(_snapshot(lo, hi, best_x, best_e, known, failed, top_tries, descending,
                                 n_descent, rounds, fails, tested, rng, t.size))
        if progress is not None:
            progress(info)
    met = np.where(known & ~failed, t[hi], np.nan)
    complete = failed | (known & (hi - lo <= 1))
    return BisectionScan(met, np.where(known & ~failed, hi, -1),
                         np.where(lo >= 0, t[np.maximum(lo, 0)], 0.0), best_e, best_x,
                         complete, rounds, time.perf_counter() - t_start, s)


_STATE_ARRAYS = ("lo", "hi", "best_x", "best_e", "known", "failed", "top_tries", "descending")


def _snapshot(lo, hi, best_x, best_e, known, failed, top_tries, descending, n_descent,
              rounds, fails, tested, rng, n_grid) -> dict:
    """The search state of :func:`grid_bisection` after a round, as JSON-ready values."""
    arrays = dict(zip(_STATE_ARRAYS, (lo, hi, best_x, best_e, known, failed, top_tries,
                                      descending), strict=True))
    return {**{k: np.asarray(v).tolist() for k, v in arrays.items()}, "grid_points": n_grid,
            "n_descent": int(n_descent), "rounds": list(rounds), "rng": rng.bit_generator.state,
            "fails": [sorted(int(k) for k in f) for f in fails],
            "tested": [[[int(k), float(e), np.asarray(x).tolist()] for k, (e, x) in d.items()]
                       for d in tested]}


def _restore(state: dict, p_count: int, n_grid: int, n_params: int) -> tuple:
    """The inverse of :func:`_snapshot`, checked against the problems being resumed."""
    try:
        shape = np.asarray(state["best_x"], dtype=float).shape
        if shape != (p_count, n_params) or int(state["grid_points"]) != n_grid:
            raise ValueError(f"resume holds {shape[0]} problems x {shape[1]} parameters on "
                             f"{state['grid_points']} grid points; this search has "
                             f"{p_count} x {n_params} on {n_grid}")
        dtypes = (int, int, float, float, bool, bool, int, bool)
        arrays = [np.asarray(state[k], dtype=dt)
                  for k, dt in zip(_STATE_ARRAYS, dtypes, strict=True)]
        fails = [set(f) for f in state["fails"]]
        tested = [{int(k): (float(e), np.asarray(x, dtype=float)) for k, e, x in d}
                  for d in state["tested"]]
        return (*arrays, int(state["n_descent"]), list(state["rounds"]), fails, tested)
    except (KeyError, TypeError, IndexError) as exc:
        raise ValueError(f"resume is not a grid_bisection checkpoint ({exc!r})") from exc


class LabMET(NamedTuple):
    """:func:`minimal_evolution_time` result: ``met`` (ns; NaN if not reached), the error
    there, the controls, how it was found (``"grid"`` or ``"bisection"``) and the details
    (:class:`BisectionScan` or :class:`circuits.pulse.lab_met.BisectionMET`)."""

    met: float
    error: float
    x: np.ndarray
    method: str
    criterion: str
    tol: float
    details: object


def minimal_evolution_time(
    controls: LabControls, psi0: object, target: object, *, criterion: str = "energy",
    tol: float = 1e-7, grid: object | None = None, t_max: float | None = None,
    rel_tol: float = 1e-3, restarts: int = 3, maxiter: int = 300, seed: int = 0,
    substeps: int | None = None,
) -> LabMET:
    """The paper's MET of one problem on the lab-frame device, on a grid or by bisection.

    Parameters
    ----------
    controls : LabControls
    psi0 : array_like
        Normalised start state (``2^n`` amplitudes, little-endian).
    target : array_like
        ``criterion="energy"``: the Hamiltonian ``H`` (``E - E0 <= tol``, ``E0`` its lowest
        eigenvalue); ``criterion="fidelity"``: the target state (``1 - F <= tol``).
    tol : float
        Threshold (> 0).
    grid : array_like, optional
        Strictly increasing durations (ns): the paper's monotone grid rule, bisected on the
        grid index.  Without a grid: bisection of ``[0, t_max]`` to ``rel_tol``.
    t_max : float
        Upper end of the bisection (ns, must be reachable); required without ``grid``.
    restarts, maxiter, seed, substeps
        Random starts per evaluation (plus the paper's zero start), L-BFGS iterations, seed,
        steps per slice.

    Example
    -------
    >>> import numpy as np
    >>> from circuits.pulse.lab import LabControls, LabSpinChain
    >>> ctl = LabControls(LabSpinChain.long2024(1, max_step=0.5), n_slices=1)
    >>> r = minimal_evolution_time(ctl, [1, 0], [1, 0], criterion="fidelity",
    ...                            grid=np.arange(0.0, 260.0, 7.0))
    >>> r.met, r.method   # already there: T = 0, nothing to optimise
    (0.0, 'grid')
    >>> # the bounded flip needs 199.97 ns (tests/test_pulse_lab.py, slow: ~40 s on 2 cores)
    >>> r = minimal_evolution_time(ctl, [1, 0], [0, 1], criterion="fidelity",  # doctest: +SKIP
    ...                            grid=np.arange(0.0, 260.0, 7.0), restarts=2, substeps=8)
    >>> r.met  # doctest: +SKIP
    203.0
    """
    if criterion not in CRITERIA:
        raise ValueError(f"criterion must be one of {CRITERIA}, got {criterion!r}")
    tol = check_tol(tol)
    d = controls.device.dim
    psi = np.asarray(psi0, dtype=complex)
    if psi.shape != (d,) or abs(np.linalg.norm(psi) - 1) > 1e-8:
        raise ValueError(f"psi0 must be a normalised vector of {d} amplitudes")
    tgt = np.asarray(target, dtype=complex)
    if criterion == "energy":
        if tgt.shape != (d, d) or not np.allclose(tgt, tgt.conj().T, atol=1e-12):
            raise ValueError(f"target must be a Hermitian {d} x {d} Hamiltonian for "
                             'criterion="energy"')
        ham, e0 = tgt, float(np.linalg.eigvalsh(tgt)[0])
    else:
        if tgt.shape != (d,) or abs(np.linalg.norm(tgt) - 1) > 1e-8:
            raise ValueError(f'target must be a normalised state of {d} amplitudes for '
                             'criterion="fidelity"')
        ham, e0 = fidelity_cost(tgt), 0.0
    if grid is not None:
        res = grid_bisection(controls, grid, psi, ham[None], [e0], tol=tol, restarts=restarts,
                             maxiter=maxiter, seed=seed, substeps=substeps)
        return LabMET(float(res.met[0]), float(res.error[0]), res.x[0], "grid", criterion,
                      tol, res)
    if t_max is None:
        raise ValueError("give a grid or t_max (the reachable upper end of the bisection)")
    s = substeps_for(controls, t_max) if substeps is None else substeps
    rng = np.random.default_rng(check_int(seed, "seed", minimum=0))
    best: dict = {}

    def error_at(t: float) -> float:
        x0 = np.concatenate([controls.initial_x()[None],
                             controls.random_x(int(rng.integers(2**31)), restarts)])
        r = optimize_batch(controls, x0, t, psi, ham, e0, substeps=s, maxiter=maxiter,
                           stop_error=tol, gtol=1e-10)
        k = int(np.argmin(r.errors))
        if r.errors[k] <= tol and t <= best.get("t", np.inf):
            best.update(t=t, x=r.x[k], e=float(r.errors[k]))
        return float(r.errors[k])

    b: BisectionMET = bisect_met(error_at, 0.0, t_max, tol=tol, rel_tol=rel_tol)
    return LabMET(float(b.met), best["e"], best["x"], "bisection", criterion, tol, b)
