"""How much the AQC gradient stores, and how many pairs it recomputes instead.

The gradient of :mod:`aqc.objective`'s sweep is ``jax.grad`` of two scans over
pairs of sites.  Without recomputation every kernel of the scan body keeps its
input for the backward pass; with ``jax.checkpoint`` a scan step keeps only its
incoming environment and recomputes the rest.  The sweep recomputes the first
:func:`recompute_steps` steps of each half and stores the others, as few
recomputed as keep the stored residuals under :func:`remat_limit`.

Example
-------
>>> from aqc.residuals import recompute_steps, step_residual_bytes
>>> round(step_residual_bytes(16, 53, True, True, 1) / 1e9, 2)  # GB: L = 16, chi = 53, complex64
2.0
>>> recompute_steps(100, 4, 16, True, True, 1, limit=2**30)  # small enough: nothing recomputed
0
"""

from __future__ import annotations

import jax

__all__ = ["REMAT_BYTES", "recompute_steps", "remat_limit", "step_residual_bytes"]

REMAT_BYTES = 2 * 1024**3
"""Stored residuals above which the backward pass recomputes pairs (bytes, CPU)."""


def remat_limit() -> float:
    """Residual bytes above which the backward pass recomputes pairs.

    A quarter of the accelerator's memory where JAX reports it, else ``REMAT_BYTES``.
    """
    try:
        stats = jax.devices()[0].memory_stats() or {}
    except Exception:  # CPU backends may not implement memory_stats
        stats = {}
    limit = stats.get("bytes_limit")
    return 0.25 * float(limit) if limit else float(REMAT_BYTES)


def step_residual_bytes(layers: int, chi: int, single: bool, fuse: bool, group: int) -> int:
    """Bytes the backward pass keeps per scan step (one pair of each half) without recomputing.

    Every kernel of the body stores its input, at most ``4^(m+1) chi`` entries
    (``m = L // 2``): ``1 + m`` kernels fused, ``2 + m % 2 + (m - 2) // 2`` fused in
    groups of two, ``1 + 2 m`` in place.  (XLA's CPU buffer assignment at ``n = 100``,
    ``chi = 53``, complex64: 2.42 GB at ``L = 12`` and 50.2 GB at ``L = 16``, fused, against
    2.43 and 50.0 GB from this estimate.)
    """
    m = layers // 2
    if not fuse:
        kernels = 1 + 2 * m
    elif group == 2 and m >= 2:
        kernels = 2 + m % 2 + (m - 2) // 2
    else:
        kernels = 1 + m
    return 2 * kernels * 4 * 4**m * chi * (8 if single else 16)


def recompute_steps(n: int, layers: int, chi: int, single: bool, fuse: bool, group: int,
                    limit: float | None = None) -> int:
    """How many scan steps (of ``n_pad / 4``) recompute their pair in the backward pass.

    As few as keep the stored residuals of the others under ``limit`` (default
    :func:`remat_limit`).
    """
    steps = -(-n // 4)
    per_step = step_residual_bytes(layers, chi, single, fuse, group)
    stored = int((remat_limit() if limit is None else limit) // per_step)
    return max(0, steps - stored)
