"""Export circuits to QPY and OpenQASM 2/3 files.

Files
-----
* :func:`to_qpy` writes qiskit's binary QPY format (exact: gates, parameters
  and the global phase round-trip bitwise; read back with ``qiskit.qpy.load``).
* :func:`to_qasm3` / :func:`write_qasm3` give OpenQASM 3 text (qiskit's exporter
  plus a final ``gphase(...)`` statement carrying the global phase, which
  qiskit's exporter leaves out, as it does the phases of the gate definitions
  it writes, e.g. for ``ecr``).  Read back with ``qiskit.qasm3.loads`` or
  ``qiskit_qasm3_import.parse``: the statevector is the same, phase included.
* :func:`to_qasm2` / :func:`write_qasm2` give OpenQASM 2 text that uses only the
  gates of the standard ``qelib1.inc`` (``u3``, ``cx``, ``rz``, ...; qiskit's
  exporter writes ``u``, ``sx``, ``rzz``, ... which a strict reader such as
  ``qiskit.qasm2.loads`` rejects), so gates outside it are first rewritten,
  exactly, into it.  OpenQASM 2 cannot express a global phase; it is written as
  a comment, so a re-imported circuit equals the original up to that phase.

Files are written atomically (:mod:`mps.atomic`) and an existing file is
refused (``FileExistsError``) unless ``overwrite=True``.

ISA circuits for IBM backends are in :mod:`circuits.isa`.

Conventions: qubit ``i`` = MPS site ``i`` (qiskit little-endian), see the README.

Example
-------
>>> from circuits.export import to_qasm3, two_qubit_depth
>>> from circuits.trotter import trotter_circuit
>>> from mps import heisenberg
>>> qc = trotter_circuit(heisenberg(8, j=0.25), t=1.0, steps=2)
>>> to_qasm3(qc).splitlines()[0]
'OPENQASM 3.0;'
>>> two_qubit_depth(qc)  # 2 symmetric steps: 5 brick layers of 3-gate blocks
15
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mps.atomic import atomic_write, atomic_write_text

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

__all__ = [
    "QASM2_GATES",
    "QASM3_STDGATES",
    "to_qasm2",
    "to_qasm3",
    "to_qpy",
    "two_qubit_depth",
    "write_qasm2",
    "write_qasm3",
]

# The gates of the standard qelib1.inc of OpenQASM 2.0 (Cross et al., arXiv:1707.03429),
# plus the built-in non-unitary instructions; anything else is rewritten by to_qasm2.
QASM2_GATES = frozenset(
    {
        "u3", "u2", "u1", "cx", "id", "x", "y", "z", "h", "s", "sdg", "t", "tdg",
        "rx", "ry", "rz", "cz", "cy", "ch", "ccx", "crz", "cu1", "cu3",
        "measure", "reset", "barrier",
    }
)  # fmt: skip

# Gates qiskit's OpenQASM 3 exporter writes by name (the built-in U and the gates of
# stdgates.inc); any other gate is written as a ``gate`` definition from its qiskit definition,
# whose global phase the exporter drops (to_qasm3 adds those phases back).
QASM3_STDGATES = frozenset(
    {
        "u", "p", "x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "rx", "ry", "rz",
        "cx", "cy", "cz", "cp", "crx", "cry", "crz", "ch", "swap", "ccx", "cswap", "cu",
        "id", "u1", "u2", "u3",
    }
)  # fmt: skip

def _check_circuit(circuit: object) -> QuantumCircuit:
    from qiskit import QuantumCircuit

    if not isinstance(circuit, QuantumCircuit):
        raise TypeError(f"circuit must be a qiskit QuantumCircuit, got {type(circuit).__name__}")
    return circuit


def _numeric_phase(circuit: QuantumCircuit) -> float | None:
    """The global phase as a float, or None when it is symbolic."""
    try:
        return float(circuit.global_phase)
    except TypeError:
        return None


def _defined_gate_phase(circuit: QuantumCircuit, cache: dict[Any, float] | None = None) -> float:
    """Sum of the definition phases the OpenQASM 3 exporter drops, over the top-level gates.

    A gate outside :data:`QASM3_STDGATES` is exported as ``gate name ... { body }`` from
    its definition, without the definition's global phase (recursively for the gates of
    the body).  Control-flow bodies are not entered (a phase there is not global) and
    symbolic phases are skipped.  ``cache`` memoises qiskit library gates by parameters.
    """
    from qiskit.circuit import Gate
    from qiskit.circuit.library import get_standard_gate_name_mapping

    standard = get_standard_gate_name_mapping()
    cache = {} if cache is None else cache
    total = 0.0
    for inst in circuit.data:
        op = inst.operation
        if not isinstance(op, Gate):
            continue
        library = type(op) is type(standard.get(op.name))
        if library and op.name in QASM3_STDGATES:
            continue
        key: Any = None
        if library:  # a user gate may share a name with another of different definition
            try:
                key = (op.name, op.num_qubits, tuple(float(x) for x in op.params))
            except TypeError:
                key = None
        if key is not None and key in cache:
            total += cache[key]
            continue
        definition = op.definition
        phase = 0.0
        if definition is not None:
            phase = (_numeric_phase(definition) or 0.0) + _defined_gate_phase(definition, cache)
        if key is not None:
            cache[key] = phase
        total += phase
    return total


# ------------------------------------------------------------------------- files
def to_qpy(
    circuit: QuantumCircuit, path: str | os.PathLike[str], *, overwrite: bool = False
) -> Path:
    """Write ``circuit`` to a QPY file atomically; read it back with ``qiskit.qpy.load``.

    Parameters
    ----------
    circuit : qiskit.QuantumCircuit
    path : str or os.PathLike
        Output file (its folder is created).
    overwrite : bool
        Replace an existing file (default: refuse).

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    TypeError
        If ``circuit`` is not a ``QuantumCircuit``.
    FileExistsError
        If ``path`` exists and ``overwrite`` is False.
    """
    from qiskit import qpy

    circuit = _check_circuit(circuit)
    return atomic_write(path, lambda fh: qpy.dump(circuit, fh), overwrite=overwrite)


def to_qasm3(circuit: QuantumCircuit) -> str:
    """OpenQASM 3 text of ``circuit``, with its global phase as a final ``gphase``.

    qiskit's exporter (``qiskit.qasm3.dumps``) drops the circuit's global phase
    and the global phases of the definitions it writes for gates outside
    ``stdgates.inc`` (e.g. ``ecr``, ``rzz``).  Their (numeric) sum is appended
    here as ``gphase(phase);``, so the text re-imported by ``qiskit.qasm3.loads``
    / ``qiskit_qasm3_import.parse`` gives the same statevector, phase included.
    Symbolic phases and phases inside control flow are left out.

    Raises
    ------
    TypeError
        If ``circuit`` is not a ``QuantumCircuit``.
    """
    from qiskit import qasm3

    circuit = _check_circuit(circuit)
    text = qasm3.dumps(circuit)
    phase = (_numeric_phase(circuit) or 0.0) + _defined_gate_phase(circuit)
    phase = math.remainder(phase, 2 * math.pi)
    if phase != 0.0:
        text = text.rstrip("\n") + f"\ngphase({phase!r});\n"
    return text


def to_qasm2(circuit: QuantumCircuit) -> str:
    """OpenQASM 2 text of ``circuit`` using only the standard ``qelib1.inc`` gates.

    Gates outside :data:`QASM2_GATES` (qiskit's ``u``, ``p``, ``sx``, ``ecr``,
    ``rzz``, unitaries, ...) are first translated exactly into ``u3``/``cx``
    and friends by qiskit's basis translator (no optimisation, no layout).
    The text reads back with ``qiskit.qasm2.loads`` and any other OpenQASM 2
    reader.  The global phase, which OpenQASM 2 cannot express, is written as
    a trailing comment (relative to qiskit's matrices of the gates, e.g. its
    ``rz``, which qelib1.inc defines as ``u1``, a phase apart); re-imported
    circuits match up to that phase.

    Raises
    ------
    TypeError
        If ``circuit`` is not a ``QuantumCircuit``.
    ValueError
        If the circuit has instructions OpenQASM 2 cannot express (classical
        control flow beyond ``if``, ...).
    """
    from qiskit import qasm2, transpile
    from qiskit.qasm2 import QASM2ExportError
    from qiskit.transpiler.exceptions import TranspilerError

    circuit = _check_circuit(circuit)
    if set(circuit.count_ops()) - QASM2_GATES:
        basis = sorted(QASM2_GATES - {"barrier", "measure", "reset"})  # built in, always kept
        try:
            circuit = transpile(circuit, basis_gates=basis, optimization_level=0, seed_transpiler=0)
        except TranspilerError as exc:
            raise ValueError(f"cannot write the circuit in OpenQASM 2 gates: {exc}") from exc
    try:
        text = qasm2.dumps(circuit)
    except QASM2ExportError as exc:
        raise ValueError(f"cannot export the circuit to OpenQASM 2: {exc}") from exc
    phase = _numeric_phase(circuit)
    if phase is not None and phase != 0.0:
        text = text.rstrip("\n") + f"\n// global phase {phase!r} (OpenQASM 2 cannot express it)\n"
    return text


def write_qasm2(
    circuit: QuantumCircuit, path: str | os.PathLike[str], overwrite: bool = False
) -> Path:
    """Write :func:`to_qasm2` text to ``path`` atomically (existing files refused by default).

    Raises
    ------
    TypeError, ValueError
        As :func:`to_qasm2`.
    FileExistsError
        If ``path`` exists and ``overwrite`` is False.
    """
    return atomic_write_text(path, to_qasm2(circuit), overwrite=overwrite)


def write_qasm3(
    circuit: QuantumCircuit, path: str | os.PathLike[str], overwrite: bool = False
) -> Path:
    """Write :func:`to_qasm3` text to ``path`` atomically (existing files refused by default).

    Raises
    ------
    TypeError
        As :func:`to_qasm3`.
    FileExistsError
        If ``path`` exists and ``overwrite`` is False.
    """
    return atomic_write_text(path, to_qasm3(circuit), overwrite=overwrite)


def two_qubit_depth(circuit: QuantumCircuit) -> int:
    """Depth of ``circuit`` counting only two-qubit gates (barriers and directives ignored)."""
    circuit = _check_circuit(circuit)
    return int(
        circuit.depth(
            lambda inst: len(inst.qubits) == 2 and not getattr(inst.operation, "_directive", False)
        )
    )
