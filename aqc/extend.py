"""Compress, then extend: append plain Trotter steps to a compiled circuit.

The workflow of the AQC-Tensor addon: compile the state at ``t0`` into a short
circuit ``V`` (:func:`aqc.compile`), then append ``k`` Trotter steps of
``exp(-i H t_extra)`` (:func:`circuits.trotter.trotter_circuit`, the product
formula of :func:`mps.evolve`, 3 CX per bond gate) and run that on hardware.

:func:`extend` reports the fidelity of the whole circuit with the TEBD target at
``t0 + t_extra`` (evolved from the target's initial state with the target's own
TEBD settings, read from its metadata).  The circuit state is computed as
``mps.evolve`` of the compiled circuit's exact MPS (``ansatz.state``) with the
same ``k`` steps: the statevector of the appended Trotter circuit applied to any
input is exactly that (see :mod:`circuits.trotter`).  Nothing is truncated
beyond ``cutoff`` (discarded weight per SVD, summed in ``truncation_error``).
Where its intermediate is small enough (``max_env``), the fidelity is also
computed by the exact gate-list contraction of :mod:`aqc.contraction`
(``fidelity_contraction``, else None).

:func:`trotter_comparison` adds the two baselines a user compares against:
plain second-order Trotter from ``t = 0`` of the same CX depth, and the
shallowest plain Trotter circuit of the same fidelity.

Conventions: Pauli operators, ``hbar = 1``, qubit ``i`` = MPS site ``i``.

Example
-------
>>> from mps import MPS, evolve, heisenberg
>>> import aqc
>>> chain = heisenberg(6, 0.25)
>>> target = evolve(chain, MPS.neel(6), t=0.5, dt=0.05, order=4).state
>>> res = aqc.compile(target, aqc.BrickworkAnsatz(6, layers=4), maxiter=50)
>>> ext = aqc.extend(res, chain, t_extra=0.5, steps=2, target=target)
>>> ext.t_final, ext.two_qubit_depth == res.two_qubit_depth + 15
(1.0, True)
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from mps import MPS, BondGates, SpinChain, evolve
from mps._validate import check_int, check_real

from .ansatz import BrickworkAnsatz
from .compiler import target_info
from .contraction import GateList

__all__ = ["ExtendResult", "extend", "final_target", "trotter_comparison"]


@dataclass(frozen=True)
class ExtendResult:
    """Outcome of :func:`extend`.

    Attributes
    ----------
    circuit : qiskit.QuantumCircuit
        The compiled circuit followed by the Trotter steps (qubit ``i`` = site ``i``).
    trotter_part : qiskit.QuantumCircuit
        The appended Trotter steps alone.
    fidelity, log_fidelity : float
        Of ``circuit|0>`` with ``target`` (the TEBD state at ``t_final``).
    fidelity_contraction : float or None
        The same by the exact gate-list contraction (None beyond ``max_env``).
    compiled_fidelity : float
        The compiled circuit's fidelity at ``t0``.
    two_qubit_depth, cx_count : int
        Of ``circuit``: the compiled circuit's plus the Trotter steps'.
    """

    circuit: Any
    trotter_part: Any
    fidelity: float
    log_fidelity: float
    fidelity_contraction: float | None
    compiled_fidelity: float
    t0: float
    t_final: float
    steps: int
    order: int
    two_qubit_depth: int
    cx_count: int
    truncation_error: float
    target: MPS
    state: MPS
    timings: dict[str, float]

    def summary(self) -> dict[str, Any]:
        """JSON-serialisable summary."""
        return {"t0": self.t0, "t_final": self.t_final, "steps": self.steps,
                "order": self.order, "fidelity": self.fidelity,
                "log_fidelity": self.log_fidelity,
                "fidelity_contraction": self.fidelity_contraction,
                "compiled_fidelity": self.compiled_fidelity,
                "two_qubit_depth": self.two_qubit_depth, "cx_count": self.cx_count,
                "truncation_error": self.truncation_error, "timings": dict(self.timings),
                "target_max_bond": self.target.max_bond()}


def final_target(target: MPS, chain: SpinChain, t_final: float) -> MPS:
    """The TEBD state at ``t_final`` from ``target``'s initial state, with its TEBD settings."""
    _, _, bits = target_info(target)
    meta = target.metadata
    if bits is None or "dt" not in meta:
        raise ValueError("target must come from mps.evolve from a product state "
                         "(its metadata names the initial bitstring and dt); pass final_target=")
    return evolve(chain, MPS.from_bitstring(bits), t_final, float(meta["dt"]),
                  order=int(meta.get("order", 2)), max_bond=meta.get("max_bond"),
                  cutoff=float(meta.get("cutoff", 1e-10))).state


def _trotter_gates(chain: SpinChain, t: float, steps: int, order: int):
    from circuits.trotter import merged_layers

    gates = BondGates(chain)
    return [(i, gates(i, tau)) for parity, tau in merged_layers(order, t / steps, steps)
            for i in range(parity, chain.n - 1, 2)]


def extend(
    result: Any,
    chain: SpinChain,
    t_extra: float,
    steps: int,
    order: int = 2,
    *,
    target: MPS | None = None,
    final: MPS | None = None,
    cutoff: float = 1e-14,
    max_env: int = 2**22,
) -> ExtendResult:
    """Append ``steps`` Trotter steps of time ``t_extra`` to a compiled circuit.

    Parameters
    ----------
    result : aqc.CompileResult
        A compiled brickwork circuit (its ``ansatz`` and ``params``).
    chain : mps.SpinChain
        The Hamiltonian of the evolution (same ``n``).
    t_extra : float
        Time added (> 0), ``hbar = 1``.
    steps : int
        Trotter steps for ``t_extra`` (>= 1).
    order : {1, 2, 4}
        Trotter order of the appended steps.
    target : mps.MPS, optional
        The compiled target (made by :func:`mps.evolve`): its metadata give
        ``t0``, the initial state and the TEBD settings of the final target.
    final : mps.MPS, optional
        The target at ``t0 + t_extra`` (computed from ``target`` when omitted).
    cutoff : float
        Discarded weight per SVD when the Trotter steps are applied to the MPS.
    max_env : int
        Size limit of the exact-contraction cross-check.

    Returns
    -------
    ExtendResult
    """
    from circuits.trotter import trotter_circuit, trotter_depth

    start = time.perf_counter()
    ansatz = getattr(result, "ansatz", None)
    if not isinstance(ansatz, BrickworkAnsatz):
        raise TypeError(f"result must be an aqc.CompileResult, got {type(result).__name__}")
    if not isinstance(chain, SpinChain):
        raise TypeError(f"chain must be an mps.SpinChain, got {type(chain).__name__}")
    if chain.n != ansatz.n:
        raise ValueError(f"chain has n={chain.n} but the circuit has n={ansatz.n}")
    t_extra = check_real(t_extra, "t_extra", minimum=0.0, strict=True)
    steps = check_int(steps, "steps", minimum=1)
    order = check_int(order, "order")
    if order not in (1, 2, 4):
        raise ValueError(f"order must be 1, 2 or 4, got {order}")
    if target is None:
        raise ValueError("extend needs the compiled target (target=) to know t0")
    _, t0, _ = target_info(target)
    if t0 is None:
        raise ValueError("target's metadata has no time t (make it with mps.evolve)")
    t_final = t0 + t_extra
    t1 = time.perf_counter()
    if final is None:
        final = final_target(target, chain, t_final)
    elif not isinstance(final, MPS) or final.n != chain.n:
        raise ValueError(f"final must be an mps.MPS on {chain.n} qubits")
    t_target = time.perf_counter() - t1

    t1 = time.perf_counter()
    params = ansatz.check_params(result.params)
    evolved = evolve(chain, ansatz.state(params), t_extra, t_extra / steps, order=order,
                     cutoff=cutoff)
    log_f = float(np.log(max(abs(final.overlap(evolved.state)) ** 2, 1e-300)))
    t_state = time.perf_counter() - t1

    t1 = time.perf_counter()
    trot = _trotter_gates(chain, t_extra, steps, order)
    gl = GateList(chain.n, tuple(b for _, b in ansatz.bonds) + tuple(i for i, _ in trot))
    f_con = None
    if gl.env_size(final.max_bond()) <= max_env:
        gates = np.concatenate([ansatz.block_unitaries(params), [g for _, g in trot]])
        logabs, _ = gl.log_overlap(final, gates,
                                   MPS.product_state(list(ansatz.initial_states(params))))
        f_con = float(np.exp(2 * logabs))
    t_con = time.perf_counter() - t1

    part = trotter_circuit(chain, t_extra, steps, order=order, initial="0" * chain.n)
    circuit = result.circuit.compose(part)
    circuit.name = f"{result.circuit.name}+trotter_o{order}_k{steps}"
    cost = trotter_depth(chain.n, steps, order)
    return ExtendResult(
        circuit=circuit, trotter_part=part, fidelity=float(np.exp(log_f)), log_fidelity=log_f,
        fidelity_contraction=f_con, compiled_fidelity=float(result.fidelity), t0=float(t0),
        t_final=float(t_final), steps=steps, order=order,
        two_qubit_depth=ansatz.two_qubit_depth + cost.two_qubit_depth,
        cx_count=ansatz.cx_count + cost.cx_count, truncation_error=evolved.truncation_error,
        target=final, state=evolved.state,
        timings={"final_target": t_target, "state": t_state, "contraction": t_con,
                 "total": time.perf_counter() - start})


def trotter_comparison(ext: ExtendResult, chain: SpinChain, initial: str,
                       max_steps: int = 40) -> dict[str, Any]:
    """Plain 2nd-order Trotter from ``t = 0`` against an extended circuit.

    Returns a row with ``extended`` (the extended circuit), ``same_depth`` (the
    Trotter circuit with the most steps whose CX depth is at most the extended
    circuit's) and ``same_fidelity`` (the fewest steps, up to ``max_steps``,
    reaching the extended circuit's fidelity; None if none does).
    """
    from circuits.trotter import trotter_depth

    max_steps = check_int(max_steps, "max_steps", minimum=1)
    psi0 = MPS.from_bitstring(initial)

    def trotter_row(k: int) -> dict[str, Any]:
        st = evolve(chain, psi0, ext.t_final, ext.t_final / k, order=2, max_bond=256,
                    cutoff=1e-12).state
        cost = trotter_depth(chain.n, k, order=2)
        return {"steps": k, "two_qubit_depth": cost.two_qubit_depth, "cx_count": cost.cx_count,
                "fidelity": abs(ext.target.overlap(st)) ** 2}

    fitting = [k for k in range(1, max_steps + 1)
               if trotter_depth(chain.n, k, 2).two_qubit_depth <= ext.two_qubit_depth]
    same_depth = trotter_row(fitting[-1]) if fitting else None
    same_fid = None
    for k in range(1, max_steps + 1):
        row = same_depth if same_depth is not None and same_depth["steps"] == k \
            else trotter_row(k)
        if row["fidelity"] >= ext.fidelity:
            same_fid = row
            break
    return {"t0": ext.t0, "t_final": ext.t_final,
            "extended": {"steps": ext.steps, "two_qubit_depth": ext.two_qubit_depth,
                         "cx_count": ext.cx_count, "fidelity": ext.fidelity,
                         "compiled_fidelity": ext.compiled_fidelity},
            "same_depth": same_depth, "same_fidelity": same_fid, "max_steps": max_steps}
