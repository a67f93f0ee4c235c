"""Atomic file writes: write to a temporary file in the same folder, then rename.

A reader never sees a half-written file, and a killed job leaves no partial
output under the final name.

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
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_write", "atomic_write_json", "atomic_write_text"]


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
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
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


def atomic_write_json(path: str | os.PathLike[str], data: Any, *, overwrite: bool = False) -> Path:
    """Write ``data`` as indented JSON atomically."""
    return atomic_write_text(path, json.dumps(data, indent=2, sort_keys=True) + "\n",
                             overwrite=overwrite)
