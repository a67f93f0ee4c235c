"""tnqc.circuits: Trotter circuits, export to Qiskit/hardware, backends and the ``tnqc`` CLI."""

__all__: list[str] = []
