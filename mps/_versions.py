"""Versions of tnqc and its numerical dependencies, recorded in metadata and reports."""

from __future__ import annotations

import platform
from importlib import metadata

__all__ = ["versions"]

_PACKAGES = ("tnqc", "numpy", "scipy", "quimb", "jax", "optax", "qiskit", "stim", "sinter",
             "pymatching")


def versions() -> dict[str, str]:
    """Installed versions (``"not installed"`` where a package is missing)."""
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out
