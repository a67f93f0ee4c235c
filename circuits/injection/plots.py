"""Plots of the injection backend: the patch on its physical qubits, the logical Bloch vector.

Figures are written atomically (:mod:`mps.atomic`), overwriting an existing file.

Example
-------
>>> import tempfile
>>> from pathlib import Path
>>> from circuits.injection.plots import plot_bloch
>>> result = {"bloch_target": [0.0, 0.0, 1.0], "bloch": [0.02, -0.01, 0.95],
...           "bloch_stderr": [0.01, 0.01, 0.01], "fidelity": 0.975, "success_rate": 0.8}
>>> path = Path(tempfile.mkdtemp()) / "bloch.png"
>>> plot_bloch(result, path, title="|0>")
>>> path.read_bytes()[1:4]  # a PNG file
b'PNG'
"""

from __future__ import annotations

import io
import os
from typing import Any

from mps.atomic import atomic_write

from .layout import Embedding

__all__ = ["plot_bloch", "plot_layout"]

_COLORS = {"data": "#2ca02c", "bridge": "#404040", "syndrome": "#d62798"}


def _save(fig, path) -> None:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120)
    plt.close(fig)
    atomic_write(path, lambda fh: fh.write(buf.getvalue()), overwrite=True)


def plot_layout(embedding: Embedding, backend: Any, path: str | os.PathLike) -> None:
    """The patch in its abstract coordinates, each qubit labelled with its physical index."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    patch = embedding.patch
    mapping = embedding.mapping()
    role = {**{q: "data" for q in patch.data}, **{q: "bridge" for q in patch.bridges},
            **{q: "syndrome" for q in patch.syndromes}}
    fig, ax = plt.subplots(figsize=(1.0 + 0.55 * (2 * patch.d + 1), 1.0 + 0.55 * (2 * patch.d + 2)))
    for a, b in patch.edges:
        (x1, y1), (x2, y2) = patch.coords(a), patch.coords(b)
        ax.plot([x1, x2], [-y1, -y2], color="#bbbbbb", lw=1, zorder=1)
    for q in patch.qubits:
        x, y = patch.coords(q)
        ax.scatter([x], [-y], s=260, color=_COLORS[role[q]], zorder=2,
                   edgecolors="gold" if q == patch.center else "none", linewidths=2.5)
        ax.text(x, -y, str(mapping[q]), ha="center", va="center", fontsize=6, color="white",
                zorder=3)
    for r, c in _COLORS.items():
        ax.scatter([], [], color=c, label=r)
    ax.legend(fontsize=7, loc="upper right")
    ax.set_title(f"d={patch.d} patch on {getattr(backend, 'name', backend)} "
                 f"(cost {embedding.cost:.3f})", fontsize=8)
    ax.set_aspect("equal")
    ax.axis("off")
    _save(fig, path)


def plot_bloch(result: dict, path: str | os.PathLike, *, title: str = "") -> None:
    """Measured (with 95 % bars) and target logical Bloch components."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.2, 3.2))
    xs = range(3)
    ax.bar([x - 0.18 for x in xs], result["bloch_target"], width=0.36, label="target",
           color="#999999")
    ax.bar([x + 0.18 for x in xs], result["bloch"], width=0.36, label="post-selected",
           color="C0", yerr=[1.96 * e for e in result["bloch_stderr"]], capsize=3)
    ax.set_xticks(list(xs), ["<X_L>", "<Y_L>", "<Z_L>"])
    ax.axhline(0, color="k", lw=0.5)
    ax.set_ylim(-1.05, 1.05)
    ax.legend(fontsize=7)
    ax.set_title(f"{title}\nF = {result['fidelity']:.4f}, success "
                 f"{result['success_rate']:.3f}", fontsize=8)
    fig.tight_layout()
    _save(fig, path)
