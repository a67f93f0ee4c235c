"""Post-selected logical tomography: counts, fidelities, arbitrary states by linearity.

A tomography run of basis ``B`` gives, per shot, whether it passed post-selection and the
logical eigenvalue bit.  :class:`BasisCounts` keeps ``(shots, kept with +1, kept with -1)``.

Arbitrary states by linearity: the circuit after the preparation is a fixed quantum
channel, so the joint probabilities ``P(kept, outcome)`` are linear in the prepared
density matrix ``rho = (I + x X + y Y + z Z) / 2``.  With the four stabiliser inputs
``|0>, |1>, |+>, |+i>``::

    rho = (1 - x - y + z)/2 rho_0 + (1 - x - y - z)/2 rho_1 + x rho_+ + y rho_+i

so four runs per basis give the post-selected Bloch vector of every ``(theta, phi)``
(:func:`combine`).  This is exact for any noise after the preparation gate; only the
preparation gate's own error differs from a run that applies ``U3(theta, phi)``.

Example
-------
>>> import math
>>> from circuits.injection.tomography import BasisCounts, combine, decomposition_weights
>>> decomposition_weights(math.pi / 2, 0.0)  # |+>
{'0': 0.0, '1': 0.0, '+': 1.0, '+i': 0.0}
>>> counts = {"X": {"direct": BasisCounts(100, 25, 25)},  # |0> measured in X, Y, Z
...           "Y": {"direct": BasisCounts(100, 25, 25)},
...           "Z": {"direct": BasisCounts(100, 45, 5)}}
>>> res = combine(counts, 0.0, 0.0)
>>> round(res["fidelity"], 6), res["success_rate"], res["bloch"]
(0.9, 0.5, [0.0, 0.0, 0.8])
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .experiments import TomographyCircuit, bloch_vector
from .hardware import postselect

__all__ = ["DECOMPOSITION_STATES", "BasisCounts", "basis_counts", "combine",
           "decomposition_weights"]

DECOMPOSITION_STATES = ("0", "1", "+", "+i")


@dataclass(frozen=True)
class BasisCounts:
    """``shots`` taken, ``plus`` / ``minus``: kept shots with logical eigenvalue +1 / -1."""

    shots: int
    plus: int
    minus: int

    @property
    def kept(self) -> int:
        return self.plus + self.minus


def basis_counts(tc: TomographyCircuit, bits: np.ndarray, mult: np.ndarray | None = None,
                 mode: str = "boundary") -> BasisCounts:
    """Post-select ``bits`` (rows in stim measurement order) and count logical outcomes."""
    bits = np.asarray(bits, dtype=np.uint8)
    mult = np.ones(bits.shape[0], dtype=np.int64) if mult is None else np.asarray(mult)
    keep = postselect(bits, tc.circuit, mode)
    value = np.bitwise_xor.reduce(bits[:, list(tc.logical)], axis=1)
    return BasisCounts(int(mult.sum()), int(mult[keep & (value == 0)].sum()),
                       int(mult[keep & (value == 1)].sum()))


def decomposition_weights(theta: float, phi: float) -> dict[str, float]:
    """Weights of ``rho(theta, phi)`` on the inputs of :data:`DECOMPOSITION_STATES`."""
    x, y, z = bloch_vector(theta, phi)
    return {"0": (1 - x - y + z) / 2, "1": (1 - x - y - z) / 2, "+": x, "+i": y}


def combine(counts: Mapping[str, Mapping[str, BasisCounts]], theta: float, phi: float
            ) -> dict:
    """Fidelity, Bloch vector and success rate of ``(theta, phi)`` with standard errors.

    ``counts[basis][label]``: either the four decomposition inputs (weights from
    :func:`decomposition_weights`) or a single run of the state itself under ``"direct"``.
    Errors by the delta method (independent multinomial counts per run).
    """
    target = dict(zip("XYZ", bloch_vector(theta, phi), strict=True))
    expect, err, rates, rate_vars = {}, {}, [], []
    for basis in "XYZ":
        runs = counts[basis]
        weights = {"direct": 1.0} if "direct" in runs else decomposition_weights(theta, phi)
        a = sum(w * runs[k].plus / runs[k].shots for k, w in weights.items())
        b = sum(w * runs[k].minus / runs[k].shots for k, w in weights.items())
        s = a + b
        if s <= 0:  # too few shots: nothing kept
            expect[basis], err[basis] = float("nan"), float("nan")
            rates.append(max(s, 0.0))
            rate_vars.append(0.0)
            continue
        e = (a - b) / s
        ga, gb = 2 * b / s**2, -2 * a / s**2
        var = 0.0
        rvar = 0.0
        for k, w in weights.items():
            n = runs[k].shots
            pa, pb = runs[k].plus / n, runs[k].minus / n
            var += w * w * (ga * ga * pa * (1 - pa) + gb * gb * pb * (1 - pb)
                            - 2 * ga * gb * pa * pb) / n
            rvar += w * w * (pa + pb) * (1 - pa - pb) / n
        expect[basis] = float(np.clip(e, -1, 1))
        err[basis] = math.sqrt(max(var, 0.0))
        rates.append(s)
        rate_vars.append(rvar)
    fid = 0.5 * (1 + sum(expect[b] * target[b] for b in "XYZ"))
    fid_err = 0.5 * math.sqrt(sum((target[b] * err[b]) ** 2 for b in "XYZ"))
    rate = float(np.mean(rates))
    rate_err = math.sqrt(sum(rate_vars)) / 3
    return {"theta": theta, "phi": phi, "bloch_target": [target[b] for b in "XYZ"],
            "bloch": [expect[b] for b in "XYZ"], "bloch_stderr": [err[b] for b in "XYZ"],
            "fidelity": float(fid), "fidelity_stderr": float(fid_err),
            "fidelity_ci95": [float(fid - 1.96 * fid_err), float(fid + 1.96 * fid_err)],
            "success_rate": rate, "success_rate_stderr": rate_err}
