"""Where seeded chunks of shots run: in-process, on local processes, or on Dask distributed.

A chunk is ``(shots, seed)``; :class:`ChunkJob` turns it into counts
``(shots, discards, errors, gap_histogram)``.  Every executor offers the same three
operations - ``submit(shots, seed) -> handle``, ``result(handle, timeout)`` and, on
interruption, ``abort()`` - so :func:`circuits.cultivation.sampling.sample` streams chunks
through a bounded window of handles and accumulates them in chunk order, whatever the
executor, the number of workers or the order in which workers finish.

* ``serial`` - the chunk runs when its result is asked for, in the calling process;
* ``processes`` - a ``multiprocessing`` pool (``forkserver``: forking a process that
  imported JAX can deadlock); the workers ignore SIGINT, so Ctrl-C reaches only the
  caller, which terminates the pool at once;
* ``dask`` - a ``distributed.Client`` on ``scheduler`` (an address such as
  ``tcp://host:8786``) or, without one, on a ``LocalCluster`` of ``workers`` single-threaded
  worker processes; the job (circuit text and decoder) is scattered to every worker once.

Example
-------
>>> from circuits.cultivation.executors import ChunkJob, chunk_seed, open_executor
>>> chunk_seed(7, 0) == chunk_seed(7, 0) != chunk_seed(7, 1)  # reproducible, distinct
True
>>> job = ChunkJob("X_ERROR(1) 0\\nM 0\\nOBSERVABLE_INCLUDE(0) rec[-1]")  # always a logical error
>>> with open_executor(job) as ex:  # one local worker: in-process
...     ex.result(ex.submit(10, chunk_seed(7, 0)), timeout=10.0)
(10, 0, 10, {})
>>> with open_executor(job, "threads"):  # doctest: +IGNORE_EXCEPTION_DETAIL
...     pass
Traceback (most recent call last):
ValueError: executor must be one of ('local', 'dask'), got 'threads'
"""

from __future__ import annotations

import multiprocessing
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import stim

__all__ = ["EXECUTORS", "ChunkJob", "chunk_seed", "open_executor"]

EXECUTORS = ("local", "dask")
_BATCH_BYTES = 1 << 24  # bit-packed detection events held in memory at a time


def chunk_seed(seed: int, index: int) -> int:
    """Seed of chunk ``index``: the ``index``-th child of ``numpy.random.SeedSequence(seed)``."""
    child = np.random.SeedSequence(seed, spawn_key=(int(index),))
    return int(child.generate_state(1)[0] & 0x7FFFFFFF)


class ChunkJob:
    """What a worker needs to sample a chunk: the circuit (as text) and the decoder.

    The compiled circuit and post-selection mask are cached on the object and rebuilt
    after unpickling, so a worker that keeps the object (a pool initialiser, a scattered
    Dask datum) builds them once.
    """

    def __init__(self, text: str, decoder: object | None = None):
        self.text = text
        self.decoder = decoder
        self._cache: tuple | None = None

    def __getstate__(self) -> dict:
        return {"text": self.text, "decoder": self.decoder, "_cache": None}

    def _compiled(self) -> tuple:
        if self._cache is None:
            from circuits.cultivation.sampling import postselection_mask

            circuit = stim.Circuit(self.text)
            mask = getattr(self.decoder, "postselected", None)  # a decoder may add some
            mask = postselection_mask(circuit) if mask is None else mask
            packed = np.packbits(mask, bitorder="little")
            self._cache = (circuit, packed)
        return self._cache

    def __call__(self, shots: int, seed: int) -> tuple[int, int, int, dict]:
        circuit, packed_mask = self._compiled()
        sampler = circuit.compile_detector_sampler(seed=seed)
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
            if self.decoder is None:
                errors += int(obs[kept].any(axis=1).sum())
                continue
            predictions, gaps = self.decoder.decode(dets[kept])
            wrong = (predictions != obs[kept]).any(axis=1)
            errors += int(wrong.sum())
            bins = np.floor(gaps).astype(np.int64)
            for b in np.unique(bins):
                sel = bins == b
                cur = hist.setdefault(int(b), [0, 0])
                cur[0] += int(sel.sum())
                cur[1] += int(wrong[sel].sum())
        return int(shots), discards, errors, hist


def run_chunk(job: ChunkJob, shots: int, seed: int) -> tuple[int, int, int, dict]:
    """Task function (module level so every executor can pickle it by reference)."""
    return job(shots, seed)


class _Serial:
    width = 1

    def __init__(self, job: ChunkJob):
        self._job = job

    def submit(self, shots: int, seed: int) -> tuple[int, int]:
        return shots, seed

    def result(self, handle: tuple[int, int], timeout: float) -> tuple:
        return self._job(*handle)

    def abort(self) -> None:
        pass


_POOL_JOB: list[ChunkJob] = []  # the job of a pool worker process, set by its initialiser


def _pool_init(job: ChunkJob) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _POOL_JOB[:] = [job]


def _pool_chunk(shots: int, seed: int) -> tuple:
    return _POOL_JOB[0](shots, seed)


class _Processes:
    def __init__(self, job: ChunkJob, workers: int):
        ctx = multiprocessing.get_context("forkserver")
        self.width = workers
        self._pool = ctx.Pool(workers, initializer=_pool_init, initargs=(job,))

    def submit(self, shots: int, seed: int) -> Any:
        return self._pool.apply_async(_pool_chunk, (shots, seed))

    def result(self, handle: Any, timeout: float) -> tuple:
        return handle.get(timeout)

    def abort(self) -> None:
        self._pool.terminate()

    def close(self) -> None:  # every result needed has been read: drop chunks in flight
        self._pool.terminate()
        self._pool.join()


class _Dask:
    def __init__(self, job: ChunkJob, workers: int, scheduler: str | None):
        from distributed import Client, LocalCluster

        self._cluster = None
        if scheduler:
            try:
                self._client = Client(scheduler, timeout="10s")
            except (OSError, TimeoutError) as exc:
                raise ValueError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") \
                    from exc
        else:
            self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                                         processes=True, dashboard_address=None)
            self._client = Client(self._cluster)
        self.width = max(1, sum(w.get("nthreads", 1) for w in
                                self._client.scheduler_info()["workers"].values()))
        self._job = self._client.scatter(job, broadcast=True)
        self._futures: list = []

    def submit(self, shots: int, seed: int) -> Any:
        return self._client.submit(run_chunk, self._job, shots, seed, pure=False)

    def result(self, handle: Any, timeout: float) -> tuple:
        # poll: Future.result(timeout=...) repeated at short timeouts can fail inside
        # distributed's sync helper; a sleep loop also leaves Ctrl-C responsive
        deadline = time.monotonic() + timeout
        while not handle.done():
            if time.monotonic() > deadline:
                raise TimeoutError
            time.sleep(0.005)
        return handle.result()

    def abort(self) -> None:
        self.close()

    def close(self) -> None:
        if self._client is None:
            return
        client, cluster, self._client = self._client, self._cluster, None
        # busy workers may not stop in time: never let the shutdown hide the result
        try:
            client.close(timeout=10)
        except (TimeoutError, OSError, RuntimeError):
            pass
        if cluster is not None:
            try:
                cluster.close(timeout=20)
            except (TimeoutError, OSError, RuntimeError):
                pass


def check_executor(executor: str, workers: int, scheduler: str | None) -> None:
    """Validate an executor choice before any work (``ValueError`` naming the option)."""
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {EXECUTORS}, got {executor!r}")
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1:
        raise ValueError(f"workers must be a positive int, got {workers!r}")
    if executor == "local" and scheduler:
        raise ValueError("a scheduler address needs executor 'dask'")
    if executor == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError as exc:
            raise ValueError("the dask executor needs 'dask[distributed]' "
                             "(pip install 'tnqc[dask]')") from exc


@contextmanager
def open_executor(job: ChunkJob, executor: str = "local", workers: int = 1,
                  scheduler: str | None = None) -> Iterator[Any]:
    """An executor for ``job``: ``local`` (in-process for 1 worker, else a process pool)
    or ``dask`` (``scheduler`` address, or a ``LocalCluster`` of ``workers``)."""
    check_executor(executor, workers, scheduler)
    if executor == "local" and workers == 1:
        yield _Serial(job)
        return
    ex = _Processes(job, workers) if executor == "local" else _Dask(job, workers, scheduler)
    try:
        yield ex
    except BaseException:
        ex.abort()
        raise
    else:
        ex.close()
