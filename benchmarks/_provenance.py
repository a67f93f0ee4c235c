"""What a benchmark records about where it ran: CPU, package versions and the git state."""

from __future__ import annotations

import hashlib
import platform
import subprocess
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo``), or ``platform.processor()``."""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git(*cmd: str) -> bytes:
    try:
        return subprocess.run(
            ["git", "-C", str(REPO), *cmd], capture_output=True, check=False, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return b""


def package_versions(names: Iterable[str]) -> dict[str, str]:
    """Python and package versions, plus the tnqc git commit (``+dirty`` and a diff hash)."""
    out = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    commit = _git("rev-parse", "HEAD").decode().strip() or "unknown"
    dirty = _git("status", "--porcelain", "--untracked-files=no").strip()
    out["tnqc_git_commit"] = commit + ("+dirty" if dirty else "")
    if dirty:  # identifies the uncommitted changes to tracked files that were benchmarked
        out["tnqc_git_diff_sha256"] = hashlib.sha256(_git("diff", "HEAD")).hexdigest()
    return out
