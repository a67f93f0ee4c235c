"""Root pytest configuration: doctest collection of the packages (``--doctest-modules``).

The test problems are small, so XLA's compile time dominates them: the test session (and the
subprocesses it starts) compiles with LLVM backend optimisation level 0
(``--xla_backend_optimization_level=0``: the same IEEE arithmetic, compiled about 35 % faster,
measured on the AQC tests).  A value already in ``XLA_FLAGS`` is kept.

Under pytest-xdist (``-n 2`` on 2 cores) each worker process, and the subprocesses its
tests start, uses one BLAS thread (``OPENBLAS_NUM_THREADS`` etc. set before NumPy is
imported, unless already set): two workers with two spinning OpenBLAS threads each
oversubscribe the cores (a 15-qubit state-vector test: 4 s alone, 72 s in the full run).

A module whose top-level imports need a package that is not installed (an optional extra)
is skipped by the doctest collection instead of breaking it; its doctests run wherever the
extra is installed.
"""

from __future__ import annotations

import ast
import importlib.util
import os
from pathlib import Path

if "xla_backend_optimization_level" not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "")
                               + " --xla_backend_optimization_level=0").strip()

if os.environ.get("PYTEST_XDIST_WORKER"):
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_var, "1")

PACKAGES = ("mps", "aqc", "circuits")
ROOT = Path(__file__).resolve().parent


def _missing_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:  # top-level imports only: imports inside functions are lazy
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return sorted(n for n in names if n not in PACKAGES and importlib.util.find_spec(n) is None)


def pytest_ignore_collect(collection_path: Path, config) -> bool | None:
    path = Path(collection_path)
    if path.suffix != ".py" or not path.is_file():
        return None
    try:
        rel = path.resolve().relative_to(ROOT)
    except ValueError:
        return None
    if rel.parts[0] not in PACKAGES:
        return None
    return True if _missing_imports(path) else None
