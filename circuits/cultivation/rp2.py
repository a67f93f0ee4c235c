"""RP^2 magic-state cultivation (Chen, Chen, Lu, Pan 2025) as lists of layers and circuits.

The protocol (paper Sec. IV; the authors' ``d3_end2end`` / ``d5_end2end`` scripts):

1. **Injection** into RP3: the centre qubit is prepared in ``T|+>`` (proxy ``S[T]``) and
   the other eight data qubits in four antipodal Bell pairs ``(i, -1)~(-i, 1)``,
   ``(-1, 0)~(1, 0)``; one RP3 stabiliser round projects onto the code.  The two bulk X
   (Z) checks are random with a fixed product; instead of a classically controlled
   Pauli correction, one extra CNOT layer applies it *coherently* before the ancillas
   are read (deferred measurement: ``CX anc -> data`` for the Z checks' X fix
   ``X(-1,0) X(1,0)``, ``CX data -> anc`` for the X checks' Z fix ``Z(0,-1) Z(0,1)``), so
   the injected state has fixed stabiliser signs and no Pauli frame reaches the T gates.
2. **One more RP3 round.**
3. **Morph** RP3 -> SRP-3 ([[15, 1, 3]], self-dual; :func:`~.rp2_codes.morph_layers`).
4. **The H_XY check**: ``T-dagger`` on the qubits outside ``B`` and ``T`` on ``B``
   (:attr:`~.rp2_codes.SRPCode.t_dagger_set`; proxies ``S_DAG[T_DAG]`` / ``S[T]``),
   shadow qubits paired with the tree's inner qubits (``CX shadow -> qubit``), a
   binomial CNOT tree gathering ``X^n`` onto the centre, ``MX`` and ``RX`` of the centre,
   the tree undone, the shadows unpaired and read in the X basis, and the single-qubit
   layer undone.  In the proxy this measures ``+-Y^n = Y_L``.
5. **Morph back** (flags read out: ``MX F(i,-1)``, ``M F(i,+1)``).

d = 5 continues with 6. **growth** RP3 -> RP5 (the new ring of sixteen data qubits in
eight antipodal Bell pairs, merged with the first RP5 round), 7. one more RP5 round,
8.-10. morph to SRP-5 ([[35, 1, 5]]), the d = 5 check, morph back.  Every circuit ends
with the noiseless (``ideal``-tagged) readout of the final RP code's checks and ``Y_L``
last (the observable).  All detectors are derived by
:func:`~circuits.cultivation.layers.compile_layers` and all are post-selected.

Not built here: the one-round expansion into a large rotated surface code and its gap
decoding (paper Sec. V-VI), so the error rates are those of the cultivated RP-d state
read out perfectly, as for :func:`~circuits.cultivation.protocols.cultivation_circuit`.
The RP3 -> RP5 growth randomises the new checks' signs; the d = 5 circuit relies on the
Clifford proxy for that (a real-T run needs the paper's feed-forward X corrections there).
"""

from __future__ import annotations

from functools import cache

import stim

from circuits.cultivation.layers import Layer, compile_layers, layer
from circuits.cultivation.noise import NoiseModel
from circuits.cultivation.protocols import _check_distance, _finish
from circuits.cultivation.rp2_codes import (
    RP2_DISTANCES,
    RPCode,
    SRPCode,
    flag_positions,
    morph_layers,
    rp_code,
    srp_code,
)

__all__ = ["check_layers", "grow_layers", "injection_layers", "relabel", "rp2_cultivation_circuit",
           "rp2_cultivation_layers", "rp2_t_verification_circuit", "rp_readout", "rp_round"]

CENTRE = 0j


def _p(x: int, y: int) -> complex:
    """Doubled position of the paper's data qubit ``(x, y)``."""
    return complex(2 * x, 2 * y)


def _cx_slots(code: RPCode, slot: int) -> list[complex]:
    out: list[complex] = []
    for check in code.checks:
        for k, q in check.slots:
            if k == slot:
                out += [check.ancilla, q] if check.basis == "X" else [q, check.ancilla]
    return out


def _num_slots(code: RPCode) -> int:
    return 1 + max(k for c in code.checks for k, _ in c.slots)


def rp_round(code: RPCode, *, extra_reset: tuple = (), extra_first: tuple = (),
             extra_last: Layer | None = None) -> list[Layer]:
    """One stabiliser round of an RP code: reset, four CNOT slots, measure.

    X-check qubits are reset to ``|+>``, control CNOTs onto their data (N order) and are
    read in the X basis; Z-check qubits are reset to ``|0>``, are CNOT targets (Z order)
    and are read in the Z basis.  The wrapping checks use the re-timed slots of
    :func:`~.rp2_codes.rp_code` (six CNOT layers in all).  ``extra_reset`` ops join the
    reset layer, ``extra_first`` ops form a layer between the reset and the CNOT slots
    and ``extra_last`` is a layer inserted before the measurement.
    """
    xs = [c.ancilla for c in code.x_checks]
    zs = [c.ancilla for c in code.z_checks]
    out = [layer(("RX", xs), ("R", zs), *extra_reset)]
    if extra_first:
        out.append(layer(*extra_first))
    out += [layer(("CX", _cx_slots(code, k))) for k in range(_num_slots(code))]
    if extra_last is not None:
        out.append(extra_last)
    out.append(layer(("MX", xs), ("M", zs)))
    return out


def injection_layers() -> list[Layer]:
    """``T|+>`` on the centre, four antipodal Bell pairs, one corrected RP3 round."""
    code = rp_code(3)
    controls = [_p(-1, -1), _p(0, -1), _p(1, -1), _p(-1, 0)]
    targets = [-q for q in controls]
    bell = [q for c, t in zip(controls, targets, strict=True) for q in (c, t)]
    by_pos = {c.ancilla: c for c in code.checks}
    z_a, z_b = by_pos[-1 + 1j], by_pos[1 - 1j]   # bulk Z checks through the centre
    x_a, x_b = by_pos[-1 - 1j], by_pos[1 + 1j]   # bulk X checks through the centre
    assert _p(-1, 0) in z_a.support and _p(1, 0) in z_b.support
    assert _p(0, -1) in x_a.support and _p(0, 1) in x_b.support
    fix = layer(("CX", [z_a.ancilla, _p(-1, 0), z_b.ancilla, _p(1, 0),
                        _p(0, -1), x_a.ancilla, _p(0, 1), x_b.ancilla]))
    return rp_round(code, extra_reset=(("RX", [CENTRE, *controls]), ("R", targets)),
                    extra_first=(("S", [CENTRE], "T"), ("CX", bell)), extra_last=fix)


def _shadow_positions(srp: SRPCode, paired: list[complex], free: set[complex]) -> list[complex]:
    used = set(srp.data)
    out = []
    for q in paired:
        for o in (-1 - 1j, 1 - 1j, -1 + 1j, 1 + 1j):
            s = q + o
            if s in free and s not in used:
                break
        else:
            s = next(q + o for o in (-1 - 1j, 1 - 1j, -1 + 1j, 1 + 1j) if q + o not in used)
        used.add(s)
        out.append(s)
    return out


def _tree(order: list[complex]) -> list[list[tuple[complex, complex]]]:
    """Binomial fan-out tree from ``order[0]``: step k sends ``i -> i + 2^k``."""
    steps = []
    k = 1
    while k < len(order):
        steps.append([(order[i], order[i + k]) for i in range(k) if i + k < len(order)])
        k *= 2
    return steps


def _tree_order(srp: SRPCode) -> list[complex]:
    """Qubits of the check tree, root (centre) first; nearer qubits get the bigger subtrees."""
    rest = sorted((q for q in srp.data if q != CENTRE), key=lambda q: (abs(q), q.imag, q.real))
    return [CENTRE, *rest]


def check_layers(distance: int, *, shadows: bool = True,
                 order: list[complex] | None = None) -> list[Layer]:
    """The transversal ``H_XY`` (proxy: ``Y_L``) check on SRP-``distance``.

    Parameters
    ----------
    distance
        3 or 5.
    shadows
        Pair shadow qubits with the tree's inner qubits (Z-error flags).  ``False`` gives
        the bare check (used by the state-vector verification, which needs few qubits).
    order
        Tree order (root first); default :func:`_tree_order`.
    """
    srp = srp_code(distance)
    order = list(order) if order is not None else _tree_order(srp)
    steps = _tree(order)
    inner = sorted({c for step in steps for c, _ in step}, key=lambda q: (q.real, q.imag))
    b = set(srp.t_dagger_set)
    a_set = [q for q in srp.data if q not in b]
    b_set = [q for q in srp.data if q in b]
    fan_out = [layer(("CX", [q for pair in step for q in pair])) for step in steps]
    fan_in = fan_out[::-1]
    rp_anc = set(rp_code(distance).ancillas) | set(rp_code(5).ancillas)
    shadow = _shadow_positions(srp, inner, rp_anc) if shadows else []
    pair = layer(("CX", [q for s, r in zip(shadow, inner, strict=False) for q in (s, r)]))
    out = [layer(("S_DAG", a_set, "T_DAG"), ("S", b_set, "T"), ("RX", shadow))]
    if shadows:
        out.append(pair)
    out += [*fan_in, layer(("MX", [order[0]])), layer(("RX", [order[0]])), *fan_out]
    if shadows:
        out.append(pair)
    out.append(layer(("S", a_set, "T"), ("S_DAG", b_set, "T_DAG"), ("MX", shadow)))
    return out


def grow_layers() -> list[Layer]:
    """RP3 -> RP5: the ring of sixteen new data qubits in antipodal Bell pairs, merged with
    the first RP5 round (the Bell CNOTs form the round's first layer)."""
    controls = [_p(x, -2) for x in range(-2, 3)] + [_p(-2, y) for y in range(-1, 2)]
    targets = [-q for q in controls]
    bell = [q for c, t in zip(controls, targets, strict=True) for q in (c, t)]
    return rp_round(rp_code(5), extra_reset=(("RX", controls), ("R", targets)),
                    extra_first=(("CX", bell),))


def rp_readout(code: RPCode) -> list[Layer]:
    """Noiseless readout of every check of ``code`` and ``Y_L`` last (the observable)."""
    ops = [("MPP", tuple((c.basis, q) for q in c.support), "ideal") for c in code.checks]
    ops.append(("MPP", code.logical_y(), "ideal"))
    return [Layer(tuple(ops))]


def relabel(layers: list[Layer], mapping: dict[complex, complex]) -> list[Layer]:
    """Move qubits: every position ``q`` becomes ``mapping.get(q, q)``."""
    def move(name: str, targets: tuple) -> tuple:
        if name == "MPP":
            return tuple((p, mapping.get(q, q)) for p, q in targets)
        return tuple(mapping.get(q, q) for q in targets)

    return [Layer(tuple((name, move(name, t), tag) for name, t, tag in lay.ops))
            for lay in layers]


def rp2_cultivation_layers(distance: int) -> list[Layer]:
    """All stages up to ``distance`` (3 or 5), ending in the ideal readout of RP-d."""
    if distance not in RP2_DISTANCES:
        raise ValueError(f"distance must be one of {RP2_DISTANCES}, got {distance}")
    out = injection_layers() + rp_round(rp_code(3))
    out += morph_layers(3) + check_layers(3) + morph_layers(3, inverse=True)
    if distance == 5:
        out += grow_layers() + rp_round(rp_code(5))
        out += morph_layers(5) + check_layers(5) + morph_layers(5, inverse=True)
    return out + rp_readout(rp_code(distance))


@cache
def _noiseless_text(d: int) -> str:
    """Compiled noiseless circuit (memoised: compiling derives detectors by sampling)."""
    return str(compile_layers(rp2_cultivation_layers(d)))


def rp2_cultivation_circuit(d: int = 3, *, noise: NoiseModel | None = None) -> stim.Circuit:
    """RP^2 injection and cultivation up to distance ``d`` (3 or 5), then the ideal readout.

    Examples
    --------
    >>> c = rp2_cultivation_circuit(3)
    >>> c.num_observables
    1
    """
    d = _check_distance(d, RP2_DISTANCES)
    return _finish(stim.Circuit(_noiseless_text(d)), noise)


def rp2_t_verification_circuit() -> stim.Circuit:
    """A <= 20-qubit d = 3 circuit for the state-vector check with real T gates.

    Injection (one corrected RP3 round), morph to SRP-3 with the flags moved onto free
    RP3 measurement qubits, the bare ``H_XY`` check (no shadows), morph back, then the
    logical qubit is unencoded onto the centre (``CX`` from the centre to ``(+-1, 0)``,
    ``CX (0, +-1)`` to the centre) and the last (ideal) measurement is ``Y`` on the centre,
    so :func:`~circuits.cultivation.verify.simulate_with_t` reports the centre's
    ``<H_XY>``.
    """
    code = rp_code(3)
    top, bottom = flag_positions(3)
    free = [q for q in code.ancillas][: len(top) + len(bottom)]
    mapping = dict(zip(top + bottom, free, strict=True))
    inj = injection_layers()
    body = morph_layers(3) + check_layers(3, shadows=False) + morph_layers(3, inverse=True)
    unencode = [layer(("CX", [CENTRE, _p(-1, 0)])), layer(("CX", [CENTRE, _p(1, 0)])),
                layer(("CX", [_p(0, -1), CENTRE])), layer(("CX", [_p(0, 1), CENTRE]))]
    final = [Layer((("MPP", (("Y", CENTRE),), "ideal"),))]
    return compile_layers(inj + relabel(body, mapping) + unencode + final)

