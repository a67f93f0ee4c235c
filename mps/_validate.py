"""Argument checks shared by the public functions: clear ``TypeError``/``ValueError``."""

from __future__ import annotations

import math
import numbers

__all__ = ["check_int", "check_real"]


def check_int(value: object, name: str, *, minimum: int | None = None) -> int:
    """Return ``value`` as an ``int``; reject bools, floats and values below ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    out = int(value)
    if minimum is not None and out < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {out}")
    return out


def check_real(
    value: object,
    name: str,
    *,
    minimum: float | None = None,
    strict: bool = False,
) -> float:
    """Return ``value`` as a finite float, optionally ``>= minimum`` (``> minimum`` if strict)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    out = float(value)
    if not math.isfinite(out):
        raise ValueError(f"{name} must be finite, got {out}")
    if minimum is not None:
        if strict and not out > minimum:
            raise ValueError(f"{name} must be > {minimum}, got {out}")
        if not strict and out < minimum:
            raise ValueError(f"{name} must be >= {minimum}, got {out}")
    return out
