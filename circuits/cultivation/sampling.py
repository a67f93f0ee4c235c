"""Sampling cultivation circuits: post-selection, decoding, statistics and cost.

A shot is *discarded* when any post-selected detector fires; the kept shots are decoded
(escape stages, by a matching decoder with a complementary gap) or, for circuits that are
post-selected throughout, have their observable compared with its noiseless value.

Two ways to sample, with the same statistics type:

* :func:`sample` - seeded and reproducible: shots are cut into fixed chunks, chunk ``i``
  uses the seed ``(seed, i)``, chunks stream through an executor (in-process, a process
  pool or Dask distributed, :mod:`~circuits.cultivation.executors`) and are accumulated in
  order, so the result depends only on ``seed``, the chunk size, ``shots`` and
  ``max_errors``, not on the executor or the number of workers.
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
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
import stim
from scipy import stats as _stats

__all__ = ["CultivationStats", "SamplingInterrupted", "collect", "measurement_layers",
           "postselection_mask", "sample", "sinter_task"]

DECODE_TAG = "decode"
_CHUNK = 1 << 22  # shots per seeded chunk for post-selected circuits
_CHUNK_DECODED = 1 << 14  # decoding dominates; small chunks keep progress and checkpoints live


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


def _validate(shots: int, max_errors: int | None, num_workers: int | None,
              chunk_shots: int | None) -> None:
    if isinstance(shots, bool) or not isinstance(shots, (int, np.integer)):
        raise TypeError(f"shots must be an int, got {type(shots).__name__}")
    if shots < 1:
        raise ValueError(f"shots must be >= 1, got {shots}")
    for name, v in (("max_errors", max_errors), ("num_workers", num_workers),
                    ("chunk_shots", chunk_shots)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, np.integer))
                              or v < 1):
            raise ValueError(f"{name} must be a positive int or None, got {v!r}")


class SamplingInterrupted(KeyboardInterrupt):
    """Raised by :func:`sample` on Ctrl-C: ``stats`` and ``state`` hold the chunks finished
    so far (``state`` resumes the run)."""

    def __init__(self, stats: CultivationStats, state: dict):
        super().__init__("sampling interrupted")
        self.stats = stats
        self.state = state


def _counts(raw: dict | None) -> list:
    """``[shots, discards, errors, {gap: [kept, errors]}]`` from a checkpoint's counts."""
    if raw is None:
        return [0, 0, 0, {}]
    return [int(raw["shots"]), int(raw["discards"]), int(raw["errors"]),
            {int(g): [int(k), int(e)] for g, (k, e) in raw["gap_histogram"].items()}]


def _counts_json(c: list) -> dict:
    return {"shots": c[0], "discards": c[1], "errors": c[2],
            "gap_histogram": {str(g): list(v) for g, v in sorted(c[3].items())}}


def _add(acc: list, result: tuple) -> None:
    n, disc, err, h = result
    acc[0] += n
    acc[1] += disc
    acc[2] += err
    for g, (k, e) in h.items():
        cur = acc[3].setdefault(int(g), [0, 0])
        cur[0] += k
        cur[1] += e


def _restore(resume: dict, seed: int, shots: int, chunk: int,
             max_errors: int | None) -> tuple[int, list, list | None, float]:
    """``(chunks_done, full_counts, tail_counts, seconds)`` from a checkpoint state."""
    try:
        if int(resume.get("version", 0)) != 2:
            raise ValueError("checkpoint format is not version 2")
        done = int(resume["chunks_done"])
        full = _counts(resume["full"])
        tail = _counts(resume["tail"]) if resume.get("tail") is not None else None
        seconds = float(resume.get("seconds", 0.0))
        old_max = resume.get("max_errors")
        if resume["seed"] != seed:
            raise ValueError(f"seed {seed} differs from the checkpoint's {resume['seed']}")
        if int(resume["chunk_shots"]) != chunk:
            raise ValueError(f"chunk_shots {chunk} differs from the checkpoint's "
                             f"{resume['chunk_shots']}")
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"resume must be a checkpoint state of this job: {exc}") from exc
    if full[0] != done * chunk:
        raise ValueError("resume must be a checkpoint state of this job: its counts do not "
                         "match its chunks")
    sampled = full[0] + (tail[0] if tail else 0)
    if shots < sampled:
        raise ValueError(f"shots {shots} is below the {sampled} shots already sampled")
    if tail is not None and shots != int(resume["total_shots"]):
        tail = None  # a partial last chunk is sampled again in full when a run is extended
    if max_errors is not None and full[2] >= max_errors and old_max != max_errors \
            and (old_max is None or max_errors < old_max):
        raise ValueError(f"max_errors {max_errors} is below the {full[2]} errors already "
                         "counted: start a new run for a smaller error budget")
    return done, full, tail, seconds


def sample(circuit: stim.Circuit, shots: int, *, seed: int = 0,
           max_errors: int | None = None, num_workers: int | None = 1,
           decoder: object | None = None,
           progress: Callable[[int, int, int, int], None] | None = None,
           checkpoint: Callable[[dict], None] | None = None,
           resume: dict | None = None, executor: str = "local",
           scheduler: str | None = None, chunk_shots: int | None = None,
           checkpoint_seconds: float = 0.0, first_chunk: int = 0) -> CultivationStats:
    """Sample ``circuit`` with post-selection; reproducible for a given ``seed``.

    Shots are cut into chunks of ``chunk_shots`` (the last one shorter); chunk ``i`` is
    sampled with :func:`~circuits.cultivation.executors.chunk_seed` ``(seed, i)`` on any
    executor, and the results are accumulated in chunk order, so the counts depend only on
    ``seed``, ``chunk_shots``, ``shots`` and ``max_errors``: not on the executor, the number
    of workers or the order in which they finish.  Chunks are generated lazily (a bounded
    window is in flight), so ``shots`` may be astronomically large with ``max_errors``.

    Parameters
    ----------
    circuit
        A noisy circuit (e.g. ``noise.apply(cultivation_circuit(3))``).
    shots
        Number of shots (>= 1).
    seed
        Seed of the chunk seeds.
    max_errors
        Stop after the chunk (in chunk order) in which this many logical errors were reached.
    num_workers
        Worker processes (``None`` = all cores) or Dask workers of a ``LocalCluster``.
    decoder
        Object with ``decode(packed_detectors) -> (predictions, gaps_db)`` for circuits with
        ``decode``-tagged detectors; ``None`` when every detector is post-selected.
    progress
        ``progress(shots_done, shots_total, discards, errors)`` after every chunk.
    checkpoint
        ``checkpoint(state)`` with a JSON-ready ``state`` dict: after a chunk when at least
        ``checkpoint_seconds`` passed since the last call, and always at the end.
    resume
        A ``state`` from ``checkpoint``: the run continues after its last chunk and gives
        the same counts as an uninterrupted run with the same seed.  ``shots`` and
        ``max_errors`` may be larger than the checkpoint's (the run is extended: a partial
        last chunk is sampled again in full, as a fresh run of the new size would).
    executor, scheduler
        ``"local"`` (in-process for one worker, else a process pool) or ``"dask"``
        (``scheduler`` address such as ``tcp://host:8786``, else a ``LocalCluster``).
    chunk_shots
        Shots per chunk (default 2^22, or 2^14 with a decoder).
    first_chunk
        Index of the first chunk: runs with the same seed and chunk size on disjoint chunk
        ranges (other machines) add up to one run of their total size (``shots`` should
        then be a multiple of ``chunk_shots``).

    Returns
    -------
    CultivationStats

    Raises
    ------
    SamplingInterrupted
        On Ctrl-C, with the counts of the chunks finished so far.

    Examples
    --------
    >>> from circuits.cultivation import cultivation_circuit, uniform_depolarizing
    >>> c = uniform_depolarizing(1e-3).apply(cultivation_circuit(3))
    >>> s = sample(c, 20_000, seed=1)
    >>> 0.25 < s.discard_rate < 0.37
    True
    """
    from circuits.cultivation.executors import ChunkJob, check_executor, chunk_seed, open_executor

    if not isinstance(circuit, stim.Circuit):
        raise TypeError(f"circuit must be a stim.Circuit, got {type(circuit).__name__}")
    _validate(shots, max_errors, num_workers, chunk_shots)
    if isinstance(first_chunk, bool) or not isinstance(first_chunk, (int, np.integer)) \
            or first_chunk < 0:
        raise ValueError(f"first_chunk must be an int >= 0, got {first_chunk!r}")
    workers = int(num_workers or os.cpu_count() or 1)
    check_executor(executor, workers, scheduler)
    mask = postselection_mask(circuit)
    if decoder is None and (~mask).any():
        raise ValueError("circuit has detectors tagged 'decode': pass a decoder")
    shots = int(shots)
    chunk = int(chunk_shots or (_CHUNK if decoder is None else _CHUNK_DECODED))
    n_full, rest = divmod(shots, chunk)
    n_chunks = n_full + (rest > 0)
    done, full, tail, elapsed = 0, [0, 0, 0, {}], None, 0.0
    if resume is not None:
        done, full, tail, elapsed = _restore(resume, seed, shots, chunk, max_errors)
        if int(resume.get("first_chunk", 0)) != first_chunk:
            raise ValueError(f"first_chunk {first_chunk} differs from the checkpoint's "
                             f"{resume.get('first_chunk', 0)}")
    start = time.perf_counter()
    last_checkpoint = -math.inf
    layers = measurement_layers(circuit)

    def totals() -> list:
        acc = [full[0], full[1], full[2], {g: list(v) for g, v in full[3].items()}]
        if tail is not None:
            _add(acc, (tail[0], tail[1], tail[2], tail[3]))
        return acc

    def stats() -> CultivationStats:
        acc = totals()
        return CultivationStats(acc[0], acc[1], acc[2], elapsed + time.perf_counter() - start,
                                circuit.num_qubits, layers,
                                {g: (k, e) for g, (k, e) in sorted(acc[3].items())})

    def state() -> dict:
        return {"version": 2, "seed": seed, "chunk_shots": chunk, "total_shots": shots,
                "first_chunk": int(first_chunk),
                "max_errors": max_errors, "chunks_done": done, "full": _counts_json(full),
                "tail": None if tail is None else _counts_json(tail),
                "seconds": elapsed + time.perf_counter() - start}

    def reached() -> bool:
        return max_errors is not None and totals()[2] >= max_errors

    saved_at = [-1]  # chunks accumulated at the last checkpoint

    def save(force: bool) -> None:
        nonlocal last_checkpoint
        now = time.perf_counter()
        progressed = processed[0] != saved_at[0]
        if checkpoint is not None and progressed and \
                (force or now - last_checkpoint >= checkpoint_seconds):
            checkpoint(state())
            last_checkpoint = now
            saved_at[0] = processed[0]

    processed = [0]
    first = n_chunks if (tail is not None or reached()) else done
    if first >= n_chunks:
        save(True)
        return stats()
    job = ChunkJob(str(circuit), decoder)
    try:
        with open_executor(job, executor, workers, scheduler) as ex:
            window = 2 * ex.width
            pending: deque = deque()
            next_index = first

            def refill() -> None:
                nonlocal next_index
                while len(pending) < window and next_index < n_chunks:
                    n = chunk if next_index < n_full else rest
                    pending.append((next_index,
                                    ex.submit(n, chunk_seed(seed, first_chunk + next_index))))
                    next_index += 1

            refill()
            while pending:
                index, handle = pending[0]
                while True:
                    try:
                        result = ex.result(handle, 0.25)
                        break
                    except (TimeoutError, multiprocessing.TimeoutError):
                        continue
                pending.popleft()
                processed[0] += 1
                if index < n_full:
                    _add(full, result)
                    done = index + 1
                else:
                    tail = _counts(None)
                    _add(tail, result)
                if progress is not None:
                    acc = totals()
                    progress(acc[0], shots, acc[1], acc[2])
                if reached():
                    break
                save(False)
                refill()
    except KeyboardInterrupt:
        save(True)
        raise SamplingInterrupted(stats(), state()) from None
    save(True)
    return stats()


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
