"""Memory and magic-state-injection experiments on the heavy-hex patch, as ``stim.Circuit`` s.

Circuits are data: one noiseless circuit per experiment, with ``QUBIT_COORDS`` (see
:meth:`HeavyHexPatch.coords`), ``TICK`` between gate layers, detectors (coordinates
``(x, y, t)``) and observables; noise is added afterwards by a
:class:`~circuits.cultivation.noise.NoiseModel` (``model.apply(circuit)``).  Stim qubit ``k``
is ``patch.qubits[k]``.

Injected state (middle injection, Li 2015 / Kim et al. 2024): the central data qubit
``(c, c)`` is prepared in ``|psi> = U3(theta, phi, 0)|0> = cos(theta/2)|0> +
e^{i phi} sin(theta/2)|1>``; the other data qubits of row ``c`` and of the top-left and
bottom-right quadrants and all boundary arms ``Z``-type in ``|0>``, those of column ``c``
and the other two quadrants in ``|+>``.  Then ``Z_L`` (row ``c``), ``X_L`` (column ``c``)
and ``Y_L = i X_L Z_L`` carry the Bloch vector ``(sin theta cos phi, sin theta sin phi,
cos theta)`` of ``|psi>``.

Non-Clifford states: ``R_Y(theta)`` and ``R_Z(phi)`` are real gates when the angle is a
multiple of pi/2; otherwise stim gets the Clifford proxy ``SQRT_Y[RY(theta)]`` /
``S[RZ(phi)]`` (the tag carries the true angle), as the cultivation backend does with
``S[T]``; :func:`circuits.injection.hardware.to_qiskit` restores the real rotations.  The
magic states are ``|H> = cos(pi/8)|0> + sin(pi/8)|1>`` (theta = pi/4, phi = 0) and the
T-type state with Bloch vector ``(1, 1, 1)/sqrt(3)`` (Bravyi-Kitaev 2005: theta =
arccos(1/sqrt 3), phi = pi/4).

Detector tags: ``boundary`` for checks that are deterministic from the first round (the
boundary checks and the extra qubits) and their repetitions; untagged for the bulk checks
made random by the injected state (compared from the second round on).  The paper
post-selects on the boundary checks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import stim

from .layout import HeavyHexPatch, heavy_hex_patch
from .schedule import schedule

__all__ = ["H_STATE", "NAMED_STATES", "T_STATE", "TomographyCircuit", "bloch_vector",
           "injection_circuit", "logical_support",
           "memory_circuit", "prep_bases", "state_angles", "tomography_circuit"]

H_STATE = (math.pi / 4, 0.0)
T_STATE = (math.acos(1 / math.sqrt(3)), math.pi / 4)
NAMED_STATES = {"0": (0.0, 0.0), "1": (math.pi, 0.0), "+": (math.pi / 2, 0.0),
                "-": (math.pi / 2, math.pi), "+i": (math.pi / 2, math.pi / 2),
                "-i": (math.pi / 2, 3 * math.pi / 2), "H": H_STATE, "T": T_STATE}
BOUNDARY = "boundary"


def state_angles(state: str | tuple[float, float]) -> tuple[float, float]:
    """``(theta, phi)`` of a named state (``0 1 + - +i -i H T``) or of a finite pair."""
    if isinstance(state, str):
        if state not in NAMED_STATES:
            raise ValueError(f"state must be one of {sorted(NAMED_STATES)} or (theta, phi), "
                             f"got {state!r}")
        return NAMED_STATES[state]
    try:
        theta, phi = (float(x) for x in state)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"state must be a name or a (theta, phi) pair, got {state!r}") from exc
    for name, v in (("theta", theta), ("phi", phi)):
        if not math.isfinite(v):
            raise ValueError(f"{name} must be finite, got {v}")
    return theta, phi


def bloch_vector(theta: float, phi: float) -> tuple[float, float, float]:
    """``(<X>, <Y>, <Z>)`` of ``U3(theta, phi, 0)|0>``."""
    return (math.sin(theta) * math.cos(phi), math.sin(theta) * math.sin(phi), math.cos(theta))


def _quarter(angle: float) -> int | None:
    k = angle / (math.pi / 2)
    r = round(k)
    return r % 4 if abs(k - r) < 1e-12 else None


def _prep_center(q: int, theta: float, phi: float) -> list:
    ops = [("R", (q,), "")]
    ky = _quarter(theta)
    if ky is None:
        ops.append(("SQRT_Y", (q,), f"RY({theta!r})"))
    elif ky:
        ops.append((["SQRT_Y", "Y", "SQRT_Y_DAG"][ky - 1], (q,), ""))
    kz = _quarter(phi)
    if kz is None:
        ops.append(("S", (q,), f"RZ({phi!r})"))
    elif kz:
        ops.append((["S", "Z", "S_DAG"][kz - 1], (q,), ""))
    return ops


def prep_bases(patch: HeavyHexPatch) -> dict[tuple, str]:
    """``"Z"`` (``|0>``) or ``"X"`` (``|+>``) for every data qubit but the centre (module doc)."""
    d, c = patch.d, (patch.d - 1) // 2
    out: dict[tuple, str] = {}
    for q in patch.data:
        i, j = q
        if q == patch.center:
            continue
        if j == d:
            out[q] = "Z"
        elif i == c:
            out[q] = "Z"
        elif j == c:
            out[q] = "X"
        elif (j == 0 and i < d - 1) or (j == d - 1 and i > 0):
            out[q] = "Z"  # left / right Z-boundary arms
        elif i == 0 or i == d - 1:
            out[q] = "X"  # top / bottom X-boundary arms
        elif (i < c) == (j < c):
            out[q] = "Z"  # top-left and bottom-right quadrants
        else:
            out[q] = "X"
    return out


def _coords(patch: HeavyHexPatch) -> stim.Circuit:
    c = stim.Circuit()
    for k, q in enumerate(patch.qubits):
        c.append("QUBIT_COORDS", [k], patch.coords(q))
    return c


def _round_ops(patch: HeavyHexPatch, r: int) -> tuple[list, list]:
    """Operations of round ``r`` (two sub-rounds) and, per op, ``(r, check)`` or ``None``."""
    idx = patch.index
    ops: list = []
    meta: list = []

    def add(name: str, qubits: tuple, info=None) -> None:
        ops.append((name, qubits, ""))
        meta.append(info)

    for s in (0, 1):
        folds = [(idx[a], idx[m], idx[b]) for a, m, b in patch.folds[s]]
        checks = [ch for ch in patch.checks if ch.subround == s]
        meas = [ch for ch in checks if ch.syndrome is not None]
        extras = [ch for ch in checks if ch.syndrome is None]
        for ch in extras:
            add("MR", (idx[ch.data[0]],), (r, ch))
        for ch in meas:
            add("R" if ch.basis == "Z" else "RX", (idx[ch.syndrome],))
        for layer in ((0, 1), (1, 2), (0, 1)):
            for f in folds:
                add("CX", (f[layer[0]], f[layer[1]]))
        for k in (0, 1):
            for ch in meas:
                if k < len(ch.measured):
                    d, a = idx[ch.measured[k]], idx[ch.syndrome]
                    add("CX", (d, a) if ch.basis == "Z" else (a, d))
        for ch in meas:
            add("M" if ch.basis == "Z" else "MX", (idx[ch.syndrome],), (r, ch))
        for layer in ((0, 1), (1, 2), (0, 1)):
            for f in folds:
                add("CX", (f[layer[0]], f[layer[1]]))
    return ops, meta


def _deterministic(patch: HeavyHexPatch, prep: stim.Circuit, center_free: bool) -> set:
    """Faces whose first measurement is fixed by the preparation (any centre state)."""
    idx = patch.index
    preps = [prep]
    if center_free:
        alt = prep.copy()
        alt.append("H", [idx[patch.center]])
        preps.append(alt)
    out = set()
    for ch in patch.checks:
        vals = []
        for p in preps:
            sim = stim.TableauSimulator()
            sim.do(p.without_noise())
            ps = stim.PauliString(len(patch.qubits))
            for q in ch.data:
                ps[idx[q]] = ch.basis
            vals.append(sim.peek_observable_expectation(ps))
        if all(v == 1 for v in vals):
            out.add(ch.face)
        elif any(v == -1 for v in vals):  # pragma: no cover - a wrong preparation
            raise AssertionError(f"check {ch.face} starts at -1")
    return out


def _body(patch: HeavyHexPatch, prep: list, rounds: int, det: set) -> tuple:
    """Preparation and ``rounds`` rounds, scheduled, with detectors.

    Returns ``(circuit, checks, last)``: ``last[face]`` is the measurement index of the
    face's last-round result.
    """
    ops, meta = list(prep), [None] * len(prep)
    for r in range(rounds):
        o, m = _round_ops(patch, r)
        ops += o
        meta += m
    body, recs = schedule(ops)
    c = _coords(patch) + body
    c.append("TICK")
    total = c.num_measurements
    at = {(m[0], m[1].face): rec for rec, m in zip(recs, meta, strict=True) if m is not None}
    for r in range(rounds):
        for ch in patch.checks:
            if r == 0 and ch.face not in det:
                continue
            x, y = _check_xy(patch, ch)
            rec = [stim.target_rec(at[r, ch.face] - total)]
            if r > 0:
                rec.append(stim.target_rec(at[r - 1, ch.face] - total))
            tag = BOUNDARY if ch.face in det else ""
            c.append(stim.CircuitInstruction("DETECTOR", rec, [x, y, r], tag=tag))
    last = {ch.face: at[rounds - 1, ch.face] for ch in patch.checks}
    return c, list(patch.checks), last


def _check_xy(patch: HeavyHexPatch, ch) -> tuple[float, float]:
    pts = [patch.coords(q) for q in ch.data]
    return (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))


def _check_args(patch_or_d, rounds: int) -> HeavyHexPatch:
    patch = patch_or_d if isinstance(patch_or_d, HeavyHexPatch) else heavy_hex_patch(patch_or_d)
    if isinstance(rounds, bool) or not isinstance(rounds, int):
        raise TypeError(f"rounds must be an integer, got {type(rounds).__name__}")
    if rounds < 1:
        raise ValueError(f"rounds must be >= 1, got {rounds}")
    return patch


def _final_readout(c: stim.Circuit, patch: HeavyHexPatch, bases: dict, order: list,
                   last: dict, det: set) -> dict:
    """Measure each data qubit in ``bases[q]``; detectors of the checks fully read out."""
    idx = patch.index
    pos = {}
    for q in patch.data:
        c.append({"Z": "M", "X": "MX", "Y": "MY"}[bases[q]], [idx[q]])
        pos[q] = c.num_measurements - 1
    total = c.num_measurements
    for ch in order:
        if all(bases[q] == ch.basis for q in ch.data):
            x, y = _check_xy(patch, ch)
            rec = [stim.target_rec(pos[q] - total) for q in ch.data]
            rec.append(stim.target_rec(last[ch.face] - total))
            tag = BOUNDARY if ch.face in det else ""
            c.append(stim.CircuitInstruction("DETECTOR", rec, [x, y, 0], tag=tag))
    return pos


def memory_circuit(d: int | HeavyHexPatch, basis: str = "Z", rounds: int | None = None
                   ) -> stim.Circuit:
    """Noiseless memory experiment: prepare ``|0>_L`` or ``|+>_L``, ``rounds`` rounds, read out.

    Parameters
    ----------
    d
        Distance (3, 5, 7) or a patch.
    basis
        ``"Z"`` (observable ``Z_L``, sensitive to bit flips) or ``"X"``.
    rounds
        Rounds of two sub-rounds; default ``d``.

    Examples
    --------
    >>> c = memory_circuit(3, "Z", rounds=2)
    >>> c.num_qubits, c.num_observables
    (25, 1)
    """
    if basis not in ("X", "Z"):
        raise ValueError(f"basis must be 'X' or 'Z', got {basis!r}")
    patch = d if isinstance(d, HeavyHexPatch) else heavy_hex_patch(d)
    rounds = patch.d if rounds is None else rounds
    patch = _check_args(patch, rounds)
    idx = patch.index
    prep = [("R" if basis == "Z" else "RX", (idx[q],), "") for q in patch.data
            if q not in patch.extras]
    prep += [("R", (idx[q],), "") for q in patch.extras + patch.bridges]
    det = {ch.face for ch in patch.checks if ch.basis == basis or ch.syndrome is None}
    c, order, last = _body(patch, prep, rounds, det)
    bases = {q: ("Z" if q in patch.extras else basis) for q in patch.data}
    pos = _final_readout(c, patch, bases, order, last, det)
    total = c.num_measurements
    c.append("OBSERVABLE_INCLUDE",
             [stim.target_rec(pos[q] - total) for q in patch.logical(basis)], 0)
    return c


def _injection_prep(patch: HeavyHexPatch, theta: float, phi: float) -> list:
    idx = patch.index
    bases = prep_bases(patch)
    prep = [("R", (idx[q],), "") for q, b in bases.items() if b == "Z"]
    prep += [("R", (idx[q],), "") for q in patch.bridges]
    prep += [("RX", (idx[q],), "") for q, b in bases.items() if b == "X"]
    return prep + _prep_center(idx[patch.center], theta, phi)


def logical_support(patch: HeavyHexPatch, basis: str) -> dict[tuple, str]:
    """The injection's representative of ``basis``_L: ``{data qubit: Pauli}``."""
    c = (patch.d - 1) // 2
    xs = {(i, c): "X" for i in range(patch.d)}
    zs = {(c, j): "Z" for j in range(patch.d)}
    if basis == "X":
        return xs
    if basis == "Z":
        return zs
    if basis == "Y":
        return {**xs, **zs, patch.center: "Y"}
    raise ValueError(f"basis must be 'X', 'Y' or 'Z', got {basis!r}")


def injection_circuit(d: int | HeavyHexPatch, state: str | tuple[float, float] = "T",
                      rounds: int = 1) -> stim.Circuit:
    """Inject ``state`` into the centre, run ``rounds`` rounds, read out ideally.

    The read-out is a noiseless (``ideal``-tagged) ``MPP`` of every stabiliser (detectors
    against the last round) and of the logical Pauli whose +1 eigenstate the stim
    (proxy) state is, which is observable 0.  For a Clifford state this observable is the
    injected state's own stabiliser; for T and H it is the proxy's (see the module doc).

    Examples
    --------
    >>> c = injection_circuit(3, "+i")
    >>> c.num_observables
    1
    """
    theta, phi = state_angles(state)
    patch = _check_args(d, rounds)
    idx = patch.index
    prep = _injection_prep(patch, theta, phi)
    det = _deterministic(patch, schedule(prep)[0], center_free=True)
    c, order, last = _body(patch, prep, rounds, det)
    total = c.num_measurements
    for k, ch in enumerate(order):
        c.append(stim.CircuitInstruction("MPP", stim.target_combined_paulis(
            [stim.target_pauli(idx[q], ch.basis) for q in ch.data]), tag="ideal"))
        x, y = _check_xy(patch, ch)
        c.append(stim.CircuitInstruction(
            "DETECTOR", [stim.target_rec(-1), stim.target_rec(last[ch.face] - total - k - 1)],
            [x, y, 0], tag=BOUNDARY if ch.face in det else ""))
    # the stim state's logical Pauli (proxy for non-Clifford angles)
    sim = stim.TableauSimulator()
    sim.do(schedule(prep)[0])
    best = None
    for basis in ("X", "Y", "Z"):
        ps = stim.PauliString(len(patch.qubits))
        for q, p in logical_support(patch, basis).items():
            ps[idx[q]] = p
        v = sim.peek_observable_expectation(ps)
        if v:
            best = (basis, v)
    assert best is not None
    targets = stim.target_combined_paulis(
        [stim.target_pauli(idx[q], p) for q, p in logical_support(patch, best[0]).items()])
    c.append(stim.CircuitInstruction("MPP", targets, tag="ideal"))
    c.append("OBSERVABLE_INCLUDE", [stim.target_rec(-1)], 0)
    return c


@dataclass(frozen=True)
class TomographyCircuit:
    """An injection circuit read out physically in one logical basis.

    Attributes
    ----------
    circuit
        Noiseless stim circuit (detectors tagged ``boundary`` or untagged; no observable).
    basis
        ``"X"``, ``"Y"`` or ``"Z"``.
    logical
        Measurement indices whose parity is the logical ``basis`` eigenvalue bit.
    theta, phi
        The injected state.
    patch
        The patch.
    last
        ``{face: measurement index}`` of each check's last-round result.
    """

    circuit: stim.Circuit
    basis: str
    logical: tuple[int, ...]
    theta: float
    phi: float
    patch: HeavyHexPatch
    last: dict


def tomography_circuit(d: int | HeavyHexPatch, state: str | tuple[float, float], basis: str,
                       rounds: int = 1) -> TomographyCircuit:
    """Injection, ``rounds`` rounds, then every data qubit measured for logical ``basis``.

    Row ``c`` is read in ``Z``, column ``c`` in ``X`` (the centre in ``basis``); for
    ``basis = "Z"`` (``"X"``) all data qubits are read in ``Z`` (``X``, the extras in
    ``Z``); for ``"Y"`` the other qubits are read in their preparation basis.  Every check
    whose qubits are all read in its basis gets a final detector.
    """
    theta, phi = state_angles(state)
    if basis not in ("X", "Y", "Z"):
        raise ValueError(f"basis must be 'X', 'Y' or 'Z', got {basis!r}")
    patch = _check_args(d, rounds)
    prep = _injection_prep(patch, theta, phi)
    det = _deterministic(patch, schedule(prep)[0], center_free=True)
    c, order, last = _body(patch, prep, rounds, det)
    if basis == "Y":
        bases = {**prep_bases(patch), **logical_support(patch, "Y")}
    else:
        bases = {q: basis for q in patch.data}
    for q in patch.extras:
        bases[q] = "Z"
    pos = _final_readout(c, patch, bases, order, last, det)
    logical = tuple(pos[q] for q in logical_support(patch, basis))
    return TomographyCircuit(c, basis, logical, theta, phi, patch, last)
