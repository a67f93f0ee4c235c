"""Start-up time of the ``tnqc`` command line: ``tnqc --help`` and ``tnqc <cmd> --help``.

Each command line runs ``--repeat`` times (default 5) as a fresh ``python -m circuits.cli``
process; the median wall time is compared with ``python -c pass`` (the interpreter's own
start) measured the same way in the same run.  Also records the user+system CPU seconds
of each child, which do not depend on how busy the machine is.  The ``before`` row is the
figure measured on the same machine before the commands imported their libraries lazily
(issue 17: about 5 s for ``tnqc --help``).

Usage: ``python benchmarks/bench_cli_startup.py [--repeat 5] [--out FILE.json]``
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

COMMANDS = [[], ["evolve"], ["compile"], ["run"], ["export"], ["sweep"], ["cultivate"],
            ["pulse"], ["qsp", "recover"]]


def _time(args: list[str], repeat: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([sys.executable, *args], check=True, env=env, cwd=REPO,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return {"median_s": statistics.median(walls), "min_s": min(walls),
            "median_cpu_s": statistics.median(cpus)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks/results/cli_startup.json")
    args = parser.parse_args()
    base = _time(["-c", "pass"], args.repeat)
    rows = []
    for cmd in COMMANDS:
        r = _time(["-m", "circuits.cli", *cmd, "--help"], args.repeat)
        r.update({"command": " ".join(["tnqc", *cmd, "--help"]),
                  "over_python_s": r["median_s"] - base["median_s"],
                  "ratio_to_python": r["median_s"] / base["median_s"]})
        rows.append(r)
        print(f"{r['command']:28s} median {r['median_s']:.3f} s (cpu {r['median_cpu_s']:.3f} s),"
              f" python -c pass {base['median_s']:.3f} s, ratio {r['ratio_to_python']:.1f}")
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    result = {
        "benchmark": "cli_startup",
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "repeat": args.repeat,
        "python_c_pass": base,
        "rows": rows,
        "before": {"command": "tnqc --help", "median_s": 5.1,
                   "note": "before lazy imports (commit d747899), same machine, one run"},
        "machine": {"cpu": cpu_model(), "cores": os.cpu_count(), "loadavg": load},
        "versions": package_versions(["typer", "rich", "click"]),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"-> {args.out}")


if __name__ == "__main__":
    main()
