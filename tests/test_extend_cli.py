"""``tnqc compile ... --extend-to T --extend-steps k``: both circuits, the report row, bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
from qiskit import qpy
from qiskit.quantum_info import Statevector
from scipy.sparse.linalg import expm_multiply
from typer.testing import CliRunner

from circuits.cli import app
from mps import MPS, heisenberg

runner = CliRunner()


@pytest.mark.slow
def test_compile_then_extend_writes_both_circuits_and_a_checked_row(tmp_path):
    out = tmp_path / "run"
    res = runner.invoke(app, ["compile", "--n", "4", "--t", "0.5", "--layers", "3", "--j", "0.25",
                              "--maxiter", "10", "--out", str(out), "--no-plots",
                              "--extend-to", "1", "--extend-steps", "2"])
    assert res.exit_code == 0, res.output
    assert "extended to t = 1 with 2 Trotter steps" in res.output
    report = json.loads((out / "report.json").read_text())
    row = report["extend"]
    assert {"circuit_extended.qpy", "circuit_extended.qasm"} <= set(report["files"])
    with open(out / "circuit_extended.qpy", "rb") as fh:
        qc = qpy.load(fh)[0]
    with open(out / "circuit.qpy", "rb") as fh:
        compiled = qpy.load(fh)[0]
    # the extended circuit is the compiled one followed by 2 Trotter steps (5 layers, depth 15)
    assert qc.depth(lambda i: i.operation.num_qubits == 2) == row["extended"]["two_qubit_depth"]
    assert row["extended"]["two_qubit_depth"] == report["two_qubit_depth"] + 15
    assert len(qc.data) > len(compiled.data)
    # its fidelity with the exact state at t = 1 (scipy) matches the row to the TEBD error
    chain = heisenberg(4, 0.25)
    exact = expm_multiply(-1j * chain.to_sparse(), MPS.neel(4).to_dense())
    f = abs(np.vdot(exact, Statevector(qc).data)) ** 2
    assert f == pytest.approx(row["extended"]["fidelity"], abs=1e-6)
    import qiskit.qasm3  # the QASM file is the same circuit, global phase included

    loaded = qiskit.qasm3.loads((out / "circuit_extended.qasm").read_text())
    assert abs(Statevector(loaded).inner(Statevector(qc)) - 1) < 1e-9
    assert row["same_depth"]["two_qubit_depth"] <= row["extended"]["two_qubit_depth"]
    assert row["same_fidelity"] is None or \
        row["same_fidelity"]["fidelity"] >= row["extended"]["fidelity"]


@pytest.mark.parametrize(("args", "message"), [
    (["--extend-to", "0.5"], "--extend-to must be greater than --t = 0.5"),
    (["--extend-to", "0.2"], "--extend-to must be greater than --t"),
    (["--extend-to", "nan"], "--extend-to must be a finite time"),
    (["--extend-to", "inf"], "--extend-to must be a finite time"),
    (["--extend-to", "1", "--extend-steps", "0"], "--extend-steps must be >= 1"),
])
def test_extend_bad_input_is_refused_before_any_work(tmp_path, args, message):
    out = tmp_path / "never"
    res = runner.invoke(app, ["compile", "--n", "6", "--t", "0.5", "--out", str(out), *args])
    assert res.exit_code == 2
    assert message in " ".join(res.output.split())
    assert len(res.output.strip().splitlines()) == 1
    assert not out.exists()
