"""Output folders of ``tnqc`` commands: creation, ``--force`` ownership, checked reads on resume.

* :func:`prepare_output_dir` creates ``--out``; an existing non-empty folder is refused
  unless ``force``.  With ``force`` and the list of names the command writes
  (``owned``, ``fnmatch`` patterns; a pattern ending in ``/`` names folders), the files
  of the earlier run are removed first, so no stale file (an old ``circuit_isa.qpy``, old
  plots) stays beside the new ones, and a folder holding anything else is refused.
* :func:`read_json`, :func:`load_mps` and :func:`load_npz` read the files of a run folder
  for ``--resume``; a corrupt, truncated or foreign file is a :class:`JobError` naming
  the file, never a traceback.
* :func:`job_differences` compares a recorded job with a new one on the fields that
  determine the result (paths and output-only settings are ignored).

Example
-------
>>> import tempfile
>>> from pathlib import Path
>>> from circuits.rundir import job_differences, prepare_output_dir, read_json
>>> out = prepare_output_dir(Path(tempfile.mkdtemp()) / "run", force=False)
>>> (out / "job.json").write_text("{not json")
9
>>> read_json(out / "job.json", "job record")  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
circuits.rundir.JobError: the job record is unreadable or corrupt
>>> prepare_output_dir(out, force=False)  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
circuits.rundir.JobError: output folder holds an earlier run
>>> job_differences({"model": {"n": 4}, "output": {"out": "a"}},
...                 {"model": {"n": 6}, "output": {"out": "b"}}, ignore=["output.out"])
['model.n (recorded 4, given 6)']
"""

from __future__ import annotations

import fnmatch
import json
import shutil
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "JobError",
    "JobInterrupted",
    "flatten",
    "job_differences",
    "load_mps",
    "load_npz",
    "prepare_output_dir",
    "read_json",
]

ALWAYS_OWNED = (".*.tmp", ".tnqc-write-test")
"""Temporary files of an interrupted atomic write, and the write probe."""

_BAD_FILE = (OSError, ValueError, KeyError, EOFError, TypeError, IndexError, AttributeError,
             zipfile.BadZipFile, UnicodeDecodeError, RecursionError)


class JobError(Exception):
    """A user error in a job (bad value, bad file, refused output folder): one line, exit 2."""


class JobInterrupted(Exception):
    """Ctrl-C during a compile job; ``checkpoint`` is the file a ``--resume`` continues from."""

    def __init__(self, out: Path, checkpoint: Path | None, where: str) -> None:
        self.out, self.checkpoint, self.where = out, checkpoint, where
        super().__init__(f"interrupted {where}")

    def __reduce__(self):
        return (JobInterrupted, (self.out, self.checkpoint, self.where))


def _owned(name: str, is_dir: bool, patterns: Iterable[str]) -> bool:
    for pat in (*patterns, *ALWAYS_OWNED):
        if pat.endswith("/"):
            if is_dir and fnmatch.fnmatchcase(name, pat[:-1]):
                return True
        elif not is_dir and fnmatch.fnmatchcase(name, pat):
            return True
    return False


def prepare_output_dir(
    out: Path,
    force: bool,
    resume: bool = False,
    *,
    owned: Iterable[str] | None = None,
    resume_hint: str | None = None,
) -> Path:
    """Create ``out``; refuse an existing non-empty folder unless ``force`` or ``resume``.

    Parameters
    ----------
    out : Path
        The output folder.
    force : bool
        Allow a non-empty folder.  With ``owned``, the entries of ``out`` matching it are
        removed and any other entry is refused (``JobError``).
    resume : bool
        Only check that ``out`` is a folder (the caller reads and checks its files).
    owned : iterable of str, optional
        ``fnmatch`` patterns of the names the command writes (``"job-*/"``: folders).
    resume_hint : str, optional
        A file whose presence means the folder holds a run that ``--resume`` continues;
        the refusal then says so.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise JobError(f"output folder {out} exists and is not a folder")
    if resume:
        if not out.is_dir():
            raise JobError(f"cannot resume: there is no folder {out}")
        return out
    entries = sorted(out.iterdir()) if out.is_dir() else []
    if entries and not force:
        if resume_hint and (out / resume_hint).is_file():
            raise JobError(f"output folder {out} holds an earlier run; pass --resume to "
                           "continue it, or --force to discard it and start again")
        raise JobError(f"output folder {out} is not empty; pass --force to overwrite its files")
    if entries and owned is not None:
        patterns = tuple(owned)
        foreign = [p.name + ("/" if p.is_dir() else "") for p in entries
                   if not _owned(p.name, p.is_dir(), patterns)]
        if foreign:
            shown = ", ".join(foreign[:5]) + (", ..." if len(foreign) > 5 else "")
            raise JobError(f"--force: {out} holds files this command does not write ({shown}); "
                           "remove them or choose another --out")
        try:
            for p in entries:
                if p.is_dir() and not p.is_symlink():
                    shutil.rmtree(p)
                else:
                    p.unlink()
        except OSError as exc:
            raise JobError(f"--force: cannot remove {exc.filename or out}: "
                           f"{exc.strerror or exc}") from exc
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".tnqc-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise JobError(f"cannot write to output folder {out}: {exc.strerror or exc}") from exc
    return out


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def read_json(path: Path, what: str) -> Any:
    """The JSON value in ``path``; ``JobError`` naming the file for any unreadable bytes."""
    try:
        return json.loads(Path(path).read_bytes().decode("utf-8"))
    except _BAD_FILE as exc:
        raise JobError(f"{path}: the {what} is unreadable or corrupt ({_reason(exc)}); "
                       "start the run again with --force") from exc


def load_mps(path: Path, what: str = "target MPS"):
    """``MPS.load(path)``; ``JobError`` naming the file if it is corrupt or truncated."""
    from mps import MPS

    try:
        return MPS.load(path)
    except _BAD_FILE as exc:
        raise JobError(f"{path}: the {what} is unreadable or corrupt ({_reason(exc)}); "
                       "start the run again with --force") from exc


def load_npz(path: Path, keys: Iterable[str], what: str) -> dict[str, Any]:
    """The arrays ``keys`` of an ``.npz`` file, loaded eagerly; ``JobError`` if unreadable."""
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as data:
            return {k: np.array(data[k]) for k in keys}
    except _BAD_FILE as exc:
        raise JobError(f"{path}: the {what} is unreadable or corrupt ({_reason(exc)}); "
                       "start the run again with --force") from exc


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"model": {"n": 4}}`` -> ``{"model.n": 4}``."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


def job_differences(recorded: Mapping[str, Any], given: Mapping[str, Any],
                    ignore: Iterable[str] = (), extendable: Iterable[str] = ()) -> list[str]:
    """Fields (``section.key``) where two jobs differ, as ``"key (recorded a, given b)"``.

    ``ignore``: fields that do not determine the result (paths, plots).  ``extendable``:
    numeric budgets that may grow on resume (a smaller value is a difference).
    """
    rec, new = flatten(recorded), flatten(given)
    skip, grow = set(ignore), set(extendable)
    diffs = []
    for key in sorted(set(rec) | set(new)):
        if key in skip:
            continue
        a, b = rec.get(key), new.get(key)
        if key in grow and isinstance(a, int | float) and isinstance(b, int | float) and b >= a:
            continue
        if a != b:
            note = "; resume can only raise it" if key in grow else ""
            diffs.append(f"{key} (recorded {a!r}, given {b!r}{note})")
    return diffs
