"""Magic-state cultivation: codes, noiseless determinism, T-state checks, noise, sampling.

References: the codes' parameters by enumeration; stim's exact determinism check; an
independent NumPy state-vector run and qiskit's BasicSimulator with real T gates; noise
probabilities computed by hand; and the published counts of Gidney, Shutty, Jones (2024)
(``assets/stats.csv`` of their repository, ``inject[unitary]+cultivate``, uniform noise).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import stim
from typer.testing import CliRunner

from circuits.cli import app
from circuits.cultivation import (
    color_code,
    cultivation_circuit,
    injection_circuit,
    noise_model,
    postselection_mask,
    sample,
    si1000,
    uniform_depolarizing,
)
from circuits.cultivation.export import (
    plot_error_vs_discard,
    to_qasm3,
    to_qiskit,
    write_dem,
    write_stim,
)
from circuits.cultivation.verify import check_deterministic, simulate_with_t

runner = CliRunner()


# ---------------------------------------------------------------- codes
@pytest.mark.parametrize("d, n, weights", [(3, 7, [4, 4, 4]), (5, 19, [4] * 6 + [6] * 3)])
def test_color_code_parameters(d, n, weights):
    code = color_code(d)  # asserts [[n, 1, d]] by enumeration when built
    assert code.n == n == (3 * d * d + 1) // 4
    assert sorted(len(p) for p in code.plaquettes) == sorted(weights)
    assert len(code.top_logical) == d
    # the d = 3 code is the corner of the d = 5 code, with the same coordinates
    if d == 5:
        small = color_code(3)
        assert set(small.data) <= set(code.data)


def test_color_code_d3_is_the_steane_code():
    h = color_code(3).check_matrix()
    # the Steane code's checks: every nonzero codeword of the dual has weight 4
    words = {tuple((np.array(c) @ h) % 2) for c in np.ndindex(2, 2, 2)}
    assert sorted(sum(w) for w in words) == [0, 4, 4, 4, 4, 4, 4, 4]


# ---------------------------------------------------------------- determinism
CIRCUITS = {
    "injection": injection_circuit,
    "cultivation_d3": lambda: cultivation_circuit(3),
    "cultivation_d5": lambda: cultivation_circuit(5),
}


@pytest.mark.parametrize("name", sorted(CIRCUITS))
def test_noiseless_circuits_are_deterministic(name):
    circuit = CIRCUITS[name]()
    check_deterministic(circuit, shots=256)  # stim's exact check + a noiseless sample
    assert circuit.num_observables == 1 and circuit.num_detectors > 0
    assert postselection_mask(circuit).all()
    for model in (uniform_depolarizing(1e-3), si1000(1e-3)):
        noisy = model.apply(circuit)
        noisy.detector_error_model()  # every detector still well defined
        assert noisy.num_detectors == circuit.num_detectors
        assert noisy.without_noise() == circuit


def test_circuit_sizes_match_gsj():
    # qubits and measurement layers as reported for inject[unitary]+cultivate (q, r)
    from circuits.cultivation import measurement_layers

    assert (cultivation_circuit(3).num_qubits, measurement_layers(cultivation_circuit(3))) == \
        (15, 4)
    assert (cultivation_circuit(5).num_qubits, measurement_layers(cultivation_circuit(5))) == \
        (42, 10)


# ---------------------------------------------------------------- the T state
def _replace_injection(circuit: stim.Circuit, gate: str | None) -> stim.Circuit:
    """Replace the injection's single-qubit S_DAG[T_DAG] by ``gate`` (None: drop it)."""
    out = stim.Circuit()
    done = False
    for ins in circuit:
        if not done and ins.name == "S_DAG" and len(ins.targets_copy()) == 1:
            done = True
            if gate is not None:
                out.append(stim.CircuitInstruction(gate, ins.targets_copy(), tag="T"))
            continue
        out.append(ins)
    assert done
    return out


def test_injection_prepares_the_t_state():
    """State vector with real T gates: the injected data are the +1 eigenstate of the
    logical H_XY = T X T^dagger (i.e. T|+>_L) in the code space."""
    res = simulate_with_t(injection_circuit(), shots=3, seed=4)
    assert not res.detector_parities.any()
    np.testing.assert_allclose(res.logical_hxy, 1.0, atol=1e-12)
    np.testing.assert_allclose(res.stabilizers, 1.0, atol=1e-12)
    # control: without the injected rotation the state is |+>_L, <H_XY> = 1/sqrt(2)
    plain = _replace_injection(injection_circuit(), None)
    res = simulate_with_t(plain, shots=2, seed=4)
    np.testing.assert_allclose(res.logical_hxy, 1 / math.sqrt(2), atol=1e-12)


def test_cultivation_checks_are_deterministic_on_the_true_t_state():
    circuit = cultivation_circuit(3)
    res = simulate_with_t(circuit, shots=40, seed=11)
    assert res.detector_parities.shape[1] == 14 and not res.detector_parities.any()
    np.testing.assert_allclose(res.logical_hxy, 1.0, atol=1e-12)
    # control: injecting T instead of T^dagger leaves <H_XY> = 0 before the check, so the
    # double check fires in about half of the shots
    wrong = _replace_injection(circuit, "S")
    res = simulate_with_t(wrong, shots=40, seed=11)
    assert 5 < res.detector_parities.any(axis=1).sum() < 35


def test_qiskit_export_with_t_gates_passes_all_checks():
    """qiskit's BasicSimulator (independent of stim and of our simulator) on the exported
    circuit with real T gates: no detector fires and the H_XY readout is always +1."""
    from qiskit.providers.basic_provider import BasicSimulator

    circuit = cultivation_circuit(3)
    qc = to_qiskit(circuit, t_gates=True)
    assert qc.count_ops()["t"] == 14 and qc.count_ops()["tdg"] == 15
    memory = BasicSimulator().run(qc, shots=16, memory=True, seed_simulator=5).result()
    records = [[int(b) for b in s[::-1]] for s in memory.get_memory()]
    dets, obs = circuit.compile_m2d_converter().convert(
        measurements=np.array(records, dtype=bool), separate_observables=True)
    assert not dets.any() and not obs.any()


# ---------------------------------------------------------------- noise models
def _fire_probability(circuit: stim.Circuit) -> float:
    """Exact probability that detector 0 fires: combine its independent mechanisms."""
    q = 0.0
    for inst in circuit.detector_error_model().flattened():
        if inst.type == "error":
            p = inst.args_copy()[0]
            q = q * (1 - p) + (1 - q) * p
    return q


@pytest.mark.parametrize("model, expected", [
    (uniform_depolarizing(0.01), 0.01 * 0.99 * 2),
    (si1000(0.01), 0.02 * 0.95 + 0.05 * 0.98),
])
def test_noise_model_reset_and_measurement_flips(model, expected):
    circuit = stim.Circuit("R 0\nTICK\nM 0\nDETECTOR rec[-1]")
    assert _fire_probability(model.apply(circuit)) == pytest.approx(expected, rel=1e-12)


def test_noise_model_idle_gates_and_ideal_tag():
    circuit = stim.Circuit("R 0 1\nTICK\nH 0\nTICK\nCX 0 1\nTICK\nMPP[ideal] X0*X1\nTICK")
    noisy = uniform_depolarizing(0.001).apply(circuit)
    text = str(noisy)
    assert "H 0\nDEPOLARIZE1(0.001) 0 1\n" in text  # gate noise on 0, idle noise on 1
    assert "DEPOLARIZE2(0.001) 0 1" in text
    assert "MPP[ideal] X0*X1" in text and "MPP[ideal](" not in text
    assert "H 0\nDEPOLARIZE1(0.0001) 0 1\n" in str(si1000(0.001).apply(circuit))


def test_noise_model_rejects_noisy_input():
    with pytest.raises(ValueError, match="noiseless"):
        uniform_depolarizing(1e-3).apply(stim.Circuit("X_ERROR(0.1) 0"))


# ---------------------------------------------------------------- sampling vs GSJ
def _z(ours: float, n: int, ref: float) -> float:
    return (ours - ref) / math.sqrt(ref * (1 - ref) / n)


@pytest.mark.parametrize("d, p, gsj_discard", [
    (3, 1e-3, 1371081100 / 4377310754),
    (3, 2e-3, 392699580 / 744115473),
    (5, 1e-3, 856037097464 / 1000000000000),
])
def test_discard_rate_matches_gsj(d, p, gsj_discard):
    stats = sample(cultivation_circuit(d, noise=uniform_depolarizing(p)), 600_000, seed=d)
    assert abs(_z(stats.discard_rate, stats.shots, gsj_discard)) < 4


def test_logical_error_rate_matches_gsj_at_p_1e_2():
    # GSJ vec_intercept_s (exact simulation of the S proxy), p = 1e-2: 1001 errors in
    # 60296074 - 58794252 kept shots
    ref = 1001 / (60296074 - 58794252)
    stats = sample(cultivation_circuit(3, noise=uniform_depolarizing(1e-2)), 4_000_000,
                   seed=3, num_workers=2)
    assert abs(_z(stats.discard_rate, stats.shots, 58794252 / 60296074)) < 4
    sigma = math.sqrt(ref / stats.kept + ref / 1502000)
    assert stats.errors > 30
    assert abs(stats.logical_error_rate - ref) < 4 * sigma
    low, high = stats.confidence_interval()
    assert low < stats.logical_error_rate < high


def test_sampling_is_reproducible_and_resumable():
    circuit = cultivation_circuit(3, noise=uniform_depolarizing(3e-3))
    shots = 2 * (1 << 22) + 100_000  # three seeded chunks
    states: list[dict] = []
    one = sample(circuit, shots, seed=9, checkpoint=states.append)
    two = sample(circuit, shots, seed=9, num_workers=2)
    assert len(states) == 3 and states[0]["full"]["shots"] == 1 << 22
    resumed = sample(circuit, shots, seed=9, resume=json.loads(json.dumps(states[0])))
    assert (one.discards, one.errors) == (two.discards, two.errors)
    assert (one.shots, one.discards, one.errors) == \
        (resumed.shots, resumed.discards, resumed.errors)
    other = sample(circuit, 700_000, seed=10)
    assert other.discards != one.discards
    assert one.expected_qubit_rounds == pytest.approx(15 * 4 / (1 - one.discard_rate))


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("call, exc, match", [
    (lambda: cultivation_circuit(4), ValueError, "d must be one of"),
    (lambda: cultivation_circuit(7), ValueError, "d must be one of"),
    (lambda: cultivation_circuit(3.0), TypeError, "d must be an int"),
    (lambda: uniform_depolarizing(0.5), ValueError, r"p must be in \[0, 0.5\)"),
    (lambda: uniform_depolarizing(-1e-3), ValueError, r"p must be in \[0, 0.5\)"),
    (lambda: uniform_depolarizing(float("nan")), ValueError, "p must be in"),
    (lambda: si1000(0.2), ValueError, "below 0.1"),
    (lambda: noise_model("pauli", 1e-3), ValueError, "noise must be one of"),
    (lambda: sample(cultivation_circuit(3), 0), ValueError, "shots must be >= 1"),
    (lambda: sample(cultivation_circuit(3), 10, resume={"x": 1}), ValueError, "resume"),
    (lambda: color_code(9), ValueError, "distance must be one of"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ---------------------------------------------------------------- export and CLI
def test_export_round_trips(tmp_path):
    noisy = cultivation_circuit(3, noise=uniform_depolarizing(1e-3))
    path = write_stim(tmp_path / "c.stim", noisy)
    assert stim.Circuit(path.read_text()) == stim.Circuit(str(noisy))  # same after parsing
    with pytest.raises(FileExistsError):
        write_stim(tmp_path / "c.stim", noisy)
    dem = write_dem(tmp_path / "c.dem", noisy)
    assert stim.DetectorErrorModel(dem.read_text()) == noisy.detector_error_model()
    text = to_qasm3(noisy)
    assert text.startswith("OPENQASM 3.0;") and "dets[19]" in text
    stats = sample(noisy, 50_000, seed=1)
    png = plot_error_vs_discard([("d=3", stats)], tmp_path / "plot.png")
    assert png.stat().st_size > 1000


def test_cli_cultivate_writes_outputs_and_resumes(tmp_path):
    out = tmp_path / "run"
    args = ["cultivate", "--d", "3", "--p", "2e-3", "--shots", "300000", "--seed", "4",
            "--out", str(out)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    names = {p.name for p in out.iterdir()}
    assert {"circuit.stim", "circuit.dem", "circuit.qasm", "circuit_t.qpy", "circuit_t.qasm",
            "report.json", "stats.json", "error_vs_discard.png", "checkpoint.json"} <= names
    report = json.loads((out / "report.json").read_text())
    assert report["parameters"]["seed"] == 4 and "stim" in report["versions"]
    ref = sample(cultivation_circuit(3, noise=uniform_depolarizing(2e-3)), 300_000, seed=4)
    assert report["stats"]["discards"] == ref.discards
    # refuses to overwrite, resumes from the checkpoint with the same counts
    assert runner.invoke(app, args).exit_code == 2
    res = runner.invoke(app, [*args, "--resume"])
    assert res.exit_code == 0, res.output
    assert json.loads((out / "stats.json").read_text())["discards"] == ref.discards


@pytest.mark.parametrize("extra, message", [
    (["--d", "4"], "d must be one of"),
    (["--p", "0.7"], "p must be in"),
    (["--shots", "0"], "--shots must be in"),
    (["--noise", "pauli"], "noise must be one of"),
    (["--protocol", "steane"], "--protocol must be gsj or rp2"),
    (["--protocol", "rp2", "--stage", "injection"], "rp2 offers --stage cultivation or escape"),
    (["--stage", "escape", "--d2", "5"], "d2 must be"),
])
def test_cli_cultivate_bad_input(tmp_path, extra, message):
    res = runner.invoke(app, ["cultivate", "--out", str(tmp_path / "x"), *extra])
    assert res.exit_code == 2 and message in res.output


# ---------------------------------------------------------------- escape stage
def test_escape_codes_match_gsj_sizes():
    from circuits.cultivation.escape_codes import hybrid_code, matchable_code

    # GSJ's exact (d1, d2) = (3, 6) matchable idle circuit: 37 data, 38 tiles, 75 qubits
    tiles = matchable_code(3, 6)
    data = {q for t in tiles for q in t.data}
    qubits = data | {t.measure for t in tiles}
    assert (len(data), len(tiles), len(qubits)) == (37, 38, 75)
    assert len(hybrid_code(3, 7)) == 50
    # every check commutes with every other and with the logical; k = 1 at d1 = 3
    for code in (hybrid_code(3, 7), matchable_code(3, 7)):
        xs = [t.data for t in code if t.basis == "X" and t.data]
        zs = [t.data for t in code if t.basis == "Z" and t.data]
        assert all(len(x & z) % 2 == 0 for x in xs for z in zs)


@pytest.mark.parametrize("d1, d2, r1, r2, distance", [(3, 6, 2, 2, 3), (3, 7, 3, 1, 3),
                                                      (5, 10, 4, 2, 5)])
def test_escape_circuit_deterministic_with_full_fault_distance(d1, d2, r1, r2, distance):
    from circuits.cultivation import end_to_end_circuit

    circuit = end_to_end_circuit(d1, d2, r1=r1, r2=r2)
    check_deterministic(circuit)
    mask = postselection_mask(circuit)
    assert mask.any() and (~mask).any()
    noisy = uniform_depolarizing(1e-3).apply(circuit)
    errors = noisy.search_for_undetectable_logical_errors(
        dont_explore_edges_with_degree_above=3,
        dont_explore_detection_event_sets_with_size_above=3,
        dont_explore_edges_increasing_symptom_degree=False,
        canonicalize_circuit_errors=True)
    assert len(errors) >= min(distance, 4)


def test_gap_decoder_corrects_and_gap_sorts_shots():
    from circuits.cultivation import GapDecoder, end_to_end_circuit

    noisy = end_to_end_circuit(3, 7, r1=2, r2=2, noise=uniform_depolarizing(1e-3))
    decoder = GapDecoder(noisy)
    # with the earliest observable frame GSJ's flip-edge rule post-selects one detector
    # (the blue Z check next to the green Z in the first hybrid round), as theirs at d2 = 15
    assert decoder.num_flip_edge_postselected == 1
    assert decoder.num_virtual > 0  # colour triplets through virtual pair nodes (GSJ)
    assert GapDecoder(noisy, postselect_flip_edges=False).num_decoded == decoder.num_decoded + 1
    stats = sample(noisy, 80_000, seed=2, decoder=decoder)
    # reference: the raw observable flips of the kept shots without any correction
    dets, obs = noisy.compile_detector_sampler(seed=2).sample(80_000, separate_observables=True)
    kept = ~dets[:, postselection_mask(noisy)].any(axis=1)
    raw = obs[kept].mean()
    assert raw > 0.2 and stats.logical_error_rate < raw / 20
    # a higher gap threshold keeps fewer shots and makes fewer errors per kept shot
    low, high = stats.with_gap_threshold(10), stats.with_gap_threshold(30)
    assert high.discard_rate > low.discard_rate > stats.discard_rate - 1e-12
    assert high.logical_error_rate < low.logical_error_rate / 3
    assert sum(k for k, _ in stats.gap_histogram.values()) == stats.kept


@pytest.mark.slow
def test_escape_sizes_and_postselection_match_gsj_end_to_end():
    from circuits.cultivation import GapDecoder, end_to_end_circuit, measurement_layers

    # stats.csv metadata q and r: 454 qubits, 13 measurement layers (d1 = 3), 463 and 20
    # (d1 = 5) at d2 = 15; GSJ's public construction (make_end2end_cultivation_circuit)
    # has 2162 and 2744 detectors, of which their desaturation sampler post-selects 26 and
    # 135 (cultivation, red X / green Z colour checks, both ends of flip edges)
    for d1, q, r, dets, post in ((3, 454, 13, 2162, 26), (5, 463, 20, 2744, 135)):
        c = end_to_end_circuit(d1, 15, r1=d1, r2=5, noise=uniform_depolarizing(1e-3))
        assert (c.num_qubits, measurement_layers(c), c.num_detectors) == (q, r, dets)
        assert GapDecoder(c).postselected.sum() == post


@pytest.mark.slow
def test_escape_discard_matches_gsj_stats_csv():
    from circuits.cultivation import GapDecoder, end_to_end_circuit

    # stats.csv, end2end-inplace-distillation, d1 = 3, d2 = 15, p = 1e-3: 461257857
    # discards in 1e9 shots; ours within 4 sigma on 200k shots (post-selection only)
    c = end_to_end_circuit(3, 15, r1=3, r2=5, noise=uniform_depolarizing(1e-3))
    mask = np.packbits(GapDecoder(c).postselected, bitorder="little")
    dets = c.compile_detector_sampler(seed=11).sample(200_000, bit_packed=True)
    rate = (dets[:, : mask.size] & mask).any(axis=1).mean()
    assert abs(rate - 0.461257857) < 4 * math.sqrt(0.4613 * 0.5387 / 200_000)


def test_escape_bad_input():
    from circuits.cultivation import end_to_end_circuit

    with pytest.raises(ValueError, match="d2 must be"):
        end_to_end_circuit(3, 5)
    with pytest.raises(ValueError, match="d1 must be one of"):
        end_to_end_circuit(7, 14)
    with pytest.raises(ValueError, match="r1 must be"):
        end_to_end_circuit(3, 6, r1=1)


def test_gap_sampler_runs_under_sinter():
    import sinter

    from circuits.cultivation import GapDecoder, end_to_end_circuit, sinter_task
    from circuits.cultivation.decoding import GapSampler

    noisy = end_to_end_circuit(3, 6, r1=2, r2=1, noise=uniform_depolarizing(1e-3))
    (st,) = sinter.collect(num_workers=1, tasks=[sinter_task(noisy, {"d1": 3})],
                           decoders=["tnqc-gap"], custom_decoders={"tnqc-gap": GapSampler()},
                           max_shots=3000)
    assert st.shots >= 3000
    hist = sum(st.custom_counts.values())
    assert hist == st.shots - st.discards
    assert sum(v for key, v in st.custom_counts.items() if key.startswith("E")) == st.errors
    # the discard rate agrees with our own sampler on the same circuit (4 sigma)
    ours = sample(noisy, 10_000, seed=1, decoder=GapDecoder(noisy))
    r1, r2 = st.discards / st.shots, ours.discard_rate
    assert abs(r1 - r2) < 4 * math.sqrt(r2 * (1 - r2) / st.shots)


def test_cli_cultivate_rp2(tmp_path):
    from circuits.cultivation import rp2_cultivation_circuit

    out = tmp_path / "rp2"
    res = runner.invoke(app, ["cultivate", "--protocol", "rp2", "--d", "3", "--shots", "50000",
                              "--seed", "3", "--out", str(out)])
    assert res.exit_code == 0, res.output
    report = json.loads((out / "report.json").read_text())
    ref = sample(rp2_cultivation_circuit(3, noise=uniform_depolarizing(1e-3)), 50_000, seed=3)
    assert report["stats"]["discards"] == ref.discards
    assert report["circuit"]["qubits"] == 25
