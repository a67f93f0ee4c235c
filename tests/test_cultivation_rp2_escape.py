"""RP^2 end to end: cultivation, one-round growth into a rotated surface code, decoding.

Checks stim's exact determinism, stim's search for undetectable logical errors (fault
distance), the complementary-gap decoder on a short noisy run, and bad input.
"""

from __future__ import annotations

import numpy as np
import pytest
import stim

from circuits.cultivation import GapDecoder, sample, uniform_depolarizing
from circuits.cultivation.rp2_escape import (
    growth_resets,
    rotated_surface_code,
    rp2_end_to_end_circuit,
    sc_logical_y,
)
from circuits.cultivation.sampling import postselection_mask


@pytest.fixture(scope="module")
def noisy3() -> stim.Circuit:
    return rp2_end_to_end_circuit(3, 7, noise=uniform_depolarizing(1e-3))


def test_surface_code_layout():
    data, checks = rotated_surface_code(7)
    assert len(data) == 49 and len(checks) == 48
    assert sorted(len(c.support) for c in checks).count(2) == 12
    obs = sc_logical_y(7)
    index = {q: i for i, q in enumerate(data)}
    y = stim.PauliString(len(data))
    for q, p in obs.items():
        y[index[q]] = p
    for c in checks:
        ps = stim.PauliString(len(data))
        for q in c.support:
            ps[index[q]] = c.basis
        assert ps.commutes(y)
    plus, zero, bell = growth_resets(3, 7)
    assert len(plus) + len(zero) == 49 - 9 and len(bell) == 8
    assert all(c == -t for c, t in bell)


def test_noiseless_deterministic():
    c = rp2_end_to_end_circuit(3, 7)
    c.detector_error_model()  # raises on a non-deterministic detector or observable
    dets, obs = c.compile_detector_sampler(seed=1).sample(256, separate_observables=True)
    assert not dets.any() and not obs.any()
    mask = postselection_mask(c)
    assert mask.sum() > 42 and (~mask).sum() == 48 * 4  # rounds 1..3 and the readout
    # decoded detectors carry (x, y, round, basis)
    coords = c.get_detector_coordinates()
    dec = [coords[i] for i in np.nonzero(~mask)[0]]
    assert all(len(v) == 4 and v[3] in (0.0, 1.0) and v[2] >= 1 for v in dec)
    # the observable ends with the ideal Y_L readout; rounds default to d1
    assert rp2_end_to_end_circuit(3, 7, rounds=3).num_measurements == c.num_measurements


def test_fault_distance_d3(noisy3):
    errs = noisy3.search_for_undetectable_logical_errors(
        dont_explore_edges_with_degree_above=3,
        dont_explore_detection_event_sets_with_size_above=3,
        dont_explore_edges_increasing_symptom_degree=False,
        canonicalize_circuit_errors=True)
    assert len(errs) >= 3


def test_gap_decoder(noisy3):
    decoder = GapDecoder(noisy3)
    assert decoder.num_decoded == 48 * 4
    assert decoder.num_flip_edge_postselected == 0  # GSJ's rule is for their escape only
    assert decoder.num_virtual == 0
    mask = postselection_mask(noisy3)
    dets, obs = noisy3.compile_detector_sampler(seed=5).sample(100_000,
                                                              separate_observables=True)
    kept = ~dets[:, mask].any(axis=1)
    raw = obs[kept, 0].mean()
    stats = sample(noisy3, 200_000, seed=11, num_workers=1, decoder=decoder)
    assert 0.4 < stats.discard_rate < 0.75
    decoded = (stats.errors + 1) / stats.kept  # upper-ish estimate
    assert raw > 20 * decoded
    lo_gap, hi_gap = stats.with_gap_threshold(0), stats.with_gap_threshold(15)
    assert hi_gap.discard_rate > lo_gap.discard_rate
    assert hi_gap.errors < lo_gap.errors or lo_gap.errors == 0
    assert hi_gap.logical_error_rate <= lo_gap.logical_error_rate


@pytest.mark.parametrize("kwargs, name", [
    ({"d1": 4}, "d1"), ({"d1": 7}, "d1"), ({"d1": 3, "d2": 5}, "d2"),
    ({"d1": 3, "d2": 8}, "d2"), ({"d1": 5, "d2": 7}, "d2"), ({"d1": 3, "rounds": 0}, "rounds"),
])
def test_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        rp2_end_to_end_circuit(**kwargs)


def test_bad_types():
    with pytest.raises(TypeError, match="d1"):
        rp2_end_to_end_circuit("3")
    with pytest.raises(TypeError, match="noise"):
        rp2_end_to_end_circuit(3, 7, noise="uniform")
