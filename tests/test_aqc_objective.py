"""The pair sweep of aqc.objective: fused (1 or 2 odd layers per kernel), in place, remat, c64."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from qiskit.quantum_info import Statevector

import aqc
from aqc.ansatz import BrickworkAnsatz
from mps import MPS, evolve, heisenberg


def _variant(obj, **static):
    return dataclasses.replace(obj, _static={**obj._static, **static})


def test_fused_split_and_recomputed_sweeps_agree_with_the_statevector(rng):
    """n = 9 pads to 12 sites (two half-chains of 3 pairs, one virtual site), odd L."""
    n, layers = 9, 5
    target = evolve(heisenberg(n), MPS.neel(n), 0.5, 0.05).state
    ans = BrickworkAnsatz(n, layers)
    p = rng.uniform(-np.pi, np.pi, ans.num_params)
    ref = np.vdot(target.to_dense(), Statevector(ans.to_circuit(p)).data)
    base = aqc.Objective.build(target, ans)
    grads = []
    # remat: how many of the 3 scan steps recompute their pair in the backward pass
    for static in ({"fuse": False, "remat": 0}, {"fuse": True, "group": 1, "remat": 3},
                   {"fuse": True, "group": 2, "remat": 1}):
        obj = _variant(base, **static)
        assert abs(obj.overlap(p) - ref) < 1e-10
        value, grad = obj.value_and_grad(p)
        assert value == pytest.approx(-np.log(abs(ref) ** 2) / n, abs=1e-10)
        grads.append(grad)
    for grad in grads[1:]:
        np.testing.assert_allclose(grad, grads[0], atol=1e-10)


@pytest.mark.parametrize("layers", [7, 9])
def test_grouped_kernels_with_a_lone_layer_and_pairs_match_the_statevector(rng, layers):
    """Two odd layers per fused kernel: m = 3 keeps the top one alone, m = 4 has a pair."""
    n = 8
    target = evolve(heisenberg(n), MPS.neel(n), 0.5, 0.05).state
    ans = BrickworkAnsatz(n, layers)
    p = rng.uniform(-np.pi, np.pi, ans.num_params)
    ref = np.vdot(target.to_dense(), Statevector(ans.to_circuit(p)).data)
    obj = _variant(aqc.Objective.build(target, ans), fuse=True, group=2, remat=0)
    assert abs(obj.overlap(p) - ref) < 1e-10


def test_single_precision_objective_and_compile():
    """complex64 agrees to ~1e-6; compile(precision='single') reports a complex128 fidelity."""
    n = 10
    target = evolve(heisenberg(n), MPS.neel(n), 0.5, 0.05).state
    ans = BrickworkAnsatz(n, 3)
    res = aqc.compile(target, ans, maxiter=30, precision="single")
    double = aqc.Objective.build(target, ans)
    assert res.precision == "single"
    assert res.fidelity == pytest.approx(double.fidelity(res.params), abs=1e-12)
    single = double.with_precision("single")
    assert single.fidelity(res.params) == pytest.approx(res.fidelity, abs=1e-5)
    assert res.fidelity > res.init_fidelity
    with pytest.raises(ValueError, match="precision must be one of"):
        aqc.Objective.build(target, ans, precision="half")
