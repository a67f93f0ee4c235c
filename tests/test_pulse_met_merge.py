"""Pooling of Haar-transition results across runs (benchmarks/pulse_met_paper_merge.py),
and the problems a polish run continues (benchmarks/pulse_met_paper_polish.py).

References: the pooled MET of a pair is checked against the hand-written minimum over the
runs that tried it, the CDF against a direct count with numpy.searchsorted, and the polish
problems against the indexing written out by hand.
"""

from __future__ import annotations

import argparse

import numpy as np
import pytest

from benchmarks.pulse_met_paper_merge import combined_haar, ecdf_with_bands, haar_claims
from benchmarks.pulse_met_paper_polish import problems


def _set(run, n, scale, first, mets, partial=None, grid=(60.0, 30)):
    h = {"run": run, "qubits": n, "drive_scale": scale, "first_pair": first,
         "met_ns": mets, "grid": {"t_max_ns": grid[0], "points": grid[1]}}
    if partial is not None:
        h["partial_chunk"] = {"first_pair": partial[0], "met_ns": partial[1]}
    return h


def test_pairs_are_pooled_by_index_with_the_least_reached_time():
    sets = [_set("a", 4, 1.0, 0, [49.0, None, 60.0]),
            _set("b", 4, 1.0, 0, [], partial=(1, [48.0, None, 40.0])),  # pairs 1, 2, 3
            _set("c", 4, 1.0, 4, [None], grid=(49.655172, 2)),
            _set("d", 2, 8.0, 0, [10.0, 20.0]),
            {**_set("e", 4, 1.0, 0, [1.0]), "seed": 5}]  # another seed: other pairs
    pooled = {(g["qubits"], g["drive_scale"]): g for g in combined_haar(sets, boots=50)}
    four = pooled[(4, 1.0)]
    assert four["pairs"] == 5 and four["pair_indices"] == [0, 4]
    assert four["met_upper_ns"] == [49.0, 48.0, 60.0, 40.0, None]
    assert four["reached"] == 4 and four["reached_below_50ns"] == 3
    assert sorted(four["runs"]) == ["a", "b", "c"]
    c = four["cdf_lower_bound"]
    t = np.array(c["t_ns"])
    assert np.isclose(t, 49.655172).any() and np.isclose(t, 2.0689655172).any()
    met = np.sort([49.0, 48.0, 60.0, 40.0])
    assert np.allclose(c["cdf"], np.searchsorted(met, t, side="right") / 5)
    assert np.all(np.array(c["lo95"]) <= np.array(c["cdf"]) + 1e-12)
    claims = haar_claims(list(pooled.values()))
    assert claims["four_qubits_below_50ns"].startswith("consistent, not established: 3 of 5")
    assert "56.6 MHz (x8): 2 of 2 pairs reached, median 15.0 ns, max 20.0 ns" in \
        claims["drive_bound_2q"]
    assert "884 kHz (x0.125): not run" in claims["drive_bound_2q"]


def test_ecdf_band_brackets_the_cdf_and_never_counts_unreached():
    v = np.array([1.0, 2.0, np.nan, 3.0])
    out = ecdf_with_bands(v, np.array([0.5, 1.0, 2.5, 10.0]), boots=200, seed=1)
    assert out["cdf"] == [0.0, 0.25, 0.5, 0.75]
    assert np.all(np.array(out["lo95"]) <= out["cdf"]) and np.all(
        np.array(out["hi95"]) >= out["cdf"])


def test_polish_takes_a_verify_runs_grid_or_an_earlier_polish_run():
    ap = argparse.ArgumentParser()
    x = np.arange(2 * 3 * 4).reshape(2, 3, 4).tolist()  # (r, T, P)
    verify = {"case": "lih", "r_angstrom": [1.0, 2.0], "t_ns": [10.0, 11.0, 12.0], "best_x": x}
    r, t, x0 = problems(verify, "all", "0,2", ap)
    assert r.tolist() == [1.0, 2.0, 1.0, 2.0] and t.tolist() == [10.0, 10.0, 12.0, 12.0]
    assert np.array_equal(x0, np.asarray(x)[[0, 1, 0, 1], [0, 0, 2, 2]])
    polish = {"benchmark": "pulse_met_paper_polish", "r_angstrom": r.tolist(),
              "t_ns": t.tolist(), "best_x": x0.tolist()}  # a polish run extends itself
    r2, t2, x2 = problems(polish, "1,3", "0", ap)
    assert r2.tolist() == [2.0, 2.0] and t2.tolist() == [10.0, 12.0]
    assert np.array_equal(x2, x0[[1, 3]])
    for pick, tix in (("5", "0"), ("0", "x"), ("0", "3")):
        with pytest.raises(SystemExit):
            problems(verify, pick, tix, ap)
    with pytest.raises(SystemExit):
        problems(polish, "0", "1", ap)
