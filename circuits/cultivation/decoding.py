"""Matching decoder with a complementary gap for the escape stage.

Only the detectors tagged ``decode`` are matched; post-selected detectors are silent in
every kept shot, so they are removed from the error mechanisms that touch them (an
error that also flipped a post-selected detector becomes an edge to the boundary), as
GSJ 2024 do by clipping hidden nodes.  The detector error model is decomposed by stim
into graph-like pieces; pieces with more than two decoded detectors are dropped.

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
from collections import defaultdict, deque

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


class GapDecoder:
    """Complementary-gap matching decoder for a circuit's ``decode``-tagged detectors.

    Parameters
    ----------
    circuit
        A noisy circuit with one observable.

    Attributes
    ----------
    num_decoded
        Number of detectors given to the matcher.
    potential_conflicts
        Bulk cycles with an odd observable flip (0 for a planar graph; if not 0 the gap
        is an approximation).
    """

    def __init__(self, circuit: stim.Circuit):
        if not isinstance(circuit, stim.Circuit):
            raise TypeError(f"circuit must be a stim.Circuit, got {type(circuit).__name__}")
        if circuit.num_observables != 1:
            raise ValueError(f"circuit must have 1 observable, has {circuit.num_observables}")
        self._mask = postselection_mask(circuit)
        self._dem_text = str(circuit.detector_error_model(
            decompose_errors=True, ignore_decomposition_failures=True))
        self._built = None
        self.num_decoded = int((~self._mask).sum())
        self.potential_conflicts = self._build()[3]

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_built"] = None
        return state

    def graph(self) -> tuple[dict[tuple, list], np.ndarray]:
        """Edges ``{(u, v) or (u,): [weight, flip]}`` on the decoded detectors (local
        indices) after clipping the post-selected ones, and their global indices.

        stim decomposes every error into graph-like pieces; a piece left with one decoded
        detector after dropping its post-selected ones becomes a boundary edge weighted by
        the distance to the boundary through the post-selected node; pieces with more than
        two decoded detectors are dropped.
        """
        dem = stim.DetectorErrorModel(self._dem_text)
        hidden = self._mask
        raw: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for inst in dem.flattened():
            if inst.type != "error":
                continue
            p = inst.args_copy()[0]
            if p <= 0:
                continue
            pieces: list[list] = [[[], 0]]
            for t in inst.targets_copy():
                if t.is_separator():
                    pieces.append([[], 0])
                elif t.is_relative_detector_id():
                    pieces[-1][0].append(int(t.val))
                elif t.is_logical_observable_id():
                    pieces[-1][1] ^= 1
            if any(len(dets) > 2 for dets, _ in pieces):
                continue
            for dets, flip in pieces:
                if dets:
                    cur = raw[tuple(sorted(dets))]
                    cur[flip] = cur[flip] * (1 - p) + p * (1 - cur[flip])

        def weight(p: float) -> float:
            p = min(max(p, 1e-15), 0.5 - 1e-12)
            return math.log((1 - p) / p)

        best = {k: (weight(max(v)), int(v[1] > v[0])) for k, v in raw.items()}
        nbrs: dict[int, list[tuple[int, float, int]]] = defaultdict(list)
        dist: dict[int, tuple[float, int]] = {}
        heap: list[tuple[float, int, int]] = []
        for key, (w, f) in best.items():
            if len(key) == 2:
                nbrs[key[0]].append((key[1], w, f))
                nbrs[key[1]].append((key[0], w, f))
            else:
                heapq.heappush(heap, (w, f, key[0]))
        while heap:
            d, f, u = heapq.heappop(heap)
            if u in dist:
                continue
            dist[u] = (d, f)
            for v, w, fv in nbrs[u]:
                if v not in dist:
                    heapq.heappush(heap, (d + w, f ^ fv, v))
        decoded = np.nonzero(~hidden)[0]
        local = {int(d): i for i, d in enumerate(decoded)}
        edges: dict[tuple, list] = {}

        def add(key: tuple, w: float, f: int) -> None:
            if key not in edges or w < edges[key][0]:
                edges[key] = [w, f]

        for key, (w, f) in best.items():
            inside = [d for d in key if not hidden[d]]
            outside = [d for d in key if hidden[d]]
            if len(inside) == 2:
                add((local[inside[0]], local[inside[1]]), w, f)
            elif len(inside) == 1 and not outside:
                add((local[inside[0]],), w, f)
            elif len(inside) == 1 and outside[0] in dist:
                dw, df = dist[outside[0]]
                add((local[inside[0]],), w + dw, f ^ df)
        return edges, decoded

    def _build(self):
        if self._built is not None:
            return self._built
        import pymatching

        edges, decoded = self.graph()
        n = len(decoded)
        flip = {k: bool(v[1]) for k, v in edges.items()}
        # potential g on bulk edges by BFS
        adj: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for key, f in flip.items():
            if len(key) == 2:
                adj[key[0]].append((key[1], int(f)))
                adj[key[1]].append((key[0], int(f)))
        g = np.full(n, -1, dtype=np.int64)
        conflicts = 0
        for s in range(n):
            if g[s] >= 0:
                continue
            g[s] = 0
            queue = deque([s])
            while queue:
                u = queue.popleft()
                for v, f in adj[u]:
                    want = g[u] ^ f
                    if g[v] < 0:
                        g[v] = want
                        queue.append(v)
                    elif g[v] != want:
                        conflicts += 1
        conflicts //= 2
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
        (plain, gap), decoded, _g, _ = self._build()
        shots = packed_detectors.shape[0]
        if shots == 0:
            return np.zeros((0, 1), np.uint8), np.zeros(0)
        dets = np.unpackbits(packed_detectors, axis=1, bitorder="little")
        syn = dets[:, decoded]
        pred, w = plain.decode_batch(syn, return_weights=True)
        full = np.zeros((shots, len(decoded) + 1), dtype=np.uint8)
        full[:, :-1] = syn
        p0, w0 = gap.decode_batch(full, return_weights=True)
        full[:, -1] = 1
        p1, w1 = gap.decode_batch(full, return_weights=True)
        pred = pred[:, 0].astype(np.uint8)
        # complementary weight: the cheapest forced solution in the other logical class
        inf = np.inf
        comp = np.minimum(np.where(p0[:, 0] != pred, w0, inf), np.where(p1[:, 0] != pred, w1, inf))
        gaps = np.where(np.isfinite(comp), comp - w, np.abs(w1 - w0))
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
    def __init__(self, circuit: stim.Circuit):
        self._anon = sinter.AnonTaskStats
        self._decoder = GapDecoder(circuit)
        self._sampler = circuit.compile_detector_sampler()
        mask = np.packbits(postselection_mask(circuit), bitorder="little")
        self._mask = mask

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
