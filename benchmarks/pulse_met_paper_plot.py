"""CDF plots of the Haar-transition METs of ``benchmarks/pulse_met_paper.py`` (with bands).

Usage::

    python benchmarks/pulse_met_paper_plot.py RESULTS.json [MORE.json ...] --out haar.png

A Haar file written by ``pulse_met_paper_merge.py --haar-out`` is drawn as its pooled sets:
per qubit number and IQ bound, every pair's least reached time over all runs, a lower bound
on the CDF of the MET, with its 95% bootstrap band.  Otherwise every Haar set
(and the drive check) of the given result files is drawn as its empirical CDF of the MET
with the 95% bootstrap band stored in the JSON, labelled with the qubit number, the IQ
bound (the paper's convention: x1 = 7.07 MHz) and the number of pairs; a set whose only
chunk was cut by its budget is drawn dashed as the CDF of its METs' upper bounds.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def haar_sets(paths: list[str]) -> list[dict]:
    sets = []
    for p in paths:
        doc = json.loads(Path(p).read_text())
        runs = doc.get("runs", [doc])  # a merged results file or one run
        for run in runs:
            sets += [h for h in run.get("haar", [])
                     if "cdf" in h or h.get("partial_chunk")]
    return sets


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="+")
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    docs = [json.loads(Path(p).read_text()) for p in args.results]
    pooled = [g for d in docs for g in d.get("pooled", [])]
    sets = [] if pooled else haar_sets(args.results)
    if not sets and not pooled:
        raise SystemExit("no Haar sets with a CDF in the given files")
    fig, ax = plt.subplots(figsize=(6.4, 5.6))
    for g in pooled:
        c = g["cdf_lower_bound"]
        line, = ax.step(c["t_ns"], c["cdf"], where="post",
                        label=f"{g['qubits']} qubits, IQ {7.0711 * g['drive_scale']:.3g} MHz "
                              f"(x{g['drive_scale']:g}): {g['reached']} of {g['pairs']} "
                              "pairs reached")
        ax.fill_between(c["t_ns"], c["lo95"], c["hi95"], step="post", alpha=0.25,
                        color=line.get_color())
    for h in sets:
        if "cdf" not in h:  # only a chunk cut by the budget: its METs are upper bounds
            import numpy as np

            v = np.array([np.inf if m is None else m for m in h["partial_chunk"]["met_ns"]])
            t = np.linspace(0.0, h["grid"]["t_max_ns"], h["grid"]["points"])
            ax.step(t, (v[None, :] <= t[:, None]).mean(1), where="post", ls="--",
                    label=f"{h['qubits']} qubits, IQ {7.0711 * h['drive_scale']:.3g} MHz, "
                          f"{v.size} pairs: upper bounds (search cut by the budget)")
            continue
        c = h["cdf"]
        label = (f"{h['qubits']} qubits, IQ {7.0711 * h['drive_scale']:.3g} MHz "
                 f"(x{h['drive_scale']:g}), {h['pairs']} pairs"
                 + ("" if h.get("all_complete") else " (incomplete)"))
        line, = ax.step(c["t_ns"], c["cdf"], where="post", label=label)
        ax.fill_between(c["t_ns"], c["lo95"], c["hi95"], step="post", alpha=0.25,
                        color=line.get_color())
    ax.axvline(50.0, color="grey", ls=":", lw=1)  # the abstract: 4 qubits all below 50 ns
    ax.axvline(25.0, color="grey", ls="--", lw=0.8)  # 2 qubits at 56.6 MHz: about 25 ns
    ax.axvline(1000.0, color="grey", ls="--", lw=0.8)  # 2 qubits at 884 kHz: about 1000 ns
    ax.set_xscale("log")
    ax.set_xlabel("MET (ns), infidelity <= 1e-7")
    ax.set_ylabel("fraction of Haar pairs" + (" reached by T (lower bound on the CDF)"
                                              if pooled else ""))
    ax.set_title("Haar-random transitions (lab-frame device of Long et al. 2024)")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(0.0, -0.14))
    fig.tight_layout()
    fig.savefig(args.out, dpi=130)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
