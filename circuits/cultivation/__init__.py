"""Magic-state cultivation (Gidney, Shutty, Jones 2024) with stim, sinter and pymatching.

Modules: :mod:`~circuits.cultivation.layout` (colour codes on the square grid),
:mod:`~circuits.cultivation.stages` (gate layers of each stage),
:mod:`~circuits.cultivation.layers` (compilation to stim, derived detectors),
:mod:`~circuits.cultivation.escape_codes` / :mod:`~circuits.cultivation.escape` (escape
into a grafted matchable surface code), :mod:`~circuits.cultivation.decoding` (matching
with a complementary gap),
:mod:`~circuits.cultivation.protocols` (public circuit builders),
:mod:`~circuits.cultivation.rp2_codes` / :mod:`~circuits.cultivation.rp2` (the RP^2 variant:
RP3/RP5 codes, self-dual SRP-3/SRP-5, morphing, checks), :mod:`~circuits.cultivation.rp2_escape`
(its one-round expansion into a rotated surface code),
:mod:`~circuits.cultivation.noise` (noise models as values),
:mod:`~circuits.cultivation.sampling` (post-selected sampling, statistics, sinter tasks),
:mod:`~circuits.cultivation.verify` (noiseless checks, T-gate state-vector simulation),
:mod:`~circuits.cultivation.export` (.stim, .dem, OpenQASM 3, qiskit, plots).

Conventions: qubits are grid points ``x + iy`` (``QUBIT_COORDS(x, y)``), numbered by
``(x, y)``; T gates are simulated by the Clifford proxy ``S[T]`` / ``S_DAG[T_DAG]``; the
observable is ``Y_L`` on all data qubits; probabilities are per operation.

Example
-------
>>> from circuits.cultivation import cultivation_circuit, sample, uniform_depolarizing
>>> circuit = cultivation_circuit(3, noise=uniform_depolarizing(1e-3))
>>> stats = sample(circuit, 10_000, seed=7)
>>> stats.shots
10000
"""

from circuits.cultivation.decoding import GapDecoder
from circuits.cultivation.layout import OFFERED_DISTANCES, ColorCode, color_code
from circuits.cultivation.noise import (
    NOISE_MODELS,
    NoiseModel,
    apply_noise,
    noise_model,
    si1000,
    uniform_depolarizing,
)
from circuits.cultivation.protocols import (
    CULTIVATION_DISTANCES,
    cultivation_circuit,
    end_to_end_circuit,
    injection_circuit,
)
from circuits.cultivation.rp2 import rp2_cultivation_circuit
from circuits.cultivation.rp2_codes import RP2_DISTANCES
from circuits.cultivation.rp2_escape import rp2_end_to_end_circuit
from circuits.cultivation.sampling import (
    CultivationStats,
    collect,
    measurement_layers,
    postselection_mask,
    sample,
    sinter_task,
)

__all__ = [
    "CULTIVATION_DISTANCES",
    "NOISE_MODELS",
    "OFFERED_DISTANCES",
    "RP2_DISTANCES",
    "ColorCode",
    "CultivationStats",
    "GapDecoder",
    "NoiseModel",
    "apply_noise",
    "collect",
    "color_code",
    "cultivation_circuit",
    "end_to_end_circuit",
    "injection_circuit",
    "measurement_layers",
    "noise_model",
    "postselection_mask",
    "rp2_cultivation_circuit",
    "rp2_end_to_end_circuit",
    "sample",
    "si1000",
    "sinter_task",
    "uniform_depolarizing",
]
