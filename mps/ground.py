"""Ground states of spin chains by DMRG (quimb's ``DMRG2``), as tnqc MPS.

:func:`ground_state` builds the MPO of a :class:`~mps.SpinChain` in the Pauli
convention (``H = sum_b jx XX + jy YY + jz ZZ + sum_i hx X + hy Y + hz Z``;
quimb's ``SpinHam1D`` is given the Pauli matrices themselves, so no factor of
1/2 enters), runs two-site DMRG with a growing bond-dimension schedule up to
``max_bond``, and returns the state converted with :meth:`MPS.from_quimb`,
normalised and with metadata (``kind = "ground_state"``, the model, the
energy) so that :func:`aqc.compile` and ``tnqc compile --target`` know what it
is.  The energy is re-evaluated independently from the returned MPS (bond
correlators and fields, :meth:`MPS.correlation` / :meth:`MPS.expect`) and
reported as ``energy_check``.

Example
-------
>>> from mps import heisenberg
>>> from mps.ground import ground_state
>>> res = ground_state(heisenberg(8, 0.25), max_bond=16)
>>> round(res.energy, 4)  # J S.S with J = 1, 8 sites, open boundaries
-3.3749
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ._validate import check_int, check_real
from .hamiltonian import SpinChain
from .state import MPS

__all__ = ["GroundStateResult", "chain_energy", "ground_state"]

_X = np.array([[0.0, 1.0], [1.0, 0.0]])
_IY = np.array([[0.0, 1.0], [-1.0, 0.0]])  # i Y (real): Y ⊗ Y = -(iY) ⊗ (iY)
_Y = np.array([[0.0, -1j], [1j, 0.0]])
_Z = np.diag([1.0, -1.0])


@dataclass(frozen=True)
class GroundStateResult:
    """Outcome of :func:`ground_state`.

    Attributes
    ----------
    state : MPS
        Normalised ground state (``metadata["kind"] == "ground_state"``).
    energy : float
        DMRG energy ``<H>``.
    energy_check : float
        ``<H>`` recomputed from ``state`` by tnqc's own correlators.
    bond_dims : list of int
        Bond dimensions of ``state``.
    entropy : numpy.ndarray
        Entanglement entropy (nats) on every bond.
    sweeps : int
        DMRG sweeps run.
    converged : bool
        Whether DMRG met its energy tolerance within ``max_sweeps``.
    seconds : float
        Wall time of the DMRG.
    """

    state: MPS
    energy: float
    energy_check: float
    bond_dims: list[int]
    entropy: np.ndarray
    sweeps: int
    converged: bool
    seconds: float


def _mpo(chain: SpinChain):
    import quimb.tensor as qtn

    builder = qtn.SpinHam1D(S=1 / 2)
    for i in range(chain.n - 1):
        for coef, a, b in ((chain.jx[i], _X, _X), (-chain.jy[i], _IY, _IY),
                           (chain.jz[i], _Z, _Z)):
            if coef != 0.0:
                builder[i, i + 1] += float(coef), a, b
    for i in range(chain.n):
        for coef, a in ((chain.hx[i], _X), (chain.hy[i], _Y), (chain.hz[i], _Z)):
            if coef != 0.0:
                builder[i] += float(coef), a
    return builder.build_mpo(chain.n)


def chain_energy(chain: SpinChain, state: MPS) -> float:
    """``<state|H|state>`` from bond correlators and fields (tnqc's own contractions)."""
    energy = 0.0
    for i in range(chain.n - 1):
        for coef, op in ((chain.jx[i], "X"), (chain.jy[i], "Y"), (chain.jz[i], "Z")):
            if coef != 0.0:
                energy += coef * float(np.real(state.correlation(op, op, i, i + 1)))
    for op, field in (("X", chain.hx), ("Y", chain.hy), ("Z", chain.hz)):
        if any(field):
            energy += float(np.dot(field, np.real(state.expect(op))))
    return energy


def ground_state(
    chain: SpinChain,
    max_bond: int = 64,
    *,
    cutoff: float = 1e-10,
    tol: float = 1e-9,
    max_sweeps: int = 20,
    seed: int = 0,
) -> GroundStateResult:
    """The ground state of ``chain`` by two-site DMRG (quimb ``DMRG2``).

    Parameters
    ----------
    chain : SpinChain
        The Hamiltonian (Pauli convention).
    max_bond : int
        Largest bond dimension (the schedule doubles from 8 up to it).
    cutoff : float
        Discarded weight per SVD.
    tol : float
        Energy tolerance between sweeps.
    max_sweeps : int
        Most sweeps.
    seed : int
        Seed of the random initial MPS.
    """
    import quimb.tensor as qtn

    if not isinstance(chain, SpinChain):
        raise TypeError(f"chain must be a SpinChain, got {type(chain).__name__}")
    max_bond = check_int(max_bond, "max_bond", minimum=2)
    cutoff = check_real(cutoff, "cutoff", minimum=0.0)
    tol = check_real(tol, "tol", minimum=0.0, strict=True)
    max_sweeps = check_int(max_sweeps, "max_sweeps", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    schedule = sorted({min(d, max_bond) for d in (8, 16, 32, 64, 128, 256, 512)} | {max_bond})
    complex_h = any(chain.hy)
    t0 = time.perf_counter()
    p0 = qtn.MPS_rand_state(chain.n, min(4, max_bond), seed=seed,
                            dtype="complex128" if complex_h else "float64")
    dmrg = qtn.DMRG2(_mpo(chain), bond_dims=schedule, cutoffs=cutoff, p0=p0)
    converged = bool(dmrg.solve(tol=tol, max_sweeps=max_sweeps, verbosity=0))
    seconds = time.perf_counter() - t0
    state = MPS.from_quimb(dmrg.state).normalize()
    energy = float(np.real(dmrg.energy))
    meta = {"kind": "ground_state", "model": chain.to_dict(), "energy": energy,
            "max_bond": max_bond, "cutoff": cutoff, "method": "quimb DMRG2", "seed": seed}
    state = state.with_metadata(meta)
    return GroundStateResult(
        state=state, energy=energy, energy_check=chain_energy(chain, state),
        bond_dims=state.bond_dims(), entropy=np.asarray(state.entanglement_entropy()),
        sweeps=len(dmrg.energies), converged=converged, seconds=seconds)
