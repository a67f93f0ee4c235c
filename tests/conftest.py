"""Shared fixtures and independent references for the tests."""

from __future__ import annotations

import functools

import numpy as np
import pytest

PAULI = {
    "I": np.eye(2, dtype=complex),
    "X": np.array([[0, 1], [1, 0]], dtype=complex),
    "Y": np.array([[0, -1j], [1j, 0]], dtype=complex),
    "Z": np.array([[1, 0], [0, -1]], dtype=complex),
}


def kron_op(ops: dict[int, np.ndarray], n: int) -> np.ndarray:
    """Dense operator acting with ``ops[q]`` on qubit q, little-endian (qubit 0 least significant).

    Built with explicit Kronecker products, independently of the code under test:
    in ``np.kron(A, B)`` the left factor is the more significant one, so qubit
    n-1 goes first.
    """
    out = np.ones((1, 1), dtype=complex)
    for q in range(n - 1, -1, -1):
        out = np.kron(out, ops.get(q, PAULI["I"]))
    return out


@functools.lru_cache(maxsize=8)
def _dense_hamiltonian_cached(key):
    n, terms = key
    h = np.zeros((2**n, 2**n), dtype=complex)
    for label, qubits, coeff in terms:
        h += coeff * kron_op({q: PAULI[p] for p, q in zip(label, qubits, strict=True)}, n)
    return h


def dense_hamiltonian(chain) -> np.ndarray:
    """The chain's Hamiltonian from Kronecker products of its Pauli terms."""
    return _dense_hamiltonian_cached((chain.n, tuple(chain.pauli_terms())))


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def random_mps_tensors(n: int, chi: int, rng) -> list[np.ndarray]:
    """Random complex MPS tensors with bond dimension capped at chi (not normalised)."""
    dims = [1] + [min(chi, 2 ** min(i, n - i)) for i in range(1, n)] + [1]
    return [
        rng.normal(size=(dims[i], 2, dims[i + 1])) + 1j * rng.normal(size=(dims[i], 2, dims[i + 1]))
        for i in range(n)
    ]


def simulate_with_quimb(qc, max_bond=None):
    """Run a qiskit circuit gate by gate in quimb's ``CircuitMPS`` (an independent simulator).

    qiskit's 2-qubit matrices have the first listed qubit least significant, quimb's
    most significant, so the qubits are passed to quimb in reverse order.  Returns
    the quimb MPS (site i = qubit i) and the circuit's global phase.
    """
    import quimb.tensor as qtn
    from qiskit.quantum_info import Operator

    circ = qtn.CircuitMPS(qc.num_qubits, max_bond=max_bond, cutoff=1e-14)
    for inst in qc.data:
        qubits = [qc.find_bit(q).index for q in inst.qubits]
        mat = Operator(inst.operation).data
        circ.apply_gate_raw(mat, tuple(reversed(qubits)), contract="swap+split")
    return circ.psi, float(qc.global_phase)
