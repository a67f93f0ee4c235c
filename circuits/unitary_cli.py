"""``tnqc compile-unitary``: compile ``U(tau) = exp(-i H tau)`` into a brickwork block, repeat it.

Steps: the MPO of ``U(tau)`` by TEBD on the vectorised operator
(:func:`mps.mpo.evolution_mpo`), the block ``V`` by unitary AQC
(:func:`aqc.unitary.compile_unitary`), then ``V^k|psi0>`` for ``k = 1 .. m``
against the TEBD state at ``t = k tau`` and the second-order Trotter circuit of
equal CX depth (:func:`aqc.unitary.evolve_circuit`).  ``--variant symmetric``
(``V = X^T X``) or ``--variant framed`` (``K^dagger V K``, ``--frame-layers``) fit
the blocks of :mod:`aqc.unitary_frame` (:func:`aqc.unitary_frame.compile_framed`)
instead of the plain brickwork.

Files in ``--out`` (the conventions of ``tnqc compile``): ``target.npz`` (the
MPO), ``params.npz`` (parameters, history), ``circuit.qpy`` and ``circuit.qasm``
(OpenQASM 3) of the block, ``repeated.qpy`` (``V^m``), ``report.json`` (block
fidelity, repeated-state fidelities, Trotter comparison, timings, seed,
versions), and the plots ``state_fidelity.png`` (state infidelity against time,
repeated block vs Trotter at equal CX depth) and ``fidelity.png`` (optimisation
history).  Every option is checked before any work starts; a bad one prints one
line and exits with code 2, leaving no files.

Example
-------
>>> import tempfile
>>> from pathlib import Path
>>> from typer.testing import CliRunner
>>> from circuits.cli import app
>>> out = Path(tempfile.mkdtemp()) / "run"
>>> args = ["compile-unitary", "--n", "4", "--tau", "0", "--out", str(out)]
>>> CliRunner().invoke(app, args).exit_code  # tau must be > 0
2
>>> out.exists()  # bad input is refused before anything is written
False
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from circuits.cli_common import fail, prepare_out

MODELS = ("heisenberg", "xxz", "ising")
BLOCKS = ("su4", "xxz")
VARIANTS = ("plain", "symmetric", "framed")


def _ansatz(variant: str, n: int, layers: int, block: str, frame_layers: int | None,
            init: str, objective: str, chain):
    """The block's ansatz for ``--variant`` (every check before any work)."""
    from aqc import BrickworkAnsatz
    from aqc.unitary_frame import FramedAnsatz, SymmetricAnsatz

    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {', '.join(VARIANTS)}, got {variant!r}")
    if frame_layers is not None and variant != "framed":
        raise ValueError("--frame-layers needs --variant framed")
    if variant == "plain":
        return BrickworkAnsatz(n, layers, block=block)
    if objective != "log":
        raise ValueError(f"--variant {variant} optimises the log objective only, got "
                         f"--objective {objective}")
    if init == "trotter" and block != "su4":
        raise ValueError(f"the Trotter start of --variant {variant} needs --block su4 "
                         "(or --init identity/random)")
    if variant == "symmetric":
        if any(chain.hy):
            raise ValueError("--variant symmetric needs a real Hamiltonian (no Y fields)")
        return SymmetricAnsatz(n, layers, block=block)
    return FramedAnsatz(n, layers, 1 if frame_layers is None else frame_layers, block=block)


def _chain(model: str, n: int | None, j: float, jz: float | None, hx: float, hz: float,
           hamiltonian: Path | None):
    """The chain from ``--model`` options or a ``--hamiltonian`` JSON file of Pauli terms."""
    from aqc.unitary import as_chain
    from circuits.jobs import ModelSpec, build_chain

    if hamiltonian is not None:
        if not hamiltonian.is_file():
            raise ValueError(f"hamiltonian: no file at {hamiltonian}")
        try:
            terms = json.loads(hamiltonian.read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"hamiltonian: {hamiltonian} is not a JSON list of "
                             f"[label, qubits, coefficient] terms: {exc}") from exc
        if not isinstance(terms, list):
            raise ValueError("hamiltonian: expected a JSON list of [label, qubits, coefficient]")
        try:
            chain = as_chain([tuple(t) if isinstance(t, list) else t for t in terms])
        except TypeError as exc:
            raise ValueError(f"hamiltonian: {exc}") from exc
        if n is not None and n != chain.n:
            raise ValueError(f"--n {n} does not match the {chain.n} qubits of {hamiltonian}")
        return chain
    if model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}, got {model!r}")
    return build_chain(ModelSpec(name=model, n=100 if n is None else n, j=j, jz=jz, hx=hx, hz=hz))


def _save_png(fig, path: Path) -> None:
    from mps.atomic import atomic_write

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120, bbox_inches="tight")
    atomic_write(path, lambda fh: fh.write(buf.getvalue()), overwrite=True)


def _plots(out: Path, res, ev, title: str) -> None:
    import matplotlib
    import numpy as np

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4))
    inf = np.maximum(1.0 - ev.fidelity, 1e-16)
    ax.semilogy(ev.times, inf, "o-",
                label=f"repeated AQC block ({_variant(res)}, L={res.ansatz.layers})")
    ok = np.isfinite(ev.trotter_fidelity)
    if ok.any():
        ax.semilogy(ev.times[ok], np.maximum(1.0 - ev.trotter_fidelity[ok], 1e-16), "s--",
                    label="Trotter, 2nd order, equal CX depth")
    ax.set_xlabel("time t (1/J)")
    ax.set_ylabel("state infidelity 1 - F vs TEBD")
    ax.legend()
    ax.set_title(title)
    _save_png(fig, out / "state_fidelity.png")
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.semilogy(np.arange(len(res.history)), np.maximum(1.0 - res.history, 1e-16), ".-")
    ax.set_xlabel("iteration")
    ax.set_ylabel(r"block infidelity $1 - |Tr(U^\dagger V)|^2/4^n$")
    ax.set_title(title)
    _save_png(fig, out / "fidelity.png")
    plt.close(fig)


def compile_unitary_cmd(
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("runs/compile-unitary"),
    model: Annotated[str, typer.Option(help="heisenberg, xxz or ising (Pauli convention).")]
    = "heisenberg",
    n: Annotated[int | None, typer.Option(help="Number of qubits (default 100).")] = None,
    j: Annotated[float, typer.Option(help="Coupling J in Pauli units (0.25 = S.S).")] = 1.0,
    jz: Annotated[float | None, typer.Option(help="ZZ coupling (xxz; default 1).")] = None,
    hx: Annotated[float, typer.Option(help="Uniform X field.")] = 0.0,
    hz: Annotated[float, typer.Option(help="Uniform Z field.")] = 0.0,
    hamiltonian: Annotated[Path | None, typer.Option(
        help="JSON list of [label, qubits, coefficient] Pauli terms (instead of --model).")]
    = None,
    tau: Annotated[float, typer.Option(help="Time of one block (1/J, > 0).")] = 0.25,
    layers: Annotated[int, typer.Option(help="Brickwork layers L of the block.")] = 4,
    block: Annotated[str, typer.Option(help="Two-qubit block: su4 or xxz.")] = "su4",
    variant: Annotated[str, typer.Option(
        help="Block structure: plain (brickwork V, V^m has CX depth 3 m L), symmetric "
             "(V = X^T X, L even; repeats share a layer: 3 (m L + 1)) or framed "
             "(K^dag V K, frame K applied once: 3 (m L + 2 L_K - 1)).")] = "plain",
    frame_layers: Annotated[int | None, typer.Option(
        help="Layers L_K of the frame K (--variant framed; default 1).")] = None,
    repeat: Annotated[int, typer.Option(help="Repetitions m of the block (>= 1).")] = 8,
    initial: Annotated[str, typer.Option(
        help="Product state for the repeated block: neel, zeros, random or a bitstring.")]
    = "neel",
    init: Annotated[str, typer.Option(help="Start: trotter, identity or random.")] = "trotter",
    maxiter: Annotated[int, typer.Option(help="L-BFGS-B iterations.")] = 300,
    objective: Annotated[str, typer.Option(help="log (default) or infidelity.")] = "log",
    dt: Annotated[float, typer.Option(help="TEBD step (MPO and reference states).")] = 0.05,
    cutoff: Annotated[float, typer.Option(help="Discarded weight per SVD.")] = 1e-12,
    max_bond: Annotated[int, typer.Option(help="Bond cap of the reference states.")] = 128,
    seed: Annotated[int, typer.Option(help="Seed (random init / random initial state).")] = 0,
    plots: Annotated[bool, typer.Option(help="Write PNG plots.")] = True,
    checkpoint_every: Annotated[int, typer.Option(
        help="Write checkpoint.npz every k iterations (0: only at the end).")] = 10,
    resume: Annotated[bool, typer.Option(
        help="Continue the run in --out from its checkpoint.npz (same options; a larger "
             "--maxiter extends a finished run).")] = False,
    force: Annotated[bool, typer.Option(help="Overwrite files in a non-empty --out.")] = False,
) -> None:
    """Compile the evolution operator U(tau) of a spin chain into a brickwork block; repeat it."""
    import numpy as np

    from aqc.unitary import INITS, compile_unitary, evolve_circuit, product_vectors, repeat_depth
    from aqc.unitary import repeat as repeat_block
    from aqc.unitary_frame import compile_framed
    from mps import TEBDConfig
    from mps._validate import check_int, check_real

    try:
        chain = _chain(model, n, j, jz, hx, hz, hamiltonian)
        tau = check_real(tau, "tau", minimum=0.0, strict=True)
        m = check_int(repeat, "repeat", minimum=1)
        if block not in BLOCKS:
            raise ValueError(f"block must be su4 or xxz, got {block!r}")
        if init not in INITS:
            raise ValueError(f"init must be one of {', '.join(INITS)}, got {init!r}")
        if objective not in ("log", "infidelity"):
            raise ValueError(f"objective must be log or infidelity, got {objective!r}")
        ansatz = _ansatz(variant, chain.n, layers, block, frame_layers, init, objective, chain)
        check_int(maxiter, "maxiter", minimum=1)
        check_int(seed, "seed", minimum=0)
        check_int(max_bond, "max_bond", minimum=1)
        TEBDConfig(dt=dt, order=4, cutoff=cutoff)
        product_vectors(initial, chain.n, seed)
        check_int(checkpoint_every, "checkpoint_every", minimum=0)
        if force and resume:
            raise ValueError("--force and --resume exclude each other: --force discards the "
                             "run --resume would continue")
        spec = {"model": chain.to_dict(), "tau": tau, "layers": layers, "block": block,
                "variant": variant, "frame_layers": getattr(ansatz, "frame_layers", None),
                "init": init, "objective": objective, "dt": dt, "cutoff": cutoff, "seed": seed}
        saved = _load_checkpoint(out, spec, maxiter) if resume else None
        out = out if resume else prepare_out(out, force)
    except (ValueError, TypeError) as exc:
        fail(str(exc))

    from circuits.export import to_qpy, write_qasm3
    from mps._versions import versions
    from mps.atomic import atomic_write, atomic_write_json

    start = time.perf_counter()
    typer.echo(f"compiling U(tau={tau:g}) of {chain.name} n={chain.n} into a {variant} block, "
               f"L={layers} ...", err=True)
    done = 0 if saved is None else int(saved["iteration"])
    before = [] if saved is None else list(saved["history"][:-1])
    hist: list[float] = []

    def save_checkpoint(k: int, x: np.ndarray, fid: float) -> None:
        hist[k:] = [fid]
        if k == 0 or (k % checkpoint_every if checkpoint_every else True):
            return
        _write_checkpoint(out, spec, done + k, x, before + hist,
                          saved["init"] if saved else None)

    kw = {"init": init if saved is None else saved["x"], "seed": seed, "dt": dt,
          "cutoff": cutoff, "maxiter": maxiter - done, "checkpoint": save_checkpoint}
    if variant == "plain":
        res = compile_unitary(chain, tau, ansatz, objective=objective, **kw)
    else:
        res = compile_framed(chain, tau, ansatz, **kw)
    if saved is not None:  # one history and iteration count across the resumed runs
        res = dataclasses.replace(res, history=np.asarray(before + list(res.history)),
                                  n_iter=done + res.n_iter, init=saved["init"],
                                  init_fidelity=float(saved["history"][0]))
    _write_checkpoint(out, spec, res.n_iter, res.params, list(res.history), res.init)
    typer.echo(f"block F = {res.fidelity:.10f}; repeating {m}x from {initial} ...", err=True)
    ev = evolve_circuit(res, m, initial, seed=seed, max_bond=max_bond, cutoff=cutoff, dt=dt)
    rep = repeat_block(res, m)

    res.target.save(out / "target.npz", overwrite=True)
    atomic_write(out / "params.npz", lambda fh: np.savez(
        fh, params=res.params, history=res.history), overwrite=True)
    to_qpy(res.circuit, out / "circuit.qpy", overwrite=True)
    write_qasm3(res.circuit, out / "circuit.qasm", overwrite=True)
    to_qpy(rep, out / "repeated.qpy", overwrite=True)
    if plots:
        _plots(out, res, ev, f"{chain.name} n={chain.n}, tau={tau:g}, L={layers}")
    last = ev.rows()[-1]
    ratio = _ratio(last)
    rep_depth, rep_cx = repeat_depth(res, m)
    report: dict[str, Any] = {
        "command": "compile-unitary",
        "model": chain.to_dict(),
        "tau": tau, "layers": layers, "block": block, "variant": variant,
        "frame_layers": getattr(ansatz, "frame_layers", None), "repeat": m, "initial": initial,
        "block_fidelity": res.fidelity, "block_log_fidelity": res.log_fidelity,
        "block_infidelity": -math.expm1(res.log_fidelity),
        "init": res.init, "init_fidelity": res.init_fidelity,
        "two_qubit_depth": res.two_qubit_depth, "cx_count": res.cx_count,
        "repeated_two_qubit_depth": rep_depth, "repeated_cx_count": rep_cx,
        "target": {"max_bond": res.target.max_bond(), "dt": dt, "order": 4, "cutoff": cutoff,
                   "truncation_error": res.target.metadata.get("truncation_error")},
        "repeated": ev.rows(),
        "final": {"time": last["time"], "fidelity": last["fidelity"],
                  "trotter_fidelity": last["trotter_fidelity"],
                  "trotter_over_aqc_infidelity": ratio},
        "compile": res.summary(),
        "timings": {**res.timings, "repeat_s": ev.wall_time,
                    "total_s": time.perf_counter() - start},
        "seed": seed, "maxiter": maxiter, "objective": objective, "versions": versions(),
        "files": ["target.npz", "params.npz", "checkpoint.npz", "circuit.qpy", "circuit.qasm",
                  "repeated.qpy", "report.json"]
        + (["state_fidelity.png", "fidelity.png"] if plots else []),
    }
    atomic_write_json(out / "report.json", report, overwrite=True)
    tro = last["trotter_fidelity"]
    tro_txt = (f"Trotter at CX depth {last['trotter_depth']}: F = {tro:.8f}"
               + (f" ({ratio:.3g}x the infidelity)" if ratio else "")) if tro is not None \
        else "no Trotter circuit fits"
    typer.echo(
        f"done in {report['timings']['total_s']:.1f} s: block F = {res.fidelity:.10f} at CX depth "
        f"{res.two_qubit_depth}; V^{m}|{initial}> at t = {last['time']:g}: F = "
        f"{last['fidelity']:.8f} at CX depth {rep_depth}; {tro_txt} -> {out}/"
    )


def _write_checkpoint(out: Path, spec: dict, iteration: int, x, history: list,
                      init: str | None) -> None:
    """``checkpoint.npz``: the parameters after ``iteration`` iterations, the fidelity
    history up to there, the options that define the run and the start's name."""
    import numpy as np

    from mps.atomic import atomic_write

    atomic_write(out / "checkpoint.npz", lambda fh: np.savez(
        fh, x=np.asarray(x, dtype=float), iteration=iteration,
        history=np.asarray(history, dtype=float), spec=json.dumps(spec, sort_keys=True),
        init="" if init is None else init), overwrite=True)


def _load_checkpoint(out: Path, spec: dict, maxiter: int) -> dict:
    """The checkpoint of the run in ``out`` for ``--resume`` (every check before any work)."""
    import numpy as np

    path = Path(out) / "checkpoint.npz"
    if not path.is_file():
        raise ValueError(f"--resume: no checkpoint {path} (start the run without --resume)")
    try:
        with np.load(path, allow_pickle=False) as d:
            saved = {"x": np.array(d["x"]), "iteration": int(d["iteration"]),
                     "history": [float(v) for v in d["history"]],
                     "spec": json.loads(str(d["spec"])), "init": str(d["init"])}
    except Exception as exc:  # corrupt zip, missing entry, bad JSON
        raise ValueError(f"--resume: {path} is not a readable checkpoint ({exc})") from exc
    if len(saved["history"]) != saved["iteration"] + 1:
        raise ValueError(f"--resume: {path} is corrupt (history and iteration disagree)")
    spec = json.loads(json.dumps(spec, sort_keys=True))  # tuples -> lists, as saved
    diff = sorted(k for k in set(spec) | set(saved["spec"]) if spec.get(k) != saved["spec"].get(k))
    if diff:
        raise ValueError(f"--resume: the run in {out} used other options ({', '.join(diff)}); "
                         "give the same ones")
    if maxiter <= saved["iteration"]:
        raise ValueError(f"--resume: the run in {out} already did {saved['iteration']} "
                         f"iterations; give --maxiter > {saved['iteration']} to extend it")
    if not saved["init"]:
        saved["init"] = spec["init"]
    return saved


def _variant(res) -> str:
    return getattr(res, "variant", "plain")


def _ratio(row: dict) -> float | None:
    if row["trotter_fidelity"] is None:
        return None
    a, t = 1.0 - row["fidelity"], 1.0 - row["trotter_fidelity"]
    return float(t / a) if a > 0 else None
