"""tnqc.circuits: Trotter circuits, export to Qiskit/hardware, backends and the ``tnqc`` CLI.

Example
-------
>>> from mps import heisenberg
>>> from circuits.trotter import trotter_circuit
>>> qc = trotter_circuit(heisenberg(4), t=0.1, steps=1)  # qubit i = site i
>>> qc.num_qubits, qc.count_ops()["cx"]
(4, 15)
"""

__all__: list[str] = []
