"""Matching decoder with a complementary gap for the escape stage.

Only the detectors tagged ``decode`` carry events; post-selected detectors are silent in
every kept shot.  Those carried from cultivation (and both ends of single-basis
observable-flipping edges, GSJ's rule) are clipped: an error that also flipped one becomes
an edge with that detector's boundary distance added, as GSJ 2024 clip hidden nodes.  The
colour checks that GSJ's escape ablates (red X, green Z) stay as silent matching nodes, and
colour-code triplets are matched through virtual pair nodes (GSJ's desaturation graph).  We
decompose stim's undecomposed error model ourselves (:meth:`GapDecoder.graph`).

Complementary gap
    On a planar matching graph the logical flip of a correction only depends on the
    parity of its matches to the boundary part that the logical ends on.  We find a
    0/1 potential ``g`` on the detectors with ``f(u, v) = g(u) xor g(v)`` for every
    bulk edge (``f`` = the edge's observable flip), move the flips onto boundary edges
    (``f'(u, B) = f(u, B) xor g(u)``), and attach the boundary edges with ``f' = 1`` to one
    extra node ``O``.  Each kept shot is matched twice, with ``O`` off and on; the
    prediction is ``argmin_O W(O) xor <g, syndrome>`` and the gap is
    ``|W(1) - W(0)|`` in decibels (``10 log10`` of the likelihood ratio of the two
    logical classes, weights being ``ln((1 - p)/p)``).  Large gaps mean confident shots;
    discarding shots below a gap threshold trades discard rate for logical error.

Example
-------
>>> from circuits.cultivation import GapDecoder, end_to_end_circuit, uniform_depolarizing
>>> circuit = uniform_depolarizing(1e-3).apply(end_to_end_circuit(3, 6, r1=2, r2=1))
>>> GapDecoder(circuit).num_decoded > 0
True
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict

import numpy as np
import sinter
import stim

from circuits.cultivation.sampling import postselection_mask

__all__ = ["GapDecoder", "GapSampler"]

_DB = 10 / math.log(10)


def _likely_flip(probs: list[float] | None) -> int | None:
    if probs is None or max(probs) == 0:
        return None
    return int(probs[1] > probs[0])


def _potential(edges: dict[tuple, list], n: int) -> tuple[np.ndarray, list[tuple]]:
    """0/1 potential ``g`` with ``g(u) xor g(v) = flip(u, v)`` on the bulk edges, grown
    along the cheapest edges first (Prim), and the bulk edges it cannot satisfy."""
    adj: dict[int, list[tuple[float, int, int]]] = defaultdict(list)
    for key, (w, f) in edges.items():
        if len(key) == 2:
            adj[key[0]].append((w, key[1], int(f)))
            adj[key[1]].append((w, key[0], int(f)))
    g = np.full(n, -1, dtype=np.int64)
    for s in range(n):
        if g[s] >= 0:
            continue
        g[s] = 0
        heap = [(w, s, v, f) for w, v, f in adj[s]]
        heapq.heapify(heap)
        while heap:
            _, u, v, f = heapq.heappop(heap)
            if g[v] < 0:
                g[v] = g[u] ^ f
                for w, x, fx in adj[v]:
                    if g[x] < 0:
                        heapq.heappush(heap, (w, v, x, fx))
    bad = [k for k, (_, f) in edges.items() if len(k) == 2 and g[k[0]] ^ g[k[1]] != int(f)]
    return g, bad


def _error_targets(inst: stim.DemInstruction) -> tuple[set[int], int]:
    """The detectors an ``error`` instruction flips (odd multiplicity) and its observable flip."""
    dets: set[int] = set()
    flip = 0
    for t in inst.targets_copy():
        if t.is_relative_detector_id():
            dets ^= {int(t.val)}
        elif t.is_logical_observable_id():
            flip ^= 1
    return dets, flip


def _flip_edge_detectors(dem_text: str, basis: np.ndarray, stage: np.ndarray) -> list[int]:
    """Both detectors of every error with exactly two detectors, of one basis and both in
    ``stage``, that flips the observable (GSJ's desaturation decoder post-selects them:
    such an edge is where the logical crosses between detectors, near the colour code)."""
    out: set[int] = set()
    for inst in stim.DetectorErrorModel(dem_text).flattened():
        if inst.type != "error":
            continue
        dets, flip = _error_targets(inst)
        if flip and len(dets) == 2:
            a, b = dets
            if stage[a] and stage[b] and basis[a] == basis[b]:
                out |= {a, b}
    return sorted(out)


class GapDecoder:
    """Complementary-gap matching decoder for a circuit's ``decode``-tagged detectors.

    Parameters
    ----------
    circuit
        A noisy circuit with one observable.
    postselect_flip_edges
        Post-select both detectors of every single-basis two-detector error that flips
        the observable, among the escape-stage detectors (GSJ's desaturation decoder does;
        with :func:`~.escape.escape_circuit`'s earliest observable frame this is one
        blue Z check next to the green Z at d1 = 3).  ``None`` (default): on for circuits
        that post-select detectors after the first escape round (GSJ's grafted escape),
        off otherwise (the RP^2 escape).
    colour_nodes
        Keep the ablated colour checks (post-selected after the first escape round) as
        silent matching nodes instead of clipping them, and match every single-basis
        three-detector part (a colour-code triplet) through virtual pair nodes: ``a - V(bc)``,
        ``b - V(ac)``, ``c - V(ab)``, a pair error ``{a, b}`` also ending at ``V(ab)``, as
        GSJ's desaturation decoder.  ``None`` (default) / ``True``: on where there are
        ablated checks; ``False``: clip them too (the earlier graph).
    postselect_conflicts
        Also post-select the detectors of bulk edges whose flip the potential cannot
        satisfy.

    Attributes
    ----------
    num_decoded
        Number of detectors given to the matcher.
    num_flip_edge_postselected
        Decoded detectors post-selected by the flip-edge rule (``postselect_flip_edges``:
        both ends of a single-basis two-detector error that flips the observable, as GSJ).
    num_virtual
        Virtual pair nodes of the colour-code triplets (``colour_nodes``).
    potential_conflicts
        Bulk cycles with an odd observable flip (0 for a planar graph; if not 0 the gap
        is an approximation).
    """

    def __init__(self, circuit: stim.Circuit, *, postselect_flip_edges: bool | None = None,
                 colour_nodes: bool | None = None, postselect_conflicts: bool = False):
        if not isinstance(circuit, stim.Circuit):
            raise TypeError(f"circuit must be a stim.Circuit, got {type(circuit).__name__}")
        if circuit.num_observables != 1:
            raise ValueError(f"circuit must have 1 observable, has {circuit.num_observables}")
        self._mask = postselection_mask(circuit)
        coords = circuit.get_detector_coordinates()
        coord_rows = [coords.get(k, ()) for k in range(len(self._mask))]
        self._basis = np.array([int(c[3]) if len(c) >= 4 and c[3] in (0, 1) else -1
                                for c in coord_rows], dtype=np.int64)
        self._dem_text = str(circuit.detector_error_model(
            decompose_errors=False, approximate_disjoint_errors=True))
        self.num_flip_edge_postselected = 0
        carried = np.array([len(c) >= 3 and c[2] <= 0 for c in coord_rows], dtype=bool)
        ablated = self._mask & ~carried & (self._basis >= 0)
        if postselect_flip_edges is None:
            # GSJ's grafted escape (post-selected colour checks after the first round)
            postselect_flip_edges = bool(ablated.any())
        # GSJ keep the ablated colour checks as (always silent) matching nodes, and match
        # colour-code triplets through virtual pair nodes; the others are clipped
        self._visible = ablated.copy() if (colour_nodes is None or colour_nodes) else \
            np.zeros_like(ablated)
        if postselect_flip_edges:
            # escape-stage detectors: with a basis, and not carried from cultivation
            # (post-selected at round <= 0); GSJ's "hidden" set adds both ends of every
            # single-basis two-detector error among them that flips the observable
            stage = (self._basis >= 0) & ~(self._mask & carried)
            extra = _flip_edge_detectors(self._dem_text, self._basis, stage)
            self.num_flip_edge_postselected = int((~self._mask[extra]).sum()) if extra else 0
            self._mask[extra] = True
            self._visible[extra] = False
        self._built = None
        self._graph: tuple | None = None  # graph(), kept when pickled (workers skip it)
        self.potential_conflicts = self._build()[3]
        if postselect_conflicts and self.potential_conflicts:
            # detectors at the bulk edges where the logical class has no consistent
            # potential (the observable crosses the graph there, as where GSJ post-select
            # the detectors of observable-flipping bulk edges): post-select them as well
            decoded = self._graph[1]
            for key in self._bad:
                self._mask[decoded[[k for k in key if k < len(decoded)]]] = True
            self._graph = self._built = None
            self.potential_conflicts = self._build()[3]
        self.num_decoded = int((~self._mask).sum())
        self.num_virtual = self._n_nodes - len(self._graph[1])

    @property
    def postselected(self) -> np.ndarray:
        """Boolean mask over detectors: discard a shot where any of these fires (the
        circuit's post-selected detectors, plus the conflict detectors if asked)."""
        return self._mask.copy()

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_built"] = None
        state["_dem_text"] = None  # the graph is kept; workers only build the matchers
        return state

    def graph(self) -> tuple[dict[tuple, list], np.ndarray]:
        """Edges ``{(u, v) or (u,): [weight, flip]}`` on the decoded detectors (local
        indices) after clipping the post-selected ones, and their global indices.

        Our own decomposition of stim's undecomposed error model (stim's decomposer gives
        up on composite errors of more than 15 symptoms, as at d1 = 5, and leaves pieces it
        cannot split, such as colour-code triplets, which were dropped):

        1. post-selected detectors are clipped: every one gets its cheapest path to the
           boundary (Dijkstra over all errors of at most two detectors), and an error that
           touches it keeps its decoded part with that path's weight and flip added (in a
           kept shot the detector is silent, so another error must have cancelled it);
        2. the decoded part is split by basis (coordinate 3: 0 = X, 1 = Z); each basis part
           of at most two detectors is an edge, its flip learned from the errors with that
           exact single-basis symptom set;
        3. a basis part of three or four detectors (a colour-code triplet, a hook across a
           colour boundary) is split into the most likely pairs / singles among the known
           edges whose flips add up to the error's flip; parts that admit no such split
           are dropped.
        """
        import itertools

        if self._graph is not None:
            return self._graph
        dem = stim.DetectorErrorModel(self._dem_text)
        hidden = self._mask & ~self._visible
        basis = self._basis
        errors: list[tuple[float, tuple[int, ...], int]] = []
        raw: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0])

        def merge(table: dict, key: tuple, p: float, flip: int) -> None:
            cur = table[key]
            cur[flip] = cur[flip] * (1 - p) + p * (1 - cur[flip])

        for inst in dem.flattened():
            if inst.type != "error":
                continue
            p = inst.args_copy()[0]
            if p <= 0:
                continue
            dets, flip = _error_targets(inst)
            key = tuple(sorted(dets))
            if key:
                errors.append((p, key, flip))
                if len(key) <= 2:
                    merge(raw, key, p, flip)

        def weight(p: float) -> float:
            p = min(max(p, 1e-15), 0.5 - 1e-12)
            return math.log((1 - p) / p)

        best = {k: (weight(max(v)), int(v[1] > v[0])) for k, v in raw.items()}
        # 1. distance of every detector to the boundary, through any detectors
        nbrs: dict[int, list[tuple[int, float, int]]] = defaultdict(list)
        heap: list[tuple[float, int, int]] = []
        for key, (w, f) in best.items():
            if len(key) == 2:
                nbrs[key[0]].append((key[1], w, f))
                nbrs[key[1]].append((key[0], w, f))
            else:
                heapq.heappush(heap, (w, f, key[0]))
        dist: dict[int, tuple[float, int]] = {}
        while heap:
            d, f, u = heapq.heappop(heap)
            if u in dist:
                continue
            dist[u] = (d, f)
            for v, w, fv in nbrs[u]:
                if v not in dist:
                    heapq.heappush(heap, (d + w, f ^ fv, v))
        # 2. flips of the single-basis decoded symptom sets
        known: dict[tuple, tuple[float, int]] = {}
        for key, (w, f) in best.items():
            if not hidden[list(key)].any() and len({int(basis[d]) for d in key}) == 1:
                known[key] = (w, f)

        def split(part: tuple[int, ...]) -> list[tuple[tuple, int]] | None:
            """Most likely split of a 3- or 4-detector part into known pieces."""
            best_split, best_w = None, math.inf
            n = len(part)
            for k in range(1, n):
                for first in itertools.combinations(part, k):
                    if part[0] not in first:
                        continue
                    rest = tuple(d for d in part if d not in first)
                    if first in known and rest in known:
                        w = known[first][0] + known[rest][0]
                        if w < best_w:
                            best_w = w
                            best_split = [(first, known[first][1]), (rest, known[rest][1])]
                    elif len(rest) >= 2 and first in known:
                        sub = split(rest) if len(rest) >= 3 else None
                        if sub is not None:
                            w = known[first][0] + sum(known[q][0] for q, _ in sub)
                            if w < best_w:
                                best_w = w
                                best_split = [(first, known[first][1]), *sub]
            return best_split

        decoded_edges: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0])
        vpairs: set[tuple[int, ...]] = set()
        emitted: list[tuple[float, list[tuple[tuple, int]]]] = []
        for p, key, flip in errors:
            inside = tuple(d for d in key if not hidden[d])
            if not inside:
                continue
            extra = 0.0
            ok = True
            for h in key:
                if hidden[h]:
                    if h not in dist:
                        ok = False
                        break
                    extra += dist[h][0]
                    flip ^= dist[h][1]
            if not ok:
                continue
            # the probability of the clipped error: p times the clipped paths' likelihood
            pe = 1 / (1 + math.exp(weight(p) + extra))
            parts: dict[int, tuple[int, ...]] = defaultdict(tuple)
            for dd in inside:
                parts[int(basis[dd])] += (dd,)
            pieces: list[tuple[tuple, int | None]] = []
            for part in parts.values():
                if len(part) <= 2:
                    pieces.append((part, known[part][1] if part in known else None))
                elif len(part) == 3 and self._visible.any():
                    pieces.append((part, 0))  # a triplet: through virtual pair nodes
                    for solo in part:
                        vpairs.add(tuple(d for d in part if d != solo))
                elif len(part) <= 4:
                    sub = split(part)
                    if sub is None:
                        pieces = []
                        break
                    pieces.extend(sub)
                else:
                    pieces = []
                    break
            if not pieces:
                continue
            unknown = [i for i, (_, f) in enumerate(pieces) if f is None]
            if len(pieces) == 1:
                pieces = [(pieces[0][0], flip)]
            elif len(unknown) == 1:
                rest = 0
                for i, (_, f) in enumerate(pieces):
                    if i != unknown[0]:
                        rest ^= f
                pieces[unknown[0]] = (pieces[unknown[0]][0], flip ^ rest)
            elif unknown:
                continue
            elif sum(f for _, f in pieces) % 2 != flip:
                continue  # the split does not reproduce the flip (a low-weight logical)
            emitted.append((pe, pieces))
        decoded = np.nonzero(~hidden)[0]
        local = {int(d): i for i, d in enumerate(decoded)}
        # virtual pair nodes (GSJ): a triplet {a, b, c} is three edges a - V(bc), b - V(ac),
        # c - V(ab); a pair error {a, b} with a virtual node also ends at V(ab)
        virtual = {pair: len(hidden) + j for j, pair in enumerate(sorted(vpairs))}
        for v in virtual.values():
            local[v] = len(local)
        self._n_nodes = len(local)
        for pe, pieces in emitted:
            for part, f in pieces:
                if len(part) == 3:
                    if f:  # a triplet flipping the observable: no virtual split (GSJ)
                        continue
                    for solo in part:
                        pair = tuple(d for d in part if d != solo)
                        merge(decoded_edges, tuple(sorted((solo, virtual[pair]))), pe, 0)
                    continue
                merge(decoded_edges, part, pe, int(f))
                if len(part) == 2 and part in virtual:
                    merge(decoded_edges, (virtual[part],), pe, int(f))
        edges: dict[tuple, list] = {}
        for key, v in decoded_edges.items():
            edges[tuple(local[d] for d in key)] = [weight(max(v)), int(v[1] > v[0])]
        self._graph = (edges, decoded)
        return self._graph

    def _build(self):
        if self._built is not None:
            return self._built
        import pymatching

        edges, decoded = self.graph()
        n = getattr(self, "_n_nodes", len(decoded))  # decoded detectors + virtual nodes
        g, bad = _potential(edges, n)
        conflicts = len(bad)
        plain = pymatching.Matching()
        gap = pymatching.Matching()
        o_node = n
        has_o = False
        for key, (w, f) in edges.items():
            ids = {0} if f else set()
            if len(key) == 2:
                plain.add_edge(key[0], key[1], weight=w, fault_ids=ids,
                               merge_strategy="smallest-weight")
                gap.add_edge(key[0], key[1], weight=w, fault_ids=ids,
                             merge_strategy="smallest-weight")
            else:
                plain.add_boundary_edge(key[0], weight=w, fault_ids=ids,
                                        merge_strategy="smallest-weight")
                if int(f) ^ int(g[key[0]]):
                    gap.add_edge(key[0], o_node, weight=w, fault_ids=ids,
                                 merge_strategy="smallest-weight")
                    has_o = True
                else:
                    gap.add_boundary_edge(key[0], weight=w, fault_ids=ids,
                                          merge_strategy="smallest-weight")
        if not has_o:
            raise ValueError("the observable does not end on a boundary of the matching graph")
        for mm, size in ((plain, n), (gap, n + 1)):
            if mm.num_nodes < size:  # decode_batch needs every node to exist
                mm.add_boundary_edge(size - 1, weight=1e9, merge_strategy="smallest-weight")
        m = (plain, gap)
        self._bad = bad
        self._built = (m, decoded, g.astype(np.uint8), conflicts)
        return self._built

    def decode(self, packed_detectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Predict the observable of kept shots and their gaps.

        Parameters
        ----------
        packed_detectors
            ``(shots, ceil(num_detectors / 8))`` bit-packed (little) detection events.

        Returns
        -------
        predictions, gaps_db
            Bit-packed ``(shots, 1)`` predicted observable flips and the gaps in dB.
        """
        (_plain, gap), decoded, _g, _ = self._build()
        shots = packed_detectors.shape[0]
        if shots == 0:
            return np.zeros((0, 1), np.uint8), np.zeros(0)
        dets = np.unpackbits(packed_detectors, axis=1, bitorder="little")
        syn = dets[:, decoded]
        full = np.zeros((shots, gap.num_detectors), dtype=np.uint8)
        full[:, : len(decoded)] = syn
        p0, w0 = gap.decode_batch(full, return_weights=True)
        full[:, -1] = 1
        p1, w1 = gap.decode_batch(full, return_weights=True)
        # the two logical classes' cheapest solutions (O off / on): predict the lighter one;
        # the gap is their weight difference (as GSJ's on/off decoding)
        pred = np.where(w1 < w0, p1[:, 0], p0[:, 0]).astype(np.uint8)
        gaps = np.abs(w1 - w0)
        return pred.reshape(-1, 1), np.maximum(gaps, 0.0) * _DB


class GapSampler(sinter.Sampler):
    """A ``sinter.Sampler`` for decoded cultivation circuits (post-selection + gap).

    ``sinter.collect(..., decoders=["tnqc-gap"], custom_decoders={"tnqc-gap":
    GapSampler()})`` discards shots whose post-selected detectors fire, decodes the rest
    with :class:`GapDecoder` and reports the gap histogram as custom counts ``C<dB>``
    (correct) and ``E<dB>`` (wrong), as GSJ's data do.
    """

    def compiled_sampler_for_task(self, task):
        return _CompiledGapSampler(task.circuit)


class _CompiledGapSampler(sinter.CompiledSampler):
    def __init__(self, circuit: stim.Circuit, *, postselect_conflicts: bool = False):
        self._anon = sinter.AnonTaskStats
        self._decoder = GapDecoder(circuit)
        self._sampler = circuit.compile_detector_sampler()
        self._mask = np.packbits(self._decoder.postselected, bitorder="little")

    def handles_throttling(self) -> bool:
        return False

    def sample(self, suggested_shots: int):
        import time
        from collections import Counter

        t0 = time.perf_counter()
        shots = max(1, min(int(suggested_shots), 100_000))
        dets, obs = self._sampler.sample(shots, separate_observables=True, bit_packed=True)
        discard = (dets[:, : self._mask.size] & self._mask).any(axis=1)
        kept = ~discard
        pred, gaps = self._decoder.decode(dets[kept])
        wrong = (pred[:, 0] & 1) != (obs[kept][:, 0] & 1)
        counts: Counter = Counter()
        for g, w in zip(np.floor(gaps).astype(int), wrong, strict=True):
            counts[f"{'E' if w else 'C'}{g}"] += 1
        return self._anon(shots=shots, errors=int(wrong.sum()), discards=int(discard.sum()),
                          seconds=time.perf_counter() - t0, custom_counts=counts)
