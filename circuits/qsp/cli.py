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
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from circuits.cli_common import fail, prepare_out

METHODS = ("uniform", "pointwise")




def _load_phases(path: Path) -> np.ndarray:
    if not path.is_file():
        raise ValueError(f"phases: no file at {path}")
    try:
        if path.suffix == ".npy":
            return np.load(path)
        return np.asarray(json.loads(path.read_text()), dtype=float)
    except (ValueError, OSError) as exc:
        raise ValueError(f"phases: {path} is not a JSON list or .npy array of phases: {exc}") \
            from exc


def _slope(eps: np.ndarray, err: list[float]) -> float:
    return float(np.polyfit(np.log(eps), np.log(np.maximum(err, 1e-300)), 1)[0])


def _uniform(main: np.ndarray, order: int) -> dict:
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
    grover: Annotated[int | None, typer.Option(help="Grover search, 2l+1 queries.")] = None,
    delta: Annotated[float, typer.Option(help="Grover band 1 - delta^2.")] = 0.3,
    order: Annotated[int, typer.Option(help="Recovery order k (error O(eps^(k+1))).")] = 1,
    method: Annotated[str, typer.Option(
        help="uniform: every signal, the paper's over-rotation model (k <= 3); "
        "pointwise: at --points only.")] = "uniform",
    pauli: Annotated[str, typer.Option(help="pointwise only: error axis X, Y or Z.")] = "Z",
    points: Annotated[str, typer.Option(
        help="pointwise only: operating signals (lambda for Grover), a,b,...")] = "0.5",
    seed: Annotated[int, typer.Option(help="Seed of the pointwise solver.")] = 0,
    force: Annotated[bool, typer.Option(help="Overwrite files in a non-empty --out.")] = False,
) -> None:
    """Append a recovery sequence that cancels coherent phase errors to order k."""
    from mps._versions import versions
    from mps.atomic import atomic_write_json

    from .grover import fixed_point_phases, grover_qsp_phases

    try:
        if (phases is None) == (grover is None):
            raise ValueError("give exactly one of --phases FILE and --grover l")
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {method!r}")
        try:
            pts = tuple(float(v) for v in points.split(","))
        except ValueError as exc:
            raise ValueError(f"points must be numbers separated by commas, got {points!r}") \
                from exc
        main = _load_phases(phases) if phases is not None else None
        alpha_beta = fixed_point_phases(grover, delta) if grover is not None else None
        if method == "uniform" and main is None:
            main = grover_qsp_phases(*alpha_beta)
        if method == "uniform":
            from .shift_recovery import MAX_ORDER, _check_int

            _check_int(order, "order", 1, MAX_ORDER)
        else:
            from . import RecoveryConfig

            RecoveryConfig(order=order, pauli=pauli, points=pts, seed=seed)  # validates
        out = prepare_out(out, force)
        if method == "uniform":
            result = _uniform(main, order)
        else:
            result = _pointwise(main, alpha_beta, order, pauli, pts, seed)
    except (ValueError, TypeError, RuntimeError) as exc:
        fail(str(exc))
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
