"""The stages of magic-state cultivation (Gidney, Shutty, Jones 2024) as lists of layers.

Every function returns a list of :class:`~circuits.cultivation.layers.Layer` on the grid
positions of :mod:`circuits.cultivation.layout`; :func:`~.layers.compile_layers` turns a
concatenation of stages into a ``stim.Circuit`` and derives its detectors.

T gates
    Stim simulates Clifford circuits only, so every T (T-dagger) is written as ``S``
    (``S_DAG``) tagged ``T`` (``T_DAG``): the circuits then prepare and check the
    ``Y_L`` eigenstate ``S|+>_L`` instead of ``T|+>_L``, the proxy GSJ use for sampling.
    :func:`circuits.cultivation.export.to_qiskit` puts the T gates back, and the tests run
    the T version through a state-vector simulator to confirm that it prepares ``T|+>_L``
    and that every detector is still deterministic.
Checks
    The logical ``H_XY = T X T^dagger`` is measured transversally: ``T^dagger`` on all
    data, a fan-out tree of CNOTs whose root is a data qubit accumulates the transversal X
    parity, the root is read out in the X basis, reset and the tree undone, then ``T`` on
    all data and every tree ancilla is read out in the X basis.  The ancilla paired with
    the root reads the logical a second time ("double checking"); the other ancillas check
    the tree itself.
Gate layers
    The gate tables of the injection, checks and growth follow the circuits drawn in GSJ
    2024 (unitary injection, d = 3 and d = 5 double cat checks, d = 3 -> 5 Bell-pair
    growth); the stabiliser rounds are the superdense colour-code cycle of Gidney and
    Jones (2023), time-reversed for the d = 5 rounds.

Example
-------
>>> from circuits.cultivation.layers import compile_layers
>>> from circuits.cultivation.stages import cultivation_layers
>>> circuit = compile_layers(cultivation_layers(3))
>>> circuit.num_qubits, circuit.num_detectors
(15, 20)
"""

from __future__ import annotations

from circuits.cultivation.layers import Layer, layer
from circuits.cultivation.layout import ColorCode, color_code

__all__ = ["cultivation_layers", "double_check", "grow_d3_to_d5", "ideal_readout",
           "injection_layers", "superdense_round"]


def _pos(text: str) -> complex:
    x, y = text.split(",")
    return complex(int(x), int(y))


def _cx(text: str) -> tuple:
    """``"a,b>c,d e,f>g,h"`` -> CX targets (control, target, control, target, ...)."""
    out: list[complex] = []
    for pair in text.split():
        c, t = pair.split(">")
        out += [_pos(c), _pos(t)]
    return ("CX", out)


def _qs(text: str) -> list[complex]:
    return [_pos(t) for t in text.split()]


def injection_layers() -> list[Layer]:
    """Unitary injection of ``T|+>`` into the d = 3 colour code, with one stabiliser round.

    ``|+>_L`` is prepared, the logical Z parity is gathered onto (1,1) by a CNOT ladder,
    rotated by T-dagger there (proxy ``S_DAG[T_DAG]``) and scattered back; a superdense
    round merged into the same layers then measures all six stabilisers and moves the
    helper qubit (1,3) onto the data qubit (2,3).
    """
    return [
        layer(("R", _qs("3,1 2,2 2,0")),
              ("RX", _qs("2,1 3,0 3,2 1,1 1,0 1,2 4,1 0,0 1,3 4,0"))),
        layer(_cx("2,1>3,1 3,0>2,0 3,2>2,2")),
        layer(_cx("2,1>2,2 3,0>3,1")),
        layer(_cx("2,1>2,0 3,2>3,1")),
        layer(_cx("1,0>2,0 1,2>2,2 4,1>3,1")),
        layer(_cx("2,0>1,0 2,2>1,2 3,1>4,1")),
        layer(_cx("1,1>1,2 4,0>4,1")),
        layer(_cx("1,1>1,0 4,1>4,0")),
        layer(_cx("1,2>1,1")),
        layer(_cx("1,0>1,1")),
        layer(("S_DAG", _qs("1,1"), "T_DAG")),
        layer(_cx("1,0>1,1")),
        layer(_cx("1,2>1,1")),
        layer(_cx("0,0>1,0 1,3>1,2")),
        layer(_cx("1,0>0,0 1,2>1,3")),
        layer(("R", _qs("2,0 4,1 2,2 2,3")), ("RX", _qs("1,0 3,1 1,2"))),
        layer(_cx("1,2>2,2 1,0>2,0 3,1>4,1 1,3>2,3")),
        layer(_cx("3,1>2,1 2,2>3,2 1,0>0,0 2,0>3,0 2,3>1,3")),
        layer(_cx("1,0>1,1 2,0>2,1 3,1>3,2 2,2>2,3")),
        layer(_cx("3,1>3,0 4,1>4,0 1,2>1,1 2,2>2,1")),
        layer(_cx("3,0>3,1 4,0>4,1 1,1>1,2 2,1>2,2")),
        layer(_cx("2,1>3,1 3,2>2,2 0,0>1,0 3,0>2,0")),
        layer(_cx("1,1>1,0 2,1>2,0 3,2>3,1 2,3>2,2")),
        layer(_cx("1,2>2,2 1,0>2,0 3,1>4,1")),
        layer(("M", _qs("2,0 4,1 2,2 1,3")), ("MX", _qs("1,0 3,1 1,2"))),
    ]


_TREES = {
    # distance: (root, ancillas, fan-out layers L1, L2, ...)
    3: ("2,1", "4,1 3,1 2,0 1,0 2,2 0,1", [
        "0,1>0,0 3,1>3,0 2,2>2,3 2,0>2,1 1,0>1,1 4,1>4,0",
        "1,1>0,1 2,1>2,2 3,1>4,1",
        "2,1>1,1 3,1>3,2",
        "2,1>3,1",
    ]),
    5: ("5,1", "5,0 6,0 1,0 2,0 2,2 2,4 4,3 4,5 7,3 0,1 3,1 4,1 7,1 6,2 3,3 5,2 5,4 5,6 8,1", [
        "0,1>0,0 1,0>1,1 2,0>2,1 3,1>3,0 4,1>4,0 5,0>5,1 6,0>6,1 7,1>7,0 6,2>6,3 "
        "7,3>7,2 5,2>4,2 4,3>5,3 5,4>4,4 4,5>5,5 5,6>4,6 2,2>3,2 3,3>2,3 2,4>3,4 8,1>8,0",
        "3,3>3,4 1,1>0,1 5,5>5,6 7,1>8,1 6,2>7,2",
        "5,4>5,5 3,2>3,3 2,1>1,1 6,1>7,1 5,2>6,2",
        "5,3>5,4 3,1>3,2 5,1>6,1",
        "3,1>2,1 5,2>5,3",
        "4,1>3,1 5,1>5,2",
        "5,1>4,1",
    ]),
}


def double_check(distance: int) -> list[Layer]:
    """Double-checked transversal ``H_XY`` measurement on the distance-``distance`` code."""
    code = color_code(distance)
    root_text, ancilla_text, tree = _TREES[distance]
    root, ancillas = _pos(root_text), _qs(ancilla_text)
    data = list(code.data)
    fan = [layer(_cx(t)) for t in tree]
    return [
        layer(("RX", ancillas)),
        layer(("S_DAG", data, "T_DAG")),
        *fan,
        layer(("MX", [root])),
        layer(("RX", [root])),
        *reversed(fan),
        layer(("S", data, "T")),
        layer(("MX", ancillas)),
    ]


def superdense_round(code: ColorCode, reverse: bool = False) -> list[Layer]:
    """One superdense cycle measuring every plaquette's X and Z parity.

    The X-check qubit ``a`` (plaquette centre) and Z-check qubit ``b = a + 1`` of each
    plaquette are made a Bell pair, CNOTs couple ``a`` to the left/up/down data and ``b``
    to the right ones (first ancilla-controlled, then data-controlled), the pair is
    un-made, and ``a`` (``b``) is read out in the X (Z) basis.  ``reverse`` plays the
    CNOT layers backwards.
    """
    data = set(code.data)
    offsets = ((-1, 2), (1j, 1 + 1j), (-1j, 1 - 1j))

    def coupling(forward: bool, da: complex, db: complex) -> Layer:
        pairs: list[complex] = []
        for m, plaq in zip(code.centers, code.plaquettes, strict=True):
            support = set(plaq)
            a, b = m, m + 1
            for anc, q in ((a, m + da), (b, m + db)):
                if q in support and q in data:
                    pairs += [anc, q] if forward else [q, anc]
        return layer(("CX", pairs))

    bell = layer(("CX", [x for m in code.centers for x in (m, m + 1)]))
    cx_layers = [bell]
    cx_layers += [coupling(True, da, db) for da, db in offsets]
    cx_layers += [coupling(False, da, db) for da, db in offsets]
    cx_layers.append(bell)
    if reverse:
        cx_layers = cx_layers[::-1]
    return [
        layer(("RX", list(code.centers)), ("R", [m + 1 for m in code.centers])),
        *cx_layers,
        layer(("MX", list(code.centers)), ("M", [m + 1 for m in code.centers])),
    ]


def grow_d3_to_d5() -> list[Layer]:
    """Add the twelve new data qubits of the d = 5 code as six Bell pairs (XX = ZZ = +1)."""
    return [
        layer(("R", _qs("4,2 5,1 6,1 7,2 8,0 4,6 3,4 4,5 4,4 5,5 6,3")),
              ("RX", _qs("5,2 6,2 7,0 3,5 5,4 5,3"))),
        layer(_cx("5,2>4,2 6,2>7,2 7,0>8,0 5,3>6,3 5,4>4,4 3,5>4,5")),
        layer(_cx("5,2>5,1 6,2>6,1 5,4>5,5 4,5>4,6 3,5>3,4")),
        layer(_cx("5,1>5,2 6,1>6,2 5,5>5,4 4,6>4,5 3,4>3,5")),
        layer(("M", _qs("5,2 6,2 5,4 4,5 3,5"))),
    ]


def ideal_readout(code: ColorCode) -> list[Layer]:
    """Noiseless readout: every plaquette's X and Z parity, then ``Y_L`` on all data last."""
    ops = []
    for plaq in code.plaquettes:
        ops.append(("MPP", tuple(("X", q) for q in plaq), "ideal"))
        ops.append(("MPP", tuple(("Z", q) for q in plaq), "ideal"))
    ops.append(("MPP", tuple(("Y", q) for q in code.data), "ideal"))
    return [Layer(tuple(ops))]


def _merged(a: Layer, b: Layer) -> Layer:
    if set(a.qubits()) & set(b.qubits()):  # pragma: no cover - disjoint by construction
        raise AssertionError("merged layers share qubits")
    return Layer(a.ops + b.ops)


def _readout_before_t(check: list[Layer]) -> list[Layer]:
    """A double check with its ancilla readout slid before the final T layer."""
    *body, t_layer, readout = check
    return [*body, readout, t_layer]


def cultivation_layers(distance: int, *, compact: bool = False) -> list[Layer]:
    """Injection and cultivation up to ``distance`` (3 or 5), ending in the ideal readout.

    d = 3: unitary injection, double check.  d = 5: then Bell-pair growth, three
    (time-reversed) superdense rounds of the d = 5 code and the d = 5 double check.

    ``compact``: the layer order of GSJ's compiled end-to-end circuits (their compiler
    slides whole layers earlier when the qubits are free): each double check's ancilla
    readout comes before its final T layer, and at d = 5 the growth's resets, CNOTs and
    readout run in the d = 3 check's uncompute layers (5 layers fewer).  The gates are the
    same; only idle locations differ.
    """
    if distance not in (3, 5):
        raise ValueError(f"distance must be 3 or 5, got {distance}")
    check3 = double_check(3)
    if not compact:
        out = injection_layers() + check3
        if distance == 5:
            out += grow_d3_to_d5()
    elif distance == 3:
        out = injection_layers() + _readout_before_t(check3)
    else:
        grow = grow_d3_to_d5()
        # check3: RX, S_DAG, 4 fan-out, MX root, RX root, 4 uncompute, S, MX ancillas
        out = injection_layers() + check3[:7] + [
            _merged(check3[7], grow[0]), _merged(check3[8], grow[1]),
            _merged(check3[9], grow[2]), _merged(check3[10], grow[3]), check3[11],
            _merged(check3[13], grow[4]), check3[12]]
    if distance == 5:
        code5 = color_code(5)
        for _ in range(3):
            out += superdense_round(code5, reverse=True)
        check5 = double_check(5)
        out += _readout_before_t(check5) if compact else check5
    return out + ideal_readout(color_code(distance))
