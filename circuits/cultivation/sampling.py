"""Sampling cultivation circuits: post-selection, decoding, statistics and cost.

A shot is *discarded* when any post-selected detector fires; the kept shots are decoded
(escape stages, by a matching decoder with a complementary gap) or, for circuits that are
post-selected throughout, have their observable compared with its noiseless value.

Two ways to sample, with the same statistics type:

* :func:`sample` - seeded and reproducible: shots are cut into fixed chunks, chunk ``i``
  uses the seed ``(seed, i)``, chunks run on a process pool and are accumulated in order,
  so the result depends only on ``seed``, ``shots`` and ``max_errors``, not on the number
  of workers.
* :func:`sinter_task` / :func:`collect` - the same job as ``sinter.Task`` s (post-selection
  mask, metadata) for ``sinter.collect``: unseeded, resumable, the field's standard.

Detectors tagged ``decode`` are decoded; all others are post-selected.

Cost
----
``expected_qubit_rounds = num_qubits * measurement_layers / (1 - discard_rate)``: the
space-time volume spent per kept state, counting every layer that measures as a round
(GSJ 2024 count the final noiseless readout as one layer too).
"""

from __future__ import annotations

import math
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field

import numpy as np
import stim
from scipy import stats as _stats

__all__ = ["CultivationStats", "collect", "measurement_layers", "postselection_mask",
           "sample", "sinter_task"]

DECODE_TAG = "decode"
_CHUNK = 1 << 22  # shots per seeded chunk for post-selected circuits
_CHUNK_DECODED = 1 << 14  # decoding dominates; small chunks keep progress and checkpoints live
_BATCH_BYTES = 1 << 24  # bit-packed detection events held in memory at a time


@dataclass(frozen=True)
class CultivationStats:
    """Counts from sampling one circuit.

    Attributes
    ----------
    shots, discards, errors
        Shots taken, shots discarded by post-selection, logical errors among kept shots.
    seconds
        Wall time spent sampling.
    num_qubits, measurement_layers
        Size of the circuit, for the cost.
    gap_histogram
        For decoded circuits: ``{gap_bin: (kept, errors)}`` with gaps in dB rounded down.
    """

    shots: int
    discards: int
    errors: int
    seconds: float
    num_qubits: int
    measurement_layers: int
    gap_histogram: dict[int, tuple[int, int]] = field(default_factory=dict)

    @property
    def kept(self) -> int:
        """Shots that survived post-selection."""
        return self.shots - self.discards

    @property
    def discard_rate(self) -> float:
        """Fraction of shots discarded."""
        return self.discards / self.shots if self.shots else math.nan

    @property
    def logical_error_rate(self) -> float:
        """Logical errors per kept shot."""
        return self.errors / self.kept if self.kept else math.nan

    def confidence_interval(self, level: float = 0.95) -> tuple[float, float]:
        """Clopper-Pearson interval of the logical error rate per kept shot."""
        k, n = self.errors, self.kept
        if n == 0:
            return 0.0, 1.0
        a = 1 - level
        low = 0.0 if k == 0 else float(_stats.beta.ppf(a / 2, k, n - k + 1))
        high = 1.0 if k == n else float(_stats.beta.ppf(1 - a / 2, k + 1, n - k))
        return low, high

    def discard_interval(self, level: float = 0.95) -> tuple[float, float]:
        """Normal-approximation interval of the discard rate."""
        z = float(_stats.norm.ppf(0.5 + level / 2))
        r = self.discard_rate
        half = z * math.sqrt(max(r * (1 - r), 0.0) / max(self.shots, 1))
        return r - half, r + half

    @property
    def expected_qubit_rounds(self) -> float:
        """Space-time volume per kept state (qubits x measurement layers / keep rate)."""
        keep = 1 - self.discard_rate
        return self.num_qubits * self.measurement_layers / keep if keep > 0 else math.inf

    def with_gap_threshold(self, gap_db: float) -> CultivationStats:
        """Statistics after also discarding decoded shots whose gap is below ``gap_db``."""
        if not self.gap_histogram:
            raise ValueError("gap_db needs a decoded circuit (no gap histogram recorded)")
        kept = sum(k for g, (k, _) in self.gap_histogram.items() if g >= gap_db)
        errors = sum(e for g, (_, e) in self.gap_histogram.items() if g >= gap_db)
        hist = {g: v for g, v in self.gap_histogram.items() if g >= gap_db}
        return CultivationStats(self.shots, self.shots - kept, errors, self.seconds,
                                self.num_qubits, self.measurement_layers, hist)

    def to_dict(self) -> dict:
        """JSON-ready summary (counts, rates, 95% intervals, cost)."""
        out = asdict(self)
        out["gap_histogram"] = {str(g): list(v) for g, v in self.gap_histogram.items()}
        out.update(kept=self.kept, discard_rate=self.discard_rate,
                   logical_error_rate=self.logical_error_rate,
                   logical_error_rate_ci95=list(self.confidence_interval()),
                   discard_rate_ci95=list(self.discard_interval()),
                   expected_qubit_rounds=self.expected_qubit_rounds)
        return out


def postselection_mask(circuit: stim.Circuit) -> np.ndarray:
    """Boolean mask over detectors: ``True`` = post-selected (not tagged ``decode``)."""
    mask = []
    for ins in circuit.flattened():
        if ins.name == "DETECTOR":
            mask.append(ins.tag != DECODE_TAG)
    return np.array(mask, dtype=bool)


def measurement_layers(circuit: stim.Circuit) -> int:
    """Number of TICK-delimited layers that contain a measurement."""
    count = 0
    current = False
    for ins in circuit.flattened():
        if ins.name == "TICK":
            count += current
            current = False
        elif stim.gate_data(ins.name).produces_measurements:
            current = True
    return count + current


def _validate(shots: int, max_errors: int | None, num_workers: int | None) -> None:
    if isinstance(shots, bool) or not isinstance(shots, (int, np.integer)):
        raise TypeError(f"shots must be an int, got {type(shots).__name__}")
    if shots < 1:
        raise ValueError(f"shots must be >= 1, got {shots}")
    if max_errors is not None and (not isinstance(max_errors, (int, np.integer))
                                   or max_errors < 1):
        raise ValueError(f"max_errors must be a positive int or None, got {max_errors!r}")
    if num_workers is not None and (not isinstance(num_workers, (int, np.integer))
                                    or num_workers < 1):
        raise ValueError(f"num_workers must be a positive int or None, got {num_workers!r}")


def _run_chunk(args: tuple) -> tuple[int, int, int, dict]:
    text, shots, seed, decoder = args
    circuit = stim.Circuit(text)
    mask = postselection_mask(circuit)
    sampler = circuit.compile_detector_sampler(seed=seed)
    packed_mask = np.packbits(mask, bitorder="little")
    batch = max(1024, min(262_144, _BATCH_BYTES // max(1, packed_mask.size)))
    discards = errors = 0
    hist: dict[int, list[int]] = {}
    done = 0
    while done < shots:
        n = min(batch, shots - done)
        done += n
        dets, obs = sampler.sample(n, separate_observables=True, bit_packed=True)
        discard = (dets[:, : packed_mask.size] & packed_mask).any(axis=1)
        kept = ~discard
        discards += int(discard.sum())
        if decoder is None:
            errors += int(obs[kept].any(axis=1).sum())
            continue
        predictions, gaps = decoder.decode(dets[kept])
        wrong = (predictions != obs[kept]).any(axis=1)
        errors += int(wrong.sum())
        bins = np.floor(gaps).astype(np.int64)
        for b in np.unique(bins):
            sel = bins == b
            cur = hist.setdefault(int(b), [0, 0])
            cur[0] += int(sel.sum())
            cur[1] += int(wrong[sel].sum())
    return shots, discards, errors, hist


def sample(circuit: stim.Circuit, shots: int, *, seed: int = 0,
           max_errors: int | None = None, num_workers: int | None = 1,
           decoder: object | None = None,
           progress: Callable[[int, int, int, int], None] | None = None,
           checkpoint: Callable[[dict], None] | None = None,
           resume: dict | None = None) -> CultivationStats:
    """Sample ``circuit`` with post-selection; reproducible for a given ``seed``.

    Parameters
    ----------
    circuit
        A noisy circuit (e.g. ``noise.apply(cultivation_circuit(3))``).
    shots
        Number of shots (>= 1); they run in seeded chunks of 2^22 shots (2^14 when
        decoding), each sampled in memory-bounded batches.
    seed
        Seed; chunk ``i`` gets the ``i``-th child of ``numpy.random.SeedSequence(seed)``.
    max_errors
        Stop after the chunk in which this many logical errors were reached.
    num_workers
        Worker processes (``None`` = all cores).
    decoder
        Object with ``decode(packed_detectors) -> (predictions, gaps_db)`` for circuits with
        ``decode``-tagged detectors; ``None`` when every detector is post-selected.
    progress
        ``progress(shots_done, shots_total, discards, errors)`` after every chunk.
    checkpoint
        ``checkpoint(state)`` after every chunk, with a JSON-ready ``state`` dict.
    resume
        A ``state`` from ``checkpoint``: the run continues after its last chunk and gives
        the same result as an uninterrupted run with the same seed.

    Returns
    -------
    CultivationStats

    Examples
    --------
    >>> from circuits.cultivation import cultivation_circuit, uniform_depolarizing
    >>> c = uniform_depolarizing(1e-3).apply(cultivation_circuit(3))
    >>> s = sample(c, 20_000, seed=1)
    >>> 0.25 < s.discard_rate < 0.37
    True
    """
    if not isinstance(circuit, stim.Circuit):
        raise TypeError(f"circuit must be a stim.Circuit, got {type(circuit).__name__}")
    _validate(shots, max_errors, num_workers)
    mask = postselection_mask(circuit)
    if decoder is None and (~mask).any():
        raise ValueError("circuit has detectors tagged 'decode': pass a decoder")
    workers = num_workers or os.cpu_count() or 1
    chunk = _CHUNK if decoder is None else _CHUNK_DECODED
    sizes = [chunk] * (int(shots) // chunk)
    if int(shots) % chunk:
        sizes.append(int(shots) % chunk)
    text = str(circuit)
    seeds = np.random.SeedSequence(seed).spawn(len(sizes))
    jobs = [(text, n, int(s.generate_state(1)[0] & 0x7FFFFFFF), decoder)
            for n, s in zip(sizes, seeds, strict=True)]
    total = [0, 0, 0]
    hist: dict[int, list[int]] = {}
    done = 0
    elapsed = 0.0
    if resume is not None:
        try:
            done = int(resume["chunks_done"])
            total = [int(resume["shots"]), int(resume["discards"]), int(resume["errors"])]
            hist = {int(g): [int(k), int(e)] for g, (k, e) in resume["gap_histogram"].items()}
            elapsed = float(resume.get("seconds", 0.0))
            if resume.get("seed") != seed or resume.get("total_shots") != int(shots):
                raise ValueError("seed or shots differ from the checkpoint")
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"resume must be a checkpoint state of this job: {exc}") from exc
        jobs = jobs[done:]
    start = time.perf_counter()

    def add(result: tuple) -> bool:
        nonlocal done
        n, disc, err, h = result
        done += 1
        total[0] += n
        total[1] += disc
        total[2] += err
        for g, (k, e) in h.items():
            cur = hist.setdefault(g, [0, 0])
            cur[0] += k
            cur[1] += e
        if progress is not None:
            progress(total[0], int(shots), total[1], total[2])
        if checkpoint is not None:
            checkpoint({"chunks_done": done, "shots": total[0], "discards": total[1],
                        "errors": total[2], "gap_histogram": {str(g): v for g, v in hist.items()},
                        "seconds": elapsed + time.perf_counter() - start, "seed": seed,
                        "total_shots": int(shots)})
        return max_errors is not None and total[2] >= max_errors

    if max_errors is not None and total[2] >= max_errors:
        jobs = []
    if workers == 1 or len(jobs) <= 1:
        for job in jobs:
            if add(_run_chunk(job)):
                break
    else:
        # forkserver: forking a process that imported JAX (multithreaded) can deadlock
        ctx = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            pending = []
            it = iter(jobs)
            for job in it:
                pending.append(pool.submit(_run_chunk, job))
                if len(pending) >= 2 * workers:
                    break
            stop = False
            while pending:
                result = pending.pop(0).result()
                if not stop:
                    stop = add(result)
                if not stop:
                    nxt = next(it, None)
                    if nxt is not None:
                        pending.append(pool.submit(_run_chunk, nxt))
                else:
                    for f in pending:
                        f.cancel()
                    pending = [f for f in pending if not f.cancelled()]
                    for f in pending:
                        f.result()
                    pending = []
    return CultivationStats(total[0], total[1], total[2],
                            elapsed + time.perf_counter() - start,
                            circuit.num_qubits, measurement_layers(circuit),
                            {g: (k, e) for g, (k, e) in sorted(hist.items())})


def sinter_task(circuit: stim.Circuit, metadata: dict | None = None):
    """A ``sinter.Task`` for ``circuit`` with its post-selection mask and metadata."""
    import sinter

    mask = postselection_mask(circuit)
    return sinter.Task(circuit=circuit,
                       postselection_mask=np.packbits(mask, bitorder="little"),
                       json_metadata=dict(metadata or {}))


def collect(tasks: list, *, max_shots: int, max_errors: int | None = None,
            num_workers: int | None = None, decoder: str = "vacuous",
            custom_decoders: dict | None = None, save_resume_filepath: str | None = None,
            print_progress: bool = False) -> list:
    """``sinter.collect`` over cultivation tasks (post-selected circuits use the
    ``vacuous`` decoder: every kept shot has a silent syndrome)."""
    import sinter

    return sinter.collect(num_workers=num_workers or os.cpu_count() or 1, tasks=tasks,
                          decoders=[decoder], max_shots=max_shots, max_errors=max_errors,
                          custom_decoders=custom_decoders,
                          save_resume_filepath=save_resume_filepath,
                          print_progress=print_progress)
