"""TEBD against exact evolution (scipy expm_multiply) and its own invariants."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.sparse.linalg import expm_multiply

from mps import MPS, SpinChain, StepInfo, evolve, heisenberg, trotter_layers, xxz


def exact(chain, psi0, t):
    """|psi(t)> = exp(-i H t)|psi0> from the sparse Hamiltonian (little-endian)."""
    return expm_multiply(-1j * t * chain.to_sparse(), psi0.to_dense())


def fidelity(a, b):
    return abs(np.vdot(a, b)) ** 2 / (np.vdot(a, a).real * np.vdot(b, b).real)


CHAINS = {
    "heisenberg": lambda n: heisenberg(n, j=1.0),
    "xxz_field": lambda n: xxz(n, jxy=1.0, jz=0.6, hz=0.35),
}


@pytest.mark.parametrize("n", [10, 12])
@pytest.mark.parametrize("model", sorted(CHAINS))
def test_fidelity_with_exact_evolution(n, model):
    """Acceptance 1: Neel start, t = 1 and 2, order 2, dt = 0.01: F >= 1 - 1e-6."""
    chain = CHAINS[model](n)
    psi0 = MPS.neel(n)
    res = evolve(
        chain, psi0, t=2.0, dt=0.01, order=2, cutoff=0.0,
        observables={"psi": lambda s: s.to_dense()}, record_every=100,
    )
    np.testing.assert_allclose(res.times, [0.0, 1.0, 2.0])
    assert res.truncation_error < 1e-20
    for k, t in enumerate(res.times):
        f = fidelity(exact(chain, psi0, t), res.observables["psi"][k])
        assert f >= 1 - 1e-6, (model, n, t, f)
    np.testing.assert_allclose(res.observables["psi"][-1], res.state.to_dense(), atol=1e-13)


def _errors(chain, psi0, t, order, dts):
    ref = exact(chain, psi0, t)
    return np.array(
        [np.linalg.norm(evolve(chain, psi0, t, dt, order=order, cutoff=0.0).state.to_dense() - ref)
         for dt in dts]
    )


@pytest.mark.parametrize(
    ("order", "dts", "slope"),
    [(1, [0.1, 0.05, 0.025], 1), (2, [0.1, 0.05, 0.025], 2), (4, [0.25, 0.125, 0.0625], 4)],
)
def test_trotter_error_scales_as_dt_to_the_order(order, dts, slope):
    """The state error ||psi_dt - psi_exact|| scales as dt**order (fitted log-log slope)."""
    chain = xxz(8, jxy=1.0, jz=0.6, hz=0.35)
    psi0 = MPS.neel(8)
    errs = _errors(chain, psi0, 1.0, order, dts)
    fit = np.polyfit(np.log(dts), np.log(errs), 1)[0]
    assert abs(fit - slope) < 0.15, (order, errs, fit)
    assert errs[-1] > 1e-13  # the fit measured Trotter error, not round-off


def test_order4_beats_order2_at_equal_step():
    chain = heisenberg(8)
    psi0 = MPS.neel(8)
    e2 = _errors(chain, psi0, 1.0, 2, [0.1])[0]
    e4 = _errors(chain, psi0, 1.0, 4, [0.1])[0]
    assert e4 < e2 / 50


def test_site_dependent_couplings_and_all_fields(rng):
    n = 8
    chain = SpinChain(
        n,
        jx=rng.uniform(0.5, 1.5, n - 1), jy=rng.uniform(0.5, 1.5, n - 1),
        jz=rng.uniform(-1, 1, n - 1), hx=rng.uniform(-0.5, 0.5, n),
        hy=rng.uniform(-0.5, 0.5, n), hz=rng.uniform(-0.5, 0.5, n),
    )
    psi0 = MPS.from_bitstring("01101001")
    res = evolve(chain, psi0, 0.7, 0.01, order=4, cutoff=0.0)
    assert fidelity(exact(chain, psi0, 0.7), res.state.to_dense()) > 1 - 1e-10


def test_truncation_bounds_bond_dimension_and_reports_error():
    chain = heisenberg(12)
    psi0 = MPS.neel(12)
    res = evolve(chain, psi0, 2.0, 0.05, order=2, max_bond=8)
    assert res.state.max_bond() <= 8
    assert res.truncation_error > 1e-4
    infid = 1 - fidelity(exact(chain, psi0, 2.0), res.state.to_dense())
    # Discarded weight is a lower estimate of the infidelity: errors of earlier
    # truncations are carried along (quimb's TEBD gives the same infidelity,
    # see test_peers.py).
    assert res.truncation_error * 0.5 < infid < 1.0
    assert res.state.norm() == pytest.approx(1.0, abs=1e-10)


def test_cutoff_controls_accuracy():
    chain = heisenberg(10)
    psi0 = MPS.neel(10)
    loose = evolve(chain, psi0, 1.0, 0.05, cutoff=1e-3)
    tight = evolve(chain, psi0, 1.0, 0.05, cutoff=1e-12)
    assert loose.state.max_bond() < tight.state.max_bond()
    ref = evolve(chain, psi0, 1.0, 0.05, cutoff=0.0).state.to_dense()
    assert 1 - fidelity(ref, tight.state.to_dense()) < 1e-9
    assert 1 - fidelity(ref, loose.state.to_dense()) > 1e-6


def test_merged_schedule_equals_unmerged():
    chain = xxz(8, 1.0, 0.5, hz=0.2)
    psi0 = MPS.neel(8)
    merged = evolve(chain, psi0, 0.5, 0.05, order=4, cutoff=0.0)
    step_by_step = evolve(chain, psi0, 0.5, 0.05, order=4, cutoff=0.0,
                          observables={"z": lambda s: s.expect_z()})
    np.testing.assert_allclose(merged.state.to_dense(), step_by_step.state.to_dense(), atol=1e-12)
    assert step_by_step.observables["z"].shape == (11, 8)


def test_layer_schedule():
    lay = trotter_layers(2, 0.1, 3)
    assert [(p, round(tau, 12)) for p, tau, _ in lay] == [
        (0, 0.05), (1, 0.1), (0, 0.1), (1, 0.1), (0, 0.1), (1, 0.1), (0, 0.05)
    ]
    assert [d for _, _, d in lay if d] == [(1,), (2,), (3,)]
    unmerged = trotter_layers(2, 0.1, 3, keep_boundaries={1, 2, 3})
    assert len(unmerged) == 9
    order4 = trotter_layers(4, 0.1, 2)
    assert len(order4) == 21  # 10 k + 1 merged layers, alternating parity
    assert all(a[0] != b[0] for a, b in itertools.pairwise(order4))
    total = {0: 0.0, 1: 0.0}
    for p, tau, _ in order4:
        total[p] += tau
    assert total[0] == pytest.approx(0.2) and total[1] == pytest.approx(0.2)


def test_threads_give_identical_results():
    chain = heisenberg(14)
    psi0 = MPS.neel(14)
    a = evolve(chain, psi0, 0.5, 0.05, max_bond=16, threads=1).state
    b = evolve(chain, psi0, 0.5, 0.05, max_bond=16, threads=2).state
    for x, y in zip(a.tensors, b.tensors, strict=True):
        np.testing.assert_array_equal(x, y)


def test_callback_metadata_and_zero_time():
    chain = heisenberg(6)
    seen: list[StepInfo] = []
    res = evolve(chain, MPS.neel(6), 0.3, 0.1, callback=seen.append)
    assert [s.step for s in seen] == [1, 2, 3] and seen[-1].nsteps == 3
    assert seen[-1].t == pytest.approx(0.3)
    meta = res.state.metadata
    assert meta["model"]["name"] == "heisenberg" and meta["order"] == 2 and meta["steps"] == 3
    assert meta["dt"] == 0.1 and "numpy" in meta["versions"]
    same = evolve(chain, MPS.neel(6), 0.0, 0.1)
    assert same.steps == 0
    np.testing.assert_allclose(same.state.to_dense(), MPS.neel(6).to_dense())


def test_uneven_final_time_uses_equal_steps():
    chain = heisenberg(6)
    psi0 = MPS.neel(6)
    res = evolve(chain, psi0, 0.25, 0.1, order=2, cutoff=0.0)
    assert res.steps == 3 and res.dt == pytest.approx(0.25 / 3)
    same = evolve(chain, psi0, 0.25, 0.25 / 3, order=2, cutoff=0.0)
    assert same.steps == 3
    np.testing.assert_allclose(res.state.to_dense(), same.state.to_dense(), atol=1e-14)
    assert fidelity(exact(chain, psi0, 0.25), res.state.to_dense()) > 1 - 1e-3


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"dt": 0.0}, ValueError, "dt must be > 0"),
        ({"dt": -0.1}, ValueError, "dt must be > 0"),
        ({"dt": float("nan")}, ValueError, "dt must be finite"),
        ({"t": -1.0}, ValueError, "t must be >= 0"),
        ({"max_bond": 0}, ValueError, "max_bond must be >= 1"),
        ({"max_bond": 2.5}, TypeError, "max_bond must be an integer"),
        ({"cutoff": -1e-3}, ValueError, "cutoff must be >= 0"),
        ({"order": 3}, ValueError, "order must be 1, 2 or 4"),
        ({"record_every": 0}, ValueError, "record_every must be >= 1"),
        ({"threads": 0}, ValueError, "threads must be >= 1"),
        ({"observables": {"z": 3}}, TypeError, "must be callable"),
    ],
)
def test_bad_input(kwargs, exc, match):
    args = {"t": 1.0, "dt": 0.1}
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        evolve(heisenberg(4), MPS.neel(4), **args)


def test_bad_state_or_chain():
    with pytest.raises(ValueError, match="n=4 sites but chain has n=5"):
        evolve(heisenberg(5), MPS.neel(4), 1.0, 0.1)
    with pytest.raises(TypeError, match="chain must be a SpinChain"):
        evolve("heisenberg", MPS.neel(4), 1.0, 0.1)
    with pytest.raises(TypeError, match="state must be an MPS"):
        evolve(heisenberg(4), np.zeros(16), 1.0, 0.1)
