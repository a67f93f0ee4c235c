"""``tnqc qsp recover``: append a recovery QSP and measure the error against ε.

Methods
-------
``uniform`` (default)
    The paper's over-rotation model ``e^{iφZ} → e^{iφ(1+ε)Z}``.  The recovery of
    :mod:`circuits.qsp.shift_recovery` cancels the X/Y error to order ``k`` for every
    signal.  The report holds:
    - the worst case over a signal grid, in extended precision, against ε;
    - slopes over the asymptotic window ``ε <= 1e-2`` and over the whole range;
    - the exact Taylor norms, and the length against the paper's bounds.
``pointwise``
    The numerical recovery at operating signals (``--points``) of
    :func:`circuits.qsp.find_recovery`, for the error axis ``--pauli``.  ``Z`` is the
    paper's model; ``X`` and ``Y`` are an earlier per-gate stand-in.

``--grover l`` takes the fixed-point search with ``2l + 1`` queries:
- with ``uniform``, it recovers its QSP sequence (:func:`circuits.qsp.grover.grover_qsp_phases`);
- with ``pointwise``, it fits the success probability at the ``λ`` values of ``--points``.

Files: ``recovery.json`` (phases, lengths, errors, slopes, versions) and
``error_vs_eps.png``.

Example
-------
>>> import tempfile
>>> from pathlib import Path
>>> from typer.testing import CliRunner
>>> from circuits.cli import app
>>> out = Path(tempfile.mkdtemp()) / "run"
>>> r = CliRunner().invoke(app, ["qsp", "recover", "--grover", "2", "--order", "9",
...                              "--out", str(out)])
>>> r.exit_code, out.exists()
(2, False)
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from circuits.cli_common import fail, prepare_out

if TYPE_CHECKING:
    import numpy as np

METHODS = ("uniform", "pointwise")
QSP_FILES = ("recovery.json", "error_vs_eps.png")
MAX_PHASES = 100_000
"""Longest phase sequence read from ``--phases``."""
MAX_UNIFORM_BOUND = 10**9
"""Largest paper bound ``2^k c^(k^2) d`` on the recovery length accepted by ``uniform``."""


class Method(StrEnum):
    """The ``--method`` of a phase recovery: ``uniform`` or ``pointwise``."""

    uniform = "uniform"
    pointwise = "pointwise"


class Pauli(StrEnum):
    """A Pauli axis ``X``, ``Y`` or ``Z`` given on the command line."""

    X = "X"
    Y = "Y"
    Z = "Z"


def _load_phases(path: Path) -> np.ndarray:
    """A finite, non-empty 1-D array of phases from a JSON list or a ``.npy`` file."""
    import numpy as np

    if not path.is_file():
        raise ValueError(f"--phases: no file {path}")
    try:
        if path.suffix == ".npy":
            phases = np.load(path, allow_pickle=False)
        else:
            phases = json.loads(path.read_bytes().decode("utf-8"))
        phases = np.asarray(phases, dtype=float)
    except (ValueError, OSError, TypeError, EOFError, RecursionError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else \
            type(exc).__name__
        raise ValueError(f"--phases: {path} is not a JSON list or .npy array of numbers "
                         f"({reason})") from exc
    if phases.ndim != 1 or phases.size == 0:
        raise ValueError(f"--phases: {path} must hold a non-empty list of numbers, got shape "
                         f"{phases.shape}")
    if phases.size > MAX_PHASES:
        raise ValueError(f"--phases: {path} holds {phases.size} phases, more than {MAX_PHASES}")
    if not np.all(np.isfinite(phases)):
        raise ValueError(f"--phases: {path} holds NaN or infinite phases")
    return phases


def _slope(eps: np.ndarray, err: list[float]) -> float:
    import numpy as np

    return float(np.polyfit(np.log(eps), np.log(np.maximum(err, 1e-300)), 1)[0])


def _uniform(main: np.ndarray, order: int) -> dict:
    import numpy as np

    from .recovery import xy_z_errors
    from .shift_recovery import uniform_recovery

    rec = uniform_recovery(main, order)
    eps = np.logspace(-5, -1, 13)
    grid = np.linspace(-1.0, 1.0, 81)
    noisy = [float(xy_z_errors(main, grid, e, extended=True)[0].max()) for e in eps]
    fixed = [float(xy_z_errors(main, grid, e, rec.phases, extended=True)[0].max()) for e in eps]
    win = eps <= 1e-2 + 1e-15
    return {
        "method": "uniform", "model": "over-rotation e^{i phi (1+eps) Z}",
        "error": "max over 81 signals in [-1, 1] of |<1|U_0^dag U_eps R_eps|0>| (X/Y error)",
        "main_phases": main.tolist(), "recovery_phases": rec.phases.tolist(),
        "recovery_calls": rec.calls, "d": rec.d, "unique_phases_c": rec.c,
        "paper_bounds": rec.paper_bounds,
        "steps": [{"order": s.order, "atoms": s.atoms, "calls": s.calls,
                   "target": s.target, "residual": s.residual} for s in rec.steps],
        "taylor_norms": list(rec.taylor_norms),
        "eps": eps.tolist(), "error_noisy": noisy, "error_recovered": fixed,
        "slope_noisy": _slope(eps[win], list(np.asarray(noisy)[win])),
        "slope_recovered": _slope(eps[win], list(np.asarray(fixed)[win])),
        "slope_window": [float(eps[win][0]), float(eps[win][-1])],
        "slope_recovered_full_range": _slope(eps, fixed),
    }


def _pointwise(main, alpha_beta, order, pauli, pts, seed) -> dict:
    import numpy as np

    from . import ErrorModel, RecoveryConfig, find_recovery, noisy_response
    from .grover import find_grover_recovery, success_probability

    eps = np.logspace(-4, -1, 13)
    p = np.asarray(pts)
    if main is not None:
        rec = find_recovery(main, RecoveryConfig(order=order, pauli=pauli, points=pts, seed=seed))
        ideal = noisy_response(main, p, ErrorModel(pauli, 0.0))
        noisy = [float(np.max(np.abs(noisy_response(main, p, ErrorModel(pauli, e)) - ideal)))
                 for e in eps]
        fixed = [float(np.max(np.abs(noisy_response(main, p, ErrorModel(pauli, e), rec.phases)
                                     - ideal))) for e in eps]
        out = {"main_phases": main.tolist(), "recovery_phases": rec.phases.tolist(),
               "recovery_calls": rec.length, "residual": rec.residual}
    else:
        alpha, beta = alpha_beta
        rec = find_grover_recovery(alpha, beta, pts, order=order, pauli=pauli, seed=seed)
        ideal = success_probability(alpha, beta, p)
        noisy = [float(np.max(np.abs(success_probability(alpha, beta, p, eps=e, pauli=pauli)
                                     - ideal))) for e in eps]
        fixed = [float(np.max(np.abs(success_probability(alpha, beta, p, eps=e, pauli=pauli,
                                                         recovery=rec.phases) - ideal)))
                 for e in eps]
        out = {"alpha": alpha.tolist(), "beta": beta.tolist(),
               "recovery_phases": rec.phases.tolist(),
               "extra_iterates": rec.extra_iterates, "residual": rec.residual}
    out.update({"method": "pointwise", "pauli": pauli, "points": list(pts),
                "error": "max over the operating points of the response error",
                "eps": eps.tolist(), "error_noisy": noisy, "error_recovered": fixed,
                "slope_noisy": _slope(eps, noisy), "slope_recovered": _slope(eps, fixed),
                "slope_window": [float(eps[0]), float(eps[-1])]})
    return out


def qsp_recover_cmd(
    out: Annotated[Path, typer.Option(help="Output folder.")],
    phases: Annotated[Path | None, typer.Option(help="JSON or .npy file of QSP phases.")] = None,
    grover: Annotated[int | None, typer.Option(help="Grover search, 2l+1 queries (l >= 1).")]
    = None,
    delta: Annotated[float | None, typer.Option(help="With --grover: band 1 - delta^2 "
                                                "(default 0.3).")] = None,
    order: Annotated[int, typer.Option(help="Recovery order k (error O(eps^(k+1))).")] = 1,
    method: Annotated[Method, typer.Option(
        help="uniform: every signal, the paper's over-rotation model (k <= 3); "
        "pointwise: at --points only.")] = Method.uniform,
    pauli: Annotated[Pauli | None, typer.Option(
        help="pointwise only: error axis (default Z).")] = None,
    points: Annotated[str | None, typer.Option(
        help="pointwise only: operating signals (lambda for Grover), a,b,... (default 0.5)")]
    = None,
    seed: Annotated[int | None, typer.Option(help="pointwise only: seed of the solver.")]
    = None,
    force: Annotated[bool, typer.Option(help="Replace the files of an earlier run in --out.")]
    = False,
) -> None:
    """Append a recovery sequence that cancels coherent phase errors to order k."""
    import numpy as np

    from circuits.limits import MAX_GROVER_L, check_size
    from mps._versions import versions
    from mps.atomic import atomic_write_json

    from .grover import fixed_point_phases, grover_qsp_phases

    method = method.value
    try:
        if (phases is None) == (grover is None):
            raise ValueError("give exactly one of --phases FILE and --grover l")
        if delta is not None and grover is None:
            raise ValueError("--delta applies to --grover only")
        if method == "uniform":
            given = [f"--{k}" for k, v in (("pauli", pauli), ("points", points), ("seed", seed))
                     if v is not None]
            if given:
                raise ValueError(f"{', '.join(given)} apply to --method pointwise only")
        delta = 0.3 if delta is None else delta
        pauli = "Z" if pauli is None else pauli.value
        seed = 0 if seed is None else seed
        try:
            pts = tuple(float(v) for v in (points or "0.5").split(","))
        except ValueError as exc:
            raise ValueError(f"--points must be numbers separated by commas, got {points!r}") \
                from exc
        if grover is not None:
            check_size(grover, "--grover", MAX_GROVER_L)
        main = _load_phases(phases) if phases is not None else None
        alpha_beta = fixed_point_phases(grover, delta) if grover is not None else None
        if method == "uniform" and main is None:
            main = grover_qsp_phases(*alpha_beta)
        if method == "uniform":
            from .shift_recovery import MAX_ORDER, _check_int

            _check_int(order, "--order", 1, MAX_ORDER)
            c = len(np.unique(np.round(np.asarray(main) % (2 * np.pi), 12)))
            bound = 2**order * c ** (order * order) * len(main)
            if bound > MAX_UNIFORM_BOUND:
                raise ValueError(f"the recovery of order {order} for {len(main)} phases "
                                 f"({c} distinct) may need up to {bound:.3g} calls, more than "
                                 f"{MAX_UNIFORM_BOUND:.0e}; lower --order or the phases")
        else:
            from . import RecoveryConfig

            RecoveryConfig(order=order, pauli=pauli, points=pts, seed=seed)  # validates
        out = prepare_out(out, force, owned=QSP_FILES)
    except (ValueError, TypeError, RuntimeError) as exc:
        fail(str(exc))
    try:
        if method == "uniform":
            result = _uniform(main, order)
        else:
            result = _pointwise(main, alpha_beta, order, pauli, pts, seed)
    except (ValueError, TypeError, RuntimeError) as exc:
        if out.is_dir() and not any(out.iterdir()):
            out.rmdir()
        fail(str(exc))
    except KeyboardInterrupt:
        if out.is_dir() and not any(out.iterdir()):
            out.rmdir()
        raise typer.Exit(code=130) from None
    result.update({"order": order, "grover_l": grover, "delta": delta if grover else None,
                   "seed": seed, "versions": versions()})
    atomic_write_json(out / "recovery.json", result, overwrite=True)
    _plot(result, out / "error_vs_eps.png")
    calls = len(result["recovery_phases"]) - 1
    typer.echo(f"recovery ({method}, k={order}, {calls} calls): "
               f"slope {result['slope_noisy']:.2f} -> {result['slope_recovered']:.2f} "
               f"over eps in [{result['slope_window'][0]:.0e}, {result['slope_window'][1]:.0e}]"
               f" -> {out}/")


def _plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from mps.atomic import atomic_write

    eps = result["eps"]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.loglog(eps, result["error_noisy"], "o-", label=f"noisy (slope {result['slope_noisy']:.2f})")
    ax.loglog(eps, result["error_recovered"], "s-",
              label=f"recovered k={result['order']} (slope {result['slope_recovered']:.2f})")
    ax.set_xlabel("epsilon (over-rotation)" if result["method"] == "uniform" else "epsilon")
    ax.set_ylabel("max X/Y error over signals" if result["method"] == "uniform"
                  else "max error at the operating points")
    ax.legend()
    fig.tight_layout()
    atomic_write(path, lambda fh: fig.savefig(fh, format="png", dpi=120), overwrite=True)
    plt.close(fig)
