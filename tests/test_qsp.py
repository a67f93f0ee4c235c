"""Tests of circuits.qsp: responses, phases, recovery order, Z obstruction, Grover, export."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit.quantum_info import Operator, Statevector
from scipy.special import erf

from circuits.qsp import (
    ErrorModel,
    RecoveryConfig,
    TargetPolynomial,
    find_phases,
    find_recovery,
    noisy_response,
    paper_length_bounds,
    qsp_unitary,
    response,
    response_reference,
    z_error_obstruction,
)
from circuits.qsp.export import qsp_block_encoding_circuit, qsp_circuit
from circuits.qsp.grover import (
    find_grover_recovery,
    fixed_point_phases,
    grover_over_rotation_scan,
    grover_qsp_phases,
    lambda_threshold,
    success_probability,
    success_probability_over_rotation,
)

RNG = np.random.default_rng(7)
PHASES = np.array([0.3, -0.2, 0.5, 0.1, 0.5, -0.2, 0.3])


def test_response_matches_matrix_product():
    phases = RNG.uniform(-np.pi, np.pi, 25)
    a = RNG.uniform(-1, 1, 40)
    assert np.max(np.abs(response(phases, a) - response_reference(phases, a))) < 1e-12
    assert np.max(np.abs(qsp_unitary(phases, a)[:, 0, 0] - response(phases, a))) < 1e-12


@pytest.mark.parametrize(
    ("func", "degree"),
    [(lambda x: 0.9 * erf(6 * (x**2 - 0.3)), 20), (lambda x: 0.9 * erf(5 * x), 21)],
)
def test_find_phases_degree_20(func, degree):
    target = TargetPolynomial.from_function(func, degree)
    res = find_phases(target)
    assert res.max_error <= 1e-10
    grid = np.cos(np.linspace(0, np.pi, 301))
    assert np.max(np.abs(response(res.phases, grid).real - target(grid))) <= 1e-10


def _slope(phases, rec, pauli, pts):
    eps = np.logspace(-4, -1, 7)
    e0 = noisy_response(phases, pts, ErrorModel(pauli, 0.0), extended=True)
    err = [
        np.max(np.abs(noisy_response(phases, pts, ErrorModel(pauli, e), rec, extended=True) - e0))
        for e in eps
    ]
    return np.polyfit(np.log(eps), np.log(np.asarray(err, dtype=float)), 1)[0]


@pytest.mark.parametrize("k", [1, 2, pytest.param(3, marks=pytest.mark.slow)])  # k = 3: qsp_uniform
def test_recovery_order_slopes(k):
    pts = (0.6,)
    rec = find_recovery(PHASES, RecoveryConfig(order=k, pauli="Y", points=pts))
    assert abs(_slope(PHASES, rec.phases, "Y", pts) - (k + 1)) < 0.1
    assert abs(_slope(PHASES, None, "Y", pts) - 1) < 0.1


def test_recovery_x_error_two_points():
    pts = (0.3, 0.7)
    rec = find_recovery(PHASES, RecoveryConfig(order=1, pauli="X", points=pts))
    assert abs(_slope(PHASES, rec.phases, "X", pts) - 2) < 0.1


def test_z_errors_not_recoverable_at_signal_one():
    bound = z_error_obstruction(PHASES)
    assert bound > 0.1
    # any recovery keeping the ideal response at a = 1 has |d/deps| >= bound there
    for _ in range(20):
        psi = RNG.uniform(-np.pi, np.pi, 5)
        psi[-1] += -np.sum(psi) + 2 * np.pi * RNG.integers(-2, 3)  # sum(psi) in 2πZ
        h = 1e-6
        d = (
            noisy_response(PHASES, 1.0, ErrorModel("Z", h), psi)
            - noisy_response(PHASES, 1.0, ErrorModel("Z", -h), psi)
        ) / (2 * h)
        assert abs(d) >= bound - 1e-6
    with pytest.raises(RuntimeError):
        find_recovery(PHASES, RecoveryConfig(order=1, pauli="Z", points=(1.0,), restarts=3))
    # whereas X errors at a = 1 are recoverable
    assert find_recovery(PHASES, RecoveryConfig(order=1, pauli="X", points=(1.0,))).residual < 1e-12


def test_grover_fixed_point_recovery():
    l, delta = 3, 0.3
    al, be = fixed_point_phases(l, delta)
    w = lambda_threshold(l, delta)
    lam = np.linspace(w, 1, 40)
    big_l = 2 * l + 1
    g = 1 / np.cosh(np.arccosh(1 / delta) / big_l)
    ref = 1 - delta**2 * np.cos(big_l * np.arccos(np.clip(np.sqrt(1 - lam) / g, -1, 1))) ** 2
    assert np.max(np.abs(success_probability(al, be, lam) - ref)) < 1e-12
    pts = (0.3,)
    rec = find_grover_recovery(al, be, pts, order=2)
    band = 1 - delta**2
    eps = 0.05
    noisy = success_probability(al, be, pts, eps=eps)[0]
    recovered = success_probability(al, be, pts, eps=eps, recovery=rec.phases)[0]
    assert noisy < band <= recovered


def test_grover_over_rotation_degreewise_recovery():
    l, delta = 3, 0.3  # 7 queries
    # the search as a Wx QSP sequence in a = sqrt(lambda): same success probability
    al, be = fixed_point_phases(l, delta)
    lam = np.linspace(0, 1, 101)
    p_qsp = success_probability_over_rotation(grover_qsp_phases(al, be), lam, 0.0)
    assert np.max(np.abs(p_qsp - success_probability(al, be, lam))) < 1e-12
    # (a) at eps = 0 the recovered sequence is the ideal one on the whole band
    eps = np.logspace(-4, -2, 5)
    scan = grover_over_rotation_scan(l, delta, np.concatenate([[0.0], eps]))
    assert scan.recovery.residual < 1e-12
    assert np.max(np.abs(scan.recovered[0] - scan.ideal)) < 1e-10
    assert np.max(np.abs(scan.noisy[0] - scan.ideal)) < 1e-10
    # (b) worst case over lambda in [w, 1]: slope 1 noisy, 2 recovered
    noisy, recovered = scan.max_deviation()
    slope = lambda v: np.polyfit(np.log(eps), np.log(v[1:]), 1)[0]  # noqa: E731
    assert abs(slope(noisy) - 1) < 0.1
    assert abs(slope(recovered) - 2) < 0.15
    # the ideal curve touches 1 - delta^2 inside the band, so an O(eps^2) recovery can only
    # shrink the excursion below it (~100x at eps = 1e-3)
    m_noisy, m_rec = scan.min_margin()
    assert m_noisy[3] < -1e-4 and abs(min(m_rec[3], 0.0)) < 2e-2 * abs(m_noisy[3])
    # (c) designed with delta = 0.28 inside the target band 1 - 0.3^2: at some eps the
    # noisy search leaves the band somewhere in lambda, the recovered one stays inside
    band = grover_over_rotation_scan(l, delta, np.logspace(-3, -1, 13), design_delta=0.28)
    m_noisy, m_rec = band.min_margin()
    assert np.all(band.ideal >= band.target)
    assert np.any((m_noisy < 0) & (m_rec >= 0))


@pytest.mark.parametrize("a", list(np.random.default_rng(3).uniform(-1, 1, 4)))
def test_export_matches_matrix(a):
    phases = RNG.uniform(-np.pi, np.pi, 6)
    u = qsp_unitary(phases, a)
    assert np.allclose(Statevector(qsp_circuit(phases, a)).data, u[:, 0], atol=1e-12)
    qc = qsp_circuit(phases)
    bound = qc.assign_parameters({qc.parameters[0]: float(np.arccos(a))})
    assert np.allclose(Operator(bound).data, u, atol=1e-12)
    block = Operator(qsp_block_encoding_circuit(phases, a)).data
    assert np.allclose(block[:2, :2], u, atol=1e-12)  # ancilla (qubit 1) in |0>


def test_bad_inputs():
    with pytest.raises(ValueError, match="eps"):
        ErrorModel("X", 1.0)
    with pytest.raises(ValueError, match="eps"):
        ErrorModel("X", -1.5)
    with pytest.raises(ValueError, match="pauli"):
        ErrorModel("W", 0.1)
    with pytest.raises(ValueError, match="phases"):
        response([0.1, np.nan], 0.2)
    with pytest.raises(ValueError, match="phases"):
        qsp_circuit([np.inf])
    with pytest.raises(ValueError, match="parity"):
        TargetPolynomial((0.1, 0.2, 0.3))
    with pytest.raises(ValueError, match="sup-norm"):
        TargetPolynomial((0.0, 1.2))
    with pytest.raises(ValueError, match="order"):
        RecoveryConfig(order=0)
    with pytest.raises(ValueError, match="order"):
        find_grover_recovery([0.1], [0.1], (0.5,), order=0)
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        response([0.1], 1.5)
    with pytest.raises(TypeError):
        find_phases("sign")


def test_paper_bounds():
    b = paper_length_bounds(d=10, c=3, k=1)
    assert b == {"upper": 2 * 3 * 10.0, "lower": 30.0}


def test_phase_jacobian_matches_finite_differences():
    from circuits.qsp.core import _response_and_jacobian

    rng = np.random.default_rng(5)
    phases = rng.uniform(-np.pi, np.pi, 9)
    x = np.cos(np.linspace(0.1, 3.0, 7))
    value, jac = _response_and_jacobian(phases, x)
    np.testing.assert_allclose(value, response(phases, x).real, atol=1e-14)
    h = 1e-6
    for k in range(len(phases)):
        e = np.zeros_like(phases)
        e[k] = h
        fd = (response(phases + e, x).real - response(phases - e, x).real) / (2 * h)
        np.testing.assert_allclose(jac[:, k], fd, atol=1e-8)


# --- paper's error model (over-rotation e^{iφ(1+ε)Z}) and the uniform k = 1 recovery ---

from circuits.qsp.recovery import (  # noqa: E402
    degreewise_recovery,
    error_operator,
    first_order_generator,
    merge_phases,
    xy_z_errors,
)

GRID = np.linspace(-1, 1, 41)
EPS = np.logspace(-4, -1, 7)


def _fit(vals):
    return np.polyfit(np.log(EPS), np.log(np.asarray(vals, dtype=float)), 1)[0]


def test_first_order_generator_matches_finite_differences():
    phases = np.random.default_rng(11).uniform(-np.pi, np.pi, 7)
    a = np.linspace(-0.95, 0.95, 9)
    h = 1e-6
    fd = (error_operator(phases, a, h) - error_operator(phases, a, -h)) / (2 * h)
    np.testing.assert_allclose(first_order_generator(phases, a), fd, atol=1e-8)


def test_degreewise_recovery_uniform_in_signal_slope_two():
    rec = degreewise_recovery(PHASES)
    assert rec.residual < 1e-12
    # ideally the recovery is the identity for every signal
    eye = np.broadcast_to(np.eye(2), (41, 2, 2))
    np.testing.assert_allclose(qsp_unitary(rec.phases, GRID), eye, atol=1e-12)
    raw = [xy_z_errors(PHASES, GRID, e)[0].max() for e in EPS]
    fixed = [xy_z_errors(PHASES, GRID, e, rec.phases)[0].max() for e in EPS]
    assert abs(_fit(raw) - 1) < 0.1
    assert abs(_fit(fixed) - 2) < 0.1
    # the transition probability |<0|U|0>|^2 is protected to second order as well
    merged = merge_phases(PHASES, rec.phases)
    ideal = np.abs(response(PHASES, GRID)) ** 2
    prob = [np.max(np.abs(np.abs(noisy_response(merged, GRID, ErrorModel("Z", e))) ** 2 - ideal))
            for e in EPS]
    assert abs(_fit(prob) - 2) < 0.1


def test_degreewise_recovery_random_phases_uniform():
    phases = np.random.default_rng(2).uniform(-np.pi, np.pi, 4)
    rec = degreewise_recovery(phases)
    fixed = [xy_z_errors(phases, GRID, e, rec.phases)[0].max() for e in EPS]
    assert abs(_fit(fixed) - 2) < 0.1


def test_degreewise_z_component_not_recovered():
    rec = degreewise_recovery(PHASES)
    z = [xy_z_errors(PHASES, GRID, e, rec.phases)[1].max() for e in EPS]
    assert abs(_fit(z) - 1) < 0.1  # the Z part stays first order
    h = 1e-6
    dz = (np.angle(error_operator(PHASES, 1.0, h, rec.phases)[0, 0])
          - np.angle(error_operator(PHASES, 1.0, -h, rec.phases)[0, 0])) / (2 * h)
    assert abs(dz) >= z_error_obstruction(PHASES) - 1e-6


def test_degreewise_length_vs_paper_bounds():
    d = len(PHASES) - 1
    c = len(set(np.round(PHASES, 12)))
    rec = degreewise_recovery(PHASES)
    assert rec.calls <= d * d + d + 2
    assert sum(calls for _, calls in rec.blocks) == rec.calls
    b = paper_length_bounds(d=d, c=c, k=1)
    assert b["lower"] <= rec.calls  # consistent with the paper's Omega(c d)
    with pytest.raises(ValueError, match="signal call"):
        degreewise_recovery([0.3])
