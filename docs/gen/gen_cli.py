"""Build-time page generator: the ``tnqc`` command-line reference from the typer app.

Walks the click command tree that typer builds from :data:`circuits.cli.app`, so a new
command (or sub-group) appears without editing anything.  Each command gets its usage line,
its help text and a table of its arguments and options.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import mkdocs_gen_files
import typer.main

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this checkout's packages first
from circuits.cli import app


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def _param_row(param, ctx) -> str:
    # typer ships its own copy of click: use the help record that --help prints.
    record = param.get_help_record(ctx)
    if record is None:  # an argument without help
        record = (param.name.upper(), "")
    names, help_text = record
    required = " (required)" if param.required else ""
    names = names.replace("\n", " ").strip()  # in a code span, so its pipes need no escape
    return f"| `{names}` | {_escape(click.unstyle(help_text))}{required} |\n"


def _write(fh, cmd, path: list[str], parent) -> None:
    ctx = cmd.context_class(cmd, info_name=path[-1], parent=parent)
    level = "#" * min(len(path) + 1, 4)
    fh.write(f"{level} `{' '.join(path)}`\n\n")
    pieces = cmd.collect_usage_pieces(ctx)
    fh.write(f"```\n{' '.join(path)} {' '.join(pieces)}\n```\n\n")
    if cmd.help:
        fh.write(click.unstyle(cmd.help).strip() + "\n\n")
    params = [p for p in cmd.get_params(ctx) if not getattr(p, "hidden", False)]
    if params:
        fh.write("| option | description |\n|---|---|\n")
        for p in params:
            fh.write(_param_row(p, ctx))
        fh.write("\n")
    if hasattr(cmd, "list_commands"):
        for name in cmd.list_commands(ctx):
            sub = cmd.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                _write(fh, sub, [*path, name], ctx)


with mkdocs_gen_files.open("cli.md", "w") as fh:
    fh.write(
        "# Command line\n\n"
        "Generated at build time from the typer application `circuits.cli:app`, so every "
        "command appears here with the help text that `tnqc COMMAND --help` prints.  Errors in "
        "the arguments print one line and exit with code 2; an existing, non-empty output "
        "folder is refused unless `--force` is given.\n\n"
    )
    _write(fh, typer.main.get_command(app), ["tnqc"], None)
