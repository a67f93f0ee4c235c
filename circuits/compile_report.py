"""Reports of a compile job: Trotter baselines at equal depth and the plots.

``trotter_baseline`` evolves the same start with 2nd-order Trotter circuits of
``1..steps`` steps (as exact MPS, ``max_bond=256``) and records their fidelity with the
target and their CX depth; the plots are ``fidelity.png`` (history), ``z.png``
(``<Z_i>`` of target and circuit) and ``depth.png`` (fidelity against CX depth).

Example
-------
>>> import tempfile
>>> from pathlib import Path
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> from circuits.compile_report import save_png
>>> fig, ax = plt.subplots()
>>> path = Path(tempfile.mkdtemp()) / "plot.png"
>>> save_png(fig, path)
>>> plt.close(fig)
>>> path.read_bytes()[1:4]
b'PNG'
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from mps import MPS, SpinChain, evolve
from mps.atomic import atomic_write

__all__ = ["save_png", "trotter_baseline", "write_plots"]


def trotter_baseline(chain: SpinChain, psi0: MPS, target: MPS, t: float, steps: int) -> list:
    """Fidelity and two-qubit depth of 2nd-order Trotter circuits with 1..steps steps."""
    from .trotter import trotter_depth

    rows = []
    for k in range(1, steps + 1):
        st = evolve(chain, psi0, t, t / k, order=2, max_bond=256, cutoff=1e-12).state
        cost = trotter_depth(chain.n, k, order=2)
        rows.append({"steps": k, "two_qubit_depth": cost.two_qubit_depth,
                     "cx_count": cost.cx_count, "fidelity": abs(target.overlap(st)) ** 2})
    return rows


def save_png(fig, path: Path) -> None:
    """Write the matplotlib figure ``fig`` to ``path`` as a PNG (120 dpi), atomically."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120, bbox_inches="tight")
    atomic_write(path, lambda fh: fh.write(buf.getvalue()), overwrite=True)


def write_plots(out: Path, res, target: MPS, circuit_state: MPS, baseline: list,
                title: str) -> None:
    """Write ``fidelity.png``, ``z.png`` and ``depth.png`` of a compile result into ``out``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(np.arange(len(res.history)), res.history, marker=".")
    ax.set_xlabel("iteration")
    ax.set_ylabel("fidelity |<target|V|0>|^2")
    ax.set_yscale("log" if res.history.min() < 1e-2 else "linear")
    ax.set_title(title)
    save_png(fig, out / "fidelity.png")
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4))
    sites = np.arange(target.n)
    ax.plot(sites, target.expect_z(), "o-", label="target (MPS)", ms=3)
    ax.plot(sites, circuit_state.expect_z(), "x--", label="AQC circuit", ms=4)
    ax.set_xlabel("site i")
    ax.set_ylabel(r"$\langle Z_i \rangle$")
    ax.legend()
    ax.set_title(title)
    save_png(fig, out / "z.png")
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 4))
    if baseline:
        ax.plot([r["two_qubit_depth"] for r in baseline], [r["fidelity"] for r in baseline],
                "s-", label="Trotter (2nd order)")
    ax.plot([res.two_qubit_depth], [res.fidelity], "o", ms=9, label=f"AQC L={res.ansatz.layers}")
    ax.set_xlabel("two-qubit (CX) depth")
    ax.set_ylabel("fidelity with target")
    ax.legend()
    ax.set_title(title)
    save_png(fig, out / "depth.png")
    plt.close(fig)
