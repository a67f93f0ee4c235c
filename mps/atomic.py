"""Atomic file writes: write to a temporary file in the same folder, then rename.

A reader never sees a half-written file, and a killed job leaves no partial
output under the final name.  The file gets the permissions a plain ``open(path, "w")``
would give: those of the file it replaces, else ``0o666`` minus the process umask
(``tempfile.mkstemp`` alone would give ``0o600`` whatever the umask).

Example
-------
>>> import json, tempfile
>>> from pathlib import Path
>>> from mps.atomic import atomic_write_json
>>> path = Path(tempfile.mkdtemp()) / "report.json"
>>> atomic_write_json(path, {"fidelity": 0.999}) == path
True
>>> json.loads(path.read_text())
{'fidelity': 0.999}
>>> atomic_write_json(path, {})  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
FileExistsError: refuses to overwrite
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_write", "atomic_write_json", "atomic_write_text", "current_umask"]


def current_umask() -> int:
    """The process umask, read without changing it where the OS allows (Linux ``/proc``)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # no read-only query elsewhere: set and restore at once
    os.umask(mask)
    return mask


def _plain_mode(path: Path) -> int:
    """The mode ``open(path, "w")`` would leave: the existing file's, else 0o666 & ~umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~current_umask()


def atomic_write(
    path: str | os.PathLike[str], write: Callable[[IO[bytes]], Any], *, overwrite: bool = False
) -> Path:
    """Call ``write(fh)`` on a temporary binary file, then rename it to ``path``.

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is False.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; refusing to overwrite it")
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _plain_mode(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def atomic_write_text(path: str | os.PathLike[str], text: str, *, overwrite: bool = False) -> Path:
    """Write ``text`` (UTF-8) atomically."""
    return atomic_write(path, lambda fh: fh.write(text.encode("utf-8")), overwrite=overwrite)


def atomic_write_json(
    path: str | os.PathLike[str],
    data: Any,
    *,
    overwrite: bool = False,
    default: Callable[[Any], Any] | None = None,
) -> Path:
    """Write ``data`` as indented JSON atomically (``default`` as in :func:`json.dumps`)."""
    text = json.dumps(data, indent=2, sort_keys=True, default=default) + "\n"
    return atomic_write_text(path, text, overwrite=overwrite)
