"""SpinChain: Pauli-convention terms, sparse/qiskit conversions, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import PAULI, dense_hamiltonian, kron_op

from mps import SpinChain, heisenberg, ising, xxz


def _random_chain(n, rng):
    return SpinChain(
        n,
        jx=rng.normal(size=n - 1),
        jy=rng.normal(size=n - 1),
        jz=rng.normal(size=n - 1),
        hx=rng.normal(size=n),
        hy=rng.normal(size=n),
        hz=rng.normal(size=n),
    )


def test_constructors_are_pauli_convention():
    h = heisenberg(3, j=0.7)
    assert h.jx == h.jy == h.jz == (0.7, 0.7)
    assert h.hx == h.hy == h.hz == (0.0, 0.0, 0.0)
    x = xxz(4, jxy=1.0, jz=0.5, hz=0.2)
    assert x.jx == (1.0,) * 3 and x.jz == (0.5,) * 3 and x.hz == (0.2,) * 4
    s = ising(3, j=-1.0, hx=-0.5)
    assert s.jz == (-1.0, -1.0) and s.hx == (-0.5,) * 3 and s.jx == (0.0, 0.0)


def test_two_site_heisenberg_spectrum():
    # J (XX+YY+ZZ) = 4J S.S: singlet at -3J, triplet at +J.
    evals = np.linalg.eigvalsh(heisenberg(2, j=1.0).to_sparse().toarray())
    np.testing.assert_allclose(evals, [-3, 1, 1, 1], atol=1e-12)


def test_sparse_matches_kron_reference(rng):
    chain = _random_chain(5, rng)
    np.testing.assert_allclose(chain.to_sparse().toarray(), dense_hamiltonian(chain), atol=1e-12)


def test_sparse_pauli_op_matches_kron_reference(rng):
    chain = _random_chain(4, rng)
    op = chain.to_sparse_pauli_op()
    assert op.num_qubits == 4
    np.testing.assert_allclose(op.to_matrix(), dense_hamiltonian(chain), atol=1e-12)


def test_little_endian_field_on_qubit_zero():
    # A field on site 0 only must act on the least significant bit.
    chain = SpinChain(3, hz=[1.0, 0.0, 0.0])
    diag = chain.to_sparse().diagonal().real
    expected = [1 - 2 * (k & 1) for k in range(8)]
    np.testing.assert_allclose(diag, expected)


def test_bond_terms_sum_to_hamiltonian(rng):
    chain = _random_chain(5, rng)
    n = chain.n
    total = np.zeros((2**n, 2**n), dtype=complex)
    for i in range(n - 1):
        hb = chain.bond_hamiltonian(i).reshape(2, 2, 2, 2)  # (out_i, out_j, in_i, in_j)
        # embed: expand into Pauli basis of the two sites
        for a in "IXYZ":
            for b in "IXYZ":
                c = np.einsum("abcd,ca,db->", hb, PAULI[a], PAULI[b]) / 4
                if abs(c) > 1e-14:
                    total += c * kron_op({i: PAULI[a], i + 1: PAULI[b]}, n)
    np.testing.assert_allclose(total, dense_hamiltonian(chain), atol=1e-12)


def test_dict_round_trip(rng):
    chain = _random_chain(4, rng)
    assert SpinChain.from_dict(chain.to_dict()) == chain
    with pytest.raises(ValueError, match="unknown SpinChain keys"):
        SpinChain.from_dict({"n": 3, "bogus": 1})


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"n": 1}, ValueError, "n must be >= 2"),
        ({"n": 2.0}, TypeError, "n must be an integer"),
        ({"n": True}, TypeError, "n must be an integer"),
        ({"n": 3, "jz": [1.0, np.nan]}, ValueError, "jz must be finite"),
        ({"n": 3, "hx": [0.0, np.inf, 0.0]}, ValueError, "hx must be finite"),
        ({"n": 3, "jx": [1.0, 2.0, 3.0]}, ValueError, "jx must have length 2"),
        ({"n": 3, "hz": "abc"}, TypeError, "hz must be a real number"),
        ({"n": 3, "jy": [1j, 0]}, TypeError, "jy must be real"),
    ],
)
def test_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        SpinChain(**kwargs)


def test_bad_constructor_input():
    with pytest.raises(ValueError, match="n must be >= 2"):
        heisenberg(1)
    with pytest.raises(ValueError, match="finite"):
        xxz(4, jxy=float("nan"), jz=1.0)
    with pytest.raises(ValueError, match="n must be <="):
        heisenberg(30).to_sparse()
