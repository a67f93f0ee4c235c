"""MPS: constructors, conventions, canonical forms, observables, conversions, save/load."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest
from conftest import PAULI, kron_op, random_mps_tensors
from qiskit import QuantumCircuit
from qiskit.quantum_info import Statevector

from mps import MPS


@pytest.fixture
def psi(rng):
    return MPS(random_mps_tensors(7, 6, rng))


def _normalised_dense(state):
    v = state.to_dense()
    return v / np.linalg.norm(v)


def test_bitstring_is_site_order_and_dense_is_qiskit_little_endian():
    bits = "1101"
    qc = QuantumCircuit(4)
    for q, b in enumerate(bits):
        if b == "1":
            qc.x(q)
    np.testing.assert_allclose(MPS.from_bitstring(bits).to_dense(), Statevector(qc).data)


def test_big_endian_matches_quimb(psi):
    np.testing.assert_allclose(psi.to_dense("big"), psi.to_quimb().to_dense().ravel(), atol=1e-12)


def test_neel_and_zeros():
    np.testing.assert_allclose(MPS.neel(5).expect_z(), [1, -1, 1, -1, 1])
    np.testing.assert_allclose(MPS.neel(4, first="1").expect_z(), [-1, 1, -1, 1])
    np.testing.assert_allclose(MPS.zeros(3).expect_z(), [1, 1, 1])
    assert MPS.neel(6).bond_dims() == [1] * 5


def test_product_state():
    plus = np.array([1, 1]) / np.sqrt(2)
    st = MPS.product_state([plus, [1, 0], plus])
    np.testing.assert_allclose(st.expect("X"), [1, 0, 1], atol=1e-12)


def test_canonicalize_preserves_state_and_is_canonical(psi):
    ref = psi.to_dense()
    for c in (0, 3, 6):
        can = psi.canonicalize(c)
        np.testing.assert_allclose(can.to_dense(), ref, atol=1e-10)
        for i, t in enumerate(can.tensors):
            if i < c:
                m = t.reshape(-1, t.shape[2])
                np.testing.assert_allclose(m.conj().T @ m, np.eye(m.shape[1]), atol=1e-10)
            elif i > c:
                m = t.reshape(t.shape[0], -1)
                np.testing.assert_allclose(m @ m.conj().T, np.eye(m.shape[0]), atol=1e-10)


def test_norm_normalize_overlap(psi, rng):
    v = psi.to_dense()
    assert psi.norm() == pytest.approx(np.linalg.norm(v), rel=1e-12)
    assert psi.normalize().norm() == pytest.approx(1.0, abs=1e-12)
    other = MPS(random_mps_tensors(7, 3, rng))
    assert psi.overlap(other) == pytest.approx(np.vdot(v, other.to_dense()), rel=1e-10)


@pytest.mark.parametrize("op", ["X", "Y", "Z"])
def test_expectations_match_dense(psi, op):
    v = _normalised_dense(psi)
    ref = [np.vdot(v, kron_op({i: PAULI[op]}, 7) @ v).real for i in range(7)]
    np.testing.assert_allclose(psi.expect(op), ref, atol=1e-10)
    assert psi.expect(op, 4) == pytest.approx(ref[4], abs=1e-10)
    if op == "Z":
        np.testing.assert_allclose(psi.expect_z(), ref, atol=1e-10)


def test_non_hermitian_expectation_is_complex(psi):
    v = _normalised_dense(psi)
    ref = np.vdot(v, kron_op({2: np.array([[0, 1], [0, 0]], dtype=complex)}, 7) @ v)
    assert psi.expect("+", 2) == pytest.approx(ref, abs=1e-10)


def test_correlations_match_dense(psi):
    v = _normalised_dense(psi)
    n = 7

    def ref(a, b, i, j):
        if i == j:
            return np.vdot(v, kron_op({i: PAULI[a] @ PAULI[b]}, n) @ v)
        return np.vdot(v, kron_op({i: PAULI[a], j: PAULI[b]}, n) @ v)

    for i, j in [(0, 6), (2, 3), (5, 1), (4, 4)]:
        assert psi.correlation("Z", "X", i, j) == pytest.approx(ref("Z", "X", i, j), abs=1e-10)
    cm = psi.correlation_matrix("Z", "Z")
    full = np.array([[ref("Z", "Z", i, j) for j in range(n)] for i in range(n)])
    np.testing.assert_allclose(cm, full.real, atol=1e-10)
    cxy = psi.correlation_matrix("X", "Y")
    fxy = np.array([[ref("X", "Y", i, j) for j in range(n)] for i in range(n)])
    np.testing.assert_allclose(cxy, fxy, atol=1e-10)


def test_entanglement_entropy_matches_dense_schmidt(psi):
    v = _normalised_dense(psi)
    big = v.reshape((2,) * 7).transpose(range(6, -1, -1)).reshape(-1)  # site 0 most significant
    ents = psi.entanglement_entropy()
    for bond in range(6):
        s = np.linalg.svd(big.reshape(2 ** (bond + 1), -1), compute_uv=False)
        p = s[s > 1e-15] ** 2
        ref = -np.sum(p * np.log(p))
        assert ents[bond] == pytest.approx(ref, abs=1e-10)
        assert psi.entanglement_entropy(bond) == pytest.approx(ref, abs=1e-10)
        assert psi.entanglement_entropy(bond, base=2) == pytest.approx(ref / np.log(2), abs=1e-10)


def test_quimb_round_trip(psi):
    q = psi.to_quimb()
    back = MPS.from_quimb(q)
    np.testing.assert_allclose(back.to_dense(), psi.to_dense(), atol=1e-12)
    q.normalize()  # quimb's entropy assumes a normalised state
    # quimb's entropy(i) cuts left of site i (log base 2); ours cuts right of site `bond`.
    assert q.entropy(3) == pytest.approx(psi.entanglement_entropy(2, base=2), abs=1e-10)


def test_immutable(psi):
    with pytest.raises(ValueError, match="read-only"):
        psi.tensors[0][0, 0, 0] = 1.0
    with pytest.raises(TypeError):
        psi.metadata["x"] = 1


def test_save_load_bitwise_round_trip(psi, tmp_path):
    meta = {"model": {"name": "heisenberg", "n": 7}, "t": 0.1 + 0.2, "dt": 1 / 3, "note": "é"}
    st = psi.canonicalize(3).with_metadata(meta)
    path = st.save(tmp_path / "s.npz")
    back = MPS.load(path)
    assert back.n == st.n
    for a, b in zip(st.tensors, back.tensors, strict=True):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert a.tobytes() == b.tobytes()
    assert dict(back.metadata) == meta
    assert back.metadata["t"] == 0.1 + 0.2  # exact float round trip
    with pytest.raises(FileExistsError):
        st.save(path)
    st.save(path, overwrite=True)
    assert not list(tmp_path.glob(".*tmp"))  # no temp files left


def test_load_rejects_corrupt_and_foreign_files(psi, tmp_path):
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"this is not a zip file")
    with pytest.raises(ValueError, match="not a readable tnqc MPS file") as err:
        MPS.load(garbage)
    assert "allow_pickle" not in str(err.value)  # numpy's hint is not passed on
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, a=np.zeros(3))
    with pytest.raises(ValueError, match="not a tnqc MPS file"):
        MPS.load(foreign)
    good = psi.save(tmp_path / "good.npz")
    # truncate the file: a corrupt zip
    truncated = tmp_path / "trunc.npz"
    truncated.write_bytes(good.read_bytes()[:200])
    with pytest.raises(ValueError, match="not a readable tnqc MPS file"):
        MPS.load(truncated)
    # a header that lies about the shapes
    bad = tmp_path / "bad.npz"
    with np.load(good) as d:
        arrays = {k: d[k] for k in d.files}
    arrays["tensor_3"] = np.zeros((5, 2, 5), dtype=complex)
    np.savez(bad, **arrays)
    with pytest.raises(ValueError, match="corrupt"):
        MPS.load(bad)
    # wrong format name
    arrays["header"] = np.array(json.dumps({"format": "other", "format_version": 1, "n": 7}))
    np.savez(bad, **arrays)
    with pytest.raises(ValueError, match="not a tnqc MPS file"):
        MPS.load(bad)
    # a pickled object array is refused, not executed
    pick = tmp_path / "pickle.npz"
    np.savez(pick, header=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError):
        MPS.load(pick)
    with pytest.raises(FileNotFoundError):
        MPS.load(tmp_path / "missing.npz")
    assert zipfile.is_zipfile(good)


@pytest.mark.parametrize(
    ("bits", "exc", "match"),
    [
        ("0", ValueError, "n >= 2"),
        ("01a1", ValueError, "only '0' and '1'"),
        ("0 1", ValueError, "only '0' and '1'"),
        (101, TypeError, "must be a str"),
    ],
)
def test_bad_bitstrings(bits, exc, match):
    with pytest.raises(exc, match=match):
        MPS.from_bitstring(bits)


def test_bitstring_length_and_detection():
    with pytest.raises(ValueError, match="length n=5"):
        MPS.from_bitstring("0101", n=5)
    assert MPS.from_bitstring("0110", n=4).as_bitstring() == "0110"
    assert MPS.neel(5).as_bitstring() == "01010"
    plus = np.array([1, 1]) / np.sqrt(2)
    assert MPS.product_state([plus, [1, 0]]).as_bitstring() is None


def test_bad_input_messages(psi):
    with pytest.raises(ValueError, match="n must be >= 2"):
        MPS.neel(1)
    with pytest.raises(ValueError, match="n <= 20"):
        MPS.zeros(21).to_dense()
    with pytest.raises(ValueError, match="shape"):
        MPS([np.zeros((1, 3, 1)), np.zeros((1, 3, 1))])
    with pytest.raises(ValueError, match="bond mismatch"):
        MPS([np.zeros((1, 2, 2)), np.zeros((3, 2, 1))])
    with pytest.raises(ValueError, match="non-finite"):
        MPS([np.full((1, 2, 1), np.nan), np.ones((1, 2, 1))])
    with pytest.raises(ValueError, match="op must be one of"):
        psi.expect("Q")
    with pytest.raises(ValueError, match="site must be in"):
        psi.expect("Z", 7)
    with pytest.raises(ValueError, match="other has n=2"):
        psi.overlap(MPS.zeros(2))
    with pytest.raises(ValueError, match=r"\.npz"):
        psi.save("state.txt")
    with pytest.raises(ValueError, match="zero norm"):
        MPS([np.zeros((1, 2, 1)), np.ones((1, 2, 1))]).normalize()
