"""Build-time page generator: one API reference page per public module of mps, aqc, circuits.

Walks the packages on disk, so a new module appears without editing anything.  A module is
public when no part of its dotted name starts with ``_`` (``__init__`` stands for the
package itself).  Run by mkdocs-gen-files; the nav is written to ``reference/SUMMARY.md``
for mkdocs-literate-nav.
"""

from __future__ import annotations

import ast
from pathlib import Path

import mkdocs_gen_files

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("mps", "aqc", "circuits")


def public_modules() -> list[tuple[str, ...]]:
    """Dotted names (as tuples) of every public module and package, packages first."""
    out = []
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            if any(p.startswith("_") for p in parts):
                continue
            out.append(parts)
    return sorted(out)


def summary_line(parts: tuple[str, ...]) -> str:
    """The first line of a module's docstring (read from the source, nothing imported)."""
    path = ROOT.joinpath(*parts)
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    line = doc.strip().split("\n")[0].replace("``", "`")
    # a table cell: escape pipes outside code spans (inside them Markdown keeps them literal)
    parts = line.split("`")
    return "`".join(p if i % 2 else p.replace("|", "\\|") for i, p in enumerate(parts))


nav = mkdocs_gen_files.Nav()
index = ["# API reference\n\n",
         "One page per public module of `mps`, `aqc` and `circuits` (generated from the "
         "docstrings when the site is built; NumPy docstring style). Every module has a "
         "runnable example, which the test suite runs as a doctest.\n\n",
         "| module | summary |\n|---|---|\n"]
for parts in public_modules():
    name = ".".join(parts)
    is_package = (ROOT.joinpath(*parts) / "__init__.py").exists()
    doc = Path("reference", *parts, "index.md") if is_package else Path("reference", *parts)
    if not is_package:
        doc = doc.with_suffix(".md")
    rel = doc.relative_to("reference").as_posix()
    nav[parts] = rel
    index.append(f"| [`{name}`]({rel}) | {summary_line(parts)} |\n")
    with mkdocs_gen_files.open(doc, "w") as fh:
        if is_package:
            # A package page shows the package docstring and links to its modules; the
            # re-exported objects are documented once, on their defining module's page.
            fh.write(f"::: {name}\n    options:\n      members: false\n")
        else:
            fh.write(f"::: {name}\n")
    source = ROOT.joinpath(*parts) / "__init__.py" if is_package else ROOT.joinpath(*parts)
    mkdocs_gen_files.set_edit_path(doc, source if is_package else source.with_suffix(".py"))

with mkdocs_gen_files.open("reference/index.md", "w") as fh:
    fh.writelines(index)
with mkdocs_gen_files.open("reference/SUMMARY.md", "w") as fh:
    fh.write("* [Overview](index.md)\n")
    fh.writelines(nav.build_literate_nav())
