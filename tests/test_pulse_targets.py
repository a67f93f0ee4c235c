"""Pulse targets: molecular ground states vs an independent Kronecker build and published
energies; transitions, MPS states and bad names."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import PAULI, kron_op

from circuits.pulse.targets import (
    MOLECULES,
    basis_state,
    ground_state,
    molecule_hamiltonian,
    molecule_target,
    mps_target,
    pauli_hamiltonian,
    resolve_target,
    transition,
)
from mps import MPS


def reference_matrix(terms) -> np.ndarray:
    """Qiskit label order: character k from the right acts on qubit k."""
    n = len(terms[0][0])
    h = np.zeros((2**n, 2**n), dtype=complex)
    for label, c in terms:
        h += c * kron_op({q: PAULI[p] for q, p in enumerate(reversed(label))}, n)
    return h


def test_h2_matrix_and_ground_energy():
    mol = MOLECULES["h2-0.735"]
    h = molecule_hamiltonian("h2-0.735")
    np.testing.assert_allclose(h, reference_matrix(mol.terms), atol=1e-15)
    e, psi = ground_state(h)
    assert e == pytest.approx(np.linalg.eigvalsh(reference_matrix(mol.terms))[0], abs=1e-12)
    assert e == pytest.approx(-1.85727503, abs=1e-8)  # Qiskit's published value
    assert e + mol.nuclear_repulsion == pytest.approx(-1.137306, abs=1e-6)  # STO-3G FCI
    np.testing.assert_allclose(h @ psi, e * psi, atol=1e-12)
    assert np.linalg.norm(psi) == pytest.approx(1.0, abs=1e-14)


# total ground energies (electronic + constant), STO-3G, of the ctrlq (ctrl-VQE) molecules
CTRLQ_ENERGIES = {"h2": -1.13711707, "heh+": -2.86020512, "lih": -7.88101572}


@pytest.mark.parametrize("name", sorted(CTRLQ_ENERGIES))
def test_ctrlq_molecules_matrix_energy_and_hf_start(name):
    mol = MOLECULES[name]
    h = molecule_hamiltonian(name)
    np.testing.assert_allclose(h, reference_matrix(mol.terms), atol=1e-15)
    t = molecule_target(name)
    assert t.energy == pytest.approx(mol.reference_energy, abs=1e-10)
    assert t.energy + mol.nuclear_repulsion == pytest.approx(CTRLQ_ENERGIES[name], abs=1e-7)
    np.testing.assert_allclose(h @ t.target, t.energy * t.target, atol=1e-12)
    # default start: the Hartree-Fock bitstring, the dominant amplitude of the ground state
    assert t.psi0.tolist() == basis_state(mol.hf_state).tolist()
    hf = int(np.argmax(np.abs(t.psi0)))
    assert hf == int(np.argmax(np.abs(t.target))) == int(np.argmin(np.diag(h).real))
    assert 0.97 < abs(t.target[hf]) ** 2 < 0.999  # correlated, but close to Hartree-Fock


def test_hf_bitstrings_follow_ctrlq():
    # ctrlq: "|0>|1>" and "|0>|0>|1>|1>" in Kronecker order = basis index 1 and 3
    assert molecule_target("h2").psi0[1] == 1 and molecule_target("heh+").psi0[1] == 1
    assert molecule_target("lih").psi0[3] == 1 and MOLECULES["lih"].n_qubits == 4
    assert molecule_target("h2", initial="00").psi0.tolist() == [1, 0, 0, 0]
    assert resolve_target("H2", initial="01").psi0.tolist() == [0, 0, 1, 0]
    with pytest.raises(ValueError, match="initial state must have 4 bits"):
        molecule_target("lih", initial="10")


def test_heh_needs_the_drive_h2_does_not():
    # exchange conserves the number of excitations: H2's ground state lies in the
    # one-excitation subspace of its Hartree-Fock start, HeH+'s leaks out of it
    def outside(name):
        t = molecule_target(name)
        return float(abs(t.target[0]) ** 2 + abs(t.target[3]) ** 2)
    assert outside("h2") < 1e-20 and outside("h2-0.735") < 1e-20
    assert 5e-4 < outside("heh+") < 1e-3


def test_unknown_target_name():
    with pytest.raises(ValueError, match="unknown target 'h3'"):
        resolve_target("h3")
    with pytest.raises(TypeError, match="target must be a string"):
        resolve_target(2)


def test_transition_checks_vectors():
    rng = np.random.default_rng(0)
    v = rng.normal(size=8) + 1j * rng.normal(size=8)
    v /= np.linalg.norm(v)
    t = transition(basis_state("000"), v)
    assert t.n_qubits == 3 and np.allclose(t.target, v)
    with pytest.raises(ValueError, match="target must be normalised"):
        transition(basis_state("000"), 2 * v)
    with pytest.raises(ValueError, match=r"psi0 must have shape \(8,\)"):
        transition(basis_state("00"), v)
    with pytest.raises(ValueError, match="target must be a vector of 2"):
        transition([1, 0, 0], [0, 1, 0])


def test_mps_target_matches_to_dense():
    psi = MPS.neel(4)
    t = mps_target(psi)
    np.testing.assert_allclose(t.target, psi.to_dense(), atol=1e-14)
    assert t.target[0b1010] == pytest.approx(1.0)  # Néel 0101: qubits 1, 3 excited
    with pytest.raises(TypeError, match=r"state must be an mps.MPS"):
        mps_target(np.zeros(4))


def test_pauli_hamiltonian_errors():
    with pytest.raises(ValueError, match="Pauli labels"):
        pauli_hamiltonian({"XA": 1.0})
    with pytest.raises(ValueError, match="expected n_qubits = 3"):
        pauli_hamiltonian({"XX": 1.0}, n_qubits=3)
    with pytest.raises(ValueError, match="initial state must be a bitstring"):
        basis_state("012")
    with pytest.raises(ValueError, match="degenerate"):
        ground_state(np.eye(2))
