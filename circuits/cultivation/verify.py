"""Noiseless checks of cultivation circuits, including a state-vector run with real T gates.

* :func:`check_deterministic` - stim's detector error model builds (every detector and
  observable is deterministic without noise) and a noiseless sample never fires.
* :func:`simulate_with_t` - an independent NumPy state-vector simulator runs the
  circuit with every ``S[T]`` / ``S_DAG[T_DAG]`` replaced by the real T / T-dagger,
  sampling every mid-circuit measurement at random with the Born rule.  It returns the
  detector parities of each shot (they must all be 0: the checks are deterministic on the
  true T state too) and the final data state's expectation of the logical ``H_XY``
  (``+-1`` for ``T|+>_L``).  Small circuits only (the d = 3 stages, 14-15 qubits).

Qubit order of the state vector: stim qubit ``q`` is bit ``q`` (little-endian).

Example
-------
>>> from circuits.cultivation import injection_circuit
>>> from circuits.cultivation.verify import check_deterministic
>>> check_deterministic(injection_circuit())  # raises ValueError if a detector is random
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import stim

__all__ = ["TSimulation", "check_deterministic", "simulate_with_t"]

_T = np.diag([1, np.exp(1j * np.pi / 4)])
_GATES = {
    "H": np.array([[1, 1], [1, -1]]) / np.sqrt(2),
    "S": np.diag([1, 1j]),
    "S_DAG": np.diag([1, -1j]),
    "X": np.array([[0, 1], [1, 0]]),
    "Z": np.diag([1, -1]),
}
_PAULI = {"X": _GATES["X"], "Y": np.array([[0, -1j], [1j, 0]]), "Z": _GATES["Z"]}


def check_deterministic(circuit: stim.Circuit, shots: int = 64) -> None:
    """Raise ``ValueError`` unless all detectors and observables are noiselessly fixed."""
    try:
        circuit.detector_error_model()
    except ValueError as exc:
        raise ValueError(f"non-deterministic detector or observable: {exc}") from exc
    dets, obs = circuit.compile_detector_sampler(seed=0).sample(
        shots, separate_observables=True)
    if dets.any() or obs.any():
        raise ValueError("a noiseless sample fired a detector or flipped an observable")


@dataclass(frozen=True)
class TSimulation:
    """Result of :func:`simulate_with_t`.

    Attributes
    ----------
    detector_parities
        ``(shots, num_detectors)`` parities of the detectors whose measurements all come
        before the ideal readout.
    logical_hxy
        ``<H_XY^{(x)n}>`` of the data before the ideal readout, per shot.
    stabilizers
        ``<X_p>`` and ``<Z_p>`` of every plaquette, per shot (all +1 for a code state).
    """

    detector_parities: np.ndarray
    logical_hxy: np.ndarray
    stabilizers: np.ndarray


def mpp_products(ins: stim.CircuitInstruction) -> list[list[tuple[str, int]]]:
    """Split an ``MPP`` instruction into its Pauli products."""
    out: list[list[tuple[str, int]]] = []
    joined = False
    for t in ins.targets_copy():
        if t.is_combiner:
            joined = True
            continue
        pauli = "X" if t.is_x_target else "Y" if t.is_y_target else "Z"
        if joined and out:
            out[-1].append((pauli, t.value))
        else:
            out.append([(pauli, t.value)])
        joined = False
    return out


class _State:
    def __init__(self, n: int, rng: np.random.Generator):
        self.n = n
        self.psi = np.zeros((2,) * n, dtype=complex)
        self.psi[(0,) * n] = 1
        self.rng = rng

    def _axis(self, q: int) -> int:
        return self.n - 1 - q  # little-endian: qubit q is bit q

    def gate1(self, u: np.ndarray, q: int) -> None:
        ax = self._axis(q)
        self.psi = np.moveaxis(np.tensordot(u, self.psi, axes=([1], [ax])), 0, ax)

    def cx(self, c: int, t: int) -> None:
        idx = [slice(None)] * self.n
        idx[self._axis(c)] = 1
        sub = self.psi[tuple(idx)]
        ax_t = self._axis(t) - (1 if self._axis(t) > self._axis(c) else 0)
        self.psi[tuple(idx)] = np.flip(sub, axis=ax_t)

    def measure_z(self, q: int) -> int:
        ax = self._axis(q)
        p1 = float(np.sum(np.abs(np.take(self.psi, 1, axis=ax)) ** 2))
        bit = int(self.rng.random() < p1)
        idx = [slice(None)] * self.n
        idx[ax] = 1 - bit
        self.psi[tuple(idx)] = 0
        self.psi /= np.linalg.norm(self.psi)
        return bit

    def reset(self, q: int) -> None:
        if self.measure_z(q):
            self.gate1(_GATES["X"], q)

    def expect(self, paulis: list[tuple[str, int]]) -> float:
        phi = self.psi.copy()
        for p, q in paulis:
            ax = self._axis(q)
            phi = np.moveaxis(np.tensordot(_PAULI[p], phi, axes=([1], [ax])), 0, ax)
        return float(np.real(np.vdot(self.psi, phi)))


def simulate_with_t(circuit: stim.Circuit, shots: int = 4, seed: int = 0,
                    t_gates: bool = True) -> TSimulation:
    """Run the noiseless circuit on a state vector with real T gates (see module doc).

    Parameters
    ----------
    circuit
        A noiseless cultivation circuit with at most 20 qubits.
    shots
        Independent runs (mid-circuit results are random).
    seed
        Seed of the measurement sampling.
    t_gates
        ``False`` keeps the S proxy (for comparing with stim).
    """
    if circuit.num_qubits > 20:
        raise ValueError(f"circuit has {circuit.num_qubits} qubits; at most 20 are simulated")
    rng = np.random.default_rng(seed)
    ops = list(circuit.flattened())
    # detectors as absolute measurement indices
    detectors: list[list[int]] = []
    count = 0
    for ins in ops:
        if ins.name == "DETECTOR":
            detectors.append([count + t.value for t in ins.targets_copy()])
        elif ins.name not in ("TICK", "QUBIT_COORDS", "OBSERVABLE_INCLUDE", "SHIFT_COORDS"):
            count += stim.Circuit(str(ins)).num_measurements
    first_ideal = next((k for k, ins in enumerate(ops) if ins.tag == "ideal"), len(ops))
    readout = [prod for ins in ops[first_ideal:] if ins.name == "MPP"
               for prod in mpp_products(ins)]
    data = sorted(q for _, q in readout[-1]) if readout else []
    num_before = sum(stim.Circuit(str(ins)).num_measurements for ins in ops[:first_ideal]
                     if stim.gate_data(ins.name).produces_measurements)
    usable = [d for d in detectors if max(d) < num_before]
    parities = np.zeros((shots, len(usable)), dtype=np.uint8)
    hxy = np.zeros(shots)
    stabs = []
    for s in range(shots):
        st = _State(circuit.num_qubits, rng)
        record: list[int] = []
        for ins in ops[:first_ideal]:
            name = ins.name
            qs = [t.value for t in ins.targets_copy()]
            if name in ("TICK", "QUBIT_COORDS", "DETECTOR", "OBSERVABLE_INCLUDE"):
                continue
            if name in ("S", "S_DAG") and t_gates and ins.tag in ("T", "T_DAG"):
                u = _T if ins.tag == "T" else _T.conj().T
                for q in qs:
                    st.gate1(u, q)
            elif name in _GATES:
                for q in qs:
                    st.gate1(_GATES[name], q)
            elif name == "CX":
                for c, t in zip(qs[::2], qs[1::2], strict=True):
                    st.cx(c, t)
            elif name in ("R", "RZ"):
                for q in qs:
                    st.reset(q)
            elif name == "RX":
                for q in qs:
                    st.reset(q)
                    st.gate1(_GATES["H"], q)
            elif name in ("M", "MZ"):
                record += [st.measure_z(q) for q in qs]
            elif name == "MX":
                for q in qs:
                    st.gate1(_GATES["H"], q)
                    record.append(st.measure_z(q))
                    st.gate1(_GATES["H"], q)
            else:
                raise ValueError(f"simulate_with_t does not support {name}")
        for k, d in enumerate(usable):
            parities[s, k] = np.bitwise_xor.reduce([record[i] for i in d])
        if data:
            # <H_XY^{(x)n}> = <T^{(x)n} X^{(x)n} T^dag^{(x)n}>: rotate by T^dag, measure X
            rotated = _State(st.n, rng)
            rotated.psi = st.psi.copy()
            if t_gates:
                for q in data:
                    rotated.gate1(_T.conj().T, q)
                hxy[s] = rotated.expect([("X", q) for q in data])
            else:
                hxy[s] = st.expect([("Y", q) for q in data])
            stabs.append([st.expect(prod) for prod in readout[:-1]])
    return TSimulation(parities, hxy, np.array(stabs))
