"""Target states for pulse-level state preparation: molecular ground states, transitions, MPS.

Molecular qubit Hamiltonians are written out as Pauli sums with their provenance, and their
ground states are computed here with ``numpy.linalg.eigh`` (nothing is downloaded).  Pauli
labels use **qiskit's order**: the rightmost character acts on qubit 0, so that a label
reads like qiskit's ``SparsePauliOp``; the dense matrices follow tnqc's little-endian
convention (qubit 0 is the least significant bit of the index), as qiskit's do.

Molecules (:data:`MOLECULES`), each with its Hartree-Fock bitstring (:attr:`Molecule.hf_state`,
the default initial state of :func:`molecule_target`):

``"h2"``, ``"heh+"``, ``"lih"``
    The molecules of ctrl-VQE (Meitei et al., npj Quantum Inf. 7, 155 (2021)), whose authors
    co-wrote Long et al. (2024): the geometries and qubit encoding of their code ``ctrlq``
    (``mole/molecule.py``): PySCF RHF / STO-3G, parity mapping with two-qubit reduction;
    H2 at 0.75 Å, HeH+ at 1.0 Å (charge +1), LiH at 1.5 Å with MO 0 frozen and the MOs
    -3, -2 removed (3 active spatial orbitals, 2 electrons: 4 qubits).  The initial state of
    ``ctrlq`` is the Hartree-Fock state, "|0>|1>" (2 qubits) and "|0>|0>|1>|1>" (4 qubits) in
    Kronecker order, i.e. basis index 1 and 3 (bitstrings ``"10"`` and ``"1100"`` here).
    Coefficients generated offline with pyscf 2.14 + numpy (Jordan-Wigner matrices, parity
    basis permutation, projection onto the sector Z_{n/2-1} = (-1)^{N_alpha},
    Z_{n-1} = (-1)^{N} and Pauli decomposition; |c| > 1e-10 kept); the same script reproduces
    the Qiskit H2 coefficients of ``"h2-0.735"`` to 1e-14.  Whether Long et al. used exactly
    these geometries is an assumption (their Hamiltonians are not in the abstract).

``"h2-0.735"``
    H2, STO-3G, bond length 0.735 Å, parity mapping with two-qubit reduction (2 qubits).
    Coefficients as published in Qiskit's test suite and tutorials (e.g.
    ``test/python/algorithms/test_vqd.py`` of qiskit-terra 0.2x, which also states the
    electronic ground energy -1.85727503 Ha); nuclear repulsion 0.7199689944 Ha gives the
    total ground energy -1.137306 Ha (the STO-3G FCI value at this length).

Other targets: :func:`transition` (arbitrary normalised start and target vectors) and
:func:`mps_target` (the dense vector of an ``mps.MPS``, small ``n``).

Example
-------
>>> import numpy as np
>>> from circuits.pulse.targets import ground_state, molecule_hamiltonian
>>> e, psi = ground_state(molecule_hamiltonian("h2-0.735"))
>>> round(e, 8)
-1.85727503
>>> psi.shape, round(float(np.linalg.norm(psi)), 12)
((4,), 1.0)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .grape import check_state

__all__ = [
    "MOLECULES",
    "UNAVAILABLE_MOLECULES",
    "Molecule",
    "Target",
    "basis_state",
    "ground_state",
    "molecule_hamiltonian",
    "molecule_target",
    "mps_target",
    "pauli_hamiltonian",
    "resolve_target",
    "transition",
]

_PAULI = {
    "I": np.eye(2, dtype=complex),
    "X": np.array([[0, 1], [1, 0]], dtype=complex),
    "Y": np.array([[0, -1j], [1j, 0]], dtype=complex),
    "Z": np.diag([1.0 + 0j, -1.0]),
}


@dataclass(frozen=True)
class Molecule:
    """A molecular qubit Hamiltonian with its provenance.

    Attributes
    ----------
    name : str
    n_qubits : int
    terms : tuple of (str, float)
        Pauli labels (qiskit order: rightmost character = qubit 0) and coefficients (Ha).
    nuclear_repulsion : float
        Constant added to give the total energy (Ha); not part of ``terms``.
    reference_energy : float
        Lowest eigenvalue of ``terms`` (electronic energy, Ha) as published or generated.
    source : str
    hf_state : str
        Hartree-Fock bitstring in site order (character i = qubit i): the default start.
    """

    name: str
    n_qubits: int
    terms: tuple[tuple[str, float], ...]
    nuclear_repulsion: float
    reference_energy: float
    source: str
    hf_state: str = ""


MOLECULES: dict[str, Molecule] = {
    "h2": Molecule(
        name="h2",
        n_qubits=2,
        terms=(
        ("II", -1.0554030320779275), ("IZ", 0.3887475880915999), ("XX", 0.18177153657730483),
        ("ZI", -0.3887475880915999), ("ZZ", -0.011177144762525626),
        ),
        nuclear_repulsion=0.70556961456,
        reference_energy=-1.8426866819057302,
        source="H2 STO-3G, R = 0.75 Å, parity mapping + two-qubit reduction, as ctrlq "
        "(ctrl-VQE) mole/molecule.py h2(); generated with pyscf 2.14; total ground energy "
        "-1.13711707 Ha",
        hf_state="10",
    ),
    "heh+": Molecule(
        name="heh+",
        n_qubits=2,
        terms=(
        ("II", -3.0450609163036653), ("IX", 0.11926139431022284), ("IZ", 0.5025808481592511),
        ("XI", 0.11926139431022284), ("XX", 0.11714605533201204), ("XZ", 0.11926139430759089),
        ("ZI", -0.5025808481592512), ("ZX", -0.11926139430759089), ("ZZ", -0.13894711245393987),
        ),
        nuclear_repulsion=1.05835442184,
        reference_energy=-3.9185595444197983,
        source="HeH+ STO-3G, R = 1.0 Å, charge +1, parity mapping + two-qubit reduction, as "
        "ctrlq (ctrl-VQE) mole/molecule.py hehp(); generated with pyscf 2.14; total ground "
        "energy -2.86020512 Ha",
        hf_state="10",
    ),
    "lih": Molecule(
        name="lih",
        n_qubits=4,
        terms=(
        ("IIII", -0.19975412837296375), ("IIIX", 0.0027341073552160427),
        ("IIIZ", -0.09179660691772373), ("IIXI", 0.019577653865279113),
        ("IIXX", -0.0003098951053675178), ("IIXZ", 0.019577653865279113),
        ("IIYY", 0.0003098951053675178), ("IIZI", 0.3713564037664145),
        ("IIZX", -0.0027341073552160427), ("IIZZ", -0.2119593401838085),
        ("IXII", 0.002734107355216043), ("IXIX", 0.003034656793326764),
        ("IXIZ", 0.011733623825002098), ("IXXI", 0.0021111376268069405),
        ("IXXX", -0.008373361376793367), ("IXXZ", 0.0021111376268069405),
        ("IXYY", 0.008373361376793367), ("IXZI", -0.010540187336966031),
        ("IXZX", -0.003034656793326764), ("IXZZ", -0.0015406700605581271),
        ("IZII", 0.09179660691772368), ("IZIX", -0.011733623825002096),
        ("IZIZ", -0.12357087228721403), ("IZXI", -0.012733913933552792),
        ("IZXX", 0.03305872861846601), ("IZXZ", -0.012733913933552792),
        ("IZYY", -0.03305872861846601), ("IZZI", 0.11433954687963971),
        ("IZZX", 0.011733623825002096), ("IZZZ", -0.05665606751632504),
        ("XIII", 0.019577653865279113), ("XIIX", 0.0021111376268069405),
        ("XIIZ", 0.012733913933552794), ("XIXI", 0.006575744874300508),
        ("XIXX", -0.007764441147916274), ("XIXZ", 0.006575744874300508),
        ("XIYY", 0.007764441147916274), ("XIZI", -0.010889407669769906),
        ("XIZX", -0.0021111376268069405), ("XIZZ", -0.009012042793571096),
        ("XXII", -0.0003098951053675178), ("XXIX", -0.008373361376793367),
        ("XXIZ", -0.03305872861846601), ("XXXI", -0.007764441147916274),
        ("XXXX", 0.030738327198789078), ("XXXZ", -0.007764441147916274),
        ("XXYY", -0.030738327198789078), ("XXZI", 0.03511677043004553),
        ("XXZX", 0.008373361376793367), ("XXZZ", 0.0023679369354493093),
        ("XZII", -0.019577653865279113), ("XZIX", -0.0021111376268069405),
        ("XZIZ", -0.012733913933552794), ("XZXI", -0.006575744874300508),
        ("XZXX", 0.007764441147916274), ("XZXZ", -0.006575744874300508),
        ("XZYY", -0.007764441147916274), ("XZZI", 0.010889407669769906),
        ("XZZX", 0.0021111376268069405), ("XZZZ", 0.009012042793571096),
        ("YYII", 0.0003098951053675178), ("YYIX", 0.008373361376793367),
        ("YYIZ", 0.03305872861846601), ("YYXI", 0.007764441147916274),
        ("YYXX", -0.030738327198789078), ("YYXZ", 0.007764441147916274),
        ("YYYY", 0.030738327198789078), ("YYZI", -0.03511677043004553),
        ("YYZX", -0.008373361376793367), ("YYZZ", -0.0023679369354493093),
        ("ZIII", -0.3713564037664145), ("ZIIX", 0.010540187336966031),
        ("ZIIZ", 0.1143395468796397), ("ZIXI", 0.010889407669769906),
        ("ZIXX", -0.03511677043004553), ("ZIXZ", 0.010889407669769906),
        ("ZIYY", 0.03511677043004553), ("ZIZI", -0.11409163503932153),
        ("ZIZX", -0.010540187336966031), ("ZIZZ", 0.06050560563946887),
        ("ZXII", 0.002734107355216043), ("ZXIX", 0.003034656793326764),
        ("ZXIZ", 0.011733623825002098), ("ZXXI", 0.0021111376268069405),
        ("ZXXX", -0.008373361376793367), ("ZXXZ", 0.0021111376268069405),
        ("ZXYY", 0.008373361376793367), ("ZXZI", -0.010540187336966031),
        ("ZXZX", -0.003034656793326764), ("ZXZZ", -0.0015406700605581271),
        ("ZZII", -0.21195934018380852), ("ZZIX", -0.001540670060558128),
        ("ZZIZ", 0.056656067516325084), ("ZZXI", -0.009012042793571096),
        ("ZZXX", 0.0023679369354493093), ("ZZXZ", -0.009012042793571096),
        ("ZZYY", -0.0023679369354493093), ("ZZZI", -0.06050560563946887),
        ("ZZZX", 0.001540670060558128), ("ZZZZ", 0.08470391803538553),
        ),
        nuclear_repulsion=-6.781951626946071,
        reference_energy=-1.0990640887008267,
        source="LiH STO-3G, R = 1.5 Å, MO 0 frozen, MOs -3, -2 removed, parity mapping + "
        "two-qubit reduction, as ctrlq (ctrl-VQE) mole/molecule.py lih(); generated with "
        "pyscf 2.14; constant = nuclear repulsion + frozen-core energy; total ground energy "
        "-7.88101572 Ha",
        hf_state="1100",
    ),
    "h2-0.735": Molecule(
        name="h2-0.735",
        n_qubits=2,
        terms=(
            ("II", -1.052373245772859),
            ("IZ", 0.39793742484318045),
            ("ZI", -0.39793742484318045),
            ("ZZ", -0.01128010425623538),
            ("XX", 0.18093119978423156),
        ),
        nuclear_repulsion=0.7199689944,
        reference_energy=-1.85727503,
        source="H2 STO-3G, R = 0.735 Å, parity mapping + two-qubit reduction; coefficients "
        "and electronic ground energy as in Qiskit's test suite (test_vqd.py, "
        "test_estimator.py) and tutorials",
        hf_state="10",
    ),
}
"""Molecules with their qubit Hamiltonians (see the module docstring)."""

UNAVAILABLE_MOLECULES: dict[str, str] = {}
"""Molecule names known but without a Hamiltonian (reason); empty since HeH+ and LiH exist."""


def pauli_hamiltonian(terms: Mapping[str, float] | object, n_qubits: int | None = None):
    """Dense Hermitian matrix of a Pauli sum ``Σ c_P P`` (labels in qiskit order).

    Parameters
    ----------
    terms : mapping or sequence of (label, coefficient)
    n_qubits : int, optional
        Checked against the label lengths.

    Example
    -------
    >>> import numpy as np
    >>> h = pauli_hamiltonian({"IZ": 1.0})  # Z on qubit 0 (the least significant bit)
    >>> np.diag(h).real.tolist()
    [1.0, -1.0, 1.0, -1.0]
    """
    items = list(terms.items()) if isinstance(terms, Mapping) else list(terms)
    if not items:
        raise ValueError("terms must contain at least one (label, coefficient) pair")
    n = len(items[0][0])
    if n_qubits is not None and n != n_qubits:
        raise ValueError(f"terms act on {n} qubits, expected n_qubits = {n_qubits}")
    h = np.zeros((2**n, 2**n), dtype=complex)
    for label, coeff in items:
        if not isinstance(label, str) or len(label) != n or set(label) - set(_PAULI):
            raise ValueError(f"Pauli labels must be strings of {n} characters from IXYZ, "
                             f"got {label!r}")
        c = complex(coeff)
        if abs(c.imag) > 0 or not np.isfinite(c.real):
            raise ValueError(f"coefficient of {label} must be real and finite, got {coeff!r}")
        op = np.ones((1, 1), dtype=complex)
        for ch in label:  # leftmost = most significant qubit = np.kron's left factor
            op = np.kron(op, _PAULI[ch])
        h += c.real * op
    return h


def molecule_hamiltonian(name: str) -> np.ndarray:
    """Dense qubit Hamiltonian (Ha, electronic part) of a molecule in :data:`MOLECULES`."""
    return pauli_hamiltonian(_molecule(name).terms)


def _molecule(name: str) -> Molecule:
    if not isinstance(name, str):
        raise TypeError(f"target must be a string, got {type(name).__name__}")
    key = name.lower()
    if key in UNAVAILABLE_MOLECULES:
        raise ValueError(f"target {name!r} is not available: {UNAVAILABLE_MOLECULES[key]}")
    if key not in MOLECULES:
        raise ValueError(f"unknown target {name!r}; known molecules: {sorted(MOLECULES)}")
    return MOLECULES[key]


def ground_state(h: object) -> tuple[float, np.ndarray]:
    """Lowest eigenvalue and eigenvector of a Hermitian matrix (``numpy.linalg.eigh``).

    The vector's phase is fixed so that its largest-magnitude amplitude is real > 0.
    A degenerate ground space raises ``ValueError`` (the target would be ambiguous).
    """
    h = np.asarray(h, dtype=complex)
    if h.ndim != 2 or h.shape[0] != h.shape[1] or not np.allclose(h, h.conj().T, atol=1e-12):
        raise ValueError(f"h must be a square Hermitian matrix, got shape {h.shape}")
    w, v = np.linalg.eigh(h)
    if len(w) > 1 and w[1] - w[0] < 1e-9 * max(1.0, abs(w[0])):
        raise ValueError("the ground state is degenerate: the target is not unique")
    psi = v[:, 0]
    k = int(np.argmax(np.abs(psi)))
    psi = psi * (abs(psi[k]) / psi[k])
    return float(w[0]), psi


def basis_state(bits: str) -> np.ndarray:
    """Computational basis state from a bitstring in **site order** (character i = qubit i).

    Example
    -------
    >>> basis_state("10").tolist()  # qubit 0 in |1>: index 1
    [0j, (1+0j), 0j, 0j]
    """
    if not isinstance(bits, str) or not bits or set(bits) - {"0", "1"}:
        raise ValueError(f"initial state must be a bitstring of '0' and '1', got {bits!r}")
    v = np.zeros(2 ** len(bits), dtype=complex)
    v[sum(int(b) << i for i, b in enumerate(bits))] = 1.0
    return v


@dataclass(frozen=True)
class Target:
    """A state-preparation task: ``psi0 -> target`` on ``n_qubits``, with a description."""

    name: str
    psi0: np.ndarray
    target: np.ndarray
    description: str
    energy: float | None = None

    @property
    def n_qubits(self) -> int:
        return int(self.target.size).bit_length() - 1


def molecule_target(name: str, initial: str | None = None) -> Target:
    """Ground state of a molecule from ``initial`` (bitstring; default its Hartree-Fock state,
    :attr:`Molecule.hf_state`, as in ctrl-VQE)."""
    mol = _molecule(name)
    e, psi = ground_state(pauli_hamiltonian(mol.terms))
    psi0 = basis_state(initial if initial is not None else (mol.hf_state or "0" * mol.n_qubits))
    if psi0.size != psi.size:
        raise ValueError(f"initial state must have {mol.n_qubits} bits for {name}, "
                         f"got {initial!r}")
    return Target(mol.name, psi0, psi, mol.source, e)


def transition(psi0: object, target: object) -> Target:
    """An arbitrary transition between two normalised vectors of the same length ``2^n``."""
    t = np.asarray(target, dtype=complex)
    dim = t.shape[0] if t.ndim == 1 else -1
    if dim < 2 or dim & (dim - 1):
        raise ValueError(f"target must be a vector of 2^n amplitudes (n >= 1), got shape "
                         f"{t.shape}")
    return Target("transition", check_state(psi0, dim, "psi0"), check_state(t, dim, "target"),
                  "arbitrary state transition")


def mps_target(state: object, initial: str | None = None) -> Target:
    """Target from an ``mps.MPS`` (dense, little-endian; at most 10 qubits)."""
    from mps import MPS

    if not isinstance(state, MPS):
        raise TypeError(f"state must be an mps.MPS, got {type(state).__name__}")
    n = state.n
    if n > 10:
        raise ValueError(f"MPS targets are limited to n <= 10 qubits, got n = {n}")
    psi = np.asarray(state.to_dense(), dtype=complex)
    psi = psi / np.linalg.norm(psi)
    return Target("mps", basis_state(initial or "0" * n), psi, f"MPS state on {n} sites")


def resolve_target(name: str, initial: str | None = None) -> Target:
    """A named target: a molecule (``"h2"``) or ``"bell"`` (from ``|00>``).

    Unknown names raise ``ValueError`` naming the argument ``target``.
    """
    if not isinstance(name, str):
        raise TypeError(f"target must be a string, got {type(name).__name__}")
    key = name.lower()
    if key == "bell":
        t = np.zeros(4, dtype=complex)
        t[[0, 3]] = 2**-0.5
        return Target("bell", basis_state(initial or "00"), t, "(|00> + |11>)/sqrt(2)")
    return molecule_target(key, initial)
