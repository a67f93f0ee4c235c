"""Magic-state injection on heavy-hex IBM processors (Kim, Sevior, Usman 2024).

Modules: :mod:`~circuits.injection.layout` (the rotated surface code with bridge qubits,
its checks, logicals and fold schedule, embedding into a coupling map, [[n, 1, d]]
checks), :mod:`~circuits.injection.schedule` (moments), :mod:`~circuits.injection.experiments`
(memory, injection and tomography circuits in stim),
:mod:`~circuits.injection.thresholds` (sinter sweeps, crossings, plots),
:mod:`~circuits.injection.hardware` (qiskit conversion, ISA circuits, Aer checks,
post-selection), :mod:`~circuits.injection.backend_noise` (a backend's calibration as stim
Pauli noise), :mod:`~circuits.injection.tomography` (post-selected logical tomography,
arbitrary states by linearity), :mod:`~circuits.injection.plots`,
:mod:`~circuits.injection.cli` (``tnqc inject``).

Conventions: stim qubit ``k`` is ``patch.qubits[k]`` (data, bridges, syndromes) and qiskit
qubit ``k`` before transpilation; ``|psi> = U3(theta, phi, 0)|0>``; noise models are the
values of :mod:`circuits.cultivation.noise`.

Example
-------
>>> from circuits.injection import heavy_hex_patch, memory_circuit
>>> patch = heavy_hex_patch(3)
>>> len(patch.qubits), memory_circuit(patch, "Z", rounds=3).num_detectors
(25, 32)
"""

from circuits.injection.experiments import (
    H_STATE,
    NAMED_STATES,
    T_STATE,
    TomographyCircuit,
    bloch_vector,
    injection_circuit,
    memory_circuit,
    state_angles,
    tomography_circuit,
)
from circuits.injection.layout import (
    OFFERED_DISTANCES,
    Embedding,
    HeavyHexPatch,
    code_parameters,
    embed,
    heavy_hex_coupling,
    heavy_hex_patch,
)

__all__ = [
    "H_STATE",
    "NAMED_STATES",
    "OFFERED_DISTANCES",
    "T_STATE",
    "Embedding",
    "HeavyHexPatch",
    "TomographyCircuit",
    "bloch_vector",
    "code_parameters",
    "embed",
    "heavy_hex_coupling",
    "heavy_hex_patch",
    "injection_circuit",
    "memory_circuit",
    "state_angles",
    "tomography_circuit",
]
