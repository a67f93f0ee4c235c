"""RP^2 cultivation: RP-d / SRP-d codes, circuit determinism, the check, a real-T run.

References: the code parameters of Chen, Chen, Lu, Pan (2025) ([[9,1,3]], [[25,1,5]],
[[15,1,3]], [[35,1,5]]) checked by enumeration when the codes are built; stim's exact
determinism check; stim's search for undetectable logical errors (fault distance); and
the independent NumPy state-vector simulator of :mod:`circuits.cultivation.verify` with
real T gates.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import stim

from circuits.cultivation import rp2 as rp2_module
from circuits.cultivation import sample, si1000, uniform_depolarizing
from circuits.cultivation.layout import gf2_rank
from circuits.cultivation.rp2 import rp2_cultivation_circuit, rp2_t_verification_circuit
from circuits.cultivation.rp2_codes import rp_code, srp_code
from circuits.cultivation.sampling import postselection_mask
from circuits.cultivation.verify import check_deterministic, simulate_with_t


# ---------------------------------------------------------------- codes
@pytest.mark.parametrize("d", [3, 5])
def test_rp_code_parameters(d):
    code = rp_code(d)  # asserts [[d^2, 1, d]] by enumeration when built
    assert code.n == d * d
    assert len(code.x_checks) == len(code.z_checks) == (d * d + 1) // 2
    weights = sorted(len(c.support) for c in code.x_checks)
    assert weights == [2] + [4] * ((d * d - 1) // 2)
    assert len(code.logical_x) == len(code.logical_z) == d
    # all qubits (data and measurement qubits) are distinct grid points
    assert len(set(code.data) | set(code.ancillas)) == d * d + d * d + 1


def test_rp3_checks_match_the_paper():
    """Doubled coordinates of the explicit d = 3 checks of the spec (paper Fig. 2)."""
    code = rp_code(3)

    def pts(*xy):
        return frozenset(complex(2 * x, 2 * y) for x, y in xy)

    xs = {frozenset(c.support) for c in code.x_checks}
    zs = {frozenset(c.support) for c in code.z_checks}
    assert pts((-1, 1), (-1, 0), (1, -1), (1, 0)) in xs
    assert pts((-1, -1), (1, 1)) in xs
    assert pts((1, -1), (-1, 1)) in zs
    assert pts((-1, 0), (-1, -1), (1, 0), (1, 1)) in zs


@pytest.mark.parametrize("d, n, rank", [(3, 15, 7), (5, 35, 17)])
def test_srp_code_is_self_dual(d, n, rank):
    code = srp_code(d)  # asserts self-duality, k = 1 and the distance when built
    assert code.n == n and len(code.flags) == 2 * d
    assert len(code.stabilizers) == rank
    index = {q: i for i, q in enumerate(code.data)}
    h = np.zeros((rank, n), dtype=np.uint8)
    for r, s in enumerate(code.stabilizers):
        h[r, [index[q] for q in s]] = 1
    assert gf2_rank(h) == rank and n - 2 * rank == 1
    assert not ((h.astype(int) @ h.T) % 2).any()  # self-orthogonal: H_X = H_Z commute
    assert all(len(s) % 2 == 0 for s in code.stabilizers)
    # the T-dagger set makes H_XY-type products logical: |g & B| = |g| / 2 (mod 2)
    b = set(code.t_dagger_set)
    assert all(len(set(s) & b) % 2 == (len(s) // 2) % 2 for s in code.stabilizers)


def test_bad_distances():
    with pytest.raises(ValueError):
        rp2_cultivation_circuit(7)
    with pytest.raises(ValueError):
        rp2_cultivation_circuit(4)
    with pytest.raises(TypeError):
        rp2_cultivation_circuit(3.0)
    with pytest.raises(TypeError):
        rp2_cultivation_circuit(True)
    with pytest.raises(TypeError):
        rp2_cultivation_circuit(3, noise="uniform")
    with pytest.raises(ValueError):
        rp_code(4)
    with pytest.raises(ValueError):
        srp_code(7)


# ---------------------------------------------------------------- determinism
@pytest.mark.parametrize("d", [3, 5])
def test_noiseless_circuits_are_deterministic(d):
    circuit = rp2_cultivation_circuit(d)
    check_deterministic(circuit, shots=256)
    assert circuit.num_observables == 1 and circuit.num_detectors > 0
    assert postselection_mask(circuit).all()
    # the observable is the ideal Y_L readout, the last measurement
    last = [ins for ins in circuit if ins.name == "MPP"][-1]
    assert last.tag == "ideal"
    assert {t.is_y_target for t in last.targets_copy() if not t.is_combiner} == {True, False}
    for model in (uniform_depolarizing(1e-3), si1000(1e-3)):
        noisy = rp2_cultivation_circuit(d, noise=model)
        noisy.detector_error_model()
        assert noisy.num_detectors == circuit.num_detectors
        assert noisy.without_noise() == circuit


@pytest.mark.parametrize("d, qubits", [(3, 25), (5, 61)])
def test_circuit_sizes_and_fault_distance(d, qubits):
    circuit = rp2_cultivation_circuit(d)
    assert circuit.num_qubits == qubits
    noisy = uniform_depolarizing(1e-3).apply(circuit)
    errors = noisy.search_for_undetectable_logical_errors(
        dont_explore_detection_event_sets_with_size_above=4,
        dont_explore_edges_with_degree_above=4,
        dont_explore_edges_increasing_symptom_degree=False,
        canonicalize_circuit_errors=True)
    assert len(errors) == d  # every fault set of fewer than d faults is detected


def _drop_injected_t(circuit: stim.Circuit) -> stim.Circuit:
    out = stim.Circuit()
    dropped = False
    for ins in circuit:
        if not dropped and ins.name == "S" and ins.tag == "T" and len(ins.targets_copy()) == 1:
            dropped = True
            continue
        out.append(ins)
    assert dropped
    return out


def test_check_measures_the_logical():
    """Control: without the injected S[T] the state is |+>_L and the Y_L check is random."""
    circuit = _drop_injected_t(rp2_cultivation_circuit(3))
    dets = circuit.compile_detector_sampler(seed=3).sample(2000)
    rates = dets.mean(axis=0)
    assert rates.max() > 0.4  # some detector fires in about half the shots
    coords = circuit.get_detector_coordinates()
    fired = [k for k, r in enumerate(rates) if r > 0.4]
    # the first detector that fires is the check's MX of the centre qubit (0, 0)
    assert coords[fired[0]][:2] == [0.0, 0.0]


# ---------------------------------------------------------------- real T gates
def test_t_verification_with_real_t_gates():
    circuit = rp2_t_verification_circuit()
    assert circuit.num_qubits <= 20
    check_deterministic(circuit)
    sim = simulate_with_t(circuit, shots=2, seed=5)
    assert not sim.detector_parities.any()  # the check passes on the true T state
    np.testing.assert_allclose(sim.logical_hxy, 1.0, atol=1e-9)  # T|+>_L after the check
    proxy = simulate_with_t(circuit, shots=1, seed=5, t_gates=False)
    assert not proxy.detector_parities.any()
    np.testing.assert_allclose(proxy.logical_hxy, 1.0, atol=1e-9)  # <Y> = +1 in the proxy


def test_uniform_t_pattern_is_not_a_logical_check(monkeypatch):
    """Control: T-dagger on every qubit (no B set) does not give a deterministic check."""
    original = srp_code(3)
    monkeypatch.setattr(rp2_module, "srp_code",
                        lambda d: dataclasses.replace(original, t_dagger_set=()))
    circuit = rp2_module.rp2_t_verification_circuit()
    sim = simulate_with_t(circuit, shots=4, seed=2)
    assert sim.detector_parities.any() or not np.allclose(sim.logical_hxy, 1.0)


# ---------------------------------------------------------------- sampling
def test_sampling_d3_runs():
    stats = sample(rp2_cultivation_circuit(3, noise=uniform_depolarizing(1e-3)), 20_000,
                   seed=1, num_workers=1)
    assert 0.38 < stats.discard_rate < 0.52
    assert stats.errors <= 2
