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
``report.json`` and the plots (runner in :mod:`circuits.compile_job`);
``resume=True`` continues a killed or interrupted job from its last checkpoint with the
same target, and a larger ``maxiter`` extends a finished one.  Every size-like value has
an upper bound and a memory estimate (:mod:`circuits.limits`), checked before any work.

Example
-------
>>> from circuits.jobs import JobError, JobSpec
>>> spec = JobSpec.from_mapping({"model": {"n": 8, "j": 0.25}, "circuit": {"layers": 2}})
>>> spec.model.n, spec.circuit.layers, spec.target.t
(8, 2, 1.0)
>>> JobSpec.from_mapping({"model": {"spin": 1}})  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
circuits.jobs.JobError: job: unknown key
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mps import MPS, SpinChain, TEBDConfig, heisenberg, ising, xxz
from mps._validate import check_real

from . import limits
from .compile_report import trotter_baseline
from .rundir import JobError, JobInterrupted, prepare_output_dir

__all__ = [
    "COMPILE_FILES",
    "CircuitSpec",
    "JobError",
    "JobInterrupted",
    "JobSpec",
    "ModelSpec",
    "OptimizeSpec",
    "OutputSpec",
    "TargetSpec",
    "build_chain",
    "check_evolution",
    "check_model",
    "initial_state",
    "prepare_output_dir",
    "read_target_file",
    "read_toml",
    "run_compile_job",
    "toml_name",
    "trotter_baseline",
]

COMPILE_FILES = ("job.json", "target.npz", "checkpoint.npz", "params.npz", "circuit.qpy",
                 "circuit.qasm", "circuit_isa.qpy", "report.json", "fidelity.png", "z.png",
                 "depth.png", "circuit.qasm2", "circuit.qasm3", "isa.json",
                 "circuit_extended.qpy", "circuit_extended.qasm")
"""What a compile (and ``tnqc export`` into its folder) writes; ``--force`` removes these."""

RESUME_FREE = ("output.out", "output.plots", "output.trotter_steps", "output.isa",
               "optimize.checkpoint_every", "target.file")
"""Fields that do not change the optimised circuit: a resume may change them freely."""

RESUME_EXTENDABLE = ("optimize.maxiter",)
"""Budgets a resume may raise: the run continues from its checkpoint to the new budget."""


def toml_name(section: str, key: str) -> str:
    """How a job file names a field: ``[model] n``."""
    return f"[{section}] {key}"


@dataclass(frozen=True)
class ModelSpec:
    """``[model]``: the spin chain (Pauli convention; ``j = 0.25`` is ``J S.S`` with J = 1)."""

    name: str = "heisenberg"
    n: int = 100
    j: float = 1.0
    jz: float | None = None
    hx: float = 0.0
    hz: float = 0.0


@dataclass(frozen=True)
class TargetSpec:
    """``[target]``: the TEBD evolution that makes the target MPS (time in 1/J)."""

    t: float = 1.0
    dt: float = 0.025
    order: int = 4
    max_bond: int = 128
    cutoff: float = 1e-12
    initial: str = "neel"
    file: str | None = None  # a saved tnqc MPS (e.g. `tnqc ground`) instead of TEBD


@dataclass(frozen=True)
class CircuitSpec:
    """``[circuit]``: the brickwork ansatz (layers and block type)."""

    layers: int = 4
    block: str = "su4"


@dataclass(frozen=True)
class OptimizeSpec:
    """``[optimize]``: the optimiser, its cost, stopping and checkpoint settings."""

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
    """``[output]``: the output folder, plots, Trotter baselines and ISA backend."""

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
        """Read and validate a job file; any unreadable bytes are a one-line :class:`JobError`."""
        path = Path(path)
        return cls.from_mapping(read_toml(path, "job file"), source=str(path))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str | None = "job",
                     names: Callable[[str, str], str] = toml_name) -> JobSpec:
        """Validate a nested mapping (keys, types and values) into a spec.

        ``source`` prefixes the messages (None: no prefix); ``names(section, key)`` is how
        the user wrote a field (``[model] n`` in a file, ``--n`` on the command line).
        """
        pre = f"{source}: " if source else ""
        if not isinstance(data, Mapping):
            raise JobError(f"{pre}a job must be a table of sections")
        unknown = set(data) - {"kind", *_SECTIONS}
        if unknown:
            raise JobError(f"{pre}unknown key(s) {sorted(map(str, unknown))}; allowed: kind, "
                           + ", ".join(f"[{s}]" for s in _SECTIONS))
        kind = data.get("kind", "compile")
        if kind != "compile":
            raise JobError(f"{pre}kind must be 'compile', got {kind!r}")
        sections = {}
        for name, klass in _SECTIONS.items():
            values = data.get(name, {})
            if not isinstance(values, Mapping):
                raise JobError(f"{pre}[{name}] must be a table, got {type(values).__name__}")
            sections[name] = _build_section(klass, name, values, pre, names)
        spec = cls(kind=kind, **sections)
        if spec.target.file is not None:  # n and the start come from the file
            target = read_target_file(spec.target.file, source)
            model = data.get("model", {})
            if "n" in model and spec.model.n != target.n:
                raise JobError(f"{pre}the target file {spec.target.file} has n={target.n} "
                               f"qubits but {names('model', 'n')}={spec.model.n} was given")
            spec = dataclasses.replace(spec, model=dataclasses.replace(spec.model, n=target.n))
            _check_file_start(spec, target, pre, names)
        _validate_values(spec, pre, names)
        return spec


def read_target_file(path: str | Path, source: str | None = "job") -> MPS:
    """A saved tnqc MPS as a compile target (JobError if missing, corrupt or not normalised)."""
    import math

    from .rundir import _BAD_FILE

    pre = f"{source}: " if source else ""
    path = Path(path)
    if not path.is_file():
        raise JobError(f"{pre}target file {path} does not exist")
    try:
        target = MPS.load(path)
    except _BAD_FILE as exc:
        raise JobError(f"{pre}bad target file {path}: not a saved tnqc MPS "
                       f"({type(exc).__name__}: {exc})") from exc
    norm = target.norm()
    if not math.isfinite(norm) or abs(norm - 1.0) > 1e-8:
        raise JobError(f"{pre}the MPS in {path} must be normalised (norm 1), got norm "
                       f"{norm:.12g}; normalise it first (MPS.normalize)")
    return target


def _check_file_start(spec: JobSpec, target: MPS, pre: str, names) -> None:
    """Starts and time stages that a target file cannot support (before any work)."""
    from aqc import target_info

    _, t, bits = target_info(target)
    if spec.optimize.init == "trotter" and (t is None or bits is None):
        raise JobError(f"{pre}{names('optimize', 'init')} 'trotter' needs a target made by TEBD "
                       f"(with t and the initial state in its metadata); {spec.target.file} has "
                       "none: use 'grow' or 'auto'")
    if spec.optimize.schedule != 1:
        raise JobError(f"{pre}{names('optimize', 'schedule')} must be 1 for a target file, got "
                       f"{spec.optimize.schedule}")


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """Parse a TOML file; unreadable, non-UTF-8 or malformed content is a :class:`JobError`."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise JobError(f"{path}: cannot read the {what} ({exc.strerror or exc})") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JobError(f"{path}: the {what} is not UTF-8 text (byte {exc.start}); "
                       "expected a TOML file") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise JobError(f"{path}: malformed TOML: {exc}") from exc
    except (RecursionError, MemoryError, ValueError) as exc:  # pathological nesting
        raise JobError(f"{path}: the {what} cannot be parsed as TOML "
                       f"({type(exc).__name__})") from exc


def _build_section(klass, name: str, values: Mapping[str, Any], pre: str, names):
    fields = {f.name: f for f in dataclasses.fields(klass)}
    unknown = set(values) - set(fields)
    if unknown:
        raise JobError(f"{pre}unknown key(s) {sorted(map(str, unknown))} in [{name}]; "
                       f"allowed: {', '.join(fields)}")
    out = {}
    for key, value in values.items():
        expected = fields[key].type
        out[key] = _coerce(value, expected, names(name, key), pre)
    return klass(**out)


def _coerce(value: Any, expected: str, where: str, pre: str) -> Any:
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
        shown = repr(value)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        raise JobError(f"{pre}{where} must be {kind}, got {type(value).__name__} {shown}")
    if base == "float":
        try:
            return float(value)
        except OverflowError as exc:
            raise JobError(f"{pre}{where} is too large for a float, got {value}") from exc
    return value


_FIELD_OF = {  # the library's argument name -> the job field it comes from
    "n": ("model", "n"), "jx": ("model", "j"), "jy": ("model", "j"), "jxy": ("model", "j"),
    "j": ("model", "j"), "jz": ("model", "jz"), "hx": ("model", "hx"), "hz": ("model", "hz"),
    "t": ("target", "t"), "dt": ("target", "dt"), "order": ("target", "order"),
    "max_bond": ("target", "max_bond"), "cutoff": ("target", "cutoff"),
    "initial": ("target", "initial"), "psi0": ("target", "initial"),
    "layers": ("circuit", "layers"), "block": ("circuit", "block"),
    "maxiter": ("optimize", "maxiter"), "target_fidelity": ("optimize", "target_fidelity"),
    "optimizer": ("optimize", "optimizer"), "objective": ("optimize", "objective"),
}


def user_message(message: str, names: Callable[[str, str], str]) -> str:
    """Replace a leading library argument name (``jx must be ...``) by the user's name."""
    head, sep, rest = message.partition(" ")
    field_ = _FIELD_OF.get(head)
    if field_ is None or not sep:
        return message
    return f"{names(*field_)} {rest}"


def check_model(m: ModelSpec, names: Callable[[str, str], str] = toml_name) -> SpinChain:
    """The chain of ``m``, or ``ValueError`` naming the user's field; options without
    effect on the model (``hx`` of xxz, ``jz``/``hz`` of ising) are refused."""
    limits.check_size(m.n, names("model", "n"), limits.MAX_QUBITS, minimum=2)
    for key in ("j", "jz", "hx", "hz"):
        if getattr(m, key) is not None:
            check_real(getattr(m, key), names("model", key))
    unused = {"xxz": ("hx",), "ising": ("jz", "hz")}.get(m.name, ())
    for key in unused:
        if getattr(m, key):
            raise ValueError(f"{names('model', key)} has no effect on the {m.name} model; "
                             "leave it out")
    return build_chain(m)


def check_evolution(tg: TargetSpec, n: int, names: Callable[[str, str], str] = toml_name,
                    records: int = 1) -> MPS:
    """Check a TEBD evolution (time, step, bond, steps, memory); return the start state."""
    check_real(tg.t, names("target", "t"), minimum=0.0)
    check_real(tg.dt, names("target", "dt"), minimum=0.0, strict=True)
    limits.check_size(tg.max_bond, names("target", "max_bond"), limits.MAX_BOND)
    TEBDConfig(dt=tg.dt, order=tg.order, max_bond=tg.max_bond, cutoff=tg.cutoff)
    steps = limits.steps(tg.t, tg.dt)
    if steps > limits.MAX_STEPS:
        raise ValueError(f"{names('target', 't')} / {names('target', 'dt')} gives {steps} "
                         f"TEBD steps, more than {limits.MAX_STEPS}")
    limits.check_memory(limits.evolve_memory(n, tg.max_bond, min(steps, records)),
                        f"an evolution with n={n}, max_bond={tg.max_bond}")
    try:
        return initial_state(tg.initial, n)
    except ValueError as exc:
        raise ValueError(user_message(str(exc), names)) from exc


def _validate_values(spec: JobSpec, pre: str, names) -> None:
    """Value checks with the library's own validators, re-raised as JobError."""
    import aqc
    from aqc.objective import OBJECTIVES
    from aqc.optimize import OPTIMIZERS

    m, tg, c, opt, o = spec.model, spec.target, spec.circuit, spec.optimize, spec.output
    try:
        check_model(m, names)
        check_evolution(tg, m.n, names)
        limits.check_size(c.layers, names("circuit", "layers"), limits.MAX_LAYERS)
        aqc.BrickworkAnsatz(m.n, c.layers, c.block)
        limits.check_size(opt.maxiter, names("optimize", "maxiter"), limits.MAX_MAXITER)
        aqc.StopRule(maxiter=opt.maxiter, target_fidelity=opt.target_fidelity)
        if opt.optimizer not in OPTIMIZERS:
            raise ValueError(f"{names('optimize', 'optimizer')} must be one of "
                             f"{', '.join(OPTIMIZERS)}, got {opt.optimizer!r}")
        if opt.objective not in OBJECTIVES:
            raise ValueError(f"{names('optimize', 'objective')} must be one of "
                             f"{', '.join(OBJECTIVES)}, got {opt.objective!r}")
        from aqc.compiler import INITS
        from aqc.objective import PRECISIONS

        if opt.init not in INITS:
            raise ValueError(f"{names('optimize', 'init')} must be one of {', '.join(INITS)}, "
                             f"got {opt.init!r}")
        if opt.precision not in PRECISIONS:
            raise ValueError(f"{names('optimize', 'precision')} must be one of "
                             f"{', '.join(PRECISIONS)}, got {opt.precision!r}")
        limits.check_size(opt.schedule, names("optimize", "schedule"), limits.MAX_SCHEDULE)
        limits.check_size(opt.checkpoint_every, names("optimize", "checkpoint_every"),
                          limits.MAX_MAXITER)
        limits.check_size(opt.seed, names("optimize", "seed"), 2**63 - 1, minimum=0)
        limits.check_size(o.trotter_steps, names("output", "trotter_steps"),
                          limits.MAX_TROTTER_STEPS, minimum=0)
        limits.check_memory(limits.compile_memory(m.n, tg.max_bond, c.layers),
                            f"a compile with n={m.n}, max_bond={tg.max_bond}, layers={c.layers}")
        if o.isa is not None:
            from .isa import check_isa_fits

            check_isa_fits(o.isa, m.n)
    except (ValueError, TypeError, OverflowError) as exc:
        raise JobError(pre + user_message(str(exc), names)) from exc


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


# ------------------------------------------------------------------------ runner
def run_compile_job(spec: JobSpec, **kwargs: Any) -> dict[str, Any]:
    """:func:`circuits.compile_job.run_compile_job` (imported on call: it imports this module)."""
    from .compile_job import run_compile_job as run

    return run(spec, **kwargs)
