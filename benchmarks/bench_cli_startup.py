"""Start-up time of the ``tnqc`` command line: ``tnqc --help`` and ``tnqc <cmd> --help``.

Each command line runs ``--repeat`` times (default 5) as a fresh ``python -m circuits.cli``
process; the median wall time is compared with ``python -c pass`` (the interpreter's own
start) measured the same way in the same run.  Also records the user+system CPU seconds
of each child, which depend less on how busy the machine is, and the load average (the
machine may be shared).  The commands are every leaf of the typer app's click tree.
``--before DIR`` also times the same commands from another checkout (e.g. ``git archive
d747899 | tar -x -C DIR``, the commit before the lazy imports) in the same run, for the
speed-up.

Usage: ``python benchmarks/bench_cli_startup.py [--repeat 5] [--before DIR] [--out FILE.json]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _provenance import REPO, cpu_model, package_versions


def commands() -> list[list[str]]:
    """``[]`` (``tnqc --help``) and every leaf command of the typer app, from its click tree.

    Imports ``circuits.cli`` in this process only (the timed children are fresh), so a new
    command is timed without editing this file.
    """
    import typer.main

    from circuits.cli import app

    out: list[list[str]] = [[]]

    def walk(cmd, path: list[str], parent) -> None:
        ctx = cmd.context_class(cmd, info_name=path[-1] if path else "tnqc", parent=parent)
        if not hasattr(cmd, "list_commands"):
            out.append(path)
            return
        for name in cmd.list_commands(ctx):
            sub = cmd.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                walk(sub, [*path, name], ctx)

    walk(typer.main.get_command(app), [], None)
    return out


def _time(args: list[str], repeat: int, root: Path = REPO) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([sys.executable, *args], check=True, env=env, cwd=root,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return {"median_s": statistics.median(walls), "min_s": min(walls),
            "median_cpu_s": statistics.median(cpus)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--before", type=Path, default=None,
                        help="another checkout to time the same commands from")
    parser.add_argument("--before-repeat", type=int, default=None,
                        help="runs per command of the --before checkout (default --repeat)")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks/results/cli_startup.json")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    cmds = commands()
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    base = _time(["-c", "pass"], args.repeat)
    result = {
        "benchmark": "cli_startup",
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "repeat": args.repeat,
        "python_c_pass": base,
        "rows": [],
        "before_checkout": str(args.before) if args.before else None,
        "machine": {"cpu": cpu_model(), "cores": os.cpu_count(), "loadavg_at_start": load},
        "versions": package_versions(["typer", "rich", "click", "pydantic"]),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for cmd in cmds:
        r = _time(["-m", "circuits.cli", *cmd, "--help"], args.repeat)
        r.update({"command": " ".join(["tnqc", *cmd, "--help"]),
                  "loadavg_1min": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
                  "over_python_s": r["median_s"] - base["median_s"],
                  "ratio_to_python": r["median_s"] / base["median_s"]})
        extra = ""
        if args.before is not None:
            old = _time(["-m", "circuits.cli", *cmd, "--help"],
                        args.before_repeat or args.repeat, args.before)
            r["before"] = old
            r["speedup"] = old["median_s"] / r["median_s"]
            extra = f"; before {old['median_s']:.3f} s (cpu {old['median_cpu_s']:.3f} s)"
        result["rows"].append(r)
        print(f"{r['command']:28s} median {r['median_s']:.3f} s (cpu {r['median_cpu_s']:.3f} s),"
              f" python -c pass {base['median_s']:.3f} s, ratio {r['ratio_to_python']:.1f}"
              + extra, flush=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")  # after every row
    try:
        result["machine"]["loadavg_at_end"] = os.getloadavg()
    except OSError:
        pass
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"-> {args.out}")


if __name__ == "__main__":
    main()
