"""Issue 12: every OpenQASM file a tnqc command writes loads with ``qiskit.qasm3.loads`` and
``qiskit_qasm3_import.parse``, and means the same circuit as the QPY file beside it.

Covered here: ``tnqc compile-unitary`` (circuit.qasm), ``tnqc inject`` (tomography_*.qasm) and
``tnqc cultivate`` (circuit.qasm, circuit_t.qasm).  compile/export (tests/test_reliability.py),
compile --extend-to (tests/test_extend_cli.py) and pulse (tests/test_pulse_cli.py) are
checked next to their commands.
"""

from __future__ import annotations

import numpy as np
import qiskit.qasm3
import qiskit_qasm3_import
from qiskit import qpy
from qiskit.quantum_info import Operator
from typer.testing import CliRunner

from circuits.cli import app

runner = CliRunner()


def _both(path):
    text = path.read_text()
    return qiskit.qasm3.loads(text), qiskit_qasm3_import.parse(text)


def test_compile_unitary_qasm_is_the_qpy_block(tmp_path):
    out = tmp_path / "u"
    res = runner.invoke(app, ["compile-unitary", "--n", "4", "--j", "0.25", "--tau", "0.25",
                              "--layers", "2", "--repeat", "2", "--maxiter", "3",
                              "--out", str(out), "--no-plots"])
    assert res.exit_code == 0, res.output
    with open(out / "circuit.qpy", "rb") as fh:
        ref = Operator(qpy.load(fh)[0]).data
    for qc in _both(out / "circuit.qasm"):
        assert np.allclose(Operator(qc).data, ref, atol=1e-9)  # global phase included


def test_inject_and_cultivate_qasm_files_load(tmp_path):
    out = tmp_path / "inj"
    res = runner.invoke(app, ["inject", "--d", "3", "--state", "T", "--backend", "fake_fez",
                              "--shots", "200", "--sim", "pauli", "--out", str(out)])
    assert res.exit_code == 0, res.output
    files = sorted(out.glob("*.qasm"))
    assert [p.name for p in files] == [f"tomography_{b}.qasm" for b in "XYZ"]
    for p in files:
        a, b = _both(p)
        assert a.num_qubits == b.num_qubits > 0 and a.count_ops() == b.count_ops()
    out = tmp_path / "cult"
    res = runner.invoke(app, ["cultivate", "--d", "3", "--p", "1e-3", "--shots", "1000",
                              "--seed", "1", "--out", str(out)])
    assert res.exit_code == 0, res.output
    for name in ("circuit.qasm", "circuit_t.qasm"):
        a, b = _both(out / name)
        assert a.num_qubits == b.num_qubits == 15 and a.count_ops() == b.count_ops()
