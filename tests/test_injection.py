"""Magic-state injection on heavy-hex (circuits.injection): layout, circuits, state vector, ISA.

Independent references: brute-force enumeration of the d = 3 code, stim's tableau for the
scheduler, qiskit-aer (exact MPS / state vector) for the injected logical state with real
rotations, FakeFez's coupling map and target for the ISA circuits, dense density matrices
for the tomography decomposition.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import stim

from circuits.cultivation.noise import uniform_depolarizing
from circuits.cultivation.verify import check_deterministic
from circuits.injection import (
    H_STATE,
    T_STATE,
    bloch_vector,
    code_parameters,
    embed,
    heavy_hex_coupling,
    heavy_hex_patch,
    injection_circuit,
    memory_circuit,
    state_angles,
    tomography_circuit,
)
from circuits.injection.schedule import schedule
from circuits.injection.thresholds import Point, check_p, crossing
from circuits.injection.tomography import BasisCounts, combine, decomposition_weights
from tests.conftest import PAULI

RANDOM_STATES = [(0.3, 1.1), (2.2, 4.0), (1.3, 5.9)]


@pytest.fixture(scope="module")
def fez():
    from qiskit_ibm_runtime.fake_provider import FakeFez

    return FakeFez()


@pytest.mark.parametrize("d", [3, 5, 7])
def test_patch_counts_match_the_papers_table(d):
    p = heavy_hex_patch(d)
    assert len(p.data) == d * d + d - 1
    assert len(p.qubits) == round(2.5 * d * d + 2 * d - 3.5)
    assert len(p.bridges) == d * d - 1
    assert len(p.syndromes) == (d - 1) * (d + 3) // 2
    assert code_parameters(p) == {"n": d * d + d - 1, "k": 1, "d_x": d, "d_z": d}


def test_d3_code_distance_by_enumeration():
    """Minimum weight of an undetectable logical X / Z error, over all 2^11 error sets."""
    p = heavy_hex_patch(3)
    stabs = p.stabilizers()
    for other in ("Z", "X"):
        checks = [set(s) for b, s in stabs if b == other]
        logical = set(p.logical(other))
        best = None
        for w in range(1, len(p.data) + 1):
            for support in itertools.combinations(p.data, w):
                s = set(support)
                if all(len(s & c) % 2 == 0 for c in checks) and len(s & logical) % 2:
                    best = w
                    break
            if best:
                break
        assert best == 3


def test_heavy_hex_coupling_is_fez(fez):
    edges = {tuple(sorted(e)) for e in fez.coupling_map.get_edges()}
    assert {tuple(sorted(e)) for e in heavy_hex_coupling(8)} == edges


@pytest.mark.parametrize("d", [3, 5])
def test_every_two_qubit_gate_is_on_a_coupler_of_fez(d, fez):
    from circuits.injection.hardware import find_patch

    emb = find_patch(fez, d)
    phys = emb.physical
    coupled = {tuple(sorted(e)) for e in fez.coupling_map.get_edges()}
    patch_edges = {tuple(sorted((emb.patch.index[a], emb.patch.index[b])))
                   for a, b in emb.patch.edges}
    for basis in "ZX":
        for ins in memory_circuit(d, basis, rounds=2).flattened():
            if ins.name == "CX":
                t = [x.value for x in ins.targets_copy()]
                for a, b in zip(t[::2], t[1::2], strict=True):
                    assert tuple(sorted((a, b))) in patch_edges
                    assert tuple(sorted((phys[a], phys[b]))) in coupled
    assert len(set(phys)) == len(phys)
    # FakeFez reports two broken couplers that every d = 5 placement needs
    assert emb.broken_pairs == (0 if d == 3 else 2)


def test_d7_does_not_fit_fez_but_fits_a_larger_lattice(fez):
    from circuits.injection.hardware import find_patch

    with pytest.raises(ValueError, match="no heavy-hex patch for d = 7"):
        find_patch(fez, 7)
    emb = embed(heavy_hex_patch(7), heavy_hex_coupling(9), max_candidates=5)
    assert len(set(emb.physical)) == 133


def test_embedding_prefers_low_error():
    coupling = heavy_hex_coupling(5)
    patch = heavy_hex_patch(3)
    first = embed(patch, coupling)
    bad = {tuple(sorted(e)): 0.5 for e in coupling if first.physical[0] in e}
    second = embed(patch, coupling, edge_error=bad)
    assert second.cost < 1e-12 and first.physical[0] not in second.physical[:len(patch.data)]


@pytest.mark.parametrize("d", [3, 5])
@pytest.mark.parametrize("basis", ["Z", "X"])
def test_memory_detectors_and_observable_are_deterministic(d, basis):
    c = memory_circuit(d, basis, rounds=3)
    check_deterministic(c)
    assert c.num_observables == 1
    noisy = uniform_depolarizing(1e-3).apply(c)
    # Z memory keeps the full distance; X memory loses about half to the folds' hooks
    dist = len(noisy.shortest_graphlike_error())
    assert dist == (d if basis == "Z" else (d + 1) // 2)


@pytest.mark.parametrize("state", ["0", "1", "+", "-", "+i", "-i", "T", "H", (0.4, 2.0)])
def test_injection_and_tomography_circuits_are_deterministic(state):
    check_deterministic(injection_circuit(3, state, rounds=2))
    for b in "XYZ":
        tc = tomography_circuit(3, state, b, rounds=2)
        check_deterministic(tc.circuit)
        assert any(ins.tag == "boundary" for ins in tc.circuit if ins.name == "DETECTOR")


@pytest.mark.parametrize(("state", "basis", "sign"),
                         [("0", "Z", 1), ("1", "Z", -1), ("+", "X", 1), ("-", "X", -1),
                          ("+i", "Y", 1), ("-i", "Y", -1)])
def test_clifford_injection_reads_out_its_eigenvalue_in_stim(state, basis, sign):
    tc = tomography_circuit(3, state, basis)
    bits = tc.circuit.compile_sampler(seed=3).sample(50)
    value = np.bitwise_xor.reduce(bits[:, list(tc.logical)], axis=1)
    assert np.all(value == (0 if sign > 0 else 1))


@pytest.mark.parametrize("state", ["T", "H", *RANDOM_STATES])
def test_injected_logical_state_with_real_rotations(state):
    """Acceptance 1: qiskit-aer, exact MPS, real R_Y / R_Z: logical fidelity 1 to 1e-9."""
    pytest.importorskip("qiskit_aer")
    from circuits.injection.hardware import logical_expectations

    tc = tomography_circuit(3, state, "Z", rounds=2)
    r = logical_expectations(tc, seed=5)
    target = bloch_vector(*state_angles(state))
    fid = 0.5 * (1 + float(np.dot(r["bloch"], target)))
    assert abs(1 - fid) < 1e-9
    assert np.allclose(r["stabilizers"], 1, atol=1e-9)
    assert not any(r["detectors"])


@pytest.mark.slow
def test_injected_t_state_full_state_vector():
    """The same on Aer's 2^25 state vector (about 3 minutes)."""
    pytest.importorskip("qiskit_aer")
    from circuits.injection.hardware import logical_expectations

    r = logical_expectations(tomography_circuit(3, "T", "Z"), method="statevector")
    assert abs(1 - 0.5 * (1 + np.dot(r["bloch"], bloch_vector(*T_STATE)))) < 1e-9


def test_isa_circuits_on_fez_and_their_noiseless_fidelity(fez):
    """Acceptance 2: basis gates on coupled pairs only; noiseless ISA run gives F = 1."""
    pytest.importorskip("qiskit_aer")
    from qiskit_aer import AerSimulator

    from circuits.injection.hardware import (
        check_isa,
        counts_to_bits,
        find_patch,
        isa_circuits,
        logical_expectations,
    )
    from circuits.injection.tomography import basis_counts

    emb = find_patch(fez, 3)
    r = logical_expectations(tomography_circuit(3, "T", "Z"), backend=fez, embedding=emb)
    assert abs(1 - 0.5 * (1 + np.dot(r["bloch"], bloch_vector(*T_STATE)))) < 1e-9
    assert np.allclose(r["stabilizers"], 1, atol=1e-9)
    tcs = [tomography_circuit(3, "+i", b) for b in "XYZ"]
    isa = isa_circuits(tcs, fez, emb)
    basis_gates = set(fez.operation_names)
    for c, tc in zip(isa, tcs, strict=True):
        ops = check_isa(c, fez)
        assert set(ops) <= basis_gates | {"barrier"}
        res = AerSimulator(method="matrix_product_state", seed_simulator=1).run(
            c, shots=16).result().get_counts()
        bits, mult = counts_to_bits(res, c.num_clbits)
        counts = basis_counts(tc, bits, mult)
        assert counts.kept == 16
        if tc.basis == "Y":
            assert counts.plus == 16


def test_check_isa_rejects_uncoupled_gates(fez):
    from qiskit import QuantumCircuit

    from circuits.injection.hardware import check_isa

    qc = QuantumCircuit(fez.num_qubits)
    qc.cz(0, 5)
    with pytest.raises(ValueError, match="not in"):
        check_isa(qc, fez)


def test_scheduler_keeps_the_unitary():
    rng = np.random.default_rng(0)
    ops = []
    for _ in range(60):
        if rng.random() < 0.5:
            a, b = rng.choice(6, 2, replace=False)
            ops.append(("CX", (int(a), int(b)), ""))
        else:
            ops.append((str(rng.choice(["H", "S", "SQRT_Y"])), (int(rng.integers(6)),), ""))
    sequential = stim.Circuit()
    for name, qs, _ in ops:
        sequential.append(name, list(qs))
        sequential.append("TICK")
    scheduled, _ = schedule(ops)
    assert scheduled.to_tableau() == sequential.to_tableau()
    assert scheduled.num_ticks < len(ops) - 1
    for moment in str(scheduled).split("TICK"):
        qubits = [int(t) for line in moment.strip().splitlines() for t in line.split()[1:]]
        assert len(qubits) == len(set(qubits))


def test_decomposition_reconstructs_the_density_matrix():
    basis_states = {"0": np.array([1, 0]), "1": np.array([0, 1]),
                    "+": np.array([1, 1]) / math.sqrt(2), "+i": np.array([1, 1j]) / math.sqrt(2)}
    for theta, phi in [T_STATE, H_STATE, *RANDOM_STATES]:
        x, y, z = bloch_vector(theta, phi)
        rho = 0.5 * (PAULI["I"] + x * PAULI["X"] + y * PAULI["Y"] + z * PAULI["Z"])
        psi = np.array([math.cos(theta / 2), np.exp(1j * phi) * math.sin(theta / 2)])
        assert np.allclose(rho, np.outer(psi, psi.conj()))
        w = decomposition_weights(theta, phi)
        mix = sum(w[k] * np.outer(v, v.conj()) for k, v in basis_states.items())
        assert np.allclose(mix, rho, atol=1e-12)


def test_combine_gives_the_exact_fidelity_from_exact_probabilities():
    # a depolarised logical qubit with Bloch shrink 0.8 and keep probability 0.5
    n = 10**8
    counts = {}
    shrink, keep = 0.8, 0.5
    for b, axis in zip("XYZ", range(3), strict=True):
        counts[b] = {}
        for lab, (th, ph) in {"0": (0, 0), "1": (math.pi, 0), "+": (math.pi / 2, 0),
                              "+i": (math.pi / 2, math.pi / 2)}.items():
            e = shrink * bloch_vector(th, ph)[axis]
            counts[b][lab] = BasisCounts(n, round(n * keep * (1 + e) / 2),
                                         round(n * keep * (1 - e) / 2))
    r = combine(counts, *T_STATE)
    assert r["fidelity"] == pytest.approx(0.5 * (1 + shrink), abs=1e-6)
    assert r["success_rate"] == pytest.approx(keep, abs=1e-6)


def test_crossing_of_two_power_laws():
    # p_L = A (p/p_th)^k with k = 2 and 3 cross at p_th = 3e-3
    ps = [1e-3, 2e-3, 4e-3, 6e-3]
    pts = []
    for d, k in ((3, 2), (5, 3)):
        for p in ps:
            rate = 0.05 * (p / 3e-3) ** k
            pts.append(Point("heavy_hex", "uniform", "Z", d, p, 10**7, round(rate * 10**7)))
    res = crossing(pts, 3, 5, boot=50)
    assert res["estimate"] == pytest.approx(3e-3, rel=0.02)
    assert res["ci95"][0] <= res["estimate"] <= res["ci95"][1]


@pytest.mark.parametrize("bad", [-0.1, 0.5, float("nan"), float("inf")])
def test_bad_p_and_angles(bad):
    with pytest.raises(ValueError, match="p must be in"):
        check_p(bad)
    with pytest.raises(ValueError, match="theta must be finite"):
        state_angles((float("inf"), 0.0))
    with pytest.raises(ValueError, match="phi must be finite"):
        state_angles((0.0, float("nan")))


def test_bad_distance_and_state():
    with pytest.raises(ValueError, match=r"d must be one of \(3, 5, 7\)"):
        heavy_hex_patch(4)
    with pytest.raises(TypeError, match="d must be an integer"):
        heavy_hex_patch(3.0)
    with pytest.raises(ValueError, match="state must be one of"):
        state_angles("Q")
    with pytest.raises(ValueError, match="rounds must be >= 1"):
        injection_circuit(3, "T", rounds=0)


def test_backend_pauli_noise_uses_the_calibration(fez):
    from circuits.injection.backend_noise import backend_error_rates, backend_pauli_noise
    from circuits.injection.hardware import find_patch

    emb = find_patch(fez, 3)
    tc = tomography_circuit(3, "+", "X")
    noisy = backend_pauli_noise(tc.circuit, fez, emb)
    rates = backend_error_rates(fez)
    ins = next(i for i in noisy.flattened() if i.name == "DEPOLARIZE2")
    a, b = (emb.physical[t.value] for t in ins.targets_copy())
    assert ins.gate_args_copy()[0] == pytest.approx(rates["cz"][(min(a, b), max(a, b))])
    assert noisy.num_detectors == tc.circuit.num_detectors
    bits = noisy.compile_sampler(seed=1).sample(2000)
    from circuits.injection.tomography import basis_counts

    c = basis_counts(tc, bits.astype(np.uint8))
    assert 0.3 < c.kept / c.shots < 1.0 and c.plus > 0.8 * c.kept


def test_idle_decoherence_follows_t1_t2(fez):
    from circuits.injection.backend_noise import _idle_channel, backend_pauli_noise
    from circuits.injection.hardware import find_patch

    # Pauli twirl of amplitude + phase damping: <X> decays as exp(-t/T2), <Z> flips as T1
    px, py, pz = _idle_channel(1e-6, 100e-6, 80e-6)
    assert 1 - 2 * (py + pz) == pytest.approx(math.exp(-1e-6 / 80e-6), rel=1e-12)
    assert 1 - 2 * (px + py) == pytest.approx(math.exp(-1e-6 / 100e-6), rel=1e-12)
    emb = find_patch(fez, 3)
    tc = tomography_circuit(3, "0", "Z")
    plain = backend_pauli_noise(tc.circuit, fez, emb)
    idle = backend_pauli_noise(tc.circuit, fez, emb, idle=True)
    assert "PAULI_CHANNEL_1" in str(idle) and "PAULI_CHANNEL_1" not in str(plain)
    from circuits.injection.tomography import basis_counts

    keep = [basis_counts(tc, c.compile_sampler(seed=2).sample(4000).astype(np.uint8)).kept
            for c in (plain, idle)]
    assert keep[1] < keep[0]
