"""Build-time page generator: the list of runnable examples in ``examples/*.py``.

Every script appears with its docstring and the commands that run it (``--quick``, the full
mode, ``--out``), and a link to its tutorial page ``tutorials/<name with dashes>.md`` when
there is one; a new example appears here without editing anything.
"""

from __future__ import annotations

import ast
from pathlib import Path

import mkdocs_gen_files

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

out = ["# Examples\n\n",
       "Each capability has one script in `examples/`: a short, self-contained story that prints "
       "its key numbers and writes its plots into `--out DIR` (default: `runs/NAME`, files in "
       "it are replaced).  `--quick` runs a small version in seconds (the test suite runs every "
       "example this way); without it the script reproduces the numbers quoted in its "
       "tutorial.\n\n"]
for path in sorted((ROOT / "examples").glob("*.py")):
    if path.name.startswith("_"):
        continue
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    title, _, body = doc.partition("\n")
    out.append(f"## `{path.name}`\n\n{title.strip()}\n\n")
    page = f"tutorials/{path.stem.replace('_', '-')}.md"
    if (DOCS / page).exists():
        out.append(f"Tutorial: [{path.stem}]({page}).\n\n")
    out.append(f"```bash\npython examples/{path.name} --quick --out runs/{path.stem}-quick\n"
               f"python examples/{path.name} --out runs/{path.stem}\n```\n\n")
    if body.strip():
        out.append("```text\n" + body.strip() + "\n```\n\n")

with mkdocs_gen_files.open("examples.md", "w") as fh:
    fh.write("".join(out))
