"""Compile jobs: a validated specification (from CLI flags or a TOML file) and its runner.

A job file looks like::

    kind = "compile"

    [model]            # Pauli convention: heisenberg(n, j) is j * sum (XX + YY + ZZ)
    name = "heisenberg"
    n = 100
    j = 0.25           # = J S.S with J = 1

    [target]           # TEBD of the Neel state (or "zeros" / a bitstring)
    t = 1.0
    dt = 0.025
    order = 4
    max_bond = 128
    cutoff = 1e-12
    initial = "neel"

    [circuit]
    layers = 4
    block = "su4"

    [optimize]
    optimizer = "lbfgs"
    objective = "log"
    maxiter = 300
    schedule = 1
    seed = 0
    checkpoint_every = 10

    [output]
    out = "runs/heisenberg-n100"
    plots = true
    trotter_steps = 6

Every key is optional (defaults above, except ``j = 1``); unknown keys,
wrong types and malformed TOML are reported with the file name (and the line,
for syntax errors) as :class:`JobError`.

:func:`run_compile_job` writes ``job.json`` and ``target.npz`` first, then a
``checkpoint.npz`` every ``checkpoint_every`` iterations (atomically), and at
the end ``params.npz``, ``circuit.qpy``, ``circuit.qasm`` (OpenQASM 3),
``report.json`` and the plots; ``resume=True`` continues a killed job from its
last checkpoint with the same target.
"""

from __future__ import annotations

import dataclasses
import io
import json
import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mps import MPS, SpinChain, TEBDConfig, evolve, heisenberg, ising, xxz
from mps._validate import check_real
from mps._versions import versions
from mps.atomic import atomic_write, atomic_write_json

__all__ = [
    "CircuitSpec",
    "JobError",
    "JobSpec",
    "ModelSpec",
    "OptimizeSpec",
    "OutputSpec",
    "TargetSpec",
    "build_chain",
    "initial_state",
    "prepare_output_dir",
    "read_target_file",
    "run_compile_job",
    "trotter_baseline",
]


class JobError(Exception):
    """A user error in a job (bad value, bad file, refused output folder): one line, exit 2."""


@dataclass(frozen=True)
class ModelSpec:
    name: str = "heisenberg"
    n: int = 100
    j: float = 1.0
    jz: float | None = None
    hx: float = 0.0
    hz: float = 0.0


@dataclass(frozen=True)
class TargetSpec:
    t: float = 1.0
    dt: float = 0.025
    order: int = 4
    max_bond: int = 128
    cutoff: float = 1e-12
    initial: str = "neel"
    file: str | None = None  # a saved tnqc MPS (e.g. `tnqc ground`) instead of TEBD


@dataclass(frozen=True)
class CircuitSpec:
    layers: int = 4
    block: str = "su4"


@dataclass(frozen=True)
class OptimizeSpec:
    optimizer: str = "lbfgs"
    objective: str = "log"
    maxiter: int = 300
    schedule: int = 1
    seed: int = 0
    checkpoint_every: int = 10
    target_fidelity: float | None = None
    init: str = "auto"
    precision: str = "double"


@dataclass(frozen=True)
class OutputSpec:
    out: str = "runs/compile"
    plots: bool = True
    trotter_steps: int = 6
    isa: str | None = None


_SECTIONS = {
    "model": ModelSpec,
    "target": TargetSpec,
    "circuit": CircuitSpec,
    "optimize": OptimizeSpec,
    "output": OutputSpec,
}


@dataclass(frozen=True)
class JobSpec:
    """A complete compile job; build with :meth:`from_mapping` or :meth:`from_toml`."""

    kind: str = "compile"
    model: ModelSpec = field(default_factory=ModelSpec)
    target: TargetSpec = field(default_factory=TargetSpec)
    circuit: CircuitSpec = field(default_factory=CircuitSpec)
    optimize: OptimizeSpec = field(default_factory=OptimizeSpec)
    output: OutputSpec = field(default_factory=OutputSpec)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def replace(self, section: str, **values: Any) -> JobSpec:
        """A copy with some values of one section replaced (validated again)."""
        data = self.to_dict()
        data[section].update(values)
        return JobSpec.from_mapping(data)

    @classmethod
    def from_toml(cls, path: str | Path) -> JobSpec:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise JobError(f"{path}: cannot read the job file ({exc.strerror or exc})") from exc
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise JobError(f"{path}: malformed TOML: {exc}") from exc
        return cls.from_mapping(data, source=str(path))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str = "job") -> JobSpec:
        """Validate a nested mapping (keys and types) into a spec."""
        if not isinstance(data, Mapping):
            raise JobError(f"{source}: a job must be a table of sections")
        unknown = set(data) - {"kind", *_SECTIONS}
        if unknown:
            raise JobError(f"{source}: unknown key(s) {sorted(unknown)}; allowed: kind, "
                           + ", ".join(f"[{s}]" for s in _SECTIONS))
        kind = data.get("kind", "compile")
        if kind != "compile":
            raise JobError(f"{source}: kind must be 'compile', got {kind!r}")
        sections = {}
        for name, klass in _SECTIONS.items():
            values = data.get(name, {})
            if not isinstance(values, Mapping):
                raise JobError(f"{source}: [{name}] must be a table, got {type(values).__name__}")
            sections[name] = _build_section(klass, name, values, source)
        spec = cls(kind=kind, **sections)
        if spec.target.file is not None:  # n and the start come from the file
            target = read_target_file(spec.target.file, source)
            model = data.get("model", {})
            if "n" in model and spec.model.n != target.n:
                raise JobError(f"{source}: the target file {spec.target.file} has n={target.n} "
                               f"qubits but n={spec.model.n} was given")
            spec = dataclasses.replace(spec, model=dataclasses.replace(spec.model, n=target.n))
            _check_file_start(spec, target, source)
        _validate_values(spec, source)
        return spec


def read_target_file(path: str | Path, source: str = "job") -> MPS:
    """A saved tnqc MPS as a compile target (JobError if missing, corrupt or not normalised)."""
    path = Path(path)
    if not path.is_file():
        raise JobError(f"{source}: target file {path} does not exist")
    try:
        target = MPS.load(path)
    except (ValueError, KeyError, OSError, EOFError) as exc:
        raise JobError(f"{source}: bad target file: {exc}") from exc
    norm = target.norm()
    if not np.isfinite(norm) or abs(norm - 1.0) > 1e-8:
        raise JobError(f"{source}: the MPS in {path} must be normalised (norm 1), got norm "
                       f"{norm:.12g}; normalise it first (MPS.normalize)")
    return target


def _check_file_start(spec: JobSpec, target: MPS, source: str) -> None:
    """Starts and time stages that a target file cannot support (before any work)."""
    from aqc import target_info

    _, t, bits = target_info(target)
    if spec.optimize.init == "trotter" and (t is None or bits is None):
        raise JobError(f"{source}: init 'trotter' needs a target made by TEBD (with t and the "
                       f"initial state in its metadata); {spec.target.file} has none: use "
                       "init 'grow' or 'auto'")
    if spec.optimize.schedule != 1:
        raise JobError(f"{source}: schedule must be 1 for a target file, got "
                       f"{spec.optimize.schedule}")


def _build_section(klass, name: str, values: Mapping[str, Any], source: str):
    fields = {f.name: f for f in dataclasses.fields(klass)}
    unknown = set(values) - set(fields)
    if unknown:
        raise JobError(f"{source}: unknown key(s) {sorted(unknown)} in [{name}]; "
                       f"allowed: {', '.join(fields)}")
    out = {}
    for key, value in values.items():
        expected = fields[key].type
        out[key] = _coerce(value, expected, f"[{name}] {key}", source)
    return klass(**out)


def _coerce(value: Any, expected: str, where: str, source: str) -> Any:
    """Check a TOML value against the annotation string of a spec field."""
    optional = "None" in expected
    if value is None and optional:
        return None
    base = expected.replace(" | None", "")
    ok = {
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, (int, float)) and not isinstance(value, bool),
        "str": isinstance(value, str),
        "bool": isinstance(value, bool),
    }[base]
    if not ok:
        kind = {"int": "an integer", "float": "a number", "str": "a string",
                "bool": "true or false"}[base]
        raise JobError(f"{source}: {where} must be {kind}, got {type(value).__name__} {value!r}")
    return float(value) if base == "float" else value


def _validate_values(spec: JobSpec, source: str) -> None:
    """Value checks with the library's own validators, re-raised as JobError."""
    import aqc
    from aqc.objective import OBJECTIVES
    from aqc.optimize import OPTIMIZERS

    try:
        build_chain(spec.model)
        initial_state(spec.target.initial, spec.model.n)
        check_real(spec.target.t, "t", minimum=0.0)
        TEBDConfig(dt=spec.target.dt, order=spec.target.order, max_bond=spec.target.max_bond,
                   cutoff=spec.target.cutoff)
        aqc.BrickworkAnsatz(spec.model.n, spec.circuit.layers, spec.circuit.block)
        aqc.StopRule(maxiter=spec.optimize.maxiter, target_fidelity=spec.optimize.target_fidelity)
        opt = spec.optimize
        if opt.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {opt.optimizer!r}")
        if opt.objective not in OBJECTIVES:
            raise ValueError(f"objective must be one of {OBJECTIVES}, got {opt.objective!r}")
        from aqc.compiler import INITS
        from aqc.objective import PRECISIONS

        if opt.init not in INITS:
            raise ValueError(f"init must be one of {INITS}, got {opt.init!r}")
        if opt.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, got {opt.precision!r}")
        for key in ("schedule", "checkpoint_every"):
            if getattr(spec.optimize, key) < 1:
                raise ValueError(f"{key} must be >= 1, got {getattr(spec.optimize, key)}")
        if spec.optimize.seed < 0:
            raise ValueError(f"seed must be >= 0, got {spec.optimize.seed}")
        if spec.output.trotter_steps < 0:
            raise ValueError(f"trotter_steps must be >= 0, got {spec.output.trotter_steps}")
        if spec.output.isa is not None:
            from .export import resolve_backend

            resolve_backend(spec.output.isa)
    except (ValueError, TypeError) as exc:
        raise JobError(f"{source}: {exc}") from exc


# --------------------------------------------------------------------- helpers
def build_chain(model: ModelSpec) -> SpinChain:
    """The chain of a model spec (Pauli convention)."""
    n, j, jz, hx, hz = model.n, model.j, model.jz, model.hx, model.hz
    if model.name == "heisenberg":
        if hx or hz or jz is not None:
            return SpinChain(n, jx=j, jy=j, jz=j if jz is None else jz, hx=hx, hz=hz,
                             name="heisenberg")
        return heisenberg(n, j)
    if model.name == "xxz":
        return xxz(n, jxy=j, jz=1.0 if jz is None else jz, hz=hz)
    if model.name == "ising":
        return ising(n, j=j, hx=hx)
    raise ValueError(f"unknown model {model.name!r}; expected heisenberg, xxz or ising")


def initial_state(spec: str, n: int) -> MPS:
    """``neel``, ``zeros`` or an explicit bitstring of length ``n`` (site order)."""
    if spec == "neel":
        return MPS.neel(n)
    if spec == "zeros":
        return MPS.zeros(n)
    try:
        return MPS.from_bitstring(spec, n=n)
    except ValueError as exc:
        raise ValueError(f"initial must be 'neel', 'zeros' or a bitstring: {exc}") from exc


def prepare_output_dir(out: Path, force: bool, resume: bool = False) -> Path:
    """Create ``out``; refuse an existing non-empty folder unless ``force`` or ``resume``."""
    if out.exists() and not out.is_dir():
        raise JobError(f"output folder {out} exists and is not a folder")
    if resume:
        if not (out / "checkpoint.npz").is_file() or not (out / "job.json").is_file():
            raise JobError(f"cannot resume: {out} has no checkpoint.npz and job.json")
        return out
    if out.is_dir() and any(out.iterdir()) and not force:
        raise JobError(f"output folder {out} is not empty; pass --force to overwrite its files")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".tnqc-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise JobError(f"cannot write to output folder {out}: {exc.strerror or exc}") from exc
    return out


def trotter_baseline(chain: SpinChain, psi0: MPS, target: MPS, t: float, steps: int) -> list:
    """Fidelity and two-qubit depth of 2nd-order Trotter circuits with 1..steps steps."""
    from .trotter import trotter_depth

    rows = []
    for k in range(1, steps + 1):
        st = evolve(chain, psi0, t, t / k, order=2, max_bond=256, cutoff=1e-12).state
        cost = trotter_depth(chain.n, k, order=2)
        rows.append({"steps": k, "two_qubit_depth": cost.two_qubit_depth,
                     "cx_count": cost.cx_count, "fidelity": abs(target.overlap(st)) ** 2})
    return rows


def _save_png(fig, path: Path) -> None:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120, bbox_inches="tight")
    atomic_write(path, lambda fh: fh.write(buf.getvalue()), overwrite=True)


def _plots(out: Path, res, target: MPS, circuit_state: MPS, baseline: list, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(np.arange(len(res.history)), res.history, marker=".")
    ax.set_xlabel("iteration")
    ax.set_ylabel("fidelity |<target|V|0>|^2")
    ax.set_yscale("log" if res.history.min() < 1e-2 else "linear")
    ax.set_title(title)
    _save_png(fig, out / "fidelity.png")
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4))
    sites = np.arange(target.n)
    ax.plot(sites, target.expect_z(), "o-", label="target (MPS)", ms=3)
    ax.plot(sites, circuit_state.expect_z(), "x--", label="AQC circuit", ms=4)
    ax.set_xlabel("site i")
    ax.set_ylabel(r"$\langle Z_i \rangle$")
    ax.legend()
    ax.set_title(title)
    _save_png(fig, out / "z.png")
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 4))
    if baseline:
        ax.plot([r["two_qubit_depth"] for r in baseline], [r["fidelity"] for r in baseline],
                "s-", label="Trotter (2nd order)")
    ax.plot([res.two_qubit_depth], [res.fidelity], "o", ms=9, label=f"AQC L={res.ansatz.layers}")
    ax.set_xlabel("two-qubit (CX) depth")
    ax.set_ylabel("fidelity with target")
    ax.legend()
    ax.set_title(title)
    _save_png(fig, out / "depth.png")
    plt.close(fig)


# ------------------------------------------------------------------------ runner
def run_compile_job(
    spec: JobSpec,
    *,
    force: bool = False,
    resume: bool = False,
    on_target_step: Callable[[Any], None] | None = None,
    on_iteration: Callable[[Any], None] | None = None,
) -> dict[str, Any]:
    """Run a compile job end to end and return its report (also written to ``report.json``).

    Raises
    ------
    JobError
        For refused output folders or a resume that does not match the job.
    """
    import aqc

    out = prepare_output_dir(Path(spec.output.out), force, resume)
    job = spec.to_dict()
    start = time.perf_counter()
    chain = build_chain(spec.model)
    psi0 = initial_state(spec.target.initial, spec.model.n)
    ts = spec.target
    checkpoint = None
    if resume:
        saved = json.loads((out / "job.json").read_text())
        if saved != job:
            raise JobError(f"cannot resume: the job differs from {out / 'job.json'}")
        target = MPS.load(out / "target.npz")
        with np.load(out / "checkpoint.npz") as data:
            keys = list(zip(data["point_stage"].tolist(), data["point_iteration"].tolist(),
                            strict=True))
            points = dict(zip(keys, data["point_fidelity"].tolist(), strict=True))
            checkpoint = {"stage": int(data["stage"]), "params": data["params"].copy(),
                          "iteration": int(data["iteration"]),
                          "history": [points[k] for k in sorted(points)]}
        t_target = 0.0
        truncation = float(target.metadata.get("truncation_error", 0.0))
    elif ts.file is not None:
        atomic_write_json(out / "job.json", job, overwrite=True)
        target = read_target_file(ts.file)
        target.save(out / "target.npz", overwrite=True)
        t_target = 0.0
        truncation = float(target.metadata.get("truncation_error", 0.0))
    else:
        atomic_write_json(out / "job.json", job, overwrite=True)
        tres = evolve(chain, psi0, ts.t, ts.dt, order=ts.order, max_bond=ts.max_bond,
                      cutoff=ts.cutoff, callback=on_target_step)
        target = tres.state
        target.save(out / "target.npz", overwrite=True)
        t_target = tres.wall_time
        truncation = tres.truncation_error
    t_phys: float | None = ts.t
    bits: str | None = psi0.as_bitstring()
    if ts.file is not None:  # what the file says it is (a TEBD state, a ground state, ...)
        chain, t_phys, bits = aqc.target_info(target)

    every = spec.optimize.checkpoint_every
    if not resume:
        points: dict[tuple[int, int], float] = {}

    def callback(info) -> None:
        # fidelity history keyed by (stage, iteration); a later stage's start equals the
        # previous stage's end in aqc.compile's history, so it is not a separate point
        if not (info.stage > 0 and info.iteration == 0):
            points[(info.stage, info.iteration)] = info.fidelity
        if info.iteration > 0 and info.iteration % every == 0:
            keys = sorted(points)
            arrays = {"params": info.params, "stage": info.stage, "iteration": info.iteration,
                      "point_stage": [k[0] for k in keys],
                      "point_iteration": [k[1] for k in keys],
                      "point_fidelity": [points[k] for k in keys]}
            atomic_write(out / "checkpoint.npz", lambda fh: np.savez(fh, **arrays),
                         overwrite=True)
        if on_iteration is not None:
            on_iteration(info)

    ansatz = aqc.BrickworkAnsatz(spec.model.n, spec.circuit.layers, spec.circuit.block)
    opt = spec.optimize
    res = aqc.compile(target, ansatz, optimizer=opt.optimizer, objective=opt.objective,
                      maxiter=opt.maxiter, seed=opt.seed, schedule=opt.schedule,
                      target_fidelity=opt.target_fidelity, callback=callback,
                      chain=chain, t=t_phys, initial=bits, resume=checkpoint, init=opt.init,
                      precision=opt.precision)
    circuit_state = ansatz.state(res.params)
    check = abs(target.overlap(circuit_state)) ** 2
    baseline = []
    if chain is not None and t_phys is not None and bits is not None:
        baseline = trotter_baseline(chain, MPS.from_bitstring(bits), target, t_phys,
                                    spec.output.trotter_steps)
    total = time.perf_counter() - start

    from qiskit import qasm3, qpy

    atomic_write(out / "params.npz", lambda fh: np.savez(
        fh, params=res.params, n=spec.model.n, layers=spec.circuit.layers,
        block=spec.circuit.block), overwrite=True)
    atomic_write(out / "circuit.qpy", lambda fh: qpy.dump(res.circuit, fh), overwrite=True)
    atomic_write(out / "circuit.qasm", lambda fh: fh.write(qasm3.dumps(res.circuit).encode()),
                 overwrite=True)
    files = ["job.json", "target.npz", "params.npz", "circuit.qpy", "circuit.qasm",
             "report.json"]
    isa_info = None
    if spec.output.isa is not None:
        from .export import to_isa

        isa = to_isa(res.circuit, spec.output.isa, seed=opt.seed)
        atomic_write(out / "circuit_isa.qpy", lambda fh: qpy.dump(isa.circuit, fh),
                     overwrite=True)
        isa_info = {"backend": isa.backend_name, "layout": isa.layout,
                    "two_qubit_depth": isa.two_qubit_depth, "gate_counts": isa.gate_counts}
        files.append("circuit_isa.qpy")
    report = {
        "command": "compile",
        "job": job,
        "n": spec.model.n,
        "model": chain.to_dict() if chain is not None else None,
        "t": t_phys,
        "layers": spec.circuit.layers,
        "block": spec.circuit.block,
        "fidelity": res.fidelity,
        "log_fidelity": res.log_fidelity,
        "fidelity_check_mps": check,
        "init_fidelity": res.init_fidelity,
        "two_qubit_depth": res.two_qubit_depth,
        "cx_count": res.cx_count,
        "trotter_baseline": baseline,
        "isa": isa_info,
        "init": res.init,
        "precision": res.precision,
        "stages": res.stages,
        "iterations": res.n_iter,
        "stop_reason": res.stop_reason,
        "resumed_from_iteration": checkpoint["iteration"] if checkpoint else None,
        "target": ({"source": "tebd", "dt": ts.dt, "order": ts.order, "max_bond": ts.max_bond,
                    "cutoff": ts.cutoff} if ts.file is None else
                   {"source": "file", "file": str(Path(ts.file).resolve()),
                    "kind": target.metadata.get("kind", "unknown"),
                    "metadata": dict(target.metadata)})
        | {"n": target.n, "truncation_error": truncation, "max_bond_reached": target.max_bond(),
           "bond_dims": target.bond_dims()},
        "timings": {**res.timings, "target_s": t_target, "total_s": total},
        "seed": opt.seed,
        "versions": versions(),
        "conventions": "Pauli operators, hbar=1, qubit i = site i (qiskit little-endian)",
        "files": files + (["fidelity.png", "z.png", "depth.png"] if spec.output.plots else []),
    }
    atomic_write_json(out / "report.json", report, overwrite=True)
    if spec.output.plots:
        what = (f"{chain.name if chain is not None else 'target'}"
                + (f" t={t_phys:g}" if t_phys is not None else
                   f" {target.metadata.get('kind', 'file')}"))
        _plots(out, res, target, circuit_state, baseline,
               f"{what} n={spec.model.n} L={spec.circuit.layers}")
    (out / "checkpoint.npz").unlink(missing_ok=True)
    return report
