"""``tnqc export``: OpenQASM 2/3 and ISA circuits from a ``circuit.qpy``.

Every option is checked, the circuit read and every output computed before the first
file is written; an unreadable ``.qpy`` (truncated, random bytes, another format) is
one line on stderr and exit code 2.  Files: ``circuit.qasm2`` (``qelib1.inc`` gates
only; loads with ``qiskit.qasm2.loads``), ``circuit.qasm3`` (loads with
``qiskit.qasm3.loads`` and ``qiskit_qasm3_import.parse``), ``circuit_isa.qpy`` and
``isa.json`` with ``--isa``.

Example
-------
>>> import tempfile
>>> from pathlib import Path
>>> from circuits.export_cmd import QPY_MAGIC, read_qpy
>>> path = Path(tempfile.mkdtemp()) / "circuit.qpy"
>>> path.write_bytes(b"OPENQASM 3.0;")
13
>>> read_qpy(path)  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
ValueError: circuit.qpy is not a QPY file (it does not start with b'QISKIT')
>>> QPY_MAGIC
b'QISKIT'
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import typer

from .cli_common import fail, os_error_text, warn

__all__ = ["QPY_MAGIC", "read_qpy", "run_export"]

QPY_MAGIC = b"QISKIT"
"""The first bytes of every QPY file."""


@contextlib.contextmanager
def _quiet_stderr():
    """Silence fd 2 (Rust panics of qiskit's readers print there) while reading a file."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def read_qpy(path: Path):
    """The first circuit of a QPY file; ``ValueError`` (one line) for anything unreadable."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if not raw.startswith(QPY_MAGIC):
        raise ValueError(f"{path} is not a QPY file (it does not start with {QPY_MAGIC!r}); "
                         "give the circuit.qpy of a compile run")
    from qiskit import qpy

    try:
        with _quiet_stderr():
            circuits = qpy.load(io.BytesIO(raw))
    except BaseException as exc:  # qpy raises struct.error, QpyError, Rust panics, ...
        if isinstance(exc, KeyboardInterrupt):
            raise
        version = raw[6] if len(raw) > 6 else None
        raise ValueError(f"{path} is a truncated or corrupt QPY file (QPY version {version}, "
                         f"{len(raw)} bytes): {type(exc).__name__}") from None
    if not circuits:
        raise ValueError(f"{path} holds no circuit")
    return circuits[0]


def run_export(source: Path, out: Path | None, qasm2: bool, qasm3: bool, isa: str | None,
               seed: int | None, force: bool) -> None:
    """Run ``tnqc export`` (options as on the command line)."""
    from mps.atomic import atomic_write, atomic_write_json, atomic_write_text

    if not (qasm2 or qasm3 or isa):
        fail("nothing to export: --no-qasm2 --no-qasm3 without --isa BACKEND writes no file")
    if seed is not None and isa is None:
        fail("--seed is the transpiler seed of --isa; without --isa it has no effect")
    seed = 0 if seed is None else seed
    try:
        if seed < 0:
            raise ValueError(f"--seed must be >= 0, got {seed}")
        path = source / "circuit.qpy" if source.is_dir() else source
        if not path.is_file():
            where = f"{source} has no circuit.qpy" if source.is_dir() else f"no file {path}"
            raise ValueError(f"{where}; give a circuit.qpy or a compile output folder")
        folder = out if out is not None else path.parent
        if folder.exists() and not folder.is_dir():
            raise ValueError(f"--out {folder} exists and is not a folder")
        targets = [name for name, on in (("circuit.qasm2", qasm2), ("circuit.qasm3", qasm3),
                                         ("circuit_isa.qpy", isa is not None),
                                         ("isa.json", isa is not None)) if on]
        clash = [t for t in targets if (folder / t).exists()]
        if clash and not force:
            raise ValueError(f"{folder}: {', '.join(clash)} exist; pass --force to overwrite")
        circuit = read_qpy(path)
        from .export import to_qasm2, to_qasm3
        from .isa import check_isa_fits, to_isa

        texts = {}
        if qasm2:
            texts["circuit.qasm2"] = to_qasm2(circuit)
        if qasm3:
            texts["circuit.qasm3"] = to_qasm3(circuit)
        res = None
        if isa is not None:
            res = to_isa(circuit, check_isa_fits(isa, circuit.num_qubits), seed=seed)
    except (ValueError, TypeError) as exc:
        fail(str(exc))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in texts.items():
            atomic_write_text(folder / name, text, overwrite=True)
        if res is not None:
            from qiskit import qpy

            atomic_write(folder / "circuit_isa.qpy", lambda fh: qpy.dump(res.circuit, fh),
                         overwrite=True)
            atomic_write_json(folder / "isa.json", {
                "backend": res.backend_name, "layout": list(res.layout), "seed": seed,
                "two_qubit_depth": res.two_qubit_depth, "gate_counts": dict(res.gate_counts),
            }, overwrite=True)
    except OSError as exc:
        fail(f"writing to {folder}: {os_error_text(exc)}")
    if isa is None and (folder / "circuit_isa.qpy").exists():
        warn(f"{folder}/circuit_isa.qpy is from an earlier export (no --isa this time)")
    typer.echo(f"wrote {', '.join(targets)} -> {folder}/")
