"""Shared pieces of the ``tnqc`` sub-commands: stderr console, one-line failures, output folders.

Every sub-command reports a user error as one red line on stderr and exit code 2
(:func:`fail`), and refuses a non-empty output folder without ``--force``
(:func:`prepare_out`, which wraps :func:`circuits.jobs.prepare_output_dir`).

Example
-------
>>> import tempfile
>>> from pathlib import Path
>>> from circuits.cli_common import prepare_out
>>> out = prepare_out(Path(tempfile.mkdtemp()) / "run", force=False)
>>> (out / "report.json").write_text("{}")
2
>>> prepare_out(out, force=False)  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
ValueError: output folder is not empty
>>> prepare_out(out, force=True) == out
True
"""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

err_console = Console(stderr=True)


def fail(message: str) -> NoReturn:
    """Print ``error: message`` on stderr and exit with code 2."""
    err_console.print(f"[red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def prepare_out(out: Path, force: bool) -> Path:
    """:func:`circuits.jobs.prepare_output_dir`, its refusal raised as a ``ValueError``."""
    from circuits.jobs import JobError, prepare_output_dir

    try:
        return prepare_output_dir(out, force)
    except JobError as exc:
        raise ValueError(str(exc)) from exc
