"""Every script in examples/ runs in --quick mode, as a user would run it.

Discovered from the folder, so a new example is tested without editing this file.  Each runs
in a subprocess (so the ``if __name__ == "__main__":`` guard that process pools need is
exercised) from an empty working folder, and must write its outputs under ``--out`` only.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.py") if not p.name.startswith("_"))


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_quick(script: Path, tmp_path: Path) -> None:
    work, out = tmp_path / "work", tmp_path / "out"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH",
                                                                                 "")]),
           "MPLBACKEND": "Agg"}
    proc = subprocess.run([sys.executable, str(script), "--quick", "--out", str(out)], cwd=work,
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{script.name} failed:\n{proc.stdout}\n{proc.stderr}"
    assert proc.stdout.strip(), f"{script.name} printed nothing"
    written = [p for p in out.rglob("*") if p.is_file()]
    assert written, f"{script.name} wrote nothing under --out"
    assert any(p.suffix == ".png" for p in written), f"{script.name} wrote no plot"
    assert not any(work.iterdir()), f"{script.name} wrote into the working folder"
