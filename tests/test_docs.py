"""Documentation invariants: every public module of mps, aqc and circuits has a runnable
docstring example (run by pytest's ``--doctest-modules``, see pyproject.toml), and the docs'
page generators see every module and example."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def public_modules() -> list[Path]:
    out = []
    for pkg in ("mps", "aqc", "circuits"):
        for path in sorted((ROOT / pkg).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if not any(p.startswith("_") and p != "__init__" for p in parts):
                out.append(path)
    return out


@pytest.mark.parametrize("path", public_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_has_docstring_example(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert ast.get_docstring(tree), f"{path.relative_to(ROOT)} has no module docstring"
    docs = [ast.get_docstring(node) or "" for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)]
    assert any(">>> " in d for d in docs), (
        f"{path.relative_to(ROOT)}: needs a runnable docstring example (>>> lines, best in the "
        "module docstring), run by pytest --doctest-modules")


def test_doctests_are_collected() -> None:
    """The default pytest run collects the packages' doctests (not only tests/)."""
    import tomllib

    opts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert "--doctest-modules" in opts["addopts"]
    assert {"mps", "aqc", "circuits"} <= set(opts["testpaths"])


def test_examples_have_quick_and_out() -> None:
    for path in sorted((ROOT / "examples").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert "--quick" in text and "--out" in text, f"{path.name} lacks --quick / --out"
        doc = ast.get_docstring(ast.parse(text))
        assert doc, f"{path.name} has no docstring (the examples page shows it)"


def test_public_functions_and_classes_have_docstrings() -> None:
    """What the API reference shows for every public top-level function and class."""
    missing = []
    for path in public_modules():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if (isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_")
                    and not ast.get_docstring(node)):
                missing.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert not missing, "no docstring: " + ", ".join(missing)


def test_doctest_collection_skips_modules_needing_missing_extras(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("root_conftest", ROOT / "conftest.py")
    root_conftest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(root_conftest)
    needs = tmp_path / "needs_extra.py"
    needs.write_text("import numpy\nfrom not_installed_pkg_xyz.sub import thing\n")
    lazy = tmp_path / "lazy.py"
    lazy.write_text("import numpy\n\ndef f():\n    import not_installed_pkg_xyz\n")
    assert root_conftest._missing_imports(needs) == ["not_installed_pkg_xyz"]
    assert root_conftest._missing_imports(lazy) == []
