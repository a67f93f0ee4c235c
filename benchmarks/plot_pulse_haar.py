"""CDF plots (with 95% bootstrap bands) of the Haar-transition METs in a pulse_met_paper JSON.

Usage::

    python benchmarks/plot_pulse_haar.py benchmarks/results/pulse_met_paper.json \
        benchmarks/results/pulse_met_haar_cdf.png

One curve per Haar run (qubits x drive scale), with the abstract's claims marked: every
4-qubit transition below 50 ns, and 2-qubit transitions of about 25 ns at the x8 drive
bound (56.6 MHz in the paper's convention).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def main(src: str, dst: str) -> None:
    data = json.loads(Path(src).read_text())
    runs = list(data.get("haar", []))
    if data.get("drive_check"):
        runs.append(data["drive_check"])
    if not runs:
        raise SystemExit(f"{src} holds no Haar runs")
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for run in runs:
        c = run["cdf"]
        label = (f"{run['qubits']} qubits, IQ x{run['drive_scale']:g} "
                 f"({run['pairs']} pairs{'' if run['all_complete'] else ', partial'})")
        (line,) = ax.step(c["t_ns"], c["cdf"], where="post", label=label)
        ax.fill_between(c["t_ns"], c["lo95"], c["hi95"], step="post", alpha=0.25,
                        color=line.get_color(), lw=0)
    ax.axvline(50, color="k", ls=":", lw=1)
    ax.text(50, 0.02, " 50 ns (4-qubit claim)", fontsize=8)
    ax.set_xlabel("minimal evolution time T (ns), infidelity <= 1e-7")
    ax.set_ylabel("fraction of Haar pairs")
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(f"Haar transitions, lab-frame device ({data.get('device', '?')})", fontsize=9)
    fig.tight_layout()
    fig.savefig(dst, dpi=130)
    print(f"wrote {dst}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
