"""Start-up of ``tnqc <cmd> --help``: what it imports (the time is measured by
``benchmarks/bench_cli_startup.py``, not here)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("jax", "qiskit", "stim", "matplotlib", "quimb", "scipy", "numpy", "pydantic")


@pytest.mark.parametrize("args", [["--help"], ["evolve", "--help"], ["compile", "--help"],
                                  ["pulse", "--help"], ["qsp", "recover", "--help"]])
def test_help_imports_no_heavy_library(args: list[str]) -> None:
    # pydantic: typer coerces its built-in help option's unset value through a pydantic
    # TypeAdapter; the group's own --help (circuits/cli.py) avoids that import.
    code = ("import sys\nfrom circuits.cli import main\n"
            f"sys.argv = ['tnqc', *{args!r}]\n"
            "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\n"
            f"heavy = {HEAVY!r}\n"
            "print('LOADED:' + ','.join(m for m in heavy if m in sys.modules), code)")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, env=env)
    assert res.returncode == 0, res.stderr
    assert "Usage:" in res.stdout
    assert res.stdout.strip().splitlines()[-1] in ("LOADED: 0", "LOADED: None")
