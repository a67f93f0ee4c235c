"""Build-time page generator: the benchmark results in ``benchmarks/results/*.json`` as tables.

Every JSON file gets a section (so a new result file appears without editing anything) with
the command that produced it, where it ran, the versions, and tables of its numbers: scalars
as a key/value table, dicts of records and lists of records as tables with one row per
record (nested records flattened to dotted column names, long lists summarised).  The
command is the file's ``command`` field when it has one, otherwise the benchmark scripts in
``benchmarks/`` that name the file.  A PNG next to the JSON with the same stem is shown.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import mkdocs_gen_files

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results"
META_KEYS = ("benchmark", "description", "date", "command", "cpu", "host", "machine", "device",
             "versions")
MAX_ROWS, MAX_COLS = 40, 14


def fmt(v) -> str:
    """A cell: numbers with 6 significant digits, short lists inline, long ones summarised."""
    if isinstance(v, bool) or v is None:
        return str(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else f"{v:.6g}"
    if isinstance(v, list):
        if len(v) <= 4 and all(not isinstance(x, dict | list) for x in v):
            return "[" + ", ".join(fmt(x) for x in v) + "]"
        return f"[{len(v)} items]"
    if isinstance(v, dict):
        return f"{{{len(v)} keys}}"
    return str(v).replace("|", "\\|").replace("\n", " ")


def is_scalar(v) -> bool:
    return not isinstance(v, dict | list) or (isinstance(v, list) and fmt(v)[0] == "[" and
                                              "items" not in fmt(v))


def flatten(rec: dict, prefix: str = "") -> dict:
    """A nested record as one level of dotted keys (lists of records are summarised)."""
    out = {}
    for k, v in rec.items():
        if isinstance(v, dict) and v:
            out.update(flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def kv_table(d: dict) -> str:
    rows = [(k, v) for k, v in d.items() if is_scalar(v)]
    if not rows:
        return ""
    return "| key | value |\n|---|---|\n" + "".join(f"| {k} | {fmt(v)} |\n" for k, v in rows)


def records_table(records: list[tuple[str | None, dict]]) -> str:
    flat = [(name, flatten(r)) for name, r in records]
    cols: list[str] = []
    for _, r in flat:
        cols += [c for c, v in r.items() if c not in cols and not (isinstance(v, list) and
                                                                    len(v) > 4)]
    cols = cols[:MAX_COLS]
    head = (["name"] if any(n is not None for n, _ in flat) else []) + cols
    out = "| " + " | ".join(head) + " |\n|" + "---|" * len(head) + "\n"
    for name, r in flat[:MAX_ROWS]:
        cells = ([name] if head[0] == "name" and cols != head else []) + [
            fmt(r.get(c, "")) for c in cols]
        out += "| " + " | ".join(cells) + " |\n"
    if len(flat) > MAX_ROWS:
        out += f"\n({len(flat) - MAX_ROWS} more rows in the file)\n"
    return out


def section(key: str, v, depth: int) -> str:
    """Tables for one top-level (or nested) entry."""
    h = "#" * min(depth, 6)
    if isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
        text = f"{h} {key}\n\n" + records_table([(None, x) for x in v]) + "\n"
        if len(v) <= 10:  # the nested tables of a few records (e.g. one per case)
            for i, x in enumerate(v):
                for k, y in x.items():
                    if isinstance(y, list) and y and all(isinstance(z, dict) for z in y):
                        text += section(f"{key}[{i}].{k}", y, depth + 1)
        return text
    if isinstance(v, dict) and v and all(isinstance(x, dict) for x in v.values()):
        if all(all(is_scalar(y) for y in x.values()) for x in v.values()):
            return f"{h} {key}\n\n" + records_table(list(v.items())) + "\n"
        return f"{h} {key}\n\n" + "".join(section(k, x, depth + 1) for k, x in v.items())
    if isinstance(v, dict) and v:
        text = kv_table(v)
        nested = "".join(section(k, x, depth + 1) for k, x in v.items() if not is_scalar(x))
        return f"{h} {key}\n\n{text}\n{nested}" if text or nested else ""
    return ""


def _name_patterns(source: str) -> list[re.Pattern]:
    """File-name patterns of the ``*.json`` names a script mentions (``{...}`` = anything)."""
    out = []
    for name in set(re.findall(r"([\w.{}:-]+\.json)", source)):
        parts = re.split(r"\{[^}]*\}", name)
        out.append(re.compile(".+".join(re.escape(p) for p in parts)))
    return out


def commands_for(path: Path, data: dict) -> list[str]:
    """The file's ``command`` field, else the benchmark scripts whose file names match it."""
    if isinstance(data.get("command"), str):
        return [data["command"]]
    scripts = {s.name: s.read_text("utf-8") for s in sorted((ROOT / "benchmarks").glob("*.py"))}
    found = [f"python benchmarks/{name}" for name, src in scripts.items()
             if any(p.fullmatch(path.name) for p in _name_patterns(src))]
    title = data.get("benchmark")
    if not found and isinstance(title, str) and len(title) > 10:  # written with --out
        found = [f"python benchmarks/{name} --out {path.relative_to(ROOT)}"
                 for name, src in scripts.items() if title in src]
    return found


def page() -> str:
    out = ["# Benchmark results\n\n",
           "Generated at build time from every file in `benchmarks/results/*.json` (the numbers "
           "quoted in the README and the tutorials come from these files).  Each section names "
           "the command that wrote the file; re-running it rewrites the file with the versions, "
           "machine and git commit it ran on.\n\n"]
    for path in sorted(RESULTS.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        out.append(f"## {path.name}\n\n")
        if not isinstance(data, dict):
            out.append(f"A JSON {type(data).__name__}; see the file.\n\n")
            continue
        title = data.get("benchmark") or data.get("description")
        if isinstance(title, str):
            out.append(f"{title}\n\n")
        cmds = commands_for(path, data)
        out.append("Command: " + (", ".join(f"`{c}`" for c in cmds) if cmds else
                                  "not recorded in the file") + "\n\n")
        if isinstance(data.get("parameters"), dict) and "command" not in data:
            out.append("Its options are recorded under `parameters` below.\n\n")
        where = {k: data[k] for k in ("date", "cpu", "machine", "device") if k in data}
        if isinstance(data.get("host"), dict):
            where.update({f"host.{k}": v for k, v in data["host"].items()})
        if where:
            out.append("Where: " + "; ".join(f"{k} = {fmt(v)}" for k, v in where.items()
                                              if is_scalar(v)) + "\n\n")
        if isinstance(data.get("versions"), dict):
            out.append("Versions: " + ", ".join(f"{k} {fmt(v)}" for k, v in
                                                data["versions"].items()) + "\n\n")
        png = path.with_suffix(".png")
        if png.exists():
            dest = f"benchmarks/{png.name}"
            with mkdocs_gen_files.open(dest, "wb") as fh:
                fh.write(png.read_bytes())
            out.append(f"![{png.stem}]({dest})\n\n")
        rest = {k: v for k, v in data.items() if k not in META_KEYS}
        out.append(kv_table(rest) + "\n")
        for k, v in rest.items():
            if not is_scalar(v):
                out.append(section(k, v, 3))
    return "".join(out)


with mkdocs_gen_files.open("benchmarks.md", "w") as fh:
    fh.write(page())
