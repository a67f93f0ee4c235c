"""Memory thresholds of the heavy-hex patch, beside a plain rotated surface code.

Tasks are ``sinter.Task`` s of :func:`~circuits.injection.experiments.memory_circuit`
(``d`` rounds) and of ``stim.Circuit.generated("surface_code:rotated_memory_{z,x}")``,
both noiseless circuits with the same :mod:`circuits.cultivation.noise` model applied, decoded
by pymatching.  ``Z`` memory measures bit flips (the paper's bit-flip threshold), ``X``
memory phase flips.  The error rate is per shot (``d`` rounds).

:func:`crossing` estimates a threshold as the physical error rate where the logical error
curves of two distances cross (linear interpolation of ``log p_L`` against ``log p``
between neighbouring grid points), with a parametric-bootstrap confidence interval.

Example
-------
>>> from circuits.injection.thresholds import Point, check_p, crossing
>>> check_p(1e-3)
0.001
>>> check_p(0.7)  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
ValueError: p must be in [0, 0.5), got 0.7
>>> pts = [Point("heavy_hex", "uniform", "Z", d, p, 10**6, k) for d, p, k in
...        [(3, 1e-3, 1000), (3, 4e-3, 16000), (5, 1e-3, 250), (5, 4e-3, 64000)]]
>>> pts[0].rate
0.001
>>> round(crossing(pts, 3, 5, boot=100)["estimate"], 6)  # 1000 p^2 = 2.5e8 p^4
0.002
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import stim

from circuits.cultivation.noise import NoiseModel, apply_noise, noise_model

from .experiments import memory_circuit
from .layout import OFFERED_DISTANCES

__all__ = ["CODES", "Point", "check_p", "crossing", "plot_thresholds", "points_from_stats",
           "sweep_noise", "threshold_circuit", "threshold_tasks"]

CODES = ("heavy_hex", "rotated")


def check_p(p: object, name: str = "p") -> float:
    """``p`` as a float in ``[0, 0.5)``."""
    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating)):
        raise TypeError(f"{name} must be a float, got {type(p).__name__}")
    p = float(p)
    if not (math.isfinite(p) and 0.0 <= p < 0.5):
        raise ValueError(f"{name} must be in [0, 0.5), got {p}")
    return p


def sweep_noise(name: str, p: float) -> NoiseModel:
    """``uniform`` / ``si1000`` (:func:`circuits.cultivation.noise.noise_model`) or
    ``uniform_noidle``: the uniform model without idle noise (gates, resets, measurements)."""
    if name == "uniform_noidle":
        p = check_p(p)
        return NoiseModel("uniform_noidle", p, p, p, 0.0, 0.0, p, p, p)
    return noise_model(name, check_p(p))


def threshold_circuit(code: str, d: int, basis: str, noise: str, p: float,
                      rounds: int | None = None) -> stim.Circuit:
    """The noisy memory circuit of one sweep point."""
    if code not in CODES:
        raise ValueError(f"code must be one of {CODES}, got {code!r}")
    if d not in OFFERED_DISTANCES:
        raise ValueError(f"d must be one of {OFFERED_DISTANCES}, got {d}")
    model = sweep_noise(noise, p)
    return apply_noise(_clean_circuit(code, d, basis, d if rounds is None else rounds), model)


def _clean_circuit(code: str, d: int, basis: str, rounds: int) -> stim.Circuit:
    if code == "heavy_hex":
        return memory_circuit(d, basis, rounds)
    if basis not in ("X", "Z"):
        raise ValueError(f"basis must be 'X' or 'Z', got {basis!r}")
    return stim.Circuit.generated(f"surface_code:rotated_memory_{basis.lower()}",
                                  distance=d, rounds=rounds)


def threshold_tasks(distances: Iterable[int], ps: Iterable[float],
                    noises: Iterable[str] = ("uniform", "si1000"),
                    bases: Iterable[str] = ("Z", "X"), codes: Iterable[str] = CODES) -> list:
    """One ``sinter.Task`` per (code, noise, basis, d, p), metadata naming them."""
    import sinter

    tasks = []
    clean: dict[tuple, stim.Circuit] = {}
    for code in codes:
        for noise in noises:
            for basis in bases:
                for d in distances:
                    for p in ps:
                        key = (code, d, basis)
                        if key not in clean:
                            clean[key] = _clean_circuit(code, d, basis, d)
                        c = apply_noise(clean[key], sweep_noise(noise, p))
                        tasks.append(sinter.Task(circuit=c, json_metadata={
                            "code": code, "noise": noise, "basis": basis, "d": d, "p": p,
                            "rounds": d}))
    return tasks


@dataclass(frozen=True)
class Point:
    """One sweep point: ``errors`` logical errors in ``shots`` shots."""

    code: str
    noise: str
    basis: str
    d: int
    p: float
    shots: int
    errors: int

    @property
    def rate(self) -> float:
        return self.errors / self.shots if self.shots else float("nan")

    def interval(self, z: float = 1.96) -> tuple[float, float]:
        """Wilson score interval of the error rate (95 % by default)."""
        n, k = self.shots, self.errors
        if n == 0:
            return (0.0, 1.0)
        ph = k / n
        den = 1 + z * z / n
        mid = (ph + z * z / (2 * n)) / den
        half = z * math.sqrt(ph * (1 - ph) / n + z * z / (4 * n * n)) / den
        return (max(0.0, mid - half), min(1.0, mid + half))


def points_from_stats(stats: Iterable) -> list[Point]:
    """``sinter.TaskStats`` (or dicts with the same keys) as :class:`Point` s, merged."""
    acc: dict[tuple, list[int]] = {}
    for s in stats:
        meta = s.json_metadata if hasattr(s, "json_metadata") else s["json_metadata"]
        shots = s.shots if hasattr(s, "shots") else s["shots"]
        errors = s.errors if hasattr(s, "errors") else s["errors"]
        key = (meta["code"], meta["noise"], meta["basis"], int(meta["d"]), float(meta["p"]))
        tot = acc.setdefault(key, [0, 0])
        tot[0] += int(shots)
        tot[1] += int(errors)
    return [Point(*k, *v) for k, v in sorted(acc.items())]


def _cross(ps: np.ndarray, a: np.ndarray, b: np.ndarray) -> float | None:
    """First ``p`` where ``log a - log b`` changes sign (``a`` small d, ``b`` large d)."""
    with np.errstate(divide="ignore"):
        diff = np.log(np.maximum(b, 1e-12)) - np.log(np.maximum(a, 1e-12))
    lp = np.log(ps)
    for k in range(len(ps) - 1):
        if diff[k] < 0 <= diff[k + 1]:
            t = -diff[k] / (diff[k + 1] - diff[k])
            return float(np.exp(lp[k] + t * (lp[k + 1] - lp[k])))
    return None


def crossing(points: Sequence[Point], d_small: int, d_large: int, *, boot: int = 400,
             seed: int = 0) -> dict:
    """Threshold estimate from the crossing of the ``d_small`` and ``d_large`` curves.

    ``points`` must share code, noise and basis.  Returns ``estimate`` (``None`` if the
    curves do not cross inside the grid) and a 95 % bootstrap interval (resampling each
    point's errors binomially).
    """
    small = sorted((q for q in points if q.d == d_small), key=lambda q: q.p)
    large = {q.p: q for q in points if q.d == d_large}
    small = [q for q in small if q.p in large]
    if len(small) < 2:
        return {"estimate": None, "ci95": None, "pair": [d_small, d_large]}
    ps = np.array([q.p for q in small])
    n_a = np.array([q.shots for q in small])
    k_a = np.array([q.errors for q in small])
    n_b = np.array([large[q.p].shots for q in small])
    k_b = np.array([large[q.p].errors for q in small])
    est = _cross(ps, k_a / n_a, k_b / n_b)
    rng = np.random.default_rng(seed)
    samples = []
    for _ in range(boot):
        ra = rng.binomial(n_a, np.clip(k_a / n_a, 0, 1)) / n_a
        rb = rng.binomial(n_b, np.clip(k_b / n_b, 0, 1)) / n_b
        x = _cross(ps, ra, rb)
        if x is not None:
            samples.append(x)
    ci = [float(np.percentile(samples, 2.5)), float(np.percentile(samples, 97.5))] \
        if len(samples) >= boot // 2 else None
    return {"estimate": est, "ci95": ci, "pair": [d_small, d_large],
            "bootstrap_found": len(samples), "bootstrap": boot}


def plot_thresholds(points: Sequence[Point], path, *, title: str = "") -> None:
    """Logical error rate against p, one panel per (noise, basis), codes as line styles."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = sorted({(q.noise, q.basis) for q in points})
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.8), squeeze=False)
    for ax, (noise, basis) in zip(axes[0], panels, strict=True):
        for code, style in zip(CODES, ("-o", "--s"), strict=True):
            for d, color in zip(OFFERED_DISTANCES, ("C0", "C1", "C2"), strict=True):
                sel = sorted((q for q in points if (q.code, q.noise, q.basis, q.d)
                              == (code, noise, basis, d)), key=lambda q: q.p)
                if not sel:
                    continue
                ps = [q.p for q in sel]
                rates = [q.rate for q in sel]
                lo = [q.rate - q.interval()[0] for q in sel]
                hi = [q.interval()[1] - q.rate for q in sel]
                ax.errorbar(ps, rates, yerr=[lo, hi], fmt=style, color=color, ms=3,
                            label=f"{code} d={d}", alpha=0.9 if code == "heavy_hex" else 0.5)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("physical error rate p")
        ax.set_ylabel("logical error rate per shot (d rounds)")
        ax.set_title(f"{noise}, {basis} memory" + (f" - {title}" if title else ""))
        ax.grid(True, which="both", alpha=0.3)
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
