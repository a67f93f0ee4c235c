"""Shared pieces of the ``tnqc`` sub-commands: stderr console, one-line failures, output folders.

Every sub-command reports a user error as one red line on stderr and exit code 2
(:func:`fail`), and refuses a non-empty output folder without ``--force``
(:func:`prepare_out`, which wraps :func:`circuits.jobs.prepare_output_dir`).  With
``--force`` a command owns its folder: it removes the files of an earlier run that it
would write itself (``owned``) and refuses a folder holding anything else.

This module is imported when ``tnqc`` starts, so it imports nothing heavy (no numpy,
jax, qiskit, stim): a sub-command module imports those inside its command function.

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

import importlib
import importlib.util
import shlex
import sys
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

__all__ = [
    "INTERRUPTED",
    "err_console",
    "fail",
    "light_module",
    "os_error_text",
    "prepare_out",
    "rerun_command",
    "warn",
]

err_console = Console(stderr=True)

INTERRUPTED = 130
"""Exit code after Ctrl-C (128 + SIGINT), as a shell reports it."""


def fail(message: str) -> NoReturn:
    """Print ``error: message`` on stderr and exit with code 2."""
    err_console.print(f"[red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def warn(message: str) -> None:
    """Print ``warning: message`` on stderr (the command goes on)."""
    err_console.print(f"[yellow]warning:[/] {escape(message)}", highlight=False, soft_wrap=True)


def os_error_text(exc: OSError) -> str:
    """``path: reason`` for an ``OSError`` (never Python's bare ``[Errno 2] ...`` text)."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    name = exc.filename if exc.filename is not None else None
    return f"{name}: {reason}" if name is not None else reason


def rerun_command(extra: str = "") -> str:
    """The command line this process was started with (as ``tnqc ...``), plus ``extra``."""
    args = [a for a in sys.argv[1:] if a != extra]
    return shlex.join(["tnqc", *args, *([extra] if extra else [])])


def prepare_out(out: Path, force: bool, owned: Iterable[str] | None = None) -> Path:
    """:func:`circuits.jobs.prepare_output_dir`, its refusal raised as a ``ValueError``.

    ``owned``: the file names (``fnmatch`` patterns) the command writes; with ``force``,
    those left by an earlier run are removed first and any other entry is refused.
    """
    from circuits.rundir import JobError, prepare_output_dir

    try:
        return prepare_output_dir(out, force, owned=owned)
    except JobError as exc:
        raise ValueError(str(exc)) from exc


def light_module(name: str) -> ModuleType:
    """Import the sub-command module ``name`` without running its package's ``__init__``.

    ``tnqc`` registers the commands of ``circuits.qsp``, ``circuits.pulse`` and
    ``circuits.cultivation`` at start-up; their packages' ``__init__`` import jax, stim
    or scipy, which would make ``tnqc --help`` take seconds.  The command module itself
    must import only light modules at its top (typer, rich, the standard library,
    :mod:`circuits.cli_common`) and everything heavy inside the command function; its
    relative imports there (``from .grape import ...``) import the package normally.
    """
    if name in sys.modules:
        return sys.modules[name]
    parent, _, leaf = name.rpartition(".")
    if not parent or parent in sys.modules:
        return importlib.import_module(name)
    spec = importlib.util.find_spec(parent)  # imports the grandparents only (light)
    locations = list(spec.submodule_search_locations or []) if spec else []
    path = next((Path(p) / f"{leaf}.py" for p in locations if (Path(p) / f"{leaf}.py").is_file()),
                None)
    if path is None:
        return importlib.import_module(name)
    mod_spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(mod_spec)
    sys.modules[name] = module
    try:
        mod_spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
